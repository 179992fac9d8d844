/* abort(): raise(SIGABRT) ends the program with status 128+6, after its output. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static unsigned long work(unsigned long n)
{
	unsigned long a = 1, b = 1, c = 7, d = 3;
	for (unsigned long i = 0; i < n; i++) {
		a = a * 6364136223846793005ul + b;
		b ^= a >> 17;
		c += (a & 0xff) < 3 ? d : b >> 60;
		d = d * 3 + (c & 1);
	}
	return a ^ b ^ c ^ d;
}

int main(void)
{
	printf("about to abort: %lx\n", work(1000));
	fflush(stdout);
	abort();
}
