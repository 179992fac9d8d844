/* qsort and bsearch of the C library calling back into the program: ints, 64-bit keys,
 * doubles (with -0.0, infinities), strings through pointers, and structures with several
 * keys; sizes from 0 to 20,000 elements (glibc's merge sort with a stack or a malloc'd
 * buffer, and its indirect sort for large elements). Each result is checked sorted and
 * reduced to a checksum. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x853c49e6748fea9bull;
static uint64_t rnd(void)
{
	state = state * 6364136223846793005ull + 1442695040888963407ull;
	return state >> 17;
}

static unsigned long calls;

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	calls++;
	return (x > y) - (x < y);
}

static int cmp_int_desc(const void *a, const void *b)
{
	return cmp_int(b, a);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	calls++;
	return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	calls++;
	if (x < y)
		return -1;
	if (x > y)
		return 1;
	return signbit(y) - signbit(x); /* -0.0 before +0.0 */
}

static int cmp_str(const void *a, const void *b)
{
	calls++;
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct rec {
	char name[12];
	int dept;
	double salary;
	unsigned id;
	char pad[36]; /* 64 bytes: glibc sorts pointers to elements larger than 32 bytes */
};

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	calls++;
	if (x->dept != y->dept)
		return x->dept - y->dept;
	if (x->salary != y->salary)
		return x->salary > y->salary ? -1 : 1;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

static void ints(size_t n)
{
	int *a = malloc((n ? n : 1) * sizeof *a);
	for (size_t i = 0; i < n; i++)
		a[i] = (int)(rnd() % (n / 2 + 3)) - (int)(n / 4);
	calls = 0;
	qsort(a, n, sizeof *a, cmp_int);
	int sorted = 1;
	int64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && a[i - 1] > a[i])
			sorted = 0;
		sum = sum * 31 + a[i];
	}
	int hits = 0;
	for (int k = -5; k < 20; k++)
		hits += bsearch(&k, a, n, sizeof *a, cmp_int) != NULL;
	qsort(a, n, sizeof *a, cmp_int_desc);
	int desc = 1;
	for (size_t i = 1; i < n; i++)
		if (a[i - 1] < a[i])
			desc = 0;
	printf("int n=%zu sorted=%d desc=%d sum=%lld hits=%d first=%d last=%d\n", n, sorted, desc,
	       (long long)sum, hits, n ? a[n - 1] : 0, n ? a[0] : 0);
	free(a);
}

static void u64s(size_t n)
{
	uint64_t *a = malloc(n * sizeof *a);
	for (size_t i = 0; i < n; i++)
		a[i] = rnd() * 0x9e3779b97f4a7c15ull;
	qsort(a, n, sizeof *a, cmp_u64);
	uint64_t h = 0;
	int sorted = 1;
	for (size_t i = 0; i < n; i++) {
		if (i && a[i - 1] > a[i])
			sorted = 0;
		h = (h ^ a[i]) * 0x100000001b3ull;
	}
	uint64_t key = a[n / 3];
	uint64_t *p = bsearch(&key, a, n, sizeof *a, cmp_u64);
	printf("u64 n=%zu sorted=%d hash=%016llx found=%d\n", n, sorted, (unsigned long long)h,
	       p && *p == key);
	free(a);
}

static void doubles(void)
{
	double v[40];
	for (int i = 0; i < 32; i++)
		v[i] = ((double)(int64_t)(rnd() % 2001) - 1000.0) / 7.0;
	v[32] = -0.0, v[33] = 0.0, v[34] = INFINITY, v[35] = -INFINITY, v[36] = 1e-310,
	v[37] = -1e-310, v[38] = 0.0, v[39] = -0.0;
	qsort(v, 40, sizeof v[0], cmp_double);
	for (int i = 0; i < 40; i++)
		printf("%g%c", v[i], i % 10 == 9 ? '\n' : ' ');
}

static void strings(void)
{
	static const char *const words[] = {
		"pear", "apple", "fig", "banana", "kiwi", "Apple", "apricot", "", "zucchini", "fig",
		"date", "cherry", "a", "ab", "abc", "b", "Zebra", "mango", "melon", "lime"};
	size_t n = sizeof words / sizeof words[0];
	char *copy[sizeof words / sizeof words[0]];
	for (size_t i = 0; i < n; i++)
		copy[i] = strdup(words[i]);
	qsort(copy, n, sizeof copy[0], cmp_str);
	for (size_t i = 0; i < n; i++)
		printf("'%s'%s", copy[i], i + 1 < n ? " " : "\n");
	const char *key = "fig";
	char **hit = bsearch(&key, copy, n, sizeof copy[0], cmp_str);
	printf("bsearch fig at %td, kiwi %s\n", hit ? hit - copy : (ptrdiff_t)-1,
	       bsearch(&(const char *){"kiwi"}, copy, n, sizeof copy[0], cmp_str) ? "found"
										  : "absent");
	for (size_t i = 0; i < n; i++)
		free(copy[i]);
}

static void records(size_t n)
{
	static const char *const names[] = {"ada", "bob", "cy", "dee", "eve", "fay", "gus"};
	struct rec *r = calloc(n, sizeof *r);
	for (size_t i = 0; i < n; i++) {
		strcpy(r[i].name, names[rnd() % 7]);
		r[i].dept = (int)(rnd() % 5);
		r[i].salary = (double)(rnd() % 50) * 1000.0 + 0.5;
		r[i].id = (unsigned)i;
	}
	qsort(r, n, sizeof *r, cmp_rec);
	int ok = 1;
	uint64_t h = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && cmp_rec(&r[i - 1], &r[i]) > 0)
			ok = 0;
		h = h * 1099511628211ull ^ r[i].id;
	}
	printf("records n=%zu ordered=%d hash=%016llx first=%s/%d/%.1f last=%s/%d/%.1f\n", n, ok,
	       (unsigned long long)h, r[0].name, r[0].dept, r[0].salary, r[n - 1].name,
	       r[n - 1].dept, r[n - 1].salary);
	free(r);
}

int main(void)
{
	size_t sizes[] = {0, 1, 2, 3, 7, 16, 100, 255, 1000, 4096, 20000};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		ints(sizes[i]);
	u64s(5000);
	u64s(20000);
	doubles();
	strings();
	records(10);
	records(3000);
	return 0;
}
