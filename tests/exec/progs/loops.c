/* Loops over arrays: sieve, sorting, matrix multiply, prefix sums, histograms. */
#include <stdio.h>
#include <string.h>

#define N 20000
static unsigned char sieve[N];
static int arr[4096];
static long mat_a[24][24], mat_b[24][24], mat_c[24][24];

static void isort(int *a, int n)
{
	for (int i = 1; i < n; i++) {
		int v = a[i], j = i - 1;
		while (j >= 0 && a[j] > v) {
			a[j + 1] = a[j];
			j--;
		}
		a[j + 1] = v;
	}
}

static void qsort_int(int *a, int lo, int hi)
{
	while (lo < hi) {
		int p = a[(lo + hi) / 2], i = lo, j = hi;
		while (i <= j) {
			while (a[i] < p)
				i++;
			while (a[j] > p)
				j--;
			if (i <= j) {
				int t = a[i];
				a[i++] = a[j];
				a[j--] = t;
			}
		}
		if (j - lo < hi - i) {
			qsort_int(a, lo, j);
			lo = i;
		} else {
			qsort_int(a, i, hi);
			hi = j;
		}
	}
}

int main(void)
{
	int primes = 0;
	for (int i = 2; i < N; i++) {
		if (sieve[i])
			continue;
		primes++;
		for (int j = i * 2; j < N; j += i)
			sieve[j] = 1;
	}
	printf("primes below %d: %d\n", N, primes);

	unsigned x = 12345;
	for (int i = 0; i < 4096; i++) {
		x = x * 1103515245u + 12345u;
		arr[i] = (int)(x >> 8) % 100000 - 50000;
	}
	int copy[512];
	memcpy(copy, arr, sizeof copy);
	isort(copy, 512);
	qsort_int(arr, 0, 4095);
	long sum = 0;
	for (int i = 0; i < 4096; i++)
		sum += (long)arr[i] * (i + 1);
	printf("sorted: %d %d %d %d sum %ld\n", arr[0], arr[1], arr[2048], arr[4095], sum);
	printf("isort: %d %d %d\n", copy[0], copy[255], copy[511]);

	for (int i = 0; i < 24; i++)
		for (int j = 0; j < 24; j++) {
			mat_a[i][j] = i * 3 - j;
			mat_b[i][j] = (i ^ j) + 1;
		}
	for (int i = 0; i < 24; i++)
		for (int j = 0; j < 24; j++) {
			long s = 0;
			for (int k = 0; k < 24; k++)
				s += mat_a[i][k] * mat_b[k][j];
			mat_c[i][j] = s;
		}
	long tr = 0;
	for (int i = 0; i < 24; i++)
		tr += mat_c[i][i] - mat_c[i][23 - i];
	printf("matrix trace-ish %ld %ld\n", tr, mat_c[5][7]);

	int hist[16] = {0};
	for (int i = 0; i < 4096; i++)
		hist[(unsigned)arr[i] % 16]++;
	for (int i = 0; i < 16; i++)
		printf("%d%c", hist[i], i == 15 ? '\n' : ' ');
	short sh[64];
	unsigned char by[64];
	for (int i = 0; i < 64; i++) {
		sh[i] = (short)(i * 1000 - 30000);
		by[i] = (unsigned char)(i * 7);
	}
	int ssum = 0;
	for (int i = 0; i < 64; i++)
		ssum += sh[i] * by[i] + (by[i] > 100);
	printf("mixed widths %d\n", ssum);
	return 0;
}
