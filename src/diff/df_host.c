/* The host CPU as an oracle: a forked child runs instructions natively.
 *
 * The child maps the code and sandbox regions at the addresses the emulators use (so that
 * RIP-relative operands and pointers mean the same), and serves one request at a time
 * through a shared page and two pipes. One request:
 *   1. the instruction bytes are written at their address and a UD2 at every terminator
 *      (the next instruction, a branch target); the rest of the code region is INT3;
 *   2. raise(SIGUSR1): the handler, on the alternate stack, overwrites the interrupted
 *      context with the test state (GPRs, RIP, RFLAGS, XMM, MXCSR) and returns, so that
 *      sigreturn loads all of it at once and jumps to the instruction;
 *   3. the UD2 (or the instruction's own fault) raises a signal whose handler copies the
 *      context back, with the vector from the kernel's trap number, and siglongjmps out.
 * The parent waits at most a few seconds; a child that hangs or dies is replaced.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "apxemu/decoder.h"
#include "df.h"

typedef struct df_shm {
	df_state pre;
	df_outcome out;
	uint64_t addr, term[4];
	uint32_t len, nterm;
	uint8_t code[256];
} df_shm;

struct df_host {
	pid_t pid;
	int to_child, from_child;
	df_shm *shm;
};

/* --- the child --------------------------------------------------------------------------- */

static df_shm *c_shm;
static sigjmp_buf c_jb;
static uint8_t *c_code;

#ifndef FP_XSTATE_MAGIC1
#define FP_XSTATE_MAGIC1 0x46505853u
#endif

static const int greg_of[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
				REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
				REG_R12, REG_R13, REG_R14, REG_R15};

static void on_load(int sig, siginfo_t *si, void *ctx)
{
	(void)sig, (void)si;
	ucontext_t *uc = ctx;
	const df_state *p = &c_shm->pre;
	greg_t *g = uc->uc_mcontext.gregs;
	for (unsigned i = 0; i < 16; i++)
		g[greg_of[i]] = (greg_t)p->gpr[i];
	g[REG_RIP] = (greg_t)c_shm->addr;
	g[REG_EFL] = (greg_t)((p->rflags & DF_FLAGS_CMP) | 0x202);
	struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
	fp->mxcsr = p->mxcsr;
	for (unsigned i = 0; i < 16; i++)
		memcpy(&fp->_xmm[i], p->xmm[i], 16);
	/* With an XSAVE frame, XSTATE_BV[1] must be set or sigreturn loads XMM's init state. */
	uint32_t magic;
	memcpy(&magic, (uint8_t *)fp + 464, 4);
	if (magic == FP_XSTATE_MAGIC1) {
		uint64_t bv;
		memcpy(&bv, (uint8_t *)fp + 512, 8);
		bv |= 2;
		memcpy((uint8_t *)fp + 512, &bv, 8);
	}
}

static void on_end(int sig, siginfo_t *si, void *ctx)
{
	(void)si;
	ucontext_t *uc = ctx;
	df_outcome *o = &c_shm->out;
	greg_t *g = uc->uc_mcontext.gregs;
	for (unsigned i = 0; i < 16; i++)
		o->st.gpr[i] = (uint64_t)g[greg_of[i]];
	o->st.rip = (uint64_t)g[REG_RIP];
	o->st.rflags = (uint64_t)g[REG_EFL];
	struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
	o->st.mxcsr = fp->mxcsr;
	for (unsigned i = 0; i < 16; i++)
		memcpy(o->st.xmm[i], &fp->_xmm[i], 16);
	o->vector = (int)g[REG_TRAPNO];
	if (sig == SIGILL)
		for (unsigned i = 0; i < c_shm->nterm; i++)
			if (o->st.rip == c_shm->term[i])
				o->vector = -1;
	siglongjmp(c_jb, 1);
}

static void child_run(void)
{
	df_shm *s = c_shm;
	uint64_t off = s->addr - DF_CODE_BASE;
	memcpy(c_code + off, s->code, s->len);
	for (unsigned i = 0; i < s->nterm; i++) {
		uint64_t t = s->term[i] - DF_CODE_BASE;
		c_code[t] = 0x0f;
		c_code[t + 1] = 0x0b;
	}
	memcpy((void *)(uintptr_t)DF_DATA_BASE, s->pre.mem, DF_DATA_SIZE);
	s->out.vector = -2;
	if (!sigsetjmp(c_jb, 1))
		raise(SIGUSR1);
	uint32_t mx = 0x1f80;
	__asm__ volatile("ldmxcsr %0" : : "m"(mx));
	memcpy(s->out.st.mem, (void *)(uintptr_t)DF_DATA_BASE, DF_DATA_SIZE);
	memset(c_code + off, 0xcc, s->len);
	for (unsigned i = 0; i < s->nterm; i++)
		memset(c_code + (s->term[i] - DF_CODE_BASE), 0xcc, 2);
	s->out.ran = s->out.vector != -2;
}

static _Noreturn void child_main(df_host *h, int in, int out)
{
	c_shm = h->shm;
	/* The code region is read+execute as in the emulators; the child writes it through a
	 * second, writable mapping of the same memory. */
	size_t csize = DF_CODE_SIZE + 4096;
	int fd = memfd_create("apxemu-diff-code", 0);
	if (fd < 0 || ftruncate(fd, (off_t)csize))
		_exit(3);
	void *x = mmap((void *)(uintptr_t)DF_CODE_BASE, csize, PROT_READ | PROT_EXEC,
		       MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	c_code = mmap(NULL, csize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	void *data = mmap((void *)(uintptr_t)DF_DATA_BASE, DF_DATA_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (x != (void *)(uintptr_t)DF_CODE_BASE || c_code == MAP_FAILED ||
	    data != (void *)(uintptr_t)DF_DATA_BASE)
		_exit(3);
	memset(c_code, 0xcc, DF_CODE_SIZE + 16);
	static uint8_t altstack[1 << 16];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
	sigaltstack(&ss, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = on_load;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_sigaction = on_end;
	const int sigs[] = {SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGTRAP};
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	char c;
	while (read(in, &c, 1) == 1) {
		child_run();
		if (write(out, &c, 1) != 1)
			break;
	}
	_exit(0);
}

/* --- the parent ---------------------------------------------------------------------------- */

static int spawn(df_host *h)
{
	int a[2], b[2];
	if (pipe(a) || pipe(b))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(a[1]);
		close(b[0]);
		child_main(h, a[0], b[1]);
	}
	close(a[0]);
	close(b[1]);
	h->pid = pid;
	h->to_child = a[1];
	h->from_child = b[0];
	return 0;
}

static void reap(df_host *h)
{
	if (h->pid <= 0)
		return;
	close(h->to_child);
	close(h->from_child);
	kill(h->pid, SIGKILL);
	waitpid(h->pid, NULL, 0);
	h->pid = 0;
}

df_host *df_host_new(char *err, size_t errlen)
{
	df_host *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->shm = mmap(NULL, sizeof(df_shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	if (h->shm == MAP_FAILED) {
		free(h);
		snprintf(err, errlen, "host: mmap: %s", strerror(errno));
		return NULL;
	}
	signal(SIGPIPE, SIG_IGN);
	if (spawn(h)) {
		snprintf(err, errlen, "host: fork: %s", strerror(errno));
		munmap(h->shm, sizeof(df_shm));
		free(h);
		return NULL;
	}
	/* A first empty request tells whether the child could map its regions. */
	df_state *st = calloc(1, sizeof *st);
	df_outcome *o = calloc(1, sizeof *o);
	uint8_t nop = 0x90;
	uint64_t t = DF_CODE_BASE + 1;
	st->rip = DF_CODE_BASE;
	st->mxcsr = 0x1f80;
	st->gpr[4] = DF_STACK;
	if (st && o)
		df_host_run(h, st, &nop, 1, DF_CODE_BASE, &t, 1, o);
	bool ok = st && o && o->ran && o->vector == -1;
	free(st);
	free(o);
	if (!ok) {
		snprintf(err, errlen, "host: the native harness does not start (regions at %#llx "
				      "and %#llx taken?)",
			 (unsigned long long)DF_CODE_BASE, (unsigned long long)DF_DATA_BASE);
		df_host_free(h);
		return NULL;
	}
	return h;
}

void df_host_free(df_host *h)
{
	if (!h)
		return;
	reap(h);
	munmap(h->shm, sizeof(df_shm));
	free(h);
}

void df_host_run(df_host *h, const df_state *pre, const uint8_t *code, size_t len,
		 uint64_t addr, const uint64_t *term, unsigned nterm, df_outcome *out)
{
	out->ran = false;
	out->unsupported = false;
	if (len > sizeof h->shm->code || nterm > 4 || addr < DF_CODE_BASE ||
	    addr + len > DF_CODE_BASE + DF_CODE_SIZE)
		return;
	for (unsigned i = 0; i < nterm; i++)
		if (term[i] < DF_CODE_BASE || term[i] + 2 > DF_CODE_BASE + DF_CODE_SIZE + 16)
			return;
	/* sigreturn cannot load a non-canonical RSP */
	uint64_t sp = pre->gpr[4];
	if ((uint64_t)((int64_t)(sp << 16) >> 16) != sp)
		return;
	if (h->pid <= 0 && spawn(h))
		return;
	df_shm *s = h->shm;
	s->pre = *pre;
	s->addr = addr;
	s->len = (uint32_t)len;
	memcpy(s->code, code, len);
	memcpy(s->term, term, nterm * sizeof term[0]);
	s->nterm = nterm;
	s->out.ran = false;
	char c = 'r';
	struct pollfd pf = {.fd = h->from_child, .events = POLLIN};
	if (write(h->to_child, &c, 1) != 1 || poll(&pf, 1, 5000) != 1 ||
	    read(h->from_child, &c, 1) != 1) {
		reap(h);
		return;
	}
	if (s->out.ran) {
		*out = s->out;
		memset(out->st.gpr + 16, 0, sizeof out->st.gpr[0] * 16);
	}
}

/* CPUID of the host for the features the generator draws from. */
bool df_host_has_feature(unsigned feature)
{
	unsigned a, b, c, d, b7 = 0, c7 = 0, d7 = 0, c81 = 0;
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return false;
	if (__get_cpuid_max(0, NULL) >= 7)
		__cpuid_count(7, 0, a, b7, c7, d7);
	unsigned a8, b8, d8;
	if (__get_cpuid(0x80000001, &a8, &b8, &c81, &d8) == 0)
		c81 = 0;
	(void)c7, (void)d7;
	switch (feature) {
	case AE_FEAT_BASE: return true;
	case AE_FEAT_CMOV: return d >> 15 & 1;
	case AE_FEAT_CX8: return d >> 8 & 1;
	case AE_FEAT_CX16: return c >> 13 & 1;
	case AE_FEAT_MMX: return d >> 23 & 1;
	case AE_FEAT_SSE: return d >> 25 & 1;
	case AE_FEAT_SSE2: return d >> 26 & 1;
	case AE_FEAT_FXSR: return d >> 24 & 1;
	case AE_FEAT_SSE3: return c & 1;
	case AE_FEAT_SSSE3: return c >> 9 & 1;
	case AE_FEAT_SSE41: return c >> 19 & 1;
	case AE_FEAT_SSE42: return c >> 20 & 1;
	case AE_FEAT_MOVBE: return c >> 22 & 1;
	case AE_FEAT_POPCNT: return c >> 23 & 1;
	case AE_FEAT_AES: return c >> 25 & 1;
	case AE_FEAT_PCLMUL: return c >> 1 & 1;
	case AE_FEAT_LZCNT: return c81 >> 5 & 1;
	case AE_FEAT_SSE4A: return c81 >> 6 & 1;
	case AE_FEAT_BMI1: return b7 >> 3 & 1;
	case AE_FEAT_BMI2: return b7 >> 8 & 1;
	case AE_FEAT_ADX: return b7 >> 19 & 1;
	default: return false;
	}
}
