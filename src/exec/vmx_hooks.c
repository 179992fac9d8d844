/* The executor's VM-exit intercept and CPL0 mode (include/apxemu/exec_vmx.h).
 *
 * The run loop calls exec_vmx_before() before every instruction of a CPU with an attached
 * intercept. It returns the handler to run, or NULL to stop before the instruction. At CPL0
 * the forms that user mode turns into #GP (HLT, CLI, STI) get their privileged meaning here,
 * so the family files keep their user-mode handlers unchanged.
 */
#include <stdlib.h>

#include "ae_gen.h"
#include "apxemu/exec_vmx.h"
#include "exec_internal.h"

struct exec_vmx {
	ae_vmx_intercept_fn fn;
	void *opaque;
	ae_insn insn; /* the instruction the last stop was before */
	bool osxsave;
};

static uint16_t h_cli = 0xffff, h_sti = 0xffff, h_hlt = 0xffff;

static void vmx_cli(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	cpu->rflags &= ~(uint64_t)FL_IF;
}

static void vmx_sti(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	cpu->rflags |= FL_IF;
}

/* HLT without an intercept: the CPU halts after the instruction (SDM Vol. 2, HLT). */
static void vmx_hlt(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	cpu->exit = AE_EXIT_HLT;
	cpu->stop = true;
}

static void find_handlers(void)
{
	if (h_cli != 0xffff)
		return;
	for (unsigned h = 0; h < DEC_NHANDLERS; h++) {
		const char *n = dec_handler_names[h];
		if (!strcmp(n, "cli"))
			h_cli = (uint16_t)h;
		else if (!strcmp(n, "sti"))
			h_sti = (uint16_t)h;
		else if (!strcmp(n, "hlt"))
			h_hlt = (uint16_t)h;
	}
}

exec_fn exec_vmx_before(ae_cpu *cpu, const ae_insn *in, exec_fn fn)
{
	struct exec_vmx *v = cpu->vmx;
	const dec_form *f = &dec_forms[in->form];
	if (v->fn && v->fn(v->opaque, cpu, in, f->exit)) {
		v->insn = *in;
		cpu->exit = AE_EXIT_VMEXIT;
		return NULL;
	}
	if (f->handler == h_cli)
		return vmx_cli;
	if (f->handler == h_sti)
		return vmx_sti;
	if (f->handler == h_hlt)
		return vmx_hlt;
	return fn;
}

int ae_cpu_vmx_attach(ae_cpu *cpu, ae_vmx_intercept_fn fn, void *opaque)
{
	find_handlers();
	if (!cpu->vmx) {
		cpu->vmx = calloc(1, sizeof *cpu->vmx);
		if (!cpu->vmx)
			return -1;
		cpu->vmx->osxsave = true;
	}
	cpu->vmx->fn = fn;
	cpu->vmx->opaque = opaque;
	return 0;
}

void ae_cpu_vmx_detach(ae_cpu *cpu)
{
	free(cpu->vmx);
	cpu->vmx = NULL;
}

const ae_insn *ae_cpu_vmx_insn(const ae_cpu *cpu)
{
	return cpu->vmx ? &cpu->vmx->insn : NULL;
}

void ae_cpu_vmx_set_xcr0(ae_cpu *cpu, uint64_t xcr0, bool osxsave)
{
	bool apx_was = cpu->dctx.apx;
	cpu->xcr0 = xcr0;
	if (cpu->vmx)
		cpu->vmx->osxsave = osxsave;
	cpu->dctx.apx = osxsave && (xcr0 >> 19 & 1) && ae_decode_ctx_has_feature(&cpu->dctx, AE_FEAT_APX_F);
	if (cpu->dctx.apx != apx_was)
		cpu->dgen++; /* cached decodes depend on whether APX is enabled */
}

bool ae_cpu_vmx_if(ae_cpu *cpu)
{
	return (cpu->rflags & FL_IF) != 0;
}

unsigned ae_insn_exit_class(const ae_insn *in)
{
	return in->form < DEC_NFORMS ? dec_forms[in->form].exit : 0;
}

const char *ae_exit_class_name(unsigned exit_class)
{
	return exit_class < DX__COUNT ? dec_exit_names[exit_class] : "?";
}
