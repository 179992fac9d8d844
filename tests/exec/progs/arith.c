/* Integer arithmetic: every operator at every width, with wrap-around, division by
 * negatives, shifts, rotates and 128-bit multiply. */
#include <stdint.h>
#include <stdio.h>

static uint64_t state = 0x243f6a8885a308d3ull;

static uint64_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

__attribute__((noinline)) static uint64_t mix(uint64_t a, uint64_t b, int k)
{
	uint64_t r = a;
	switch (k & 15) {
	case 0: r = a + b; break;
	case 1: r = a - b; break;
	case 2: r = a * b; break;
	case 3: r = b ? a / b : 0; break;
	case 4: r = b ? a % b : 0; break;
	case 5: r = (uint64_t)((int64_t)b ? (int64_t)a / ((int64_t)b | 1) : 0); break;
	case 6: r = (uint64_t)((int64_t)a % ((int64_t)b | 1)); break;
	case 7: r = a << (b & 63); break;
	case 8: r = a >> (b & 63); break;
	case 9: r = (uint64_t)((int64_t)a >> (b & 63)); break;
	case 10: r = (a << (b & 63)) | (a >> ((64 - (b & 63)) & 63)); break;
	case 11: r = (uint64_t)(((unsigned __int128)a * b) >> 64); break;
	case 12: r = (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64); break;
	case 13: r = (uint32_t)a * (uint32_t)b + (uint16_t)a / ((uint16_t)b | 1); break;
	case 14: r = (uint64_t)(int8_t)a * (int16_t)b - (int32_t)a % ((int32_t)b | 1); break;
	default: r = a ^ ~b ^ (a & b) ^ (a | (b >> 3)); break;
	}
	return r;
}

int main(void)
{
	uint64_t acc = 0;
	for (int i = 0; i < 20000; i++) {
		uint64_t a = next(), b = next() >> (i & 31);
		uint64_t r = mix(a, b, i);
		acc = acc * 31 + r;
		if (i % 1500 == 0)
			printf("%d %016llx %016llx -> %016llx\n", i, (unsigned long long)a,
			       (unsigned long long)b, (unsigned long long)r);
	}
	int32_t s = -7;
	printf("%d %d %d %d\n", s / 2, s % 2, s >> 1, (int)((unsigned)s >> 28));
	printf("%lld %llu\n", (long long)INT64_MIN / -3, (unsigned long long)UINT64_MAX / 7);
	int8_t c = 127;
	c++;
	printf("%d %u %d\n", c, (uint8_t)(c - 1), __builtin_popcountll(acc));
	printf("clz %d ctz %d\n", __builtin_clzll(acc | 1), __builtin_ctzll(acc | (1ull << 63)));
	printf("acc %016llx\n", (unsigned long long)acc);
	return 0;
}
