/* A program killed by SIGSEGV after some output: the status must be 128+11 and the output
 * written before the fault must be there. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	(void)argv;
	printf("before the fault\n");
	fflush(stdout);
	volatile int *p = (int *)(long)(argc - 1);
	*p = 42;
	write(1, "not reached\n", 12);
	return 0;
}
