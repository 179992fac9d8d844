/* The integer-heavy program of the executor's speed benchmark (bench/run_exec_bench.sh):
 * a sieve, four hash functions (FNV-1a, a table-driven CRC-32, a 64-bit multiply-xorshift
 * mix, a Murmur3-style 32-bit hash), three sorts (quicksort with an insertion-sort cut-off,
 * bottom-up merge sort, heap sort) and an open-addressing hash table. Every hot loop is in
 * this file, so that a -mapxf build runs APX code rather than the C library's; libc is only
 * used for printf and atoi. Prints one checksum line per part.
 *
 *   exec_int [ROUNDS]        (default 4)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SIEVE_N (1u << 21)
#define SORT_N (1u << 16)
#define TABLE_BITS 15
#define TABLE_N (1u << TABLE_BITS)
#define HASH_BYTES (1u << 18)

static uint8_t sieve[SIEVE_N];
static uint64_t keys[SORT_N], work[SORT_N], tmp[SORT_N];
static uint64_t table_k[TABLE_N];
static uint32_t table_v[TABLE_N];
static uint8_t bytes[HASH_BYTES];
static uint32_t crc_table[256];

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	uint64_t x = rng_state;
	x ^= x << 13, x ^= x >> 7, x ^= x << 17;
	return rng_state = x;
}

/* ---- sieve ---------------------------------------------------------------------------- */

static uint64_t run_sieve(void)
{
	for (uint32_t i = 0; i < SIEVE_N; i++)
		sieve[i] = 1;
	sieve[0] = sieve[1] = 0;
	for (uint32_t i = 2; i * i < SIEVE_N; i++)
		if (sieve[i])
			for (uint32_t j = i * i; j < SIEVE_N; j += i)
				sieve[j] = 0;
	uint64_t count = 0, sum = 0;
	for (uint32_t i = 0; i < SIEVE_N; i++)
		if (sieve[i])
			count++, sum += i;
	return count * 1000003u ^ sum;
}

/* ---- hashing -------------------------------------------------------------------------- */

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32_sw(const uint8_t *p, uint32_t n)
{
	uint32_t c = 0xffffffffu;
	for (uint32_t i = 0; i < n; i++)
		c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return ~c;
}

static uint64_t fnv1a(const uint8_t *p, uint32_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30, x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27, x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint32_t murmur32(const uint8_t *p, uint32_t n, uint32_t seed)
{
	uint32_t h = seed;
	uint32_t i = 0;
	for (; i + 4 <= n; i += 4) {
		uint32_t k = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
			     (uint32_t)p[i + 3] << 24;
		k *= 0xcc9e2d51u, k = k << 15 | k >> 17, k *= 0x1b873593u;
		h ^= k, h = h << 13 | h >> 19, h = h * 5 + 0xe6546b64u;
	}
	for (; i < n; i++)
		h ^= p[i] * 0x1b873593u, h = h << 7 | h >> 25;
	h ^= n, h ^= h >> 16, h *= 0x85ebca6bu, h ^= h >> 13, h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

static uint64_t run_hashes(uint32_t round)
{
	for (uint32_t i = 0; i < HASH_BYTES; i += 8) {
		uint64_t v = mix64(i + round * 0x100000001ull);
		for (int k = 0; k < 8; k++)
			bytes[i + k] = (uint8_t)(v >> 8 * k);
	}
	uint64_t acc = fnv1a(bytes, HASH_BYTES);
	acc ^= (uint64_t)crc32_sw(bytes, HASH_BYTES) << 17;
	/* Many short keys, as a hash table would see them. */
	for (uint32_t off = 0; off + 24 <= HASH_BYTES; off += 24)
		acc += murmur32(bytes + off, 5 + off % 19, round);
	return acc;
}

/* ---- sorting -------------------------------------------------------------------------- */

static void insertion(uint64_t *a, long lo, long hi)
{
	for (long i = lo + 1; i <= hi; i++) {
		uint64_t v = a[i];
		long j = i - 1;
		while (j >= lo && a[j] > v) {
			a[j + 1] = a[j];
			j--;
		}
		a[j + 1] = v;
	}
}

static void quick(uint64_t *a, long lo, long hi)
{
	while (hi - lo > 16) {
		long mid = lo + (hi - lo) / 2;
		uint64_t x = a[lo], y = a[mid], z = a[hi];
		uint64_t p = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
		long i = lo, j = hi;
		while (i <= j) {
			while (a[i] < p)
				i++;
			while (a[j] > p)
				j--;
			if (i <= j) {
				uint64_t t = a[i];
				a[i] = a[j], a[j] = t;
				i++, j--;
			}
		}
		if (j - lo < hi - i) {
			quick(a, lo, j);
			lo = i;
		} else {
			quick(a, i, hi);
			hi = j;
		}
	}
	insertion(a, lo, hi);
}

static void merge_sort(uint64_t *a, uint64_t *b, uint32_t n)
{
	uint64_t *src = a, *dst = b;
	for (uint32_t w = 1; w < n; w *= 2) {
		for (uint32_t lo = 0; lo < n; lo += 2 * w) {
			uint32_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			uint32_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				dst[k++] = src[j] < src[i] ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		uint64_t *t = src;
		src = dst, dst = t;
	}
	if (src != a)
		for (uint32_t i = 0; i < n; i++)
			a[i] = src[i];
}

static void sift(uint64_t *a, uint32_t i, uint32_t n)
{
	uint64_t v = a[i];
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && a[c + 1] > a[c])
			c++;
		if (a[c] <= v)
			break;
		a[i] = a[c], i = c;
	}
	a[i] = v;
}

static void heap_sort(uint64_t *a, uint32_t n)
{
	for (uint32_t i = n / 2; i-- > 0;)
		sift(a, i, n);
	for (uint32_t end = n - 1; end > 0; end--) {
		uint64_t t = a[0];
		a[0] = a[end], a[end] = t;
		sift(a, 0, end);
	}
}

static uint64_t sorted_sum(const uint64_t *a, uint32_t n)
{
	uint64_t s = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (i && a[i - 1] > a[i])
			return 0; /* not sorted: a checksum that cannot match */
		s = s * 31 + (a[i] >> 7);
	}
	return s;
}

static uint64_t run_sorts(void)
{
	for (uint32_t i = 0; i < SORT_N; i++)
		keys[i] = rng() >> (i & 7); /* some small keys, so that duplicates occur */
	uint64_t acc = 0;
	for (uint32_t i = 0; i < SORT_N; i++)
		work[i] = keys[i];
	quick(work, 0, SORT_N - 1);
	acc ^= sorted_sum(work, SORT_N);
	for (uint32_t i = 0; i < SORT_N; i++)
		work[i] = keys[i];
	merge_sort(work, tmp, SORT_N);
	acc += sorted_sum(work, SORT_N) * 3;
	for (uint32_t i = 0; i < SORT_N; i++)
		work[i] = keys[i];
	heap_sort(work, SORT_N);
	acc ^= sorted_sum(work, SORT_N) << 1;
	return acc;
}

/* ---- hash table ----------------------------------------------------------------------- */

static uint64_t run_table(uint32_t round)
{
	for (uint32_t i = 0; i < TABLE_N; i++)
		table_k[i] = 0, table_v[i] = 0;
	uint64_t hits = 0, probes = 0;
	uint32_t used = 0;
	for (uint32_t i = 0; i < 3 * TABLE_N; i++) {
		uint64_t k = mix64((i * 7919u + round) % (TABLE_N / 2 * 3)) | 1;
		uint32_t s = (uint32_t)(k >> (64 - TABLE_BITS));
		while (table_k[s] && table_k[s] != k)
			s = (s + 1) & (TABLE_N - 1), probes++;
		if (table_k[s] == k)
			hits++, table_v[s]++;
		else if (used < TABLE_N * 3 / 4)
			table_k[s] = k, table_v[s] = 1, used++;
	}
	uint64_t acc = hits * 131 + probes;
	for (uint32_t i = 0; i < TABLE_N; i++)
		acc += table_v[i] * (uint64_t)(i + 1);
	return acc;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 4;
	uint64_t s = 0, h = 0, o = 0, t = 0;
	crc_init();
	for (int r = 0; r < rounds; r++) {
		s += run_sieve();
		h ^= run_hashes((uint32_t)r) + (uint64_t)r;
		o = o * 7 + run_sorts();
		t += run_table((uint32_t)r);
	}
	printf("rounds %d\n", rounds);
	printf("sieve  %016llx\n", (unsigned long long)s);
	printf("hash   %016llx\n", (unsigned long long)h);
	printf("sort   %016llx\n", (unsigned long long)o);
	printf("table  %016llx\n", (unsigned long long)t);
	printf("total  %016llx\n", (unsigned long long)(s ^ h ^ o ^ t));
	return 0;
}
