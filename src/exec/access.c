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

void ae_cpu_get_ymmh(const ae_cpu *cpu, unsigned i, uint8_t out[16])
{
	memcpy(out, cpu->vec[i & 31] + 16, 16);
}

void ae_cpu_set_ymmh(ae_cpu *cpu, unsigned i, const uint8_t in[16])
{
	memcpy(cpu->vec[i & 31] + 16, in, 16);
}

void ae_cpu_get_x87(const ae_cpu *cpu, ae_x87_state *x)
{
	x->fcw = cpu->fcw;
	x->fsw = cpu->fsw;
	x->ftw = cpu->ftw;
	for (unsigned i = 0; i < 8; i++)
		memcpy(x->st[i], cpu->st[i], 10);
}

void ae_cpu_set_x87(ae_cpu *cpu, const ae_x87_state *x)
{
	cpu->fcw = x->fcw;
	cpu->fsw = x->fsw;
	cpu->ftw = x->ftw;
	for (unsigned i = 0; i < 8; i++)
		memcpy(cpu->st[i], x->st[i], 10);
}

static bool in_table(const exec_handler_def *defs, const char *name)
{
	for (const exec_handler_def *d = defs; d->name; d++)
		if (!strcmp(d->name, name))
			return true;
	return false;
}

/* Mirrors the binding rule of cpu.c (init_dispatch): the GPR, XSAVE and x87 tables serve
 * every encoding; h_sse.c and the vector engine's integer/FP/SSE4 tables serve legacy forms;
 * the vector engine's tables and h_avx.c serve VEX forms. */
bool ae_form_implemented(unsigned form)
{
	if (form >= DEC_NFORMS)
		return false;
	const char *name = dec_handler_names[dec_forms[form].handler];
	static const exec_handler_def *const any[] = {exec_int_handlers, exec_misc_handlers,
						      exec_xsave_handlers, exec_x87_handlers};
	static const exec_handler_def *const vec[] = {exec_vint_handlers, exec_vfp_handlers,
						      exec_sse4_handlers};
	for (unsigned i = 0; i < sizeof any / sizeof any[0]; i++)
		if (in_table(any[i], name))
			return true;
	unsigned enc = dec_forms[form].enc;
	if (enc == 0 && in_table(exec_sse_handlers, name))
		return true;
	if (enc == 1 && in_table(exec_avx_handlers, name))
		return true;
	if (enc <= 1)
		for (unsigned i = 0; i < sizeof vec / sizeof vec[0]; i++)
			if (in_table(vec[i], name))
				return true;
	return false;
}

bool ae_cpu_form_enabled(const ae_cpu *cpu, unsigned form)
{
	return form < DEC_NFORMS && ae_decode_ctx_has_feature(&cpu->dctx, ae_form_feature(form));
}
