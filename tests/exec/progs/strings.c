/* String functions of the C library and formatted output of integers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char buf[8192];

int main(int argc, char **argv)
{
	const char *words[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta",
			       "theta", "iota", "kappa", "lambda", "mu"};
	size_t n = sizeof words / sizeof words[0];
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += strlen(words[i]);
	printf("total length %zu, argc %d, argv0 ends with %s\n", total, argc,
	       strrchr(argv[0], '/') ? "a path" : "a name");
	for (size_t i = 0; i + 1 < n; i++)
		printf("%s vs %s: %d %d\n", words[i], words[i + 1],
		       strcmp(words[i], words[i + 1]) < 0, strncmp(words[i], words[i + 1], 1) == 0);
	char *p = buf;
	for (int r = 0; r < 40; r++)
		for (size_t i = 0; i < n; i++) {
			size_t l = strlen(words[i]);
			memcpy(p, words[i], l);
			p += l;
			*p++ = r % 2 ? ',' : ' ';
		}
	*p = 0;
	printf("built %zu bytes; 'lambda' at %td; 'xyz' %s\n", strlen(buf), strstr(buf, "lambda") - buf,
	       strstr(buf, "xyz") ? "found" : "absent");
	printf("strchr k: %td, memchr ',': %td\n", strchr(buf, 'k') - buf,
	       (char *)memchr(buf, ',', strlen(buf)) - buf);
	char dup[300];
	memset(dup, 'x', sizeof dup);
	dup[299] = 0;
	memmove(dup + 10, dup, 100);
	strcpy(dup + 200, "tail");
	printf("dup len %zu %s\n", strlen(dup), dup + 200);
	printf("memcmp %d %d\n", memcmp(buf, buf + 1, 10) != 0, memcmp(buf, buf, 4000));
	char num[64];
	for (long v = -1000000007; v < 2000000000; v += 333333331) {
		snprintf(num, sizeof num, "%ld|%08lx|%+d|%-6d|%u", v, (unsigned long)v & 0xffffffff,
			 (int)(v % 1000), (int)(v % 77), (unsigned)v);
		printf("%s (%zu)\n", num, strlen(num));
	}
	printf("atoi %d strtol %ld strtoul %lu\n", atoi("  -4242xyz"), strtol("0x7fff", NULL, 16),
	       strtoul("123456789012", NULL, 10));
	char *s = strdup("The quick brown fox jumps over the lazy dog");
	int up = 0;
	for (char *q = s; *q; q++)
		if (*q >= 'a' && *q <= 'z')
			*q = (char)(*q - 32), up++;
	printf("%s (%d)\n", s, up);
	free(s);
	void *blocks[64];
	for (int i = 0; i < 64; i++) {
		blocks[i] = malloc((size_t)(i * 97 + 1));
		memset(blocks[i], i, (size_t)(i * 97 + 1));
	}
	long chk = 0;
	for (int i = 0; i < 64; i++) {
		chk += ((unsigned char *)blocks[i])[i * 97 / 2];
		free(blocks[i]);
	}
	void *big = malloc(1 << 20);
	memset(big, 7, 1 << 20);
	chk += ((char *)big)[12345];
	free(big);
	printf("malloc check %ld\n", chk);
	fprintf(stderr, "to stderr\n");
	return 0;
}
