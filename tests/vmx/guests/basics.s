# Serial output, CPUID, INVD, VMCALL, HLT with an armed TSC deadline, and a loop over r16-r31
# long enough for preemption-timer exits in the middle of it.
.include "guest.inc"
	lea msg(%rip), %rsi
1:	mov (%rsi), %al
	test %al, %al
	jz 2f
	mov $0x3f8, %dx
	out %al, %dx
	inc %rsi
	jmp 1b
2:	ENABLE_OSXSAVE
	XCR0_SUPPORTED
	invd
	mov $12345, %rax
	vmcall
	cmp $-1000, %rax
	jne fail
	mov $0x6e0, %ecx
	mov $0x100, %eax
	xor %edx, %edx
	wrmsr
	hlt
.macro SETZ n, r
	xor %\r, %\r
.endm
	EGPRS SETZ
	mov $2000, %ecx
3:
.macro ADDN n, r
	add $\n, %\r
.endm
	EGPRS ADDN
	dec %ecx
	jnz 3b
.macro CHKN n, r
	mov $(\n * 2000), %eax
	cmp %rax, %\r
	jne fail
.endm
	EGPRS CHKN
	EXIT 0
fail:
	EXIT 1
msg:	.asciz "hello from the guest\n"
