/* The KVM model: vcpu_enter_guest in the order of kvm-apx-model.md §1.2, vmx_vcpu_run and
 * __vmx_vcpu_run as micro-steps (§1.4, §5.1 patch 5), svm_vcpu_run (§1.5), the fast-path
 * dispatch and handlers (§1.3-§1.4), the full exit handlers, __kvm_set_xcr (§3.1) and the
 * uAPI (§3.1-§3.2; KVM_GET/SET_MSRS of XSAVE-managed MSRs as in seed 004). Every micro-step
 * ends in vmx_step(), where the checker runs. The policy (m->pol) selects the EGPR switch and
 * the mutants of §6.2.
 */
#include <string.h>

#include "vmx_internal.h"

#define CR4_OSXSAVE (1ull << 18)
#define CR4_PKE (1ull << 22)
#define KVM_SUPPORTED_XCR0 (XF_FP | XF_SSE | XF_YMM | XF_MPX | XF_AVX512 | XF_PKRU | XF_XTILE | XF_APX)
#define EINVAL_ 22

static bool osxsave(vmx_m *m)
{
	return (m->v.cr4 & CR4_OSXSAVE) != 0;
}

static bool early_policy(vmx_m *m)
{
	return m->pol->egpr == EG_C_EARLY || m->pol->egpr == EG_XCR0_FIRST;
}

static void recompute_early_xcr0(vmx_m *m)
{
	m->v.early_xcr0 = m->v.xcr0;
	if (m->v.cpuid_apx)
		m->v.early_xcr0 |= m->host_xcr0 & XF_APX;
}

void vmx_kvm_init(vmx_m *m)
{
	vmx_vcpu *v = &m->v;
	memset(v, 0, sizeof *v);
	m->supported_xcr0 = m->host_xcr0 & KVM_SUPPORTED_XCR0;
	m->supported_xcr0 |= m->hw.prof.xcr0_mask & XF_MPX;
	/* §1.5: SVM drops APX from supported_xcr0 (v4 patch 17). */
	if (m->hw.svm && !m->pol->svm_apx)
		m->supported_xcr0 &= ~XF_APX;
	v->rip = GUEST_LOAD;
	v->regs[4] = GUEST_STACK;
	v->cr4 = 0x620; /* PAE, OSFXSR, OSXMMEXCPT: 64-bit mode with paging */
	v->xcr0 = XF_FP;
	v->pkru = 0;
	v->pending_exc = -1;
	v->cui_rdmsr_reg = -1;
	ae_xs_reset(&v->fpstate);
	recompute_early_xcr0(m);
	memcpy(m->G, v->regs, sizeof m->G);
}

/* --- registers -------------------------------------------------------------------------- */

static uint64_t kvm_gpr_read(vmx_m *m, unsigned reg)
{
	uint64_t val = m->v.regs[reg & 31];
	vmx_check_gpr_read(m, reg & 31, val, m->hw.insn_reg);
	return val;
}

static void kvm_gpr_write(vmx_m *m, unsigned reg, uint64_t val)
{
	reg &= 31;
	m->v.regs[reg] = val;
	m->G[reg] = val;
	m->g_written |= 1u << reg;
}

/* Returns 0 when single-stepping turns the skip into KVM_EXIT_DEBUG (the caller returns to
 * userspace: EXIT_FASTPATH_EXIT_USERSPACE in a fast path), 1 otherwise. Without NRIPS the
 * SVM length comes from the emulator's decode (the instruction the hardware model saw). */
static int kvm_skip_emulated_instruction(vmx_m *m)
{
	uint64_t end = m->hw.exit_rip + m->hw.insn.len;
	if (m->hw.svm)
		m->v.rip = m->hw.nrips || m->pol->svm_fast_nonrips ? m->hw.vmcs.next_rip : m->v.rip + m->hw.insn.len;
	else
		m->v.rip += m->hw.vmcs.insn_len;
	m->v.skips++;
	/* F3: one advance, to the end of the exiting instruction. */
	if (m->v.rip != end)
		vmx_violation(m, "F3", "RIP skipped to %#llx, the instruction at %#llx ends at %#llx",
			      (unsigned long long)m->v.rip, (unsigned long long)m->hw.exit_rip,
			      (unsigned long long)end);
	if (m->hw.singlestep) { /* kvm_vcpu_do_singlestep: KVM_EXIT_DEBUG */
		m->run_reason = RUN_DEBUG;
		return 0;
	}
	return 1;
}

/* MSR_IMM register (§2): the extended field when the host enumerates APX. */
static unsigned vmx_get_msr_imm_reg(vmx_m *m)
{
	if (m->pol->decode_4bit || !m->hw.apx_enum)
		return (m->hw.vmcs.insn_info >> 3) & 0xf;
	return (unsigned)(m->hw.vmcs.ext_insn_info >> 16) & 0x1f;
}

/* --- XCR0 ------------------------------------------------------------------------------- */

bool vmx_xcr0_valid(uint64_t x, uint64_t supported)
{
	if (!(x & XF_FP) || ((x & XF_YMM) && !(x & XF_SSE)) || (x & ~(supported | XF_FP)))
		return false;
	if (!(x & XF_BNDREGS) != !(x & XF_BNDCSR))
		return false;
	if ((x & XF_AVX512) && (!(x & XF_YMM) || (x & XF_AVX512) != XF_AVX512))
		return false;
	if ((x & XF_XTILE) && (x & XF_XTILE) != XF_XTILE)
		return false;
	return !((x & XF_BNDREGS) && (x & XF_APX));
}

/* __kvm_set_xcr (§3.1): 0 or 1 (the caller's #GP / -EINVAL). The generic rules are the
 * XSTATE engine's XSETBV checks on a CPU whose XCR0 mask is guest_supported | FP; rule 8
 * (MPX with APX) is KVM's own. */
static int kvm_set_xcr(vmx_m *m, uint32_t index, uint64_t xcr)
{
	vmx_vcpu *v = &m->v;
	uint64_t sup = v->guest_supported_xcr0 | XF_FP;
	int rc = 1;
	if (index == 0) {
		ae_xs_profile p = m->hw.prof;
		p.xcr0_mask = sup;
		ae_xs_env env = {.cpu = &p, .cpl = 0, .osxsave = true, .mode64 = true};
		ae_xstate scratch;
		ae_xs_reset(&scratch);
		ae_xs_fault f;
		uint64_t probe = m->pol->mpx_apx ? xcr & ~XF_APX : xcr;
		rc = ae_xs_xsetbv(&scratch, &env, 0, probe, &f) == AE_XS_OK ? 0 : 1;
		if (!rc && m->pol->mpx_apx && (xcr & XF_APX) && !(sup & XF_APX))
			rc = 1;
	}
	bool valid = index == 0 && vmx_xcr0_valid(xcr, sup);
	if ((rc == 0) != valid)
		vmx_violation(m, "V1", "__kvm_set_xcr(%u, %#llx) %s, rules say %s (supported %#llx)", index,
			      (unsigned long long)xcr, rc ? "rejected" : "accepted", valid ? "valid" : "invalid",
			      (unsigned long long)sup);
	if (rc)
		return 1;
	v->xcr0 = xcr;
	if (!m->pol->early_stale)
		recompute_early_xcr0(m);
	return 0;
}

/* --- MSRs ------------------------------------------------------------------------------ */

static int kvm_get_msr(vmx_m *m, uint32_t idx, uint64_t *val)
{
	vmx_vcpu *v = &m->v;
	switch (idx) {
	case MSR_TSC_DEADLINE:
		*val = v->tsc_deadline;
		return 0;
	case MSR_X2APIC_ICR:
		*val = v->icr_last;
		return 0;
	case MSR_TSC_ADJUST:
		*val = v->tsc_adjust;
		return 0;
	case MSR_IA32_XSS:
		*val = v->ia32_xss;
		return 0;
	default:
		return -1;
	}
}

static int kvm_set_msr(vmx_m *m, uint32_t idx, uint64_t val)
{
	vmx_vcpu *v = &m->v;
	switch (idx) {
	case MSR_TSC_DEADLINE:
		v->tsc_deadline = val;
		return 0;
	case MSR_X2APIC_ICR:
		v->icr_last = val;
		v->ipis++;
		return 0;
	case MSR_TSC_ADJUST:
		v->tsc_adjust = val;
		return 0;
	case MSR_IA32_XSS:
		if (val) /* no supervisor component is offered to the guest */
			return 1;
		v->ia32_xss = val;
		return 0;
	default:
		return -1;
	}
}

/* --- FPU, XCR0/XSS, PKRU switching (§1.1) ---------------------------------------------- */

static void fpu_load_guest(vmx_m *m)
{
	if (m->v.fpu_in_use)
		return;
	m->hw.u_cet = m->v.fpstate.cet_u[0];
	m->v.fpu_in_use = true;
}

static void fpu_put_guest(vmx_m *m)
{
	if (!m->v.fpu_in_use)
		return;
	m->v.fpstate.cet_u[0] = m->hw.u_cet;
	m->hw.u_cet = m->host_u_cet;
	m->v.fpu_in_use = false;
}

static void kvm_load_xfeatures(vmx_m *m, bool guest)
{
	uint64_t gx = early_policy(m) ? m->v.early_xcr0 : m->v.xcr0;
	/* X3: the host restore evaluates the predicates the guest load evaluated. */
	bool p_osx = osxsave(m), p_x = gx != m->host_xcr0, p_s = m->v.ia32_xss != m->host_xss;
	if (guest) {
		m->v.xf_osx = p_osx, m->v.xf_xcr0 = p_x, m->v.xf_xss = p_s, m->v.xf_loaded = true;
	} else if (m->v.xf_loaded) {
		if (p_osx != m->v.xf_osx || p_x != m->v.xf_xcr0 || p_s != m->v.xf_xss)
			vmx_violation(m, "X3", "kvm_load_xfeatures(host): OSXSAVE %d->%d, xcr0!=host %d->%d, xss!=host %d->%d",
				      m->v.xf_osx, p_osx, m->v.xf_xcr0, p_x, m->v.xf_xss, p_s);
		m->v.xf_loaded = false;
	}
	if (!osxsave(m))
		return;
	if (gx != m->host_xcr0)
		vmx_hw_xsetbv(m, guest ? gx : m->host_xcr0, guest ? OWN_GUEST : OWN_HOST);
	if (m->v.ia32_xss != m->host_xss) {
		m->hw.xss = guest ? m->v.ia32_xss : m->host_xss;
		m->hw.xss_tag = guest ? OWN_GUEST : OWN_HOST;
	}
}

static void kvm_load_guest_pkru(vmx_m *m)
{
	if (m->v.pkru != m->host_pkru && ((m->v.xcr0 & XF_PKRU) || (m->v.cr4 & CR4_PKE))) {
		m->hw.pkru = m->v.pkru;
		m->hw.pkru_tag = OWN_GUEST;
	}
}

static void kvm_load_host_pkru(vmx_m *m)
{
	if (m->hw.pkru_tag == OWN_GUEST) {
		m->v.pkru = m->hw.pkru;
		m->hw.pkru = m->host_pkru;
		m->hw.pkru_tag = OWN_HOST;
	}
}

/* --- EGPR moves --------------------------------------------------------------------------- */

static bool egpr_load(vmx_m *m, const char *step)
{
	if (!vmx_hw_egpr_access(m, step))
		return false;
	for (unsigned r = 16; r < 32; r++) {
		ae_cpu_set(m->hw.cpu, r, m->v.regs[r]);
		m->hw.tag[r] = OWN_GUEST;
	}
	vmx_event(m, AE_VMX_EV_EGPR_LOAD, "%s (r17=%#llx)", step, (unsigned long long)m->v.regs[17]);
	return true;
}

static bool egpr_save(vmx_m *m, const char *step, bool clear)
{
	if (!vmx_hw_egpr_access(m, step))
		return false;
	for (unsigned r = 16; r < 32; r++) {
		m->v.regs[r] = ae_cpu_get(m->hw.cpu, r);
		if (clear) {
			ae_cpu_set(m->hw.cpu, r, 0);
			m->hw.tag[r] = OWN_ZERO;
		}
	}
	vmx_event(m, AE_VMX_EV_EGPR_SAVE, "%s%s (r17=%#llx)", step, clear ? ", cleared" : ", not cleared",
		  (unsigned long long)m->v.regs[17]);
	return true;
}

/* --- guest entry and exit ------------------------------------------------------------ */

/* Returns false on VM-Fail. */
static bool enter_and_run(vmx_m *m, const char *vmresume)
{
	vmx_hw *hw = &m->hw;
	for (unsigned r = 0; r < 16; r++) {
		ae_cpu_set(hw->cpu, r, m->v.regs[r]);
		hw->tag[r] = OWN_GUEST;
	}
	ae_cpu_set(hw->cpu, AE_R_RIP, m->v.rip);
	vmx_step(m, "load guest GPRs r0-r15");
	vmx_check_entry(m);
	if (hw->vmfail_next) {
		/* VM-Fail: the guest never runs; the entry code clears r0-r15 (the values came from
		 * regs[]) and, in v4, stores and clears r16-r31 as on an exit. */
		hw->vmfail_next = false;
		hw->vmcs.exit_reason = VMX_EXIT_FAIL_ENTRY;
		vmx_step(m, "VMRESUME fails (VM-Fail)");
		vmx_event(m, AE_VMX_EV_EXIT, "VM-Fail at rip %#llx", (unsigned long long)m->v.rip);
		for (unsigned r = 0; r < 16; r++) {
			ae_cpu_set(hw->cpu, r, 0);
			hw->tag[r] = OWN_ZERO;
		}
		m->v.skips = 0;
		vmx_step(m, "VM-Fail: clear GPRs r0-r15");
		return false;
	}
	hw->mode = MODE_GUEST;
	vmx_step(m, vmresume);
	vmx_hw_run_guest(m);
	/* The exit: what the guest's registers hold now is the truth the checker compares with. */
	hw->mode = MODE_HOST_ASM;
	bool can = vmx_guest_can_egpr(m);
	for (unsigned r = 0; r < 32; r++) {
		if (r >= 16 && !can)
			break;
		m->G[r] = ae_cpu_get(hw->cpu, r);
		hw->tag[r] = OWN_GUEST;
	}
	m->g_written = 0;
	m->v.skips = 0;
	m->v.rip = hw->exit_rip;
	m->v.stat_exits++;
	vmx_trace(m, "exit reason %u qual %#llx len %u info %#x ext %#llx (svm %#llx) at rip %#llx",
		  hw->vmcs.exit_reason, (unsigned long long)hw->vmcs.exit_qual, hw->vmcs.insn_len,
		  hw->vmcs.insn_info, (unsigned long long)hw->vmcs.ext_insn_info,
		  (unsigned long long)hw->vmcs.exit_code, (unsigned long long)hw->exit_rip);
	vmx_step(m, "VM-exit");
	vmx_event(m, AE_VMX_EV_EXIT, "exit %s %#llx qual %#llx at rip %#llx", hw->svm ? "code" : "reason",
		  (unsigned long long)(hw->svm ? hw->vmcs.exit_code : hw->vmcs.exit_reason),
		  (unsigned long long)(hw->svm ? hw->vmcs.exit_info1 : hw->vmcs.exit_qual),
		  (unsigned long long)hw->exit_rip);
	for (unsigned r = 0; r < 16; r++) {
		m->v.regs[r] = ae_cpu_get(hw->cpu, r);
		ae_cpu_set(hw->cpu, r, 0);
		hw->tag[r] = OWN_ZERO;
	}
	vmx_step(m, "store and clear GPRs r0-r15");
	return true;
}

static bool egpr_flag(vmx_m *m)
{
	const vmx_policy *p = m->pol;
	if (!m->hw.apx_enum)
		return false;
	if (p->flag_always)
		return true;
	if (p->flag_cpuid)
		return m->v.cpuid_apx;
	return (m->v.xcr0 & XF_APX) != 0;
}

/* A host EGPR access because the flag says so: E4 when the guest XCR0 lacks APX. */
static void check_flag_source(vmx_m *m)
{
	if (m->egpr_flag && !(m->v.xcr0 & XF_APX))
		vmx_violation(m, "E4", "EGPR switch flag set for a guest with xcr0=%#llx",
			      (unsigned long long)m->v.xcr0);
}

static fastpath_t vmx_exit_handlers_fastpath(vmx_m *m);
static fastpath_t svm_exit_handlers_fastpath(vmx_m *m);

static fastpath_t vmx_vcpu_run(vmx_m *m)
{
	const vmx_policy *p = m->pol;
	vmx_hw *hw = &m->hw;
	vmx_step(m, "vmx_vcpu_run: RSP/RIP to VMCS");
	m->egpr_flag = false;
	if (early_policy(m)) {
		/* __kvm_load_guest_apx, C code just before vmx_vcpu_enter_exit (seed 000). */
		if (p->egpr == EG_C_EARLY) {
			if (m->v.early_xcr0 != m->v.xcr0 && osxsave(m) && !p->early_leftover)
				vmx_hw_xsetbv(m, m->v.xcr0, OWN_GUEST);
			if (m->hw.apx_enum && (m->v.xcr0 & XF_APX)) {
				if (!egpr_load(m, "__kvm_load_guest_apx"))
					return EXIT_FASTPATH_NONE;
				m->egpr_flag = true;
			}
		} else {
			if (m->v.early_xcr0 != m->v.xcr0 && osxsave(m))
				vmx_hw_xsetbv(m, m->v.xcr0, OWN_GUEST);
			if (m->hw.apx_enum && (m->v.early_xcr0 & XF_APX)) {
				m->egpr_flag = true;
				if (!egpr_load(m, "__kvm_load_guest_apx (after XSETBV)"))
					return EXIT_FASTPATH_NONE;
			}
		}
		vmx_step(m, "__kvm_load_guest_apx");
	}
	vmx_step(m, "kvm_wait_lapic_expire");
	hw->mode = MODE_HOST_ASM;
	if (p->egpr == EG_ASM || p->egpr == EG_SAVE_LATE) {
		m->egpr_flag = egpr_flag(m);
		if (m->egpr_flag) {
			check_flag_source(m);
			if (!egpr_load(m, "__vmx_vcpu_run: load r16-r31"))
				return EXIT_FASTPATH_NONE;
		}
		vmx_step(m, "__vmx_vcpu_run: EGPR load");
	} else if (p->egpr == EG_ONCE) {
		m->egpr_flag = m->hw.apx_enum && (m->v.xcr0 & XF_APX);
	}
	vmx_step(m, "__vmx_vcpu_run: SPEC_CTRL");
	bool entered = enter_and_run(m, "VMRESUME");
	if (hw->nmi_pending && p->nmi_before_store) {
		/* §6.2/19: the host NMI handler runs before the EGPR store. */
		hw->mode = MODE_HOST_C;
		vmx_step(m, "vmx_handle_nmi (before the EGPR store)");
		hw->nmi_pending = false;
		hw->mode = MODE_HOST_ASM;
	}
	vmx_step(m, "__vmx_vcpu_run: RSB fill, SPEC_CTRL");
	if (p->egpr == EG_ASM && m->egpr_flag && !(p->vmfail_no_store && !entered)) {
		if (!egpr_save(m, "__vmx_vcpu_run: store r16-r31", !p->no_clear))
			return EXIT_FASTPATH_NONE;
		vmx_step(m, p->no_clear ? "__vmx_vcpu_run: store r16-r31" : "__vmx_vcpu_run: store+clear r16-r31");
	}
	hw->mode = MODE_HOST_C;
	vmx_step(m, "vmx_vcpu_enter_exit: vmx_handle_nmi");
	hw->nmi_pending = false;
	if (early_policy(m)) {
		/* __kvm_save_guest_apx, C code just after vmx_vcpu_enter_exit (seed 000). */
		if (p->egpr == EG_C_EARLY) {
			if (m->v.early_xcr0 != m->v.xcr0 && osxsave(m) && !p->early_leftover)
				vmx_hw_xsetbv(m, m->v.early_xcr0, OWN_GUEST);
			if (m->egpr_flag && !egpr_save(m, "__kvm_save_guest_apx", false))
				return EXIT_FASTPATH_NONE;
		} else {
			if (m->egpr_flag && !egpr_save(m, "__kvm_save_guest_apx (before XSETBV)", false))
				return EXIT_FASTPATH_NONE;
			if (m->v.early_xcr0 != m->v.xcr0 && osxsave(m))
				vmx_hw_xsetbv(m, m->v.early_xcr0, OWN_GUEST);
		}
		vmx_step(m, "__kvm_save_guest_apx");
	}
	vmx_step(m, "vmx_complete_interrupts");
	if (m->run_reason == RUN_LIMIT || !entered)
		return EXIT_FASTPATH_NONE;
	return vmx_exit_handlers_fastpath(m);
}

static fastpath_t svm_vcpu_run(vmx_m *m)
{
	vmx_hw *hw = &m->hw;
	vmx_step(m, "svm_vcpu_run: RAX/RSP/RIP to VMCB");
	hw->mode = MODE_HOST_ASM;
	vmx_step(m, "svm_vcpu_run: clgi");
	m->egpr_flag = false; /* SVM has no EGPR switch (§1.5) */
	enter_and_run(m, "VMRUN");
	hw->mode = MODE_HOST_C;
	vmx_step(m, "svm_vcpu_run: stgi");
	if (m->run_reason == RUN_LIMIT)
		return EXIT_FASTPATH_NONE;
	return svm_exit_handlers_fastpath(m);
}

/* --- fast paths (§1.3, §1.4) ------------------------------------------------------------- */

static fastpath_t handle_fastpath_wrmsr_common(vmx_m *m, uint32_t msr, uint64_t data)
{
	if (msr != MSR_X2APIC_ICR && msr != MSR_TSC_DEADLINE)
		return EXIT_FASTPATH_NONE;
	kvm_set_msr(m, msr, data);
	return kvm_skip_emulated_instruction(m) ? EXIT_FASTPATH_REENTER_GUEST : EXIT_FASTPATH_EXIT_USERSPACE;
}

static fastpath_t handle_fastpath_hlt(vmx_m *m)
{
	if (!kvm_skip_emulated_instruction(m))
		return EXIT_FASTPATH_EXIT_USERSPACE;
	if (m->v.tsc_deadline) /* the armed timer wakes the vCPU at once */
		return EXIT_FASTPATH_REENTER_GUEST;
	m->run_reason = RUN_HLT;
	return EXIT_FASTPATH_EXIT_USERSPACE;
}

static fastpath_t vmx_exit_handlers_fastpath(vmx_m *m)
{
	vmx_step(m, "vmx_exit_handlers_fastpath");
	vmx_vmcs *vm = &m->hw.vmcs;
	fastpath_t r;
	switch (vm->exit_reason) {
	case VMX_EXIT_MSR_WRITE: {
		uint64_t data = (uint32_t)m->v.regs[0] | m->v.regs[2] << 32;
		r = handle_fastpath_wrmsr_common(m, (uint32_t)m->v.regs[1], data);
		break;
	}
	case VMX_EXIT_MSR_WRITE_IMM: {
		uint32_t msr = (uint32_t)vm->exit_qual;
		if (msr != MSR_X2APIC_ICR && msr != MSR_TSC_DEADLINE) {
			r = EXIT_FASTPATH_NONE;
			break;
		}
		unsigned reg = vmx_get_msr_imm_reg(m);
		r = handle_fastpath_wrmsr_common(m, msr, kvm_gpr_read(m, reg));
		break;
	}
	case VMX_EXIT_PREEMPTION_TIMER:
		r = EXIT_FASTPATH_REENTER_GUEST;
		break;
	case VMX_EXIT_HLT:
		r = handle_fastpath_hlt(m);
		break;
	case VMX_EXIT_INVD:
		r = kvm_skip_emulated_instruction(m) ? EXIT_FASTPATH_REENTER_GUEST : EXIT_FASTPATH_EXIT_USERSPACE;
		break;
	case VMX_EXIT_XSETBV:
		if (!m->pol->xsetbv_fast) {
			r = EXIT_FASTPATH_NONE;
			break;
		}
		/* §6.2/10: __kvm_set_xcr inside the loop. */
		if (kvm_set_xcr(m, (uint32_t)m->v.regs[1], (uint32_t)m->v.regs[0] | m->v.regs[2] << 32)) {
			r = EXIT_FASTPATH_NONE;
			break;
		}
		r = kvm_skip_emulated_instruction(m) ? EXIT_FASTPATH_REENTER_GUEST : EXIT_FASTPATH_EXIT_USERSPACE;
		break;
	default:
		r = EXIT_FASTPATH_NONE;
	}
	if (r != EXIT_FASTPATH_NONE)
		m->v.fast_exits++;
	static const char *const fpn[] = {"NONE", "REENTER_GUEST", "EXIT_HANDLED", "EXIT_USERSPACE"};
	vmx_step(m, r == EXIT_FASTPATH_REENTER_GUEST ? "fastpath: REENTER_GUEST" :
		    r == EXIT_FASTPATH_NONE ? "fastpath: NONE" : "fastpath: EXIT");
	vmx_event(m, AE_VMX_EV_FASTPATH, "fast path: EXIT_FASTPATH_%s", fpn[r]);
	return r;
}

static fastpath_t svm_exit_handlers_fastpath(vmx_m *m)
{
	vmx_step(m, "svm_exit_handlers_fastpath");
	vmx_vmcs *vm = &m->hw.vmcs;
	fastpath_t r = EXIT_FASTPATH_NONE;
	if (!vm->next_rip && !m->pol->svm_fast_nonrips)
		return r;
	if (vm->exit_code == SVM_EXIT_MSR && vm->exit_info1)
		r = handle_fastpath_wrmsr_common(m, (uint32_t)m->v.regs[1],
						 (uint32_t)m->v.regs[0] | m->v.regs[2] << 32);
	else if (vm->exit_code == SVM_EXIT_HLT)
		r = handle_fastpath_hlt(m);
	else if (vm->exit_code == SVM_EXIT_INVD)
		r = kvm_skip_emulated_instruction(m) ? EXIT_FASTPATH_REENTER_GUEST : EXIT_FASTPATH_EXIT_USERSPACE;
	if (r != EXIT_FASTPATH_NONE)
		m->v.fast_exits++;
	return r;
}

/* --- the full exit handlers -------------------------------------------------------------- */

static void guest_cpuid(vmx_m *m, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	ae_xs_cpuid(&m->hw.prof, m->v.xcr0, m->v.ia32_xss, osxsave(m), leaf, sub, out);
	if (leaf == 7 && sub == 1) {
		out[3] = m->v.cpuid_7_1_edx;
		out[2] = m->v.cpuid_msr_imm ? 1u << 5 : 0;
	}
	if (leaf == 0xd && sub == 0) {
		out[0] = (uint32_t)m->v.guest_supported_xcr0;
		out[3] = (uint32_t)(m->v.guest_supported_xcr0 >> 32);
	}
	if (leaf == 0xd && sub >= 2 && sub < 32 && !((m->v.guest_supported_xcr0 >> sub) & 1))
		out[0] = out[1] = out[2] = out[3] = 0;
}

static int kvm_set_cr4(vmx_m *m, uint64_t val)
{
	if ((val & CR4_OSXSAVE) && !m->v.cpuid_xsave)
		return 1;
	m->v.cr4 = val;
	m->hw.vmcs.guest_cr4 = val;
	return 0;
}

static void inject_gp(vmx_m *m)
{
	m->v.pending_exc = AE_EXC_GP;
}

/* Common exit handling after the vendor decoded the exit into a VMX-style reason. */
static int handle_exit_common(vmx_m *m, uint32_t reason, uint64_t qual, bool wr_svm)
{
	vmx_vcpu *v = &m->v;
	switch (reason) {
	case VMX_EXIT_EXCEPTION:
		if ((m->hw.vmcs.intr_info & 0x700) == 0x200) /* host NMI: vmx_handle_nmi took it */
			return 1;
		if ((m->hw.vmcs.intr_info & 0xff) == AE_EXC_DB && m->hw.singlestep) {
			m->run_reason = RUN_DEBUG; /* KVM_EXIT_DEBUG */
			return 0;
		}
		v->pending_exc = (int)(m->hw.vmcs.intr_info & 0xff);
		return 1;
	case VMX_EXIT_FAIL_ENTRY:
		m->run_reason = RUN_FAIL_ENTRY; /* KVM_EXIT_FAIL_ENTRY */
		return 0;
	case VMX_EXIT_TRIPLE_FAULT:
		if (m->run_reason != RUN_LIMIT)
			m->run_reason = RUN_SHUTDOWN;
		return 0;
	case VMX_EXIT_CPUID: {
		uint32_t r[4];
		guest_cpuid(m, (uint32_t)v->regs[0], (uint32_t)v->regs[1], r);
		kvm_gpr_write(m, 0, r[0]);
		kvm_gpr_write(m, 3, r[1]);
		kvm_gpr_write(m, 1, r[2]);
		kvm_gpr_write(m, 2, r[3]);
		return kvm_skip_emulated_instruction(m);
	}
	case VMX_EXIT_HLT:
		return handle_fastpath_hlt(m) == EXIT_FASTPATH_EXIT_USERSPACE ? 0 : 1;
	case VMX_EXIT_INVD:
		return kvm_skip_emulated_instruction(m);
	case VMX_EXIT_PREEMPTION_TIMER:
		return 1;
	case VMX_EXIT_VMCALL:
		kvm_gpr_write(m, 0, (uint64_t)-1000); /* -KVM_ENOSYS */
		return kvm_skip_emulated_instruction(m);
	case VMX_EXIT_CR_ACCESS: {
		unsigned cr = qual & 15;
		unsigned mask = m->hw.apx_enum || m->pol->mask_1f_always ? 0x1f : 0xf;
		unsigned reg = (unsigned)(qual >> 8) & mask;
		uint64_t val = m->v.regs[reg];
		if (reg != (unsigned)m->hw.insn_reg)
			vmx_violation(m, "D2", "CR access: GPR %u from qualification %#llx, instruction names r%d",
				      reg, (unsigned long long)qual, m->hw.insn_reg);
		else
			vmx_check_gpr_read(m, reg, val, m->hw.insn_reg);
		if (cr == 4 && kvm_set_cr4(m, val)) {
			inject_gp(m);
			return 1;
		}
		return kvm_skip_emulated_instruction(m);
	}
	case VMX_EXIT_IO: {
		unsigned port = (unsigned)(qual >> 16) & 0xffff;
		bool in = (qual >> 3) & 1;
		int sk = kvm_skip_emulated_instruction(m);
		if (in) {
			kvm_gpr_write(m, 0, v->regs[0] & ~0xffffffffull);
			return sk;
		}
		uint32_t data = (uint32_t)v->regs[0];
		if (port == PORT_SERIAL) {
			if (m->nserial + 1 < sizeof m->serial)
				m->serial[m->nserial++] = (char)data;
			if (m->serial_out)
				fputc((char)data, m->serial_out);
			m->run_reason = RUN_IO;
			return 0;
		}
		if (port == PORT_EXIT) {
			m->exit_code = data;
			m->exited = true;
			m->run_reason = RUN_EXIT;
			return 0;
		}
		if (port == PORT_SYNC) {
			m->exit_code = data;
			m->run_reason = RUN_SYNC;
			return 0;
		}
		return sk;
	}
	case VMX_EXIT_MSR_READ:
	case VMX_EXIT_MSR_READ_IMM: {
		bool imm = reason == VMX_EXIT_MSR_READ_IMM;
		uint32_t msr = imm ? (uint32_t)qual : (uint32_t)v->regs[1];
		unsigned reg = imm ? vmx_get_msr_imm_reg(m) : 0;
		if (imm)
			vmx_check_gpr_read(m, reg, m->G[reg], m->hw.insn_reg); /* D1 */
		uint64_t data;
		if (kvm_get_msr(m, msr, &data) == 0) {
			if (imm)
				kvm_gpr_write(m, reg, data);
			else {
				kvm_gpr_write(m, 0, (uint32_t)data);
				kvm_gpr_write(m, 2, data >> 32);
			}
			return kvm_skip_emulated_instruction(m);
		}
		if (m->user_msr && msr == m->user_msr) { /* KVM_EXIT_X86_RDMSR */
			v->cui_rdmsr_reg = imm ? (int)reg : -1;
			v->cui_rdmsr = !imm;
			m->run_reason = RUN_MSR;
			return 0;
		}
		inject_gp(m);
		return 1;
	}
	case VMX_EXIT_MSR_WRITE:
	case VMX_EXIT_MSR_WRITE_IMM: {
		bool imm = reason == VMX_EXIT_MSR_WRITE_IMM;
		uint32_t msr = imm ? (uint32_t)qual : (uint32_t)v->regs[1];
		uint64_t data = imm ? kvm_gpr_read(m, vmx_get_msr_imm_reg(m))
				    : ((uint32_t)v->regs[0] | v->regs[2] << 32);
		(void)wr_svm;
		int r = kvm_set_msr(m, msr, data);
		if (r == 0) {
			return kvm_skip_emulated_instruction(m);
		}
		if (r < 0 && m->user_msr && msr == m->user_msr) { /* KVM_EXIT_X86_WRMSR */
			m->user_msr_value = data;
			kvm_skip_emulated_instruction(m);
			m->run_reason = RUN_MSR;
			return 0;
		}
		inject_gp(m);
		return 1;
	}
	case VMX_EXIT_XSETBV: /* kvm_emulate_xsetbv: CPL is 0 in these guests */
		if (kvm_set_xcr(m, (uint32_t)v->regs[1], (uint32_t)v->regs[0] | v->regs[2] << 32))
			inject_gp(m);
		else
			return kvm_skip_emulated_instruction(m);
		return 1;
	default:
		inject_gp(m);
		return 1;
	}
}

static int handle_exit(vmx_m *m, fastpath_t fp)
{
	vmx_step(m, "handle_exit");
	if (fp != EXIT_FASTPATH_NONE && !m->pol->fast_as_none) /* §1.3: handled in the fast path */
		return 1;
	vmx_vmcs *vm = &m->hw.vmcs;
	if (!m->hw.svm)
		return handle_exit_common(m, vm->exit_reason, vm->exit_qual, false);
	switch (vm->exit_code) {
	case SVM_EXIT_CPUID:
		return handle_exit_common(m, VMX_EXIT_CPUID, 0, false);
	case SVM_EXIT_HLT:
		return handle_exit_common(m, VMX_EXIT_HLT, 0, false);
	case SVM_EXIT_INVD:
		return handle_exit_common(m, VMX_EXIT_INVD, 0, false);
	case SVM_EXIT_VMMCALL:
		return handle_exit_common(m, VMX_EXIT_VMCALL, 0, false);
	case SVM_EXIT_XSETBV:
		return handle_exit_common(m, VMX_EXIT_XSETBV, 0, false);
	case SVM_EXIT_SHUTDOWN:
		return handle_exit_common(m, VMX_EXIT_TRIPLE_FAULT, 0, false);
	case SVM_EXIT_IOIO: {
		uint64_t i1 = vm->exit_info1;
		uint64_t q = ((i1 >> 4 & 7) - 1) | ((i1 & 1) << 3) | (i1 & 0xffff0000ull);
		return handle_exit_common(m, VMX_EXIT_IO, q, false);
	}
	case SVM_EXIT_MSR:
		return handle_exit_common(m, vm->exit_info1 ? VMX_EXIT_MSR_WRITE : VMX_EXIT_MSR_READ, 0, true);
	case SVM_EXIT_CR4_WRITE: {
		/* Decode assists: EXITINFO1[3:0] is the GPR (AMD has no EGPR field). */
		uint64_t q = 4 | (vm->exit_info1 & 0xf) << 8;
		return handle_exit_common(m, VMX_EXIT_CR_ACCESS, q, false);
	}
	default:
		if (vm->exit_code >= SVM_EXIT_EXCP_BASE && vm->exit_code < SVM_EXIT_EXCP_BASE + 32) {
			m->v.pending_exc = (int)(vm->exit_code - SVM_EXIT_EXCP_BASE);
			return 1;
		}
		inject_gp(m);
		return 1;
	}
}

/* --- vcpu_enter_guest (§1.2) --------------------------------------------------------- */

static int vcpu_enter_guest(vmx_m *m)
{
	const vmx_policy *p = m->pol;
	vmx_hw *hw = &m->hw;
	m->exit_req_pending = false; /* requests are serviced here */
	vmx_step(m, "KVM_REQ_* requests");
	if (m->v.pending_exc >= 0) {
		hw->vmcs.inject_vector = m->v.pending_exc;
		m->v.pending_exc = -1;
	}
	vmx_step(m, "kvm_check_and_inject_events");
	vmx_step(m, "prepare_switch_to_guest");
	hw->irq_on = false;
	vmx_step(m, "local_irq_disable");
	fpu_load_guest(m);
	vmx_step(m, "fpu_load_guest_fpstate");
	kvm_load_xfeatures(m, true);
	vmx_step(m, "kvm_load_xfeatures(guest)");
	if (p->egpr == EG_ONCE && m->hw.apx_enum && (m->v.xcr0 & XF_APX)) {
		hw->mode = MODE_HOST_C;
		if (!egpr_load(m, "load r16-r31 before the loop"))
			return 0;
		vmx_step(m, "load r16-r31 before the loop");
	}
	kvm_load_guest_pkru(m);
	vmx_step(m, "kvm_load_guest_pkru");
	fastpath_t fp;
	for (;;) {
		fp = hw->svm ? svm_vcpu_run(m) : vmx_vcpu_run(m);
		if (m->host_crashed)
			return 0;
		if (fp != EXIT_FASTPATH_REENTER_GUEST)
			break;
		if (m->v.exit_request) /* another thread raised a request, e.g. a kick */
			m->exit_req_pending = true;
		if (m->exit_req_pending && !p->ignore_exit_req) { /* kvm_vcpu_exit_request() */
			fp = EXIT_FASTPATH_EXIT_HANDLED;
			vmx_step(m, "fastpath loop: exit request, EXIT_HANDLED");
			break;
		}
		vmx_step(m, "fastpath loop: re-enter");
	}
	kvm_load_host_pkru(m);
	vmx_step(m, "kvm_load_host_pkru");
	if (p->irq_early) {
		hw->irq_on = true;
		vmx_step(m, "local_irq_enable (before the host XCR0)");
	}
	if ((p->egpr == EG_SAVE_LATE && m->egpr_flag) ||
	    (p->egpr == EG_ONCE && m->hw.apx_enum && (m->v.xcr0 & XF_APX))) {
		if (!egpr_save(m, "save r16-r31 after the loop", true))
			return 0;
		vmx_step(m, "save r16-r31 after the loop");
	}
	kvm_load_xfeatures(m, false);
	vmx_step(m, "kvm_load_xfeatures(host)");
	vmx_step(m, "handle_exit_irqoff");
	hw->irq_on = true;
	vmx_step(m, "local_irq_enable");
	if (fp == EXIT_FASTPATH_EXIT_USERSPACE && !p->fast_as_none)
		return 0;
	return handle_exit(m, fp);
}

/* KVM_RUN: completes a userspace MSR exit, then runs until an exit to userspace. */
vmx_run_reason vmx_kvm_run(vmx_m *m)
{
	vmx_vcpu *v = &m->v;
	if (m->run_reason == RUN_MSR) {
		if (v->cui_rdmsr_reg >= 0) { /* complete_fast_rdmsr_imm */
			kvm_gpr_write(m, (unsigned)v->cui_rdmsr_reg, m->user_msr_value);
			kvm_skip_emulated_instruction(m);
		} else if (v->cui_rdmsr) {
			kvm_gpr_write(m, 0, (uint32_t)m->user_msr_value);
			kvm_gpr_write(m, 2, m->user_msr_value >> 32);
			kvm_skip_emulated_instruction(m);
		}
		v->cui_rdmsr_reg = -1;
		v->cui_rdmsr = false;
		vmx_step(m, "complete userspace MSR exit");
	}
	m->run_reason = RUN_NONE;
	while (vcpu_enter_guest(m) > 0 && !m->host_crashed)
		;
	if (m->host_crashed)
		return m->run_reason = RUN_HOST_CRASH;
	fpu_put_guest(m);
	vmx_step(m, "kvm_put_guest_fpu (return to userspace)");
	static const char *const rn[] = {"-", "KVM_EXIT_IO", "KVM_EXIT_IO (sync)", "KVM_EXIT_IO (exit port)",
					 "KVM_EXIT_HLT", "KVM_EXIT_SHUTDOWN", "KVM_EXIT_X86_RDMSR/WRMSR",
					 "host crash", "instruction limit", "KVM_EXIT_DEBUG", "KVM_EXIT_FAIL_ENTRY"};
	vmx_event(m, AE_VMX_EV_USER, "KVM_RUN returns: %s", rn[m->run_reason]);
	return m->run_reason;
}

/* --- uAPI ------------------------------------------------------------------------------ */

uint32_t vmx_kvm_supported_7_1_edx(vmx_m *m)
{
	unsigned bit = m->pol->cpuid_bit7 ? 7 : 21;
	uint32_t edx = (m->supported_xcr0 & XF_APX) ? 1u << bit : 0;
	/* V4: APX only as 7.1.EDX[21], and only with APX in supported_xcr0. */
	if (((edx >> 21) & 1) != ((m->supported_xcr0 & XF_APX) != 0) || (edx & ~(1u << 21)))
		vmx_violation(m, "V4", "KVM_GET_SUPPORTED_CPUID 7.1.EDX=%#x with supported_xcr0=%#llx", edx,
			      (unsigned long long)m->supported_xcr0);
	return edx;
}

/* KVM_SET_CPUID2 with the supported CPUID, minus APX and/or MSR_IMM on request. */
int vmx_kvm_set_cpuid(vmx_m *m, bool apx, bool msr_imm)
{
	vmx_vcpu *v = &m->v;
	unsigned bit = m->pol->cpuid_bit7 ? 7 : 21;
	uint32_t edx = vmx_kvm_supported_7_1_edx(m);
	if (!apx)
		edx &= ~(1u << bit);
	v->cpuid_7_1_edx = edx;
	v->cpuid_apx = (edx >> bit) & 1; /* guest_cpu_cap_has(APX) through KVM's own bit */
	v->cpuid_msr_imm = msr_imm && m->hw.msr_imm;
	v->cpuid_xsave = true;
	v->cpuid_set = true;
	v->guest_supported_xcr0 = m->supported_xcr0;
	if (!v->cpuid_apx)
		v->guest_supported_xcr0 &= ~XF_APX;
	recompute_early_xcr0(m);
	vmx_step(m, "KVM_SET_CPUID2");
	return 0;
}

int vmx_kvm_set_xcrs(vmx_m *m, uint64_t xcr0, uint32_t flags)
{
	uint64_t old = m->v.xcr0;
	int rc = flags ? -EINVAL_ : kvm_set_xcr(m, 0, xcr0) ? -EINVAL_ : 0;
	if (rc && m->v.xcr0 != old)
		vmx_violation(m, "V2", "failed KVM_SET_XCRS changed xcr0 %#llx -> %#llx",
			      (unsigned long long)old, (unsigned long long)m->v.xcr0);
	vmx_step(m, "KVM_SET_XCRS");
	return rc;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static void wr64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void copy_regs_to_uabi(vmx_m *m, uint8_t *buf)
{
	memcpy(buf + 960, &m->v.regs[16], 128);
	wr64(buf + 512, rd64(buf + 512) | XF_APX);
}

int vmx_kvm_get_xsave(vmx_m *m, uint8_t *buf, size_t len)
{
	uint64_t sup = m->v.guest_supported_xcr0 | XF_FP | XF_SSE;
	m->v.fpstate.pkru = (uint32_t)m->v.pkru;
	if (m->pol->get_wrong_order && (sup & XF_APX))
		copy_regs_to_uabi(m, buf);
	if (ae_xs_kvm_get(&m->v.fpstate, &m->hw.prof, sup & ~XF_APX, buf, len) != AE_XS_OK)
		return -EINVAL_;
	if (!m->pol->get_wrong_order && (sup & XF_APX))
		copy_regs_to_uabi(m, buf);
	/* A1: the EGPRs are in the buffer, after the zero-fill. */
	bool bv = (rd64(buf + 512) & XF_APX) != 0;
	if (bv != ((sup & XF_APX) != 0) || (bv && memcmp(buf + 960, &m->v.regs[16], 128))) {
		uint64_t got = rd64(buf + 960 + 8);
		vmx_violation(m, "A1", "KVM_GET_XSAVE2: XSTATE_BV[APX]=%d, r17 at 968=%#llx, regs[17]=%#llx", bv,
			      (unsigned long long)got, (unsigned long long)m->v.regs[17]);
	}
	vmx_step(m, "KVM_GET_XSAVE2");
	return 0;
}

int vmx_kvm_set_xsave(vmx_m *m, const uint8_t *buf, size_t len)
{
	vmx_vcpu *v = &m->v;
	uint64_t regs_before[16];
	memcpy(regs_before, &v->regs[16], sizeof regs_before);
	uint64_t pkru_before = v->pkru;
	uint32_t mx_before = v->fpstate.mxcsr;
	uint64_t bv = rd64(buf + 512);
	int rc = 0;
	if ((bv & XF_APX) && !(m->supported_xcr0 & XF_APX)) {
		rc = -EINVAL_;
	} else {
		if (m->pol->set_partial && (bv & XF_APX)) /* v4 as posted: regs first */
			memcpy(&v->regs[16], buf + 960, 128);
		uint8_t tmp[AE_XS_KVM_MIN];
		size_t n = len < sizeof tmp ? len : sizeof tmp;
		memcpy(tmp, buf, n);
		wr64(tmp + 512, m->pol->set_apx_kept ? bv : bv & ~XF_APX);
		ae_xstate st = v->fpstate;
		ae_xs_fault f;
		if (ae_xs_kvm_set(&st, &m->hw.prof, m->supported_xcr0 & ~XF_APX, tmp, n, &f) != AE_XS_OK) {
			rc = -EINVAL_;
		} else {
			v->fpstate = st;
			if (bv & XF_PKRU)
				v->pkru = st.pkru;
			if (bv & XF_APX)
				for (unsigned r = 16; r < 32; r++)
					kvm_gpr_write(m, r, rd64(buf + 960 + (r - 16) * 8));
		}
	}
	/* A5: a buffer with XSTATE_BV within KVM's supported set, XCOMP_BV 0, a clear reserved
	 * header and a valid MXCSR is accepted, whatever the guest CPUID. */
	bool hdr_ok = !(bv & ~m->supported_xcr0) && !rd64(buf + 520);
	for (unsigned o = 528; o < 576; o += 8)
		hdr_ok = hdr_ok && !rd64(buf + o);
	uint32_t mx;
	memcpy(&mx, buf + 24, 4);
	if (rc && hdr_ok && !(mx & 0xffff0000u))
		vmx_violation(m, "A5", "KVM_SET_XSAVE rejected a valid buffer (XSTATE_BV=%#llx, supported %#llx)",
			      (unsigned long long)bv, (unsigned long long)m->supported_xcr0);
	if (rc) {
		/* A2/A4: a failed SET changes nothing. */
		if (memcmp(regs_before, &v->regs[16], sizeof regs_before) || v->pkru != pkru_before ||
		    v->fpstate.mxcsr != mx_before)
			vmx_violation(m, "A4", "KVM_SET_XSAVE returned -EINVAL but changed state: regs[16] %#llx -> %#llx",
				      (unsigned long long)regs_before[0], (unsigned long long)v->regs[16]);
	}
	vmx_step(m, "KVM_SET_XSAVE");
	return rc;
}

/* Seed 004: userspace access to an XSAVE-managed MSR goes through the guest FPU. */
int vmx_kvm_get_msr(vmx_m *m, uint32_t idx, uint64_t *val)
{
	if (idx == MSR_U_CET) {
		bool load = !m->pol->msrs_no_fpu;
		if (load)
			fpu_load_guest(m);
		*val = m->hw.u_cet;
		if (load)
			fpu_put_guest(m);
		if (*val != m->v.fpstate.cet_u[0])
			vmx_violation(m, "U1", "KVM_GET_MSRS(U_CET)=%#llx, guest value %#llx",
				      (unsigned long long)*val, (unsigned long long)m->v.fpstate.cet_u[0]);
		vmx_step(m, "KVM_GET_MSRS");
		return 0;
	}
	int r = kvm_get_msr(m, idx, val);
	vmx_step(m, "KVM_GET_MSRS");
	return r ? -EINVAL_ : 0;
}

int vmx_kvm_set_msr(vmx_m *m, uint32_t idx, uint64_t val)
{
	if (idx == MSR_U_CET) {
		bool load = !m->pol->msrs_no_fpu;
		if (load)
			fpu_load_guest(m);
		m->hw.u_cet = val;
		if (load)
			fpu_put_guest(m);
		if (m->v.fpstate.cet_u[0] != val || m->hw.u_cet != m->host_u_cet)
			vmx_violation(m, "U1", "KVM_SET_MSRS(U_CET=%#llx): guest copy %#llx, hardware %#llx (host %#llx)",
				      (unsigned long long)val, (unsigned long long)m->v.fpstate.cet_u[0],
				      (unsigned long long)m->hw.u_cet, (unsigned long long)m->host_u_cet);
		vmx_step(m, "KVM_SET_MSRS");
		return 0;
	}
	int r = kvm_set_msr(m, idx, val);
	vmx_step(m, "KVM_SET_MSRS");
	return r ? -EINVAL_ : 0;
}
