/* The host CPU as an oracle: a forked child runs instructions natively.
 *
 * The child maps the code and sandbox regions at the addresses the emulators use (so that
 * RIP-relative operands and pointers mean the same), sets its GS base to DF_GS_BASE (the C
 * library does not use GS; an FS operand runs as a GS one with the GS base set to the FS
 * base, since the child's FS is its thread pointer), and serves one request at a time through a shared page and two
 * pipes. The sandbox is a shared memory object that the parent maps too, so the parent reads
 * and writes the child's data region directly. One request:
 *   1. the instruction bytes are written at their address and a UD2 at every terminator
 *      (the next instruction, a branch target); the rest of the code region is INT3;
 *   2. an assembly trampoline loads the whole state and jumps to the instruction: XRSTOR of
 *      an XSAVE image (x87 with FCW/FSW/tags/registers, XMM and MXCSR, the upper YMM
 *      halves), the GPRs and RFLAGS from a block popped off a temporary stack, then RSP, and
 *      an indirect jump;
 *   3. the UD2 (or the instruction's own fault) raises a signal whose handler, on the
 *      alternate stack, copies the context back (the XSAVE image of the signal frame for the
 *      vector state, the vector from the kernel's trap number) and siglongjmps out.
 * The parent waits at most a few seconds; a child that hangs or dies is replaced.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <cpuid.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "apxemu/decoder.h"
#include "df.h"

/* The block the trampoline loads: an XSAVE image (standard format: legacy region, header at
 * 512, YMM_Hi128 at 576), then RAX..R15 (the RSP slot unused), RFLAGS, RSP. */
#define LB_XSAVE_SIZE 832
#define LB_GPR 896
typedef struct df_load {
	_Alignas(64) uint8_t xs[LB_GPR];
	uint64_t gpr[16];
	uint64_t rflags, rsp;
} df_load;

typedef struct df_shm {
	df_load load;
	uint64_t gs_base;
	df_outcome out; /* registers only: the memory is read from the shared sandbox */
	uint64_t addr, term[4];
	uint32_t len, nterm;
	uint8_t code[256];
} df_shm;

struct df_host {
	pid_t pid;
	int to_child, from_child;
	int data_fd;
	uint8_t *data; /* the parent's view of the sandbox */
	df_shm *shm;
};

/* --- the child --------------------------------------------------------------------------- */

static df_shm *c_shm;
static sigjmp_buf c_jb;
static uint8_t *c_code;
uint64_t df_host_c_rip; /* the trampoline jumps here */
static _Alignas(64) uint8_t c_init[LB_XSAVE_SIZE]; /* x87/SSE/AVX in the initial state */

#ifndef FP_XSTATE_MAGIC1
#define FP_XSTATE_MAGIC1 0x46505853u
#endif

void df_host_enter(df_load *l);
/* rdi = the load block. Never returns: the instruction ends in a signal. */
__asm__(".text\n"
	".globl df_host_enter\n"
	".type df_host_enter,@function\n"
	"df_host_enter:\n"
	"	mov %rdi, %rbx\n"
	"	mov $7, %eax\n"
	"	xor %edx, %edx\n"
	"	xrstor64 (%rbx)\n"
	"	lea 896(%rbx), %rsp\n"
	"	pop %rax\n"
	"	pop %rcx\n"
	"	pop %rdx\n"
	"	pop %rbx\n"
	"	lea 8(%rsp), %rsp\n"
	"	pop %rbp\n"
	"	pop %rsi\n"
	"	pop %rdi\n"
	"	pop %r8\n"
	"	pop %r9\n"
	"	pop %r10\n"
	"	pop %r11\n"
	"	pop %r12\n"
	"	pop %r13\n"
	"	pop %r14\n"
	"	pop %r15\n"
	"	popfq\n"
	"	mov (%rsp), %rsp\n"
	"	jmp *df_host_c_rip(%rip)\n"
	".size df_host_enter, .-df_host_enter\n");

static const int greg_of[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
				REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
				REG_R12, REG_R13, REG_R14, REG_R15};

static unsigned top_of(uint16_t fsw)
{
	return (fsw >> 11) & 7;
}

/* The XSAVE image of a state (also used by the parent). */
static void build_xsave(uint8_t *xs, const df_state *p)
{
	memset(xs, 0, LB_XSAVE_SIZE);
	memcpy(xs + 0, &p->fcw, 2);
	memcpy(xs + 2, &p->fsw, 2);
	xs[4] = p->ftw;
	memcpy(xs + 24, &p->mxcsr, 4);
	uint32_t mask = 0xffff;
	memcpy(xs + 28, &mask, 4);
	unsigned top = top_of(p->fsw);
	for (unsigned i = 0; i < 8; i++)
		memcpy(xs + 32 + 16 * i, p->st[(top + i) & 7], 10);
	for (unsigned i = 0; i < 16; i++) {
		memcpy(xs + 160 + 16 * i, p->xmm[i], 16);
		memcpy(xs + 576 + 16 * i, p->ymmh[i], 16);
	}
	uint64_t bv = 7;
	memcpy(xs + 512, &bv, 8);
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
	const uint8_t *fp = (const uint8_t *)uc->uc_mcontext.fpregs;
	uint64_t bv = 3;
	uint32_t magic;
	memcpy(&magic, fp + 464, 4);
	if (magic == FP_XSTATE_MAGIC1)
		memcpy(&bv, fp + 512, 8);
	df_state *st = &o->st;
	memcpy(&st->mxcsr, fp + 24, 4);
	if (bv & 1) {
		memcpy(&st->fcw, fp + 0, 2);
		memcpy(&st->fsw, fp + 2, 2);
		st->ftw = fp[4];
		unsigned top = top_of(st->fsw);
		for (unsigned i = 0; i < 8; i++)
			memcpy(st->st[(top + i) & 7], fp + 32 + 16 * i, 10);
	} else {
		st->fcw = 0x37f;
		st->fsw = 0;
		st->ftw = 0;
		memset(st->st, 0, sizeof st->st);
	}
	for (unsigned i = 0; i < 16; i++) {
		if (bv & 2)
			memcpy(st->xmm[i], fp + 160 + 16 * i, 16);
		else
			memset(st->xmm[i], 0, 16);
		if (bv & 4)
			memcpy(st->ymmh[i], fp + 576 + 16 * i, 16);
		else
			memset(st->ymmh[i], 0, 16);
	}
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
	s->out.vector = -2;
	df_host_c_rip = s->addr;
	static uint64_t gs = DF_GS_BASE;
	if (s->gs_base != gs && !syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)s->gs_base))
		gs = s->gs_base;
	if (!sigsetjmp(c_jb, 0))
		df_host_enter(&s->load);
	/* back to the initial x87/SSE/AVX state (MXCSR 0x1f80), DF clear */
	__asm__ volatile("cld\n\txrstor64 %0" : : "m"(c_init), "a"(7), "d"(0) : "memory");
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
			  MAP_SHARED | MAP_FIXED_NOREPLACE, h->data_fd, 0);
	if (x != (void *)(uintptr_t)DF_CODE_BASE || c_code == MAP_FAILED ||
	    data != (void *)(uintptr_t)DF_DATA_BASE)
		_exit(3);
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)DF_GS_BASE))
		_exit(3);
	memset(c_code, 0xcc, DF_CODE_SIZE + 16);
	df_state *init = calloc(1, sizeof *init);
	if (!init)
		_exit(3);
	init->fcw = 0x37f;
	init->mxcsr = 0x1f80;
	build_xsave(c_init, init);
	memset(c_init + 512, 0, 8); /* XSTATE_BV = 0: every component in its initial state */
	free(init);
	static uint8_t altstack[1 << 16];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
	sigaltstack(&ss, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	/* SA_NODEFER: the handler leaves with siglongjmp without restoring a mask */
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
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

static bool host_xsave_ok(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return false;
	/* OSXSAVE and AVX */
	return (c >> 27 & 1) && (c >> 28 & 1);
}

df_host *df_host_new(char *err, size_t errlen)
{
	if (!host_xsave_ok()) {
		snprintf(err, errlen, "host: the native harness needs XSAVE and AVX");
		return NULL;
	}
	df_host *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->shm = mmap(NULL, sizeof(df_shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	h->data_fd = memfd_create("apxemu-diff-data", 0);
	if (h->shm == MAP_FAILED || h->data_fd < 0 || ftruncate(h->data_fd, DF_DATA_SIZE)) {
		if (h->shm != MAP_FAILED)
			munmap(h->shm, sizeof(df_shm));
		if (h->data_fd >= 0)
			close(h->data_fd);
		free(h);
		snprintf(err, errlen, "host: shared memory: %s", strerror(errno));
		return NULL;
	}
	h->data = mmap(NULL, DF_DATA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, h->data_fd, 0);
	signal(SIGPIPE, SIG_IGN);
	if (h->data == MAP_FAILED || spawn(h)) {
		snprintf(err, errlen, "host: fork: %s", strerror(errno));
		if (h->data != MAP_FAILED)
			munmap(h->data, DF_DATA_SIZE);
		munmap(h->shm, sizeof(df_shm));
		close(h->data_fd);
		free(h);
		return NULL;
	}
	/* A first empty request tells whether the child could map its regions. */
	df_state *st = calloc(1, sizeof *st);
	df_outcome *o = calloc(1, sizeof *o);
	uint8_t nop = 0x90;
	uint64_t t = DF_CODE_BASE + 1;
	bool ok = false;
	if (st && o) {
		st->rip = DF_CODE_BASE;
		st->mxcsr = 0x1f80;
		st->fcw = 0x37f;
		st->gpr[4] = DF_STACK;
		df_host_run(h, st, &nop, 1, DF_CODE_BASE, &t, 1, o);
		ok = o->ran && o->vector == -1;
	}
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
	munmap(h->data, DF_DATA_SIZE);
	close(h->data_fd);
	free(h);
}

void df_host_run(df_host *h, const df_state *pre, const uint8_t *code, size_t len,
		 uint64_t addr, const uint64_t *term, unsigned nterm, df_outcome *out)
{
	df_host_run_gs(h, pre, code, len, addr, term, nterm, DF_GS_BASE, out);
}

void df_host_run_gs(df_host *h, const df_state *pre, const uint8_t *code, size_t len,
		    uint64_t addr, const uint64_t *term, unsigned nterm, uint64_t gs_base,
		    df_outcome *out)
{
	out->ran = false;
	out->unsupported = false;
	if (len > sizeof h->shm->code || nterm > 4 || addr < DF_CODE_BASE ||
	    addr + len > DF_CODE_BASE + DF_CODE_SIZE)
		return;
	for (unsigned i = 0; i < nterm; i++)
		if (term[i] < DF_CODE_BASE || term[i] + 2 > DF_CODE_BASE + DF_CODE_SIZE + 16)
			return;
	/* a non-canonical RSP cannot be loaded (nor a signal frame built) */
	uint64_t sp = pre->gpr[4];
	if ((uint64_t)((int64_t)(sp << 16) >> 16) != sp)
		return;
	if (h->pid <= 0 && spawn(h))
		return;
	df_shm *s = h->shm;
	build_xsave(s->load.xs, pre);
	for (unsigned i = 0; i < 16; i++)
		s->load.gpr[i] = pre->gpr[i];
	s->load.rflags = (pre->rflags & DF_FLAGS_CMP) | 0x202;
	s->load.rsp = sp;
	memcpy(h->data, pre->mem, DF_DATA_SIZE);
	s->addr = addr;
	s->gs_base = gs_base;
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
		out->ran = true;
		out->vector = s->out.vector;
		memcpy(&out->st, &s->out.st, offsetof(df_state, mem));
		memset(out->st.gpr + 16, 0, sizeof out->st.gpr[0] * 16);
		memcpy(out->st.mem, h->data, DF_DATA_SIZE);
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
	case AE_FEAT_X87: return d & 1;
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
	case AE_FEAT_AVX: return c >> 28 & 1;
	case AE_FEAT_AVX2: return b7 >> 5 & 1;
	case AE_FEAT_LZCNT: return c81 >> 5 & 1;
	case AE_FEAT_SSE4A: return c81 >> 6 & 1;
	case AE_FEAT_BMI1: return b7 >> 3 & 1;
	case AE_FEAT_BMI2: return b7 >> 8 & 1;
	case AE_FEAT_ADX: return b7 >> 19 & 1;
	default: return false;
	}
}
