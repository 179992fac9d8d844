/* Compound conditions and conditional updates: with -mapxf clang emits CCMP/CTEST chains,
 * NF and NDD forms, and SETcc/CMOVcc on the flags they leave. */
#include <stdio.h>

__attribute__((noinline)) static int in_box(int x, int y, int z)
{
	return (x > 0 && y < 100 && z != 7) || (x == -5 && (y & 4));
}

__attribute__((noinline)) static long pick(long a, long b, long c)
{
	long r = a;
	if (a > b && b > c)
		r = c;
	else if (a == b || (c & 3) == 0)
		r = b;
	return r;
}

__attribute__((noinline)) static unsigned classify(unsigned v)
{
	unsigned k = 0;
	if ((v & 1) && (v & 8))
		k |= 1;
	if (v > 10 && v < 50)
		k |= 2;
	if (v == 3 || v == 33 || v == 333)
		k |= 4;
	return k;
}

int main(void)
{
	int inside = 0;
	for (int x = -8; x < 8; x++)
		for (int y = 90; y < 110; y += 3)
			for (int z = 5; z < 9; z++)
				inside += in_box(x, y, z);
	long s = 0;
	for (long i = 0; i < 300; i++)
		s += pick(i % 13, i % 7, i % 5) * (i + 1);
	unsigned hist[8] = {0};
	for (unsigned v = 0; v < 400; v++)
		hist[classify(v)]++;
	printf("inside %d pick %ld\n", inside, s);
	for (int i = 0; i < 8; i++)
		printf("%u%c", hist[i], i == 7 ? '\n' : ' ');
	return 0;
}
