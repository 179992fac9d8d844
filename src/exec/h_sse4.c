/* SSE4.1 and SSE4.2 instructions that do not fit the element-wise mould (legacy and VEX
 * forms): PTEST, PHMINPOSUW, MPSADBW, PINSR*, PEXTR*, INSERTPS, EXTRACTPS, the SSE4.2 string
 * compares PCMPESTRI/M and PCMPISTRI/M (SDM Vol. 2, 4.1 "Imm8 control byte"); and the MMX/SSE2
 * odds and ends MOVQ2DQ, MOVDQ2Q, MOVNTQ, MOVNTI, MASKMOVQ, MASKMOVDQU, EMMS. */
#include "vec.h"

/* --- PTEST, PHMINPOSUW, MPSADBW ---------------------------------------------------------- */

/* PTEST/VPTEST read both operands (the first is not written): ZF = (a AND b) = 0,
 * CF = (NOT a AND b) = 0, the other arithmetic flags cleared. */
static void h_ptest(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t a[32], b[32];
	unsigned n = in->ops[0].size ? in->ops[0].size : 16;
	vec_src(cpu, in, 0, a, n, false);
	vec_src(cpu, in, 1, b, n, in->enc != AE_ENC_VEX);
	bool z = true, c = true;
	for (unsigned i = 0; i < n; i++) {
		if (a[i] & b[i])
			z = false;
		if (~a[i] & b[i])
			c = false;
	}
	exec_flags_set(cpu, (z ? FL_ZF : 0) | (c ? FL_CF : 0));
}

static void f_phminposuw(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	unsigned best = 0;
	for (unsigned i = 1; i < 8; i++)
		if (vrd(v->b + 2 * i, 2) < vrd(v->b + 2 * best, 2))
			best = i;
	memset(r, 0, 16);
	vwr(r, 2, vrd(v->b + 2 * best, 2));
	vwr(r + 2, 2, best);
}
static void h_phminposuw(ae_cpu *cpu, const ae_insn *in)
{
	vec_run(cpu, in, f_phminposuw, 0);
}

static void f_mpsadbw(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	for (unsigned off = 0, sel = v->imm; off < v->vl; off += 16, sel >>= 3) {
		unsigned ba = off + ((sel >> 2) & 1) * 4, bb = off + (sel & 3) * 4;
		for (unsigned i = 0; i < 8; i++) {
			unsigned s = 0;
			for (unsigned k = 0; k < 4; k++) {
				int d = (int)v->a[ba + i + k] - (int)v->b[bb + k];
				s += (unsigned)(d < 0 ? -d : d);
			}
			vwr(r + off + 2 * i, 2, s);
		}
	}
}
static void h_mpsadbw(ae_cpu *cpu, const ae_insn *in)
{
	vec_run(cpu, in, f_mpsadbw, 0);
}

/* --- inserts and extracts ----------------------------------------------------------------- */

static void pinsr(const vargs *v, uint8_t *r, unsigned esz)
{
	unsigned n = v->vl < 16 ? v->vl : 16;
	memcpy(r, v->a, 16);
	vwr(r + esz * (v->imm & (n / esz - 1)), esz, vrd(v->b, esz));
}
static void f_pinsrb(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	pinsr(v, r, 1);
}
static void f_pinsrw(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	pinsr(v, r, 2);
}
static void f_pinsrd(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	pinsr(v, r, 4);
}
static void f_pinsrq(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	pinsr(v, r, 8);
}
static void h_pinsrb(ae_cpu *cpu, const ae_insn *in)
{
	vec_run(cpu, in, f_pinsrb, 0);
}
static void h_pinsrw(ae_cpu *cpu, const ae_insn *in)
{
	vec_run(cpu, in, f_pinsrw, 0);
}
/* PINSRD and PINSRQ share rows that REX.W/VEX.W tells apart. */
static void h_pinsrd(ae_cpu *cpu, const ae_insn *in)
{
	vec_run(cpu, in, in->opsize == 8 ? f_pinsrq : f_pinsrd, 0);
}
static void h_pinsrq(ae_cpu *cpu, const ae_insn *in)
{
	vec_run(cpu, in, f_pinsrq, 0);
}

static void f_insertps(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	unsigned s = v->bsz ? 0 : (v->imm >> 6) & 3, d = (v->imm >> 4) & 3;
	memcpy(r, v->a, 16);
	memcpy(r + 4 * d, v->b + 4 * s, 4);
	for (unsigned i = 0; i < 4; i++)
		if ((v->imm >> i) & 1)
			memset(r + 4 * i, 0, 4);
}
static void h_insertps(ae_cpu *cpu, const ae_insn *in)
{
	vec_run(cpu, in, f_insertps, 0);
}

/* PEXTRB/W/D/Q, EXTRACTPS: to a GPR (zero-extended) or to memory of the element size. */
static void pextr(ae_cpu *cpu, const ae_insn *in, unsigned esz)
{
	const ae_operand *s = &in->ops[1];
	const uint8_t *src = vec_reg(cpu, s->reg);
	unsigned n = (s->reg >= AE_R_MM && s->reg < AE_R_MM + 8) ? 8 : 16;
	uint64_t v = vrd(src + esz * ((unsigned)in->imm & (n / esz - 1)), esz);
	if (in->ops[0].kind == AE_OP_MEM)
		exec_write(cpu, exec_ea(cpu, in), esz, v);
	else
		exec_op_write_zx(cpu, in, 0, v);
}
static void h_pextrb(ae_cpu *cpu, const ae_insn *in)
{
	pextr(cpu, in, 1);
}
static void h_pextrw(ae_cpu *cpu, const ae_insn *in)
{
	pextr(cpu, in, 2);
}
static void h_pextrd(ae_cpu *cpu, const ae_insn *in)
{
	pextr(cpu, in, in->opsize == 8 ? 8 : 4);
}
static void h_pextrq(ae_cpu *cpu, const ae_insn *in)
{
	pextr(cpu, in, 8);
}
static void h_extractps(ae_cpu *cpu, const ae_insn *in)
{
	pextr(cpu, in, 4);
}

/* --- SSE4.2 string compares ---------------------------------------------------------------- */

static int64_t str_elem(const uint8_t *p, unsigned i, unsigned fmt)
{
	switch (fmt) {
	case 0: return p[i];
	case 1: return (int64_t)vrd(p + 2 * i, 2);
	case 2: return (int8_t)p[i];
	default: return (int16_t)vrd(p + 2 * i, 2);
	}
}

static unsigned implicit_len(const uint8_t *p, unsigned n, unsigned fmt)
{
	for (unsigned i = 0; i < n; i++)
		if (str_elem(p, i, fmt) == 0)
			return i;
	return n;
}

static unsigned explicit_len(ae_cpu *cpu, unsigned reg, unsigned opsize, unsigned n)
{
	int64_t v = opsize == 8 ? (int64_t)cpu->gpr[reg] : (int64_t)(int32_t)cpu->gpr[reg];
	if (v < 0)
		v = v == INT64_MIN ? INT64_MAX : -v;
	return v > (int64_t)n ? n : (unsigned)v;
}

/* Returns IntRes2 and sets the flags. */
static unsigned pcmpstr(ae_cpu *cpu, const ae_insn *in, bool explicit_lengths)
{
	uint8_t a[32], b[32];
	vec_src(cpu, in, 0, a, 16, false);
	vec_src(cpu, in, 1, b, 16, false);
	unsigned imm = (unsigned)in->imm & 0xff, fmt = imm & 3, agg = (imm >> 2) & 3;
	unsigned n = (fmt & 1) ? 8 : 16;
	unsigned la, lb;
	if (explicit_lengths) {
		la = explicit_len(cpu, 0, in->opsize, n);
		lb = explicit_len(cpu, 2, in->opsize, n);
	} else {
		la = implicit_len(a, n, fmt);
		lb = implicit_len(b, n, fmt);
	}
	unsigned res = 0;
	for (unsigned j = 0; j < n; j++) {
		bool bit = false;
		int64_t bj = str_elem(b, j, fmt);
		switch (agg) {
		case 0: /* equal any */
			for (unsigned i = 0; i < la && j < lb && !bit; i++)
				bit = str_elem(a, i, fmt) == bj;
			break;
		case 1: /* ranges */
			for (unsigned i = 0; i + 1 < n && !bit; i += 2)
				bit = i + 1 < la && j < lb && str_elem(a, i, fmt) <= bj &&
				      bj <= str_elem(a, i + 1, fmt);
			break;
		case 2: /* equal each */
			if (j >= la && j >= lb)
				bit = true;
			else if (j >= la || j >= lb)
				bit = false;
			else
				bit = str_elem(a, j, fmt) == bj;
			break;
		default: /* equal ordered */
			bit = true;
			for (unsigned k = 0; k < n - j && bit; k++) {
				if (k >= la)
					break;
				if (j + k >= lb)
					bit = false;
				else
					bit = str_elem(a, k, fmt) == str_elem(b, j + k, fmt);
			}
			break;
		}
		if (bit)
			res |= 1u << j;
	}
	unsigned all = (1u << n) - 1;
	switch ((imm >> 4) & 3) {
	case 1: res ^= all; break;
	case 3: res ^= (1u << lb) - 1; break;
	default: break;
	}
	uint64_t f = 0;
	if (res)
		f |= FL_CF;
	if (lb < n)
		f |= FL_ZF;
	if (la < n)
		f |= FL_SF;
	if (res & 1)
		f |= FL_OF;
	exec_flags_set(cpu, f);
	return res;
}

static void str_index(ae_cpu *cpu, const ae_insn *in, bool expl)
{
	unsigned imm = (unsigned)in->imm, n = (imm & 1) ? 8 : 16;
	unsigned res = pcmpstr(cpu, in, expl), idx = n;
	if (res)
		idx = (imm & 0x40) ? 31u - (unsigned)__builtin_clz(res) : (unsigned)__builtin_ctz(res);
	cpu->gpr[1] = idx;
}

static void str_mask(ae_cpu *cpu, const ae_insn *in, bool expl)
{
	unsigned imm = (unsigned)in->imm, n = (imm & 1) ? 8 : 16, esz = 16 / n;
	unsigned res = pcmpstr(cpu, in, expl);
	uint8_t *x0 = cpu->vec[0];
	uint8_t r[16] = {0};
	if (imm & 0x40) {
		for (unsigned i = 0; i < n; i++)
			memset(r + esz * i, ((res >> i) & 1) ? 0xff : 0, esz);
	} else {
		vwr(r, 2, res);
	}
	memcpy(x0, r, 16);
	if (in->enc == AE_ENC_VEX)
		memset(x0 + 16, 0, 48);
}

static void h_pcmpestri(ae_cpu *cpu, const ae_insn *in)
{
	str_index(cpu, in, true);
}
static void h_pcmpistri(ae_cpu *cpu, const ae_insn *in)
{
	str_index(cpu, in, false);
}
static void h_pcmpestrm(ae_cpu *cpu, const ae_insn *in)
{
	str_mask(cpu, in, true);
}
static void h_pcmpistrm(ae_cpu *cpu, const ae_insn *in)
{
	str_mask(cpu, in, false);
}

/* --- MMX/SSE2 odds and ends ---------------------------------------------------------------- */

static void h_movq2dq(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t *d = vec_reg(cpu, in->ops[0].reg);
	memcpy(d, vec_reg(cpu, in->ops[1].reg), 8);
	memset(d + 8, 0, 8);
	vec_mmx_touch(cpu, 8);
}

static void h_movdq2q(ae_cpu *cpu, const ae_insn *in)
{
	unsigned mm = in->ops[0].reg - AE_R_MM;
	memcpy(vec_reg(cpu, in->ops[0].reg), vec_reg(cpu, in->ops[1].reg), 8);
	vec_mmx_touch(cpu, mm);
}

/* MOVNTQ, MOVNTI: plain stores (no cache model). */
static void h_movntq(ae_cpu *cpu, const ae_insn *in)
{
	exec_write_bytes(cpu, exec_ea(cpu, in), vec_reg(cpu, in->ops[1].reg), 8);
	vec_mmx_touch(cpu, 8);
}

static void h_movnti(ae_cpu *cpu, const ae_insn *in)
{
	exec_op_write(cpu, in, 0, exec_op_read(cpu, in, 1));
}

/* MASKMOVQ/MASKMOVDQU: bytes whose mask byte has bit 7 set are stored at DS:rDI. */
static void h_maskmov(ae_cpu *cpu, const ae_insn *in)
{
	const uint8_t *d = vec_reg(cpu, in->ops[0].reg), *m = vec_reg(cpu, in->ops[1].reg);
	unsigned n = (in->ops[0].reg >= AE_R_MM && in->ops[0].reg < AE_R_MM + 8) ? 8 : 16;
	uint64_t base = in->asize == 4 ? (uint32_t)cpu->gpr[7] : cpu->gpr[7];
	if (in->mem.seg == AE_R_ES + 4)
		base += cpu->fs_base;
	else if (in->mem.seg == AE_R_ES + 5)
		base += cpu->gs_base;
	for (unsigned i = 0; i < n; i++)
		if (m[i] & 0x80)
			exec_write(cpu, base + i, 1, d[i]);
}

/* EMMS empties the x87 stack; like every MMX instruction it also sets TOP to 0. */
static void h_emms(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	cpu->ftw = 0xffff;
	cpu->fsw &= (uint16_t)~0x3800;
}

#define E(name)                                                                                    \
	{                                                                                          \
		#name, h_##name                                                                    \
	}
const exec_handler_def exec_sse4_handlers[] = {
	E(ptest), E(phminposuw), E(mpsadbw), E(pinsrb), E(pinsrw), E(pinsrd), E(pinsrq),
	E(insertps), E(pextrb), E(pextrw), E(pextrd), E(pextrq), E(extractps), E(pcmpestri),
	E(pcmpistri), E(pcmpestrm), E(pcmpistrm), E(movq2dq), E(movdq2q), E(movntq), E(movnti),
	{"maskmovq", h_maskmov}, {"maskmovdqu", h_maskmov}, E(emms),
	{NULL, NULL},
};
