/* SSE, SSE3-SSE4.2, AVX/AVX2 and x87 against the host CPU: every case of vec_cases.inc
 * (encodings from llvm-mc-19) runs natively from a code buffer and as one instruction under
 * ae_cpu, from the same random state: ymm0-15, the x87 stack and control/status words,
 * MXCSR (random rounding, DAZ and FTZ, exceptions masked), RFLAGS, six GPRs and a data
 * buffer at the same address on both sides. Everything must match bit for bit: the vector
 * registers, the x87 registers, FCW, FSW, the abridged tag word, MXCSR, the arithmetic flags,
 * the GPRs and the data buffer. usage: test_exec_vec [ITERATIONS [SEED]] */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#include "apxemu/decoder.h"
#include "apxemu/exec.h"
#include "apxemu/exec_vec.h"

enum { K_SSE = 1, K_AVX = 2, K_X87 = 4, K_LEN = 8, K_GATHER = 16 };

typedef struct vcase {
	const char *text;
	unsigned kind;
	unsigned len;
	unsigned char bytes[15];
} vcase;

static const vcase cases[] = {
#include "vec_cases.inc"
};

/* The native state; offsets are known to the harness below. */
typedef struct nstate {
	uint64_t gpr[8]; /* rax rcx rdx rbx - - rsi rdi */
	uint64_t rflags; /* 64 */
	uint64_t code;	 /* 72 */
	uint8_t pad[48];
	uint8_t ymm[16][32];		  /* 128 */
	_Alignas(16) uint8_t fx[512];	  /* 640 */
} nstate;

void vec_native_run(nstate *s);
__asm__(".text\n.globl vec_native_run\n.type vec_native_run,@function\nvec_native_run:\n"
	"push %rbx\npush %rbp\npush %r12\npush %r13\npush %r14\npush %r15\n"
	"mov %rdi, %r15\n"
	"fxrstor64 640(%r15)\n"
#define Y(i) "vmovdqu " #i "*32+128(%r15), %ymm" #i "\n"
	Y(0) Y(1) Y(2) Y(3) Y(4) Y(5) Y(6) Y(7) Y(8) Y(9) Y(10) Y(11) Y(12) Y(13) Y(14) Y(15)
#undef Y
	"mov 0(%r15), %rax\nmov 8(%r15), %rcx\nmov 16(%r15), %rdx\nmov 24(%r15), %rbx\n"
	"mov 48(%r15), %rsi\nmov 56(%r15), %rdi\n"
	"pushq 64(%r15)\npopfq\n"
	"call *72(%r15)\n"
	"pushfq\npopq 64(%r15)\n"
	"mov %rax, 0(%r15)\nmov %rcx, 8(%r15)\nmov %rdx, 16(%r15)\nmov %rbx, 24(%r15)\n"
	"mov %rsi, 48(%r15)\nmov %rdi, 56(%r15)\n"
#define Y(i) "vmovdqu %ymm" #i ", " #i "*32+128(%r15)\n"
	Y(0) Y(1) Y(2) Y(3) Y(4) Y(5) Y(6) Y(7) Y(8) Y(9) Y(10) Y(11) Y(12) Y(13) Y(14) Y(15)
#undef Y
	"fxsave64 640(%r15)\n"
	"fninit\npushq $0x1f80\nldmxcsr (%rsp)\npop %rax\nvzeroupper\n"
	"pop %r15\npop %r14\npop %r13\npop %r12\npop %rbp\npop %rbx\nret\n"
	".size vec_native_run, .-vec_native_run\n");

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Floating-point-friendly random bits for a 4- or 8-byte element. */
static uint64_t rnd_fp(unsigned esz)
{
	uint64_t r = rnd();
	unsigned k = r % 16;
	bool d = esz == 8;
	uint64_t sign = (rnd() & 1) ? (d ? 1ull << 63 : 1ull << 31) : 0;
	switch (k) {
	case 0: return sign; /* zero */
	case 1: return sign | (d ? 0x7ff0000000000000ull : 0x7f800000); /* inf */
	case 2: return sign | (d ? 0x7ff8000000000000ull : 0x7fc00000) | (rnd() & 0xff); /* QNaN */
	case 3: return sign | (d ? 0x7ff0000000000001ull : 0x7f800001) | (rnd() & 0xff00); /* SNaN */
	case 4: return sign | (rnd() & (d ? 0xfffffffffffffull : 0x7fffff)); /* denormal */
	case 5: { /* small integer */
		double x = (double)(int)(rnd() % 2001 - 1000) / ((rnd() & 1) ? 1 : 4);
		if (d) {
			uint64_t u;
			memcpy(&u, &x, 8);
			return u;
		}
		float f = (float)x;
		uint32_t u;
		memcpy(&u, &f, 4);
		return u;
	}
	case 6: /* near the integer limits */
		return d ? sign | ((0x41dull + (rnd() % 4)) << 52) | (rnd() & 0xfffffffffffffull)
			 : sign | ((0x9dull + (rnd() % 4)) << 23) | (rnd() & 0x7fffff);
	default: { /* normal, moderate exponent */
		if (d)
			return sign | ((uint64_t)(1023 - 40 + rnd() % 80) << 52) |
			       (rnd() & 0xfffffffffffffull);
		return sign | ((uint64_t)(127 - 20 + rnd() % 40) << 23) | (rnd() & 0x7fffff);
	}
	}
}

static void rnd_vec(uint8_t *p, unsigned n)
{
	unsigned mode = rnd() % 4;
	for (unsigned i = 0; i < n; i += 8) {
		uint64_t v;
		if (mode == 0)
			v = rnd();
		else if (mode == 1)
			v = rnd_fp(8);
		else if (mode == 2)
			v = rnd_fp(4) | (rnd_fp(4) << 32);
		else /* small bytes: string compares, shuffles, equal elements */
			v = rnd() & 0x0303030303030303ull;
		memcpy(p + i, &v, 8);
	}
}

static void rnd_x87(uint8_t *r)
{
	unsigned k = rnd() % 12;
	uint64_t m = rnd() | (1ull << 63);
	uint16_t se = (uint16_t)(0x3fff - 40 + rnd() % 80) | (uint16_t)((rnd() & 1) << 15);
	switch (k) {
	case 0: m = 0, se &= 0x8000; break;				/* zero */
	case 1: m = 1ull << 63, se |= 0x7fff; break;			/* inf */
	case 2: m = 0xc000000000000000ull | (rnd() & 0xffff), se |= 0x7fff; break; /* QNaN */
	case 3: m = (rnd() >> 1) & ~0ull, se &= 0x8000; break;		/* denormal */
	case 4: se = (uint16_t)((se & 0x8000) | (0x3fff + 40 + rnd() % 30)); break; /* big */
	case 5: m = (uint64_t)(rnd() % 100) << 57 | (1ull << 63), se = (se & 0x8000) | 0x4005; break;
	case 6: m = 0xa000000000000000ull | (rnd() & 0xfff), se |= 0x7fff; break; /* SNaN */
	default: break;
	}
	memcpy(r, &m, 8);
	memcpy(r + 8, &se, 2);
}

enum { DATA = 0x20000000, CODE = 0x21000000, DSIZE = 4096 };

static void init_state(nstate *s, unsigned kind, uint8_t *data)
{
	memset(s, 0, sizeof *s);
	for (unsigned i = 0; i < 8; i++)
		s->gpr[i] = rnd();
	s->gpr[0] = DATA;
	if (kind & K_LEN) {
		s->gpr[0] = (uint64_t)(int64_t)(int)(rnd() % 41 - 20);
		s->gpr[2] = (uint64_t)(int64_t)(int)(rnd() % 41 - 20);
		if (rnd() % 4 == 0)
			s->gpr[0] = rnd(), s->gpr[2] = rnd();
	}
	s->rflags = 0x202 | (rnd() & 0x8d5);
	for (unsigned i = 0; i < 16; i++)
		rnd_vec(s->ymm[i], 32);
	if (kind & K_GATHER)
		for (unsigned i = 0; i < 32; i += 4) {
			uint32_t ix = (i & 4) ? 0 : (uint32_t)(rnd() % 16);
			memcpy(&s->ymm[2][i], &ix, 4);
		}
	/* FXSAVE image: FCW, FSW, abridged tags, MXCSR, ST registers, XMM (from ymm). */
	uint16_t fcw = (uint16_t)(0x3f | 0x40 | ((rnd() % 4) << 10) | ((rnd() % 3 ? 3u : 2u) << 8));
	unsigned top = rnd() % 8, nvalid = (unsigned)(rnd() % 10);
	if (nvalid > 8)
		nvalid = rnd() & 1 ? 8 : 2;
	uint16_t fsw = (uint16_t)(top << 11);
	if (rnd() % 4 == 0)
		fsw |= (uint16_t)(rnd() & 0x3f);
	memcpy(s->fx + 0, &fcw, 2);
	memcpy(s->fx + 2, &fsw, 2);
	uint8_t tags = 0;
	for (unsigned i = 0; i < nvalid; i++)
		tags |= (uint8_t)(1u << ((top + i) & 7));
	s->fx[4] = tags;
	uint32_t mxcsr = 0x1f80 | (uint32_t)((rnd() % 4) << 13);
	if (rnd() % 8 == 0)
		mxcsr |= 0x8000;
	if (rnd() % 8 == 0)
		mxcsr |= 0x40;
	if (rnd() % 4 == 0)
		mxcsr |= (uint32_t)(rnd() & 0x3f);
	memcpy(s->fx + 24, &mxcsr, 4);
	uint32_t mask = 0xffff;
	memcpy(s->fx + 28, &mask, 4);
	for (unsigned i = 0; i < 8; i++)
		rnd_x87(s->fx + 32 + 16 * i);
	for (unsigned i = 0; i < 16; i++)
		memcpy(s->fx + 160 + 16 * i, s->ymm[i], 16);
	for (unsigned i = 0; i < DSIZE; i += 8) {
		uint64_t v = (i < 64 && (kind & K_X87)) ? rnd_fp(8) : rnd();
		if (kind & K_X87 && i == 0 && rnd() % 2)
			v = (uint64_t)(int64_t)(int)(rnd() % 2000 - 1000);
		memcpy(data + i, &v, 8);
	}
	if (kind & K_X87) /* FLDCW reads (%rax): a control word with every exception masked */
		data[0] |= 0x3f;
}

static int failures;

static void report(const vcase *c, const char *what, const void *want, const void *got,
		   unsigned n)
{
	if (++failures > 40)
		return;
	printf("FAIL %-40s %s:\n  native:", c->text, what);
	for (unsigned i = n; i-- > 0;)
		printf("%02x", ((const uint8_t *)want)[i]);
	printf("\n  apxemu:");
	for (unsigned i = n; i-- > 0;)
		printf("%02x", ((const uint8_t *)got)[i]);
	printf("\n");
}

static bool run_case(const vcase *c, ae_cpu *cpu, uint8_t *code, uint8_t *data)
{
	nstate s, n;
	static uint8_t data0[DSIZE];
	init_state(&s, c->kind, data);
	memcpy(data0, data, DSIZE);
	n = s;
	memcpy(code, c->bytes, c->len);
	code[c->len] = 0xc3;
	n.code = (uint64_t)(uintptr_t)code;
	vec_native_run(&n);

	static const unsigned gpr_ids[6] = {0, 1, 2, 3, 6, 7};
	for (unsigned i = 0; i < 6; i++)
		ae_cpu_set(cpu, AE_R_GPR + gpr_ids[i], s.gpr[gpr_ids[i]]);
	ae_cpu_set(cpu, AE_R_RIP, CODE);
	ae_cpu_set_rflags(cpu, s.rflags);
	ae_cpu_set_fxsave(cpu, s.fx);
	for (unsigned i = 0; i < 16; i++) {
		uint8_t v[64] = {0};
		memcpy(v, s.ymm[i], 32);
		ae_cpu_set_vec(cpu, i, v);
	}
	ae_mem_write(cpu, DATA, data0, DSIZE, 0);
	ae_exit e = ae_cpu_run(cpu, 1);
	bool ok = true;
	if (e != AE_EXIT_LIMIT) {
		const ae_fault *f = ae_cpu_fault(cpu);
		printf("FAIL %-40s exit %d (vector %u)\n", c->text, (int)e, f->vector);
		failures++;
		return false;
	}
	for (unsigned i = 0; i < 6; i++) {
		uint64_t g = ae_cpu_get(cpu, AE_R_GPR + gpr_ids[i]);
		if (g != n.gpr[gpr_ids[i]]) {
			report(c, "gpr", &n.gpr[gpr_ids[i]], &g, 8);
			ok = false;
		}
	}
	uint64_t fl = ae_cpu_rflags(cpu) & 0x8d5, nfl = n.rflags & 0x8d5;
	if (fl != nfl) {
		report(c, "rflags", &nfl, &fl, 8);
		ok = false;
	}
	for (unsigned i = 0; i < 16; i++) {
		uint8_t v[64];
		ae_cpu_get_vec(cpu, i, v);
		if (memcmp(v, n.ymm[i], 32)) {
			char w[16];
			snprintf(w, sizeof w, "ymm%u", i);
			report(c, w, n.ymm[i], v, 32);
			ok = false;
		}
	}
	uint8_t fx[512];
	ae_cpu_get_fxsave(cpu, fx);
	if (memcmp(fx, n.fx, 5)) {
		report(c, "fcw fsw ftw", n.fx, fx, 5);
		ok = false;
	}
	if (memcmp(fx + 24, n.fx + 24, 4)) {
		report(c, "mxcsr", n.fx + 24, fx + 24, 4);
		ok = false;
	}
	for (unsigned i = 0; i < 8; i++)
		if (memcmp(fx + 32 + 16 * i, n.fx + 32 + 16 * i, 10)) {
			char w[16];
			snprintf(w, sizeof w, "st(%u)", i);
			report(c, w, n.fx + 32 + 16 * i, fx + 32 + 16 * i, 10);
			ok = false;
		}
	static uint8_t emu_data[DSIZE];
	ae_mem_read(cpu, DATA, emu_data, DSIZE, 0);
	if (c->bytes[0] == 0xd9 || c->bytes[0] == 0xdd) /* FNSTENV/FNSAVE: FIP, FOP, FDP */
		if (((c->bytes[1] >> 3) & 7) == 6)
			memset(emu_data + 12, 0, 16), memset(data + 12, 0, 16);
	for (unsigned i = 0; i < DSIZE; i += 16)
		if (memcmp(emu_data + i, data + i, 16)) {
			report(c, "memory", data + i, emu_data + i, 16);
			ok = false;
			break;
		}
	return ok;
}

static bool host_has_avx2(void)
{
	unsigned a, b, c, d;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
	return (b >> 5) & 1;
}

int main(int argc, char **argv)
{
	unsigned iters = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 24;
	if (argc > 2)
		rng = strtoull(argv[2], NULL, 0) | 1;
	if (!host_has_avx2()) {
		printf("skipped: the host has no AVX2\n");
		return 0;
	}
	uint8_t *code = mmap((void *)(uintptr_t)CODE, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	uint8_t *data = mmap((void *)(uintptr_t)DATA, DSIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (code != (void *)(uintptr_t)CODE || data != (void *)(uintptr_t)DATA) {
		printf("cannot map the test pages\n");
		return 1;
	}
	unsigned ncases = sizeof cases / sizeof cases[0], runs = 0, bad_cases = 0;
	unsigned per_kind[3] = {0};
	for (unsigned k = 0; k < ncases; k++) {
		const vcase *c = &cases[k];
		ae_cpu *cpu = ae_cpu_new(NULL);
		ae_cpu_set_log(cpu, NULL, NULL);
		ae_mem_map(cpu, CODE, 4096, AE_PROT_R | AE_PROT_X);
		ae_mem_map(cpu, DATA, DSIZE, AE_PROT_R | AE_PROT_W);
		uint8_t cb[16] = {0};
		memcpy(cb, c->bytes, c->len);
		ae_mem_write(cpu, CODE, cb, sizeof cb, 0);
		bool ok = true;
		for (unsigned i = 0; i < iters && ok; i++, runs++)
			ok = run_case(c, cpu, code, data);
		bad_cases += !ok;
		per_kind[(c->kind & K_X87) ? 2 : (c->kind & K_AVX) ? 1 : 0]++;
		ae_cpu_free(cpu);
	}
	printf("%u instructions (%u SSE/MMX, %u AVX/AVX2, %u x87), %u runs against the host CPU: "
	       "%u instructions differ\n",
	       ncases, per_kind[0], per_kind[1], per_kind[2], runs, bad_cases);
	return bad_cases != 0;
}
