/* long double printing and arithmetic (x87), libm, and SSE/SSE4.1 floating point. */
/* LINK: -lm */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static volatile long double vld = 1.0L / 3.0L;

int main(void)
{
	long double x = vld, acc = 0;
	for (int i = 1; i <= 40; i++) {
		acc += x * i / (i + 1.5L);
		x = x * 1.0001L - 1.0L / (i * 7.0L);
	}
	printf("%Lf %.20Lg %La %Le\n", acc, acc, acc, x);
	printf("%.30Lf\n", 3.14159265358979323846264338327950288L);
	long double big = 1e4000L, tiny = 1e-4000L;
	printf("%Lg %Lg %.5Lf\n", big, tiny, big * tiny);
	printf("%Lf %Lf %Lf\n", sqrtl(2.0L), fabsl(-vld), floorl(-2.5L));
	printf("%.18Lg %.18Lg %.18Lg\n", sinl(0.5L), expl(1.0L), logl(10.0L));
	printf("%.18Lg %.18Lg %.18Lg\n", fmodl(10.0L, 3.3L), powl(2.0L, 0.5L), atan2l(1.0L, 2.0L));
	long double parsed = strtold("12345.678901234567890123", NULL);
	printf("%.25Lg %lld\n", parsed, (long long)llrintl(parsed));
	double d = 0;
	for (int i = 1; i < 200; i++)
		d += sin(i * 0.1) * exp(-i * 0.01) + log1p(i) / sqrt(i) + pow(1.01, i) + cbrt(i) +
		     atan(i) + tanh(i * 0.05) + floor(i * 0.37) + ceil(i * 0.37) + round(i * 0.5) +
		     fmod(i, 7.5) + hypot(i, 3);
	printf("%.17g %.17g\n", d, nearbyint(d));
	float f = 0;
	for (int i = 1; i < 100; i++)
		f += sinf(i * 0.3f) * cosf(i * 0.2f) + expf(-i * 0.05f) + logf(i) + floorf(i * 0.3f);
	printf("%.9g %a\n", f, f);
	printf("%.17g %.17g %.17g\n", strtod("2.718281828459045", NULL), atof("1e-310"),
	       (double)(long double)0.1);
	return 0;
}
