/* Executor benchmark: an integer kernel with more live values than the legacy registers
 * (clang-19 -mapxf keeps some in r16-r31) and a small insertion sort, about 0.5 billion
 * instructions under apxemu. Used for the tracing-off/on overhead in notes/debug.md. */
#include <stdio.h>

__attribute__((noinline)) static long kernel(const long *a, int n)
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

static long arr[4096];

int main(void)
{
	long sum = 0;
	for (int r = 0; r < 300; r++) {
		for (int i = 0; i < 4096; i++)
			arr[i] = (long)((unsigned)(i + r) * 2654435761u % 100000);
		for (int i = 1; i < 256; i++) {
			long v = arr[i];
			int j = i - 1;
			while (j >= 0 && arr[j] > v)
				arr[j + 1] = arr[j], j--;
			arr[j + 1] = v;
		}
		sum += kernel(arr, 4096);
	}
	printf("%ld\n", sum);
	return 0;
}
