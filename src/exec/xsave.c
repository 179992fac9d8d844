/* XSAVE, XRSTOR, XSAVEOPT, XSAVEC, FXSAVE and FXRSTOR on the executor, through the XSTATE
 * engine (src/xstate): the CPU's registers are exported into an ae_xstate, the engine runs
 * the instruction on guest memory (it probes its whole footprint first, so a #PF changes
 * nothing), and a restore imports the result. The Linux runner uses the same bridge for the
 * XSAVE image of a signal frame.
 *
 * The executor keeps no XINUSE of its own. The exported XINUSE has x87 and SSE set, AVX set
 * when an upper YMM half is non-zero, and APX always set when XCR0 enables it: XINUSE may be
 * 1 for a component in its initial configuration (SDM 13.6), and a saved APX area then always
 * reads back what a handler writes into it. */
#include <stdlib.h>
#include <string.h>

#include "apxemu/xstate.h"
#include "exec_internal.h"

static void xs_env(const ae_cpu *cpu, ae_xs_env *env)
{
	(void)cpu;
	memset(env, 0, sizeof *env);
	env->cpu = ae_xs_profile_find("apx");
	env->cpl = 3;
	env->osxsave = true;
	env->mode64 = true;
}

void exec_xs_export(const ae_cpu *cpu, ae_xstate *st)
{
	ae_xs_reset(st);
	st->xcr0 = cpu->xcr0;
	st->fcw = cpu->fcw;
	st->fsw = cpu->fsw;
	st->ftw = cpu->ftw;
	for (unsigned i = 0; i < 8; i++)
		memcpy(st->st[i], cpu->st[i], 10);
	st->mxcsr = cpu->mxcsr;
	memcpy(st->zmm, cpu->vec, sizeof st->zmm);
	memcpy(st->egpr, &cpu->gpr[16], sizeof st->egpr);
	uint64_t inuse = 3;
	for (unsigned r = 0; r < 16 && !(inuse & 4); r++)
		for (unsigned b = 16; b < 32; b++)
			if (cpu->vec[r][b]) {
				inuse |= 4;
				break;
			}
	inuse |= (uint64_t)1 << AE_XS_APX;
	st->xinuse = inuse & (cpu->xcr0 | 3);
}

void exec_xs_import(ae_cpu *cpu, const ae_xstate *st)
{
	cpu->fcw = st->fcw;
	cpu->fsw = st->fsw;
	cpu->ftw = st->ftw;
	for (unsigned i = 0; i < 8; i++) {
		memset(cpu->st[i], 0, sizeof cpu->st[i]);
		memcpy(cpu->st[i], st->st[i], 10);
	}
	cpu->mxcsr = st->mxcsr;
	memcpy(cpu->vec, st->zmm, sizeof st->zmm);
	memcpy(&cpu->gpr[16], st->egpr, sizeof st->egpr);
}

/* --- guest memory for the engine ----------------------------------------------------------- */

static int xs_check(ae_cpu *cpu, uint64_t addr, size_t len, unsigned prot, uint64_t *pf_addr,
		    uint32_t *pf_error)
{
	if (!len)
		return 0;
	uint64_t a = addr, end = addr + len;
	while (a < end) {
		exec_page *p = exec_page_get(cpu, a, false);
		if (!p || !(p->prot & prot) || !exec_page_mem(p)) {
			*pf_addr = a;
			*pf_error = AE_PF_USER | (p && p->prot ? AE_PF_PRESENT : 0) |
				    (prot == AE_PROT_W ? AE_PF_WRITE : 0);
			return -1;
		}
		a = (a & PAGE_MASK) + PAGE_SIZE;
	}
	return 0;
}

static int xs_read(void *opaque, uint64_t addr, void *buf, size_t len, uint64_t *pf_addr,
		   uint32_t *pf_error)
{
	ae_cpu *cpu = opaque;
	if (xs_check(cpu, addr, len, AE_PROT_R, pf_addr, pf_error))
		return -1;
	return ae_mem_read(cpu, addr, buf, len, AE_PROT_R);
}

static int xs_write(void *opaque, uint64_t addr, const void *buf, size_t len, uint64_t *pf_addr,
		    uint32_t *pf_error)
{
	ae_cpu *cpu = opaque;
	if (xs_check(cpu, addr, len, AE_PROT_W, pf_addr, pf_error))
		return -1;
	return ae_mem_write(cpu, addr, buf, len, AE_PROT_W);
}

static int xs_probe(void *opaque, uint64_t addr, size_t len, bool write, uint64_t *pf_addr,
		    uint32_t *pf_error)
{
	return xs_check(opaque, addr, len, write ? AE_PROT_W : AE_PROT_R, pf_addr, pf_error);
}

int exec_xs_op(ae_cpu *cpu, unsigned op, uint64_t addr, uint64_t rfbm, bool rexw,
	       ae_xs_fault *f)
{
	ae_xstate *st = malloc(sizeof *st);
	if (!st) {
		f->result = AE_XS_PF;
		f->addr = addr;
		f->error = AE_PF_USER;
		return AE_XS_PF;
	}
	exec_xs_export(cpu, st);
	ae_xs_env env;
	xs_env(cpu, &env);
	ae_xs_mem mem = {cpu, xs_read, xs_write, xs_probe};
	memset(f, 0, sizeof *f);
	ae_xs_result r = ae_xs_exec(st, &env, (ae_xs_op)op, &mem, addr, rfbm, rexw, f);
	if (r == AE_XS_OK && (op == AE_XS_XRSTOR || op == AE_XS_FXRSTOR))
		exec_xs_import(cpu, st);
	free(st);
	return (int)r;
}

/* --- handlers ------------------------------------------------------------------------------- */

static void xs_insn(ae_cpu *cpu, const ae_insn *in, ae_xs_op op)
{
	uint64_t addr = exec_ea(cpu, in);
	uint64_t rfbm = (cpu->gpr[2] << 32) | (uint32_t)cpu->gpr[0];
	bool rexw = strstr(ae_form_mnemonic(in->form), "64") != NULL;
	ae_xs_fault f;
	int r = exec_xs_op(cpu, op, addr, rfbm, rexw, &f);
	if (r == AE_XS_PF)
		exec_raise(cpu, AE_EXC_PF, f.error, f.addr);
	if (r != AE_XS_OK)
		exec_raise(cpu, (unsigned)r, 0, 0);
}

static void h_xsave(ae_cpu *cpu, const ae_insn *in)
{
	xs_insn(cpu, in, AE_XS_XSAVE);
}

static void h_xsaveopt(ae_cpu *cpu, const ae_insn *in)
{
	xs_insn(cpu, in, AE_XS_XSAVEOPT);
}

static void h_xsavec(ae_cpu *cpu, const ae_insn *in)
{
	xs_insn(cpu, in, AE_XS_XSAVEC);
}

static void h_xrstor(ae_cpu *cpu, const ae_insn *in)
{
	xs_insn(cpu, in, AE_XS_XRSTOR);
}

static void h_fxsave(ae_cpu *cpu, const ae_insn *in)
{
	xs_insn(cpu, in, AE_XS_FXSAVE);
}

static void h_fxrstor(ae_cpu *cpu, const ae_insn *in)
{
	xs_insn(cpu, in, AE_XS_FXRSTOR);
}

const exec_handler_def exec_xsave_handlers[] = {
	{"xsave", h_xsave},	{"xsaveopt", h_xsaveopt}, {"xsavec", h_xsavec},
	{"xrstor", h_xrstor},	{"fxsave", h_fxsave},	  {"fxrstor", h_fxrstor},
	{NULL, NULL},
};
