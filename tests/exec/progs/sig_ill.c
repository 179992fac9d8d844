/* SIGILL from ud2 (si_code ILL_ILLOPN, si_addr = RIP) with a handler that skips the
 * instruction by advancing the saved RIP; SIGTRAP from int3 (the saved RIP is already
 * past it); SA_RESETHAND; SA_NODEFER. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static volatile int ill_count, ill_code, ill_addr_ok, trap_count, trap_code, nodefer_blocked;

static void on_ill(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig;
	ill_count++;
	ill_code = si->si_code;
	ill_addr_ok = (uintptr_t)si->si_addr == (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	const unsigned char *ip = (const unsigned char *)uc->uc_mcontext.gregs[REG_RIP];
	if (ip[0] == 0x0f && ip[1] == 0x0b)
		uc->uc_mcontext.gregs[REG_RIP] += 2;
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	nodefer_blocked = sigismember(&cur, SIGILL);
}

static void on_trap(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig;
	trap_count++;
	trap_code = si->si_code;
	const unsigned char *ip = (const unsigned char *)uc->uc_mcontext.gregs[REG_RIP];
	if (ip[-1] != 0xcc)
		trap_count += 100;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_ill;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGILL, &sa, NULL);
	for (int i = 0; i < 3; i++)
		__asm__ volatile("ud2");
	printf("ud2 x3: count=%d code=%d addr_ok=%d blocked_in_handler=%d\n", ill_count, ill_code,
	       ill_addr_ok, nodefer_blocked);
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGILL, &sa, NULL);
	__asm__ volatile("ud2");
	printf("nodefer: count=%d blocked_in_handler=%d\n", ill_count, nodefer_blocked);

	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigaction(SIGTRAP, &sa, NULL);
	__asm__ volatile("int3");
	struct sigaction now;
	sigaction(SIGTRAP, NULL, &now);
	printf("int3: count=%d code=%d reset_to_default=%d\n", trap_count, trap_code,
	       now.sa_handler == SIG_DFL);
	fflush(stdout);
	__asm__ volatile("int3"); /* default action now: the program ends with SIGTRAP */
	printf("not reached\n");
	return 0;
}
