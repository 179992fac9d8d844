/* The executor's XSAVE state: the bridge between the CPU's registers and the XSTATE engine
 * (src/xstate), and the instructions that go through it: XSAVE, XSAVEOPT, XSAVEC, XSAVES,
 * XRSTOR, XRSTORS, FXSAVE, FXRSTOR (and their REX.W forms), XGETBV and XSETBV.
 *
 * The registers live in struct ae_cpu (x87 words and registers, MXCSR, vec[] for XMM/YMM,
 * gpr[16..31] for r16-r31); the handlers write them directly. The bridge keeps one ae_xstate
 * per CPU (cpu->xs) holding what the engine needs across instructions: XINUSE, XMODIFIED,
 * XRSTOR_INFO, the x87 pointers, and a copy of the register values as of the last time the
 * engine saw them. Before every engine instruction the bridge synchronizes (exec_xs_sync):
 * a component whose registers differ from that copy was written since, so it joins XINUSE
 * and XMODIFIED (ae_xs_touch), and any component that is not in its initial configuration
 * is in XINUSE (SDM 13.6: XINUSE[i] = 0 guarantees the initial configuration). A write that
 * stores the value a register already held is not seen; XINUSE then stays 0 only while the
 * component is still initial, which the SDM allows. After a restore the CPU's registers are
 * loaded from the engine's state (exec_xs_commit).
 *
 * x87 FOP/FIP/FDP/FCS/FDS: the executor does not track them; they keep what the last
 * XRSTOR/FXRSTOR loaded until an x87 register changes, then read as zero.
 *
 * The environment: CPL 3 in user mode, CPL 0 when a VMX intercept is attached (exec_vmx.h);
 * CR4.OSXSAVE = 1 (Linux sets it), CR0.TS = CR0.EM = 0, 64-bit mode. The CPU profile is the
 * executor profile's XSTATE profile (exec_profile_xs, cpuid.c). */
#include <stdlib.h>
#include <string.h>

#include "apxemu/exec_vmx.h"
#include "apxemu/xstate.h"
#include "exec_internal.h"

#define XBIT(i) ((uint64_t)1 << (i))
/* The components the executor has registers for. */
#define EXEC_XS_COMPS (XBIT(AE_XS_X87) | XBIT(AE_XS_SSE) | XBIT(AE_XS_AVX) | XBIT(AE_XS_APX))

static void xs_env(const ae_cpu *cpu, ae_xs_env *env)
{
	memset(env, 0, sizeof *env);
	env->cpu = exec_profile_xs(cpu->profile);
	env->cpl = cpu->vmx ? 0 : 3;
	env->osxsave = true;
	env->mode64 = true;
}

static ae_xstate *xs_state(ae_cpu *cpu)
{
	if (!cpu->xs) {
		cpu->xs = malloc(sizeof *cpu->xs);
		if (!cpu->xs)
			return NULL;
		ae_xs_reset(cpu->xs);
	}
	return cpu->xs;
}

void exec_xs_free(ae_cpu *cpu)
{
	free(cpu->xs);
	cpu->xs = NULL;
}

static bool x87_differs(const ae_cpu *cpu, const ae_xstate *st)
{
	if (cpu->fcw != st->fcw || cpu->fsw != st->fsw || cpu->ftw != st->ftw)
		return true;
	for (unsigned i = 0; i < 8; i++)
		if (memcmp(cpu->st[i], st->st[i], 10))
			return true;
	return false;
}

static bool vec_differs(const ae_cpu *cpu, const ae_xstate *st, unsigned from, unsigned len)
{
	for (unsigned r = 0; r < 16; r++)
		if (memcmp(cpu->vec[r] + from, st->zmm[r] + from, len))
			return true;
	return false;
}

ae_xstate *exec_xs_sync(ae_cpu *cpu)
{
	ae_xstate *st = xs_state(cpu);
	if (!st)
		return NULL;
	st->xcr0 = cpu->xcr0;
	uint64_t written = 0;
	if (x87_differs(cpu, st)) {
		written |= XBIT(AE_XS_X87);
		st->fcw = cpu->fcw;
		st->fsw = cpu->fsw;
		st->ftw = cpu->ftw;
		for (unsigned i = 0; i < 8; i++)
			memcpy(st->st[i], cpu->st[i], 10);
		st->fop = 0;
		st->fip = st->fdp = 0;
		st->fcs = st->fds = 0;
	}
	if (vec_differs(cpu, st, 0, 16))
		written |= XBIT(AE_XS_SSE);
	if (vec_differs(cpu, st, 16, 16))
		written |= XBIT(AE_XS_AVX);
	/* VZEROUPPER/VZEROALL since the last sync and the upper halves still zero: the AVX
	 * component is initial and not in use (what the host CPUs here report). */
	bool avx_zeroed = false;
	if (cpu->xs_zeroed & XBIT(AE_XS_AVX)) {
		avx_zeroed = true;
		for (unsigned r = 0; r < 16 && avx_zeroed; r++)
			for (unsigned b = 16; b < 32; b++)
				if (cpu->vec[r][b]) {
					avx_zeroed = false;
					break;
				}
	}
	cpu->xs_zeroed = 0;
	if (memcmp(st->egpr, &cpu->gpr[16], sizeof st->egpr))
		written |= XBIT(AE_XS_APX);
	memcpy(st->zmm, cpu->vec, sizeof st->zmm);
	memcpy(st->egpr, &cpu->gpr[16], sizeof st->egpr);
	st->mxcsr = cpu->mxcsr;
	uint64_t live = st->xcr0 | XBIT(AE_XS_X87) | XBIT(AE_XS_SSE);
	ae_xs_touch(st, written & live);
	if (avx_zeroed)
		st->xinuse &= ~XBIT(AE_XS_AVX);
	for (unsigned i = 0; i < AE_XS_NCOMP; i++)
		if ((EXEC_XS_COMPS & live & XBIT(i)) && !(st->xinuse & XBIT(i)) &&
		    !ae_xs_is_init(st, i))
			st->xinuse |= XBIT(i);
	return st;
}

void exec_xs_commit(ae_cpu *cpu)
{
	const ae_xstate *st = cpu->xs;
	if (!st)
		return;
	cpu->fcw = st->fcw;
	cpu->fsw = st->fsw;
	cpu->ftw = st->ftw;
	for (unsigned i = 0; i < 8; i++) {
		memset(cpu->st[i], 0, sizeof cpu->st[i]);
		memcpy(cpu->st[i], st->st[i], 10);
	}
	cpu->mxcsr = st->mxcsr;
	memcpy(cpu->vec, st->zmm, sizeof cpu->vec);
	memcpy(&cpu->gpr[16], st->egpr, sizeof st->egpr);
}

void exec_xs_init(ae_cpu *cpu, uint64_t mask)
{
	ae_xstate *st = exec_xs_sync(cpu);
	if (!st)
		return;
	/* What XRSTOR does for a component whose XSTATE_BV bit is clear: the initial
	 * configuration, not in use. */
	ae_xstate init;
	ae_xs_reset(&init);
	if (mask & XBIT(AE_XS_X87)) {
		st->fcw = init.fcw, st->fsw = init.fsw, st->ftw = init.ftw;
		st->fop = 0, st->fip = st->fdp = 0, st->fcs = st->fds = 0;
		memset(st->st, 0, sizeof st->st);
	}
	for (unsigned r = 0; r < 16; r++) {
		if (mask & XBIT(AE_XS_SSE))
			memset(st->zmm[r], 0, 16);
		if (mask & XBIT(AE_XS_AVX))
			memset(st->zmm[r] + 16, 0, 16);
	}
	if (mask & XBIT(AE_XS_SSE))
		st->mxcsr = init.mxcsr;
	if (mask & XBIT(AE_XS_APX))
		memset(st->egpr, 0, sizeof st->egpr);
	st->xinuse &= ~(mask & EXEC_XS_COMPS);
	exec_xs_commit(cpu);
}

uint64_t exec_xs_xinuse(ae_cpu *cpu)
{
	const ae_xstate *st = exec_xs_sync(cpu);
	return st ? st->xinuse : 0;
}

/* --- guest memory for the engine --------------------------------------------------------- */

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
	memset(f, 0, sizeof *f);
	ae_xstate *st = exec_xs_sync(cpu);
	if (!st) {
		f->result = AE_XS_GP;
		f->why = "out of memory";
		return AE_XS_GP;
	}
	ae_xs_env env;
	xs_env(cpu, &env);
	ae_xs_mem mem = {cpu, xs_read, xs_write, xs_probe};
	ae_xs_result r = ae_xs_exec(st, &env, (ae_xs_op)op, &mem, addr, rfbm, rexw, f);
	if (r == AE_XS_OK &&
	    (op == AE_XS_XRSTOR || op == AE_XS_XRSTORS || op == AE_XS_FXRSTOR))
		exec_xs_commit(cpu);
	return (int)r;
}

int exec_xsave_to_guest(ae_cpu *cpu, uint64_t addr, uint64_t rfbm, ae_xs_fault *f)
{
	return exec_xs_op(cpu, AE_XS_XSAVE, addr, rfbm, true, f);
}

int exec_xrstor_from_guest(ae_cpu *cpu, uint64_t addr, uint64_t rfbm, ae_xs_fault *f)
{
	return exec_xs_op(cpu, AE_XS_XRSTOR, addr, rfbm, true, f);
}

/* --- handlers ------------------------------------------------------------------------------ */

_Noreturn static void xs_raise(ae_cpu *cpu, int r, const ae_xs_fault *f)
{
	if (r == AE_XS_PF)
		exec_raise(cpu, AE_EXC_PF, f->error, f->addr);
	exec_raise(cpu, (unsigned)r, 0, 0);
}

static void xs_insn(ae_cpu *cpu, const ae_insn *in, ae_xs_op op)
{
	uint64_t addr = exec_ea(cpu, in);
	uint64_t rfbm = (cpu->gpr[2] << 32) | (uint32_t)cpu->gpr[0];
	const char *m = ae_form_mnemonic(in->form);
	size_t n = strlen(m);
	bool rexw = n > 2 && !strcmp(m + n - 2, "64"); /* xsave64, fxrstor64, ... */
	ae_xs_fault f;
	int r = exec_xs_op(cpu, op, addr, rfbm, rexw, &f);
	if (r != AE_XS_OK)
		xs_raise(cpu, r, &f);
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

static void h_xsaves(ae_cpu *cpu, const ae_insn *in)
{
	xs_insn(cpu, in, AE_XS_XSAVES);
}

static void h_xrstor(ae_cpu *cpu, const ae_insn *in)
{
	xs_insn(cpu, in, AE_XS_XRSTOR);
}

static void h_xrstors(ae_cpu *cpu, const ae_insn *in)
{
	xs_insn(cpu, in, AE_XS_XRSTORS);
}

static void h_fxsave(ae_cpu *cpu, const ae_insn *in)
{
	xs_insn(cpu, in, AE_XS_FXSAVE);
}

static void h_fxrstor(ae_cpu *cpu, const ae_insn *in)
{
	xs_insn(cpu, in, AE_XS_FXRSTOR);
}

/* XGETBV: ECX = 0 reads XCR0, ECX = 1 XCR0 & XINUSE (with the MXCSR rule of X-XGETBV-3). */
static void h_xgetbv(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	ae_xstate *st = exec_xs_sync(cpu);
	if (!st)
		exec_gp(cpu);
	ae_xs_env env;
	xs_env(cpu, &env);
	ae_xs_fault f;
	uint64_t v = 0;
	ae_xs_result r = ae_xs_xgetbv(st, &env, (uint32_t)cpu->gpr[1], &v, &f);
	if (r != AE_XS_OK)
		xs_raise(cpu, (int)r, &f);
	cpu->gpr[0] = (uint32_t)v, cpu->gpr[2] = v >> 32;
}

/* XSETBV: #GP at CPL 3; at CPL 0 (VMX guest mode) the engine's rules, then the decode
 * context follows the new XCR0 (APX on or off). */
static void h_xsetbv(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	ae_xstate *st = exec_xs_sync(cpu);
	if (!st)
		exec_gp(cpu);
	ae_xs_env env;
	xs_env(cpu, &env);
	ae_xs_fault f;
	uint64_t v = (cpu->gpr[2] << 32) | (uint32_t)cpu->gpr[0];
	ae_xs_result r = ae_xs_xsetbv(st, &env, (uint32_t)cpu->gpr[1], v, &f);
	if (r != AE_XS_OK)
		xs_raise(cpu, (int)r, &f);
	ae_cpu_vmx_set_xcr0(cpu, st->xcr0, env.osxsave);
}

const exec_handler_def exec_xsave_handlers[] = {
	{"xsave", h_xsave},	    {"xsaveopt", h_xsaveopt}, {"xsavec", h_xsavec},
	{"xsaves", h_xsaves},	    {"xrstor", h_xrstor},     {"xrstors", h_xrstors},
	{"fxsave", h_fxsave},	    {"fxrstor", h_fxrstor},   {"xgetbv", h_xgetbv},
	{"xsetbv", h_xsetbv},	    {NULL, NULL},
};
