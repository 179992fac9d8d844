# Paging and the IDT: the loader's identity-mapped 4-level tables (CR0.PG, CR3, CR4.PAE),
# a copy of them loaded into CR3, and exceptions delivered through the guest's IDT: #UD from
# UD2 (a VM exit by the exception bitmap, reinjected by KVM), #GP injected by KVM for a bad
# XSETBV (with an error code), #DE raised natively. The handlers run with r16-r31 intact.
.include "guest.inc"
	mov %cr0, %rax
	bt $31, %rax			# CR0.PG
	jnc fail
	mov %cr4, %rax
	bt $5, %rax			# CR4.PAE
	jnc fail
	mov %cr3, %rbx
	cmp $0x1000, %rbx
	jne fail
	mov (%rbx), %rax		# PML4[0] -> PDPT
	and $~0xfff, %rax
	mov (%rax), %rax		# PDPT[0] -> PD
	and $~0xfff, %rax
	mov 8(%rax), %rcx		# PD[1]: the 2 MiB page at 2 MiB
	and $~0x7f, %rcx
	cmp $0x200080, %rcx		# address 2 MiB, PS
	jne fail
	# copy the three tables to 0x4000 and relink them, then load CR3 with the copy
	mov $0x1000, %rsi
	mov $0x4000, %rdi
	mov $(3 * 512), %ecx
1:	mov (%rsi), %rax
	mov %rax, (%rdi)
	add $8, %rsi
	add $8, %rdi
	dec %ecx
	jnz 1b
	movq $0x5003, 0x4000		# PML4[0] -> PDPT copy
	movq $0x6003, 0x5000		# PDPT[0] -> PD copy
	mov $0x4000, %rax
	mov %rax, %cr3
	mov %cr3, %rax
	cmp $0x4000, %rax
	jne fail
	# the IDT: vectors 0 (#DE), 6 (#UD) and 13 (#GP)
.macro GATE vec, handler
	lea \handler(%rip), %rax
	lea (idt + \vec * 16)(%rip), %rdi
	mov %ax, (%rdi)
	movw $0x8, 2(%rdi)
	movw $0x8e00, 4(%rdi)		# present 64-bit interrupt gate
	shr $16, %rax
	mov %ax, 6(%rdi)
	shr $16, %rax
	mov %eax, 8(%rdi)
	movl $0, 12(%rdi)
.endm
	GATE 0, h_de
	GATE 6, h_ud
	GATE 13, h_gp
	lea idt(%rip), %rax
	mov %rax, idtr + 2(%rip)
	lidt idtr(%rip)
	ENABLE_OSXSAVE
	XCR0_SUPPORTED
.macro SETE n, r
	mov $(0x7100 + \n), %\r
.endm
	EGPRS SETE
	xor %r15d, %r15d		# handler count
	ud2
	mov $5, %eax			# XCR0 = FP|YMM without SSE: #GP
	xor %edx, %edx
	xor %ecx, %ecx
	xsetbv
	xor %edx, %edx
	mov $1, %eax
	xor %ecx, %ecx
	div %ecx
	cmp $3, %r15d
	jne fail
	cmp $13, %r14d			# the #GP handler ran (and popped its error code)
	jne fail
.macro CHKE n, r
	cmp $(0x7100 + \n), %\r
	jne fail
.endm
	EGPRS CHKE
	EXIT 0
fail:
	EXIT 1
# The handlers resume after the faulting instruction (UD2 2 bytes, XSETBV 3, DIV 2).
h_ud:	addq $2, (%rsp)
	inc %r15d
	mov $6, %r14d
	iretq
h_gp:	cmpq $0, (%rsp)			# error code 0
	jne fail
	add $8, %rsp
	addq $3, (%rsp)			# XSETBV
	inc %r15d
	mov $13, %r14d
	iretq
h_de:	addq $2, (%rsp)
	inc %r15d
	iretq
.p2align 4
idtr:	.word 16 * 14 - 1
	.quad 0				# the IDT's address, stored before LIDT
idt:	.fill 16 * 14, 1, 0
