/* Signals that are not faults, seen through gdb: raise(SIGUSR1) with a handler, then
 * raise(SIGSEGV) with the default action. Also leaves a known pattern in ymm0 for `p $ymm0`.
 * Exit status: 4 when the SIGUSR1 handler ran, 5 when it did not (SIGSEGV discarded). */
#include <signal.h>
#include <stdio.h>

static volatile int got;
static const int pattern[8] = {1, 2, 3, 4, 5, 6, 7, 8};

static void on_usr1(int sig)
{
	got += sig;
}

__attribute__((noinline)) void vec_loaded(void)
{
	__asm__ volatile("" ::: "memory");
}

int main(void)
{
	__asm__ volatile("vmovdqu %0, %%ymm0" : : "m"(pattern) : "xmm0");
	vec_loaded();
	signal(SIGUSR1, on_usr1);
	raise(SIGUSR1);
	printf("usr1 handled: %d\n", got);
	fflush(stdout);
	raise(SIGSEGV);
	printf("SIGSEGV discarded\n");
	return got == SIGUSR1 ? 4 : 5;
}
