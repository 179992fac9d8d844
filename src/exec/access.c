/* Accessors declared in apxemu/exec_access.h. */
#include <string.h>

#include "ae_gen.h"
#include "apxemu/exec_access.h"
#include "exec_internal.h"

void ae_cpu_get_xmm(const ae_cpu *cpu, unsigned i, uint8_t out[16])
{
	memcpy(out, cpu->vec[i & 31], 16);
}

void ae_cpu_set_xmm(ae_cpu *cpu, unsigned i, const uint8_t in[16])
{
	memcpy(cpu->vec[i & 31], in, 16);
}

uint32_t ae_cpu_mxcsr(const ae_cpu *cpu)
{
	return cpu->mxcsr;
}

void ae_cpu_set_mxcsr(ae_cpu *cpu, uint32_t mxcsr)
{
	cpu->mxcsr = mxcsr;
}

static bool in_table(const exec_handler_def *defs, const char *name)
{
	for (const exec_handler_def *d = defs; d->name; d++)
		if (!strcmp(d->name, name))
			return true;
	return false;
}

/* Mirrors the binding rule of cpu.c: vector handlers serve legacy-encoded forms only. */
bool ae_form_implemented(unsigned form)
{
	if (form >= DEC_NFORMS)
		return false;
	const char *name = dec_handler_names[dec_forms[form].handler];
	if (in_table(exec_int_handlers, name) || in_table(exec_misc_handlers, name))
		return true;
	return dec_forms[form].enc == 0 && in_table(exec_sse_handlers, name);
}

bool ae_cpu_form_enabled(const ae_cpu *cpu, unsigned form)
{
	return form < DEC_NFORMS && ae_decode_ctx_has_feature(&cpu->dctx, ae_form_feature(form));
}
