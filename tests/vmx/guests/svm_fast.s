# SVM fast paths: WRMSR to TSC_DEADLINE, INVD, HLT (woken by the armed deadline).
.include "guest.inc"
	mov $0x6e0, %ecx
	mov $0x2468, %eax
	xor %edx, %edx
	mov $0x55, %ebx
	wrmsr
	invd
	hlt
	cmp $0x55, %ebx
	jne fail
	EXIT 0
fail:
	EXIT 1
