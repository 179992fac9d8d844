/* SIGSEGV handlers with siglongjmp recovery: a read of an unmapped address (SEGV_MAPERR), a
 * write to a read-only page (SEGV_ACCERR), the handler on an alternate stack
 * (SA_ONSTACK), and the signal mask restored by siglongjmp. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile int got_sig, got_code, addr_ok, on_alt, blocked_in_handler;
static volatile uintptr_t want_addr;
static char altstack[65536];

static void handler(int sig, siginfo_t *si, void *ucv)
{
	(void)ucv;
	char local;
	got_sig = sig;
	got_code = si->si_code;
	addr_ok = (uintptr_t)si->si_addr == want_addr;
	on_alt = &local >= altstack && &local < altstack + sizeof altstack;
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	blocked_in_handler = sigismember(&cur, SIGSEGV);
	siglongjmp(env, 1);
}

static int blocked_now(int sig)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, sig);
}

static void report(const char *what)
{
	printf("%s: sig=%d code=%d addr_ok=%d on_alt=%d blocked_in_handler=%d blocked_after=%d\n",
	       what, got_sig, got_code, addr_ok, on_alt, blocked_in_handler, blocked_now(SIGSEGV));
	got_sig = got_code = addr_ok = on_alt = blocked_in_handler = 0;
}

int main(int argc, char **argv)
{
	(void)argv;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);

	volatile int *bad = (volatile int *)(uintptr_t)(0x10 * argc);
	want_addr = (uintptr_t)bad;
	if (!sigsetjmp(env, 1)) {
		int v = *bad;
		printf("not reached %d\n", v);
	}
	report("read unmapped");

	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	want_addr = (uintptr_t)(ro + 100);
	if (!sigsetjmp(env, 1)) {
		((volatile char *)ro)[100 * argc] = 1;
		printf("not reached\n");
	}
	report("write read-only");

	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
	if (sigaltstack(&ss, NULL))
		perror("sigaltstack");
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGSEGV, &sa, NULL);
	want_addr = (uintptr_t)bad;
	if (!sigsetjmp(env, 1)) {
		int v = *bad;
		printf("not reached %d\n", v);
	}
	report("on altstack");
	stack_t old;
	sigaltstack(NULL, &old);
	printf("altstack: same=%d flags=%d size=%zu\n", old.ss_sp == altstack, old.ss_flags,
	       old.ss_size);

	/* sigsetjmp without saving the mask: SIGSEGV stays blocked after the jump. */
	if (!sigsetjmp(env, 0)) {
		int v = *bad;
		printf("not reached %d\n", v);
	}
	report("no mask save");
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	/* A fault with SIGSEGV blocked ends the program even though a handler exists. */
	printf("last\n");
	fflush(stdout);
	sigset_t segv;
	sigemptyset(&segv);
	sigaddset(&segv, SIGSEGV);
	sigprocmask(SIG_BLOCK, &segv, NULL);
	munmap(ro, 4096);
	return *(volatile char *)ro;
}
