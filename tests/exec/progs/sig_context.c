/* What a handler sees and what it may change: the frame geometry (RSP ≡ 8 mod 16 at entry,
 * uc_flags, CS/SS, the 64-byte aligned XSAVE image with FP_XSTATE_MAGIC1/2), the saved
 * registers and MXCSR, the FP state reset at entry and restored by rt_sigreturn, a handler
 * that repairs a faulting store through uc_mcontext, and signals sent with raise/kill:
 * si_code, si_pid, the mask during the handler (sa_mask and the signal itself), pending
 * signals delivered when unblocked, nested delivery, SIG_IGN. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <ucontext.h>
#include <unistd.h>

static volatile int frame_ok, flags_ok, cs_ok, fp_align, magic1_ok, magic2_ok, mxcsr_saved_ok,
	mxcsr_reset, err_trap, rbx_seen;
static volatile int target;

static unsigned get_mxcsr(void)
{
	unsigned v;
	__asm__ volatile("stmxcsr %0" : "=m"(v));
	return v;
}

static void set_mxcsr(unsigned v)
{
	__asm__ volatile("ldmxcsr %0" : : "m"(v));
}

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig, (void)si;
	frame_ok = ((uintptr_t)uc - 8) % 16 == 8;
	flags_ok = (uc->uc_flags & 1) != 0;
	cs_ok = (uc->uc_mcontext.gregs[REG_CSGSFS] & 0xffff) == 0x33;
	const unsigned char *fp = (const unsigned char *)uc->uc_mcontext.fpregs;
	fp_align = (uintptr_t)fp % 64 == 0;
	uint32_t m1, xsize, m2;
	memcpy(&m1, fp + 464, 4);
	memcpy(&xsize, fp + 480, 4);
	memcpy(&m2, fp + xsize, 4);
	magic1_ok = m1 == 0x46505853;
	magic2_ok = m2 == 0x46505845;
	mxcsr_saved_ok = uc->uc_mcontext.fpregs->mxcsr == 0x9fc0;
	mxcsr_reset = get_mxcsr() == 0x1f80;
	err_trap = (int)uc->uc_mcontext.gregs[REG_TRAPNO] * 100 + (int)(uc->uc_mcontext.gregs[REG_ERR] & 7);
	rbx_seen = uc->uc_mcontext.gregs[REG_RBX] == 0x1234567;
	/* The store through %rax faulted: point %rax at target and let it run again. */
	uc->uc_mcontext.gregs[REG_RAX] = (greg_t)(uintptr_t)&target;
}

static volatile int usr_count, usr_code, usr_pid_ok, usr1_blocked, usr2_blocked, order[8], norder;

static void on_usr(int sig, siginfo_t *si, void *ucv)
{
	(void)ucv;
	order[norder++] = sig;
	usr_count++;
	usr_code = si->si_code;
	usr_pid_ok = si->si_pid == getpid();
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	if (sig == SIGUSR1) {
		usr1_blocked = sigismember(&cur, SIGUSR1);
		usr2_blocked = sigismember(&cur, SIGUSR2);
	}
}

static void on_usr1_nest(int sig, siginfo_t *si, void *ucv)
{
	on_usr(sig, si, ucv);
	raise(SIGUSR2); /* not blocked here: delivered at once, nested */
	order[norder++] = 100 + sig;
}

int main(int argc, char **argv)
{
	(void)argv;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	set_mxcsr(0x9fc0);
	uintptr_t p = (uintptr_t)(argc - 1);
	__asm__ volatile("mov $0x1234567, %%ebx\n\tmovl $42, (%%rax)"
			 : "+a"(p)
			 :
			 : "rbx", "memory");
	unsigned after = get_mxcsr();
	set_mxcsr(0x1f80);
	printf("segv repaired: target=%d rax_is_target=%d\n", target, p == (uintptr_t)&target);
	printf("frame: rsp8=%d uc_flags=%d cs=%d fp_align=%d magic1=%d magic2=%d\n", frame_ok,
	       flags_ok, cs_ok, fp_align, magic1_ok, magic2_ok);
	printf("state: mxcsr_saved=%d mxcsr_reset=%d mxcsr_restored=%d trapno*100+err=%d rbx=%d\n",
	       mxcsr_saved_ok, mxcsr_reset, after == 0x9fc0, err_trap, rbx_seen);

	sa.sa_sigaction = on_usr;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR1);
	printf("raise: count=%d code=%d pid_ok=%d usr1_blocked=%d usr2_blocked=%d\n", usr_count,
	       usr_code, usr_pid_ok, usr1_blocked, usr2_blocked);
	kill(getpid(), SIGUSR1);
	printf("kill: count=%d code=%d pid_ok=%d\n", usr_count, usr_code, usr_pid_ok);

	sigset_t both, pend;
	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGUSR2);
	sigprocmask(SIG_BLOCK, &both, NULL);
	norder = 0;
	raise(SIGUSR2);
	raise(SIGUSR1);
	raise(SIGUSR1);
	sigpending(&pend);
	printf("pending: usr1=%d usr2=%d count=%d\n", sigismember(&pend, SIGUSR1),
	       sigismember(&pend, SIGUSR2), usr_count);
	sigprocmask(SIG_UNBLOCK, &both, NULL);
	printf("unblocked: count=%d order=", usr_count);
	for (int i = 0; i < norder; i++)
		printf("%d ", order[i]);
	printf("\n");

	sa.sa_sigaction = on_usr1_nest;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	norder = 0;
	raise(SIGUSR1);
	printf("nested: order=");
	for (int i = 0; i < norder; i++)
		printf("%d ", order[i]);
	printf("\n");

	signal(SIGUSR2, SIG_IGN);
	raise(SIGUSR2);
	printf("ignored: count=%d\n", usr_count);
	signal(SIGUSR2, SIG_DFL);
	fflush(stdout);
	raise(SIGUSR2);
	printf("not reached\n");
	return 0;
}
