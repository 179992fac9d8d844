# KVM selftest xcr0_cpuid_test (kvm-apx-model.md §4.2): the preloaded XCR0 is the supported
# set, the dependency rules hold on it, FP and supported are accepted, supported|BIT(i) is #GP
# for every unsupported bit, and MPX together with APX is #GP.
.include "guest.inc"
	ENABLE_OSXSAVE
	mov $0xd, %eax
	xor %ecx, %ecx
	cpuid
	mov %eax, %r8d			# supported, low half
	xor %ecx, %ecx
	xgetbv
	cmp %eax, %r8d
	jne fail
	mov %r8d, %eax			# YMM => SSE
	and $6, %eax
	cmp $4, %eax
	je fail
	mov %r8d, %eax			# MPX all or none
	and $0x18, %eax
	cmp $0x8, %eax
	je fail
	cmp $0x10, %eax
	je fail
	XCR0_SET 1
	mov %r8d, %eax
	xor %edx, %edx
	xor %ecx, %ecx
	xsetbv
	xor %r9d, %r9d			# bit i
2:	bt %r9d, %r8d
	jc 3f
	FIXUP 1f
	mov $1, %eax
	shlx %r9d, %eax, %eax
	or %r8d, %eax
	xor %edx, %edx
	xor %ecx, %ecx
	xsetbv
	jmp fail
1:	cmp $13, %eax
	jne fail
3:	inc %r9d
	cmp $32, %r9d
	jne 2b
	FIXUP 1f			# MPX and APX share bytes 960-1087
	XCR0_SET 0x8001b
	jmp fail
1:	cmp $13, %eax
	jne fail
	EXIT 0
fail:
	EXIT 1
