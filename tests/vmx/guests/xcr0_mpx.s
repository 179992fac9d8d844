# On a CPU with MPX and APX: MPX alone and APX alone are accepted, both together are #GP
# (__kvm_set_xcr rule 8, kvm-apx-model.md §3.1).
.include "guest.inc"
	ENABLE_OSXSAVE
	XCR0_SET 0x1b
	XCR0_SET 0x80003
	FIXUP 1f
	XCR0_SET 0x8001b
	jmp fail
1:	cmp $13, %eax
	jne fail
	xor %ecx, %ecx
	xgetbv
	cmp $0x80003, %eax
	jne fail
	EXIT 0
fail:
	EXIT 1
