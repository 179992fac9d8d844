/* The XSAVE component table, the CPU profiles and CPUID.
 *
 * The table holds what the SDM (Vol. 1 13.1-13.5, Table 13-1) and the APX specification
 * (component 19) define: size, Intel standard offset, the ECX flags of CPUID.(0xD,i). A
 * profile lists the components it supports and, where a vendor lays the standard format
 * out differently (AMD never allocated the MPX hole: opmask at 832, X-COMP-1), the offsets
 * that differ. Leaf 0xD is never stored: every sub-leaf is computed from the table, the
 * profile and the live XCR0/IA32_XSS.
 */
#include <stdio.h>

#include "xs_internal.h"

static const ae_xs_comp comps[AE_XS_NCOMP] = {
	/* name        size  offset a64    sup    xfd */
	{"x87", 160, 0, false, false, false, "FCW FSW FTW FOP FIP FDP ST0-ST7 (legacy bytes 0-23, 32-159)"},
	{"SSE", 264, 0, false, false, false, "MXCSR, MXCSR_MASK, XMM0-XMM15 (legacy bytes 24-31, 160-415)"},
	{"AVX", 256, 576, false, false, false, "YMM0_H-YMM15_H, the upper 128 bits"},
	{"BNDREGS", 64, 960, false, false, false, "MPX BND0-BND3"},
	{"BNDCSR", 64, 1024, false, false, false, "MPX BNDCFGU, BNDSTATUS"},
	{"opmask", 64, 1088, false, false, false, "k0-k7"},
	{"ZMM_Hi256", 512, 1152, false, false, false, "ZMM0_H-ZMM15_H, the upper 256 bits"},
	{"Hi16_ZMM", 1024, 1664, false, false, false, "ZMM16-ZMM31"},
	{"PT", 128, 0, false, true, false, "Intel PT: the RTIT MSRs"},
	{"PKRU", 8, 2688, false, false, false, "PKRU"},
	{"PASID", 8, 0, false, true, false, "IA32_PASID"},
	{"CET_U", 16, 0, false, true, false, "IA32_U_CET, IA32_PL3_SSP"},
	{"CET_S", 24, 0, false, true, false, "IA32_PL0_SSP-IA32_PL2_SSP"},
	{"HDC", 8, 0, false, true, false, "IA32_PM_CTL1"},
	{"UINTR", 48, 0, false, true, false, "user interrupts: UIF, UIHANDLER, UISTACKADJUST, UPID, UITT"},
	{"LBR", 808, 0, false, true, false, "architectural LBRs"},
	{"HWP", 8, 0, false, true, false, "IA32_HWP_REQUEST"},
	{"TILECFG", 64, 2752, true, false, false, "AMX TILECFG"},
	{"TILEDATA", 8192, 2816, true, false, true, "AMX TMM0-TMM7"},
	{"APX", 128, 960, false, false, false, "R16-R31 (the bytes of BNDREGS and BNDCSR)"},
};

const ae_xs_comp *ae_xs_component(unsigned i)
{
	return i < AE_XS_NCOMP ? &comps[i] : NULL;
}

/* ---- profiles ----------------------------------------------------------------------- *
 * Leaf values are those of parts of each generation, with the XSAVE-related bits exact and
 * the rest representative; leaf 1 ECX[27] (OSXSAVE) is filled from CR4.OSXSAVE. */

#define B(n) (1u << (n))
/* CPUID.1 EDX of every profile: FPU..PBE as Intel server parts report it. */
#define L1_EDX_INTEL 0xBFEBFBFFu
/* CPUID.1 ECX: SSE3 PCLMUL SSSE3 FMA CX16 SSE4.1 SSE4.2 x2APIC MOVBE POPCNT AES XSAVE AVX F16C RDRAND */
#define L1_ECX_AVX2                                                                               \
	(B(0) | B(1) | B(9) | B(12) | B(13) | B(19) | B(20) | B(21) | B(22) | B(23) | B(25) |    \
	 B(26) | B(28) | B(29) | B(30))
/* CPUID.7.0 EBX: FSGSBASE BMI1 AVX2 SMEP BMI2 ERMS INVPCID RDSEED ADX SMAP CLFLUSHOPT CLWB */
#define L7_EBX_BASE                                                                               \
	(B(0) | B(3) | B(5) | B(7) | B(8) | B(9) | B(10) | B(18) | B(19) | B(20) | B(23) | B(24))
/* AVX512F DQ CD BW VL */
#define L7_EBX_AVX512 (B(16) | B(17) | B(28) | B(30) | B(31))
#define L7_EBX_MPX B(14)
#define L7_EBX_FCS_FDS_ZERO B(13) /* FPU CS and DS deprecated: stored as 0 */
#define L7_ECX_PKU B(3)
#define L7_ECX_CET_SS B(7)
#define L7_EDX_CET_IBT B(20)
#define L7_EDX_AMX (B(22) | B(24) | B(25)) /* AMX-BF16, AMX-TILE, AMX-INT8 */
#define L71_EDX_APX_F B(21)
#define L71_ECX_MSR_IMM B(5)
/* "GenuineIntel" in EBX EDX ECX. */
#define INTEL_VENDOR(max) {0, 0, {max, 0x756E6547, 0x6C65746E, 0x49656E69}}


static const ae_xs_leaf apx_leaves[] = {
	INTEL_VENDOR(0x29),
	{1, 0, {0x000C06F1, 0x00800800, L1_ECX_AVX2, L1_EDX_INTEL}},
	{7, 0, {1, L7_EBX_BASE | L7_EBX_AVX512 | L7_EBX_FCS_FDS_ZERO, L7_ECX_PKU | L7_ECX_CET_SS,
		L7_EDX_CET_IBT | L7_EDX_AMX}},
	{7, 1, {B(4) | B(5), 0, L71_ECX_MSR_IMM, L71_EDX_APX_F}}, /* AVX-VNNI, AVX512-BF16 */
	{0x29, 0, {0, 1, 0, 0}},				   /* APX_NCI_NDD_NF */
	{0x80000000, 0, {0x80000008, 0, 0, 0}},
	{0x80000001, 0, {0, 0, B(0) | B(5) | B(8), B(11) | B(20) | B(26) | B(27) | B(29)}},
	{0x80000008, 0, {0x0000302E, 0, 0, 0}},
};

static const ae_xs_leaf spr_leaves[] = {
	INTEL_VENDOR(0x20),
	{1, 0, {0x000806F8, 0x00800800, L1_ECX_AVX2, L1_EDX_INTEL}},
	{7, 0, {2, L7_EBX_BASE | L7_EBX_AVX512 | L7_EBX_FCS_FDS_ZERO, L7_ECX_PKU | L7_ECX_CET_SS,
		L7_EDX_CET_IBT | L7_EDX_AMX}},
	{7, 1, {B(4) | B(5), 0, 0, 0}},
	{0x80000000, 0, {0x80000008, 0, 0, 0}},
	{0x80000001, 0, {0, 0, B(0) | B(5) | B(8), B(11) | B(20) | B(26) | B(27) | B(29)}},
	{0x80000008, 0, {0x0000302E, 0, 0, 0}},
};

static const ae_xs_leaf skx_leaves[] = {
	INTEL_VENDOR(0x16),
	{1, 0, {0x00050654, 0x00800800, L1_ECX_AVX2, L1_EDX_INTEL}},
	{7, 0, {0, L7_EBX_BASE | L7_EBX_AVX512 | L7_EBX_MPX | L7_EBX_FCS_FDS_ZERO, L7_ECX_PKU, 0}},
	{0x80000000, 0, {0x80000008, 0, 0, 0}},
	{0x80000001, 0, {0, 0, B(0) | B(5) | B(8), B(11) | B(20) | B(26) | B(27) | B(29)}},
	{0x80000008, 0, {0x0000302E, 0, 0, 0}},
};

#define NLEAVES(a) (sizeof(a) / sizeof((a)[0]))
#define U_AVX512 (XS_FPSSE | XS_BIT(AE_XS_AVX) | XS_AVX512 | XS_BIT(AE_XS_PKRU))

static ae_xs_profile profiles[] = {
	{.name = "apx",
	 .summary = "Diamond Rapids-like: APX, AMX, AVX-512, PKRU, CET; no MPX",
	 .xcr0_mask = U_AVX512 | XS_AMX | XS_BIT(AE_XS_APX),
	 .xss_mask = XS_BIT(AE_XS_PT) | XS_BIT(AE_XS_PASID) | XS_BIT(AE_XS_CET_U) |
		     XS_BIT(AE_XS_CET_S) | XS_BIT(AE_XS_UINTR) | XS_BIT(AE_XS_LBR) | XS_BIT(AE_XS_HWP),
	 .xsave_features = 0x1F,
	 .mxcsr_mask = 0xFFFF,
	 .leaves = apx_leaves,
	 .nleaves = NLEAVES(apx_leaves)},
	{.name = "spr",
	 .summary = "Sapphire Rapids-like: AMX, AVX-512, PKRU, CET; no MPX, no APX",
	 .xcr0_mask = U_AVX512 | XS_AMX,
	 .xss_mask = XS_BIT(AE_XS_PT) | XS_BIT(AE_XS_PASID) | XS_BIT(AE_XS_CET_U) |
		     XS_BIT(AE_XS_CET_S) | XS_BIT(AE_XS_UINTR) | XS_BIT(AE_XS_LBR) | XS_BIT(AE_XS_HWP),
	 .xsave_features = 0x1F,
	 .mxcsr_mask = 0xFFFF,
	 .leaves = spr_leaves,
	 .nleaves = NLEAVES(spr_leaves)},
	{.name = "skx",
	 .summary = "Skylake-SP-like: MPX, AVX-512, PKRU; no AMX, no APX",
	 .xcr0_mask = U_AVX512 | XS_MPX,
	 .xss_mask = XS_BIT(AE_XS_PT),
	 .xsave_features = 0x0F,
	 .mxcsr_mask = 0xFFFF,
	 .leaves = skx_leaves,
	 .nleaves = NLEAVES(skx_leaves)},
	{.name = "host", .summary = "this machine's CPUID, for the components it has"},
};
enum { PROFILE_HOST = 3 };

static const char *const profile_names[] = {"apx", "spr", "skx", "host", NULL};

const char *const *ae_xs_profile_names(void)
{
	return profile_names;
}

/* ---- the host profile --------------------------------------------------------------- */

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static ae_xs_leaf host_leaves[160];

static void host_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
}

static void host_add(size_t *n, uint32_t leaf, uint32_t sub)
{
	if (*n >= NLEAVES(host_leaves))
		return;
	ae_xs_leaf *l = &host_leaves[(*n)++];
	l->leaf = leaf;
	l->subleaf = sub;
	host_cpuid(leaf, sub, l->r);
}

/* How many bits of FIP this CPU keeps (AMD Zen 3: 48, Zen 5: 57, sign-extended, X-LEG-3):
 * FXRSTOR64 an image with an unmasked exception pending (AMD stores the pointers only
 * then, X-LEG-4) and FIP = 0x5555...; FXSAVE64 shows what was kept. The caller's x87/SSE
 * state (saved in fx) is put back. */
static uint8_t host_fip_bits(const uint8_t *fx)
{
	_Alignas(16) uint8_t img[512], out[512];
	memset(img, 0, sizeof img);
	xs_wr16(img + XS_FCW, 0x0340);
	xs_wr16(img + XS_FSW, 0x0081);
	xs_wr32(img + XS_MXCSR, XS_MXCSR_DEFAULT);
	xs_wr64(img + XS_FIP, 0x5555555555555555ull);
	__asm__ volatile("fxrstor64 %1\n\tfxsave64 %0\n\tfxrstor64 %2"
			 : "=m"(out)
			 : "m"(img), "m"(*(const uint8_t(*)[512])fx));
	uint64_t v = xs_rd64(out + XS_FIP);
	for (unsigned w = 32; w < 64; w++)
		if ((uint64_t)((int64_t)(0x5555555555555555ull << (64 - w)) >> (64 - w)) == v)
			return (uint8_t)w;
	return 0;
}

static void host_fill(ae_xs_profile *p)
{
	uint32_t r[4];
	size_t n = 0;
	host_cpuid(0, 0, r);
	uint32_t max = r[0] < 0x40 ? r[0] : 0x40;
	bool amd = r[1] == 0x68747541; /* "Auth" */
	for (uint32_t l = 0; l <= max; l++) {
		if (l == 0xD)
			continue;
		host_add(&n, l, 0);
		if (l == 7) {
			host_cpuid(7, 0, r);
			for (uint32_t s = 1; s <= r[0] && s < 4; s++)
				host_add(&n, 7, s);
		}
	}
	host_cpuid(0x80000000, 0, r);
	uint32_t emax = r[0] < 0x80000040 ? r[0] : 0x80000040;
	for (uint32_t l = 0x80000000; l <= emax && r[0] >= 0x80000000; l++)
		host_add(&n, l, 0);
	p->leaves = host_leaves;
	p->nleaves = n;
	p->amd = amd;
	p->xrstor_xinuse_by_value = amd;

	host_cpuid(1, 0, r);
	if (!(r[2] & B(26))) {
		p->xcr0_mask = 0;
		return;
	}
	host_cpuid(0xD, 0, r);
	p->xcr0_mask = ((uint64_t)r[3] << 32 | r[0]) & XS_ALL;
	host_cpuid(0xD, 1, r);
	p->xsave_features = r[0] & 0x1F;
	p->xss_mask = ((uint64_t)r[3] << 32 | r[2]) & XS_ALL;
	for (unsigned i = 2; i < AE_XS_NCOMP; i++) {
		if (!(p->xcr0_mask & XS_BIT(i)))
			continue;
		host_cpuid(0xD, i, r);
		if (r[1] != comps[i].offset)
			p->offset[i] = r[1];
	}
	/* MXCSR_MASK as this CPU's FXSAVE stores it (AMD: bit 17 MM is writable). */
	_Alignas(16) uint8_t fx[512];
	memset(fx, 0, sizeof fx);
	__asm__ volatile("fxsave64 %0" : "=m"(fx));
	uint32_t mask = xs_rd32(fx + XS_MXCSR_MASK);
	p->mxcsr_mask = mask ? mask : 0xFFBF;
	p->fpu_ptr_bits = host_fip_bits(fx);
}
#else
static void host_fill(ae_xs_profile *p)
{
	const ae_xs_profile *apx = &profiles[0];
	*p = *apx;
	p->name = "host";
	p->summary = "a copy of the apx profile (this host is not x86)";
}
#endif

const ae_xs_profile *ae_xs_profile_find(const char *name)
{
	if (!name || !strcmp(name, "default"))
		name = "apx";
	for (size_t i = 0; i < NLEAVES(profiles); i++) {
		if (strcmp(profiles[i].name, name))
			continue;
		if (i == PROFILE_HOST && !profiles[i].leaves)
			host_fill(&profiles[i]);
		return &profiles[i];
	}
	return NULL;
}

/* ---- layout ------------------------------------------------------------------------- */

uint32_t ae_xs_offset(const ae_xs_profile *p, unsigned i)
{
	if (i >= AE_XS_NCOMP || comps[i].supervisor)
		return 0;
	if (p && p->offset[i])
		return p->offset[i];
	return comps[i].offset;
}

uint32_t xs_std_end(const ae_xs_profile *p, uint64_t mask)
{
	uint32_t end = AE_XS_EXT;
	for (unsigned i = 2; i < AE_XS_NCOMP; i++) {
		if (!(mask & XS_BIT(i)) || comps[i].supervisor)
			continue;
		uint32_t e = ae_xs_offset(p, i) + comps[i].size;
		if (e > end)
			end = e;
	}
	return end;
}

uint32_t ae_xs_std_size(const ae_xs_profile *p, uint64_t mask)
{
	return xs_std_end(p, mask);
}

uint32_t ae_xs_compacted_layout(const ae_xs_profile *p, uint64_t mask, uint32_t off[AE_XS_NCOMP])
{
	(void)p;
	uint32_t o = AE_XS_EXT;
	if (off)
		memset(off, 0, sizeof(uint32_t) * AE_XS_NCOMP);
	/* SDM 13.4.3: index order; a component with ECX[1]=1 starts on a 64-byte boundary. */
	for (unsigned i = 2; i < AE_XS_NCOMP; i++) {
		if (!(mask & XS_BIT(i)))
			continue;
		if (comps[i].align64)
			o = (o + 63) & ~63u;
		if (off)
			off[i] = o;
		o += comps[i].size;
	}
	return o;
}

/* ---- CPUID -------------------------------------------------------------------------- */

bool xs_profile_leaf(const ae_xs_profile *p, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	for (size_t i = 0; i < p->nleaves; i++)
		if (p->leaves[i].leaf == leaf && p->leaves[i].subleaf == sub) {
			memcpy(out, p->leaves[i].r, 16);
			return true;
		}
	memset(out, 0, 16);
	return false;
}

bool xs_profile_has_leaf1_bit(const ae_xs_profile *p, int reg, unsigned bit)
{
	uint32_t r[4];
	xs_profile_leaf(p, 1, 0, r);
	return (r[reg] >> bit) & 1;
}

static void leaf_d(const ae_xs_profile *p, uint64_t xcr0, uint64_t xss, uint32_t sub, uint32_t r[4])
{
	memset(r, 0, 16);
	if (!xs_profile_has_leaf1_bit(p, 2, 26))
		return;
	if (sub == 0) {
		r[0] = (uint32_t)p->xcr0_mask;
		r[3] = (uint32_t)(p->xcr0_mask >> 32);
		r[1] = ae_xs_std_size(p, xcr0 & p->xcr0_mask);
		r[2] = ae_xs_std_size(p, p->xcr0_mask);
	} else if (sub == 1) {
		r[0] = p->xsave_features;
		if (p->xsave_features & XS_F_XSAVES)
			r[1] = ae_xs_compacted_layout(p, (xcr0 | xss) & (p->xcr0_mask | p->xss_mask), NULL);
		else if (p->xsave_features & XS_F_XSAVEC)
			r[1] = ae_xs_compacted_layout(p, xcr0 & p->xcr0_mask, NULL);
		r[2] = (uint32_t)p->xss_mask;
		r[3] = (uint32_t)(p->xss_mask >> 32);
	} else if (sub < AE_XS_NCOMP && ((p->xcr0_mask | p->xss_mask) & XS_BIT(sub))) {
		const ae_xs_comp *c = &comps[sub];
		r[0] = c->size;
		r[1] = ae_xs_offset(p, sub);
		r[2] = (c->supervisor ? 1u : 0u) | (c->align64 ? 2u : 0u) |
		       (c->xfd && (p->xsave_features & XS_F_XFD) ? 4u : 0u);
	}
}

void ae_xs_cpuid(const ae_xs_profile *p, uint64_t xcr0, uint64_t xss, bool osxsave, uint32_t leaf,
		 uint32_t subleaf, uint32_t out[4])
{
	uint32_t l0[4];
	xs_profile_leaf(p, leaf & 0x80000000u, 0, l0);
	if (leaf > l0[0]) {
		/* Intel: a basic leaf above the maximum reads as the highest basic leaf. */
		memset(out, 0, 16);
		return;
	}
	if (leaf == 0xD) {
		leaf_d(p, xcr0, xss, subleaf, out);
		return;
	}
	/* Leaves whose sub-leaf does not select anything answer any ECX. */
	if (!xs_profile_leaf(p, leaf, subleaf, out) && leaf != 7 && leaf != 4 && leaf != 0xB &&
	    leaf != 0x1F && leaf != 0x29 && leaf != 0x8000001D)
		xs_profile_leaf(p, leaf, 0, out);
	if (leaf == 1) {
		out[2] &= ~B(27);
		if (osxsave && (out[2] & B(26)))
			out[2] |= B(27);
	}
}

static void each_d(const ae_xs_profile *p, uint64_t xcr0, uint64_t xss, ae_xs_leaf_fn fn,
		   void *opaque)
{
	uint32_t r[4];
	for (uint32_t s = 0; s < AE_XS_NCOMP; s++) {
		leaf_d(p, xcr0, xss, s, r);
		if (s < 2 || r[0])
			fn(opaque, 0xD, s, r);
	}
}

void ae_xs_cpuid_each(const ae_xs_profile *p, uint64_t xcr0, uint64_t xss, bool osxsave,
		      ae_xs_leaf_fn fn, void *opaque)
{
	uint32_t r[4];
	bool d_done = false;
	for (size_t i = 0; i < p->nleaves; i++) {
		const ae_xs_leaf *l = &p->leaves[i];
		if (!d_done && l->leaf > 0xD) {
			d_done = true;
			each_d(p, xcr0, xss, fn, opaque);
		}
		ae_xs_cpuid(p, xcr0, xss, osxsave, l->leaf, l->subleaf, r);
		fn(opaque, l->leaf, l->subleaf, r);
	}
	if (!d_done)
		each_d(p, xcr0, xss, fn, opaque);
}
