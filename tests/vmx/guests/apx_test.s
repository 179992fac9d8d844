# KVM selftest apx_test (kvm-apx-model.md §4.2): GUEST_UPDATE, USERSPACE_UPDATE, GUEST_APXOFF.
.include "guest.inc"
	ENABLE_OSXSAVE
	mov $7, %eax			# APX is CPUID.7.1.EDX[21]
	mov $1, %ecx
	cpuid
	bt $21, %edx
	jnc fail
	XCR0_SUPPORTED
.macro SET base, n, r
	mov $(\base + \n), %\r
.endm
.macro CHK base, n, r
	cmp $(\base + \n), %\r
	jne fail
.endm
.macro SETA n, r
	SET 0xabcd, \n, \r
.endm
.macro CHKA n, r
	CHK 0xabcd, \n, \r
.endm
.macro CHKB n, r
	CHK 0xbcde, \n, \r
.endm
.macro SETC n, r
	SET 0xcdef, \n, \r
.endm
.macro CHKC n, r
	CHK 0xcdef, \n, \r
.endm
	EGPRS SETA
	SYNC 1
	EGPRS CHKA
	SYNC 2
	EGPRS CHKB
	EGPRS SETC
	XCR0_SET 0x3			# APX off
	SYNC 3
	XCR0_SUPPORTED			# APX on again: the values are preserved
	EGPRS CHKC
	EXIT 0
fail:
	EXIT 1
