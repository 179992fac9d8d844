/* The classic signal API: signal() (its return value is the previous handler), raise(), a
 * handler that counts and returns, a handler that raises another signal (nested delivery),
 * SIG_IGN and SIG_DFL, sigaction with sa_handler and the flags glibc's signal() sets, a
 * signal raised while blocked and delivered when unblocked, a handler that writes with
 * write(2), and strsignal. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t usr1_count, usr2_count, order_pos;
static volatile int order[8];

static void on_usr1(int sig)
{
	usr1_count++;
	order[order_pos++ & 7] = sig;
}

static void on_usr2(int sig)
{
	usr2_count++;
	order[order_pos++ & 7] = sig;
	if (usr2_count == 1)
		raise(SIGUSR1); /* delivered inside this handler */
	order[order_pos++ & 7] = -sig;
}

static void on_term(int sig)
{
	static const char msg[] = "handler: SIGTERM caught\n";
	(void)sig;
	write(1, msg, sizeof msg - 1);
}

int main(void)
{
	void (*prev)(int) = signal(SIGUSR1, on_usr1);
	printf("first signal(): previous is SIG_DFL %d\n", prev == SIG_DFL);
	for (int i = 0; i < 5; i++)
		raise(SIGUSR1);
	printf("usr1 count %d\n", usr1_count);
	prev = signal(SIGUSR1, on_usr1);
	printf("second signal(): previous is on_usr1 %d\n", prev == on_usr1);

	struct sigaction sa;
	sigaction(SIGUSR1, NULL, &sa);
	printf("signal() installed: SA_RESTART %d SA_SIGINFO %d SA_RESETHAND %d\n",
	       !!(sa.sa_flags & SA_RESTART), !!(sa.sa_flags & SA_SIGINFO),
	       !!(sa.sa_flags & SA_RESETHAND));

	signal(SIGUSR2, on_usr2);
	order_pos = 0;
	raise(SIGUSR2);
	printf("nested: usr1 %d usr2 %d order", usr1_count, usr2_count);
	for (int i = 0; i < order_pos; i++)
		printf(" %d", order[i]);
	printf("\n");

	/* Blocked: raise() leaves it pending; unblocking delivers it. */
	sigset_t set, pending;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int before = usr1_count;
	raise(SIGUSR1);
	sigpending(&pending);
	printf("blocked: delivered %d pending %d\n", usr1_count - before, sigismember(&pending, SIGUSR1));
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	printf("unblocked: delivered %d\n", usr1_count - before);

	/* Ignored, then the default of a harmless signal. */
	signal(SIGUSR1, SIG_IGN);
	before = usr1_count;
	raise(SIGUSR1);
	printf("ignored: delivered %d\n", usr1_count - before);
	prev = signal(SIGCHLD, SIG_DFL);
	raise(SIGCHLD); /* default action: ignore */
	printf("SIGCHLD default: still running, previous was SIG_DFL %d\n", prev == SIG_DFL);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGTERM, &sa, NULL);
	fflush(stdout);
	kill(getpid(), SIGTERM);
	sigaction(SIGTERM, NULL, &sa);
	printf("after SA_RESETHAND: handler reset to SIG_DFL %d\n", sa.sa_handler == SIG_DFL);
	printf("names: %s / %s / %s\n", strsignal(SIGUSR1), strsignal(SIGSEGV), strsignal(SIGTERM));
	return 0;
}
