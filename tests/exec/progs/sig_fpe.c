/* SIGFPE from integer division by zero and INT_MIN / -1, si_code FPE_INTDIV, si_addr the
 * faulting instruction (= the saved RIP); recovery with siglongjmp, then a handler that
 * resumes after fixing the divisor in the saved registers. */
#define _GNU_SOURCE
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf env;
static volatile int got_sig, got_code, addr_is_rip, count;

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	got_sig = sig;
	got_code = si->si_code;
	addr_is_rip = (uintptr_t)si->si_addr == (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	count++;
	siglongjmp(env, 1);
}

/* The divisor is in %rcx; the handler makes it 7 and lets the division run again. */
static void fix_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig, (void)si;
	uc->uc_mcontext.gregs[REG_RCX] = 7;
	count++;
}

int main(int argc, char **argv)
{
	(void)argv;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGFPE, &sa, NULL);
	volatile int zero = argc - 1, a = 100;
	for (int i = 0; i < 3; i++) {
		if (!sigsetjmp(env, 1))
			printf("not reached %d\n", a / zero);
		printf("div0 #%d: sig=%d code=%d addr_is_rip=%d\n", i, got_sig, got_code,
		       addr_is_rip);
	}
	volatile int mn = INT_MIN, m1 = -argc;
	if (!sigsetjmp(env, 1))
		printf("not reached %d\n", mn / m1);
	printf("overflow: sig=%d code=%d count=%d\n", got_sig, got_code, count);

	sa.sa_sigaction = fix_handler;
	sigaction(SIGFPE, &sa, NULL);
	uint64_t q, num = 700, den = (uint64_t)(argc - 1);
	__asm__ volatile("xor %%edx, %%edx\n\tdiv %%rcx" : "=a"(q), "+c"(den) : "a"(num) : "rdx");
	printf("resumed: q=%llu den=%llu count=%d\n", (unsigned long long)q,
	       (unsigned long long)den, count);
	return 0;
}
