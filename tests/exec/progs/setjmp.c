/* setjmp/longjmp without signals: a jump out of several frames (the callee-saved registers
 * and volatile locals as C defines them), longjmp(env, 0) returning 1, nested and re-armed
 * buffers, a jump out of a qsort comparator (through the C library's frames), ten thousand
 * jumps in a loop (the stack must not grow), _setjmp, and sigsetjmp/siglongjmp with and
 * without the signal mask. glibc mangles the saved RSP, RBP and RIP with the pointer guard
 * in the TCB (%fs:0x30), so this also exercises the thread pointer. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static jmp_buf env, inner;
static int depth_reached;

__attribute__((noinline)) static void dive(int depth, int code)
{
	volatile char pad[64]; /* each frame uses stack */
	pad[0] = (char)depth;
	depth_reached = depth + pad[0] - depth;
	if (depth == 0)
		longjmp(env, code);
	dive(depth - 1, code);
	pad[1] = 0; /* not reached */
}

static void basics(void)
{
	volatile int counter = 0;
	volatile long acc = 1;
	int r = setjmp(env);
	counter++;
	acc = acc * 3 + r;
	if (r == 0)
		dive(50, 7);
	else if (r == 7)
		dive(3, 0); /* longjmp(env, 0): setjmp returns 1 */
	printf("setjmp returned %d; counter %d acc %ld depth %d\n", r, counter, acc, depth_reached);
}

__attribute__((noinline)) static long compute(long n)
{
	/* Many live values, so that callee-saved registers hold some of them. */
	long a = n, b = n * 3, c = n ^ 0x55, d = n + 11, e = n * n, f = n - 9, g = n << 3;
	for (int i = 0; i < 10; i++)
		a += b, b ^= c, c += d, d ^= e, e += f, f ^= g, g += a;
	if (n == 13)
		longjmp(inner, (int)(a & 0xff) | 1);
	return a ^ b ^ c ^ d ^ e ^ f ^ g;
}

static void registers(void)
{
	long keep1 = 1000003, keep2 = 77, keep3 = -5;
	long total = 0;
	for (long n = 0; n < 20; n++) {
		int r = setjmp(inner);
		if (r == 0)
			total += compute(n);
		else
			total += 1000000L * r;
		keep1 += n, keep2 ^= n, keep3 -= n;
	}
	printf("registers: total %ld keep %ld %ld %ld\n", total, keep1, keep2, keep3);
}

static jmp_buf escape;
static int compares;

static int cmp_escape(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	if (++compares == 500)
		longjmp(escape, 42);
	return (x > y) - (x < y);
}

static void out_of_qsort(void)
{
	static int v[2000];
	for (int i = 0; i < 2000; i++)
		v[i] = (i * 7919) % 2003;
	int r = setjmp(escape);
	if (r == 0) {
		qsort(v, 2000, sizeof v[0], cmp_escape);
		printf("qsort finished\n");
	} else {
		printf("left qsort with %d after %d comparisons\n", r, compares);
	}
}

static void loop(void)
{
	jmp_buf b;
	volatile unsigned n = 0;
	volatile uintptr_t first_sp = 0, sp_changed = 0;
	if (setjmp(b) < 10000) {
		volatile char here;
		uintptr_t sp = (uintptr_t)&here;
		if (!first_sp)
			first_sp = sp;
		else if (sp != first_sp)
			sp_changed = 1;
		n++;
		longjmp(b, (int)n);
	}
	printf("%u jumps, stack pointer stable %d\n", n, !sp_changed);
}

static int blocked(int sig)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, sig);
}

static void masks(void)
{
	sigjmp_buf sj;
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);

	if (sigsetjmp(sj, 1) == 0) {
		sigprocmask(SIG_BLOCK, &usr1, NULL);
		printf("sigsetjmp(1): blocked before the jump %d\n", blocked(SIGUSR1));
		siglongjmp(sj, 1);
	}
	printf("sigsetjmp(1): blocked after the jump %d\n", blocked(SIGUSR1));

	if (sigsetjmp(sj, 0) == 0) {
		sigprocmask(SIG_BLOCK, &usr1, NULL);
		siglongjmp(sj, 1);
	}
	printf("sigsetjmp(0): blocked after the jump %d\n", blocked(SIGUSR1));
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);

	jmp_buf b;
	volatile int k = 0;
	if (_setjmp(b) < 3) {
		k++;
		_longjmp(b, k);
	}
	printf("_setjmp/_longjmp: %d\n", k);
}

int main(void)
{
	basics();
	registers();
	out_of_qsort();
	loop();
	masks();
	return 0;
}
