/* The policies: how KVM switches r16-r31 around VM entry and exit, and the deliberately
 * broken variants of kvm-apx-model.md §6.2 (the scenario number is in each summary). The
 * reference, v4-asm, follows §5.1 patch 5 with one deliberate difference: KVM_SET_XSAVE
 * validates the whole buffer before it writes the EGPRs (A4), which the posted v4 does not
 * (modelled by set-xsave-partial-update).
 */
#include <string.h>

#include "vmx_internal.h"

static const vmx_policy policies[] = {
	{.name = "v4-asm", .what = "reference: EGPR load/store/clear in the entry/exit asm, flag from the guest XCR0 (v4 patch 5)", .egpr = EG_ASM},
	{.name = "early-xcr0", .what = "seed 000 sketch: early_xcr0 keeps APX on; C helpers load/save r16-r31 around vmx_vcpu_enter_exit (no clear)", .egpr = EG_C_EARLY},
	{.name = "none", .what = "KVM without EGPR switching", .egpr = EG_NONE},
	{.name = "save-after-fastpath", .what = "§6.2/1: EGPRs saved at kvm_load_xfeatures(false), after the fast-path loop", .egpr = EG_SAVE_LATE},
	{.name = "load-once-save-once", .what = "§6.2/2: EGPRs loaded before the fast-path loop and saved after it", .egpr = EG_ONCE},
	{.name = "xcr0-before-egpr", .what = "§6.2/4: the guest XCR0 is loaded first, then r16+ is touched by a stale copy of early_xcr0", .egpr = EG_XCR0_FIRST},
	{.name = "unconditional-stub", .what = "§6.2/5: EGPR store in the exit stub whenever the host has APX", .egpr = EG_ASM, .flag_always = true},
	{.name = "no-clear", .what = "§6.2/6: EGPRs stored but not cleared", .egpr = EG_ASM, .no_clear = true},
	{.name = "flag-from-cpuid", .what = "§6.2/7: switch flag from guest CPUID instead of the guest XCR0", .egpr = EG_ASM, .flag_cpuid = true},
	{.name = "irq-with-guest-xcr0", .what = "§6.2/11: IRQs enabled before the host XCR0 is restored", .egpr = EG_ASM, .irq_early = true},
	{.name = "4-bit-decode", .what = "§6.2/12: MSR_IMM register from legacy insn-info bits 6:3 on APX hardware", .egpr = EG_ASM, .decode_4bit = true},
	{.name = "mask-0x1f-pre-APX", .what = "§6.2/13: exit-qualification GPR masked with 0x1f on pre-APX hardware", .egpr = EG_ASM, .mask_1f_always = true},
	{.name = "get-xsave-wrong-order", .what = "§6.2/14: KVM_GET_XSAVE2 copies EGPRs before the fpstate copy zero-fills", .egpr = EG_ASM, .get_wrong_order = true},
	{.name = "set-xsave-partial-update", .what = "§6.2/15: KVM_SET_XSAVE writes EGPRs before validating (v4 as posted)", .egpr = EG_ASM, .set_partial = true},
	{.name = "mpx-apx-accepted", .what = "§6.2/17: XCR0 with MPX and APX accepted", .egpr = EG_ASM, .mpx_apx = true},
	{.name = "svm-accepts-apx", .what = "§6.2/18: SVM keeps APX in supported_xcr0 and CPUID", .egpr = EG_ASM, .svm_apx = true},
	{.name = "bit7-cpuid", .what = "§5.2: APX advertised as CPUID.7.1.EDX[7] (the sketch's bit) instead of [21]", .egpr = EG_ASM, .cpuid_bit7 = true},
	{.name = "msrs-no-fpu-load", .what = "seed 004: KVM_GET/SET_MSRS of an XSAVE-managed MSR without loading the guest FPU", .egpr = EG_ASM, .msrs_no_fpu = true},
	{.name = "stale-early-xcr0", .what = "§6.2/8: the early-xcr0 sketch with early_xcr0 recomputed only by KVM_SET_CPUID2", .egpr = EG_C_EARLY, .early_stale = true},
	{.name = "leftover-apx", .what = "§6.2/9: the early-xcr0 sketch never loads the real XCR0, APX stays on in the guest", .egpr = EG_C_EARLY, .early_leftover = true},
	{.name = "xsetbv-in-fastpath", .what = "§6.2/10: XSETBV handled in the fast-path loop (xcr0 changes between the XCR0 load and restore)", .egpr = EG_ASM, .xsetbv_fast = true},
	{.name = "set-xsave-apx-kept", .what = "§6.2/16: KVM_SET_XSAVE passes XSTATE_BV[APX] on to the fpstate copy", .egpr = EG_ASM, .set_apx_kept = true},
	{.name = "nmi-before-egpr-save", .what = "§6.2/19: vmx_handle_nmi runs before r16-r31 are stored and cleared", .egpr = EG_ASM, .nmi_before_store = true},
	{.name = "vmfail-no-egpr-store", .what = "§6.2/20: the VM-Fail path skips the EGPR store and clear", .egpr = EG_ASM, .vmfail_no_store = true},
	{.name = "svm-fastpath-no-nrips", .what = "§6.2/21: the SVM fast path runs without NRIPS (next_rip 0)", .egpr = EG_ASM, .svm_fast_nonrips = true},
	{.name = "reenter-despite-request", .what = "§1.2/F2: the fast-path loop re-enters although kvm_vcpu_exit_request() is true", .egpr = EG_ASM, .ignore_exit_req = true},
	{.name = "fastpath-result-ignored", .what = "§1.3/F2: handle_exit runs the full handler after EXIT_HANDLED/EXIT_USERSPACE", .egpr = EG_ASM, .fast_as_none = true},
};
enum { NPOL = sizeof policies / sizeof policies[0] };

static const char *names[NPOL + 1];

const vmx_policy *vmx_policy_find(const char *name)
{
	for (size_t i = 0; i < NPOL; i++)
		if (!strcmp(policies[i].name, name))
			return &policies[i];
	return NULL;
}

const vmx_policy *vmx_policy_at(size_t i)
{
	return i < NPOL ? &policies[i] : NULL;
}

const char *const *ae_vmx_policies(void)
{
	for (size_t i = 0; i < NPOL; i++)
		names[i] = policies[i].name;
	names[NPOL] = NULL;
	return names;
}

const char *ae_vmx_policy_summary(const char *name)
{
	const vmx_policy *p = vmx_policy_find(name);
	return p ? p->what : NULL;
}
