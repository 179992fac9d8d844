/* XSETBV, XGETBV, IA32_XSS and the XSAVE/XRSTOR/FXSAVE/FXRSTOR instructions.
 *
 * Every instruction works in three steps so that a fault changes nothing (X-FLT-2,
 * X-RST-0): check the instruction and alignment; read (for a save: probe for writing, then
 * read) the whole footprint into a scratch image; check the image; only then change the
 * state and write the image back. Rule names are those of the XSAVE rule digest; SDM
 * references are Vol. 1 ch. 13 unless marked Vol. 2. */
#include "xs_internal.h"

static ae_xs_result fault(ae_xs_fault *f, ae_xs_result r, const char *why)
{
	if (f) {
		f->result = r;
		f->error = 0;
		f->addr = 0;
		f->why = why;
	}
	return r;
}

static bool has_xsave(const ae_xs_env *env)
{
	return xs_profile_has_leaf1_bit(env->cpu, 2, 26);
}

/* ---- XSETBV / XGETBV / XSS ------------------------------------------------------------ */

ae_xs_result ae_xs_xsetbv(ae_xstate *st, const ae_xs_env *env, uint32_t ecx, uint64_t v,
			  ae_xs_fault *f)
{
	if (!has_xsave(env))
		return fault(f, AE_XS_UD, "X-XCR-UD: CPUID.1:ECX.XSAVE = 0");
	if (!env->osxsave)
		return fault(f, AE_XS_UD, "X-XCR-UD: CR4.OSXSAVE = 0");
	if (env->cpl != 0)
		return fault(f, AE_XS_GP, "XSETBV 3.2/1: CPL > 0");
	if (ecx != 0)
		return fault(f, AE_XS_GP, "XSETBV 3.2/2: ECX names no writable XCR");
	if (v & ~env->cpu->xcr0_mask)
		return fault(f, AE_XS_GP, "XSETBV 3.2/3: a bit CPUID.(0xD,0) does not report");
	if (!(v & XS_BIT(AE_XS_X87)))
		return fault(f, AE_XS_GP, "XSETBV 3.2/4: XCR0[0] (x87) clear");
	if ((v & XS_BIT(AE_XS_AVX)) && !(v & XS_BIT(AE_XS_SSE)))
		return fault(f, AE_XS_GP, "XSETBV 3.2/5: AVX without SSE");
	if ((v & XS_MPX) && (v & XS_MPX) != XS_MPX)
		return fault(f, AE_XS_GP, "XSETBV 3.2/6: BNDREGS and BNDCSR not set together");
	if ((v & XS_AVX512) && ((v & XS_AVX512) != XS_AVX512 || !(v & XS_BIT(AE_XS_AVX))))
		return fault(f, AE_XS_GP, "XSETBV 3.2/7: AVX-512 bits not all set, or without AVX");
	if ((v & XS_AMX) && (v & XS_AMX) != XS_AMX)
		return fault(f, AE_XS_GP, "XSETBV 3.2/8: TILECFG and TILEDATA not set together");
	if ((v & XS_BIT(AE_XS_APX)) && (v & XS_MPX))
		return fault(f, AE_XS_GP, "XSETBV 3.2/9: APX together with MPX (X-APX-3)");
	st->xcr0 = v;
	return AE_XS_OK;
}

ae_xs_result ae_xs_xgetbv(const ae_xstate *st, const ae_xs_env *env, uint32_t ecx, uint64_t *v,
			  ae_xs_fault *f)
{
	if (!has_xsave(env))
		return fault(f, AE_XS_UD, "X-XCR-UD: CPUID.1:ECX.XSAVE = 0");
	if (!env->osxsave)
		return fault(f, AE_XS_UD, "X-XCR-UD: CR4.OSXSAVE = 0");
	if (ecx == 0) {
		*v = st->xcr0;
		return AE_XS_OK;
	}
	if (ecx == 1 && (env->cpu->xsave_features & XS_F_XGETBV1)) {
		uint64_t in = st->xinuse;
		if (st->mxcsr != XS_MXCSR_DEFAULT)
			in |= XS_BIT(AE_XS_SSE); /* X-XGETBV-3 */
		*v = st->xcr0 & in;
		return AE_XS_OK;
	}
	return fault(f, AE_XS_GP, ecx == 1 ? "X-XGETBV-2: ECX=1 without CPUID.(0xD,1).EAX[2]"
					     : "X-XGETBV-2: ECX names no XCR");
}

ae_xs_result ae_xs_set_xss(ae_xstate *st, const ae_xs_env *env, uint64_t v, ae_xs_fault *f)
{
	if (!(env->cpu->xsave_features & XS_F_XSAVES))
		return fault(f, AE_XS_GP, "IA32_XSS does not exist without XSAVES");
	if (v & ~env->cpu->xss_mask)
		return fault(f, AE_XS_GP, "IA32_XSS: a bit CPUID.(0xD,1).EDX:ECX does not report");
	st->xss = v;
	return AE_XS_OK;
}

/* ---- guest memory ------------------------------------------------------------------- */

static int flat_check(ae_xs_flat *fl, uint64_t addr, size_t len, bool write, uint64_t *pa,
		      uint32_t *pe)
{
	if (addr < fl->base || addr - fl->base > fl->len || len > fl->len - (addr - fl->base) ||
	    (write && fl->readonly)) {
		uint64_t a = addr < fl->base ? addr : fl->base + fl->len;
		if (write && fl->readonly && addr >= fl->base && addr - fl->base < fl->len)
			a = addr;
		*pa = a;
		*pe = (write ? 2u : 0u) | 4u | (fl->readonly && write ? 1u : 0u);
		return -1;
	}
	return 0;
}

static int flat_read(void *o, uint64_t addr, void *buf, size_t len, uint64_t *pa, uint32_t *pe)
{
	ae_xs_flat *fl = o;
	if (flat_check(fl, addr, len, false, pa, pe))
		return -1;
	memcpy(buf, fl->buf + (addr - fl->base), len);
	return 0;
}

static int flat_write(void *o, uint64_t addr, const void *buf, size_t len, uint64_t *pa,
		      uint32_t *pe)
{
	ae_xs_flat *fl = o;
	if (flat_check(fl, addr, len, true, pa, pe))
		return -1;
	memcpy(fl->buf + (addr - fl->base), buf, len);
	return 0;
}

static int flat_probe(void *o, uint64_t addr, size_t len, bool write, uint64_t *pa, uint32_t *pe)
{
	return flat_check(o, addr, len, write, pa, pe);
}

ae_xs_mem ae_xs_mem_flat(ae_xs_flat *flat)
{
	ae_xs_mem m = {flat, flat_read, flat_write, flat_probe};
	return m;
}

static ae_xs_result mem_fail(ae_xs_fault *f, uint64_t a, uint32_t e)
{
	if (f) {
		f->result = AE_XS_PF;
		f->addr = a;
		f->error = e;
		f->why = "#PF in the area";
	}
	return AE_XS_PF;
}

static ae_xs_result mem_read(const ae_xs_mem *m, uint64_t addr, uint8_t *buf, size_t len,
			     ae_xs_fault *f)
{
	uint64_t a = 0;
	uint32_t e = 0;
	if (m->probe && m->probe(m->opaque, addr, len, false, &a, &e))
		return mem_fail(f, a, e);
	if (m->read(m->opaque, addr, buf, len, &a, &e))
		return mem_fail(f, a, e);
	return AE_XS_OK;
}

/* Probes for writing, then reads what the area holds (a save rewrites only some bytes). */
static ae_xs_result mem_open_write(const ae_xs_mem *m, uint64_t addr, uint8_t *buf, size_t len,
				   ae_xs_fault *f)
{
	uint64_t a = 0;
	uint32_t e = 0;
	if (m->probe && m->probe(m->opaque, addr, len, true, &a, &e))
		return mem_fail(f, a, e);
	if (m->read(m->opaque, addr, buf, len, &a, &e))
		return mem_fail(f, a, e);
	return AE_XS_OK;
}

static ae_xs_result mem_commit(const ae_xs_mem *m, uint64_t addr, const uint8_t *buf, size_t len,
			       ae_xs_fault *f)
{
	uint64_t a = 0;
	uint32_t e = 0;
	if (m->write(m->opaque, addr, buf, len, &a, &e))
		return mem_fail(f, a, e);
	return AE_XS_OK;
}

/* ---- common checks ------------------------------------------------------------------ */

const char *ae_xs_op_name(ae_xs_op op)
{
	static const char *const n[] = {"xsave",  "xsaveopt", "xsavec", "xsaves",
					"xrstor", "xrstors",  "fxsave", "fxrstor"};
	return (unsigned)op < sizeof n / sizeof n[0] ? n[op] : "?";
}

static ae_xs_result pre_checks(const ae_xs_env *env, ae_xs_op op, uint64_t addr, ae_xs_fault *f)
{
	const ae_xs_profile *p = env->cpu;
	if (op == AE_XS_FXSAVE || op == AE_XS_FXRSTOR) {
		if (!xs_profile_has_leaf1_bit(p, 3, 24))
			return fault(f, AE_XS_UD, "X-FX-2: CPUID.1:EDX.FXSR = 0");
		if (env->cr0_ts || env->cr0_em)
			return fault(f, AE_XS_NM, "X-FX-2: CR0.TS or CR0.EM");
		if (addr & 15)
			return fault(f, AE_XS_GP, "X-FX-2: area not 16-byte aligned");
		return AE_XS_OK;
	}
	if (!has_xsave(env))
		return fault(f, AE_XS_UD, "X-FLT-1: CPUID.1:ECX.XSAVE = 0");
	uint32_t need = op == AE_XS_XSAVEOPT ? XS_F_XSAVEOPT
			: op == AE_XS_XSAVEC ? XS_F_XSAVEC
			: (op == AE_XS_XSAVES || op == AE_XS_XRSTORS) ? XS_F_XSAVES
								       : 0;
	if ((p->xsave_features & need) != need)
		return fault(f, AE_XS_UD, "X-FLT-1: the instruction's CPUID.(0xD,1).EAX bit is 0");
	if (!env->osxsave)
		return fault(f, AE_XS_UD, "X-FLT-1: CR4.OSXSAVE = 0");
	if (env->cr0_ts)
		return fault(f, AE_XS_NM, "X-FLT-1: CR0.TS = 1");
	if ((op == AE_XS_XSAVES || op == AE_XS_XRSTORS) && env->cpl != 0)
		return fault(f, AE_XS_GP, "X-RSTS-1/X-SAVES-1: CPL > 0");
	if (addr & 63)
		return fault(f, AE_XS_GP, "X-FLT-1: area not 64-byte aligned");
	return AE_XS_OK;
}

/* ---- saves -------------------------------------------------------------------------- */

static ae_xs_result do_save(ae_xstate *st, const ae_xs_env *env, ae_xs_op op, const ae_xs_mem *m,
			    uint64_t addr, uint64_t rfbm_in, bool rexw, ae_xs_fault *f)
{
	const ae_xs_profile *p = env->cpu;
	bool compact = op == AE_XS_XSAVEC || op == AE_XS_XSAVES;
	unsigned nregs = env->mode64 ? 16 : 8;
	uint64_t rfbm = rfbm_in & (st->xcr0 | (op == AE_XS_XSAVES ? st->xss : 0));
	uint32_t off[AE_XS_NCOMP];
	uint32_t len;
	if (compact)
		len = ae_xs_compacted_layout(p, rfbm, off);
	else {
		len = xs_std_end(p, rfbm);
		for (unsigned i = 0; i < AE_XS_NCOMP; i++)
			off[i] = ae_xs_offset(p, i);
	}
	_Alignas(64) uint8_t img[XS_MAX_AREA];
	ae_xs_result r = mem_open_write(m, addr, img, len, f);
	if (r)
		return r;

	uint64_t inuse = st->xinuse;
	uint64_t save = rfbm;
	bool mxcsr = false;
	if (op != AE_XS_XSAVE) /* the init optimization */
		save &= inuse;
	if ((op == AE_XS_XSAVEOPT && st->xrstor_info_valid && st->xrstor_cpl == env->cpl &&
	     st->xrstor_addr == addr && st->xrstor_xcomp == 0) ||
	    (op == AE_XS_XSAVES && st->xrstor_info_valid && st->xrstor_cpl == env->cpl &&
	     st->xrstor_addr == addr && st->xrstor_xcomp == (rfbm | XS_COMPACT)))
		save &= st->xmodified; /* the modified optimization (X-OPT-3) */
	if (compact) {
		/* X-SAVEC-3: SSE is saved when MXCSR is not at its default, whatever XINUSE. */
		uint64_t bvsse = 0;
		if ((rfbm & XS_BIT(AE_XS_SSE)) && st->mxcsr != XS_MXCSR_DEFAULT) {
			save |= XS_BIT(AE_XS_SSE);
			bvsse = XS_BIT(AE_XS_SSE);
		}
		mxcsr = save & XS_BIT(AE_XS_SSE);
		uint64_t bv = op == AE_XS_XSAVEC ? save : (rfbm & inuse) | bvsse;
		xs_wr64(img + XS_XSTATE_BV, bv);
		xs_wr64(img + XS_XCOMP_BV, rfbm | XS_COMPACT);
	} else {
		mxcsr = rfbm & (XS_BIT(AE_XS_SSE) | XS_BIT(AE_XS_AVX)); /* X-SAVE-3 */
		uint64_t old = xs_rd64(img + XS_XSTATE_BV);
		xs_wr64(img + XS_XSTATE_BV, (old & ~rfbm) | (inuse & rfbm)); /* X-SAVE-4 */
	}
	if (save & XS_BIT(AE_XS_X87))
		xs_x87_store(st, p, img, rexw);
	if (mxcsr) {
		xs_wr32(img + XS_MXCSR, st->mxcsr);
		xs_wr32(img + XS_MXCSR_MASK, p->mxcsr_mask);
	}
	if (save & XS_BIT(AE_XS_SSE))
		xs_xmm_store(st, img, nregs);
	for (unsigned i = 2; i < AE_XS_NCOMP; i++)
		if (save & XS_BIT(i)) {
			if (nregs == 8 && i == AE_XS_HI16_ZMM)
				continue; /* X-SAVE-6 */
			uint8_t tmp[8192];
			unsigned sz = ae_xs_component(i)->size;
			xs_comp_store(st, i, tmp, nregs);
			/* Outside 64-bit mode only registers 0-7 are written (X-SAVE-6). */
			if (nregs == 8 && (i == AE_XS_AVX || i == AE_XS_ZMM_HI256))
				sz /= 2;
			memcpy(img + off[i], tmp, sz);
		}
	return mem_commit(m, addr, img, len, f);
}

/* ---- restores ----------------------------------------------------------------------- */

size_t xs_rst_header(const ae_xs_profile *p, uint64_t xcr0, uint64_t xss, bool xrstors,
		     uint64_t rfbm, const uint8_t *img, xs_rst_plan *plan, xs_issues *is)
{
	size_t before = is->n;
	uint64_t bv = xs_rd64(img + XS_XSTATE_BV), xc = xs_rd64(img + XS_XCOMP_BV);
	uint64_t allowed = xcr0 | (xrstors ? xss : 0);
	memset(plan, 0, sizeof *plan);
	plan->rfbm = rfbm;
	plan->bv = bv;
	plan->compact = (xc & XS_COMPACT) && (p->xsave_features & XS_F_XSAVEC);
	if (xrstors && !plan->compact)
		xs_issue(is, "X-RST-2", "XRSTORS needs the compacted form (XCOMP_BV[63] = 1)");
	if (!plan->compact) {
		if (bv & ~xcr0)
			xs_issue(is, "X-RST-3", "XSTATE_BV %#llx has bits outside XCR0 %#llx",
				 (unsigned long long)bv, (unsigned long long)xcr0);
		for (unsigned b = 8; b < 24; b++)
			if (img[AE_XS_HDR + b]) {
				xs_issue(is, "X-RST-3",
					 "header byte %u (XCOMP_BV or reserved) is %#x, not 0", b,
					 img[AE_XS_HDR + b]);
				break;
			}
		for (unsigned i = 0; i < AE_XS_NCOMP; i++)
			plan->off[i] = ae_xs_offset(p, i);
		plan->len = xs_std_end(p, rfbm);
		plan->mxcsr_load = rfbm & (XS_BIT(AE_XS_SSE) | XS_BIT(AE_XS_AVX));
	} else {
		uint64_t fmt = xc & ~XS_COMPACT;
		plan->format = fmt;
		if (fmt & ~allowed)
			xs_issue(is, "X-RST-4", "XCOMP_BV %#llx has bits outside XCR0%s %#llx",
				 (unsigned long long)fmt, xrstors ? "|IA32_XSS" : "",
				 (unsigned long long)allowed);
		if (bv & ~fmt & ~XS_COMPACT)
			xs_issue(is, "X-RST-4", "XSTATE_BV %#llx is not a subset of XCOMP_BV",
				 (unsigned long long)bv);
		if (bv & XS_COMPACT)
			xs_issue(is, "X-RST-4", "XSTATE_BV[63] is set (refused, measured)");
		for (unsigned b = 16; b < 64; b++)
			if (img[AE_XS_HDR + b]) {
				xs_issue(is, "X-RST-4", "reserved header byte %u is %#x, not 0", b,
					 img[AE_XS_HDR + b]);
				break;
			}
		ae_xs_compacted_layout(p, fmt & XS_ALL, plan->off);
		/* The footprint: up to the end of the last component loaded or initialized
		 * from this format. */
		plan->len = AE_XS_EXT;
		for (unsigned i = 2; i < AE_XS_NCOMP; i++)
			if ((rfbm & fmt & XS_BIT(i)) &&
			    plan->off[i] + ae_xs_component(i)->size > plan->len)
				plan->len = plan->off[i] + ae_xs_component(i)->size;
		if (rfbm & XS_BIT(AE_XS_SSE)) {
			plan->mxcsr_load = bv & fmt & XS_BIT(AE_XS_SSE);
			plan->mxcsr_default = !plan->mxcsr_load;
		}
	}
	return is->n - before;
}

static ae_xs_result do_restore(ae_xstate *st, const ae_xs_env *env, ae_xs_op op,
			       const ae_xs_mem *m, uint64_t addr, uint64_t rfbm_in, bool rexw,
			       ae_xs_fault *f)
{
	const ae_xs_profile *p = env->cpu;
	bool xrstors = op == AE_XS_XRSTORS;
	unsigned nregs = env->mode64 ? 16 : 8;
	uint64_t rfbm = rfbm_in & (st->xcr0 | (xrstors ? st->xss : 0));
	_Alignas(64) uint8_t img[XS_MAX_AREA];
	ae_xs_result r = mem_read(m, addr, img, AE_XS_EXT, f); /* X-RST-0 step 2 */
	if (r)
		return r;
	ae_xs_issue one[1];
	xs_issues is = {one, 1, 0};
	xs_rst_plan plan;
	if (xs_rst_header(p, st->xcr0, st->xss, xrstors, rfbm, img, &plan, &is))
		return fault(f, AE_XS_GP, one[0].rule);
	if (plan.len > AE_XS_EXT) {
		r = mem_read(m, addr + AE_XS_EXT, img + AE_XS_EXT, plan.len - AE_XS_EXT, f);
		if (r)
			return r;
	}
	uint32_t mx = xs_rd32(img + XS_MXCSR);
	if (plan.mxcsr_load && (mx & ~p->mxcsr_mask))
		return fault(f, AE_XS_GP, "X-RST-5: MXCSR sets a bit outside MXCSR_MASK");

	uint64_t load = plan.compact ? rfbm & plan.format & plan.bv : rfbm & plan.bv;
	uint64_t init = rfbm & ~load;
	if (load & XS_BIT(AE_XS_X87))
		xs_x87_load(st, p, img, rexw);
	else if (init & XS_BIT(AE_XS_X87))
		xs_comp_init(st, AE_XS_X87, nregs);
	if (load & XS_BIT(AE_XS_SSE))
		xs_xmm_load(st, img, nregs);
	else if (init & XS_BIT(AE_XS_SSE))
		xs_comp_init(st, AE_XS_SSE, nregs);
	if (plan.mxcsr_load)
		st->mxcsr = mx;
	else if (plan.mxcsr_default)
		st->mxcsr = XS_MXCSR_DEFAULT;
	for (unsigned i = 2; i < AE_XS_NCOMP; i++) {
		if (nregs == 8 && i == AE_XS_HI16_ZMM)
			continue; /* X-RST-10 */
		if (load & XS_BIT(i))
			xs_comp_load(st, i, img + plan.off[i], nregs);
		else if (init & XS_BIT(i))
			xs_comp_init(st, i, nregs);
	}
	/* XINUSE (X-XINUSE-2, X-AMD-XI-4), XMODIFIED and XRSTOR_INFO (X-RST-13). */
	for (unsigned i = 0; i < AE_XS_NCOMP; i++) {
		uint64_t b = XS_BIT(i);
		if (init & b)
			st->xinuse &= ~b;
		else if (load & b) {
			if (p->xrstor_xinuse_by_value && xs_value_init(st, i))
				st->xinuse &= ~b;
			else
				st->xinuse |= b;
		}
	}
	st->xmodified = XS_ALL & ~rfbm;
	st->xrstor_info_valid = true;
	st->xrstor_cpl = env->cpl;
	st->xrstor_addr = addr;
	st->xrstor_xcomp = plan.compact ? xs_rd64(img + XS_XCOMP_BV) : 0;
	return AE_XS_OK;
}

/* ---- FXSAVE / FXRSTOR (SDM Vol. 2; X-FX-*) -------------------------------------------- */

static ae_xs_result do_fxsave(ae_xstate *st, const ae_xs_env *env, const ae_xs_mem *m,
			      uint64_t addr, bool rexw, ae_xs_fault *f)
{
	_Alignas(16) uint8_t img[512];
	ae_xs_result r = mem_open_write(m, addr, img, 512, f);
	if (r)
		return r;
	xs_x87_store(st, env->cpu, img, rexw);
	xs_wr32(img + XS_MXCSR, st->mxcsr);
	xs_wr32(img + XS_MXCSR_MASK, env->cpu->mxcsr_mask);
	xs_xmm_store(st, img, env->mode64 ? 16 : 8);
	return mem_commit(m, addr, img, 512, f);
}

static ae_xs_result do_fxrstor(ae_xstate *st, const ae_xs_env *env, const ae_xs_mem *m,
			       uint64_t addr, bool rexw, ae_xs_fault *f)
{
	_Alignas(16) uint8_t img[512];
	ae_xs_result r = mem_read(m, addr, img, 512, f);
	if (r)
		return r;
	uint32_t mx = xs_rd32(img + XS_MXCSR);
	if (mx & ~env->cpu->mxcsr_mask)
		return fault(f, AE_XS_GP, "X-FX-3: MXCSR sets a bit outside MXCSR_MASK");
	xs_x87_load(st, env->cpu, img, rexw);
	st->mxcsr = mx;
	xs_xmm_load(st, img, env->mode64 ? 16 : 8);
	for (unsigned i = 0; i < 2; i++) {
		uint64_t b = XS_BIT(i);
		if (env->cpu->xrstor_xinuse_by_value && xs_value_init(st, i))
			st->xinuse &= ~b; /* X-FX-6 */
		else
			st->xinuse |= b;
		st->xmodified |= b;
	}
	return AE_XS_OK;
}

ae_xs_result ae_xs_exec(ae_xstate *st, const ae_xs_env *env, ae_xs_op op, const ae_xs_mem *mem,
			uint64_t addr, uint64_t rfbm_in, bool rexw, ae_xs_fault *f)
{
	if (f)
		memset(f, 0, sizeof *f);
	if ((unsigned)op > AE_XS_FXRSTOR || !env || !env->cpu || !mem)
		return fault(f, AE_XS_UD, "not an XSAVE-family operation");
	ae_xs_result r = pre_checks(env, op, addr, f);
	if (r)
		return r;
	switch (op) {
	case AE_XS_XSAVE:
	case AE_XS_XSAVEOPT:
	case AE_XS_XSAVEC:
	case AE_XS_XSAVES:
		return do_save(st, env, op, mem, addr, rfbm_in, rexw, f);
	case AE_XS_XRSTOR:
	case AE_XS_XRSTORS:
		return do_restore(st, env, op, mem, addr, rfbm_in, rexw, f);
	case AE_XS_FXSAVE:
		return do_fxsave(st, env, mem, addr, rexw, f);
	case AE_XS_FXRSTOR:
		return do_fxrstor(st, env, mem, addr, rexw, f);
	}
	return AE_XS_UD;
}
