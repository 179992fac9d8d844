/* A small program whose hot loops keep many values live at once, so that a compiler
 * targeting APX (clang-19 -O2 -mapxf) uses r16-r31, new-data-destination (NDD) and
 * no-flags (NF) forms, and PUSH2/POP2 in prologues and epilogues. Its output does not
 * depend on the target, so the same program built with and without APX can be compared. */
#include <stdint.h>
#include <stdio.h>

#define N 64

/* Sixteen running sums and products in one loop: more live values than the 16 legacy
 * registers hold. */
static __attribute__((noinline)) uint64_t mix(const uint32_t *v, int n)
{
	uint64_t a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8;
	uint64_t i0 = 9, i1 = 10, i2 = 11, i3 = 12, i4 = 13, i5 = 14, i6 = 15, i7 = 16;
	for (int i = 0; i < n; i++) {
		uint64_t x = v[i];
		a += x * 3;
		b ^= x << 7;
		c = c * 31 + (x >> 3);
		d -= x | a;
		e += (b & 0xff) * x;
		f = (f ^ c) + (x << 1);
		g += d >> 5;
		h ^= e + f;
		i0 += g * 5;
		i1 = (i1 << 1) ^ h;
		i2 += i0 & i1;
		i3 ^= i2 >> 2;
		i4 += i3 * 7;
		i5 = i5 + (i4 ^ x);
		i6 -= i5 >> 1;
		i7 += i6 ^ a;
	}
	return a ^ b ^ c ^ d ^ e ^ f ^ g ^ h ^ i0 ^ i1 ^ i2 ^ i3 ^ i4 ^ i5 ^ i6 ^ i7;
}

/* Saturating arithmetic and compares: conditional moves and flag-free arithmetic. */
static __attribute__((noinline)) int64_t clamp_sum(const int32_t *v, int n, int32_t lo,
						   int32_t hi)
{
	int64_t s = 0, pos = 0, neg = 0;
	for (int i = 0; i < n; i++) {
		int32_t x = v[i] < lo ? lo : v[i] > hi ? hi : v[i];
		s += x;
		pos += x > 0;
		neg += x < 0;
	}
	return s * 1000 + pos * 10 + neg;
}

/* A recursive function with several callee-saved values: PUSH2/POP2 pairs. */
static __attribute__((noinline)) uint64_t tree(uint32_t depth, uint64_t seed)
{
	if (depth == 0)
		return seed % 1009;
	uint64_t l = tree(depth - 1, seed * 6364136223846793005u + 1);
	uint64_t r = tree(depth - 1, seed ^ (seed >> 17));
	uint64_t m = l * 3 + r;
	return (m ^ (m >> 11)) + depth + (l > r);
}

int main(void)
{
	uint32_t v[N];
	int32_t w[N];
	uint32_t x = 2463534242u;
	for (int i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		v[i] = x;
		w[i] = (int32_t)(x % 2001) - 1000;
	}
	printf("mix       %016llx\n", (unsigned long long)mix(v, N));
	printf("clamp_sum %lld\n", (long long)clamp_sum(w, N, -500, 700));
	printf("tree      %llu\n", (unsigned long long)tree(10, 42));
	return 0;
}
