/* Function calls that keep many values live across calls and recursion: with -mapxf the
 * compiler uses r16-r31, NDD, PUSH2/POP2 and friends. */
#include <stdio.h>

__attribute__((noinline)) static long leaf(long a, long b, long c, long d, long e, long f)
{
	return a * 3 + b * 5 - c * 7 + (d ^ e) - (f >> 2);
}

__attribute__((noinline)) static long many(long x)
{
	long a = x + 1, b = x * 3, c = x - 7, d = x ^ 0x55, e = x * x, f = x >> 1, g = x | 9;
	long h = x & 0xf0, i = ~x, j = x * 11, k = x - 100, l = x + 1000, m = x * 13, n = x ^ 77;
	long s = leaf(a, b, c, d, e, f);
	s += leaf(g, h, i, j, k, l);
	s += leaf(m, n, a, c, e, g);
	return s + a + b + c + d + e + f + g + h + i + j + k + l + m + n;
}

__attribute__((noinline)) static long fib(long n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) static unsigned long ack(unsigned long m, unsigned long n)
{
	if (!m)
		return n + 1;
	if (!n)
		return ack(m - 1, 1);
	return ack(m - 1, ack(m, n - 1));
}

struct big {
	long v[12];
};

__attribute__((noinline)) static struct big twist(struct big b, int k)
{
	for (int i = 0; i < 12; i++)
		b.v[i] = b.v[(i + k) % 12] * 2 + i;
	return b;
}

static int cmp_count;
__attribute__((noinline)) static int select_max(int a, int b, int c, int d)
{
	cmp_count++;
	int m = a > b ? a : b;
	m = m > c ? m : c;
	return m > d ? m : d;
}

int main(void)
{
	long t = 0;
	for (long x = -50; x < 50; x++)
		t += many(x);
	printf("many: %ld\n", t);
	printf("fib(24) = %ld\n", fib(24));
	printf("ack(2, 3) = %lu ack(3, 3) = %lu\n", ack(2, 3), ack(3, 3));
	struct big b;
	for (int i = 0; i < 12; i++)
		b.v[i] = i * i - 5;
	for (int k = 0; k < 5; k++)
		b = twist(b, k);
	for (int i = 0; i < 12; i++)
		printf("%ld%c", b.v[i], i == 11 ? '\n' : ' ');
	int mx = 0;
	for (int i = 0; i < 1000; i++)
		mx += select_max(i % 17, i % 23 - 5, (i * 7) % 31, 1000 - i);
	printf("select: %d (%d calls)\n", mx, cmp_count);
	return 0;
}
