/* Formatted output and input of integers and floating-point numbers: every integer
 * conversion and length modifier with flags, widths and precisions, the limits of each type;
 * %f %e %g %a of doubles (zeros, subnormals, the extremes, infinities, NaNs, halfway cases,
 * 17-digit round trips) and of floats, snprintf's return value and truncation, and the
 * reverse direction through strtol/strtoull/strtod/sscanf. The values are computed in the
 * program, so that the -mapxf build's own code produces what libc formats.
 * LINK: -lm */
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static volatile int seed = 7; /* not a constant, so that nothing is folded at compile time */

static void integers(void)
{
	int vi[] = {0, 1, -1, 42, -42, 255, 256, 65535, -65536, INT_MAX, INT_MIN};
	for (size_t i = 0; i < sizeof vi / sizeof vi[0]; i++) {
		int v = vi[i] * (seed - 6);
		printf("[%d] [%i] [%5d] [%-5d|] [%+d] [% d] [%05d] [%.3d] [%8.4d] [%x] [%X] [%#x] [%o] "
		       "[%#o] [%u]\n",
		       v, v, v, v, v, v, v, v, v, (unsigned)v, (unsigned)v, (unsigned)v, (unsigned)v,
		       (unsigned)v, (unsigned)v);
	}
	long long vl[] = {0, LLONG_MAX, LLONG_MIN, -1234567890123LL, 1LL << 40};
	for (size_t i = 0; i < sizeof vl / sizeof vl[0]; i++) {
		long long v = vl[i] * (seed - 6);
		printf("[%lld] [%llx] [%llo] [%llu] [%+20lld] [%-22lld|] [%#llX]\n", v,
		       (unsigned long long)v, (unsigned long long)v, (unsigned long long)v, v, v,
		       (unsigned long long)v);
	}
	printf("[%hhd] [%hhu] [%hd] [%hu] [%ld] [%lu] [%zu] [%zd] [%td] [%jd] [%ju]\n",
	       (signed char)(200 + seed), (unsigned char)(300 + seed), (short)(70000 + seed),
	       (unsigned short)(-seed), LONG_MIN + seed, ULONG_MAX - seed, (size_t)seed * 1000000007u,
	       (ssize_t)-seed, (ptrdiff_t)(seed - 100), INTMAX_MIN + seed, UINTMAX_MAX - seed);
	printf("[%" PRId8 "] [%" PRIu16 "] [%" PRIx32 "] [%" PRId64 "] [%" PRIX64 "]\n",
	       (int8_t)-seed, (uint16_t)(seed * 9000), (uint32_t)seed * 0x12345u,
	       (int64_t)seed * -1000000000000LL, (uint64_t)seed << 60);
	printf("[%*d] [%-*d|] [%.*d] [%*.*x]\n", seed, 12, seed + 2, -3, seed - 3, 5, 10, 6, 0xabcu);
	printf("[%c%c%c] [%5c] [%-3c|] [%%] [%s] [%.3s] [%8s] [%-8s|] [%p]\n", 'a' + seed,
	       'A' + seed, '0' + seed, 'z', 'y', "string", "string", "str", "str", (void *)0);
	/* Sums of formatted lengths over many values. */
	char buf[128];
	unsigned long total = 0, digits = 0;
	for (long v = -100000; v <= 100000; v += 37 + seed) {
		int n = snprintf(buf, sizeof buf, "%ld:%lx:%lo", v * v * v, (unsigned long)v,
				 (unsigned long)(v * 3));
		total += (unsigned)n;
		for (int k = 0; k < n; k++)
			digits += buf[k] >= '0' && buf[k] <= '9';
	}
	printf("formatted %lu characters, %lu digits\n", total, digits);
}

static void doubles(void)
{
	double s = seed - 6; /* 1.0 */
	double v[] = {0.0,
		      -0.0,
		      1.0,
		      -1.5,
		      0.1,
		      1.0 / 3.0,
		      2.0 / 3.0,
		      0.5,
		      1.5,
		      2.5,
		      -2.5,
		      0.125,
		      1e15 + 0.3,
		      123456789.987654321,
		      1e-5,
		      6.02214076e23,
		      1.602176634e-19,
		      DBL_MAX,
		      DBL_MIN,
		      DBL_MIN / 4.0,
		      4.9406564584124654e-324,
		      DBL_EPSILON,
		      M_PI,
		      -M_E,
		      HUGE_VAL,
		      -HUGE_VAL,
		      NAN,
		      -NAN};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		double d = v[i] * s;
		printf("[%f] [%.0f] [%.3f] [%12.4f] [%-12.2f|] [%+.1f] [%e] [%.2E] [%g] [%G] [%.10g] "
		       "[%#.3g] [%a] [%.17g]\n",
		       d, d, d, d, d, d, d, d, d, d, d, d, d, d);
	}
	/* Halfway and carry cases of rounding to a given precision. */
	for (int i = 0; i < 20; i++) {
		double d = (i * 2 + 1) * 0.5 * s, e = 0.0005 + i * 0.001 * s;
		printf("%.0f %.2f %.3e %.1g|", d, e, e * 1000, d * 10);
	}
	printf("\n[%.50f]\n[%.30e]\n[%5.0f] [%08.2f] [% .3f] [%-+9.1e|]\n", 0.1 * s, 1.0 / 7.0 * s,
	       99.5 * s, -3.14159 * s, 2.0 * s, 12345.678 * s);
	/* Floats promote to double; their nearest decimal forms. */
	float f[] = {0.1f, 1.0f / 3.0f, FLT_MAX, FLT_MIN, 16777217.0f, -7.25f};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		float x = f[i] * (float)s;
		printf("[%f] [%e] [%g] [%.9g] [%a]\n", x, x, x, x, x);
	}
	/* Computed values: a series and a product, printed at full precision. */
	double sum = 0, prod = 1;
	for (int i = 1; i <= 1000; i++) {
		sum += 1.0 / ((double)i * i);
		prod *= 1.0 + 1.0 / (i * 1024.0);
	}
	printf("sum %.17g sqrt(6 sum) %.15f prod %.17e\n", sum, sqrt(6 * sum), prod);
	/* Round trip: %.17g then strtod gives the same bits. */
	unsigned ok = 0, n = 0;
	uint64_t x = 0x243f6a8885a308d3ull;
	char buf[64];
	for (int i = 0; i < 2000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		double d;
		uint64_t bits = x & ~(0x7ffull << 52); /* finite: an exponent below the maximum */
		bits |= (uint64_t)(x % 2046) << 52;
		memcpy(&d, &bits, sizeof d);
		snprintf(buf, sizeof buf, "%.17g", d);
		double back = strtod(buf, NULL);
		ok += memcmp(&back, &d, sizeof d) == 0;
		n++;
	}
	printf("round trip %u of %u\n", ok, n);
}

static void parsing(void)
{
	const char *ints[] = {"0", "-17", "+42", "0x1f", "0777", "2147483648", "-9223372036854775808",
			      "18446744073709551615", "99999999999999999999", "12abc", "  -0x7fz"};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		char *end;
		long a = strtol(ints[i], &end, 0);
		unsigned long long b = strtoull(ints[i], NULL, 10);
		printf("strtol(%s) = %ld rest '%s'; strtoull = %llu; atoi = %d\n", ints[i], a, end, b,
		       atoi(ints[i]));
	}
	const char *fl[] = {"3.25", "-0", "1e308", "1e309", "4.9e-324", "2e-324", "0x1.8p3", "inf",
			    "-Infinity", "nan", ".5e1x", "1.7976931348623157e308"};
	for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++) {
		char *end;
		double d = strtod(fl[i], &end);
		printf("strtod(%s) = %.17g %a rest '%s'\n", fl[i], d, d, end);
	}
	int a, b;
	unsigned c;
	double d;
	char word[16];
	int n = sscanf("  -12 +0x3f 077 2.5e3 word!", "%d %i %o %lf %15[a-z]", &a, &b, &c, &d, word);
	printf("sscanf: %d fields: %d %d %u %g %s\n", n, a, b, c, d, word);
	long long ll;
	n = sscanf("9223372036854775807:17", "%lld:%x", &ll, &c);
	printf("sscanf: %d fields: %lld %u\n", n, ll, c);
}

static void truncation(void)
{
	char small[8];
	int n = snprintf(small, sizeof small, "%d-%s", 123456, "abcdef");
	printf("snprintf returned %d, kept '%s' (%zu)\n", n, small, strlen(small));
	n = snprintf(NULL, 0, "%.100f", 1.0 / 3.0);
	printf("snprintf(NULL, 0) = %d\n", n);
	char big[400];
	n = snprintf(big, sizeof big, "%.300e", 1e-300);
	printf("%d %.20s...%s\n", n, big, big + n - 8);
}

int main(void)
{
	integers();
	doubles();
	parsing();
	truncation();
	fflush(stdout);
	fprintf(stderr, "to stderr: %d %.3f %s\n", -seed, seed / 3.0, "done");
	return 0;
}
