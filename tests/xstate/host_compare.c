/* xstate.host: the XSAVE engine against this machine's CPU.
 *
 * Each case runs one sequence twice, natively (user mode) and in the engine with the
 * `host` profile, on the same memory (an arena at the same addresses):
 *   1. XRSTOR64 of a random base image with EDX:EAX = -1 (every component of XCR0);
 *   2. XRSTOR/XRSTOR64 (standard or compacted) or FXRSTOR/FXRSTOR64 of a second random
 *      image with a random mask; a few images break a header or MXCSR rule;
 *   3. XSAVE, XSAVEOPT, XSAVEC or FXSAVE (each with and without REX.W) with a random mask
 *      into a randomly pre-filled area, sometimes misaligned, sometimes the area of step 2;
 *   4. XSAVE64 of everything into a pre-filled area (the state after the sequence);
 *   5. XRSTOR64 of the initial configuration (cleans up; not compared).
 * The whole arena must match byte for byte, and a fault must be the same exception at the
 * same step. Steps 1-5 run in one assembly routine, so no compiler-generated code touches
 * the registers in between. A mismatch is re-run natively up to twice: a preemption between
 * steps re-evaluates XINUSE and resets XRSTOR_INFO on the host (X-AMD-XI-5, X-OPT-6); the
 * number of cases that needed it is reported.
 *
 * Usage: test_xstate_host [CASES] [SEED] */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#include "apxemu/xstate.h"

#if !defined(__x86_64__)
int main(void)
{
	puts("xstate.host: not an x86-64 host, skipped");
	return 77;
}
#else

typedef struct seq {
	uint64_t step, base, img2, rfbm2, op2, save, rfbm3, op3, final, init;
} seq;

/* op2: 0 xrstor, 1 xrstor64, 2 fxrstor, 3 fxrstor64.
 * op3: 0 xsave, 1 xsave64, 2 xsaveopt, 3 xsaveopt64, 4 xsavec, 5 xsavec64, 6 fxsave,
 *      7 fxsave64. */
void xs_host_seq(seq *s);
__asm__(".text\n"
	".globl xs_host_seq\n"
	".type xs_host_seq,@function\n"
	"xs_host_seq:\n"
	"  push %rbx\n"
	"  mov %rdi, %rbx\n"
	"  movq $1, 0(%rbx)\n"
	"  mov 8(%rbx), %rcx\n"
	"  mov $-1, %eax\n"
	"  mov $-1, %edx\n"
	"  xrstor64 (%rcx)\n"
	"  movq $2, 0(%rbx)\n"
	"  mov 16(%rbx), %rcx\n"
	"  mov 24(%rbx), %rax\n"
	"  mov %rax, %rdx\n"
	"  shr $32, %rdx\n"
	"  mov 32(%rbx), %r8\n"
	"  cmp $0, %r8\n  jne 1f\n  xrstor (%rcx)\n  jmp 9f\n"
	"1: cmp $1, %r8\n  jne 2f\n  xrstor64 (%rcx)\n  jmp 9f\n"
	"2: cmp $2, %r8\n  jne 3f\n  fxrstor (%rcx)\n  jmp 9f\n"
	"3: fxrstor64 (%rcx)\n"
	"9: movq $3, 0(%rbx)\n"
	"  mov 40(%rbx), %rcx\n"
	"  mov 48(%rbx), %rax\n"
	"  mov %rax, %rdx\n"
	"  shr $32, %rdx\n"
	"  mov 56(%rbx), %r8\n"
	"  cmp $0, %r8\n  jne 1f\n  xsave (%rcx)\n  jmp 9f\n"
	"1: cmp $1, %r8\n  jne 2f\n  xsave64 (%rcx)\n  jmp 9f\n"
	"2: cmp $2, %r8\n  jne 3f\n  xsaveopt (%rcx)\n  jmp 9f\n"
	"3: cmp $3, %r8\n  jne 4f\n  xsaveopt64 (%rcx)\n  jmp 9f\n"
	"4: cmp $4, %r8\n  jne 5f\n  xsavec (%rcx)\n  jmp 9f\n"
	"5: cmp $5, %r8\n  jne 6f\n  xsavec64 (%rcx)\n  jmp 9f\n"
	"6: cmp $6, %r8\n  jne 7f\n  fxsave (%rcx)\n  jmp 9f\n"
	"7: fxsave64 (%rcx)\n"
	"9: movq $4, 0(%rbx)\n"
	"  mov 64(%rbx), %rcx\n"
	"  mov $-1, %eax\n"
	"  mov $-1, %edx\n"
	"  xsave64 (%rcx)\n"
	"  movq $5, 0(%rbx)\n"
	"  mov 72(%rbx), %rcx\n"
	"  xrstor64 (%rcx)\n"
	"  movq $6, 0(%rbx)\n"
	"  pop %rbx\n"
	"  ret\n"
	".size xs_host_seq, .-xs_host_seq\n");

/* Arena layout (offsets; every image 64-byte aligned). */
enum {
	A_BASE = 0,
	A_IMG2 = 0x3000,
	A_SAVE = 0x6000,
	A_FINAL = 0x9000,
	A_INIT = 0xC000,
	A_SIZE = 0xF000,
};

static uint8_t arena_host[A_SIZE] __attribute__((aligned(4096)));
static uint8_t arena_emu[A_SIZE] __attribute__((aligned(4096)));
static uint8_t arena_start[A_SIZE] __attribute__((aligned(4096)));
static sigjmp_buf jb;
static volatile int host_trap;

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	(void)si;
	ucontext_t *uc = ucv;
	host_trap = (int)uc->uc_mcontext.gregs[REG_TRAPNO];
	siglongjmp(jb, 1);
}

static uint64_t rng_s;
static uint64_t rnd(void)
{
	rng_s ^= rng_s << 13;
	rng_s ^= rng_s >> 7;
	rng_s ^= rng_s << 17;
	return rng_s;
}
static unsigned rndn(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = rnd();
		memcpy(p + i, &v, n - i < 8 ? n - i : 8);
	}
}

static const ae_xs_profile *host;
static uint64_t xcr0;

/* Component contents: random, all zero (the value test of XINUSE) or mostly zero. */
static void fill_comp(uint8_t *p, size_t n)
{
	switch (rndn(6)) {
	case 0:
		memset(p, 0, n);
		break;
	case 1:
		memset(p, 0, n);
		p[rndn((unsigned)n)] = (uint8_t)(1 + rndn(255));
		break;
	default:
		fill_random(p, n);
		break;
	}
}

static void fill_x87(uint8_t *img)
{
	if (rndn(5) == 0) {
		/* near the initial configuration */
		memset(img, 0, 24);
		memset(img + 32, 0, 128);
		img[0] = 0x7F;
		img[1] = 0x03;
		if (rndn(2))
			img[rndn(24)] ^= (uint8_t)(1u << rndn(8));
		return;
	}
	fill_random(img, 24);
	if (rndn(2)) /* mostly masked exceptions, so that ES varies */
		img[0] |= 0x3F;
	for (int k = 0; k < 8; k++)
		fill_random(img + 32 + 16 * k, 16);
	if (rndn(3) == 0)
		memset(img + 32 + 16 * rndn(8), 0, 10);
}

static uint32_t rnd_mxcsr(void)
{
	uint32_t m = (uint32_t)rnd() & host->mxcsr_mask;
	return rndn(4) == 0 ? 0x1F80 : m;
}

/* A standard-form image of the components in bv (| the legacy region). */
static void make_std(uint8_t *img, uint64_t bv)
{
	fill_random(img, 512);
	fill_x87(img);
	uint32_t mx = rnd_mxcsr();
	memcpy(img + 24, &mx, 4);
	for (int r = 0; r < 16; r++)
		fill_comp(img + 160 + 16 * r, 16);
	memset(img + 512, 0, 64);
	memcpy(img + 512, &bv, 8);
	if (rndn(3) == 0) /* bytes 24-63 of the header are not checked in the standard form */
		img[512 + 24 + rndn(40)] = (uint8_t)rnd();
	for (unsigned i = 2; i < AE_XS_NCOMP; i++)
		if (xcr0 & (1ull << i))
			fill_comp(img + ae_xs_offset(host, i), ae_xs_component(i)->size);
}

static void make_compacted(uint8_t *img, uint64_t fmt, uint64_t bv)
{
	uint32_t off[AE_XS_NCOMP];
	fill_random(img, 512);
	fill_x87(img);
	uint32_t mx = rnd_mxcsr();
	memcpy(img + 24, &mx, 4);
	for (int r = 0; r < 16; r++)
		fill_comp(img + 160 + 16 * r, 16);
	memset(img + 512, 0, 64);
	uint64_t xc = fmt | (1ull << 63);
	memcpy(img + 512, &bv, 8);
	memcpy(img + 520, &xc, 8);
	uint32_t end = ae_xs_compacted_layout(host, fmt, off);
	fill_random(img + 576, end - 576);
	for (unsigned i = 2; i < AE_XS_NCOMP; i++)
		if (fmt & (1ull << i))
			fill_comp(img + off[i], ae_xs_component(i)->size);
}

/* A header or MXCSR rule broken on purpose (X-RST-3/4/5). */
static void break_rule(uint8_t *img, bool compact)
{
	switch (rndn(5)) {
	case 0: { /* XSTATE_BV bit outside XCR0 (or XCOMP_BV) */
		uint64_t bv;
		memcpy(&bv, img + 512, 8);
		bv |= 1ull << (3 + rndn(61));
		memcpy(img + 512, &bv, 8);
		break;
	}
	case 1:
		img[512 + (compact ? 16 + rndn(48) : 8 + rndn(16))] = (uint8_t)(1 + rndn(255));
		break;
	case 2: { /* MXCSR reserved bit */
		uint32_t mx;
		memcpy(&mx, img + 24, 4);
		mx |= 1u << (18 + rndn(14));
		memcpy(img + 24, &mx, 4);
		break;
	}
	case 3: /* XSTATE_BV[63] or XCOMP_BV[63] */
		img[512 + 7] |= 0x80;
		break;
	default: { /* XCOMP_BV bit outside XCR0 */
		uint64_t xc;
		memcpy(&xc, img + 520, 8);
		xc |= 1ull << (3 + rndn(60));
		memcpy(img + 520, &xc, 8);
		break;
	}
	}
}

typedef struct run_result {
	int fault_step; /* 0: none */
	int vector;
} run_result;

static run_result run_host(const seq *s0)
{
	static seq s;
	s = *s0;
	run_result r = {0, 0};
	memcpy(arena_host, arena_start, A_SIZE);
	host_trap = -1;
	if (sigsetjmp(jb, 1) == 0) {
		xs_host_seq(&s);
	} else {
		r.fault_step = (int)s.step;
		r.vector = host_trap;
		/* clean up after the fault: the initial configuration, MXCSR 1F80h */
		s.step = 5;
		__asm__ volatile("xrstor64 (%0)" ::"r"(arena_host + A_INIT), "a"(-1), "d"(-1)
				 : "memory");
	}
	return r;
}

static const ae_xs_op op2_map[] = {AE_XS_XRSTOR, AE_XS_XRSTOR, AE_XS_FXRSTOR, AE_XS_FXRSTOR};
static const ae_xs_op op3_map[] = {AE_XS_XSAVE,	 AE_XS_XSAVE,  AE_XS_XSAVEOPT, AE_XS_XSAVEOPT,
				   AE_XS_XSAVEC, AE_XS_XSAVEC, AE_XS_FXSAVE,   AE_XS_FXSAVE};

static run_result run_emu(const seq *s)
{
	run_result r = {0, 0};
	memcpy(arena_emu, arena_start, A_SIZE);
	ae_xs_flat flat = {arena_emu, A_SIZE, (uint64_t)(uintptr_t)arena_host, false};
	ae_xs_mem mem = ae_xs_mem_flat(&flat);
	ae_xs_env env = {.cpu = host, .cpl = 3, .osxsave = true, .mode64 = true};
	static ae_xstate st;
	ae_xs_reset(&st);
	st.xcr0 = xcr0;
	ae_xs_result e;
	e = ae_xs_exec(&st, &env, AE_XS_XRSTOR, &mem, s->base, ~0ull, true, NULL);
	if (e)
		return (run_result){1, (int)e};
	e = ae_xs_exec(&st, &env, op2_map[s->op2], &mem, s->img2, s->rfbm2, s->op2 & 1, NULL);
	if (e)
		return (run_result){2, (int)e};
	e = ae_xs_exec(&st, &env, op3_map[s->op3], &mem, s->save, s->rfbm3, s->op3 & 1, NULL);
	if (e)
		return (run_result){3, (int)e};
	e = ae_xs_exec(&st, &env, AE_XS_XSAVE, &mem, s->final, ~0ull, true, NULL);
	if (e)
		return (run_result){4, (int)e};
	return r;
}

static const char *region(size_t off)
{
	return off < A_IMG2 ? "base" : off < A_SAVE ? "img2" : off < A_FINAL ? "save" : off < A_INIT ? "final" : "init";
}

int main(int argc, char **argv)
{
	long cases = argc > 1 ? atol(argv[1]) : 20000;
	rng_s = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x58535441ull;
	host = ae_xs_profile_find("host");
	uint32_t l1[4];
	ae_xs_cpuid(host, 0, 0, true, 1, 0, l1);
	if (!((l1[2] >> 27) & 1)) {
		puts("xstate.host: no OSXSAVE on this host, skipped");
		return 77;
	}
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	xcr0 = ((uint64_t)hi << 32 | lo) & host->xcr0_mask;
	bool has_c = host->xsave_features & 2, has_opt = host->xsave_features & 1;

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);

	uint64_t base = (uint64_t)(uintptr_t)arena_host;
	long fails = 0, retried = 0, faults = 0, by_op[8] = {0}, by_op2[4] = {0};
	clock_t t0 = clock();
	for (long c = 0; c < cases; c++) {
		seq s = {0};
		fill_random(arena_start, A_SIZE);
		/* step 1: base image */
		uint64_t bv1 = rnd() & xcr0;
		make_std(arena_start + A_BASE, bv1);
		/* step 2 */
		s.op2 = rndn(8) == 0 ? 2 + rndn(2) : rndn(2);
		bool compact = s.op2 < 2 && has_c && rndn(2);
		uint64_t rfbm2 = rndn(4) == 0 ? ~0ull : rnd() | (rnd() & 0xFFFF0000FFFFFF00ull);
		s.rfbm2 = rfbm2;
		if (compact) {
			uint64_t fmt = rnd() & xcr0;
			make_compacted(arena_start + A_IMG2, fmt, rnd() & fmt);
		} else
			make_std(arena_start + A_IMG2, rnd() & xcr0);
		if (s.op2 >= 2) { /* FXRSTOR: a valid MXCSR most of the time */
			uint32_t mx = rnd_mxcsr();
			memcpy(arena_start + A_IMG2 + 24, &mx, 4);
		}
		if (rndn(12) == 0)
			break_rule(arena_start + A_IMG2, compact);
		/* step 3 */
		do
			s.op3 = rndn(8);
		while ((!has_opt && (s.op3 == 2 || s.op3 == 3)) || (!has_c && (s.op3 == 4 || s.op3 == 5)));
		s.rfbm3 = rndn(4) == 0 ? ~0ull : rnd();
		s.save = base + A_SAVE;
		if (rndn(6) == 0 && s.op2 < 2 && !compact)
			s.save = base + A_IMG2; /* the modified optimization's own area */
		if (rndn(40) == 0)
			s.save += 8u << rndn(3); /* misaligned: #GP */
		s.base = base + A_BASE;
		s.img2 = base + A_IMG2;
		s.final = base + A_FINAL;
		s.init = base + A_INIT;
		/* the clean-up image: initial configuration, MXCSR 1F80h */
		memset(arena_start + A_INIT, 0, 576);
		arena_start[A_INIT + 24] = 0x80;
		arena_start[A_INIT + 25] = 0x1F;

		run_result e = run_emu(&s);
		run_result h = run_host(&s);
		bool ok = false;
		for (int attempt = 0; attempt < 3; attempt++) {
			if (attempt)
				h = run_host(&s);
			ok = h.fault_step == e.fault_step && h.vector == e.vector &&
			     !memcmp(arena_host, arena_emu, A_INIT);
			if (ok) {
				retried += attempt > 0;
				break;
			}
		}
		by_op[s.op3]++;
		by_op2[s.op2]++;
		faults += e.fault_step != 0;
		if (!ok) {
			if (fails++ < 12) {
				printf("case %ld: op2=%llu rfbm2=%#llx compact=%d op3=%llu rfbm3=%#llx save=+%#llx: host fault step %d vec %d, emu step %d vec %d\n",
				       c, (unsigned long long)s.op2, (unsigned long long)s.rfbm2, compact,
				       (unsigned long long)s.op3, (unsigned long long)s.rfbm3,
				       (unsigned long long)(s.save - base), h.fault_step, h.vector,
				       e.fault_step, e.vector);
				int shown = 0;
				for (size_t i = 0; i < A_INIT && shown < 8; i++)
					if (arena_host[i] != arena_emu[i]) {
						printf("   %s+%zu: host %02x emu %02x\n", region(i),
						       i - (i < A_IMG2 ? 0 : i < A_SAVE ? A_IMG2 : i < A_FINAL ? A_SAVE : A_FINAL),
						       arena_host[i], arena_emu[i]);
						shown++;
					}
			}
		}
	}
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	printf("xstate.host: %ld cases (%ld ending in a fault), %ld mismatches, %ld matched on a "
	       "native re-run; %.1f s\n",
	       cases, faults, fails, retried, secs);
	printf("  step 2: xrstor %ld, xrstor64 %ld, fxrstor %ld, fxrstor64 %ld\n", by_op2[0],
	       by_op2[1], by_op2[2], by_op2[3]);
	printf("  step 3: xsave %ld, xsave64 %ld, xsaveopt %ld, xsaveopt64 %ld, xsavec %ld, "
	       "xsavec64 %ld, fxsave %ld, fxsave64 %ld\n",
	       by_op[0], by_op[1], by_op[2], by_op[3], by_op[4], by_op[5], by_op[6], by_op[7]);
	printf("  host: XCR0 %#llx, MXCSR_MASK %#x, %s\n", (unsigned long long)xcr0,
	       host->mxcsr_mask, host->amd ? "AMD rules" : "Intel rules");
	return fails ? 1 : 0;
}
#endif
