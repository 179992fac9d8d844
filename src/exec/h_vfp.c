/* Vector and scalar floating point of SSE, SSE2, SSE3, SSE4.1 and AVX (legacy and VEX forms):
 * arithmetic, min/max, square root and the reciprocal estimates, compares (CMPccPS/PD/SS/SD
 * with the 32 AVX predicates, (U)COMISS/SD), conversions, ADDSUB, HADD/HSUB, ROUND, DPPS/DPPD.
 * The arithmetic itself is done by the host's SSE unit under the guest's MXCSR (vec.h); a
 * VEX.256 form is two 128-bit operations, the flags of both ORed. */
#include "vec.h"

/* Packed: x := x OP y per 128-bit lane. Scalar: the same on the low lane (vl is 16). */
static void fp_lanes(ae_cpu *cpu, const vargs *v, uint8_t *r, unsigned op)
{
	uint32_t f = 0;
	memcpy(r, v->a, v->vl);
	for (unsigned off = 0; off < v->vl; off += 16)
		f |= vec_host2(cpu, op, r + off, v->b + off);
	vec_fp_flags(cpu, f);
}

#define FPH(name, op)                                                                              \
	static void f_##name(ae_cpu *cpu, const vargs *v, uint8_t *r)                              \
	{                                                                                          \
		fp_lanes(cpu, v, r, op);                                                           \
	}                                                                                          \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		vec_run(cpu, in, f_##name, 0);                                                     \
	}
FPH(addps, HK_ADDPS)
FPH(addpd, HK_ADDPD)
FPH(addss, HK_ADDSS)
FPH(addsd, HK_ADDSD)
FPH(subps, HK_SUBPS)
FPH(subpd, HK_SUBPD)
FPH(subss, HK_SUBSS)
FPH(subsd, HK_SUBSD)
FPH(mulps, HK_MULPS)
FPH(mulpd, HK_MULPD)
FPH(mulss, HK_MULSS)
FPH(mulsd, HK_MULSD)
FPH(divps, HK_DIVPS)
FPH(divpd, HK_DIVPD)
FPH(divss, HK_DIVSS)
FPH(divsd, HK_DIVSD)
FPH(minps, HK_MINPS)
FPH(minpd, HK_MINPD)
FPH(minss, HK_MINSS)
FPH(minsd, HK_MINSD)
FPH(maxps, HK_MAXPS)
FPH(maxpd, HK_MAXPD)
FPH(maxss, HK_MAXSS)
FPH(maxsd, HK_MAXSD)
FPH(sqrtps, HK_SQRTPS)
FPH(sqrtpd, HK_SQRTPD)
FPH(sqrtss, HK_SQRTSS)
FPH(sqrtsd, HK_SQRTSD)
FPH(rsqrtps, HK_RSQRTPS)
FPH(rsqrtss, HK_RSQRTSS)
FPH(rcpps, HK_RCPPS)
FPH(rcpss, HK_RCPSS)
FPH(addsubps, HK_ADDSUBPS)
FPH(addsubpd, HK_ADDSUBPD)
FPH(haddps, HK_HADDPS)
FPH(haddpd, HK_HADDPD)
FPH(hsubps, HK_HSUBPS)
FPH(hsubpd, HK_HSUBPD)
FPH(cvtps2dq, HK_CVTPS2DQ)
FPH(cvttps2dq, HK_CVTTPS2DQ)
FPH(cvtdq2ps, HK_CVTDQ2PS)
FPH(cvtss2sd, HK_CVTSS2SD)
FPH(cvtsd2ss, HK_CVTSD2SS)

/* Widening conversions: 2 source elements per 128-bit result lane. */
static void fp_widen(ae_cpu *cpu, const vargs *v, uint8_t *r, unsigned op)
{
	uint32_t f = 0;
	for (unsigned off = 0; off < v->vl; off += 16) {
		uint8_t y[16] = {0};
		memcpy(y, v->b + off / 2, 8);
		f |= vec_host2(cpu, op, r + off, y);
	}
	vec_fp_flags(cpu, f);
}

/* Narrowing conversions: the result is 16 bytes, the source 16 or 32 (VEX.256). */
static void fp_narrow(ae_cpu *cpu, const vargs *v, uint8_t *r, unsigned op)
{
	uint32_t f = 0;
	uint8_t t[16];
	memset(r, 0, 16);
	for (unsigned off = 0; off < v->bn && off < 32; off += 16) {
		f |= vec_host2(cpu, op, t, v->b + off);
		memcpy(r + off / 2, t, 8);
	}
	vec_fp_flags(cpu, f);
}

#define FPW(name, op, how)                                                                         \
	static void f_##name(ae_cpu *cpu, const vargs *v, uint8_t *r)                              \
	{                                                                                          \
		how(cpu, v, r, op);                                                                \
	}                                                                                          \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		vec_run(cpu, in, f_##name, 0);                                                     \
	}
FPW(cvtps2pd, HK_CVTPS2PD, fp_widen)
FPW(cvtdq2pd, HK_CVTDQ2PD, fp_widen)
FPW(cvtpd2ps, HK_CVTPD2PS, fp_narrow)
FPW(cvtpd2dq, HK_CVTPD2DQ, fp_narrow)
FPW(cvttpd2dq, HK_CVTTPD2DQ, fp_narrow)

/* --- compares ----------------------------------------------------------------------------- */

/* AVX predicates 8-31 are built from three host compares (EQ_OQ, LT_OS, UNORD_Q): bit 0 of
 * kTruth is "unordered", 1 "less", 2 "equal", 3 "greater". Predicates 16-31 repeat 0-15 with
 * the signalling behaviour on QNaN inverted. */
static const uint8_t kTruth[16] = {4, 2, 6, 1, 11, 13, 9, 14, 5, 3, 7, 0, 10, 12, 8, 15};
static const uint16_t kSignaling = 0x6666; /* predicates 1 2 5 6 9 10 13 14 */

static void cmp_lane(ae_cpu *cpu, unsigned op, uint8_t *x, const uint8_t *y, unsigned imm,
		     unsigned esz, uint32_t *flags)
{
	imm &= 31;
	if (imm < 8) {
		*flags |= vec_host2i(cpu, op, x, y, imm);
		return;
	}
	uint8_t e[16], l[16], u[16];
	memcpy(e, x, 16), memcpy(l, x, 16), memcpy(u, x, 16);
	uint32_t fe = vec_host2i(cpu, op, e, y, 0);
	uint32_t fl = vec_host2i(cpu, op, l, y, 1);
	vec_host2i(cpu, op, u, y, 3);
	bool sig = ((kSignaling >> (imm & 15)) & 1) ^ (imm >= 16);
	*flags |= sig ? fl : fe;
	bool scalar = op == HI_CMPSS || op == HI_CMPSD;
	unsigned n = scalar ? esz : 16;
	for (unsigned i = 0; i < n; i += esz) {
		unsigned t = (u[i] & 1) ? 1 : (l[i] & 1) ? 2 : (e[i] & 1) ? 4 : 8;
		memset(x + i, (kTruth[imm & 15] & t) ? 0xff : 0, esz);
	}
}

static void fp_cmp(ae_cpu *cpu, const vargs *v, uint8_t *r, unsigned op, unsigned esz)
{
	uint32_t f = 0;
	memcpy(r, v->a, v->vl);
	/* the legacy encodings have the eight SSE predicates: imm8[7:3] are ignored */
	unsigned imm = v->vex ? v->imm : v->imm & 7;
	for (unsigned off = 0; off < v->vl; off += 16)
		cmp_lane(cpu, op, r + off, v->b + off, imm, esz, &f);
	vec_fp_flags(cpu, f);
}
#define FPC(name, op, esz)                                                                         \
	static void f_##name(ae_cpu *cpu, const vargs *v, uint8_t *r)                              \
	{                                                                                          \
		fp_cmp(cpu, v, r, op, esz);                                                        \
	}                                                                                          \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		vec_run(cpu, in, f_##name, 0);                                                     \
	}
FPC(cmpps, HI_CMPPS, 4)
FPC(cmppd, HI_CMPPD, 8)
FPC(cmpss, HI_CMPSS, 4)
FPC(cmpsd, HI_CMPSD, 8)

/* --- immediate forms: ROUND, DPPS, DPPD ------------------------------------------------------ */

static void fp_imm(ae_cpu *cpu, const vargs *v, uint8_t *r, unsigned op)
{
	uint32_t f = 0;
	memcpy(r, v->a, v->vl);
	for (unsigned off = 0; off < v->vl; off += 16)
		f |= vec_host2i(cpu, op, r + off, v->b + off, v->imm);
	vec_fp_flags(cpu, f);
}
#define FPI(name, op)                                                                              \
	static void f_##name(ae_cpu *cpu, const vargs *v, uint8_t *r)                              \
	{                                                                                          \
		fp_imm(cpu, v, r, op);                                                             \
	}                                                                                          \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		vec_run(cpu, in, f_##name, 0);                                                     \
	}
FPI(roundss, HI_ROUNDSS)
FPI(roundsd, HI_ROUNDSD)
FPI(dpps, HI_DPPS)
FPI(dppd, HI_DPPD)

/* ROUNDPS/PD have a single source: the result does not depend on the destination. */
static void fp_round_packed(ae_cpu *cpu, const vargs *v, uint8_t *r, unsigned op)
{
	uint32_t f = 0;
	memcpy(r, v->b, v->vl);
	for (unsigned off = 0; off < v->vl; off += 16)
		f |= vec_host2i(cpu, op, r + off, v->b + off, v->imm);
	vec_fp_flags(cpu, f);
}
static void f_roundps(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	fp_round_packed(cpu, v, r, HI_ROUNDPS);
}
static void f_roundpd(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	fp_round_packed(cpu, v, r, HI_ROUNDPD);
}
static void h_roundps(ae_cpu *cpu, const ae_insn *in)
{
	vec_run(cpu, in, f_roundps, 0);
}
static void h_roundpd(ae_cpu *cpu, const ae_insn *in)
{
	vec_run(cpu, in, f_roundpd, 0);
}

/* --- scalar conversions with a GPR, and (U)COMIS -------------------------------------------- */

static void cvtsi2f(ae_cpu *cpu, const ae_insn *in, bool dbl)
{
	unsigned si = in->nops - 1; /* the GPR or memory source is the last operand */
	unsigned sz = exec_opsize(in, si);
	uint64_t src = exec_op_read(cpu, in, si);
	uint8_t x[32] = {0};
	unsigned ai = in->enc == AE_ENC_VEX ? 1 : 0;
	memcpy(x, vec_reg(cpu, in->ops[ai].reg), 16);
	vec_host_cvtsi2f(cpu, dbl, sz == 8, src, x);
	vec_dst(cpu, in, 0, x, 16);
}
static void h_cvtsi2ss(ae_cpu *cpu, const ae_insn *in)
{
	cvtsi2f(cpu, in, false);
}
static void h_cvtsi2sd(ae_cpu *cpu, const ae_insn *in)
{
	cvtsi2f(cpu, in, true);
}

static void cvtf2si(ae_cpu *cpu, const ae_insn *in, bool dbl, bool trunc)
{
	uint8_t y[32];
	vec_src(cpu, in, 1, y, 16, false);
	unsigned sz = in->ops[0].size;
	exec_op_write(cpu, in, 0, vec_host_cvtf2si(cpu, dbl, sz == 8, trunc, y));
}
static void h_cvtss2si(ae_cpu *cpu, const ae_insn *in)
{
	cvtf2si(cpu, in, false, false);
}
static void h_cvttss2si(ae_cpu *cpu, const ae_insn *in)
{
	cvtf2si(cpu, in, false, true);
}
static void h_cvtsd2si(ae_cpu *cpu, const ae_insn *in)
{
	cvtf2si(cpu, in, true, false);
}
static void h_cvttsd2si(ae_cpu *cpu, const ae_insn *in)
{
	cvtf2si(cpu, in, true, true);
}

static void comi(ae_cpu *cpu, const ae_insn *in, bool dbl, bool signaling)
{
	uint8_t y[32];
	vec_src(cpu, in, 1, y, 16, false);
	uint64_t f = vec_host_comi(cpu, dbl, signaling, vec_reg(cpu, in->ops[0].reg), y);
	exec_flags_set(cpu, f);
}
static void h_ucomiss(ae_cpu *cpu, const ae_insn *in)
{
	comi(cpu, in, false, false);
}
static void h_ucomisd(ae_cpu *cpu, const ae_insn *in)
{
	comi(cpu, in, true, false);
}
static void h_comiss(ae_cpu *cpu, const ae_insn *in)
{
	comi(cpu, in, false, true);
}
static void h_comisd(ae_cpu *cpu, const ae_insn *in)
{
	comi(cpu, in, true, true);
}

#define E(name)                                                                                    \
	{                                                                                          \
		#name, h_##name                                                                    \
	}
const exec_handler_def exec_vfp_handlers[] = {
	E(addps), E(addpd), E(addss), E(addsd), E(subps), E(subpd), E(subss), E(subsd),
	E(mulps), E(mulpd), E(mulss), E(mulsd), E(divps), E(divpd), E(divss), E(divsd),
	E(minps), E(minpd), E(minss), E(minsd), E(maxps), E(maxpd), E(maxss), E(maxsd),
	E(sqrtps), E(sqrtpd), E(sqrtss), E(sqrtsd), E(rsqrtps), E(rsqrtss), E(rcpps), E(rcpss),
	E(addsubps), E(addsubpd), E(haddps), E(haddpd), E(hsubps), E(hsubpd), E(cvtps2dq),
	E(cvttps2dq), E(cvtdq2ps), E(cvtss2sd), E(cvtsd2ss), E(cvtps2pd), E(cvtdq2pd),
	E(cvtpd2ps), E(cvtpd2dq), E(cvttpd2dq), E(cmpps), E(cmppd), E(cmpss), E(cmpsd),
	E(roundps), E(roundpd), E(roundss), E(roundsd), E(dpps), E(dppd), E(cvtsi2ss),
	E(cvtsi2sd), E(cvtss2si), E(cvttss2si), E(cvtsd2si), E(cvttsd2si), E(ucomiss),
	E(ucomisd), E(comiss), E(comisd),
	{NULL, NULL},
};
