# An XSAVE-managed MSR (IA32_U_CET, passed through): the guest writes it, userspace reads and
# rewrites it with KVM_GET/SET_MSRS (seed 004), the guest reads the new value.
.include "guest.inc"
	mov $0x6a0, %ecx
	mov $0x5678, %eax
	xor %edx, %edx
	wrmsr
	SYNC 1
	mov $0x6a0, %ecx
	rdmsr
	cmp $0x9abc, %eax
	jne fail
	EXIT 0
fail:
	EXIT 1
