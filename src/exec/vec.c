/* The vector engine: operand gathering for legacy and VEX forms, and the host floating-point
 * kernels (see vec.h for the conventions). */
#include "vec.h"

uint8_t *vec_reg(ae_cpu *cpu, unsigned reg)
{
	if (reg >= AE_R_VEC && reg < AE_R_VEC + 32)
		return cpu->vec[reg - AE_R_VEC];
	if (reg >= AE_R_MM && reg < AE_R_MM + 8)
		return cpu->st[reg - AE_R_MM];
	exec_ud(cpu);
}

static bool is_mm(unsigned reg)
{
	return reg >= AE_R_MM && reg < AE_R_MM + 8;
}

void vec_mmx_touch(ae_cpu *cpu, unsigned mmreg)
{
	cpu->fsw &= (uint16_t)~0x3800;
	cpu->ftw = 0;
	if (mmreg < 8)
		cpu->st[mmreg][8] = cpu->st[mmreg][9] = 0xff;
}

void vec_src(ae_cpu *cpu, const ae_insn *in, unsigned i, uint8_t out[32], unsigned n, bool align)
{
	const ae_operand *o = &in->ops[i];
	memset(out, 0, 32);
	if (o->kind == AE_OP_REG) {
		if (o->reg < 32) {
			uint64_t v = exec_gpr_read(cpu, o->reg, o->size);
			memcpy(out, &v, 8);
			return;
		}
		memcpy(out, vec_reg(cpu, o->reg), n > 32 ? 32 : n);
		return;
	}
	if (o->kind != AE_OP_MEM)
		exec_ud(cpu);
	uint64_t addr = exec_ea(cpu, in);
	unsigned sz = in->memsz > 32 ? 32 : in->memsz;
	if (align && sz >= 16 && (addr & (sz - 1)))
		exec_gp(cpu);
	exec_read_bytes(cpu, addr, out, sz);
}

void vec_dst(ae_cpu *cpu, const ae_insn *in, unsigned i, const uint8_t *r, unsigned n)
{
	unsigned reg = in->ops[i].reg;
	uint8_t *d = vec_reg(cpu, reg);
	if (is_mm(reg)) {
		memcpy(d, r, 8);
		vec_mmx_touch(cpu, reg - AE_R_MM);
		return;
	}
	memcpy(d, r, n);
	if (in->enc == AE_ENC_VEX)
		memset(d + n, 0, 64 - n);
}

static unsigned reg_bytes(const ae_operand *o)
{
	if (o->kind != AE_OP_REG)
		return 0;
	if (is_mm(o->reg))
		return 8;
	return o->size ? o->size : 16;
}

void vec_run(ae_cpu *cpu, const ae_insn *in, vec_fn fn, unsigned flags)
{
	vargs v;
	unsigned src[4], ns = 0;
	v.has_imm = false;
	v.imm = 0;
	for (unsigned i = 1; i < in->nops; i++) {
		unsigned k = in->ops[i].kind;
		if (k == AE_OP_REG || k == AE_OP_MEM)
			src[ns++] = i;
		else if (k == AE_OP_IMM)
			v.has_imm = true, v.imm = (unsigned)in->imm & 0xff;
	}
	const ae_operand *d = &in->ops[0];
	v.vex = in->enc == AE_ENC_VEX;
	v.mmx = is_mm(d->reg);
	v.vl = v.mmx ? 8 : v.vex ? reg_bytes(d) : 16;
	if (v.vl > 32)
		exec_ud(cpu);
	bool align = v.vex ? (flags & VF_ALIGN) != 0 : !(flags & VF_NOALIGN);
	v.bsz = 0;
	v.bn = v.vl;
	if (!v.vex) {
		memset(v.a, 0, 32);
		memcpy(v.a, vec_reg(cpu, d->reg), v.vl);
		if (ns >= 1) {
			vec_src(cpu, in, src[0], v.b, reg_bytes(&in->ops[src[0]]), align);
			if (in->ops[src[0]].kind == AE_OP_MEM)
				v.bsz = in->memsz;
			v.bn = v.bsz ? v.bsz : reg_bytes(&in->ops[src[0]]);
		} else {
			memcpy(v.b, v.a, 32);
		}
		if (ns >= 2)
			vec_src(cpu, in, src[1], v.c, reg_bytes(&in->ops[src[1]]), align);
	} else if (ns >= 2) {
		vec_src(cpu, in, src[0], v.a, reg_bytes(&in->ops[src[0]]), align);
		vec_src(cpu, in, src[1], v.b, reg_bytes(&in->ops[src[1]]), align);
		if (in->ops[src[1]].kind == AE_OP_MEM)
			v.bsz = in->memsz;
		v.bn = v.bsz ? v.bsz : reg_bytes(&in->ops[src[1]]);
		if (ns >= 3)
			vec_src(cpu, in, src[2], v.c, reg_bytes(&in->ops[src[2]]), align);
	} else if (ns == 1) {
		vec_src(cpu, in, src[0], v.b, reg_bytes(&in->ops[src[0]]), align);
		if (in->ops[src[0]].kind == AE_OP_MEM)
			v.bsz = in->memsz;
		v.bn = v.bsz ? v.bsz : reg_bytes(&in->ops[src[0]]);
		memcpy(v.a, v.b, 32);
	}
	_Alignas(32) uint8_t r[32] = {0};
	fn(cpu, &v, r);
	vec_dst(cpu, in, 0, r, v.vl);
}

/* --- host floating point ----------------------------------------------------------------- */

void vec_fp_flags(ae_cpu *cpu, uint32_t flags)
{
	flags &= 0x3f;
	cpu->mxcsr |= flags;
	if (flags & ~(cpu->mxcsr >> 7) & 0x3f)
		exec_raise(cpu, AE_EXC_XM, 0, 0);
}

#if defined(__x86_64__)

typedef long long v2i __attribute__((vector_size(16)));

static uint32_t guest_mxcsr(const ae_cpu *cpu)
{
	return (cpu->mxcsr & 0xffc0u) | 0x1f80u;
}

#define K2(id, insn)                                                                               \
	case id:                                                                                   \
		__asm__ volatile("stmxcsr %[s]\n\tldmxcsr %[m]\n\t" insn " %[y], %[x]\n\t"         \
				 "stmxcsr %[o]\n\tldmxcsr %[s]"                                    \
				 : [x] "+x"(x), [o] "=m"(o), [s] "+m"(s)                           \
				 : [y] "x"(y), [m] "m"(m));                                        \
		break;

uint32_t vec_host2(ae_cpu *cpu, unsigned op, uint8_t *xp, const uint8_t *yp)
{
	v2i x, y;
	uint32_t m = guest_mxcsr(cpu), o = 0, s = 0;
	memcpy(&x, xp, 16);
	memcpy(&y, yp, 16);
	switch (op) {
		K2(HK_ADDPS, "addps")
		K2(HK_ADDPD, "addpd")
		K2(HK_ADDSS, "addss")
		K2(HK_ADDSD, "addsd")
		K2(HK_SUBPS, "subps")
		K2(HK_SUBPD, "subpd")
		K2(HK_SUBSS, "subss")
		K2(HK_SUBSD, "subsd")
		K2(HK_MULPS, "mulps")
		K2(HK_MULPD, "mulpd")
		K2(HK_MULSS, "mulss")
		K2(HK_MULSD, "mulsd")
		K2(HK_DIVPS, "divps")
		K2(HK_DIVPD, "divpd")
		K2(HK_DIVSS, "divss")
		K2(HK_DIVSD, "divsd")
		K2(HK_MINPS, "minps")
		K2(HK_MINPD, "minpd")
		K2(HK_MINSS, "minss")
		K2(HK_MINSD, "minsd")
		K2(HK_MAXPS, "maxps")
		K2(HK_MAXPD, "maxpd")
		K2(HK_MAXSS, "maxss")
		K2(HK_MAXSD, "maxsd")
		K2(HK_SQRTPS, "sqrtps")
		K2(HK_SQRTPD, "sqrtpd")
		K2(HK_SQRTSS, "sqrtss")
		K2(HK_SQRTSD, "sqrtsd")
		K2(HK_RSQRTPS, "rsqrtps")
		K2(HK_RSQRTSS, "rsqrtss")
		K2(HK_RCPPS, "rcpps")
		K2(HK_RCPSS, "rcpss")
		K2(HK_ADDSUBPS, "addsubps")
		K2(HK_ADDSUBPD, "addsubpd")
		K2(HK_HADDPS, "haddps")
		K2(HK_HADDPD, "haddpd")
		K2(HK_HSUBPS, "hsubps")
		K2(HK_HSUBPD, "hsubpd")
		K2(HK_CVTPS2PD, "cvtps2pd")
		K2(HK_CVTPD2PS, "cvtpd2ps")
		K2(HK_CVTPS2DQ, "cvtps2dq")
		K2(HK_CVTPD2DQ, "cvtpd2dq")
		K2(HK_CVTTPS2DQ, "cvttps2dq")
		K2(HK_CVTTPD2DQ, "cvttpd2dq")
		K2(HK_CVTDQ2PS, "cvtdq2ps")
		K2(HK_CVTDQ2PD, "cvtdq2pd")
		K2(HK_CVTSS2SD, "cvtss2sd")
		K2(HK_CVTSD2SS, "cvtsd2ss")
	default:
		exec_ud(cpu);
	}
	memcpy(xp, &x, 16);
	return o & 0x3f;
}

#define KI(insn, k)                                                                                \
	case k:                                                                                    \
		__asm__ volatile("stmxcsr %[s]\n\tldmxcsr %[m]\n\t" insn " %[i], %[y], %[x]\n\t"   \
				 "stmxcsr %[o]\n\tldmxcsr %[s]"                                    \
				 : [x] "+x"(x), [o] "=m"(o), [s] "+m"(s)                           \
				 : [y] "x"(y), [m] "m"(m), [i] "i"(k));                            \
		break;
#define KI4(insn, k) KI(insn, k) KI(insn, k + 1) KI(insn, k + 2) KI(insn, k + 3)
#define KI8(insn, k) KI4(insn, k) KI4(insn, k + 4)
#define KI16(insn, k) KI8(insn, k) KI8(insn, k + 8)
#define KI64(insn, k) KI16(insn, k) KI16(insn, k + 16) KI16(insn, k + 32) KI16(insn, k + 48)
#define KI256(insn) KI64(insn, 0) KI64(insn, 64) KI64(insn, 128) KI64(insn, 192)

uint32_t vec_host2i(ae_cpu *cpu, unsigned op, uint8_t *xp, const uint8_t *yp, unsigned imm)
{
	v2i x, y;
	uint32_t m = guest_mxcsr(cpu), o = 0, s = 0;
	memcpy(&x, xp, 16);
	memcpy(&y, yp, 16);
	switch (op) {
	case HI_CMPPS:
		switch (imm & 7) { KI8("cmpps", 0) }
		break;
	case HI_CMPPD:
		switch (imm & 7) { KI8("cmppd", 0) }
		break;
	case HI_CMPSS:
		switch (imm & 7) { KI8("cmpss", 0) }
		break;
	case HI_CMPSD:
		switch (imm & 7) { KI8("cmpsd", 0) }
		break;
	case HI_ROUNDPS:
		switch (imm & 15) { KI16("roundps", 0) }
		break;
	case HI_ROUNDPD:
		switch (imm & 15) { KI16("roundpd", 0) }
		break;
	case HI_ROUNDSS:
		switch (imm & 15) { KI16("roundss", 0) }
		break;
	case HI_ROUNDSD:
		switch (imm & 15) { KI16("roundsd", 0) }
		break;
	case HI_DPPS:
		switch (imm & 255) { KI256("dpps") }
		break;
	case HI_DPPD:
		switch (imm & 255) { KI256("dppd") }
		break;
	default:
		exec_ud(cpu);
	}
	memcpy(xp, &x, 16);
	return o & 0x3f;
}

uint64_t vec_host_comi(ae_cpu *cpu, bool dbl, bool signaling, const uint8_t *xp, const uint8_t *yp)
{
	v2i x, y;
	uint32_t m = guest_mxcsr(cpu), o = 0, s = 0;
	bool zf, pf, cf;
	memcpy(&x, xp, 16);
	memcpy(&y, yp, 16);
#define KC(insn)                                                                                   \
	__asm__ volatile("stmxcsr %[s]\n\tldmxcsr %[m]\n\t" insn " %[y], %[x]\n\t"                 \
			 "stmxcsr %[o]\n\tldmxcsr %[s]"                                            \
			 : "=@ccz"(zf), "=@ccp"(pf), "=@ccc"(cf), [o] "=m"(o), [s] "+m"(s)         \
			 : [x] "x"(x), [y] "x"(y), [m] "m"(m))
	if (dbl && signaling)
		KC("comisd");
	else if (dbl)
		KC("ucomisd");
	else if (signaling)
		KC("comiss");
	else
		KC("ucomiss");
#undef KC
	vec_fp_flags(cpu, o);
	return (zf ? FL_ZF : 0) | (pf ? FL_PF : 0) | (cf ? FL_CF : 0);
}

void vec_host_cvtsi2f(ae_cpu *cpu, bool dbl, bool src64, uint64_t src, uint8_t *xp)
{
	v2i x;
	uint32_t m = guest_mxcsr(cpu), o = 0, s = 0;
	uint32_t s32 = (uint32_t)src;
	memcpy(&x, xp, 16);
#define KV(insn, val)                                                                                \
	__asm__ volatile("stmxcsr %[s]\n\tldmxcsr %[m]\n\t" insn " %[v], %[x]\n\t"                 \
			 "stmxcsr %[o]\n\tldmxcsr %[s]"                                            \
			 : [x] "+x"(x), [o] "=m"(o), [s] "+m"(s)                                   \
			 : [v] "r"(val), [m] "m"(m))
	if (dbl && src64)
		KV("cvtsi2sdq", src);
	else if (dbl)
		KV("cvtsi2sdl", s32);
	else if (src64)
		KV("cvtsi2ssq", src);
	else
		KV("cvtsi2ssl", s32);
#undef KV
	vec_fp_flags(cpu, o);
	memcpy(xp, &x, 16);
}

uint64_t vec_host_cvtf2si(ae_cpu *cpu, bool dbl, bool dst64, bool trunc, const uint8_t *yp)
{
	v2i y;
	uint32_t m = guest_mxcsr(cpu), o = 0, s = 0;
	uint64_t r64 = 0;
	uint32_t r32 = 0;
	memcpy(&y, yp, 16);
#define KF(insn, res)                                                                                \
	__asm__ volatile("stmxcsr %[s]\n\tldmxcsr %[m]\n\t" insn " %[y], %[r]\n\t"                 \
			 "stmxcsr %[o]\n\tldmxcsr %[s]"                                            \
			 : [r] "=r"(res), [o] "=m"(o), [s] "+m"(s)                                   \
			 : [y] "x"(y), [m] "m"(m))
	unsigned k = (dbl ? 4u : 0u) | (dst64 ? 2u : 0u) | (trunc ? 1u : 0u);
	switch (k) {
	case 0: KF("cvtss2si", r32); break;
	case 1: KF("cvttss2si", r32); break;
	case 2: KF("cvtss2si", r64); break;
	case 3: KF("cvttss2si", r64); break;
	case 4: KF("cvtsd2si", r32); break;
	case 5: KF("cvttsd2si", r32); break;
	case 6: KF("cvtsd2si", r64); break;
	default: KF("cvttsd2si", r64); break;
	}
#undef KF
	vec_fp_flags(cpu, o);
	return dst64 ? r64 : r32;
}

#else /* no x86-64 host: vector floating point is not available */

uint32_t vec_host2(ae_cpu *cpu, unsigned op, uint8_t *x, const uint8_t *y)
{
	(void)op, (void)x, (void)y;
	exec_ud(cpu);
}
uint32_t vec_host2i(ae_cpu *cpu, unsigned op, uint8_t *x, const uint8_t *y, unsigned imm)
{
	(void)op, (void)x, (void)y, (void)imm;
	exec_ud(cpu);
}
uint64_t vec_host_comi(ae_cpu *cpu, bool dbl, bool signaling, const uint8_t *x, const uint8_t *y)
{
	(void)dbl, (void)signaling, (void)x, (void)y;
	exec_ud(cpu);
}
void vec_host_cvtsi2f(ae_cpu *cpu, bool dbl, bool src64, uint64_t src, uint8_t *x)
{
	(void)dbl, (void)src64, (void)src, (void)x;
	exec_ud(cpu);
}
uint64_t vec_host_cvtf2si(ae_cpu *cpu, bool dbl, bool dst64, bool trunc, const uint8_t *y)
{
	(void)dbl, (void)dst64, (void)trunc, (void)y;
	exec_ud(cpu);
}

#endif
