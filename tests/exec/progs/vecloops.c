/* Loops that clang vectorizes with AVX2 (built with -mavx2), and the SSE4.2/AVX2 string
 * functions glibc selects on a CPU that reports them. */
/* LINK: -mavx2 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N = 1000 };
static int32_t a[N], b[N], c[N];
static uint8_t s8[N], t8[N];
static float fa[N], fb[N];
static double da[N];
static int16_t h[N];

int main(void)
{
	uint32_t seed = 12345;
	for (int i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		a[i] = (int32_t)seed >> 8;
		b[i] = (int32_t)(seed >> 3) % 1000 - 500;
		s8[i] = (uint8_t)(seed >> 13);
		fa[i] = (float)(int)(seed % 10000) / 37.0f;
		fb[i] = (float)((int)(seed >> 9) % 777) - 300.5f;
		h[i] = (int16_t)(seed >> 11);
	}
	int64_t sum = 0;
	for (int i = 0; i < N; i++) {
		c[i] = a[i] * b[i] + (a[i] >> 3) - (b[i] < 0 ? -b[i] : b[i]);
		sum += c[i];
	}
	int32_t mx = INT32_MIN, mn = INT32_MAX;
	for (int i = 0; i < N; i++) {
		mx = c[i] > mx ? c[i] : mx;
		mn = c[i] < mn ? c[i] : mn;
	}
	unsigned bytes = 0;
	for (int i = 0; i < N; i++) {
		t8[i] = (uint8_t)(s8[i] > 100 ? s8[i] - 100 : s8[i] + 7);
		bytes += t8[i] == 42;
	}
	float fs = 0;
	for (int i = 0; i < N; i++) {
		fa[i] = fa[i] * 1.5f + fb[i] / 3.0f;
		fs += fa[i] > fb[i] ? fa[i] : fb[i];
	}
	double ds = 0;
	for (int i = 0; i < N; i++) {
		da[i] = (double)a[i] * 0.25 + (double)fb[i];
		ds += da[i];
	}
	int hs = 0;
	for (int i = 0; i < N; i++)
		hs += h[i] * (h[i] >> 4);
	printf("%lld %d %d %u %.6g %.17g %d\n", (long long)sum, mx, mn, bytes, fs, ds, hs);

	/* Strings of every length and alignment through strlen, strchr, memchr, strcmp,
	 * memcmp, strrchr, strstr, memset, memcpy, strcpy. */
	static char buf[512], buf2[512];
	unsigned long acc = 0;
	for (int len = 0; len < 200; len++) {
		for (int off = 0; off < 33; off += 7) {
			char *p = buf + off;
			for (int i = 0; i < len; i++)
				p[i] = (char)('a' + (i * 7 + len) % 26);
			p[len] = 0;
			acc += strlen(p);
			char *q = strchr(p, 'q');
			acc += q ? (unsigned long)(q - p) : 999;
			q = strrchr(p, 'e');
			acc += q ? (unsigned long)(q - p) : 777;
			q = memchr(p, 'z', (size_t)len);
			acc += q ? (unsigned long)(q - p) : 555;
			strcpy(buf2 + (off ^ 5), p);
			acc += (unsigned long)(strcmp(buf2 + (off ^ 5), p) == 0);
			buf2[(off ^ 5) + len / 2] ^= 1;
			acc += (unsigned long)(memcmp(buf2 + (off ^ 5), p, (size_t)len) > 0) * 3;
			acc += (unsigned long)(strncmp(buf2 + (off ^ 5), p, (size_t)len / 2) == 0);
			q = strstr(p, "mt");
			acc += q ? (unsigned long)(q - p) : 333;
			acc += strspn(p, "abcdefghij") + strcspn(p, "xyz");
			memset(buf2, 'x', (size_t)len);
			memcpy(buf2 + 3, p, (size_t)len);
			acc += (unsigned long)buf2[len / 2];
		}
	}
	printf("%lu\n", acc);
	return 0;
}
