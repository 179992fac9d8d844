/* Shared-library behaviour (meaningful in the dynamically linked build, harmless in the
 * static one): libm calls through the PLT (lazy binding), qsort with a callback, formatted
 * floating-point output, and dlopen/dlsym of libm at run time.
 * LINK: -lm -ldl */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	(void)argv;
	double v[16];
	for (int i = 0; i < 16; i++)
		v[i] = sqrt((double)(i * 37 % 17 + argc)) * (i % 3 ? 1.5 : -2.25);
	qsort(v, 16, sizeof v[0], cmp);
	for (int i = 0; i < 16; i++)
		printf("%.6f%c", v[i], i % 8 == 7 ? '\n' : ' ');
	printf("floor %.1f ceil %.1f fabs %.3f fmod %.4f\n", floor(v[3]), ceil(v[3]), fabs(v[0]),
	       fmod(v[15], 1.25));
	char buf[64];
	snprintf(buf, sizeof buf, "%08.3f|%-8d|%x|%s", v[7], (int)v[15] * 1000, 48879, "str");
	printf("%s len=%zu\n", buf, strlen(buf));
	void *h = dlopen("libm.so.6", RTLD_NOW);
	if (h) {
		double (*f)(double) = (double (*)(double))dlsym(h, "sqrt");
		printf("dlsym sqrt: %s %.6f\n", f ? "found" : "missing", f ? f(2.0) : 0.0);
		dlclose(h);
	} else {
		printf("dlopen: no libm\n");
	}
	return 0;
}
