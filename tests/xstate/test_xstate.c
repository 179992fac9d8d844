/* The XSTATE model's table-driven tests: test_xstate rules|apx|cpuid|restore.
 * Expected values cite the SDM (Vol. 2 XSETBV/XGETBV/XRSTOR, Vol. 1 ch. 13), the APX
 * specification and the XSAVE rule digest (X-...); kvm-apx-model.md 3 for the KVM rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apxemu/xstate.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

static int failures, checks;

#define CHECK(cond, ...)                                        \
	do {                                                    \
		checks++;                                       \
		if (!(cond)) {                                  \
			failures++;                             \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__);                    \
			printf("\n");                           \
		}                                               \
	} while (0)

#define BIT(i) (1ull << (i))

/* ---- the XSETBV / XGETBV matrix ------------------------------------------------------- */

typedef struct xcr_row {
	const char *profile;
	int cpl;
	int osxsave;
	uint32_t ecx;
	uint64_t value;
	ae_xs_result want;
	const char *cite;
} xcr_row;

static const xcr_row xsetbv_rows[] = {
	{"apx", 0, 1, 0, 0x3, AE_XS_OK, "SDM XSETBV: x87|SSE"},
	{"apx", 0, 1, 0, 0x1, AE_XS_OK, "SDM 13.3: x87 alone"},
	{"apx", 0, 1, 0, 0x7, AE_XS_OK, "SDM 13.3: x87|SSE|AVX"},
	{"apx", 0, 1, 0, 0xE7, AE_XS_OK, "SDM 13.3: AVX-512 with AVX"},
	{"apx", 0, 1, 0, 0x602E7, AE_XS_OK, "SDM 13.3: AMX pair, PKRU"},
	{"apx", 0, 1, 0, 0x80003, AE_XS_OK, "APX spec 3.1.4: XCR0[19] alone with x87|SSE"},
	{"apx", 0, 1, 0, 0xE02E7, AE_XS_OK, "everything the apx profile supports"},
	{"apx", 0, 0, 0, 0x3, AE_XS_UD, "SDM XSETBV #UD: CR4.OSXSAVE = 0 (X-XCR-UD)"},
	{"apx", 3, 1, 0, 0x3, AE_XS_GP, "SDM XSETBV #GP: CPL > 0 (3.2/1)"},
	{"apx", 1, 1, 0, 0x3, AE_XS_GP, "SDM XSETBV #GP: CPL 1 (3.2/1)"},
	{"apx", 3, 0, 0, 0x3, AE_XS_UD, "#UD before the CPL check (X-XCR-UD)"},
	{"apx", 0, 1, 1, 0x3, AE_XS_GP, "SDM XSETBV #GP: ECX = 1, XCR1 is read-only (3.2/2)"},
	{"apx", 0, 1, 2, 0x3, AE_XS_GP, "kut test_unsupported_xcrs: ECX = 2"},
	{"apx", 0, 1, 0x80000000u, 0x3, AE_XS_GP, "kut: ECX = BIT(31)"},
	{"apx", 0, 1, 0, 0x0, AE_XS_GP, "SDM: XCR0[0] = 0 (3.2/4; kut XCR0 = 0)"},
	{"apx", 0, 1, 0, 0x2, AE_XS_GP, "SDM: SSE without x87 (3.2/4; kut XCR0 = SSE)"},
	{"apx", 0, 1, 0, 0x5, AE_XS_GP, "SDM: AVX without SSE (3.2/5; kut FP|YMM)"},
	{"apx", 0, 1, 0, 0x4, AE_XS_GP, "kut: XCR0 = YMM"},
	{"apx", 0, 1, 0, 0x27, AE_XS_GP, "SDM: opmask alone (3.2/7)"},
	{"apx", 0, 1, 0, 0x67, AE_XS_GP, "SDM: opmask|ZMM_Hi256 without Hi16_ZMM (3.2/7)"},
	{"apx", 0, 1, 0, 0xC7, AE_XS_GP, "SDM: ZMM without opmask (3.2/7)"},
	{"apx", 0, 1, 0, 0xE3, AE_XS_GP, "SDM: AVX-512 without AVX (3.2/7)"},
	{"apx", 0, 1, 0, 0x20003, AE_XS_GP, "SDM: TILECFG without TILEDATA (3.2/8)"},
	{"apx", 0, 1, 0, 0x40003, AE_XS_GP, "SDM: TILEDATA without TILECFG (3.2/8)"},
	{"apx", 0, 1, 0, 0x60003, AE_XS_OK, "SDM: the AMX pair needs no AVX"},
	{"apx", 0, 1, 0, 0x1B, AE_XS_GP, "X-APX-3: MPX is not enumerated on an APX part (3.2/3)"},
	{"apx", 0, 1, 0, 0x8001B, AE_XS_GP, "X-APX-3/KVM: APX with MPX (3.2/3, 3.2/9)"},
	{"apx", 0, 1, 0, 0x103, AE_XS_GP, "SDM: bit 8 (PT) is supervisor (3.2/3)"},
	{"apx", 0, 1, 0, 0x803, AE_XS_GP, "SDM: bit 11 (CET_U) is supervisor (3.2/3)"},
	{"apx", 0, 1, 0, BIT(20) | 3, AE_XS_GP, "SDM: reserved bit 20 (3.2/3)"},
	{"apx", 0, 1, 0, BIT(63) | 3, AE_XS_GP, "SDM: reserved bit 63 (3.2/3)"},
	{"apx", 0, 1, 0, BIT(32) | 3, AE_XS_GP, "SDM: EDX bit 0 (3.2/3)"},
	{"spr", 0, 1, 0, 0x602E7, AE_XS_OK, "SPR: AVX-512, PKRU, AMX"},
	{"spr", 0, 1, 0, 0x80003, AE_XS_GP, "SPR: APX unsupported (3.2/3)"},
	{"spr", 0, 1, 0, 0x1B, AE_XS_GP, "SPR: MPX unsupported (3.2/3)"},
	{"skx", 0, 1, 0, 0x1F, AE_XS_OK, "SKX: the MPX pair with AVX"},
	{"skx", 0, 1, 0, 0x1B, AE_XS_OK, "SKX: the MPX pair without AVX"},
	{"skx", 0, 1, 0, 0x0B, AE_XS_GP, "SKX: BNDREGS alone (3.2/6)"},
	{"skx", 0, 1, 0, 0x13, AE_XS_GP, "SKX: BNDCSR alone (3.2/6)"},
	{"skx", 0, 1, 0, 0x80003, AE_XS_GP, "SKX: APX unsupported (3.2/3)"},
	{"skx", 0, 1, 0, 0x2FF, AE_XS_OK, "SKX: everything it supports"},
	{"skx", 0, 1, 0, 0x60003, AE_XS_GP, "SKX: AMX unsupported (3.2/3)"},
};

/* The valid XCR0 values, built from the SDM 13.3 rules as groups rather than as refusals:
 * x87, then one of {-, SSE, SSE|AVX}, AVX-512 all three only with AVX, MPX as a pair, PKRU,
 * AMX as a pair, APX only without MPX; finally only what CPUID reports. */
static int valid_list(uint64_t supported, uint64_t *out)
{
	static const uint64_t vec[] = {0, 0x2, 0x6};
	int n = 0;
	for (int v = 0; v < 3; v++)
		for (int z = 0; z < 2; z++) {
			if (z && v != 2)
				continue;
			for (int m = 0; m < 2; m++)
				for (int pk = 0; pk < 2; pk++)
					for (int am = 0; am < 2; am++)
						for (int ap = 0; ap < 2; ap++) {
							if (ap && m)
								continue;
							uint64_t x = 1 | vec[v] | (z ? 0xE0 : 0) |
								     (m ? 0x18 : 0) | (pk ? 0x200 : 0) |
								     (am ? 0x60000 : 0) | (ap ? 0x80000 : 0);
							if (!(x & ~supported))
								out[n++] = x;
						}
		}
	return n;
}

static int test_rules(void)
{
	for (size_t i = 0; i < sizeof xsetbv_rows / sizeof xsetbv_rows[0]; i++) {
		const xcr_row *r = &xsetbv_rows[i];
		ae_xstate st;
		ae_xs_reset(&st);
		ae_xs_env env = {.cpu = ae_xs_profile_find(r->profile), .cpl = (uint8_t)r->cpl,
				 .osxsave = r->osxsave, .mode64 = true};
		ae_xs_fault f;
		ae_xs_result got = ae_xs_xsetbv(&st, &env, r->ecx, r->value, &f);
		CHECK(got == r->want, "XSETBV %s cpl %d ecx %#x value %#llx: got %d, want %d (%s)",
		      r->profile, r->cpl, r->ecx, (unsigned long long)r->value, got, r->want, r->cite);
		if (r->want == AE_XS_OK)
			CHECK(st.xcr0 == r->value, "XCR0 not written (%s)", r->cite);
		else
			CHECK(st.xcr0 == 1, "XCR0 changed by a faulting XSETBV (%s)", r->cite);
	}
	size_t rows = sizeof xsetbv_rows / sizeof xsetbv_rows[0];

	/* XGETBV (SDM Vol. 2 XGETBV; X-XGETBV-1..3). */
	const ae_xs_profile *apx = ae_xs_profile_find("apx");
	ae_xstate st;
	ae_xs_reset(&st);
	ae_xs_env env = {.cpu = apx, .cpl = 0, .osxsave = true, .mode64 = true};
	uint64_t v = 0;
	CHECK(ae_xs_xsetbv(&st, &env, 0, 0xE02E7, NULL) == AE_XS_OK, "setup");
	env.cpl = 3;
	CHECK(ae_xs_xgetbv(&st, &env, 0, &v, NULL) == AE_XS_OK && v == 0xE02E7,
	      "X-XGETBV-1: XGETBV(0) at CPL3 = XCR0");
	CHECK(ae_xs_xgetbv(&st, &env, 1, &v, NULL) == AE_XS_OK && v == 0,
	      "X-XGETBV-2: XINUSE after reset = 0, got %#llx", (unsigned long long)v);
	st.mxcsr = 0x1F81;
	CHECK(ae_xs_xgetbv(&st, &env, 1, &v, NULL) == AE_XS_OK && v == 2,
	      "X-XGETBV-3: MXCSR != 1F80h gives XINUSE[1]");
	st.mxcsr = 0x1F80;
	ae_xs_touch(&st, BIT(19) | BIT(5) | BIT(40));
	CHECK(ae_xs_xgetbv(&st, &env, 1, &v, NULL) == AE_XS_OK && v == (BIT(19) | BIT(5)),
	      "X-XGETBV-2: XCR0 AND XINUSE");
	for (uint32_t e = 2; e < 64; e++)
		CHECK(ae_xs_xgetbv(&st, &env, e, &v, NULL) == AE_XS_GP, "XGETBV(%u) #GP", e);
	for (uint32_t e = 6; e < 32; e++)
		CHECK(ae_xs_xgetbv(&st, &env, 1u << e, &v, NULL) == AE_XS_GP,
		      "kut: XGETBV(BIT(%u)) #GP", e);
	env.osxsave = false;
	CHECK(ae_xs_xgetbv(&st, &env, 0, &v, NULL) == AE_XS_UD, "kut test_no_xsave: XGETBV #UD");
	rows += 2 + 1 + 1 + 62 + 26 + 1;

	/* Every value of the low 20 bits (and a few high bits), on each profile, against the
	 * constructive list. */
	long sweep = 0;
	const char *names[] = {"apx", "spr", "skx", "host"};
	for (int pi = 0; pi < 4; pi++) {
		const ae_xs_profile *p = ae_xs_profile_find(names[pi]);
		if (!p->xcr0_mask)
			continue;
		static uint64_t valid[256];
		int nv = valid_list(p->xcr0_mask, valid);
		static unsigned char ok[1 << 20];
		memset(ok, 0, sizeof ok);
		for (int k = 0; k < nv; k++)
			ok[valid[k]] = 1;
		ae_xs_env e0 = {.cpu = p, .cpl = 0, .osxsave = true, .mode64 = true};
		for (uint64_t x = 0; x < (1u << 20); x++) {
			ae_xstate s;
			s.xcr0 = 1;
			ae_xs_result r = ae_xs_xsetbv(&s, &e0, 0, x, NULL);
			sweep++;
			if ((r == AE_XS_OK) != ok[x]) {
				CHECK(0, "profile %s XCR0 %#llx: engine %s, rules %s", names[pi],
				      (unsigned long long)x, r ? "#GP" : "ok", ok[x] ? "valid" : "invalid");
				break;
			}
			if (ok[x]) {
				uint64_t hi = x | BIT(20 + (x % 44));
				CHECK(ae_xs_xsetbv(&s, &e0, 0, hi, NULL) == AE_XS_GP,
				      "reserved bit with a valid XCR0");
				sweep++;
			}
		}
		printf("  profile %-4s: %d valid XCR0 values of %#llx\n", names[pi], nv,
		       (unsigned long long)p->xcr0_mask);
	}
	printf("xstate.rules: %zu cited rows, %ld swept values, %d checks, %d failures\n", rows,
	       sweep, checks, failures);
	return failures != 0;
}

/* ---- APX (component 19) ---------------------------------------------------------------- */

static int test_apx(void)
{
	const ae_xs_profile *p = ae_xs_profile_find("apx");
	static ae_xstate st;
	ae_xs_reset(&st);
	ae_xs_env env = {.cpu = p, .cpl = 0, .osxsave = true, .mode64 = true};
	const uint64_t xcr0 = 0xE02E7;
	CHECK(ae_xs_xsetbv(&st, &env, 0, xcr0, NULL) == AE_XS_OK, "XCR0 with APX");
	env.cpl = 3;
	/* CPUID: leaf 7.1 EDX[21], leaf 0x29, (0xD,19) = {128, 960, 0, 0} (APX spec 3.1.4). */
	uint32_t r[4];
	ae_xs_cpuid(p, xcr0, 0, true, 7, 1, r);
	CHECK((r[3] >> 21) & 1, "CPUID.(7,1).EDX[21] APX_F");
	CHECK((r[2] >> 5) & 1, "CPUID.(7,1).ECX[5] MSR_IMM");
	ae_xs_cpuid(p, xcr0, 0, true, 0x29, 0, r);
	CHECK(r[1] & 1, "CPUID.(0x29,0).EBX[0] APX_NCI_NDD_NF");
	ae_xs_cpuid(p, xcr0, 0, true, 0xD, 19, r);
	CHECK(r[0] == 128 && r[1] == 960 && r[2] == 0 && r[3] == 0, "CPUID.(0xD,19) = %u %u %u %u",
	      r[0], r[1], r[2], r[3]);
	ae_xs_cpuid(p, xcr0, 0, true, 0xD, 3, r);
	CHECK(!r[0] && !r[1], "no MPX sub-leaf on the APX part");

	for (int i = 0; i < 16; i++)
		st.egpr[i] = 0x1600000000000000ull + (uint64_t)i * 0x0101010101010101ull;
	ae_xs_touch(&st, BIT(19));
	uint64_t v;
	CHECK(ae_xs_xgetbv(&st, &env, 1, &v, NULL) == AE_XS_OK && (v & BIT(19)), "XINUSE[19] set");

	static uint8_t mem[16384] __attribute__((aligned(64)));
	memset(mem, 0xAA, sizeof mem);
	ae_xs_flat fl = {mem, sizeof mem, 0x10000, false};
	ae_xs_mem m = ae_xs_mem_flat(&fl);
	CHECK(ae_xs_exec(&st, &env, AE_XS_XSAVE, &m, 0x10000, BIT(19), true, NULL) == AE_XS_OK,
	      "XSAVE RFBM = bit 19");
	for (int i = 0; i < 16; i++) {
		uint64_t q;
		memcpy(&q, mem + 960 + 8 * i, 8);
		CHECK(q == st.egpr[i], "XSAVE: r%d at %d", 16 + i, 960 + 8 * i);
	}
	CHECK(mem[959] == 0xAA && mem[1088] == 0xAA, "XSAVE wrote only 960..1087 of the extended area");
	uint64_t bv;
	memcpy(&bv, mem + 512, 8);
	CHECK((bv & BIT(19)) && (bv & ~BIT(19)) == (0xAAAAAAAAAAAAAAAAull & ~BIT(19)),
	      "XSTATE_BV: bit 19 set, the others kept (X-SAVE-4): %#llx", (unsigned long long)bv);

	/* Edit the buffer, restore, check the registers. */
	memset(mem + 512, 0, 64);
	bv = BIT(19);
	memcpy(mem + 512, &bv, 8);
	for (int i = 0; i < 16; i++) {
		uint64_t q = ~(uint64_t)i;
		memcpy(mem + 960 + 8 * i, &q, 8);
	}
	CHECK(ae_xs_exec(&st, &env, AE_XS_XRSTOR, &m, 0x10000, BIT(19), true, NULL) == AE_XS_OK,
	      "XRSTOR RFBM = bit 19");
	for (int i = 0; i < 16; i++)
		CHECK(st.egpr[i] == ~(uint64_t)i, "XRSTOR: r%d", 16 + i);

	/* XSAVEC: component 19 follows TILEDATA (X-APX-2; SDM 13.4.3). 576 + AVX 256 + opmask
	 * 64 + ZMM_Hi256 512 + Hi16_ZMM 1024 + PKRU 8 = 2440; TILECFG aligned to 2496, +64 =
	 * 2560 (aligned), TILEDATA 8192 -> APX at 10752. */
	uint32_t off[AE_XS_NCOMP];
	uint32_t total = ae_xs_compacted_layout(p, xcr0, off);
	CHECK(off[19] == 10752 && total == 10880, "compacted APX at %u, size %u", off[19], total);
	CHECK(ae_xs_compacted_layout(p, 0x80003, off) == 704 && off[19] == 576,
	      "compacted x87|SSE|APX: APX at 576");
	memset(mem, 0xAA, sizeof mem);
	CHECK(ae_xs_exec(&st, &env, AE_XS_XSAVEC, &m, 0x10000, xcr0, true, NULL) == AE_XS_OK, "XSAVEC");
	uint64_t q;
	memcpy(&q, mem + 10752, 8);
	CHECK(q == st.egpr[0], "XSAVEC: r16 at 10752");
	memcpy(&q, mem + 520, 8);
	CHECK(q == (xcr0 | BIT(63)), "XCOMP_BV = RFBM | bit 63");

	/* XRSTOR with XSTATE_BV[19] = 0 zeroes r16-r31 and clears XINUSE[19] (X-APX-4). */
	memset(mem, 0, 1088);
	mem[24] = 0x80;
	mem[25] = 0x1F;
	CHECK(ae_xs_exec(&st, &env, AE_XS_XRSTOR, &m, 0x10000, BIT(19), true, NULL) == AE_XS_OK,
	      "XRSTOR init");
	int nz = 0;
	for (int i = 0; i < 16; i++)
		nz += st.egpr[i] != 0;
	CHECK(nz == 0, "r16-r31 zero after XRSTOR with XSTATE_BV[19] = 0");
	CHECK(ae_xs_xgetbv(&st, &env, 1, &v, NULL) == AE_XS_OK && !(v & BIT(19)), "XINUSE[19] clear");
	/* RFBM[19] = 0 leaves them alone. */
	st.egpr[3] = 42;
	CHECK(ae_xs_exec(&st, &env, AE_XS_XRSTOR, &m, 0x10000, 0x3, true, NULL) == AE_XS_OK, "XRSTOR x87|SSE");
	CHECK(st.egpr[3] == 42, "RFBM[19] = 0 keeps r16-r31");
	/* XSAVEOPT skips APX when XINUSE[19] = 0 (init optimization). */
	memset(mem + 960, 0x55, 128);
	st.egpr[3] = 0;
	st.xinuse &= ~BIT(19);
	CHECK(ae_xs_exec(&st, &env, AE_XS_XSAVEOPT, &m, 0x10000, BIT(19), true, NULL) == AE_XS_OK, "XSAVEOPT");
	CHECK(mem[960] == 0x55, "XSAVEOPT leaves an init APX area unwritten");
	/* XINUSE[19] after XRSTOR of zero values: the apx profile follows the SDM (set). */
	memset(mem + 960, 0, 128);
	bv = BIT(19);
	memcpy(mem + 512, &bv, 8);
	CHECK(ae_xs_exec(&st, &env, AE_XS_XRSTOR, &m, 0x10000, BIT(19), true, NULL) == AE_XS_OK, "XRSTOR zeros");
	CHECK(ae_xs_xgetbv(&st, &env, 1, &v, NULL) == AE_XS_OK && (v & BIT(19)),
	      "SDM 13.8.3: XSTATE_BV[19] = 1 sets XINUSE[19]");
	/* With XCR0[19] = 0, XSAVE never touches component 19 (X-APX-5). */
	env.cpl = 0;
	CHECK(ae_xs_xsetbv(&st, &env, 0, 0x7, NULL) == AE_XS_OK, "XCR0 without APX");
	memset(mem + 960, 0x77, 128);
	CHECK(ae_xs_exec(&st, &env, AE_XS_XSAVE, &m, 0x10000, ~0ull, true, NULL) == AE_XS_OK, "XSAVE");
	CHECK(mem[960] == 0x77 && mem[1087] == 0x77, "XCR0[19] = 0: bytes 960..1087 untouched");
	printf("xstate.apx: %d checks, %d failures\n", checks, failures);
	return failures != 0;
}

/* ---- host CPUID leaf 0xD ------------------------------------------------------------------ */

static int test_cpuid(void)
{
#if defined(__x86_64__)
	const ae_xs_profile *h = ae_xs_profile_find("host");
	uint32_t a, b, c, d, lo, hi;
	__cpuid_count(1, 0, a, b, c, d);
	if (!((c >> 27) & 1)) {
		puts("xstate.cpuid: no OSXSAVE, skipped");
		return 77;
	}
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	uint64_t xcr0 = (uint64_t)hi << 32 | lo;
	/* IA32_XSS is not readable in user mode; the kernel's value shows in (0xD,1).EBX only
	 * with XSAVES, so that word is compared only without XSAVES. */
	int n = 0;
	for (uint32_t s = 0; s < 64; s++) {
		uint32_t want[4], got[4];
		__cpuid_count(0xD, s, want[0], want[1], want[2], want[3]);
		ae_xs_cpuid(h, xcr0, 0, true, 0xD, s, got);
		if (s == 1 && (want[0] & 8))
			got[1] = want[1];
		if (s >= 20 && !want[0] && !want[1] && !want[2] && !want[3] && !got[0])
			continue;
		n++;
		CHECK(!memcmp(want, got, 16),
		      "CPUID.(0xD,%u): host %08x %08x %08x %08x, profile %08x %08x %08x %08x", s,
		      want[0], want[1], want[2], want[3], got[0], got[1], got[2], got[3]);
	}
	/* The layout itself: the sizes and flags are the table's; the host's offsets must
	 * agree with the table or be a known vendor layout (X-COMP-1). */
	for (unsigned i = 2; i < AE_XS_NCOMP; i++) {
		if (!(h->xcr0_mask & BIT(i)))
			continue;
		__cpuid_count(0xD, i, a, b, c, d);
		CHECK(a == ae_xs_component(i)->size, "component %u size: host %u, table %u", i, a,
		      ae_xs_component(i)->size);
		if (b != ae_xs_component(i)->offset)
			printf("  component %u (%s): host offset %u, Intel %u (vendor layout)\n", i,
			       ae_xs_component(i)->name, b, ae_xs_component(i)->offset);
	}
	printf("xstate.cpuid: %d sub-leaves of 0xD compared (XCR0 %#llx), %d checks, %d failures\n",
	       n, (unsigned long long)xcr0, checks, failures);
	return failures != 0;
#else
	puts("xstate.cpuid: not x86-64, skipped");
	return 77;
#endif
}

/* ---- restore rules, fault atomicity, KVM uABI ------------------------------------------- */

typedef struct rst_row {
	const char *what;
	int compact;
	uint64_t rfbm;
	unsigned byte; /* header byte (from 512) or MXCSR when >= 1000 */
	uint64_t value;
	ae_xs_result want;
	const char *cite;
} rst_row;

static int test_restore(void)
{
	const ae_xs_profile *p = ae_xs_profile_find("spr");
	ae_xs_env env = {.cpu = p, .cpl = 0, .osxsave = true, .mode64 = true};
	static uint8_t mem[12288] __attribute__((aligned(64)));
	ae_xs_flat fl = {mem, sizeof mem, 0x40000, false};
	ae_xs_mem m = ae_xs_mem_flat(&fl);
	static ae_xstate st, before;
	const uint64_t xcr0 = 0x602E7;
	static const struct {
		const char *what;
		int compact;
		uint64_t rfbm, bv, xcomp;
		int hdr_byte;
		uint32_t mxcsr;
		ae_xs_result want;
	} rows[] = {
		{"X-RST-3: BV within XCR0", 0, ~0ull, 0x7, 0, -1, 0x1F80, AE_XS_OK},
		{"X-RST-3: BV bit outside XCR0", 0, ~0ull, 0x1F, 0, -1, 0x1F80, AE_XS_GP},
		{"X-RST-1: BV outside XCR0 even with RFBM = 0", 0, 0, BIT(30), 0, -1, 0x1F80, AE_XS_GP},
		{"X-RST-3: BV[63] in the standard form", 0, ~0ull, BIT(63) | 3, 0, -1, 0x1F80, AE_XS_GP},
		{"X-RST-3: header byte 8 (XCOMP_BV) != 0, no bit 63", 0, ~0ull, 3, 0, 8, 0x1F80, AE_XS_GP},
		{"X-RST-3: header byte 23 != 0", 0, ~0ull, 3, 0, 23, 0x1F80, AE_XS_GP},
		{"X-RST-3: header byte 24 not checked", 0, ~0ull, 3, 0, 24, 0x1F80, AE_XS_OK},
		{"X-RST-3: header byte 63 not checked", 0, ~0ull, 3, 0, 63, 0x1F80, AE_XS_OK},
		{"X-RST-5: MXCSR reserved bit, RFBM = SSE", 0, 0x2, 0, 0, -1, 0x10000, AE_XS_GP},
		{"X-RST-5: MXCSR reserved bit, RFBM = AVX, BV = 0", 0, 0x4, 0, 0, -1, 0x10000, AE_XS_GP},
		{"X-RST-5: MXCSR not checked with RFBM = x87", 0, 0x1, 0, 0, -1, 0x10000, AE_XS_OK},
		{"X-RST-4: compacted, valid", 1, ~0ull, 0x7, 0x7, -1, 0x1F80, AE_XS_OK},
		{"X-RST-4: compacted, BV not in XCOMP_BV", 1, ~0ull, 0x7, 0x3, -1, 0x1F80, AE_XS_GP},
		{"X-RST-4: compacted, XCOMP_BV outside XCR0", 1, ~0ull, 0x3, 0x1B, -1, 0x1F80, AE_XS_GP},
		{"X-RST-4: compacted, XSTATE_BV[63] (measured)", 1, ~0ull, BIT(63) | 3, 3, -1, 0x1F80, AE_XS_GP},
		{"X-RST-4: compacted, header byte 16", 1, ~0ull, 3, 3, 16, 0x1F80, AE_XS_GP},
		{"X-RST-4: compacted, header byte 63", 1, ~0ull, 3, 3, 63, 0x1F80, AE_XS_GP},
		{"X-RST-5: compacted, bad MXCSR with BV[1] = 0: not checked", 1, ~0ull, 0x1, 0x3, -1, 0x10000, AE_XS_OK},
		{"X-RST-5: compacted, bad MXCSR with BV[1] = 1", 1, ~0ull, 0x3, 0x3, -1, 0x10000, AE_XS_GP},
	};
	int nrows = (int)(sizeof rows / sizeof rows[0]);
	for (int i = 0; i < nrows; i++) {
		ae_xs_reset(&st);
		st.xcr0 = xcr0;
		for (int r = 0; r < 32; r++)
			memset(st.zmm[r], 0x11 * (r + 1), 64);
		st.fcw = 0x27F;
		st.mxcsr = 0x1F81;
		ae_xs_touch(&st, xcr0);
		memcpy(&before, &st, sizeof st);
		memset(mem, 0, sizeof mem);
		memcpy(mem + 512, &rows[i].bv, 8);
		uint64_t xc = rows[i].compact ? rows[i].xcomp | BIT(63) : rows[i].xcomp;
		memcpy(mem + 520, &xc, 8);
		if (rows[i].hdr_byte >= 0)
			mem[512 + rows[i].hdr_byte] |= 1;
		memcpy(mem + 24, &rows[i].mxcsr, 4);
		ae_xs_fault f;
		ae_xs_result got = ae_xs_exec(&st, &env, AE_XS_XRSTOR, &m, 0x40000, rows[i].rfbm, true, &f);
		CHECK(got == rows[i].want, "%s: got %d want %d (%s)", rows[i].what, got, rows[i].want,
		      got ? f.why : "ok");
		if (got)
			CHECK(!memcmp(&st, &before, sizeof st), "%s: a faulting XRSTOR changed the state",
			      rows[i].what);
		/* The decoder names the same rule. */
		ae_xs_issue is[8];
		size_t n = ae_xs_check_buffer(p, xcr0, 0, mem, sizeof mem, AE_XS_FMT_AUTO, is, 8);
		if (rows[i].rfbm == ~0ull)
			CHECK((n == 0) == (rows[i].want == AE_XS_OK), "%s: decoder found %zu issues",
			      rows[i].what, n);
	}
	/* Faults: alignment (X-FLT-1), #PF at the end of memory with nothing written (X-FLT-2),
	 * XSAVES at CPL3, XSAVE with CR0.TS. */
	ae_xs_reset(&st);
	st.xcr0 = xcr0;
	memset(mem, 0x5A, sizeof mem);
	CHECK(ae_xs_exec(&st, &env, AE_XS_XSAVE, &m, 0x40010, 3, true, NULL) == AE_XS_GP, "misaligned XSAVE");
	CHECK(ae_xs_exec(&st, &env, AE_XS_FXSAVE, &m, 0x40010, 0, true, NULL) == AE_XS_OK, "FXSAVE 16-aligned");
	CHECK(ae_xs_exec(&st, &env, AE_XS_FXSAVE, &m, 0x40008, 0, true, NULL) == AE_XS_GP, "FXSAVE misaligned");
	memset(mem, 0x5A, sizeof mem);
	ae_xs_fault f;
	uint64_t at = 0x40000 + sizeof mem - 2816 - 64; /* TILEDATA runs past the end */
	at &= ~63ull;
	CHECK(ae_xs_exec(&st, &env, AE_XS_XSAVE, &m, at, xcr0, true, &f) == AE_XS_PF, "XSAVE #PF");
	int untouched = 1;
	for (size_t i = 0; i < sizeof mem; i++)
		untouched &= mem[i] == 0x5A;
	CHECK(untouched, "X-FLT-2: a faulting XSAVE wrote nothing");
	fl.readonly = true;
	CHECK(ae_xs_exec(&st, &env, AE_XS_XSAVE, &m, 0x40000, 0, true, &f) == AE_XS_PF && (f.error & 2),
	      "X-SAVE-5: XSAVE with RFBM = 0 to a read-only area: #PF (write)");
	fl.readonly = false;
	env.cpl = 3;
	CHECK(ae_xs_exec(&st, &env, AE_XS_XSAVES, &m, 0x40000, ~0ull, true, NULL) == AE_XS_GP, "XSAVES CPL3");
	CHECK(ae_xs_exec(&st, &env, AE_XS_XRSTORS, &m, 0x40000, ~0ull, true, NULL) == AE_XS_GP, "XRSTORS CPL3");
	env.cpl = 0;
	env.cr0_ts = true;
	CHECK(ae_xs_exec(&st, &env, AE_XS_XSAVE, &m, 0x40000, 3, true, NULL) == AE_XS_NM, "CR0.TS: #NM");
	env.cr0_ts = false;
	env.osxsave = false;
	CHECK(ae_xs_exec(&st, &env, AE_XS_XSAVE, &m, 0x40000, 3, true, NULL) == AE_XS_UD, "OSXSAVE = 0: #UD");
	env.osxsave = true;
	const ae_xs_profile *skx = ae_xs_profile_find("skx");
	ae_xs_env ek = env;
	ek.cpu = skx;
	/* XSAVES/XRSTORS with supervisor state (IA32_XSS), round trip. */
	ae_xs_env es = env;
	CHECK(ae_xs_set_xss(&st, &es, BIT(11), NULL) == AE_XS_OK, "XSS = CET_U");
	CHECK(ae_xs_set_xss(&st, &es, BIT(9), NULL) == AE_XS_GP, "XSS: PKRU is a user bit");
	st.cet_u[0] = 0x1234;
	ae_xs_touch(&st, BIT(11));
	memset(mem, 0, sizeof mem);
	CHECK(ae_xs_exec(&st, &es, AE_XS_XSAVES, &m, 0x40000, BIT(11) | 3, true, NULL) == AE_XS_OK, "XSAVES");
	uint64_t q;
	memcpy(&q, mem + 576, 8);
	CHECK(q == 0x1234, "XSAVES: CET_U at 576 in the compacted form");
	st.cet_u[0] = 0;
	CHECK(ae_xs_exec(&st, &es, AE_XS_XRSTORS, &m, 0x40000, BIT(11), true, NULL) == AE_XS_OK, "XRSTORS");
	CHECK(st.cet_u[0] == 0x1234, "XRSTORS restored CET_U");
	CHECK(ae_xs_exec(&st, &env, AE_XS_XRSTOR, &m, 0x40000, ~0ull, true, NULL) == AE_XS_GP,
	      "XRSTOR of an image with a supervisor bit: #GP");
	(void)ek;

	/* KVM uABI (kvm-apx-model.md 3.2). */
	const ae_xs_profile *apx = ae_xs_profile_find("apx");
	static uint8_t kb[12288];
	ae_xs_reset(&st);
	st.xcr0 = 0x80003;
	for (int i = 0; i < 16; i++)
		st.egpr[i] = 0xE0 + (uint64_t)i;
	CHECK(ae_xs_kvm_get(&st, apx, 0xE02E7, kb, 4096) == AE_XS_EINVAL,
	      "KVM_GET_XSAVE: 4096 bytes too small with AMX");
	CHECK(ae_xs_kvm_get(&st, apx, 0xE02E7, kb, sizeof kb) == AE_XS_OK, "KVM_GET_XSAVE2");
	memcpy(&q, kb + 512, 8);
	CHECK(q & BIT(19), "GET: XSTATE_BV[APX] set whenever APX is supported, values zero or not");
	memcpy(&q, kb + 960, 8);
	CHECK(q == 0xE0, "GET: r16 at 960");
	CHECK(ae_xs_check_buffer(apx, 0xE02E7, 0, kb, sizeof kb, AE_XS_FMT_KVM, NULL, 0) == 0,
	      "GET output passes the SET checks");
	memcpy(&before, &st, sizeof st);
	uint8_t saved = kb[520];
	kb[520] = 1; /* XCOMP_BV != 0 */
	CHECK(ae_xs_kvm_set(&st, apx, 0xE02E7, kb, sizeof kb, NULL) == AE_XS_EINVAL, "SET: XCOMP_BV");
	CHECK(!memcmp(&st, &before, sizeof st), "SET -EINVAL changed nothing, EGPRs included (X4)");
	kb[520] = saved;
	kb[540] = 1;
	CHECK(ae_xs_kvm_set(&st, apx, 0xE02E7, kb, sizeof kb, NULL) == AE_XS_EINVAL, "SET: reserved byte");
	kb[540] = 0;
	CHECK(ae_xs_kvm_set(&st, apx, 0x602E7, kb, sizeof kb, NULL) == AE_XS_EINVAL,
	      "SET: XSTATE_BV[APX] without APX support");
	uint32_t mx = 0x40000;
	memcpy(kb + 24, &mx, 4);
	CHECK(ae_xs_kvm_set(&st, apx, 0xE02E7, kb, sizeof kb, NULL) == AE_XS_OK,
	      "SET: MXCSR unchecked when FP/SSE/YMM absent from XSTATE_BV");
	q = 0x3;
	memcpy(kb + 512, &q, 8);
	CHECK(ae_xs_kvm_set(&st, apx, 0xE02E7, kb, sizeof kb, NULL) == AE_XS_EINVAL, "SET: bad MXCSR");
	mx = 0x1F80;
	memcpy(kb + 24, &mx, 4);
	st.egpr[0] = 99;
	CHECK(ae_xs_kvm_set(&st, apx, 0xE02E7, kb, sizeof kb, NULL) == AE_XS_OK, "SET ok");
	CHECK(st.egpr[0] == 99, "SET: XSTATE_BV[APX] = 0 leaves the EGPRs unchanged");
	CHECK(ae_xs_kvm_set(&st, apx, 0xE02E7, kb, 2048, NULL) == AE_XS_EINVAL, "SET: short buffer");

	printf("xstate.restore: %d XRSTOR rows, %d checks, %d failures\n", nrows, checks, failures);
	return failures != 0;
}

int main(int argc, char **argv)
{
	const char *t = argc > 1 ? argv[1] : "";
	if (!strcmp(t, "rules"))
		return test_rules();
	if (!strcmp(t, "apx"))
		return test_apx();
	if (!strcmp(t, "cpuid"))
		return test_cpuid();
	if (!strcmp(t, "restore"))
		return test_restore();
	fprintf(stderr, "usage: test_xstate rules|apx|cpuid|restore\n");
	return 2;
}
