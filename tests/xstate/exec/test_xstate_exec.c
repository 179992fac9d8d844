/* xstate.exec.cpuid and xstate.exec.rules: the executor's CPUID and its XSAVE-family
 * instructions against the XSTATE engine.
 *
 * cpuid: for every executor profile, the CPUID a guest reads (ae_cpu_cpuid, what the CPUID
 * instruction runs) is the engine's ae_xs_cpuid over ae_cpu_xs_profile() with the live XCR0,
 * leaf by leaf; leaf 0xD and the XSAVE-related bits (1.ECX[26] XSAVE, [27] OSXSAVE, 1.EDX[24]
 * FXSR, 7.0.EBX[13], 7.1.EDX[21] APX_F, leaf 0x29) equal those of the engine profile the
 * executor profile is based on (apx or spr) under the same XCR0, for every component the
 * executor has; XCR0 (XGETBV 0) equals CPUID.(0xD,0).EDX:EAX; and the profile reports only
 * what the executor runs: no AVX-512, AMX, MPX or PKU bit, no supervisor component.
 *
 * rules: single instructions on a CPU at CPL 3: XSETBV, XSAVES and XRSTORS raise #GP,
 * XGETBV with ECX = 2 raises #GP, XSAVE to a misaligned area raises #GP, XSAVE into an
 * unmapped page raises #PF with the page's address and writes nothing, XRSTOR of a header
 * with a bit outside XCR0 raises #GP and changes no register, FXSAVE/FXRSTOR round-trip. */
#include <stdio.h>
#include <string.h>

#include "apxemu/decoder.h"
#include "apxemu/exec.h"
#include "apxemu/exec_vec.h"
#include "apxemu/xstate.h"

static int nchecks, nfail;

static void check(int ok, const char *prof, const char *what, unsigned long long got,
		  unsigned long long want)
{
	nchecks++;
	if (!ok) {
		nfail++;
		printf("FAIL [%s] %s: got %#llx, want %#llx\n", prof, what, got, want);
	}
}

typedef struct leafcmp {
	ae_cpu *cpu;
	const char *prof;
	unsigned n;
} leafcmp;

static void cmp_leaf(void *opaque, uint32_t leaf, uint32_t sub, const uint32_t r[4])
{
	leafcmp *c = opaque;
	uint32_t g[4];
	ae_cpu_cpuid(c->cpu, leaf, sub, g);
	char what[64];
	for (unsigned i = 0; i < 4; i++) {
		snprintf(what, sizeof what, "CPUID(%#x,%u) reg %u = engine", leaf, sub, i);
		check(g[i] == r[i], c->prof, what, g[i], r[i]);
	}
	c->n++;
}

static void test_cpuid(void)
{
	for (const char *const *n = ae_cpu_profiles(); *n; n++) {
		ae_cpu *cpu = ae_cpu_new(*n);
		const ae_xs_profile *xp = ae_cpu_xs_profile(cpu);
		uint64_t xcr0 = ae_cpu_xcr0(cpu);
		leafcmp lc = {cpu, *n, 0};
		ae_xs_cpuid_each(xp, xcr0, 0, true, cmp_leaf, &lc);
		check(lc.n >= 20, *n, "leaves compared", lc.n, 20);

		uint32_t l71[4], d0[4];
		ae_cpu_cpuid(cpu, 7, 1, l71);
		bool apx = (l71[3] >> 21) & 1;
		const ae_xs_profile *base = ae_xs_profile_find(apx ? "apx" : "spr");
		ae_cpu_cpuid(cpu, 0xD, 0, d0);
		check(((uint64_t)d0[3] << 32 | d0[0]) == xcr0, *n, "XCR0 = CPUID.(0xD,0).EDX:EAX",
		      xcr0, (uint64_t)d0[3] << 32 | d0[0]);
		check((xcr0 & ~base->xcr0_mask) == 0, *n, "XCR0 within the base profile", xcr0,
		      xcr0 & base->xcr0_mask);
		check((xcr0 & ~0x80007ull) == 0, *n, "XCR0 only x87/SSE/AVX/APX", xcr0,
		      xcr0 & 0x80007);
		check(apx == ((xcr0 >> 19) & 1), *n, "APX_F iff XCR0[19]", apx, (xcr0 >> 19) & 1);

		/* Leaf 0xD against the base profile under the same XCR0. */
		uint32_t g[4], b[4];
		ae_xs_cpuid(base, xcr0, 0, true, 0xD, 0, b);
		ae_cpu_cpuid(cpu, 0xD, 0, g);
		check(g[1] == b[1], *n, "0xD.0 EBX (size for XCR0) = base", g[1], b[1]);
		check(g[1] == ae_xs_std_size(base, xcr0), *n, "0xD.0 EBX = standard size", g[1],
		      ae_xs_std_size(base, xcr0));
		ae_cpu_cpuid(cpu, 0xD, 1, g);
		check(g[2] == 0 && g[3] == 0, *n, "0xD.1 ECX:EDX (XSS mask) = 0", g[2], 0);
		check((g[0] & 7) == (base->xsave_features & 7), *n, "0xD.1 EAX XSAVEOPT/C/XGETBV1",
		      g[0], base->xsave_features & 7);
		for (unsigned i = 2; i < AE_XS_NCOMP; i++) {
			ae_cpu_cpuid(cpu, 0xD, i, g);
			ae_xs_cpuid(base, xcr0, 0, true, 0xD, i, b);
			char what[64];
			snprintf(what, sizeof what, "0xD.%u EAX/EBX/ECX", i);
			if (xcr0 >> i & 1)
				check(!memcmp(g, b, 12), *n, what, g[0], b[0]);
			else
				check(!g[0] && !g[1] && !g[2], *n, what, g[0], 0);
		}
		/* The XSAVE-related bits of other leaves come from the base. */
		static const struct {
			uint32_t leaf, sub;
			unsigned reg;
			uint32_t mask;
			const char *what;
		} bits[] = {
			{1, 0, 2, 1u << 26, "1.ECX[26] XSAVE"},
			{1, 0, 2, 1u << 27, "1.ECX[27] OSXSAVE"},
			{1, 0, 3, 1u << 24, "1.EDX[24] FXSR"},
			{7, 0, 1, 1u << 13, "7.0.EBX[13] FCS/FDS zero"},
			{7, 1, 3, 1u << 21, "7.1.EDX[21] APX_F"},
			{0x29, 0, 1, ~0u, "0x29.EBX"},
		};
		for (size_t k = 0; k < sizeof bits / sizeof bits[0]; k++) {
			if (!apx && (bits[k].leaf == 0x29 || (bits[k].leaf == 7 && bits[k].sub == 1)))
				continue;
			ae_cpu_cpuid(cpu, bits[k].leaf, bits[k].sub, g);
			ae_xs_cpuid(base, xcr0, 0, true, bits[k].leaf, bits[k].sub, b);
			check((g[bits[k].reg] & bits[k].mask) == (b[bits[k].reg] & bits[k].mask), *n,
			      bits[k].what, g[bits[k].reg] & bits[k].mask,
			      b[bits[k].reg] & bits[k].mask);
		}
		/* Only what the executor runs. */
		uint32_t l70[4];
		ae_cpu_cpuid(cpu, 7, 0, l70);
		uint32_t avx512 = (1u << 16) | (1u << 17) | (1u << 28) | (1u << 30) | (1u << 31);
		check(!(l70[1] & (avx512 | 1u << 14)), *n, "7.0.EBX: no AVX-512, no MPX", l70[1],
		      l70[1] & ~(avx512 | 1u << 14));
		check(!(l70[2] & (1u << 3)), *n, "7.0.ECX: no PKU", l70[2], 0);
		check(!(l70[3] & ((1u << 22) | (1u << 24) | (1u << 25))), *n, "7.0.EDX: no AMX",
		      l70[3], 0);
		ae_cpu_free(cpu);
	}
}

/* --- single instructions ------------------------------------------------------------------- */

enum { CODE = 0x10000, DATA = 0x20000, HOLE = 0x22000 };

static ae_cpu *mk(void)
{
	ae_cpu *cpu = ae_cpu_new("apx");
	ae_mem_map(cpu, CODE, 4096, AE_PROT_R | AE_PROT_X);
	ae_mem_map(cpu, DATA, 8192, AE_PROT_R | AE_PROT_W);
	ae_cpu_set_log(cpu, NULL, NULL);
	return cpu;
}

/* Runs one instruction; returns the exception vector or -1. */
static int run1(ae_cpu *cpu, const uint8_t *code, size_t n)
{
	ae_mem_write(cpu, CODE, code, n, 0);
	ae_cpu_set(cpu, AE_R_RIP, CODE);
	ae_exit e = ae_cpu_run(cpu, 1);
	if (e == AE_EXIT_FAULT)
		return ae_cpu_fault(cpu)->vector;
	return -1;
}

static void test_rules(void)
{
	static const uint8_t xsetbv[] = {0x0f, 0x01, 0xd1}, xgetbv[] = {0x0f, 0x01, 0xd0};
	static const uint8_t xsaves[] = {0x48, 0x0f, 0xc7, 0x2f}, xrstors[] = {0x48, 0x0f, 0xc7, 0x1f};
	static const uint8_t xsave[] = {0x48, 0x0f, 0xae, 0x27}, xrstor[] = {0x48, 0x0f, 0xae, 0x2f};
	static const uint8_t fxsave[] = {0x48, 0x0f, 0xae, 0x07}, fxrstor[] = {0x48, 0x0f, 0xae, 0x0f};
	const char *P = "cpl3";
	ae_cpu *cpu = mk();
	ae_cpu_set(cpu, 0, 7), ae_cpu_set(cpu, 1, 0), ae_cpu_set(cpu, 2, 0);
	check(run1(cpu, xsetbv, 3) == 13, P, "XSETBV at CPL3 -> #GP", 0, 13);
	check(ae_cpu_xcr0(cpu) == 0x80007, P, "XCR0 unchanged", ae_cpu_xcr0(cpu), 0x80007);
	ae_cpu_set(cpu, 1, 2);
	check(run1(cpu, xgetbv, 3) == 13, P, "XGETBV ECX=2 -> #GP", 0, 13);
	ae_cpu_set(cpu, 1, 0);
	check(run1(cpu, xgetbv, 3) == -1 && ae_cpu_get(cpu, 0) == 0x80007 && ae_cpu_get(cpu, 2) == 0,
	      P, "XGETBV ECX=0", ae_cpu_get(cpu, 0), 0x80007);
	ae_cpu_set(cpu, 1, 1);
	check(run1(cpu, xgetbv, 3) == -1 && ae_cpu_get(cpu, 0) == 0, P,
	      "XGETBV ECX=1 at reset = 0", ae_cpu_get(cpu, 0), 0);
	ae_cpu_set(cpu, 16, 42); /* r16 written: XINUSE[19] */
	ae_cpu_set(cpu, 1, 1);
	check(run1(cpu, xgetbv, 3) == -1 && ae_cpu_get(cpu, 0) == 0x80000, P,
	      "XGETBV ECX=1 after writing r16", ae_cpu_get(cpu, 0), 0x80000);
	ae_cpu_set(cpu, 7, DATA);
	ae_cpu_set(cpu, 0, 0x80007), ae_cpu_set(cpu, 2, 0);
	check(run1(cpu, xsaves, 4) == 13, P, "XSAVES at CPL3 -> #GP", 0, 13);
	check(run1(cpu, xrstors, 4) == 13, P, "XRSTORS at CPL3 -> #GP", 0, 13);
	ae_cpu_set(cpu, 7, DATA + 8);
	check(run1(cpu, xsave, 4) == 13, P, "XSAVE64 misaligned -> #GP", 0, 13);

	/* #PF at the page XSAVE would reach; nothing written. */
	uint8_t pat[512];
	memset(pat, 0x3c, sizeof pat);
	ae_mem_write(cpu, DATA + 8192 - 512, pat, 512, 0);
	ae_cpu_set(cpu, 7, DATA + 8192 - 512);
	int v = run1(cpu, xsave, 4);
	check(v == 14, P, "XSAVE64 into an unmapped page -> #PF", (unsigned)v, 14);
	check(ae_cpu_fault(cpu)->addr == HOLE, P, "#PF address", ae_cpu_fault(cpu)->addr, HOLE);
	check((ae_cpu_fault(cpu)->error & AE_PF_WRITE) != 0, P, "#PF error code W",
	      ae_cpu_fault(cpu)->error, AE_PF_WRITE);
	uint8_t back[512];
	ae_mem_read(cpu, DATA + 8192 - 512, back, 512, 0);
	check(!memcmp(back, pat, 512), P, "a faulting XSAVE64 writes nothing", 0, 0);

	/* XSAVE64, then XRSTOR64 of a header with XSTATE_BV[9]: #GP, registers unchanged. */
	uint8_t zero[1088] = {0};
	ae_mem_write(cpu, DATA, zero, sizeof zero, 0);
	ae_cpu_set(cpu, 7, DATA);
	check(run1(cpu, xsave, 4) == -1, P, "XSAVE64", 0, 0);
	uint64_t r16;
	ae_mem_read(cpu, DATA + 960, &r16, 8, 0);
	check(r16 == 42, P, "XSAVE64 stored r16 at 960", r16, 42);
	uint64_t bv = (1ull << 9) | 7 | (1ull << 19);
	ae_mem_write(cpu, DATA + 512, &bv, 8, 0);
	r16 = 7;
	ae_mem_write(cpu, DATA + 960, &r16, 8, 0);
	ae_cpu_set(cpu, 0, ~0ull), ae_cpu_set(cpu, 2, ~0ull);
	check(run1(cpu, xrstor, 4) == 13, P, "XRSTOR64 with XSTATE_BV[9] -> #GP", 0, 13);
	check(ae_cpu_get(cpu, 16) == 42, P, "r16 unchanged by a faulting XRSTOR64",
	      ae_cpu_get(cpu, 16), 42);
	bv &= ~(1ull << 9);
	ae_mem_write(cpu, DATA + 512, &bv, 8, 0);
	check(run1(cpu, xrstor, 4) == -1 && ae_cpu_get(cpu, 16) == 7, P,
	      "XRSTOR64 loads r16 from 960", ae_cpu_get(cpu, 16), 7);

	/* FXSAVE64 / FXRSTOR64 round trip through the executor's registers. */
	uint8_t img[512], img2[512];
	ae_cpu_get_fxsave(cpu, img);
	uint8_t x[64];
	memset(x, 0x5e, sizeof x);
	ae_cpu_set_vec(cpu, 3, x);
	ae_cpu_set(cpu, 7, DATA);
	check(run1(cpu, fxsave, 4) == -1, P, "FXSAVE64", 0, 0);
	ae_mem_read(cpu, DATA, img2, 512, 0);
	check(img2[160 + 48] == 0x5e && img2[160 + 63] == 0x5e, P, "FXSAVE64 XMM3", img2[208],
	      0x5e);
	memset(img2 + 160 + 48, 0x11, 16);
	ae_mem_write(cpu, DATA, img2, 512, 0);
	check(run1(cpu, fxrstor, 4) == -1, P, "FXRSTOR64", 0, 0);
	ae_cpu_get_vec(cpu, 3, x);
	check(x[0] == 0x11 && x[15] == 0x11 && x[16] == 0x5e, P, "FXRSTOR64 XMM3, upper kept",
	      x[0], 0x11);
	(void)img;
	ae_cpu_free(cpu);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";
	if (!strcmp(what, "cpuid") || !strcmp(what, "all"))
		test_cpuid();
	if (!strcmp(what, "rules") || !strcmp(what, "all"))
		test_rules();
	printf("xstate.exec.%s: %d checks, %d failed\n", what, nchecks, nfail);
	return nfail != 0;
}
