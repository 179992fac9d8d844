/* The vector engine shared by the SSE3-SSE4.2 and AVX/AVX2 handlers (vec.c, h_sse4.c, h_avx.c).
 *
 * One semantic function serves the legacy (SSE, and MMX where the instruction has an mm form)
 * and the VEX encoding of an instruction. vec_run() gathers the operands into a vargs:
 *   legacy:  a = the destination's old value, b = the first source, c = the second (XMM0)
 *   VEX:     a = the first source (vvvv), b = the second, c = the third (is4 register);
 *            a form with a single source (no vvvv, or vvvv as the destination of a shift by
 *            immediate) has a = b = that source.
 * The function writes v->vl bytes of result; vec_run() stores them into the destination:
 * legacy SSE keeps the destination's bits above 128, VEX zeroes everything above v->vl up to
 * the widest register (SDM Vol. 1, 14.1.2).
 *
 * Alignment: a legacy 16-byte memory operand must be 16-byte aligned (#GP) unless the form is
 * VF_NOALIGN; VEX forms never check alignment unless VF_ALIGN (VMOVAPS and kin).
 *
 * Floating point runs on the host's own SSE unit with the guest's MXCSR loaded (rounding,
 * DAZ, FTZ) and every exception masked; the flags it raises are ORed into the guest's MXCSR,
 * and a raised flag that the guest left unmasked is #XM with the destination unchanged. On
 * an x86-64 host this is bit-exact by construction, results, NaN payloads and flags alike. */
#ifndef EXEC_VEC_H
#define EXEC_VEC_H

#include "exec_internal.h"

typedef struct vargs {
	_Alignas(32) uint8_t a[32];
	_Alignas(32) uint8_t b[32];
	_Alignas(32) uint8_t c[32];
	unsigned vl;  /* result bytes: 8 (MMX), 16 or 32 */
	unsigned imm; /* the immediate byte (0 if none) */
	bool has_imm, vex, mmx;
	unsigned bsz; /* bytes of b that came from a memory operand (0: register) */
	unsigned bn;  /* bytes of b's operand (register size or memory size) */
} vargs;

typedef void (*vec_fn)(ae_cpu *cpu, const vargs *v, uint8_t *r);

enum {
	VF_NOALIGN = 1, /* legacy memory operand may be unaligned */
	VF_ALIGN = 2,	/* VEX memory operand must be aligned to its size */
	VF_XMM = 4,	/* VEX.256 is #UD (128-bit only instruction) */
};

void vec_run(ae_cpu *cpu, const ae_insn *in, vec_fn fn, unsigned flags);

/* Register bytes of a vector or MMX register id (AE_R_VEC.., AE_R_MM..); #UD otherwise. */
uint8_t *vec_reg(ae_cpu *cpu, unsigned reg);
/* Reads operand i (register or memory) into out (zero-padded to 32 bytes). n: register bytes. */
void vec_src(ae_cpu *cpu, const ae_insn *in, unsigned i, uint8_t out[32], unsigned n, bool align);
/* Writes n result bytes to the vector register of operand i with the encoding's upper rule. */
void vec_dst(ae_cpu *cpu, const ae_insn *in, unsigned i, const uint8_t *r, unsigned n);
/* Marks the x87 stack as MMX state (TOP = 0, all registers valid, exponent all ones). */
void vec_mmx_touch(ae_cpu *cpu, unsigned mmreg);

static inline uint64_t vrd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	memcpy(&v, p, n);
	return v;
}
static inline void vwr(uint8_t *p, unsigned n, uint64_t v)
{
	memcpy(p, &v, n);
}

/* --- host floating point (vec.c) --------------------------------------------------------- */

/* x := x OP y for one 16-byte register pair, as the legacy SSE instruction does. */
enum {
	HK_ADDPS, HK_ADDPD, HK_ADDSS, HK_ADDSD, HK_SUBPS, HK_SUBPD, HK_SUBSS, HK_SUBSD,
	HK_MULPS, HK_MULPD, HK_MULSS, HK_MULSD, HK_DIVPS, HK_DIVPD, HK_DIVSS, HK_DIVSD,
	HK_MINPS, HK_MINPD, HK_MINSS, HK_MINSD, HK_MAXPS, HK_MAXPD, HK_MAXSS, HK_MAXSD,
	HK_SQRTPS, HK_SQRTPD, HK_SQRTSS, HK_SQRTSD, HK_RSQRTPS, HK_RSQRTSS, HK_RCPPS, HK_RCPSS,
	HK_ADDSUBPS, HK_ADDSUBPD, HK_HADDPS, HK_HADDPD, HK_HSUBPS, HK_HSUBPD,
	HK_CVTPS2PD, HK_CVTPD2PS, HK_CVTPS2DQ, HK_CVTPD2DQ, HK_CVTTPS2DQ, HK_CVTTPD2DQ,
	HK_CVTDQ2PS, HK_CVTDQ2PD, HK_CVTSS2SD, HK_CVTSD2SS,
	HK__COUNT
};
/* The host kernels return the MXCSR flags raised; vec_fp_flags() ORs them into the guest's
 * MXCSR and raises #XM for an unmasked one. */
uint32_t vec_host2(ae_cpu *cpu, unsigned op, uint8_t *x, const uint8_t *y);
/* Immediate forms: CMPxx (imm 0-7), ROUNDxx (imm 0-15), DPPS/DPPD (imm 0-255). */
enum { HI_CMPPS, HI_CMPPD, HI_CMPSS, HI_CMPSD, HI_ROUNDPS, HI_ROUNDPD, HI_ROUNDSS, HI_ROUNDSD,
       HI_DPPS, HI_DPPD };
uint32_t vec_host2i(ae_cpu *cpu, unsigned op, uint8_t *x, const uint8_t *y, unsigned imm);
void vec_fp_flags(ae_cpu *cpu, uint32_t flags);
/* (U)COMISS/SD: returns the arithmetic flags. */
uint64_t vec_host_comi(ae_cpu *cpu, bool dbl, bool signaling, const uint8_t *x, const uint8_t *y);
/* CVTSI2SS/SD (x's low element := src), CVT(T)SS/SD2SI (returns the integer). */
void vec_host_cvtsi2f(ae_cpu *cpu, bool dbl, bool src64, uint64_t src, uint8_t *x);
uint64_t vec_host_cvtf2si(ae_cpu *cpu, bool dbl, bool dst64, bool trunc, const uint8_t *y);

#endif
