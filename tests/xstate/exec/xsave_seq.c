/* xstate.exec.native: XSAVE-family sequences over x87, SSE and AVX state, run natively and
 * under apxemu (the same static binary, built without -mapxf); the outputs must be
 * identical. Each case is one asm statement (no library code between its instructions):
 * XRSTOR64 of a random valid image (x87 registers, FCW/FSW/tags, MXCSR, XMM0-15, YMM upper
 * halves, random XSTATE_BV), optionally some register writes (VZEROUPPER, PXOR, FLD1/FSTP,
 * LDMXCSR, VPCMPEQB), then one save: XSAVE64, XSAVEOPT64, XSAVEC64 with a random RFBM ⊆ 7,
 * FXSAVE64 or FXSAVE; also XGETBV(1) & 7 after an XRSTOR of all-non-initial components and
 * after an XRSTOR that initializes all three. Every case prints one line: the case, its
 * parameters and a 64-bit FNV-1a hash of the normalized save area (or of the whole area with
 * -v: the hex bytes).
 *
 * Normalization (what the SDM leaves to the implementation, notes/xstate.md):
 *  - MXCSR_MASK (bytes 28..31) is CPU data: this host's is not the emulated CPU's;
 *  - XINUSE for a component in its initial configuration may be 0 or 1 (SDM 13.6), so an
 *    XSTATE_BV bit set over an initial component is cleared, and a component whose bit is
 *    then clear has its bytes zeroed (XRSTOR would initialize it whatever they hold; XSAVE
 *    may or may not have written them).
 * Everything else (the other legacy bytes, the header, XCOMP_BV, the bytes a save must not
 * touch, pre-filled with a pattern) is compared as is. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static _Alignas(64) uint8_t img[1024];
static _Alignas(64) uint8_t out[1024];
static int verbose;

static void wr16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}
static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}
static void wr64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}
static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* A random image XRSTOR accepts: FCW masks every exception, FSW without ES/B, random
 * abridged tags, ST registers, MXCSR within 0xFFFF, XMM/YMM bytes; FOP/FIP/FDP zero. */
static void make_image(uint64_t xstate_bv)
{
	memset(img, 0, sizeof img);
	wr16(img + 0, (uint16_t)(0x037f | (rnd() & 0x0c00) | (rnd() & 0x0300)));
	wr16(img + 2, (uint16_t)(rnd() & 0x7f3f & ~0x0080));
	img[4] = (uint8_t)rnd();
	uint32_t mxcsr = (uint32_t)rnd() & 0xffc0;
	mxcsr |= 0x1f80; /* exceptions masked */
	wr32(img + 24, mxcsr);
	for (unsigned i = 0; i < 8; i++) {
		uint64_t m = rnd() | 1ull << 63;
		wr64(img + 32 + 16 * i, m);
		wr16(img + 40 + 16 * i, (uint16_t)(0x3fff + (rnd() & 0x3f) - 0x20));
	}
	for (unsigned i = 0; i < 16; i++) {
		wr64(img + 160 + 16 * i, rnd());
		wr64(img + 168 + 16 * i, rnd());
		wr64(img + 576 + 16 * i, rnd());
		wr64(img + 584 + 16 * i, rnd());
	}
	wr64(img + 512, xstate_bv);
}

static uint64_t normalize_hash(uint8_t *b, size_t n, int xsave_fmt, uint64_t rfbm)
{
	memset(b + 28, 0, 4);
	if (xsave_fmt) {
		uint64_t bv = rd64(b + 512);
		uint8_t x87[160];
		memcpy(x87, b, 160);
		memset(x87 + 24, 0, 8);
		int init[3] = {
			x87[0] == 0x7f && x87[1] == 0x03 && all_zero(x87 + 2, 158),
			all_zero(b + 160, 256),
			all_zero(b + 576, 256),
		};
		for (unsigned i = 0; i < 3; i++) {
			if (!(rfbm >> i & 1))
				continue;
			if ((bv >> i & 1) && init[i])
				bv &= ~(1ull << i);
			if (bv >> i & 1)
				continue;
			if (i == 0) {
				memset(b, 0, 24);
				memset(b + 32, 0, 128);
			} else if (i == 1) {
				memset(b + 160, 0, 256);
			} else {
				memset(b + 576, 0, 256);
			}
		}
		wr64(b + 512, bv);
	}
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	if (verbose) {
		for (size_t i = 0; i < n; i++)
			printf("%02x%s", b[i], (i % 32) == 31 ? "\n" : "");
	}
	return h;
}

enum { S_XSAVE, S_XSAVEOPT, S_XSAVEC, S_FXSAVE64, S_FXSAVE, S_N };
static const char *const save_names[] = {"xsave64", "xsaveopt64", "xsavec64", "fxsave64",
					 "fxsave"};

static void run_case(unsigned round, unsigned save, unsigned ops, uint64_t bv, uint64_t rfbm)
{
	make_image(bv);
	memset(out, 0xa5, sizeof out);
	memset(out + 512, 0, 64);
	uint32_t mx = 0x9fc0;
	uint32_t lo = (uint32_t)rfbm;
#define PRE                                                                                   \
	"mov $7, %%eax\n\txor %%edx, %%edx\n\txrstor64 (%[img])\n\t"                           \
	"test $1, %[ops]\n\tjz 1f\n\tvzeroupper\n1:\n\t"                                      \
	"test $2, %[ops]\n\tjz 2f\n\tpxor %%xmm3, %%xmm3\n2:\n\t"                              \
	"test $4, %[ops]\n\tjz 3f\n\tfld1\n\tfstp %%st(0)\n3:\n\t"                             \
	"test $8, %[ops]\n\tjz 4f\n\tldmxcsr %[mx]\n4:\n\t"                                   \
	"test $16, %[ops]\n\tjz 5f\n\tvpcmpeqb %%ymm5, %%ymm5, %%ymm5\n5:\n\t"                   \
	"mov %[lo], %%eax\n\t"
#define CASE(insn)                                                                            \
	__asm__ volatile(PRE insn " (%[out])"                                                  \
			 :                                                                     \
			 : [img] "r"(img), [out] "r"(out), [ops] "r"(ops), [mx] "m"(mx),       \
			   [lo] "r"(lo)                                                        \
			 : "rax", "rdx", "memory", "xmm3", "xmm5", "st")
	switch (save) {
	case S_XSAVE:
		CASE("xsave64");
		break;
	case S_XSAVEOPT:
		CASE("xsaveopt64");
		break;
	case S_XSAVEC:
		CASE("xsavec64");
		break;
	case S_FXSAVE64:
		CASE("fxsave64");
		break;
	default:
		CASE("fxsave");
		break;
	}
	int xs = save <= S_XSAVEC;
	uint64_t h = normalize_hash(out, xs ? 832 : 512, xs, rfbm);
	printf("%u %s ops=%02x bv=%llx rfbm=%llx %016llx\n", round, save_names[save], ops,
	       (unsigned long long)bv, (unsigned long long)rfbm, (unsigned long long)h);
}

static void xinuse_case(unsigned round, uint64_t bv)
{
	make_image(bv);
	wr32(img + 24, 0x1f80); /* MXCSR initial, so that XGETBV(1)[1] follows XINUSE[1] only */
	uint32_t a, d;
	__asm__ volatile("mov $7, %%eax\n\txor %%edx, %%edx\n\txrstor64 (%[img])\n\t"
			 "mov $1, %%ecx\n\txgetbv"
			 : "=&a"(a), "=&d"(d)
			 : [img] "r"(img)
			 : "rcx", "memory");
	printf("%u xgetbv1 bv=%llx %x\n", round, (unsigned long long)bv, a & 7);
}

int main(int argc, char **argv)
{
	unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 300;
	verbose = argc > 2;
	for (unsigned r = 0; r < rounds; r++) {
		uint64_t bv = r % 3 == 0 ? 7 : rnd() & 7;
		uint64_t rfbm = r % 4 == 0 ? 7 : rnd() & 7;
		unsigned ops = (unsigned)(rnd() & 31);
		if (r % 5 == 0)
			ops = 0;
		run_case(r, r % S_N, ops, bv, rfbm);
		run_case(r, (r + 2) % S_N, 0, 7, 7);
	}
	xinuse_case(rounds, 7);
	xinuse_case(rounds, 0);
	return 0;
}
