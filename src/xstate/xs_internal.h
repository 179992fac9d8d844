/* Internal interfaces of the XSTATE model (src/xstate). */
#ifndef APXEMU_XS_INTERNAL_H
#define APXEMU_XS_INTERNAL_H

#include <string.h>

#include "apxemu/xstate.h"

#define XS_BIT(i) (1ull << (i))
#define XS_FPSSE (XS_BIT(AE_XS_X87) | XS_BIT(AE_XS_SSE))
#define XS_MPX (XS_BIT(AE_XS_BNDREGS) | XS_BIT(AE_XS_BNDCSR))
#define XS_AVX512 (XS_BIT(AE_XS_OPMASK) | XS_BIT(AE_XS_ZMM_HI256) | XS_BIT(AE_XS_HI16_ZMM))
#define XS_AMX (XS_BIT(AE_XS_TILECFG) | XS_BIT(AE_XS_TILEDATA))
#define XS_ALL ((1ull << AE_XS_NCOMP) - 1)
#define XS_COMPACT XS_BIT(63)
#define XS_MXCSR_DEFAULT 0x1F80u

/* The largest area any profile can need: the standard layout up to TILEDATA, or the
 * compacted layout of every component with its alignment padding. */
#define XS_MAX_AREA 12288u

/* Fields of the legacy region (SDM Vol. 1 13.4.1). */
enum {
	XS_FCW = 0,
	XS_FSW = 2,
	XS_FTW = 4,
	XS_FOP = 6,
	XS_FIP = 8,
	XS_FDP = 16,
	XS_MXCSR = 24,
	XS_MXCSR_MASK = 28,
	XS_ST0 = 32,
	XS_XMM0 = 160,
	XS_XSTATE_BV = 512,
	XS_XCOMP_BV = 520,
};

/* CPUID.(0xD,1).EAX bits. */
enum { XS_F_XSAVEOPT = 1, XS_F_XSAVEC = 2, XS_F_XGETBV1 = 4, XS_F_XSAVES = 8, XS_F_XFD = 16 };

static inline uint16_t xs_rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t xs_rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t xs_rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline void xs_wr16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void xs_wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void xs_wr64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* table.c */
bool xs_profile_has_leaf1_bit(const ae_xs_profile *p, int reg, unsigned bit);
bool xs_profile_leaf(const ae_xs_profile *p, uint32_t leaf, uint32_t sub, uint32_t out[4]);
/* Size of the area an XSAVE image for the components in mask covers (standard form). */
uint32_t xs_std_end(const ae_xs_profile *p, uint64_t mask);

/* state.c: a component i >= 2 in XSAVE format (size bytes of the table). nregs is 8
 * outside 64-bit mode, 16 in it. */
void xs_comp_store(const ae_xstate *st, unsigned i, uint8_t *out, unsigned nregs);
void xs_comp_load(ae_xstate *st, unsigned i, const uint8_t *in, unsigned nregs);
void xs_comp_init(ae_xstate *st, unsigned i, unsigned nregs);
/* The x87 part of the legacy region (bytes 0-23 and 32-159) and its load. */
void xs_x87_store(const ae_xstate *st, const ae_xs_profile *p, uint8_t *img, bool rexw);
void xs_x87_load(ae_xstate *st, const ae_xs_profile *p, const uint8_t *img, bool rexw);
void xs_xmm_store(const ae_xstate *st, uint8_t *img, unsigned nregs);
void xs_xmm_load(ae_xstate *st, const uint8_t *img, unsigned nregs);
/* The value test of XINUSE on parts that track by value: like ae_xs_is_init, except that
 * the x87 pointers and opcode do not count (X-AMD-XI-0a). */
bool xs_value_init(const ae_xstate *st, unsigned i);
uint16_t xs_fcw_normalize(uint16_t fcw);
uint16_t xs_fsw_normalize(uint16_t fsw, uint16_t fcw);
uint16_t xs_tag_expand(const ae_xstate *st, uint8_t abridged);

/* check.c: the XRSTOR header and MXCSR rules, shared by the instruction and the decoder. */
typedef struct xs_issues {
	ae_xs_issue *v;
	size_t max, n;
} xs_issues;
void xs_issue(xs_issues *is, const char *rule, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* The header rules of X-RST-1..4 over an image (bytes 0-575), as XRSTOR applies them; the
 * instruction stops at the first issue, the decoder lists them all. Fills the plan. */
typedef struct xs_rst_plan {
	bool compact;
	uint64_t rfbm, bv, format;
	uint32_t off[AE_XS_NCOMP];
	uint32_t len;	    /* footprint */
	bool mxcsr_load;    /* MXCSR comes from the image (and is checked) */
	bool mxcsr_default; /* MXCSR := 1F80h */
} xs_rst_plan;
size_t xs_rst_header(const ae_xs_profile *p, uint64_t xcr0, uint64_t xss, bool xrstors,
		     uint64_t rfbm, const uint8_t *img, xs_rst_plan *plan, xs_issues *is);

#endif
