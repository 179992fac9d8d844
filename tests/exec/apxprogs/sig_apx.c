/* APX state in signal frames (spec/linux-user-abi.md 1.4-1.6): r16-r31 are saved in the
 * XSAVE image at +960 (component 19, XSTATE_BV[19] and sw_reserved.xfeatures[19] set), the
 * handler starts with r16-r31 = 0, and rt_sigreturn loads r16-r31 from the image, so a
 * handler that rewrites the saved r16 changes r16 of the interrupted code. Built with
 * clang-19 -mapxf only; prints "ok" lines and exits 0 when every check holds. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static volatile uint64_t saved_r16, saved_r31, entry_r16, entry_r31, xstate_bv, xfeatures;
static int failures;

static void check(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

static void on_ill(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig, (void)si;
	uint64_t r16, r31;
	__asm__ volatile("mov %%r16, %0\n\tmov %%r31, %1" : "=r"(r16), "=r"(r31));
	entry_r16 = r16, entry_r31 = r31;
	unsigned char *fp = (unsigned char *)uc->uc_mcontext.fpregs;
	uint64_t v;
	memcpy(&v, fp + 512, 8);
	xstate_bv = v;
	memcpy(&v, fp + 472, 8);
	xfeatures = v;
	memcpy(&v, fp + 960, 8);
	saved_r16 = v;
	memcpy(&v, fp + 960 + 15 * 8, 8);
	saved_r31 = v;
	v = 0x5151515151515151ull;
	memcpy(fp + 960, &v, 8);
	uc->uc_mcontext.gregs[REG_RIP] += 2; /* past ud2 */
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_ill;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGILL, &sa, NULL);
	uint64_t r16_after, r31_after;
	__asm__ volatile("movabs $0x1616161616161616, %%r16\n\t"
			 "movabs $0x3131313131313131, %%r31\n\t"
			 "ud2\n\t"
			 "mov %%r16, %0\n\t"
			 "mov %%r31, %1"
			 : "=r"(r16_after), "=r"(r31_after)
			 :
			 : "r16", "r31", "memory");
	check(saved_r16 == 0x1616161616161616ull, "r16 saved at fpstate+960");
	check(saved_r31 == 0x3131313131313131ull, "r31 saved at fpstate+1080");
	check((xstate_bv >> 19) & 1, "XSTATE_BV[19] set");
	check((xfeatures >> 19) & 1, "sw_reserved.xfeatures[19] set");
	check(entry_r16 == 0 && entry_r31 == 0, "r16-r31 are zero at handler entry");
	check(r16_after == 0x5151515151515151ull, "rt_sigreturn loads the modified r16");
	check(r31_after == 0x3131313131313131ull, "rt_sigreturn restores r31");
	return failures != 0;
}
