/* The physical CPU of the VMX/SVM model: the executor runs the guest at CPL0 in a flat,
 * identity-mapped address space (no paging by page tables); the intercept decides, from the
 * table's exit class, the VMCS controls and the MSR bitmaps, whether an instruction causes a
 * VM exit or runs natively, and the exit information is encoded as hardware does
 * (SDM Vol. 3C 28.2, kvm-apx-model.md §2 for the MSR_IMM reasons and the extended
 * instruction-information field).
 */
#include <stdlib.h>
#include <string.h>

#include "ae_gen.h"
#include "vmx_internal.h"

enum { GUEST_MEM = 1u << 20 };

static uint16_t h_xgetbv = 0xffff, h_movcr = 0xffff;

uint64_t vmx_hw_xcr0(vmx_m *m)
{
	return ae_cpu_xcr0(m->hw.cpu);
}

void vmx_hw_xsetbv(vmx_m *m, uint64_t v, vmx_owner owner)
{
	ae_cpu_vmx_set_xcr0(m->hw.cpu, v, (m->v.cr4 >> 18) & 1);
	m->hw.xcr0_tag = (uint8_t)owner;
}

bool vmx_guest_can_egpr(vmx_m *m)
{
	return m->hw.apx_enum && ((m->v.cr4 >> 18) & 1) && (vmx_hw_xcr0(m) & XF_APX);
}

/* Host code touching r16-r31: #UD unless hardware XCR0[19] is set (APX spec 3.1.3). */
bool vmx_hw_egpr_access(vmx_m *m, const char *step)
{
	if (!m->hw.apx_enum || !(vmx_hw_xcr0(m) & XF_APX)) {
		vmx_violation(m, "X5", "host #UD: %s touches r16-r31 with xcr0=%#llx", step,
			      (unsigned long long)vmx_hw_xcr0(m));
		m->host_crashed = true;
		return false;
	}
	return true;
}

static int insn_gpr(const ae_insn *in)
{
	for (unsigned i = 0; i < in->nops; i++)
		if (in->ops[i].kind == AE_OP_REG && in->ops[i].reg < 32)
			return in->ops[i].reg;
	return -1;
}

static bool msr_intercepted(vmx_hw *hw, uint32_t msr, bool write)
{
	unsigned base = write ? 2048 : 0;
	if (msr >= 0xc0000000 && msr <= 0xc0001fff)
		base += 1024, msr -= 0xc0000000;
	else if (msr > 0x1fff)
		return true;
	return (hw->vmcs.msr_bitmap[base + msr / 8] >> (msr % 8)) & 1;
}

/* The executor asks before every instruction: true stops it so that guest_insn() decides
 * between a VM exit and native execution. */
static bool intercept(void *opaque, ae_cpu *cpu, const ae_insn *in, unsigned ex)
{
	(void)opaque;
	(void)cpu;
	const dec_form *f = &dec_forms[in->form];
	if (f->handler == h_xgetbv || f->handler == h_movcr)
		return true;
	switch (ex) {
	case DX_CPUID:
	case DX_XSETBV:
	case DX_HLT:
	case DX_INVD:
	case DX_VMCALL:
	case DX_VMMCALL:
	case DX_IO:
	case DX_RDMSR:
	case DX_WRMSR:
	case DX_WRMSRNS:
	case DX_RDMSR_IMM:
	case DX_WRMSRNS_IMM:
		return true;
	default:
		return false;
	}
}

int vmx_hw_init(vmx_m *m, const char *host, bool svm)
{
	vmx_hw *hw = &m->hw;
	memset(hw, 0, sizeof *hw);
	bool apx = strcmp(host, "noapx") != 0;
	const ae_xs_profile *xp = ae_xs_profile_find(apx ? "apx" : "spr");
	if (!xp)
		return -1;
	hw->prof = *xp;
	if (!strcmp(host, "apx-mpx"))
		hw->prof.xcr0_mask |= XF_MPX;
	hw->cpu = ae_cpu_new(apx ? "default" : "noapx");
	if (!hw->cpu)
		return -1;
	if (h_xgetbv == 0xffff)
		for (unsigned h = 0; h < DEC_NHANDLERS; h++) {
			if (!strcmp(dec_handler_names[h], "xgetbv"))
				h_xgetbv = (uint16_t)h;
			if (!strcmp(dec_handler_names[h], "mov_cr"))
				h_movcr = (uint16_t)h;
		}
	if (ae_cpu_vmx_attach(hw->cpu, intercept, m) || ae_mem_map(hw->cpu, 0, GUEST_MEM, 7))
		return -1;
	hw->svm = svm;
	hw->apx_enum = apx;
	hw->msr_imm = apx && !svm;
	hw->bit12_garbage = !apx;
	hw->mode = MODE_HOST_C;
	hw->irq_on = true;
	hw->vmcs.inject_vector = -1;
	/* Intercept every MSR except IA32_U_CET, which the guest owns (its value is switched
	 * with the guest FPU, as XSAVES-managed state). */
	memset(hw->vmcs.msr_bitmap, 0xff, sizeof hw->vmcs.msr_bitmap);
	for (unsigned half = 0; half < 4096; half += 2048)
		hw->vmcs.msr_bitmap[half + MSR_U_CET / 8] &= (uint8_t)~(1u << (MSR_U_CET % 8));
	for (unsigned r = 0; r < 32; r++)
		hw->tag[r] = OWN_HOST;
	m->host_xcr0 = hw->prof.xcr0_mask & ~XF_MPX & (XF_FP | XF_SSE | XF_YMM | XF_AVX512 | XF_PKRU | XF_APX);
	if (!apx)
		m->host_xcr0 &= ~XF_APX;
	m->host_xss = 0;
	m->host_pkru = 0x55555554;
	m->host_u_cet = 0x1111;
	hw->pkru = m->host_pkru;
	hw->u_cet = m->host_u_cet;
	hw->xcr0_tag = hw->xss_tag = hw->pkru_tag = OWN_HOST;
	ae_cpu_vmx_set_xcr0(hw->cpu, m->host_xcr0, true);
	return 0;
}

void vmx_hw_free(vmx_m *m)
{
	if (m->hw.cpu) {
		ae_cpu_vmx_detach(m->hw.cpu);
		ae_cpu_free(m->hw.cpu);
		m->hw.cpu = NULL;
	}
}

static void set_exit(vmx_m *m, uint32_t reason, uint64_t qual)
{
	vmx_vmcs *vm = &m->hw.vmcs;
	vm->exit_reason = reason;
	vm->exit_qual = qual;
	vm->insn_len = m->hw.insn.len;
	vm->insn_info = 0;
	vm->ext_insn_info = 0;
	vm->intr_info = 0;
	int r = m->hw.insn_reg;
	if (r >= 0) {
		/* Legacy bits 6:3 hold four bits; with an EGPR operand they are the low four. */
		vm->insn_info = (uint32_t)(r & 0xf) << 3;
		if (m->hw.apx_enum)
			vm->ext_insn_info = (uint64_t)(r & 0x1f) << 16;
	}
}

static void set_svm_exit(vmx_m *m, uint64_t code, uint64_t info1, uint64_t info2)
{
	vmx_vmcs *vm = &m->hw.vmcs;
	vm->exit_code = code;
	vm->exit_info1 = info1;
	vm->exit_info2 = info2;
	vm->next_rip = m->hw.exit_rip + m->hw.insn.len;
}

/* Delivers an exception inside the guest (its fixup stands in for the IDT), or reports a
 * triple fault. Returns true when the guest goes on running. */
static bool deliver(vmx_m *m, unsigned vector)
{
	vmx_hw *hw = &m->hw;
	if (!hw->fixup)
		return false;
	ae_cpu_set(hw->cpu, AE_R_RIP, hw->fixup);
	ae_cpu_set(hw->cpu, 0, vector);
	hw->fixup = 0;
	return true;
}

static bool exception_exit(vmx_m *m, unsigned vector)
{
	vmx_hw *hw = &m->hw;
	hw->insn.len = 0;
	hw->insn_reg = -1;
	if ((hw->vmcs.exception_bitmap >> vector) & 1) {
		if (hw->svm)
			set_svm_exit(m, SVM_EXIT_EXCP_BASE + vector, 0, 0);
		else {
			set_exit(m, VMX_EXIT_EXCEPTION, 0);
			hw->vmcs.intr_info = 0x80000300u | vector;
		}
		return true;
	}
	if (deliver(m, vector))
		return false;
	if (hw->svm)
		set_svm_exit(m, SVM_EXIT_SHUTDOWN, 0, 0);
	else
		set_exit(m, VMX_EXIT_TRIPLE_FAULT, 0);
	return true;
}

/* One guest instruction the model executes natively, or the exit it causes. Returns true on
 * a VM exit. */
static bool guest_insn(vmx_m *m)
{
	vmx_hw *hw = &m->hw;
	ae_cpu *cpu = hw->cpu;
	const ae_insn *in = ae_cpu_vmx_insn(cpu);
	unsigned ex = ae_insn_exit_class(in);
	const dec_form *f = &dec_forms[in->form];
	uint64_t rip = ae_cpu_get(cpu, AE_R_RIP);
	bool osx = (m->v.cr4 >> 18) & 1;
	hw->insn = *in;
	hw->insn_reg = insn_gpr(in);
	hw->exit_rip = rip;
	uint64_t rax = ae_cpu_get(cpu, 0), rcx = ae_cpu_get(cpu, 1), rdx = ae_cpu_get(cpu, 2);
	if (f->handler == h_xgetbv) {
		if (!osx)
			return exception_exit(m, AE_EXC_UD);
		if ((uint32_t)rcx != 0 && (uint32_t)rcx != 1)
			return exception_exit(m, AE_EXC_GP);
		uint64_t x = vmx_hw_xcr0(m);
		ae_cpu_set(cpu, 0, (uint32_t)x);
		ae_cpu_set(cpu, 2, x >> 32);
		ae_cpu_set(cpu, AE_R_RIP, rip + in->len);
		return false;
	}
	if (f->handler == h_movcr) {
		unsigned cr = 0, gpr = 0;
		bool to_cr = in->ops[0].reg >= AE_R_CR && in->ops[0].reg < AE_R_CR + 16;
		cr = (to_cr ? in->ops[0].reg : in->ops[1].reg) - AE_R_CR;
		gpr = to_cr ? in->ops[1].reg : in->ops[0].reg;
		if (!to_cr) { /* reads come from the read shadow natively */
			ae_cpu_set(cpu, gpr, cr == 4 ? m->v.cr4 : cr == 0 ? 0x80050033 : 0);
			ae_cpu_set(cpu, AE_R_RIP, rip + in->len);
			return false;
		}
		if (hw->svm) {
			set_svm_exit(m, SVM_EXIT_CR4_WRITE + cr - 4, (1ull << 63) | gpr, 0);
			return true;
		}
		/* SDM Table 28-3: CR number 3:0, access type 5:4 = 0, GPR 11:8 (12:8 with APX). */
		uint64_t q = cr | (uint64_t)(gpr & 0xf) << 8;
		if (hw->apx_enum)
			q |= (uint64_t)(gpr >> 4 & 1) << 12;
		else if (hw->bit12_garbage)
			q |= 1ull << 12;
		set_exit(m, VMX_EXIT_CR_ACCESS, q);
		return true;
	}
	switch (ex) {
	case DX_CPUID:
		if (hw->svm)
			set_svm_exit(m, SVM_EXIT_CPUID, 0, 0);
		else
			set_exit(m, VMX_EXIT_CPUID, 0);
		return true;
	case DX_XSETBV:
		if (!osx)
			return exception_exit(m, AE_EXC_UD);
		if (hw->svm)
			set_svm_exit(m, SVM_EXIT_XSETBV, 0, 0);
		else
			set_exit(m, VMX_EXIT_XSETBV, 0);
		return true;
	case DX_HLT:
		if (hw->svm)
			set_svm_exit(m, SVM_EXIT_HLT, 0, 0);
		else
			set_exit(m, VMX_EXIT_HLT, 0);
		return true;
	case DX_INVD:
		if (hw->svm)
			set_svm_exit(m, SVM_EXIT_INVD, 0, 0);
		else
			set_exit(m, VMX_EXIT_INVD, 0);
		return true;
	case DX_VMCALL:
	case DX_VMMCALL:
		if (hw->svm)
			set_svm_exit(m, SVM_EXIT_VMMCALL, 0, 0);
		else
			set_exit(m, VMX_EXIT_VMCALL, 0);
		return true;
	case DX_IO: {
		if (in->opc < 0xe4) /* INS/OUTS are not modelled */
			return exception_exit(m, AE_EXC_UD);
		bool out = (in->opc & 2) != 0;
		unsigned size = (in->opc & 1) ? in->opsize : 1;
		uint32_t port = (in->opc & 8) ? (uint16_t)rdx : (uint8_t)in->imm;
		if (out && port == PORT_FIXUP) { /* the guest's exception fixup, not an exit */
			hw->fixup = (uint32_t)rax;
			ae_cpu_set(cpu, AE_R_RIP, rip + in->len);
			return false;
		}
		/* SDM Table 28-5: size-1 in 2:0, direction (1 = IN) in 3, port in 31:16. */
		uint64_t q = (uint64_t)(size - 1) | (out ? 0 : 8) | (uint64_t)port << 16;
		hw->insn_reg = -1;
		if (hw->svm)
			set_svm_exit(m, SVM_EXIT_IOIO, (uint64_t)port << 16 | (out ? 0 : 1) | (size << 4), 0);
		else
			set_exit(m, VMX_EXIT_IO, q);
		return true;
	}
	case DX_RDMSR:
	case DX_WRMSR:
	case DX_WRMSRNS: {
		bool wr = ex != DX_RDMSR;
		uint32_t msr = (uint32_t)rcx;
		if (!msr_intercepted(hw, msr, wr)) {
			if (msr != MSR_U_CET)
				return exception_exit(m, AE_EXC_GP);
			if (wr)
				hw->u_cet = (uint32_t)rax | rdx << 32;
			else {
				ae_cpu_set(cpu, 0, (uint32_t)hw->u_cet);
				ae_cpu_set(cpu, 2, hw->u_cet >> 32);
			}
			ae_cpu_set(cpu, AE_R_RIP, rip + in->len);
			return false;
		}
		hw->insn_reg = -1;
		if (hw->svm)
			set_svm_exit(m, SVM_EXIT_MSR, wr, 0);
		else
			set_exit(m, wr ? VMX_EXIT_MSR_WRITE : VMX_EXIT_MSR_READ, 0);
		return true;
	}
	case DX_RDMSR_IMM:
	case DX_WRMSRNS_IMM: {
		if (!hw->msr_imm)
			return exception_exit(m, AE_EXC_UD);
		bool wr = ex == DX_WRMSRNS_IMM;
		uint32_t msr = (uint32_t)in->imm;
		if (!msr_intercepted(hw, msr, wr)) {
			if (msr != MSR_U_CET)
				return exception_exit(m, AE_EXC_GP);
			if (wr)
				hw->u_cet = ae_cpu_get(cpu, (unsigned)hw->insn_reg);
			else
				ae_cpu_set(cpu, (unsigned)hw->insn_reg, hw->u_cet);
			ae_cpu_set(cpu, AE_R_RIP, rip + in->len);
			return false;
		}
		set_exit(m, wr ? VMX_EXIT_MSR_WRITE_IMM : VMX_EXIT_MSR_READ_IMM, msr);
		return true;
	}
	default:
		/* Other exit classes are not modelled: the guest sees #UD. */
		return exception_exit(m, AE_EXC_UD);
	}
}

void vmx_hw_run_guest(vmx_m *m)
{
	vmx_hw *hw = &m->hw;
	ae_cpu *cpu = hw->cpu;
	uint64_t budget = hw->vmcs.preempt_budget;
	if (hw->vmcs.inject_vector >= 0) {
		int vec = hw->vmcs.inject_vector;
		hw->vmcs.inject_vector = -1;
		if (!deliver(m, (unsigned)vec)) {
			hw->insn.len = 0;
			hw->insn_reg = -1;
			if (hw->svm)
				set_svm_exit(m, SVM_EXIT_SHUTDOWN, 0, 0);
			else
				set_exit(m, VMX_EXIT_TRIPLE_FAULT, 0);
			return;
		}
	}
	for (;;) {
		if (hw->vmcs.preempt_budget && !budget && !hw->svm) {
			hw->insn.len = 0;
			hw->insn_reg = -1;
			hw->exit_rip = ae_cpu_get(cpu, AE_R_RIP);
			set_exit(m, VMX_EXIT_PREEMPTION_TIMER, 0);
			return;
		}
		uint64_t before = ae_cpu_icount(cpu);
		uint64_t left = m->max_insns > hw->total_insns ? m->max_insns - hw->total_insns : 1;
		uint64_t n = budget && budget < left ? budget : left;
		ae_exit e = ae_cpu_run(cpu, n);
		uint64_t ran = ae_cpu_icount(cpu) - before;
		hw->total_insns += ran;
		if (budget)
			budget = budget > ran ? budget - ran : 0;
		if (e == AE_EXIT_VMEXIT) {
			if (guest_insn(m))
				return;
			continue;
		}
		if (e == AE_EXIT_FAULT) {
			hw->exit_rip = ae_cpu_get(cpu, AE_R_RIP);
			if (exception_exit(m, ae_cpu_fault(cpu)->vector))
				return;
			continue;
		}
		/* AE_EXIT_LIMIT: the preemption timer or the model's instruction cap. */
		hw->insn.len = 0;
		hw->insn_reg = -1;
		hw->exit_rip = ae_cpu_get(cpu, AE_R_RIP);
		if (hw->total_insns >= m->max_insns) {
			if (hw->svm)
				set_svm_exit(m, SVM_EXIT_SHUTDOWN, 0, 0);
			else
				set_exit(m, VMX_EXIT_TRIPLE_FAULT, 0);
			m->run_reason = RUN_LIMIT;
			return;
		}
		if (hw->svm) /* no preemption timer on SVM: keep running */
			continue;
		set_exit(m, VMX_EXIT_PREEMPTION_TIMER, 0);
		return;
	}
}
