# KVM selftest state_test's APX part: r16-r31 out of their initial state (write_egpr(16,
# 0xcccccccc) and the others), a sync at which userspace migrates the vCPU, then the check.
.include "guest.inc"
	ENABLE_OSXSAVE
	XCR0_SUPPORTED
	mov $0xcccccccc, %r16d
.macro SETS n, r
.if \n > 16
	mov $(0x4400 + \n), %\r
.endif
.endm
.macro CHKS n, r
.if \n > 16
	cmp $(0x4400 + \n), %\r
	jne fail
.endif
.endm
	EGPRS SETS
	SYNC 1
	mov $0xcccccccc, %eax
	cmp %rax, %r16
	jne fail
	EGPRS CHKS
	SYNC 2
	EGPRS CHKS
	EXIT 0
fail:
	EXIT 1
