/* The invariant checker (kvm-apx-model.md §6.1). vmx_step() runs after every modelled
 * micro-step and evaluates the state invariants (E1, X2, V3, A7); the event invariants are
 * checked where the event happens: E2/D1/D2 when a handler reads a GPR, E3/E4/E6/X1/F3 just
 * before VMRESUME, X5 on every host access to r16+, A1/A2/A4 in the XSAVE ioctls, V1/V2 in
 * __kvm_set_xcr and KVM_SET_XCRS, V4 in KVM_GET_SUPPORTED_CPUID.
 */
#include <stdarg.h>
#include <string.h>

#include "vmx_internal.h"

static const char *own(uint8_t t)
{
	return t == OWN_GUEST ? "guest" : t == OWN_HOST ? "host" : "zero";
}

static const char *mode_name(vmx_mode md)
{
	return md == MODE_GUEST ? "guest" : md == MODE_HOST_ASM ? "host-asm" : "host-c";
}

unsigned vmx_guest_egprs(vmx_m *m)
{
	unsigned g = 0;
	for (unsigned r = 16; r < 32; r++)
		g += m->hw.tag[r] == OWN_GUEST;
	return g;
}

void vmx_event(vmx_m *m, int kind, const char *fmt, ...)
{
	if (!m->event)
		return;
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	ae_vmx_event ev = {.kind = (ae_vmx_event_kind)kind,
			   .step = m->nsteps,
			   .xcr0 = vmx_hw_xcr0(m),
			   .xcr0_owner = own(m->hw.xcr0_tag),
			   .guest_egprs = vmx_guest_egprs(m),
			   .mode = mode_name(m->hw.mode),
			   .text = text};
	m->event(m->event_opaque, &ev);
}

void vmx_trace(vmx_m *m, const char *fmt, ...)
{
	if (!m->trace)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(m->trace, "  [%u] ", m->nsteps);
	vfprintf(m->trace, fmt, ap);
	fputc('\n', m->trace);
	va_end(ap);
}

void vmx_violation(vmx_m *m, const char *inv, const char *fmt, ...)
{
	ae_vmx_report *r = m->rep;
	for (size_t i = 0; i < r->nviol; i++)
		if (!strcmp(r->viol[i].inv, inv)) {
			r->viol[i].count++;
			return;
		}
	if (r->nviol == AE_VMX_MAX_VIOL)
		return;
	ae_vmx_violation *v = &r->viol[r->nviol++];
	snprintf(v->inv, sizeof v->inv, "%s", inv);
	snprintf(v->step, sizeof v->step, "%u:%s", m->nsteps, m->step ? m->step : "-");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->text, sizeof v->text, fmt, ap);
	va_end(ap);
	v->count = 1;
	vmx_trace(m, "VIOLATION %s: %s", inv, v->text);
	vmx_event(m, AE_VMX_EV_VIOLATION, "%s at %s: %s", inv, v->step, v->text);
}


void vmx_step(vmx_m *m, const char *step)
{
	vmx_hw *hw = &m->hw;
	m->step = step;
	m->nsteps++;
	if (m->trace)
		vmx_trace(m, "%-34s mode=%s xcr0=%#llx(%s) r16-31 guest-owned=%u IF=%d", step,
			  mode_name(hw->mode), (unsigned long long)vmx_hw_xcr0(m), own(hw->xcr0_tag),
			  vmx_guest_egprs(m), hw->irq_on);
	/* E1: no guest EGPR value is live while host C code runs. */
	if (hw->mode == MODE_HOST_C)
		for (unsigned r = 16; r < 32; r++)
			if (hw->tag[r] == OWN_GUEST) {
				vmx_violation(m, "E1", "host C code runs with guest r%u=%#llx live", r,
					      (unsigned long long)ae_cpu_get(hw->cpu, r));
				break;
			}
	if (hw->irq_on)
		vmx_check_irq_on(m);
	/* V3: SVM never offers APX or MSR_IMM. */
	if (hw->svm && ((m->supported_xcr0 & XF_APX) || (m->v.xcr0 & XF_APX) || m->v.cpuid_apx ||
			m->v.cpuid_msr_imm))
		vmx_violation(m, "V3", "SVM: supported_xcr0=%#llx xcr0=%#llx cpuid apx=%d msr_imm=%d",
			      (unsigned long long)m->supported_xcr0, (unsigned long long)m->v.xcr0,
			      m->v.cpuid_apx, m->v.cpuid_msr_imm);
	/* A7 (with V1): MPX and APX never share bytes 960-1087. */
	if ((m->v.xcr0 & XF_APX) && (m->v.xcr0 & XF_MPX))
		vmx_violation(m, "A7", "xcr0=%#llx enables MPX and APX together",
			      (unsigned long long)m->v.xcr0);
}

/* X2 and X6: with IRQs on, only host XCR0/XSS/PKRU are loaded. */
void vmx_check_irq_on(vmx_m *m)
{
	vmx_hw *hw = &m->hw;
	if (vmx_hw_xcr0(m) != m->host_xcr0 || hw->xss != m->host_xss)
		vmx_violation(m, "X2", "IRQs on with xcr0=%#llx xss=%#llx (host %#llx/%#llx)",
			      (unsigned long long)vmx_hw_xcr0(m), (unsigned long long)hw->xss,
			      (unsigned long long)m->host_xcr0, (unsigned long long)m->host_xss);
	if (hw->pkru != m->host_pkru)
		vmx_violation(m, "X6", "IRQs on with pkru=%#llx (host %#llx)",
			      (unsigned long long)hw->pkru, (unsigned long long)m->host_pkru);
}

void vmx_check_gpr_read(vmx_m *m, unsigned reg, uint64_t val, int true_reg)
{
	if (true_reg >= 0 && (unsigned)true_reg != reg) {
		vmx_violation(m, "D1", "handler got reg %u, the instruction names r%d (exit %u)", reg,
			      true_reg, m->hw.vmcs.exit_reason);
		return;
	}
	if (val != m->G[reg])
		vmx_violation(m, "E2", "kvm_gpr_read(r%u)=%#llx, guest value at exit %#llx", reg,
			      (unsigned long long)val, (unsigned long long)m->G[reg]);
}

/* Just before VMRESUME. */
void vmx_check_entry(vmx_m *m)
{
	vmx_hw *hw = &m->hw;
	bool osx = (m->v.cr4 >> 18) & 1;
	uint64_t x = vmx_hw_xcr0(m);
	if (!hw->svm) {
		uint64_t want = osx ? m->v.xcr0 : m->host_xcr0;
		if (x != want)
			vmx_violation(m, "X1", "guest entered with xcr0=%#llx, expected %#llx", (unsigned long long)x,
				      (unsigned long long)want);
	}
	bool can = vmx_guest_can_egpr(m);
	if (hw->apx_enum && !hw->svm && can && !m->egpr_flag)
		vmx_violation(m, "E4", "guest can access r16-r31 (xcr0=%#llx) but the switch flag is clear",
			      (unsigned long long)x);
	for (unsigned r = 0; r < 32; r++) {
		if (r >= 16 && !can)
			break;
		uint64_t h = ae_cpu_get(hw->cpu, r);
		if (h != m->G[r]) {
			bool kw = (m->g_written >> r) & 1;
			vmx_violation(m, kw ? "E6" : "E3", "entry: r%u=%#llx (%s), guest value %#llx%s", r,
				      (unsigned long long)h, own(hw->tag[r]), (unsigned long long)m->G[r],
				      kw ? " written by KVM/userspace" : "");
			break;
		}
	}
	if (m->exit_req_pending)
		vmx_violation(m, "F2", "fast-path loop re-entered the guest with an exit request pending");
	if (m->v.skips > 1)
		vmx_violation(m, "F3", "RIP advanced %u times for one exit", m->v.skips);
	/* X4: early_xcr0 follows the guest XCR0 (the early-xcr0 designs only). */
	if (m->pol->egpr == EG_C_EARLY || m->pol->egpr == EG_XCR0_FIRST) {
		uint64_t want = m->v.xcr0 | (m->v.cpuid_apx ? m->host_xcr0 & XF_APX : 0);
		if (m->v.early_xcr0 != want)
			vmx_violation(m, "X4", "entry: early_xcr0=%#llx, xcr0=%#llx needs %#llx",
				      (unsigned long long)m->v.early_xcr0, (unsigned long long)m->v.xcr0,
				      (unsigned long long)want);
	}
	vmx_event(m, AE_VMX_EV_ENTRY, "entry at rip %#llx, guest xcr0 %#llx, EGPR switch %s",
		  (unsigned long long)m->v.rip, (unsigned long long)m->v.xcr0, m->egpr_flag ? "on" : "off");
}
