/* AVX and AVX2 (VEX encodings) beyond the shared element-wise handlers: the VEX forms of the
 * SSE moves (which zero the destination above the written bytes), VZEROUPPER/VZEROALL,
 * broadcasts, VPERM*, VPERMIL*, VPERM2*128, VINSERT/VEXTRACT*128, masked moves, VTESTPS/PD,
 * VPMOVMSKB/VMOVMSKPS/PD and the gathers (SDM Vol. 2, VPGATHERDD etc.: elements complete in
 * order and a fault leaves the completed ones written and their mask bits cleared). */
#include "vec.h"

static unsigned rsize(const ae_operand *o)
{
	return o->size ? o->size : 16;
}

static bool is_vreg(const ae_operand *o)
{
	return o->kind == AE_OP_REG && o->reg >= AE_R_VEC && o->reg < AE_R_VEC + 32;
}

/* VMOVAPS, VMOVUPS, VMOVDQA, VMOVDQU, VMOVNTxx, VLDDQU: loads and stores. */
static void vmove(ae_cpu *cpu, const ae_insn *in, bool align)
{
	uint8_t b[32];
	if (in->ops[0].kind == AE_OP_MEM) {
		unsigned n = rsize(&in->ops[1]);
		uint64_t addr = exec_ea(cpu, in);
		if (align && (addr & (n - 1)))
			exec_gp(cpu);
		exec_write_bytes(cpu, addr, vec_reg(cpu, in->ops[1].reg), n);
		return;
	}
	unsigned n = rsize(&in->ops[0]);
	vec_src(cpu, in, 1, b, n, align);
	vec_dst(cpu, in, 0, b, n);
}
static void h_vmova(ae_cpu *cpu, const ae_insn *in)
{
	vmove(cpu, in, true);
}
static void h_vmovu(ae_cpu *cpu, const ae_insn *in)
{
	vmove(cpu, in, false);
}

/* VMOVD/VMOVQ: into a vector register the value is zero-extended to the whole register. */
static void h_vmovdq(ae_cpu *cpu, const ae_insn *in)
{
	const ae_operand *d = &in->ops[0], *s = &in->ops[1];
	uint8_t b[32];
	unsigned n = s->kind == AE_OP_REG && s->reg < 32   ? s->size
		     : d->kind == AE_OP_REG && d->reg < 32 ? d->size
		     : in->memsz				? in->memsz
							: 8;
	vec_src(cpu, in, 1, b, 16, false);
	memset(b + n, 0, 32 - n);
	if (is_vreg(d))
		vec_dst(cpu, in, 0, b, 16);
	else if (d->kind == AE_OP_MEM)
		exec_write_bytes(cpu, exec_ea(cpu, in), b, n);
	else
		exec_op_write(cpu, in, 0, vrd(b, 8));
}

/* VMOVSS/VMOVSD: a load zeroes the rest, the register form merges with vvvv. */
static void vmovs(ae_cpu *cpu, const ae_insn *in, unsigned esz)
{
	uint8_t r[32] = {0};
	if (in->ops[0].kind == AE_OP_MEM) {
		exec_write_bytes(cpu, exec_ea(cpu, in), vec_reg(cpu, in->ops[1].reg), esz);
		return;
	}
	if (in->ops[1].kind == AE_OP_MEM) {
		exec_read_bytes(cpu, exec_ea(cpu, in), r, esz);
	} else {
		memcpy(r, vec_reg(cpu, in->ops[1].reg), 16);
		memcpy(r, vec_reg(cpu, in->ops[2].reg), esz);
	}
	vec_dst(cpu, in, 0, r, 16);
}
static void h_vmovss(ae_cpu *cpu, const ae_insn *in)
{
	vmovs(cpu, in, 4);
}
static void h_vmovsd(ae_cpu *cpu, const ae_insn *in)
{
	vmovs(cpu, in, 8);
}

/* VMOVLPS/PD, VMOVHPS/PD (loads merge with vvvv; stores write 8 bytes), VMOVHLPS, VMOVLHPS. */
static void vhalf(ae_cpu *cpu, const ae_insn *in, bool high)
{
	uint8_t r[32] = {0}, m[8];
	if (in->ops[0].kind == AE_OP_MEM) {
		exec_write_bytes(cpu, exec_ea(cpu, in), vec_reg(cpu, in->ops[1].reg) + (high ? 8 : 0),
				 8);
		return;
	}
	exec_read_bytes(cpu, exec_ea(cpu, in), m, 8);
	memcpy(r, vec_reg(cpu, in->ops[1].reg), 16);
	memcpy(r + (high ? 8 : 0), m, 8);
	vec_dst(cpu, in, 0, r, 16);
}
static void h_vmovlp(ae_cpu *cpu, const ae_insn *in)
{
	vhalf(cpu, in, false);
}
static void h_vmovhp(ae_cpu *cpu, const ae_insn *in)
{
	vhalf(cpu, in, true);
}
static void h_vmovhlps(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t r[32] = {0};
	memcpy(r, vec_reg(cpu, in->ops[2].reg) + 8, 8);
	memcpy(r + 8, vec_reg(cpu, in->ops[1].reg) + 8, 8);
	vec_dst(cpu, in, 0, r, 16);
}
static void h_vmovlhps(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t r[32] = {0};
	memcpy(r, vec_reg(cpu, in->ops[1].reg), 8);
	memcpy(r + 8, vec_reg(cpu, in->ops[2].reg), 8);
	vec_dst(cpu, in, 0, r, 16);
}

static void vmovmsk(ae_cpu *cpu, const ae_insn *in, unsigned esz)
{
	const uint8_t *s = vec_reg(cpu, in->ops[1].reg);
	unsigned n = rsize(&in->ops[1]);
	uint64_t m = 0;
	for (unsigned i = 0; i < n / esz; i++)
		m |= (uint64_t)(s[i * esz + esz - 1] >> 7) << i;
	exec_op_write_zx(cpu, in, 0, m);
}
static void h_vpmovmskb(ae_cpu *cpu, const ae_insn *in)
{
	vmovmsk(cpu, in, 1);
}
static void h_vmovmskps(ae_cpu *cpu, const ae_insn *in)
{
	vmovmsk(cpu, in, 4);
}
static void h_vmovmskpd(ae_cpu *cpu, const ae_insn *in)
{
	vmovmsk(cpu, in, 8);
}

/* VZEROUPPER zeroes bits 128 and up of ymm0-15, VZEROALL all of ymm0-15 (in 64-bit mode);
 * zmm16-31 are untouched. Both put the AVX state component into its initial configuration,
 * which the XSAVE bridge (h_xsave.c) reports as not in use. */
static void h_zeroupper(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	for (unsigned r = 0; r < 16; r++)
		memset(cpu->vec[r] + 16, 0, 48);
	cpu->xs_zeroed |= 4;
}
static void h_zeroall(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	for (unsigned r = 0; r < 16; r++)
		memset(cpu->vec[r], 0, 64);
	cpu->xs_zeroed |= 4;
}

/* --- broadcasts and permutes ---------------------------------------------------------------- */

static void bcast(ae_cpu *cpu, const ae_insn *in, unsigned esz)
{
	uint8_t b[32], r[32];
	vec_src(cpu, in, 1, b, 16, false);
	unsigned n = rsize(&in->ops[0]);
	for (unsigned i = 0; i < n; i += esz)
		memcpy(r + i, b, esz);
	vec_dst(cpu, in, 0, r, n);
}
/* VBROADCASTSS (map 2 18), VBROADCASTSD (19), VBROADCASTF128 (1a), VBROADCASTI128 (5a). */
static void h_vbroadcast(ae_cpu *cpu, const ae_insn *in)
{
	bcast(cpu, in, in->opc == 0x18 ? 4 : in->opc == 0x19 ? 8 : 16);
}
/* VPBROADCASTB/W/D/Q: 78 79 58 59. */
static void h_vpbroadcast(ae_cpu *cpu, const ae_insn *in)
{
	bcast(cpu, in, in->opc == 0x78 ? 1 : in->opc == 0x79 ? 2 : in->opc == 0x58 ? 4 : 8);
}

static void f_perm2(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	for (unsigned h = 0; h < 2; h++) {
		unsigned sel = (v->imm >> (4 * h)) & 0xf;
		const uint8_t *src = ((sel & 2) ? v->b : v->a) + 16 * (sel & 1);
		if (sel & 8)
			memset(r + 16 * h, 0, 16);
		else
			memcpy(r + 16 * h, src, 16);
	}
}
static void h_vperm2(ae_cpu *cpu, const ae_insn *in)
{
	vec_run(cpu, in, f_perm2, 0);
}

static void f_insert128(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	memcpy(r, v->a, 32);
	memcpy(r + 16 * (v->imm & 1), v->b, 16);
}
static void h_vinsert128(ae_cpu *cpu, const ae_insn *in)
{
	vec_run(cpu, in, f_insert128, 0);
}

static void h_vextract128(ae_cpu *cpu, const ae_insn *in)
{
	const uint8_t *s = vec_reg(cpu, in->ops[1].reg) + 16 * ((unsigned)in->imm & 1);
	uint8_t r[16];
	memcpy(r, s, 16);
	if (in->ops[0].kind == AE_OP_MEM)
		exec_write_bytes(cpu, exec_ea(cpu, in), r, 16);
	else
		vec_dst(cpu, in, 0, r, 16);
}

/* VPERMILPS/PD: map 2 0c/0d take the control from the second source, map 3 04/05 from imm. */
static void f_permilps_v(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	for (unsigned i = 0; i < v->vl; i += 4)
		memcpy(r + i, v->a + (i & ~15u) + 4 * (v->b[i] & 3), 4);
}
static void f_permilpd_v(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	for (unsigned i = 0; i < v->vl; i += 8)
		memcpy(r + i, v->a + (i & ~15u) + 8 * ((v->b[i] >> 1) & 1), 8);
}
static void f_permilps_i(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	for (unsigned i = 0; i < v->vl; i += 4)
		memcpy(r + i, v->b + (i & ~15u) + 4 * ((v->imm >> (2 * ((i / 4) & 3))) & 3), 4);
}
static void f_permilpd_i(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	for (unsigned i = 0; i < v->vl; i += 8)
		memcpy(r + i, v->b + (i & ~15u) + 8 * ((v->imm >> (i / 8)) & 1), 8);
}
static void h_vpermil(ae_cpu *cpu, const ae_insn *in)
{
	vec_fn fn = in->opc == 0x0c   ? f_permilps_v
		    : in->opc == 0x0d ? f_permilpd_v
		    : in->opc == 0x04 ? f_permilps_i
				      : f_permilpd_i;
	vec_run(cpu, in, fn, 0);
}

/* VPERMD/VPERMPS (map 2 36/16: indices in the first source), VPERMQ/VPERMPD (map 3 00/01). */
static void f_permd(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	for (unsigned i = 0; i < 32; i += 4)
		memcpy(r + i, v->b + 4 * (v->a[i] & 7), 4);
}
static void f_permq(ae_cpu *cpu, const vargs *v, uint8_t *r)
{
	(void)cpu;
	for (unsigned i = 0; i < 4; i++)
		memcpy(r + 8 * i, v->b + 8 * ((v->imm >> (2 * i)) & 3), 8);
}
static void h_vperm(ae_cpu *cpu, const ae_insn *in)
{
	vec_run(cpu, in, in->map == 3 ? f_permq : f_permd, 0);
}

/* --- masked moves, VTEST --------------------------------------------------------------------- */

/* VMASKMOVPS/PD (2c 2d loads, 2e 2f stores), VPMASKMOVD/Q (8c loads, 8e stores; W: q).
 * Masked-off elements are neither read nor written and cannot fault. */
static void h_vmaskmov(ae_cpu *cpu, const ae_insn *in)
{
	unsigned op = in->opc;
	unsigned esz = (op == 0x2d || op == 0x2f) ? 8 : (op & 0xf0) == 0x80 ? (in->opsize == 8 ? 8 : 4) : 4;
	bool store = in->ops[0].kind == AE_OP_MEM;
	const uint8_t *mask = vec_reg(cpu, in->ops[1].reg);
	unsigned n = rsize(&in->ops[store ? 2 : 0]);
	uint64_t addr = exec_ea(cpu, in);
	if (store) {
		const uint8_t *s = vec_reg(cpu, in->ops[2].reg);
		for (unsigned i = 0; i < n; i += esz)
			if (mask[i + esz - 1] & 0x80)
				exec_write_bytes(cpu, addr + i, s + i, esz);
		return;
	}
	uint8_t r[32] = {0};
	for (unsigned i = 0; i < n; i += esz)
		if (mask[i + esz - 1] & 0x80)
			exec_read_bytes(cpu, addr + i, r + i, esz);
	vec_dst(cpu, in, 0, r, n);
}

static void h_vtest(ae_cpu *cpu, const ae_insn *in)
{
	unsigned esz = in->opc == 0x0e ? 4 : 8, n = rsize(&in->ops[0]);
	uint8_t a[32], b[32];
	vec_src(cpu, in, 0, a, n, false);
	vec_src(cpu, in, 1, b, n, false);
	bool z = true, c = true;
	for (unsigned i = esz - 1; i < n; i += esz) {
		if (a[i] & b[i] & 0x80)
			z = false;
		if (~a[i] & b[i] & 0x80)
			c = false;
	}
	exec_flags_set(cpu, (z ? FL_ZF : 0) | (c ? FL_CF : 0));
}

/* --- gathers ----------------------------------------------------------------------------------- */

/* 90 VPGATHERDD/DQ, 91 VPGATHERQD/QQ, 92 VGATHERDPS/DPD, 93 VGATHERQPS/QPD: the index size
 * from the opcode's bit 0, the data size from W. */
static void h_vgather(ae_cpu *cpu, const ae_insn *in)
{
	unsigned isz = (in->opc & 1) ? 8 : 4, dsz = in->opsize == 8 ? 8 : 4;
	unsigned vl = in->vl ? in->vl : 16, n = vl / (isz > dsz ? isz : dsz);
	uint8_t *d = vec_reg(cpu, in->ops[0].reg), *m = vec_reg(cpu, in->ops[2].reg);
	const uint8_t *idx = cpu->vec[(in->mem.index - AE_R_VEC) & 31];
	uint64_t base = (uint64_t)(int64_t)in->mem.disp;
	if (in->mem.base < 32)
		base += exec_gpr_read(cpu, in->mem.base, in->asize);
	if (in->mem.seg == AE_R_ES + 4)
		base += cpu->fs_base;
	else if (in->mem.seg == AE_R_ES + 5)
		base += cpu->gs_base;
	for (unsigned i = 0; i < n; i++) {
		if (!(m[i * dsz + dsz - 1] & 0x80))
			continue;
		int64_t ix = isz == 8 ? (int64_t)vrd(idx + 8 * i, 8) : (int32_t)vrd(idx + 4 * i, 4);
		uint64_t a = base + (uint64_t)ix * in->mem.scale;
		if (in->asize == 4)
			a = (uint32_t)a;
		uint8_t e[8];
		exec_read_bytes(cpu, a, e, dsz);
		memcpy(d + i * dsz, e, dsz);
		memset(m + i * dsz, 0, dsz);
	}
	memset(m, 0, 64);
	memset(d + n * dsz, 0, 64 - n * dsz);
}

#define E(name)                                                                                    \
	{                                                                                          \
		#name, h_##name                                                                    \
	}
/* VEX forms only (bound to VEX rows in cpu.c). */
const exec_handler_def exec_avx_handlers[] = {
	{"movaps", h_vmova}, {"movapd", h_vmova}, {"movdqa", h_vmova}, {"movntdq", h_vmova},
	{"movntps", h_vmova}, {"movntpd", h_vmova}, {"movntdqa", h_vmova}, {"movups", h_vmovu},
	{"movupd", h_vmovu}, {"movdqu", h_vmovu}, {"lddqu", h_vmovu}, {"movd", h_vmovdq},
	{"movq", h_vmovdq}, {"movss", h_vmovss}, {"movsd", h_vmovsd}, {"movlps", h_vmovlp},
	{"movlpd", h_vmovlp}, {"movhps", h_vmovhp}, {"movhpd", h_vmovhp},
	{"movhlps", h_vmovhlps}, {"movlhps", h_vmovlhps}, {"pmovmskb", h_vpmovmskb},
	{"movmskps", h_vmovmskps}, {"movmskpd", h_vmovmskpd}, E(zeroupper), E(zeroall),
	E(vbroadcast), E(vpbroadcast), E(vperm2), E(vinsert128), E(vextract128), E(vpermil),
	E(vperm), E(vmaskmov), E(vtest), E(vgather),
	{NULL, NULL},
};
