# kvm-unit-tests x86/xsave.c as a guest (kvm-apx-model.md §4.1): test_no_xsave, then
# test_xsave's XCR0 writes (RCX[63:32] ignored), read-backs through XGETBV, #GP values and
# the unsupported XCR indices.
.include "guest.inc"
.macro EXPECT_FAULT vec
	cmp $\vec, %eax
	jne fail
.endm
	# test_no_xsave: CR4.OSXSAVE=0
	mov $1, %eax
	cpuid
	bt $27, %ecx
	jc fail
	FIXUP 1f
	xor %ecx, %ecx
	xgetbv
	jmp fail
1:	EXPECT_FAULT 6
	FIXUP 1f
	mov $3, %eax
	xor %edx, %edx
	xor %ecx, %ecx
	xsetbv
	jmp fail
1:	EXPECT_FAULT 6
	# test_xsave
	ENABLE_OSXSAVE
	mov $1, %eax
	cpuid
	bt $27, %ecx
	jnc fail
.macro WRITE_XCR0 val
	rdtsc
	shl $32, %rax
	mov %rax, %rcx			# RCX[63:32] = TSC: ignored
	mov $\val, %eax
	xor %edx, %edx
	xsetbv
	xgetbv
	cmp $\val, %eax
	jne fail
	xor %ecx, %ecx
	xgetbv
	cmp $\val, %eax
	jne fail
.endm
	WRITE_XCR0 1
	WRITE_XCR0 3
	WRITE_XCR0 7
	# YMM with XCR0 = FP|SSE|YMM: VMOVDQA round trips ymm i -> ymm 15-i through memory
	lea ymmsrc(%rip), %rsi
	mov $0x60000, %rdi
.macro YPAIR i, j
	vmovdqa (\i * 32)(%rsi), %ymm\i
	vmovdqa %ymm\i, %ymm\j
	vmovdqa %ymm\j, (\i * 32)(%rdi)
.endm
	YPAIR 0, 15
	YPAIR 1, 14
	YPAIR 2, 13
	YPAIR 3, 12
	YPAIR 4, 11
	YPAIR 5, 10
	YPAIR 6, 9
	YPAIR 7, 8
	mov $32, %ecx
2:	mov -8(%rsi, %rcx, 8), %rax
	cmp -8(%rdi, %rcx, 8), %rax
	jne fail
	dec %ecx
	jnz 2b
.macro BAD_XCR0 val
	FIXUP 1f
	mov $\val, %eax
	xor %edx, %edx
	xor %ecx, %ecx
	xsetbv
	jmp fail
1:	EXPECT_FAULT 13
.endm
	BAD_XCR0 0
	BAD_XCR0 2
	BAD_XCR0 4
	BAD_XCR0 5
	# test_unsupported_xcrs: i = 1..63, and BIT(i) for i <= 31
	mov $1, %r8d
5:	cmp $1, %r8d
	je 6f
	FIXUP 1f
	mov %r8d, %ecx
	xgetbv
	jmp fail
1:	EXPECT_FAULT 13
6:	FIXUP 1f
	mov %r8d, %ecx
	mov $1, %eax
	xor %edx, %edx
	xsetbv
	jmp fail
1:	EXPECT_FAULT 13
	FIXUP 1f
	mov %r8d, %ecx
	mov $3, %eax
	xor %edx, %edx
	xsetbv
	jmp fail
1:	EXPECT_FAULT 13
	cmp $31, %r8d
	ja 7f
	FIXUP 1f
	mov $1, %ecx
	shlx %r8d, %ecx, %ecx
	mov $3, %eax
	xor %edx, %edx
	xsetbv
	jmp fail
1:	EXPECT_FAULT 13
7:	inc %r8d
	cmp $64, %r8d
	jne 5b
	WRITE_XCR0 3
	# restore CR4: CPUID.1.ECX.OSXSAVE follows it
	mov %cr4, %rax
	and $~0x40000, %rax
	mov %rax, %cr4
	mov $1, %eax
	cpuid
	bt $27, %ecx
	jc fail
	EXIT 0
fail:
	EXIT 1
.p2align 5
ymmsrc:
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	.quad 0x0123456789abcdef + \n * 0x1111
	.endr
