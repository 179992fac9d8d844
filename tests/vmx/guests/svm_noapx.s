# On SVM neither APX nor MSR_IMM is offered (kvm-apx-model.md §1.5): CPUID.7.1.EDX[21] is
# clear, XCR0 with APX is #GP, the supported XCR0 works.
.include "guest.inc"
	ENABLE_OSXSAVE
	mov $7, %eax
	mov $1, %ecx
	cpuid
	bt $21, %edx
	jc fail
	XCR0_SUPPORTED
	FIXUP 1f
	XCR0_SET 0x80003
	jmp fail
1:	cmp $13, %eax
	jne fail
	EXIT 0
fail:
	EXIT 1
