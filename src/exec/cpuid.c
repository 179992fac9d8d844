/* CPUID profiles. A profile reports only what the executor runs (SSE through SSE4.2, AVX,
 * AVX2, CX16, POPCNT, LZCNT, BMI1/2, ADX, ERMS, XSAVE/OSXSAVE and, in the APX profiles, APX_F
 * with leaf 0x29; not FMA, F16C, AES or AVX-512),
 * and follows the consistency rules glibc and the compiler runtimes depend on
 * (spec/linux-user-abi.md 3.4-3.5): vendor GenuineIntel with a terminated leaf 4, HTT = 0,
 * leaf 7.0.EAX = 1 so that 7.1 is read, no MPX next to APX, and leaf 0xD sized for the
 * standard XSAVE layout of XCR0 (x87 | SSE | AVX | APX = 0x80007, 1088 bytes).
 *
 * One source for the XSAVE data: each profile is based on a profile of the XSTATE engine
 * (src/xstate: "apx" for default/apx, "spr" for noapx). exec_profile_xs() builds the engine
 * profile the executor runs: the base's XCR0 mask restricted to the components the executor
 * has registers for (x87, SSE, AVX, and APX in the APX profiles; not the AVX-512, AMX, MPX or
 * PKRU components, whose instructions it does not run), no supervisor components (IA32_XSS
 * mask 0), the base's XSAVE features without XFD, its MXCSR_MASK, layout and vendor rules,
 * and as leaves the executor's own table below with the XSAVE-related bits taken from the
 * base (1.ECX[26] XSAVE, 1.EDX[24] FXSR, 7.0.EBX[13], 7.1.EDX[21] APX_F, leaf 0x29). CPUID
 * then runs the engine's ae_xs_cpuid over that profile: leaf 0xD, every sub-leaf, and
 * 1.ECX[27] OSXSAVE are computed there from the live XCR0. */
#include "apxemu/xstate.h"
#include "exec_internal.h"

struct exec_profile {
	const char *name;
	bool apx;
	const char *xs_base; /* the XSTATE engine's profile it is based on */
};

static const exec_profile profiles[] = {
	{"default", true, "apx"},
	{"apx", true, "apx"},
	{"noapx", false, "spr"},
};

static const char *const profile_names[] = {"default", "apx", "noapx", NULL};

const char *const *ae_cpu_profiles(void)
{
	return profile_names;
}

const exec_profile *exec_profile_find(const char *name)
{
	for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
		if (!strcmp(profiles[i].name, name))
			return &profiles[i];
	return NULL;
}

uint64_t exec_profile_xcr0(const exec_profile *p)
{
	return exec_profile_xs(p)->xcr0_mask;
}

void exec_profile_decode_ctx(const exec_profile *p, ae_decode_ctx *ctx)
{
	ae_decode_ctx_default(ctx);
	ctx->apx = p->apx;
	ae_decode_ctx_set_feature(ctx, AE_FEAT_APX_F, p->apx);
}

static void str4(uint32_t *r, const char *s)
{
	memcpy(r, s, 4);
}

/* The executor's own leaf table (leaf 0xD and OSXSAVE are computed by the engine). */
static void exec_leaf(const exec_profile *p, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	uint32_t a = 0, b = 0, c = 0, d = 0;
	uint32_t maxleaf = p->apx ? 0x29 : 0x1f;
	if (leaf > maxleaf && leaf < 0x80000000)
		leaf = 0xffffffffu; /* reads as zeros */
	switch (leaf) {
	case 0:
		a = maxleaf;
		str4(&b, "Genu");
		str4(&d, "ineI");
		str4(&c, "ntel");
		break;
	case 1:
		a = 0x000806f8;		     /* family 6, model 0x8f, stepping 8 */
		b = (8u << 8) | (1u << 16);  /* CLFLUSH 64 bytes, one logical processor */
		/* SSE3 SSSE3 CX16 SSE4.1 SSE4.2 POPCNT XSAVE OSXSAVE AVX */
		c = (1u << 0) | (1u << 9) | (1u << 13) | (1u << 19) | (1u << 20) | (1u << 23) |
		    (1u << 26) | (1u << 27) | (1u << 28);
		d = 0x078bfbffu;	     /* FPU..SSE2, no HTT */
		break;
	case 2:
		a = 0x00feff01; /* descriptor 0xFF: use leaf 4 */
		break;
	case 4: {
		static const uint32_t caches[4][3] = {
			{0x121, (11u << 22) | 63, 63},	 /* L1d 48 KiB */
			{0x122, (7u << 22) | 63, 63},	 /* L1i 32 KiB */
			{0x143, (15u << 22) | 63, 2047}, /* L2 2 MiB */
			{0x163, (15u << 22) | 63, 32767} /* L3 32 MiB */
		};
		if (sub < 4) {
			a = caches[sub][0];
			b = caches[sub][1];
			c = caches[sub][2];
		}
		break;
	}
	case 7:
		if (sub == 0) {
			a = 1;
			/* BMI1 AVX2 BMI2 ERMS ADX */
			b = (1u << 3) | (1u << 5) | (1u << 8) | (1u << 9) | (1u << 19);
		} else if (sub == 1 && p->apx) {
			d = 1u << 21; /* APX_F */
		}
		break;
	case 0x29:
		if (sub == 0 && p->apx)
			b = 1; /* APX_NCI_NDD_NF */
		break;
	case 0x80000000:
		a = 0x80000008;
		break;
	case 0x80000001:
		c = (1u << 0) | (1u << 5) | (1u << 8); /* LAHF-SAHF, LZCNT, PREFETCHW */
		d = (1u << 11) | (1u << 20) | (1u << 27) | (1u << 29); /* SYSCALL NX RDTSCP LM */
		break;
	case 0x80000002:
	case 0x80000003:
	case 0x80000004: {
		char brand[49] = "apxemu x86-64 CPU with Intel APX";
		uint32_t r[12];
		memcpy(r, brand, 48);
		unsigned i = (leaf - 0x80000002) * 4;
		a = r[i], b = r[i + 1], c = r[i + 2], d = r[i + 3];
		break;
	}
	case 0x80000006:
		c = (2048u << 16) | (6u << 12) | 64;
		break;
	case 0x80000008:
		a = 0x3030;
		break;
	default:
		break;
	}
	out[0] = a, out[1] = b, out[2] = c, out[3] = d;
}

/* --- the engine profile ------------------------------------------------------------------- */

#define XS_EXEC_COMPS 0x80007u /* x87, SSE, AVX, APX: the components with executor registers */
#define NPROFILES (sizeof profiles / sizeof profiles[0])
static const uint32_t own_leaves[][2] = {
	{0, 0},		 {1, 0},	  {2, 0},	   {4, 0},	    {4, 1},
	{4, 2},		 {4, 3},	  {7, 0},	   {7, 1},	    {0x29, 0},
	{0x80000000, 0}, {0x80000001, 0}, {0x80000002, 0}, {0x80000003, 0}, {0x80000004, 0},
	{0x80000006, 0}, {0x80000008, 0},
};
#define NOWN (sizeof own_leaves / sizeof own_leaves[0])
static ae_xs_profile xs_profiles[NPROFILES];
static ae_xs_leaf xs_leaves[NPROFILES][NOWN];
static bool xs_ready[NPROFILES];

/* Replaces the bits of mask in *dst by those of the base profile's leaf. */
static void from_base(const ae_xs_profile *base, uint32_t leaf, uint32_t sub, unsigned reg,
		      uint32_t mask, uint32_t *dst)
{
	uint32_t r[4];
	ae_xs_cpuid(base, base->xcr0_mask, 0, true, leaf, sub, r);
	*dst = (*dst & ~mask) | (r[reg] & mask);
}

const ae_xs_profile *exec_profile_xs(const exec_profile *p)
{
	size_t k = (size_t)(p - profiles);
	if (xs_ready[k])
		return &xs_profiles[k];
	const ae_xs_profile *base = ae_xs_profile_find(p->xs_base);
	ae_xs_profile *x = &xs_profiles[k];
	*x = *base;
	x->name = p->name;
	x->summary = p->apx ? "the executor: x87, SSE, AVX and APX state of the apx profile"
			    : "the executor: x87, SSE and AVX state of the spr profile";
	x->xcr0_mask &= XS_EXEC_COMPS & (p->apx ? ~0ull : ~((uint64_t)1 << AE_XS_APX));
	x->xss_mask = 0;
	x->xsave_features &= 0xF; /* XSAVEOPT, XSAVEC, XGETBV1, XSAVES; no XFD */
	for (size_t i = 0; i < NOWN; i++) {
		ae_xs_leaf *l = &xs_leaves[k][i];
		l->leaf = own_leaves[i][0];
		l->subleaf = own_leaves[i][1];
		exec_leaf(p, l->leaf, l->subleaf, l->r);
		if (l->leaf == 1) {
			from_base(base, 1, 0, 2, 1u << 26, &l->r[2]); /* XSAVE */
			from_base(base, 1, 0, 3, 1u << 24, &l->r[3]); /* FXSR */
		} else if (l->leaf == 7 && l->subleaf == 0) {
			from_base(base, 7, 0, 1, 1u << 13, &l->r[1]); /* FCS/FDS stored as zero */
		} else if (l->leaf == 7 && l->subleaf == 1 && p->apx) {
			from_base(base, 7, 1, 3, 1u << 21, &l->r[3]); /* APX_F */
		} else if (l->leaf == 0x29 && p->apx) {
			from_base(base, 0x29, 0, 1, ~0u, &l->r[1]);
		}
	}
	x->leaves = xs_leaves[k];
	x->nleaves = NOWN;
	xs_ready[k] = true;
	return x;
}

void exec_cpuid(const ae_cpu *cpu, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	ae_xs_cpuid(exec_profile_xs(cpu->profile), cpu->xcr0, 0, true, leaf, sub, out);
}

const struct ae_xs_profile *ae_cpu_xs_profile(const ae_cpu *cpu)
{
	return exec_profile_xs(cpu->profile);
}
