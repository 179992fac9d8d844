/* Vector integer instructions, one function per instruction for its MMX, SSE and VEX forms
 * (vec.h): MMX/SSE2 arithmetic, compares, logic, shifts, packs, unpacks and shuffles; SSSE3
 * (PSHUFB, PALIGNR, PHADD/PHSUB, PMADDUBSW, PMULHRSW, PSIGN, PABS); SSE4.1 (PMIN/PMAX,
 * PMULLD, PMULDQ, PCMPEQQ, PACKUSDW, PMOVSX/ZX, blends); SSE4.2 PCMPGTQ; AVX2 VPBLENDD and
 * the variable shifts. Instructions that work within 128-bit lanes (SDM Vol. 1, 14.4) loop
 * over the lanes of a VEX.256 form; the others see the whole vector. */
#include <stdlib.h>

#include "vec.h"

#define LANE_LOOP(v, off) for (unsigned off = 0; off < (v)->vl; off += 16)
static unsigned lane_n(const vargs *v)
{
	return v->vl < 16 ? v->vl : 16;
}

/* --- element-wise binary operations ----------------------------------------------------- */

enum {
	V_ADD, V_SUB, V_ADDS, V_ADDUS, V_SUBS, V_SUBUS, V_CMPEQ, V_CMPGT, V_MINU, V_MAXU, V_MINS,
	V_MAXS, V_AVG, V_AND, V_ANDN, V_OR, V_XOR, V_MULLO, V_MULHI, V_MULHU, V_SIGN, V_MULHRS,
	V_SLLV, V_SRLV, V_SRAV,
};

static int64_t sat_s(int64_t v, unsigned esz)
{
	int64_t hi = (int64_t)(exec_sign(esz) - 1), lo = -hi - 1;
	return v > hi ? hi : v < lo ? lo : v;
}

static uint64_t sat_u(int64_t v, unsigned esz)
{
	int64_t hi = (int64_t)exec_mask(esz);
	return (uint64_t)(v > hi ? hi : v < 0 ? 0 : v);
}

static uint64_t elem_op(int op, uint64_t x, uint64_t y, unsigned esz)
{
	uint64_t m = exec_mask(esz);
	int64_t sx = exec_sext(x, esz), sy = exec_sext(y, esz);
	unsigned bits = esz * 8;
	switch (op) {
	case V_ADD: return x + y;
	case V_SUB: return x - y;
	case V_ADDS: return (uint64_t)sat_s(sx + sy, esz);
	case V_SUBS: return (uint64_t)sat_s(sx - sy, esz);
	case V_ADDUS: return sat_u((int64_t)(x + y), esz);
	case V_SUBUS: return sat_u((int64_t)x - (int64_t)y, esz);
	case V_CMPEQ: return x == y ? m : 0;
	case V_CMPGT: return sx > sy ? m : 0;
	case V_MINU: return x < y ? x : y;
	case V_MAXU: return x > y ? x : y;
	case V_MINS: return sx < sy ? x : y;
	case V_MAXS: return sx > sy ? x : y;
	case V_AVG: return (x + y + 1) >> 1;
	case V_AND: return x & y;
	case V_ANDN: return ~x & y;
	case V_OR: return x | y;
	case V_XOR: return x ^ y;
	case V_MULLO: return (uint64_t)sx * (uint64_t)sy;
	case V_MULHI: return (uint64_t)((sx * sy) >> bits);
	case V_MULHU: return (x * y) >> bits;
	case V_SIGN: return sy < 0 ? (uint64_t)-sx : sy == 0 ? 0 : x;
	case V_MULHRS: return (uint64_t)((((sx * sy) >> 14) + 1) >> 1);
	case V_SLLV: return y >= bits ? 0 : x << y;
	case V_SRLV: return y >= bits ? 0 : x >> y;
	default: return (uint64_t)(sx >> (y >= bits ? bits - 1 : y)); /* V_SRAV */
	}
}

static void vbin(const vargs *v, uint8_t *r, int op, unsigned esz)
{
	for (unsigned i = 0; i < v->vl; i += esz)
		vwr(r + i, esz, elem_op(op, vrd(v->a + i, esz), vrd(v->b + i, esz), esz));
}

#define VB(name, op, esz)                                                                          \
	static void f_##name(ae_cpu *cpu, const vargs *v, uint8_t *r)                              \
	{                                                                                          \
		(void)cpu;                                                                         \
		vbin(v, r, op, esz);                                                               \
	}                                                                                          \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		vec_run(cpu, in, f_##name, 0);                                                     \
	}
VB(paddb, V_ADD, 1)
VB(paddw, V_ADD, 2)
VB(paddd, V_ADD, 4)
VB(paddq, V_ADD, 8)
VB(psubb, V_SUB, 1)
VB(psubw, V_SUB, 2)
VB(psubd, V_SUB, 4)
VB(psubq, V_SUB, 8)
VB(paddsb, V_ADDS, 1)
VB(paddsw, V_ADDS, 2)
VB(paddusb, V_ADDUS, 1)
VB(paddusw, V_ADDUS, 2)
VB(psubsb, V_SUBS, 1)
VB(psubsw, V_SUBS, 2)
VB(psubusb, V_SUBUS, 1)
VB(psubusw, V_SUBUS, 2)
VB(pcmpeqb, V_CMPEQ, 1)
VB(pcmpeqw, V_CMPEQ, 2)
VB(pcmpeqd, V_CMPEQ, 4)
VB(pcmpeqq, V_CMPEQ, 8)
VB(pcmpgtb, V_CMPGT, 1)
VB(pcmpgtw, V_CMPGT, 2)
VB(pcmpgtd, V_CMPGT, 4)
VB(pcmpgtq, V_CMPGT, 8)
VB(pminub, V_MINU, 1)
VB(pminuw, V_MINU, 2)
VB(pminud, V_MINU, 4)
VB(pmaxub, V_MAXU, 1)
VB(pmaxuw, V_MAXU, 2)
VB(pmaxud, V_MAXU, 4)
VB(pminsb, V_MINS, 1)
VB(pminsw, V_MINS, 2)
VB(pminsd, V_MINS, 4)
VB(pmaxsb, V_MAXS, 1)
VB(pmaxsw, V_MAXS, 2)
VB(pmaxsd, V_MAXS, 4)
VB(pavgb, V_AVG, 1)
VB(pavgw, V_AVG, 2)
VB(pand, V_AND, 8)
VB(pandn, V_ANDN, 8)
VB(por, V_OR, 8)
VB(pxor, V_XOR, 8)
VB(pmullw, V_MULLO, 2)
VB(pmulld, V_MULLO, 4)
VB(pmulhw, V_MULHI, 2)
VB(pmulhuw, V_MULHU, 2)
VB(pmulhrsw, V_MULHRS, 2)
VB(psignb, V_SIGN, 1)
VB(psignw, V_SIGN, 2)
VB(psignd, V_SIGN, 4)

/* VPSLLV/VPSRLV/VPSRAV: VEX.W (the operand size) selects dword or qword elements. */
#define VV(name, op)                                                                               \
	static void f_##name##d(ae_cpu *cpu, const vargs *v, uint8_t *r)                           \
	{                                                                                          \
		(void)cpu;                                                                         \
		vbin(v, r, op, 4);                                                                 \
	}                                                                                          \
	static void f_##name##q(ae_cpu *cpu, const vargs *v, uint8_t *r)                           \
	{                                                                                          \
		(void)cpu;                                                                         \
		vbin(v, r, op, 8);                                                                 \
	}                                                                                          \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		vec_run(cpu, in, in->opsize == 8 ? f_##name##q : f_##name##d, 0);                  \
	}
VV(vpsllv, V_SLLV)
VV(vpsrlv, V_SRLV)
VV(vpsrav, V_SRAV)

/* --- unary and widening ----------------------------------------------------------------- */

static void vabs(const vargs *v, uint8_t *r, unsigned esz)
{
	for (unsigned i = 0; i < v->vl; i += esz) {
		int64_t x = exec_sext(vrd(v->b + i, esz), esz);
		vwr(r + i, esz, (uint64_t)(x < 0 ? -x : x));
	}
}
#define VABS(name, esz)                                                                            \
	static void f_##name(ae_cpu *cpu, const vargs *v, uint8_t *r)                              \
	{                                                                                          \
		(void)cpu;                                                                         \
		vabs(v, r, esz);                                                                   \
	}                                                                                          \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		vec_run(cpu, in, f_##name, 0);                                                     \
	}
VABS(pabsb, 1)
VABS(pabsw, 2)
VABS(pabsd, 4)

/* PMOVSX/PMOVZX: the low vl/(to/from) bytes of the source, widened (not lane-split). */
static void vmovx(const vargs *v, uint8_t *r, unsigned from, unsigned to, bool sx)
{
	for (unsigned i = 0, j = 0; i < v->vl; i += to, j += from) {
		uint64_t x = vrd(v->b + j, from);
		vwr(r + i, to, sx ? (uint64_t)exec_sext(x, from) : x);
	}
}
#define VMOVX(name, from, to, sx)                                                                  \
	static void f_##name(ae_cpu *cpu, const vargs *v, uint8_t *r)                              \
	{                                                                                          \
		(void)cpu;                                                                         \
		vmovx(v, r, from, to, sx);                                                         \
	}                                                                                          \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		vec_run(cpu, in, f_##name, 0);                                                     \
	}
VMOVX(pmovsxbw, 1, 2, true)
VMOVX(pmovsxbd, 1, 4, true)
VMOVX(pmovsxbq, 1, 8, true)
VMOVX(pmovsxwd, 2, 4, true)
VMOVX(pmovsxwq, 2, 8, true)
VMOVX(pmovsxdq, 4, 8, true)
VMOVX(pmovzxbw, 1, 2, false)
VMOVX(pmovzxbd, 1, 4, false)
VMOVX(pmovzxbq, 1, 8, false)
VMOVX(pmovzxwd, 2, 4, false)
VMOVX(pmovzxwq, 2, 8, false)
VMOVX(pmovzxdq, 4, 8, false)

/* --- multiplies and sums ------------------------------------------------------------------ */

static void f_pmuludq(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	for (unsigned i = 0; i < v->vl; i += 8)
		vwr(r + i, 8, vrd(v->a + i, 4) * vrd(v->b + i, 4));
}

static void f_pmuldq(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	for (unsigned i = 0; i < v->vl; i += 8)
		vwr(r + i, 8, (uint64_t)((int64_t)(int32_t)vrd(v->a + i, 4) *
					 (int64_t)(int32_t)vrd(v->b + i, 4)));
}

static void f_pmaddwd(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	for (unsigned i = 0; i < v->vl; i += 4) {
		int64_t s = (int64_t)(int16_t)vrd(v->a + i, 2) * (int16_t)vrd(v->b + i, 2) +
			    (int64_t)(int16_t)vrd(v->a + i + 2, 2) * (int16_t)vrd(v->b + i + 2, 2);
		vwr(r + i, 4, (uint64_t)s);
	}
}

/* PMADDUBSW: unsigned bytes of the first operand times signed bytes of the second. */
static void f_pmaddubsw(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	for (unsigned i = 0; i < v->vl; i += 2) {
		int64_t s = (int64_t)v->a[i] * (int8_t)v->b[i] +
			    (int64_t)v->a[i + 1] * (int8_t)v->b[i + 1];
		vwr(r + i, 2, (uint64_t)sat_s(s, 2));
	}
}

static void f_psadbw(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	for (unsigned i = 0; i < v->vl; i += 8) {
		unsigned s = 0;
		for (unsigned j = 0; j < 8; j++)
			s += (unsigned)abs((int)v->a[i + j] - (int)v->b[i + j]);
		vwr(r + i, 8, s);
	}
}

/* PHADD/PHSUB: pairs of the first operand, then pairs of the second, per 128-bit lane. */
static void hop(const vargs *v, uint8_t *r, unsigned esz, int op)
{
	unsigned n = lane_n(v), half = n / 2;
	LANE_LOOP(v, off)
	{
		for (unsigned s = 0; s < 2; s++) {
			const uint8_t *src = (s ? v->b : v->a) + off;
			for (unsigned i = 0; i < n; i += 2 * esz)
				vwr(r + off + s * half + i / 2, esz,
				    elem_op(op, vrd(src + i, esz), vrd(src + i + esz, esz), esz));
		}
	}
}
#define VH(name, esz, op)                                                                          \
	static void f_##name(ae_cpu *cpu, const vargs *v, uint8_t *r)                              \
	{                                                                                          \
		(void)cpu;                                                                         \
		hop(v, r, esz, op);                                                                \
	}                                                                                          \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		vec_run(cpu, in, f_##name, 0);                                                     \
	}
VH(phaddw, 2, V_ADD)
VH(phaddd, 4, V_ADD)
VH(phaddsw, 2, V_ADDS)
VH(phsubw, 2, V_SUB)
VH(phsubd, 4, V_SUB)
VH(phsubsw, 2, V_SUBS)

/* --- shifts ------------------------------------------------------------------------------- */

static void vshift(const vargs *v, uint8_t *r, unsigned esz, int kind /* 0 l, 1 r, 2 a */)
{
	uint64_t count = v->has_imm ? v->imm : vrd(v->b, 8);
	unsigned bits = esz * 8;
	for (unsigned i = 0; i < v->vl; i += esz) {
		uint64_t x = vrd(v->a + i, esz), z;
		if (kind == 2)
			z = (uint64_t)(exec_sext(x, esz) >> (count >= bits ? bits - 1 : count));
		else if (count >= bits)
			z = 0;
		else
			z = kind == 0 ? x << count : x >> count;
		vwr(r + i, esz, z);
	}
}
#define VS(name, esz, kind)                                                                        \
	static void f_##name(ae_cpu *cpu, const vargs *v, uint8_t *r)                              \
	{                                                                                          \
		(void)cpu;                                                                         \
		vshift(v, r, esz, kind);                                                           \
	}                                                                                          \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		vec_run(cpu, in, f_##name, 0);                                                     \
	}
VS(psllw, 2, 0)
VS(pslld, 4, 0)
VS(psllq, 8, 0)
VS(psrlw, 2, 1)
VS(psrld, 4, 1)
VS(psrlq, 8, 1)
VS(psraw, 2, 2)
VS(psrad, 4, 2)

static void byte_shift(const vargs *v, uint8_t *r, bool left)
{
	unsigned c = v->imm > 16 ? 16 : v->imm;
	LANE_LOOP(v, off)
	{
		for (unsigned i = 0; i < 16; i++) {
			int j = left ? (int)i - (int)c : (int)(i + c);
			r[off + i] = j >= 0 && j < 16 ? v->a[off + j] : 0;
		}
	}
}
static void f_pslldq(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	byte_shift(v, r, true);
}
static void f_psrldq(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	byte_shift(v, r, false);
}

/* PALIGNR: (first:second) as a 2n-byte value shifted right by imm bytes, per lane. */
static void f_palignr(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	unsigned n = lane_n(v);
	LANE_LOOP(v, off)
	{
		for (unsigned i = 0; i < n; i++) {
			unsigned j = i + v->imm;
			r[off + i] = j < n ? v->b[off + j] : j < 2 * n ? v->a[off + j - n] : 0;
		}
	}
}

/* --- packs and unpacks -------------------------------------------------------------------- */

static void pack(const vargs *v, uint8_t *r, unsigned esz, bool usat)
{
	unsigned n = lane_n(v), half = esz / 2;
	LANE_LOOP(v, off)
	{
		unsigned k = off;
		for (unsigned s = 0; s < 2; s++) {
			const uint8_t *src = (s ? v->b : v->a) + off;
			for (unsigned i = 0; i < n; i += esz, k += half) {
				int64_t x = exec_sext(vrd(src + i, esz), esz);
				vwr(r + k, half, usat ? sat_u(x, half) : (uint64_t)sat_s(x, half));
			}
		}
	}
}
#define VP(name, esz, usat)                                                                        \
	static void f_##name(ae_cpu *cpu, const vargs *v, uint8_t *r)                              \
	{                                                                                          \
		(void)cpu;                                                                         \
		pack(v, r, esz, usat);                                                             \
	}                                                                                          \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		vec_run(cpu, in, f_##name, 0);                                                     \
	}
VP(packsswb, 2, false)
VP(packssdw, 4, false)
VP(packuswb, 2, true)
VP(packusdw, 4, true)

static void unpack(const vargs *v, uint8_t *r, unsigned esz, bool high)
{
	unsigned n = lane_n(v);
	LANE_LOOP(v, off)
	{
		unsigned base = off + (high ? n / 2 : 0);
		for (unsigned i = 0; i < n / 2; i += esz) {
			memcpy(r + off + 2 * i, v->a + base + i, esz);
			memcpy(r + off + 2 * i + esz, v->b + base + i, esz);
		}
	}
}
#define VU(name, esz, high)                                                                        \
	static void f_##name(ae_cpu *cpu, const vargs *v, uint8_t *r)                              \
	{                                                                                          \
		(void)cpu;                                                                         \
		unpack(v, r, esz, high);                                                           \
	}                                                                                          \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		vec_run(cpu, in, f_##name, 0);                                                    \
	}
VU(punpcklbw, 1, false)
VU(punpcklwd, 2, false)
VU(punpckldq, 4, false)
VU(punpcklqdq, 8, false)
VU(punpckhbw, 1, true)
VU(punpckhwd, 2, true)
VU(punpckhdq, 4, true)
VU(punpckhqdq, 8, true)
VU(unpcklps, 4, false)
VU(unpcklpd, 8, false)
VU(unpckhps, 4, true)
VU(unpckhpd, 8, true)

/* --- shuffles ----------------------------------------------------------------------------- */

static void f_pshufb(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	unsigned n = lane_n(v);
	LANE_LOOP(v, off)
	{
		for (unsigned i = 0; i < n; i++) {
			uint8_t s = v->b[off + i];
			r[off + i] = (s & 0x80) ? 0 : v->a[off + (s & (n - 1))];
		}
	}
}

static void f_pshufd(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	LANE_LOOP(v, off)
	for (unsigned i = 0; i < 4; i++)
		memcpy(r + off + 4 * i, v->b + off + 4 * ((v->imm >> (2 * i)) & 3), 4);
}

static void pshufw_half(const vargs *v, uint8_t *r, unsigned h)
{
	memcpy(r, v->b, v->vl);
	LANE_LOOP(v, off)
	for (unsigned i = 0; i < 4; i++)
		memcpy(r + off + h + 2 * i, v->b + off + h + 2 * ((v->imm >> (2 * i)) & 3), 2);
}
static void f_pshuflw(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	pshufw_half(v, r, 0);
}
static void f_pshufhw(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	pshufw_half(v, r, 8);
}

static void f_shufps(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	LANE_LOOP(v, off)
	{
		for (unsigned i = 0; i < 4; i++) {
			const uint8_t *src = (i < 2 ? v->a : v->b) + off;
			memcpy(r + off + 4 * i, src + 4 * ((v->imm >> (2 * i)) & 3), 4);
		}
	}
}

static void f_shufpd(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	for (unsigned i = 0; i < v->vl / 8; i++) {
		const uint8_t *src = (i & 1 ? v->b : v->a) + (i / 2) * 16;
		memcpy(r + 8 * i, src + 8 * ((v->imm >> i) & 1), 8);
	}
}

/* MOVSLDUP/MOVSHDUP/MOVDDUP (SSE3). */
static void f_movsldup(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	for (unsigned i = 0; i < v->vl; i += 8)
		memcpy(r + i, v->b + i, 4), memcpy(r + i + 4, v->b + i, 4);
}
static void f_movshdup(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	for (unsigned i = 0; i < v->vl; i += 8)
		memcpy(r + i, v->b + i + 4, 4), memcpy(r + i + 4, v->b + i + 4, 4);
}
static void f_movddup(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	for (unsigned i = 0; i < v->vl; i += 16)
		memcpy(r + i, v->b + i, 8), memcpy(r + i + 8, v->b + i, 8);
}

/* --- blends ------------------------------------------------------------------------------- */

static void blendv(const vargs *v, uint8_t *r, unsigned esz)
{
	for (unsigned i = 0; i < v->vl; i += esz)
		memcpy(r + i, (v->c[i + esz - 1] & 0x80) ? v->b + i : v->a + i, esz);
}
static void f_pblendvb(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	blendv(v, r, 1);
}
static void f_blendvps(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	blendv(v, r, 4);
}
static void f_blendvpd(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	blendv(v, r, 8);
}

/* BLENDPS/BLENDPD/VPBLENDD: one immediate bit per element; PBLENDW: per word of each lane. */
static void blendi(const vargs *v, uint8_t *r, unsigned esz, bool per_lane)
{
	for (unsigned i = 0, e = 0; i < v->vl; i += esz, e++) {
		unsigned bit = per_lane ? e % (16 / esz) : e;
		memcpy(r + i, ((v->imm >> bit) & 1) ? v->b + i : v->a + i, esz);
	}
}
static void f_blendps(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	blendi(v, r, 4, false);
}
static void f_blendpd(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	blendi(v, r, 8, false);
}
static void f_pblendw(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	blendi(v, r, 2, true);
}
static void f_pblendd(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	blendi(v, r, 4, false);
}

#define VR(name, flags)                                                                            \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		vec_run(cpu, in, f_##name, flags);                                                 \
	}
VR(pmuludq, 0)
VR(pmuldq, 0)
VR(pmaddwd, 0)
VR(pmaddubsw, 0)
VR(psadbw, 0)
VR(pslldq, 0)
VR(psrldq, 0)
VR(palignr, 0)
VR(pshufb, 0)
VR(pshufd, 0)
VR(pshuflw, 0)
VR(pshufhw, 0)
VR(shufps, 0)
VR(shufpd, 0)
VR(movsldup, 0)
VR(movshdup, 0)
VR(pblendvb, 0)
VR(blendvps, 0)
VR(blendvpd, 0)
VR(blendps, 0)
VR(blendpd, 0)
VR(pblendw, 0)
VR(pblendd, 0)

/* MOVDDUP reads 8 bytes from memory in its 128-bit form: no alignment rule. */
static void h_movddup(ae_cpu *cpu, const ae_insn *in)
{
	vec_run(cpu, in, f_movddup, VF_NOALIGN);
}

#define E(name)                                                                                    \
	{                                                                                          \
		#name, h_##name                                                                    \
	}
const exec_handler_def exec_vint_handlers[] = {
	E(paddb), E(paddw), E(paddd), E(paddq), E(psubb), E(psubw), E(psubd), E(psubq),
	E(paddsb), E(paddsw), E(paddusb), E(paddusw), E(psubsb), E(psubsw), E(psubusb),
	E(psubusw), E(pcmpeqb), E(pcmpeqw), E(pcmpeqd), E(pcmpeqq), E(pcmpgtb), E(pcmpgtw),
	E(pcmpgtd), E(pcmpgtq), E(pminub), E(pminuw), E(pminud), E(pmaxub), E(pmaxuw), E(pmaxud),
	E(pminsb), E(pminsw), E(pminsd), E(pmaxsb), E(pmaxsw), E(pmaxsd), E(pavgb), E(pavgw),
	E(pand), E(pandn), E(por), E(pxor), E(pmullw), E(pmulld), E(pmulhw), E(pmulhuw),
	E(pmulhrsw), E(psignb), E(psignw), E(psignd), E(vpsllv), E(vpsrlv), E(vpsrav),
	E(pabsb), E(pabsw), E(pabsd), E(pmovsxbw), E(pmovsxbd), E(pmovsxbq), E(pmovsxwd),
	E(pmovsxwq), E(pmovsxdq), E(pmovzxbw), E(pmovzxbd), E(pmovzxbq), E(pmovzxwd),
	E(pmovzxwq), E(pmovzxdq), E(pmuludq), E(pmuldq), E(pmaddwd), E(pmaddubsw), E(psadbw),
	E(phaddw), E(phaddd), E(phaddsw), E(phsubw), E(phsubd), E(phsubsw), E(psllw), E(pslld),
	E(psllq), E(psrlw), E(psrld), E(psrlq), E(psraw), E(psrad), E(pslldq), E(psrldq),
	E(palignr), E(packsswb), E(packssdw), E(packuswb), E(packusdw), E(punpcklbw),
	E(punpcklwd), E(punpckldq), E(punpcklqdq), E(punpckhbw), E(punpckhwd), E(punpckhdq),
	E(punpckhqdq), E(unpcklps), E(unpcklpd), E(unpckhps), E(unpckhpd), E(pshufb), E(pshufd),
	E(pshuflw), E(pshufhw), E(shufps), E(shufpd), E(movsldup), E(movshdup), E(movddup),
	E(pblendvb), E(blendvps), E(blendvpd), E(blendps), E(blendpd), E(pblendw), E(pblendd),
	{"andps", h_pand}, {"andpd", h_pand}, {"andnps", h_pandn}, {"andnpd", h_pandn},
	{"orps", h_por}, {"orpd", h_por}, {"xorps", h_pxor}, {"xorpd", h_pxor},
	{NULL, NULL},
};
