/* CPUID profiles. A profile reports only what the executor runs (SSE through SSE4.2, AVX,
 * AVX2, CX16, POPCNT, LZCNT, BMI1/2, ADX, ERMS, XSAVE/OSXSAVE and, in the APX profiles, APX_F
 * with leaf 0x29; not FMA, F16C, AES or AVX-512),
 * and follows the consistency rules glibc and the compiler runtimes depend on
 * (spec/linux-user-abi.md 3.4-3.5): vendor GenuineIntel with a terminated leaf 4, HTT = 0,
 * leaf 7.0.EAX = 1 so that 7.1 is read, no MPX next to APX, and leaf 0xD sized for the
 * standard XSAVE layout of XCR0 (x87 | SSE | AVX | APX = 0x80007, 1088 bytes). */
#include "exec_internal.h"

struct exec_profile {
	const char *name;
	bool apx;
};

static const exec_profile profiles[] = {
	{"default", true},
	{"apx", true},
	{"noapx", false},
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
	return p->apx ? 0x80007 : 0x7;
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

void exec_cpuid(const ae_cpu *cpu, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	const exec_profile *p = cpu->profile;
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
	case 0xd:
		if (sub == 0) {
			a = (uint32_t)exec_profile_xcr0(p);
			b = p->apx ? 1088 : 832;
			c = b;
		} else if (sub == 2) {
			a = 256; /* AVX: YMM upper halves */
			b = 576;
		} else if (sub == 19 && p->apx) {
			a = 128;
			b = 960;
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
