/* xstate.exec.apx: APX state component 19 as a -mapxf program sees it under apxemu.
 * Built with clang-19 -O2 -static -mapxf; self-checking; prints one line per failed check
 * and "xsave_apx: N checks, M failed". The register work of each step is one asm statement,
 * so no compiler-chosen instruction touches r16-r31 between the steps.
 *
 * Checks: CPUID 7.1.EDX[21], 0xD.0, 0xD.19 and XGETBV(0)[19]; r16-r31 filled with known
 * values and XSAVE64 (RFBM = x87|SSE|AVX|APX) stores them at bytes 960..1087 in order, with
 * XSTATE_BV[19] = 1; XGETBV(1)[19] is 1 after writing r16; XRSTOR64 with XSTATE_BV[19] = 0
 * zeroes r16-r31 and clears XGETBV(1)[19]; an edited image (new values at 960) is loaded by
 * XRSTOR64 and XGETBV(1)[19] is set again; XSAVEC64 places component 19 right after AVX (at
 * 832, XCOMP_BV = 0x80007 | bit 63); XSAVE64 with bit 19 clear in RFBM leaves 960..1087 and
 * XSTATE_BV[19] as they were; faults: a misaligned XSAVE64 and an XRSTOR64 whose XSTATE_BV
 * has a bit outside XCR0 raise SIGSEGV (#GP), an XSAVE64 reaching an inaccessible page
 * raises SIGSEGV with si_addr at that page and writes nothing. */
#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define EGPR_CLOBBER                                                                          \
	"r16", "r17", "r18", "r19", "r20", "r21", "r22", "r23", "r24", "r25", "r26", "r27", "r28", \
		"r29", "r30", "r31"

static int nchecks, nfail;

static void check(int ok, const char *what, unsigned long long got, unsigned long long want)
{
	nchecks++;
	if (!ok) {
		nfail++;
		printf("FAIL %s: got %#llx, want %#llx\n", what, got, want);
	}
}

static _Alignas(64) uint8_t area[4096];
static _Alignas(64) uint8_t area2[4096];
static uint64_t vals[16], outv[16];

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static void wr64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* Loads r16..r31 from vals[], XSAVE64 into *buf with RFBM = rfbm. */
static void fill_and_xsave(uint8_t *buf, uint64_t rfbm)
{
	__asm__ volatile("mov 0(%0), %%r16\n\tmov 8(%0), %%r17\n\tmov 16(%0), %%r18\n\t"
			 "mov 24(%0), %%r19\n\tmov 32(%0), %%r20\n\tmov 40(%0), %%r21\n\t"
			 "mov 48(%0), %%r22\n\tmov 56(%0), %%r23\n\tmov 64(%0), %%r24\n\t"
			 "mov 72(%0), %%r25\n\tmov 80(%0), %%r26\n\tmov 88(%0), %%r27\n\t"
			 "mov 96(%0), %%r28\n\tmov 104(%0), %%r29\n\tmov 112(%0), %%r30\n\t"
			 "mov 120(%0), %%r31\n\t"
			 "xsave64 (%1)"
			 :
			 : "r"(vals), "r"(buf), "a"((uint32_t)rfbm), "d"((uint32_t)(rfbm >> 32))
			 : "memory", EGPR_CLOBBER);
}

/* Stores r16..r31 into outv[]. */
#define STORE_EGPRS                                                                           \
	"mov %%r16, 0(%[o])\n\tmov %%r17, 8(%[o])\n\tmov %%r18, 16(%[o])\n\t"                  \
	"mov %%r19, 24(%[o])\n\tmov %%r20, 32(%[o])\n\tmov %%r21, 40(%[o])\n\t"                \
	"mov %%r22, 48(%[o])\n\tmov %%r23, 56(%[o])\n\tmov %%r24, 64(%[o])\n\t"                \
	"mov %%r25, 72(%[o])\n\tmov %%r26, 80(%[o])\n\tmov %%r27, 88(%[o])\n\t"                \
	"mov %%r28, 96(%[o])\n\tmov %%r29, 104(%[o])\n\tmov %%r30, 112(%[o])\n\t"              \
	"mov %%r31, 120(%[o])\n\t"

static uint64_t xgetbv(uint32_t c)
{
	uint32_t a, d;
	__asm__ volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(c));
	return (uint64_t)d << 32 | a;
}

static sigjmp_buf jb;
static volatile int last_sig;
static void *volatile last_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	last_sig = sig;
	last_addr = si->si_addr;
	siglongjmp(jb, 1);
}

int main(void)
{
	unsigned a, b, c, d;
	__cpuid_count(7, 1, a, b, c, d);
	check((d >> 21) & 1, "CPUID.(7,1).EDX[21] APX_F", d, 1u << 21);
	__cpuid_count(0xd, 19, a, b, c, d);
	check(a == 128 && b == 960, "CPUID.(0xD,19) EAX:EBX", (unsigned long long)a << 32 | b,
	      128ull << 32 | 960);
	__cpuid_count(0xd, 0, a, b, c, d);
	uint64_t xcr0 = xgetbv(0);
	check(((uint64_t)d << 32 | a) == xcr0, "CPUID.(0xD,0) EDX:EAX = XCR0", (uint64_t)d << 32 | a,
	      xcr0);
	check((xcr0 >> 19) & 1, "XCR0[19]", xcr0, xcr0 | 1u << 19);
	check(b == 1088, "CPUID.(0xD,0).EBX", b, 1088);
	const uint64_t rfbm = 0x80007;

	/* 1. XSAVE with bit 19 requested: r16..r31 at 960..1087, r16 first. */
	for (unsigned i = 0; i < 16; i++)
		vals[i] = 0x1600000000000000ull + (uint64_t)i * 0x0101010101ull + i + 1;
	memset(area, 0xa5, sizeof area);
	memset(area + 512, 0, 64); /* the header: XRSTOR checks the bytes XSAVE leaves */
	fill_and_xsave(area, rfbm);
	for (unsigned i = 0; i < 16; i++) {
		char what[64];
		snprintf(what, sizeof what, "XSAVE r%u at %u", 16 + i, 960 + 8 * i);
		check(rd64(area + 960 + 8 * i) == vals[i], what, rd64(area + 960 + 8 * i), vals[i]);
	}
	check((rd64(area + 512) >> 19) & 1, "XSAVE XSTATE_BV[19]", rd64(area + 512),
	      rd64(area + 512) | 1u << 19);

	/* 2. XINUSE[19] after writing r16; XRSTOR with XSTATE_BV[19] = 0 zeroes r16..r31 and
	 * clears it; XGETBV(1) after each, in the same asm statement. */
	memcpy(area2, area, sizeof area2);
	wr64(area2 + 512, rd64(area2 + 512) & ~(1ull << 19));
	uint32_t in1, in2, dummy;
	__asm__ volatile("mov $0x1234, %%r16\n\t"
			 "mov $1, %%ecx\n\txgetbv\n\tmov %%eax, %[in1]\n\t"
			 "mov $0x80007, %%eax\n\txor %%edx, %%edx\n\t"
			 "xrstor64 (%[img])\n\t"
			 "mov $1, %%ecx\n\txgetbv\n\tmov %%eax, %[in2]\n\t" STORE_EGPRS
			 : [in1] "=&r"(in1), [in2] "=&r"(in2), "=&a"(dummy)
			 : [img] "r"(area2), [o] "r"(outv)
			 : "rcx", "rdx", "memory", EGPR_CLOBBER);
	check((in1 >> 19) & 1, "XGETBV(1)[19] after writing r16", in1, in1 | 1u << 19);
	check(!((in2 >> 19) & 1), "XGETBV(1)[19] after XRSTOR with XSTATE_BV[19]=0", in2,
	      in2 & ~(1u << 19));
	for (unsigned i = 0; i < 16; i++) {
		char what[64];
		snprintf(what, sizeof what, "r%u after XRSTOR with XSTATE_BV[19]=0", 16 + i);
		check(outv[i] == 0, what, outv[i], 0);
	}

	/* 3. Edit the image and restore it: the new values come back, XINUSE[19] is set. */
	for (unsigned i = 0; i < 16; i++)
		wr64(area + 960 + 8 * i, ~vals[i] ^ ((uint64_t)i << 40));
	wr64(area + 512, rd64(area + 512) | 1ull << 19);
	__asm__ volatile("mov $0x80007, %%eax\n\txor %%edx, %%edx\n\t"
			 "xrstor64 (%[img])\n\t"
			 "mov $1, %%ecx\n\txgetbv\n\tmov %%eax, %[in1]\n\t" STORE_EGPRS
			 : [in1] "=&r"(in1), "=&a"(dummy)
			 : [img] "r"(area), [o] "r"(outv)
			 : "rcx", "rdx", "memory", EGPR_CLOBBER);
	for (unsigned i = 0; i < 16; i++) {
		char what[64];
		snprintf(what, sizeof what, "r%u after XRSTOR of an edited image", 16 + i);
		uint64_t want = ~vals[i] ^ ((uint64_t)i << 40);
		check(outv[i] == want, what, outv[i], want);
	}
	check((in1 >> 19) & 1, "XGETBV(1)[19] after XRSTOR of a non-zero APX area", in1,
	      in1 | 1u << 19);

	/* 4. XSAVEC: component 19 follows AVX (the last enabled component below it). */
	memset(area2, 0x5a, sizeof area2);
	__asm__ volatile("mov 0(%0), %%r16\n\tmov 120(%0), %%r31\n\txsavec64 (%1)"
			 :
			 : "r"(vals), "r"(area2), "a"((uint32_t)rfbm), "d"(0)
			 : "memory", "r16", "r31");
	check(rd64(area2 + 520) == (rfbm | 1ull << 63), "XSAVEC XCOMP_BV", rd64(area2 + 520),
	      rfbm | 1ull << 63);
	check(rd64(area2 + 832) == vals[0], "XSAVEC r16 at 832", rd64(area2 + 832), vals[0]);
	check(rd64(area2 + 832 + 120) == vals[15], "XSAVEC r31 at 952", rd64(area2 + 952),
	      vals[15]);

	/* 5. RFBM without bit 19: the APX area and XSTATE_BV[19] keep what was there. */
	memset(area2, 0x77, sizeof area2);
	wr64(area2 + 512, 1ull << 19);
	fill_and_xsave(area2, 7);
	check(rd64(area2 + 960) == 0x7777777777777777ull, "XSAVE RFBM=7 leaves 960",
	      rd64(area2 + 960), 0x7777777777777777ull);
	check((rd64(area2 + 512) >> 19) & 1, "XSAVE RFBM=7 keeps XSTATE_BV[19]", rd64(area2 + 512),
	      1u << 19);

	/* 6. Faults. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	last_sig = 0;
	if (!sigsetjmp(jb, 1))
		fill_and_xsave(area + 16, rfbm);
	check(last_sig == SIGSEGV, "misaligned XSAVE64 -> SIGSEGV", (unsigned)last_sig, SIGSEGV);

	memcpy(area2, area, 1088);
	wr64(area2 + 512, rd64(area2 + 512) | 1ull << 9); /* PKRU: not in XCR0 */
	last_sig = 0;
	if (!sigsetjmp(jb, 1))
		__asm__ volatile("xrstor64 (%0)" : : "r"(area2), "a"(-1), "d"(-1) : "memory");
	check(last_sig == SIGSEGV, "XRSTOR64 with XSTATE_BV[9] -> SIGSEGV", (unsigned)last_sig,
	      SIGSEGV);

	uint8_t *pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pg == MAP_FAILED)
		return 2;
	mprotect(pg + 4096, 4096, PROT_NONE);
	uint8_t *img = pg + 4096 - 512; /* the header and components 2 and 19 fall on page 2 */
	memset(img, 0x3c, 512);
	last_sig = 0;
	last_addr = NULL;
	if (!sigsetjmp(jb, 1))
		fill_and_xsave(img, rfbm);
	check(last_sig == SIGSEGV, "XSAVE64 onto PROT_NONE -> SIGSEGV", (unsigned)last_sig,
	      SIGSEGV);
	check(last_addr == pg + 4096, "XSAVE64 #PF si_addr", (unsigned long long)(uintptr_t)last_addr,
	      (unsigned long long)(uintptr_t)(pg + 4096));
	int untouched = 1;
	for (unsigned i = 0; i < 512; i++)
		untouched &= img[i] == 0x3c;
	check(untouched, "a faulting XSAVE64 writes nothing", (unsigned)untouched, 1);

	printf("xsave_apx: %d checks, %d failed\n", nchecks, nfail);
	return nfail != 0;
}
