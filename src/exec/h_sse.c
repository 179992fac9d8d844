/* SSE/SSE2 handlers (legacy encodings; MMX forms of the same instructions share them, with
 * 8-byte registers aliasing the x87 registers). Legacy SSE leaves bits 128 and up of the
 * destination unchanged. A 16-byte memory operand must be 16-byte aligned (#GP) except for
 * the unaligned moves (SDM Vol. 1, 10.4.1.1).
 *
 * Floating point uses the host's IEEE arithmetic with the default MXCSR (round to nearest,
 * exceptions masked); other MXCSR settings are not modelled yet. */
#include <stdlib.h>

#include "exec_internal.h"

/* Correctly rounded square root without libm (the library links no math library). */
static double fsqrt(double x)
{
#if defined(__x86_64__)
	double r;
	__asm__("sqrtsd %1, %0" : "=x"(r) : "x"(x));
	return r;
#else
	if (!(x > 0) || x != x || x > 1.7976931348623157e308)
		return x == 0 || x != x || x > 0 ? x : (x - x) / (x - x);
	long double r = x;
	for (int i = 0; i < 64; i++)
		r = 0.5L * (r + (long double)x / r);
	return (double)r;
#endif
}

static uint8_t *vreg(ae_cpu *cpu, unsigned reg)
{
	if (reg >= AE_R_VEC && reg < AE_R_VEC + 32)
		return cpu->vec[reg - AE_R_VEC];
	if (reg >= AE_R_MM && reg < AE_R_MM + 8)
		return cpu->st[reg - AE_R_MM];
	exec_ud(cpu);
}

/* Reads operand i as bytes (zero-padded to 16). n: bytes wanted from a register. */
static void src_bytes(ae_cpu *cpu, const ae_insn *in, unsigned i, uint8_t out[16], unsigned n,
		      bool align)
{
	const ae_operand *o = &in->ops[i];
	memset(out, 0, 16);
	if (o->kind == AE_OP_REG) {
		if (o->reg < 32) {
			uint64_t v = exec_gpr_read(cpu, o->reg, o->size);
			memcpy(out, &v, 8);
		} else {
			memcpy(out, vreg(cpu, o->reg), n > 16 ? 16 : n);
		}
		return;
	}
	if (o->kind != AE_OP_MEM)
		exec_ud(cpu);
	uint64_t addr = exec_ea(cpu, in);
	if (align && in->memsz == 16 && (addr & 15))
		exec_gp(cpu);
	exec_read_bytes(cpu, addr, out, in->memsz > 16 ? 16 : in->memsz);
}

static unsigned vsize(const ae_insn *in, unsigned i)
{
	const ae_operand *o = &in->ops[i];
	if (o->kind == AE_OP_MEM)
		return in->memsz;
	if (o->reg >= AE_R_MM && o->reg < AE_R_MM + 8)
		return 8;
	if (o->reg < 32)
		return o->size;
	return 16;
}

/* Writes n bytes to operand i (a vector register keeps its other bytes unless zx). */
static void dst_bytes(ae_cpu *cpu, const ae_insn *in, unsigned i, const uint8_t *v, unsigned n,
		      bool zx, bool align)
{
	const ae_operand *o = &in->ops[i];
	if (o->kind == AE_OP_MEM) {
		uint64_t addr = exec_ea(cpu, in);
		if (align && n == 16 && (addr & 15))
			exec_gp(cpu);
		exec_write_bytes(cpu, addr, v, n);
		return;
	}
	if (o->reg < 32) {
		uint64_t x = 0;
		memcpy(&x, v, n > 8 ? 8 : n);
		exec_gpr_write(cpu, o->reg, o->size, x);
		return;
	}
	uint8_t *r = vreg(cpu, o->reg);
	unsigned full = (o->reg >= AE_R_MM && o->reg < AE_R_MM + 8) ? 8 : 16;
	if (zx)
		memset(r, 0, full);
	memcpy(r, v, n);
}

static uint64_t rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	memcpy(&v, p, n);
	return v;
}

static void wr(uint8_t *p, unsigned n, uint64_t v)
{
	memcpy(p, &v, n);
}

/* --- moves -------------------------------------------------------------------------------- */

static void move(ae_cpu *cpu, const ae_insn *in, bool align)
{
	uint8_t b[16];
	unsigned n = vsize(in, 0) < vsize(in, 1) ? vsize(in, 0) : vsize(in, 1);
	src_bytes(cpu, in, 1, b, n, align);
	dst_bytes(cpu, in, 0, b, n, false, align);
}

static void h_mova(ae_cpu *cpu, const ae_insn *in)
{
	move(cpu, in, true);
}

static void h_movu(ae_cpu *cpu, const ae_insn *in)
{
	move(cpu, in, false);
}

/* MOVD/MOVQ: to a vector register the value is zero-extended to the register. */
static void h_movdq(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t b[16];
	const ae_operand *d = &in->ops[0], *s = &in->ops[1];
	unsigned n;
	if (s->kind == AE_OP_REG && s->reg < 32)
		n = s->size;
	else if (d->kind == AE_OP_REG && d->reg < 32)
		n = d->size;
	else if (s->kind == AE_OP_MEM)
		n = in->memsz;
	else if (d->kind == AE_OP_MEM)
		n = in->memsz;
	else
		n = 8;
	src_bytes(cpu, in, 1, b, n, false);
	memset(b + n, 0, 16 - n);
	bool tovec = d->kind == AE_OP_REG && d->reg >= 32;
	dst_bytes(cpu, in, 0, b, tovec ? vsize(in, 0) : n, false, false);
}

/* MOVSS/MOVSD: register to register merges the low element; a load zeroes the rest. */
static void movs_scalar(ae_cpu *cpu, const ae_insn *in, unsigned esz)
{
	uint8_t b[16];
	src_bytes(cpu, in, 1, b, esz, false);
	bool load = in->ops[1].kind == AE_OP_MEM;
	dst_bytes(cpu, in, 0, b, load ? 16 : esz, false, false);
}

static void h_movss(ae_cpu *cpu, const ae_insn *in)
{
	movs_scalar(cpu, in, 4);
}
static void h_movsd(ae_cpu *cpu, const ae_insn *in)
{
	movs_scalar(cpu, in, 8);
}

/* MOVLPS/MOVLPD/MOVHPS/MOVHPD (memory forms), MOVHLPS/MOVLHPS (register forms). */
static void half_move(ae_cpu *cpu, const ae_insn *in, bool high)
{
	uint8_t b[16];
	if (in->ops[0].kind == AE_OP_MEM) {
		const uint8_t *r = vreg(cpu, in->ops[1].reg);
		exec_write_bytes(cpu, exec_ea(cpu, in), r + (high ? 8 : 0), 8);
		return;
	}
	src_bytes(cpu, in, 1, b, 16, false);
	memcpy(vreg(cpu, in->ops[0].reg) + (high ? 8 : 0), b, 8);
}

static void h_movlp(ae_cpu *cpu, const ae_insn *in)
{
	half_move(cpu, in, false);
}
static void h_movhp(ae_cpu *cpu, const ae_insn *in)
{
	half_move(cpu, in, true);
}
static void h_movhlps(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t *d = vreg(cpu, in->ops[0].reg);
	memmove(d, vreg(cpu, in->ops[1].reg) + 8, 8);
}
static void h_movlhps(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t *d = vreg(cpu, in->ops[0].reg);
	memmove(d + 8, vreg(cpu, in->ops[1].reg), 8);
}

/* --- element-wise integer operations ------------------------------------------------------ */

enum {
	V_ADD, V_SUB, V_ADDS, V_ADDUS, V_SUBS, V_SUBUS, V_CMPEQ, V_CMPGT, V_MINU, V_MAXU,
	V_MINS, V_MAXS, V_AVG, V_AND, V_ANDN, V_OR, V_XOR, V_MULLO, V_MULHI, V_MULHU,
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

static void vbin(ae_cpu *cpu, const ae_insn *in, int op, unsigned esz)
{
	unsigned n = vsize(in, 0);
	uint8_t a[16], b[16], r[16];
	memcpy(a, vreg(cpu, in->ops[0].reg), n);
	src_bytes(cpu, in, 1, b, n, true);
	uint64_t m = exec_mask(esz);
	for (unsigned i = 0; i < n; i += esz) {
		uint64_t x = rd(a + i, esz), y = rd(b + i, esz), z;
		int64_t sx = exec_sext(x, esz), sy = exec_sext(y, esz);
		switch (op) {
		case V_ADD: z = x + y; break;
		case V_SUB: z = x - y; break;
		case V_ADDS: z = (uint64_t)sat_s(sx + sy, esz); break;
		case V_SUBS: z = (uint64_t)sat_s(sx - sy, esz); break;
		case V_ADDUS: z = sat_u((int64_t)(x + y), esz); break;
		case V_SUBUS: z = sat_u((int64_t)x - (int64_t)y, esz); break;
		case V_CMPEQ: z = x == y ? m : 0; break;
		case V_CMPGT: z = sx > sy ? m : 0; break;
		case V_MINU: z = x < y ? x : y; break;
		case V_MAXU: z = x > y ? x : y; break;
		case V_MINS: z = sx < sy ? x : y; break;
		case V_MAXS: z = sx > sy ? x : y; break;
		case V_AVG: z = (x + y + 1) >> 1; break;
		case V_AND: z = x & y; break;
		case V_ANDN: z = ~x & y; break;
		case V_OR: z = x | y; break;
		case V_XOR: z = x ^ y; break;
		case V_MULLO: z = (uint64_t)(sx * sy); break;
		case V_MULHI: z = (uint64_t)((sx * sy) >> (esz * 8)); break;
		default: z = (x * y) >> (esz * 8); break;
		}
		wr(r + i, esz, z & m);
	}
	memcpy(vreg(cpu, in->ops[0].reg), r, n);
}

#define VBIN(name, op, esz)                                                                        \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		vbin(cpu, in, op, esz);                                                            \
	}
VBIN(paddb, V_ADD, 1)
VBIN(paddw, V_ADD, 2)
VBIN(paddd, V_ADD, 4)
VBIN(paddq, V_ADD, 8)
VBIN(psubb, V_SUB, 1)
VBIN(psubw, V_SUB, 2)
VBIN(psubd, V_SUB, 4)
VBIN(psubq, V_SUB, 8)
VBIN(paddsb, V_ADDS, 1)
VBIN(paddsw, V_ADDS, 2)
VBIN(paddusb, V_ADDUS, 1)
VBIN(paddusw, V_ADDUS, 2)
VBIN(psubsb, V_SUBS, 1)
VBIN(psubsw, V_SUBS, 2)
VBIN(psubusb, V_SUBUS, 1)
VBIN(psubusw, V_SUBUS, 2)
VBIN(pcmpeqb, V_CMPEQ, 1)
VBIN(pcmpeqw, V_CMPEQ, 2)
VBIN(pcmpeqd, V_CMPEQ, 4)
VBIN(pcmpgtb, V_CMPGT, 1)
VBIN(pcmpgtw, V_CMPGT, 2)
VBIN(pcmpgtd, V_CMPGT, 4)
VBIN(pminub, V_MINU, 1)
VBIN(pmaxub, V_MAXU, 1)
VBIN(pminsw, V_MINS, 2)
VBIN(pmaxsw, V_MAXS, 2)
VBIN(pavgb, V_AVG, 1)
VBIN(pavgw, V_AVG, 2)
VBIN(pand, V_AND, 8)
VBIN(pandn, V_ANDN, 8)
VBIN(por, V_OR, 8)
VBIN(pxor, V_XOR, 8)
VBIN(pmullw, V_MULLO, 2)
VBIN(pmulhw, V_MULHI, 2)
VBIN(pmulhuw, V_MULHU, 2)

static void h_pmuludq(ae_cpu *cpu, const ae_insn *in)
{
	unsigned n = vsize(in, 0);
	uint8_t a[16], b[16];
	uint8_t *d = vreg(cpu, in->ops[0].reg);
	memcpy(a, d, n);
	src_bytes(cpu, in, 1, b, n, true);
	for (unsigned i = 0; i < n; i += 8)
		wr(d + i, 8, rd(a + i, 4) * rd(b + i, 4));
}

static void h_pmaddwd(ae_cpu *cpu, const ae_insn *in)
{
	unsigned n = vsize(in, 0);
	uint8_t a[16], b[16];
	uint8_t *d = vreg(cpu, in->ops[0].reg);
	memcpy(a, d, n);
	src_bytes(cpu, in, 1, b, n, true);
	for (unsigned i = 0; i < n; i += 4) {
		int32_t s = (int16_t)rd(a + i, 2) * (int16_t)rd(b + i, 2);
		s = (int32_t)((uint32_t)s + (uint32_t)((int16_t)rd(a + i + 2, 2) *
						       (int16_t)rd(b + i + 2, 2)));
		wr(d + i, 4, (uint32_t)s);
	}
}

static void h_psadbw(ae_cpu *cpu, const ae_insn *in)
{
	unsigned n = vsize(in, 0);
	uint8_t a[16], b[16];
	uint8_t *d = vreg(cpu, in->ops[0].reg);
	memcpy(a, d, n);
	src_bytes(cpu, in, 1, b, n, true);
	for (unsigned i = 0; i < n; i += 8) {
		unsigned s = 0;
		for (unsigned j = 0; j < 8; j++)
			s += (unsigned)abs((int)a[i + j] - (int)b[i + j]);
		wr(d + i, 8, s);
	}
}

/* --- unpack and pack ---------------------------------------------------------------------- */

static void unpack(ae_cpu *cpu, const ae_insn *in, unsigned esz, bool high)
{
	unsigned n = vsize(in, 0);
	uint8_t a[16], b[16], r[16];
	uint8_t *d = vreg(cpu, in->ops[0].reg);
	memcpy(a, d, n);
	src_bytes(cpu, in, 1, b, n, in->memsz == 16);
	unsigned base = high ? n / 2 : 0;
	for (unsigned i = 0; i < n / 2; i += esz) {
		memcpy(r + 2 * i, a + base + i, esz);
		memcpy(r + 2 * i + esz, b + base + i, esz);
	}
	memcpy(d, r, n);
}

#define UNPACK(name, esz, high)                                                                    \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		unpack(cpu, in, esz, high);                                                        \
	}
UNPACK(punpcklbw, 1, false)
UNPACK(punpcklwd, 2, false)
UNPACK(punpckldq, 4, false)
UNPACK(punpcklqdq, 8, false)
UNPACK(punpckhbw, 1, true)
UNPACK(punpckhwd, 2, true)
UNPACK(punpckhdq, 4, true)
UNPACK(punpckhqdq, 8, true)
UNPACK(unpcklps, 4, false)
UNPACK(unpcklpd, 8, false)
UNPACK(unpckhps, 4, true)
UNPACK(unpckhpd, 8, true)

static void pack(ae_cpu *cpu, const ae_insn *in, unsigned esz, bool usat)
{
	unsigned n = vsize(in, 0), half = esz / 2;
	uint8_t a[16], b[16], r[16];
	uint8_t *d = vreg(cpu, in->ops[0].reg);
	memcpy(a, d, n);
	src_bytes(cpu, in, 1, b, n, true);
	unsigned k = 0;
	for (unsigned s = 0; s < 2; s++) {
		const uint8_t *src = s ? b : a;
		for (unsigned i = 0; i < n; i += esz, k += half) {
			int64_t v = exec_sext(rd(src + i, esz), esz);
			wr(r + k, half, usat ? sat_u(v, half) : (uint64_t)sat_s(v, half));
		}
	}
	memcpy(d, r, n);
}

static void h_packsswb(ae_cpu *cpu, const ae_insn *in)
{
	pack(cpu, in, 2, false);
}
static void h_packssdw(ae_cpu *cpu, const ae_insn *in)
{
	pack(cpu, in, 4, false);
}
static void h_packuswb(ae_cpu *cpu, const ae_insn *in)
{
	pack(cpu, in, 2, true);
}

/* --- shuffles ----------------------------------------------------------------------------- */

static void h_pshufd(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t b[16], r[16];
	src_bytes(cpu, in, 1, b, 16, true);
	unsigned imm = (unsigned)in->imm;
	for (unsigned i = 0; i < 4; i++)
		memcpy(r + 4 * i, b + 4 * ((imm >> (2 * i)) & 3), 4);
	memcpy(vreg(cpu, in->ops[0].reg), r, 16);
}

static void pshufw_half(ae_cpu *cpu, const ae_insn *in, unsigned off, unsigned n)
{
	uint8_t b[16], r[16];
	src_bytes(cpu, in, 1, b, n, n == 16);
	memcpy(r, b, 16);
	unsigned imm = (unsigned)in->imm;
	for (unsigned i = 0; i < 4; i++)
		memcpy(r + off + 2 * i, b + off + 2 * ((imm >> (2 * i)) & 3), 2);
	memcpy(vreg(cpu, in->ops[0].reg), r, n);
}

static void h_pshuflw(ae_cpu *cpu, const ae_insn *in)
{
	pshufw_half(cpu, in, 0, 16);
}
static void h_pshufhw(ae_cpu *cpu, const ae_insn *in)
{
	pshufw_half(cpu, in, 8, 16);
}
static void h_pshufw(ae_cpu *cpu, const ae_insn *in)
{
	pshufw_half(cpu, in, 0, 8);
}

static void h_shufps(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t b[16], r[16];
	uint8_t *d = vreg(cpu, in->ops[0].reg);
	src_bytes(cpu, in, 1, b, 16, true);
	unsigned imm = (unsigned)in->imm;
	memcpy(r, d + 4 * (imm & 3), 4);
	memcpy(r + 4, d + 4 * ((imm >> 2) & 3), 4);
	memcpy(r + 8, b + 4 * ((imm >> 4) & 3), 4);
	memcpy(r + 12, b + 4 * ((imm >> 6) & 3), 4);
	memcpy(d, r, 16);
}

static void h_shufpd(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t b[16], r[16];
	uint8_t *d = vreg(cpu, in->ops[0].reg);
	src_bytes(cpu, in, 1, b, 16, true);
	unsigned imm = (unsigned)in->imm;
	memcpy(r, d + 8 * (imm & 1), 8);
	memcpy(r + 8, b + 8 * ((imm >> 1) & 1), 8);
	memcpy(d, r, 16);
}

/* --- shifts ------------------------------------------------------------------------------- */

static void vshift(ae_cpu *cpu, const ae_insn *in, unsigned esz, int kind /* 0 l, 1 r, 2 a */)
{
	unsigned n = vsize(in, 0), bits = esz * 8;
	uint64_t count;
	if (in->ops[1].kind == AE_OP_IMM) {
		count = (uint64_t)in->imm & 0xff;
	} else {
		uint8_t b[16];
		src_bytes(cpu, in, 1, b, n, true);
		count = rd(b, 8);
	}
	uint8_t *d = vreg(cpu, in->ops[0].reg);
	for (unsigned i = 0; i < n; i += esz) {
		uint64_t x = rd(d + i, esz), z;
		if (kind == 2) {
			unsigned c = count >= bits ? bits - 1 : (unsigned)count;
			z = (uint64_t)(exec_sext(x, esz) >> c);
		} else if (count >= bits) {
			z = 0;
		} else {
			z = kind == 0 ? x << count : x >> count;
		}
		wr(d + i, esz, z & exec_mask(esz));
	}
}

#define VSHIFT(name, esz, kind)                                                                    \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		vshift(cpu, in, esz, kind);                                                        \
	}
VSHIFT(psllw, 2, 0)
VSHIFT(pslld, 4, 0)
VSHIFT(psllq, 8, 0)
VSHIFT(psrlw, 2, 1)
VSHIFT(psrld, 4, 1)
VSHIFT(psrlq, 8, 1)
VSHIFT(psraw, 2, 2)
VSHIFT(psrad, 4, 2)

static void byte_shift(ae_cpu *cpu, const ae_insn *in, bool left)
{
	uint8_t *d = vreg(cpu, in->ops[0].reg), r[16] = {0};
	unsigned c = (unsigned)in->imm & 0xff;
	if (c > 16)
		c = 16;
	if (left)
		memcpy(r + c, d, 16 - c);
	else
		memcpy(r, d + c, 16 - c);
	memcpy(d, r, 16);
}

static void h_pslldq(ae_cpu *cpu, const ae_insn *in)
{
	byte_shift(cpu, in, true);
}
static void h_psrldq(ae_cpu *cpu, const ae_insn *in)
{
	byte_shift(cpu, in, false);
}

/* --- masks, inserts, extracts --------------------------------------------------------------- */

static void h_pmovmskb(ae_cpu *cpu, const ae_insn *in)
{
	unsigned n = vsize(in, 1);
	const uint8_t *s = vreg(cpu, in->ops[1].reg);
	uint64_t m = 0;
	for (unsigned i = 0; i < n; i++)
		m |= (uint64_t)(s[i] >> 7) << i;
	exec_op_write_zx(cpu, in, 0, m);
}

static void movmsk(ae_cpu *cpu, const ae_insn *in, unsigned esz)
{
	const uint8_t *s = vreg(cpu, in->ops[1].reg);
	uint64_t m = 0;
	for (unsigned i = 0; i < 16 / esz; i++)
		m |= (uint64_t)(s[i * esz + esz - 1] >> 7) << i;
	exec_op_write_zx(cpu, in, 0, m);
}

static void h_movmskps(ae_cpu *cpu, const ae_insn *in)
{
	movmsk(cpu, in, 4);
}
static void h_movmskpd(ae_cpu *cpu, const ae_insn *in)
{
	movmsk(cpu, in, 8);
}

static void h_pinsrw(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t *d = vreg(cpu, in->ops[0].reg);
	unsigned lanes = vsize(in, 0) / 2;
	uint64_t v = exec_op_read(cpu, in, 1);
	wr(d + 2 * ((unsigned)in->imm % lanes), 2, v & 0xffff);
}

static void h_pextrw(ae_cpu *cpu, const ae_insn *in)
{
	const uint8_t *s = vreg(cpu, in->ops[1].reg);
	unsigned lanes = vsize(in, 1) / 2;
	uint64_t v = rd(s + 2 * ((unsigned)in->imm % lanes), 2);
	if (in->ops[0].kind == AE_OP_MEM)
		exec_write(cpu, exec_ea(cpu, in), 2, v);
	else
		exec_op_write_zx(cpu, in, 0, v);
}

/* --- floating point ----------------------------------------------------------------------- */

enum { F_ADD, F_SUB, F_MUL, F_DIV, F_MIN, F_MAX, F_SQRT };

static void fp_op(ae_cpu *cpu, const ae_insn *in, int op, unsigned esz, bool scalar)
{
	uint8_t b[16];
	uint8_t *d = vreg(cpu, in->ops[0].reg);
	unsigned n = scalar ? esz : 16;
	src_bytes(cpu, in, 1, b, n, !scalar);
	for (unsigned i = 0; i < n; i += esz) {
		double x, y, z;
		if (esz == 4) {
			float fx, fy;
			memcpy(&fx, d + i, 4), memcpy(&fy, b + i, 4);
			x = fx, y = fy;
		} else {
			memcpy(&x, d + i, 8), memcpy(&y, b + i, 8);
		}
		switch (op) {
		case F_ADD: z = x + y; break;
		case F_SUB: z = x - y; break;
		case F_MUL: z = x * y; break;
		case F_DIV: z = x / y; break;
		case F_MIN: z = x < y ? x : y; break; /* NaN or equal: the source */
		case F_MAX: z = x > y ? x : y; break;
		default: z = fsqrt(y); break;
		}
		if (esz == 4) {
			/* float arithmetic done in double then rounded once is exact for +-*, /
			 * and sqrt (the double result has enough precision). */
			float fz = (float)z;
			memcpy(d + i, &fz, 4);
		} else {
			memcpy(d + i, &z, 8);
		}
	}
}

#define FP(name, op, esz, scalar)                                                                  \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		fp_op(cpu, in, op, esz, scalar);                                                   \
	}
FP(addss, F_ADD, 4, true)
FP(addsd, F_ADD, 8, true)
FP(addps, F_ADD, 4, false)
FP(addpd, F_ADD, 8, false)
FP(subss, F_SUB, 4, true)
FP(subsd, F_SUB, 8, true)
FP(subps, F_SUB, 4, false)
FP(subpd, F_SUB, 8, false)
FP(mulss, F_MUL, 4, true)
FP(mulsd, F_MUL, 8, true)
FP(mulps, F_MUL, 4, false)
FP(mulpd, F_MUL, 8, false)
FP(divss, F_DIV, 4, true)
FP(divsd, F_DIV, 8, true)
FP(divps, F_DIV, 4, false)
FP(divpd, F_DIV, 8, false)
FP(minss, F_MIN, 4, true)
FP(minsd, F_MIN, 8, true)
FP(minps, F_MIN, 4, false)
FP(minpd, F_MIN, 8, false)
FP(maxss, F_MAX, 4, true)
FP(maxsd, F_MAX, 8, true)
FP(maxps, F_MAX, 4, false)
FP(maxpd, F_MAX, 8, false)
FP(sqrtss, F_SQRT, 4, true)
FP(sqrtsd, F_SQRT, 8, true)
FP(sqrtps, F_SQRT, 4, false)
FP(sqrtpd, F_SQRT, 8, false)

static void h_cvtsi2s(ae_cpu *cpu, const ae_insn *in, unsigned esz)
{
	unsigned sz = exec_opsize(in, 1);
	int64_t v = exec_sext(exec_op_read(cpu, in, 1) & exec_mask(sz), sz);
	uint8_t *d = vreg(cpu, in->ops[0].reg);
	if (esz == 4) {
		float f = (float)v;
		memcpy(d, &f, 4);
	} else {
		double x = (double)v;
		memcpy(d, &x, 8);
	}
}

static void h_cvtsi2ss(ae_cpu *cpu, const ae_insn *in)
{
	h_cvtsi2s(cpu, in, 4);
}
static void h_cvtsi2sd(ae_cpu *cpu, const ae_insn *in)
{
	h_cvtsi2s(cpu, in, 8);
}

/* Out-of-range conversions give the "integer indefinite" value; rounding is MXCSR's default,
 * to nearest even, or truncation. */
static int64_t to_int(double x, unsigned sz, bool trunc)
{
	double lim = sz == 8 ? 9223372036854775808.0 : 2147483648.0;
	int64_t bad = sz == 8 ? INT64_MIN : INT32_MIN;
	if (!(x < lim && (sz == 8 ? x >= -lim : x > -lim - 1.0)))
		return bad;
	int64_t t = (int64_t)x; /* toward zero */
	if (!trunc) {
		double frac = x - (double)t;
		if (frac > 0.5 || (frac == 0.5 && (t & 1)))
			t++;
		else if (frac < -0.5 || (frac == -0.5 && (t & 1)))
			t--;
	}
	if (sz == 4 && (t >= 2147483648LL || t < -2147483648LL))
		return bad;
	return t;
}

static void cvt2si(ae_cpu *cpu, const ae_insn *in, unsigned esz, bool trunc)
{
	uint8_t b[16];
	src_bytes(cpu, in, 1, b, esz, false);
	double x;
	if (esz == 4) {
		float f;
		memcpy(&f, b, 4);
		x = f;
	} else {
		memcpy(&x, b, 8);
	}
	unsigned sz = in->ops[0].size;
	exec_op_write(cpu, in, 0, (uint64_t)to_int(x, sz, trunc) & exec_mask(sz));
}

static void h_cvttss2si(ae_cpu *cpu, const ae_insn *in)
{
	cvt2si(cpu, in, 4, true);
}
static void h_cvttsd2si(ae_cpu *cpu, const ae_insn *in)
{
	cvt2si(cpu, in, 8, true);
}
static void h_cvtss2si(ae_cpu *cpu, const ae_insn *in)
{
	cvt2si(cpu, in, 4, false);
}
static void h_cvtsd2si(ae_cpu *cpu, const ae_insn *in)
{
	cvt2si(cpu, in, 8, false);
}

static void h_cvtss2sd(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t b[16];
	src_bytes(cpu, in, 1, b, 4, false);
	float f;
	memcpy(&f, b, 4);
	double x = f;
	memcpy(vreg(cpu, in->ops[0].reg), &x, 8);
}

static void h_cvtsd2ss(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t b[16];
	src_bytes(cpu, in, 1, b, 8, false);
	double x;
	memcpy(&x, b, 8);
	float f = (float)x;
	memcpy(vreg(cpu, in->ops[0].reg), &f, 4);
}

static void h_cvtdq2pd(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t b[16], r[16];
	src_bytes(cpu, in, 1, b, 8, false);
	for (unsigned i = 0; i < 2; i++) {
		double x = (int32_t)rd(b + 4 * i, 4);
		memcpy(r + 8 * i, &x, 8);
	}
	memcpy(vreg(cpu, in->ops[0].reg), r, 16);
}

static void h_cvtdq2ps(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t b[16], r[16];
	src_bytes(cpu, in, 1, b, 16, true);
	for (unsigned i = 0; i < 4; i++) {
		float f = (float)(int32_t)rd(b + 4 * i, 4);
		memcpy(r + 4 * i, &f, 4);
	}
	memcpy(vreg(cpu, in->ops[0].reg), r, 16);
}

static void h_cvttps2dq(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t b[16], r[16];
	src_bytes(cpu, in, 1, b, 16, true);
	for (unsigned i = 0; i < 4; i++) {
		float f;
		memcpy(&f, b + 4 * i, 4);
		wr(r + 4 * i, 4, (uint64_t)to_int(f, 4, true));
	}
	memcpy(vreg(cpu, in->ops[0].reg), r, 16);
}

static void h_cvttpd2dq(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t b[16], r[16] = {0};
	src_bytes(cpu, in, 1, b, 16, true);
	for (unsigned i = 0; i < 2; i++) {
		double x;
		memcpy(&x, b + 8 * i, 8);
		wr(r + 4 * i, 4, (uint64_t)to_int(x, 4, true));
	}
	memcpy(vreg(cpu, in->ops[0].reg), r, 16);
}

/* UCOMIS/COMIS: unordered sets ZF PF CF; OF SF AF are cleared. */
static void fcompare(ae_cpu *cpu, const ae_insn *in, unsigned esz)
{
	uint8_t b[16];
	const uint8_t *d = vreg(cpu, in->ops[0].reg);
	src_bytes(cpu, in, 1, b, esz, false);
	double x, y;
	if (esz == 4) {
		float fx, fy;
		memcpy(&fx, d, 4), memcpy(&fy, b, 4);
		x = fx, y = fy;
	} else {
		memcpy(&x, d, 8), memcpy(&y, b, 8);
	}
	uint64_t f;
	if (x != x || y != y)
		f = FL_ZF | FL_PF | FL_CF;
	else if (x < y)
		f = FL_CF;
	else if (x == y)
		f = FL_ZF;
	else
		f = 0;
	exec_flags_set(cpu, f);
}

static void h_ucomiss(ae_cpu *cpu, const ae_insn *in)
{
	fcompare(cpu, in, 4);
}
static void h_ucomisd(ae_cpu *cpu, const ae_insn *in)
{
	fcompare(cpu, in, 8);
}

const exec_handler_def exec_sse_handlers[] = {
	{"movaps", h_mova},
	{"movapd", h_mova},
	{"movdqa", h_mova},
	{"movntdq", h_mova},
	{"movntps", h_mova},
	{"movntpd", h_mova},
	{"movntdqa", h_mova},
	{"movups", h_movu},
	{"movupd", h_movu},
	{"movdqu", h_movu},
	{"lddqu", h_movu},
	{"movd", h_movdq},
	{"movq", h_movdq},
	{"movss", h_movss},
	{"movsd", h_movsd},
	{"movlps", h_movlp},
	{"movlpd", h_movlp},
	{"movhps", h_movhp},
	{"movhpd", h_movhp},
	{"movhlps", h_movhlps},
	{"movlhps", h_movlhps},
	{"paddb", h_paddb},
	{"paddw", h_paddw},
	{"paddd", h_paddd},
	{"paddq", h_paddq},
	{"psubb", h_psubb},
	{"psubw", h_psubw},
	{"psubd", h_psubd},
	{"psubq", h_psubq},
	{"paddsb", h_paddsb},
	{"paddsw", h_paddsw},
	{"paddusb", h_paddusb},
	{"paddusw", h_paddusw},
	{"psubsb", h_psubsb},
	{"psubsw", h_psubsw},
	{"psubusb", h_psubusb},
	{"psubusw", h_psubusw},
	{"pcmpeqb", h_pcmpeqb},
	{"pcmpeqw", h_pcmpeqw},
	{"pcmpeqd", h_pcmpeqd},
	{"pcmpgtb", h_pcmpgtb},
	{"pcmpgtw", h_pcmpgtw},
	{"pcmpgtd", h_pcmpgtd},
	{"pminub", h_pminub},
	{"pmaxub", h_pmaxub},
	{"pminsw", h_pminsw},
	{"pmaxsw", h_pmaxsw},
	{"pavgb", h_pavgb},
	{"pavgw", h_pavgw},
	{"pand", h_pand},
	{"pandn", h_pandn},
	{"por", h_por},
	{"pxor", h_pxor},
	{"andps", h_pand},
	{"andpd", h_pand},
	{"andnps", h_pandn},
	{"andnpd", h_pandn},
	{"orps", h_por},
	{"orpd", h_por},
	{"xorps", h_pxor},
	{"xorpd", h_pxor},
	{"pmullw", h_pmullw},
	{"pmulhw", h_pmulhw},
	{"pmulhuw", h_pmulhuw},
	{"pmuludq", h_pmuludq},
	{"pmaddwd", h_pmaddwd},
	{"psadbw", h_psadbw},
	{"punpcklbw", h_punpcklbw},
	{"punpcklwd", h_punpcklwd},
	{"punpckldq", h_punpckldq},
	{"punpcklqdq", h_punpcklqdq},
	{"punpckhbw", h_punpckhbw},
	{"punpckhwd", h_punpckhwd},
	{"punpckhdq", h_punpckhdq},
	{"punpckhqdq", h_punpckhqdq},
	{"unpcklps", h_unpcklps},
	{"unpcklpd", h_unpcklpd},
	{"unpckhps", h_unpckhps},
	{"unpckhpd", h_unpckhpd},
	{"packsswb", h_packsswb},
	{"packssdw", h_packssdw},
	{"packuswb", h_packuswb},
	{"pshufd", h_pshufd},
	{"pshuflw", h_pshuflw},
	{"pshufhw", h_pshufhw},
	{"pshufw", h_pshufw},
	{"shufps", h_shufps},
	{"shufpd", h_shufpd},
	{"psllw", h_psllw},
	{"pslld", h_pslld},
	{"psllq", h_psllq},
	{"psrlw", h_psrlw},
	{"psrld", h_psrld},
	{"psrlq", h_psrlq},
	{"psraw", h_psraw},
	{"psrad", h_psrad},
	{"pslldq", h_pslldq},
	{"psrldq", h_psrldq},
	{"pmovmskb", h_pmovmskb},
	{"movmskps", h_movmskps},
	{"movmskpd", h_movmskpd},
	{"pinsrw", h_pinsrw},
	{"pextrw", h_pextrw},
	{"addss", h_addss},
	{"addsd", h_addsd},
	{"addps", h_addps},
	{"addpd", h_addpd},
	{"subss", h_subss},
	{"subsd", h_subsd},
	{"subps", h_subps},
	{"subpd", h_subpd},
	{"mulss", h_mulss},
	{"mulsd", h_mulsd},
	{"mulps", h_mulps},
	{"mulpd", h_mulpd},
	{"divss", h_divss},
	{"divsd", h_divsd},
	{"divps", h_divps},
	{"divpd", h_divpd},
	{"minss", h_minss},
	{"minsd", h_minsd},
	{"minps", h_minps},
	{"minpd", h_minpd},
	{"maxss", h_maxss},
	{"maxsd", h_maxsd},
	{"maxps", h_maxps},
	{"maxpd", h_maxpd},
	{"sqrtss", h_sqrtss},
	{"sqrtsd", h_sqrtsd},
	{"sqrtps", h_sqrtps},
	{"sqrtpd", h_sqrtpd},
	{"cvtsi2ss", h_cvtsi2ss},
	{"cvtsi2sd", h_cvtsi2sd},
	{"cvttss2si", h_cvttss2si},
	{"cvttsd2si", h_cvttsd2si},
	{"cvtss2si", h_cvtss2si},
	{"cvtsd2si", h_cvtsd2si},
	{"cvtss2sd", h_cvtss2sd},
	{"cvtsd2ss", h_cvtsd2ss},
	{"cvtdq2pd", h_cvtdq2pd},
	{"cvtdq2ps", h_cvtdq2ps},
	{"cvttps2dq", h_cvttps2dq},
	{"cvttpd2dq", h_cvttpd2dq},
	{"ucomiss", h_ucomiss},
	{"ucomisd", h_ucomisd},
	{"comiss", h_ucomiss},
	{"comisd", h_ucomisd},
	{NULL, NULL},
};
