/* A function with more live values than the 16 legacy registers hold, so that clang-19
 * -mapxf keeps some of them in r16-r31; it reads the clock and random bytes, which
 * --deterministic fixes. Exits with status 3. */
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

__attribute__((noinline)) long work(const long *a, int n)
{
	long s0 = 0, s1 = 1, s2 = 2, s3 = 3, s4 = 4, s5 = 5, s6 = 6, s7 = 7, s8 = 8, s9 = 9;
	long t0 = 10, t1 = 11, t2 = 12, t3 = 13, t4 = 14, t5 = 15, t6 = 16, t7 = 17, t8 = 18;
	for (int i = 0; i < n; i++) {
		long x = a[i];
		s0 += x, s1 ^= x * 3, s2 += x >> 1, s3 -= x, s4 |= x, s5 += s0 * 7, s6 ^= s1;
		s7 += s2 * s3, s8 -= s4 >> 2, s9 += x * x, t0 += s5 ^ s6, t1 -= s7, t2 ^= s8;
		t3 += s9 >> 3, t4 += t0 * 5, t5 ^= t1 + t2, t6 += t3 - t4, t7 -= t5, t8 += t6 ^ t7;
	}
	return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + t0 + t1 + t2 + t3 + t4 + t5 + t6 +
	       t7 + t8;
}

static long arr[256];

int main(void)
{
	for (int i = 0; i < 256; i++)
		arr[i] = i * 2654435761u % 1000;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	unsigned char rnd[8];
	getrandom(rnd, sizeof rnd, 0);
	printf("work = %ld\n", work(arr, 256));
	printf("time = %lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
	printf("random = %02x%02x%02x%02x%02x%02x%02x%02x\n", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
	       rnd[5], rnd[6], rnd[7]);
	return 3;
}
