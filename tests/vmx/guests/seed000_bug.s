# The bug seed 000 was written to avoid: a fast-path handler reading an EGPR before it is
# saved. r17 = X, WRMSRNS $TSC_DEADLINE, r17 (exit 85, handled in the fast path, REENTER);
# the guest then reads TSC_DEADLINE back and checks r16-r31.
.include "guest.inc"
	ENABLE_OSXSAVE
	XCR0_SUPPORTED
.macro SETS n, r
	mov $(0x9000 + \n), %\r
.endm
.macro CHKS n, r
	cmp $(0x9000 + \n), %\r
	jne fail
.endm
	EGPRS SETS
	WRMSRNS_IMM 0x6e0, 17
	mov $0x6e0, %ecx
	rdmsr
	cmp $0x9011, %eax
	jne fail
	EGPRS CHKS
	EXIT 0
fail:
	EXIT 1
