/* The C library's allocator on top of the runner's brk, mmap, munmap and mremap: small
 * blocks from the heap (brk), blocks above the mmap threshold, calloc's zeroing, realloc
 * growing and shrinking in place and by moving (mremap for mapped blocks), aligned
 * allocations, a long linked list, and a random allocate/free pattern whose contents are
 * checked. Only properties of the blocks are printed, never their addresses. */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 88172645463325252ull;
static uint64_t rnd(void)
{
	state ^= state << 13, state ^= state >> 7, state ^= state << 17;
	return state;
}

/* The bytes a block's pattern covers: all of a small block; of a large one the first and
 * last 512 and one in every 1021, so that every page is touched. */
static size_t next_pos(size_t i, size_t n)
{
	if (n <= 4096 || i + 1 < 512 || i + 1 >= n - 512)
		return i + 1;
	size_t j = (i / 1021 + 1) * 1021;
	return j < n - 512 ? j : n - 512;
}

static void fill(unsigned char *p, size_t n, unsigned tag)
{
	for (size_t i = 0; i < n; i = next_pos(i, n))
		p[i] = (unsigned char)(tag * 31 + i * 7);
}

static int check(const unsigned char *p, size_t n, unsigned tag)
{
	for (size_t i = 0; i < n; i = next_pos(i, n))
		if (p[i] != (unsigned char)(tag * 31 + i * 7))
			return 0;
	return 1;
}

/* Stored here so that the compiler cannot assume an allocation succeeded. */
static void *volatile sink;

static void sizes(void)
{
	size_t sz[] = {0, 1, 8, 24, 100, 1000, 4096, 65536, 131072, 200000, 1 << 20, 8 << 20};
	for (size_t i = 0; i < sizeof sz / sizeof sz[0]; i++) {
		unsigned char *p = malloc(sz[i]);
		if (!p) {
			printf("malloc(%zu) failed\n", sz[i]);
			continue;
		}
		fill(p, sz[i], (unsigned)i);
		size_t usable = malloc_usable_size(p);
		printf("malloc(%zu): aligned16=%d usable>=size=%d ok=%d\n", sz[i],
		       (uintptr_t)p % 16 == 0, usable >= sz[i], check(p, sz[i], (unsigned)i));
		free(p);
	}
}

static void zeroing(void)
{
	/* Dirty some memory, free it, then calloc must still hand out zeros. */
	for (int round = 0; round < 3; round++) {
		size_t n = round == 2 ? 300000 : 5000;
		unsigned char *d = malloc(n);
		memset(d, 0xa5, n);
		free(d);
		unsigned char *z = calloc(n, 1);
		size_t nonzero = 0;
		for (size_t i = 0; i < n; i++)
			nonzero += z[i] != 0;
		printf("calloc(%zu): %zu non-zero bytes\n", n, nonzero);
		free(z);
	}
	sink = calloc((size_t)1 << 40, (size_t)1 << 30); /* overflows size_t */
	printf("calloc overflow: %s\n", sink ? "allocated" : "NULL");
	free(sink);
	sink = malloc((size_t)-1 / 2);
	printf("malloc(SIZE_MAX/2): %s\n", sink ? "allocated" : "NULL");
	free(sink);
}

static void reallocs(void)
{
	size_t n = 16;
	unsigned char *p = malloc(n);
	fill(p, n, 3);
	int ok = 1;
	/* Grow through the heap and past the mmap threshold, then shrink again. */
	for (int i = 0; i < 18; i++) {
		size_t m = n * 2;
		p = realloc(p, m);
		ok &= check(p, n, 3);
		fill(p, m, 3);
		n = m;
	}
	printf("realloc up to %zu: contents kept %d\n", n, ok);
	for (int i = 0; i < 18; i++) {
		n /= 2;
		p = realloc(p, n);
		ok &= check(p, n, 3);
	}
	printf("realloc down to %zu: contents kept %d\n", n, ok);
	free(p);
	p = realloc(NULL, 100);
	fill(p, 100, 9);
	printf("realloc(NULL, 100): %d\n", p != NULL && check(p, 100, 9));
	free(p);
}

static void aligned(void)
{
	size_t al[] = {16, 32, 64, 256, 4096, 65536};
	for (size_t i = 0; i < sizeof al / sizeof al[0]; i++) {
		void *a = NULL;
		int rc = posix_memalign(&a, al[i], 1000 + i);
		void *b = aligned_alloc(al[i], al[i] * 3);
		void *c = memalign(al[i], 77);
		printf("alignment %zu: posix_memalign rc=%d ok=%d aligned_alloc ok=%d memalign ok=%d\n",
		       al[i], rc, a && (uintptr_t)a % al[i] == 0, b && (uintptr_t)b % al[i] == 0,
		       c && (uintptr_t)c % al[i] == 0);
		free(a), free(b), free(c);
	}
	void *bad = NULL;
	printf("posix_memalign(24): rc=%d\n", posix_memalign(&bad, 24, 10));
}

struct node {
	struct node *next;
	unsigned value;
	char text[20];
};

static void list(void)
{
	struct node *head = NULL;
	for (unsigned i = 0; i < 5000; i++) {
		struct node *n = malloc(sizeof *n);
		n->next = head, n->value = i * 2654435761u;
		snprintf(n->text, sizeof n->text, "n%u", i);
		head = n;
	}
	/* Free every other node, then walk and free the rest. */
	unsigned long kept = 0, sum = 0;
	for (struct node *n = head; n && n->next; n = n->next) {
		struct node *dead = n->next;
		n->next = dead->next;
		free(dead);
	}
	while (head) {
		struct node *n = head;
		head = n->next;
		kept++, sum += n->value ^ (unsigned)strlen(n->text);
		free(n);
	}
	printf("list: %lu nodes kept, sum %lu\n", kept, sum);
}

static void churn(void)
{
	enum { SLOTS = 512 };
	static unsigned char *slot[SLOTS];
	static size_t len[SLOTS];
	unsigned long allocs = 0, frees = 0, bad = 0, bytes = 0;
	for (int step = 0; step < 2000; step++) {
		unsigned k = (unsigned)(rnd() % SLOTS);
		if (slot[k]) {
			bad += !check(slot[k], len[k], k);
			free(slot[k]);
			slot[k] = NULL, frees++;
		} else {
			uint64_t r = rnd();
			len[k] = r % 8 == 0 ? 100000 + r % 200000 : r % 600;
			slot[k] = malloc(len[k]);
			fill(slot[k], len[k], k);
			allocs++, bytes += len[k];
		}
	}
	for (unsigned k = 0; k < SLOTS; k++)
		if (slot[k]) {
			bad += !check(slot[k], len[k], k);
			free(slot[k]);
		}
	printf("churn: %lu allocations (%lu bytes), %lu frees, %lu corrupted\n", allocs, bytes,
	       frees, bad);
}

int main(void)
{
	sizes();
	zeroing();
	reallocs();
	aligned();
	list();
	churn();
	char *s = strdup("duplicated string");
	printf("strdup: %s (%zu)\n", s, strlen(s));
	free(s);
	return 0;
}
