/* An integer-heavy mix for the executor's speed: a sieve, FNV-1a hashing, an insertion and
 * a quick sort, and a small hash table; prints a checksum. ARGV[1] = rounds (default 10).
 *   clang-19 -O2 -static -mapxf bench/exec_mix.c -o mix.apx
 *   time build/release/apxemu run --stats mix.apx 10      (527.7 million instructions) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rng = 12345;
static uint32_t next(void)
{
	rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
	return rng;
}

static int cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 10;
	uint64_t sum = 0;
	static uint8_t sieve[1 << 20];
	static uint32_t arr[1 << 16];
	static uint32_t table[1 << 12];
	for (int r = 0; r < rounds; r++) {
		memset(sieve, 1, sizeof sieve);
		for (uint32_t i = 2; i * i < sizeof sieve; i++)
			if (sieve[i])
				for (uint32_t j = i * i; j < sizeof sieve; j += i)
					sieve[j] = 0;
		uint32_t primes = 0;
		for (uint32_t i = 2; i < sizeof sieve; i++)
			primes += sieve[i];
		uint64_t h = 1469598103934665603ull;
		for (uint32_t i = 0; i < sizeof sieve; i += 3)
			h = (h ^ sieve[i] ^ i) * 1099511628211ull;
		for (unsigned i = 0; i < 1 << 16; i++)
			arr[i] = next();
		qsort(arr, 1 << 16, sizeof arr[0], cmp);
		for (unsigned i = 0; i < 2048; i++) {
			uint32_t v = arr[i * 7 % 4096], k = i;
			while (k > 0 && arr[k - 1] > v) {
				arr[k] = arr[k - 1];
				k--;
			}
			arr[k] = v;
		}
		memset(table, 0, sizeof table);
		for (unsigned i = 0; i < 3000; i++) {
			uint32_t k = next();
			uint32_t s = (k * 2654435761u) >> 20;
			while (table[s] && table[s] != k)
				s = (s + 1) & 4095;
			if (!table[s] && i % 3)
				table[s] = k;
			sum += s;
		}
		sum += primes + h + arr[100];
	}
	printf("checksum %llu\n", (unsigned long long)sum);
	return 0;
}
