/* Signals of the guest process: dispositions, the blocked mask, sigaltstack, delivery on the
 * rt_sigframe Linux builds, and rt_sigreturn (spec/linux-user-abi.md 1;
 * arch/x86/kernel/signal*.c, fpu/signal.c, kernel/signal.c).
 *
 * Frame, from high to low addresses: the 128-byte red zone (skipped unless the handler runs
 * on a fresh alternate stack), the XSAVE image (standard format, 64-byte aligned,
 * CPUID.(0xD,0).EBX bytes with the software bytes at +464 and MAGIC2 after it), then
 * struct rt_sigframe (pretcode, ucontext, siginfo: 440 bytes) placed so that RSP ≡ 8 (mod
 * 16) at the handler's entry. The handler starts with the x87/SSE/AVX/APX state in its
 * initial configuration; rt_sigreturn restores it with XRSTOR of the frame's image, or
 * FXRSTOR alone when the software bytes are damaged, as Linux 6.16+ on an APX CPU does.
 *
 * Faults are forced signals: if the signal is blocked or ignored, the default action
 * (termination) applies. Signals sent with kill/tgkill wait in the pending set while blocked.
 * The stop signals act as ignored (a user-mode emulator has no job control of its own).
 *
 * A debugger attached to the CPU (cpu->hook, src/debug/) sees each signal that is not a fault
 * when it is about to be delivered, as ptrace shows it to gdb, and says which signal is
 * delivered instead (none: discarded); while gdb is attached, ignored signals are queued so
 * that it sees them too. Faults reach it from the run loop before lx_signal_fault(). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../exec/exec_internal.h"
#include "apxemu/debug.h"
#include "apxemu/xstate.h"
#include "lx_internal.h"

#define RET(v) ((uint64_t)(int64_t)(v))

enum {
	SIG_TRAP = 5, SIG_BUS = 7, SIG_FPE = 8, SIG_KILL = 9, SIG_SEGV = 11, SIG_ILL = 4,
	SIG_STOP = 19,
};
enum {
	SA_SIGINFO = 4, SA_ONSTACK = 0x08000000, SA_RESTORER = 0x04000000,
	SA_NODEFER = 0x40000000, SA_RESETHAND = 0x80000000u,
};
enum { SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = 1u << 31 };
enum {
	SI_USER = 0, SI_KERNEL = 0x80, ILL_ILLOPN = 2, FPE_INTDIV = 1, FPE_FLTINV = 7,
	SEGV_MAPERR = 1, SEGV_ACCERR = 2, BUS_ADRALN = 1,
};
#define SIG_DFL 0
#define SIG_IGN 1
#define BIT(sig) ((uint64_t)1 << ((sig) - 1))
#define UNBLOCKABLE (BIT(SIG_KILL) | BIT(SIG_STOP))

/* struct rt_sigframe, struct ucontext and struct sigcontext offsets (uapi headers). */
enum {
	FR_UC = 8, FR_INFO = 312, FR_SIZE = 440,
	UC_FLAGS = 0, UC_STACK = 16, UC_MCTX = 40, UC_SIGMASK = 296, UC_SIZE = 304,
	SC_RDI = 64, SC_RSI = 72, SC_RBP = 80, SC_RBX = 88, SC_RDX = 96, SC_RAX = 104,
	SC_RCX = 112, SC_RSP = 120, SC_RIP = 128, SC_EFLAGS = 136, SC_CS = 144, SC_SS = 150,
	SC_ERR = 152, SC_TRAPNO = 160, SC_OLDMASK = 168, SC_CR2 = 176, SC_FPSTATE = 184,
};
enum {
	FP_SW = 464, FP_XSTATE_MAGIC1 = 0x46505853, FP_XSTATE_MAGIC2 = 0x46505845,
	FIX_EFLAGS = 0x50DD5,
};

/* sigcontext slots r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp: GPR numbers. */
static const uint8_t sc_gpr[16] = {8, 9, 10, 11, 12, 13, 14, 15, 7, 6, 5, 3, 2, 0, 1, 4};

const char *lx_signal_name(int sig)
{
	static const char *const n[] = {
		"signal",  "SIGHUP",  "SIGINT",	 "SIGQUIT", "SIGILL",	 "SIGTRAP", "SIGABRT",
		"SIGBUS",  "SIGFPE",  "SIGKILL", "SIGUSR1", "SIGSEGV",	 "SIGUSR2", "SIGPIPE",
		"SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
		"SIGTTIN", "SIGTTOU", "SIGURG",	 "SIGXCPU", "SIGXFSZ",	 "SIGVTALRM", "SIGPROF",
		"SIGWINCH", "SIGIO",  "SIGPWR",	 "SIGSYS",
	};
	return sig > 0 && sig < (int)(sizeof n / sizeof n[0]) ? n[sig] : "signal";
}

/* The default action ignores SIGCHLD, SIGCONT, SIGURG, SIGWINCH (and here the stop
 * signals); every other signal terminates. */
static bool default_ignored(int sig)
{
	return sig == 17 || sig == 18 || sig == 23 || sig == 28 || (sig >= 19 && sig <= 22);
}

static bool ignored(const lx_proc *p, int sig)
{
	uint64_t h = p->act[sig].handler;
	return h == SIG_IGN || (h == SIG_DFL && default_ignored(sig));
}

static void terminate(lx_proc *p, int sig)
{
	p->exited = true;
	p->exit_code = 0;
	p->signal = sig;
}

/* --- sigaltstack ------------------------------------------------------------------------- */

static bool on_sig_stack(const lx_proc *p, uint64_t sp)
{
	if (p->ss_flags & SS_AUTODISARM)
		return false;
	return sp > p->ss_sp && sp - p->ss_sp <= p->ss_size;
}

static uint32_t sas_ss_flags(const lx_proc *p, uint64_t sp)
{
	if (!p->ss_size)
		return SS_DISABLE;
	return on_sig_stack(p, sp) ? SS_ONSTACK : 0;
}

static int set_altstack(lx_proc *p, uint64_t sp, uint32_t flags, uint64_t size)
{
	if (on_sig_stack(p, ae_cpu_get(p->cpu, 4)))
		return -EPERM;
	uint32_t mode = flags & ~SS_AUTODISARM;
	if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
		return -EINVAL;
	if (mode == SS_DISABLE) {
		p->ss_sp = p->ss_size = 0;
		p->ss_flags = SS_DISABLE;
		return 0;
	}
	if (size < 2048)
		return -ENOMEM;
	p->ss_sp = sp;
	p->ss_size = size;
	p->ss_flags = flags & SS_AUTODISARM;
	return 0;
}

uint64_t lx_sys_sigaltstack(lx_proc *p, uint64_t ss, uint64_t oss)
{
	uint8_t old[24] = {0};
	uint64_t sp = ae_cpu_get(p->cpu, 4);
	uint32_t of = sas_ss_flags(p, sp) | (p->ss_flags & SS_AUTODISARM);
	memcpy(old, &p->ss_sp, 8);
	memcpy(old + 8, &of, 4);
	memcpy(old + 16, &p->ss_size, 8);
	if (ss) {
		uint8_t nw[24];
		if (ae_mem_read(p->cpu, ss, nw, 24, AE_PROT_R))
			return RET(-EFAULT);
		uint64_t nsp, nsize;
		uint32_t nflags;
		memcpy(&nsp, nw, 8);
		memcpy(&nflags, nw + 8, 4);
		memcpy(&nsize, nw + 16, 8);
		int e = set_altstack(p, nsp, nflags, nsize);
		if (e)
			return RET(e);
	}
	if (oss && ae_mem_write(p->cpu, oss, old, 24, AE_PROT_W))
		return RET(-EFAULT);
	return 0;
}

/* --- masks and actions ------------------------------------------------------------------- */

uint64_t lx_sys_rt_sigaction(lx_proc *p, uint64_t sig, uint64_t act, uint64_t oact,
			     uint64_t size)
{
	if (size != 8 || sig < 1 || sig > 64)
		return RET(-EINVAL);
	if (act && (sig == SIG_KILL || sig == SIG_STOP))
		return RET(-EINVAL);
	lx_sigaction old = p->act[sig];
	if (act) {
		lx_sigaction a;
		if (ae_mem_read(p->cpu, act, &a, sizeof a, AE_PROT_R))
			return RET(-EFAULT);
		a.mask &= ~UNBLOCKABLE;
		p->act[sig] = a;
		if (ignored(p, (int)sig))
			p->pending &= ~BIT(sig);
	}
	if (oact && ae_mem_write(p->cpu, oact, &old, sizeof old, AE_PROT_W))
		return RET(-EFAULT);
	return 0;
}

uint64_t lx_sys_rt_sigprocmask(lx_proc *p, uint64_t how, uint64_t set, uint64_t oset,
			       uint64_t size)
{
	if (size != 8)
		return RET(-EINVAL);
	uint64_t old = p->blocked, m = 0;
	if (set) {
		if (how > 2)
			return RET(-EINVAL);
		if (ae_mem_read(p->cpu, set, &m, 8, AE_PROT_R))
			return RET(-EFAULT);
	}
	if (oset && ae_mem_write(p->cpu, oset, &old, 8, AE_PROT_W))
		return RET(-EFAULT);
	if (set) {
		uint64_t b = how == 0 ? old | m : how == 1 ? old & ~m : m;
		p->blocked = b & ~UNBLOCKABLE;
	}
	return 0;
}

uint64_t lx_sys_rt_sigpending(lx_proc *p, uint64_t set, uint64_t size)
{
	if (size > 8)
		return RET(-EINVAL);
	uint64_t v = p->pending & p->blocked;
	return ae_mem_write(p->cpu, set, &v, size, AE_PROT_W) ? RET(-EFAULT) : 0;
}

void lx_signal_send(lx_proc *p, int sig, int code)
{
	if (ignored(p, sig) && !(p->cpu->hook && ae_debug_sees_signals(p->cpu->hook)))
		return;
	if (p->pending & BIT(sig))
		return; /* standard signals do not queue twice */
	lx_siginfo *i = &p->info[sig];
	memset(i, 0, sizeof *i);
	i->signo = sig;
	i->code = code;
	i->pid = (int32_t)lx_pid(p);
	i->uid = (int32_t)getuid();
	p->pending |= BIT(sig);
}

/* --- the frame --------------------------------------------------------------------------- */

static void put64(uint8_t *b, unsigned off, uint64_t v)
{
	memcpy(b + off, &v, 8);
}

static uint64_t get64(const uint8_t *b, unsigned off)
{
	uint64_t v;
	memcpy(&v, b + off, 8);
	return v;
}

static uint32_t xstate_size(ae_cpu *cpu)
{
	uint32_t r[4];
	ae_cpu_cpuid(cpu, 0xd, 0, r);
	return r[1] >= 576 ? r[1] : 576;
}

/* The initial configuration of the user xstate components in mask (x87, SSE, AVX, APX). */
static void fpu_init(ae_cpu *cpu, uint64_t mask)
{
	if (mask & 1) {
		cpu->fcw = 0x37f, cpu->fsw = 0, cpu->ftw = 0xffff;
		memset(cpu->st, 0, sizeof cpu->st);
	}
	for (unsigned r = 0; r < 32; r++) {
		if (mask & 2)
			memset(cpu->vec[r], 0, 16);
		if (mask & 4)
			memset(cpu->vec[r] + 16, 0, 16);
	}
	if (mask & 2)
		cpu->mxcsr = 0x1f80;
	if (mask & ((uint64_t)1 << AE_XS_APX))
		memset(&cpu->gpr[16], 0, 16 * 8);
}

/* Builds the frame and enters the handler of sig. Returns false if the frame cannot be
 * written (the caller forces SIGSEGV). */
static bool setup_frame(lx_proc *p, int sig, const lx_siginfo *si)
{
	ae_cpu *cpu = p->cpu;
	lx_sigaction *a = &p->act[sig];
	if (!(a->flags & SA_RESTORER))
		return false;
	uint64_t sp = ae_cpu_get(cpu, 4), osp = sp;
	bool onstack = on_sig_stack(p, sp), use_alt = false;
	if ((a->flags & SA_ONSTACK) && sas_ss_flags(p, sp) == 0) {
		sp = p->ss_sp + p->ss_size;
		use_alt = true;
	} else {
		sp -= 128;
	}
	uint32_t xsize = xstate_size(cpu);
	uint64_t buf_fx = (sp - (xsize + 4)) & ~(uint64_t)63;
	uint64_t frame = ((buf_fx - FR_SIZE) & ~(uint64_t)15) - 8;
	if ((onstack || use_alt) && !(frame > p->ss_sp && frame - p->ss_sp <= p->ss_size))
		return false; /* overflowed sigaltstack */

	/* The XSAVE image: zeroed, then XSAVE with RFBM = XCR0, then the software bytes. */
	uint8_t *img = calloc(1, xsize + 4);
	if (!img || ae_mem_write(cpu, buf_fx, img, xsize + 4, AE_PROT_W)) {
		free(img);
		return false;
	}
	ae_xs_fault f;
	uint64_t xcr0 = ae_cpu_xcr0(cpu);
	if (exec_xs_op(cpu, AE_XS_XSAVE, buf_fx, xcr0, true, &f) != AE_XS_OK ||
	    ae_mem_read(cpu, buf_fx, img, xsize, AE_PROT_R)) {
		free(img);
		return false;
	}
	uint32_t w;
	w = FP_XSTATE_MAGIC1, memcpy(img + FP_SW, &w, 4);
	w = xsize + 4, memcpy(img + FP_SW + 4, &w, 4);
	put64(img, FP_SW + 8, xcr0);
	w = xsize, memcpy(img + FP_SW + 16, &w, 4);
	put64(img, 512, get64(img, 512) | 3);
	w = FP_XSTATE_MAGIC2, memcpy(img + xsize, &w, 4);
	int bad = ae_mem_write(cpu, buf_fx, img, xsize + 4, AE_PROT_W);
	free(img);
	if (bad)
		return false;

	uint8_t fr[FR_SIZE] = {0};
	put64(fr, 0, a->restorer);
	put64(fr, FR_UC + UC_FLAGS, 7); /* UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS */
	put64(fr, FR_UC + UC_STACK, p->ss_sp);
	memcpy(fr + FR_UC + UC_STACK + 8, &p->ss_flags, 4);
	put64(fr, FR_UC + UC_STACK + 16, p->ss_size);
	uint8_t *sc = fr + FR_UC + UC_MCTX;
	for (unsigned i = 0; i < 16; i++)
		put64(sc, 8 * i, ae_cpu_get(cpu, sc_gpr[i]));
	put64(sc, SC_RSP, osp);
	put64(sc, SC_RIP, ae_cpu_get(cpu, AE_R_RIP));
	uint64_t rflags = ae_cpu_rflags(cpu);
	put64(sc, SC_EFLAGS, rflags);
	uint16_t cs = 0x33, ss = 0x2b;
	memcpy(sc + SC_CS, &cs, 2);
	memcpy(sc + SC_SS, &ss, 2);
	put64(sc, SC_ERR, si->err);
	put64(sc, SC_TRAPNO, si->trapno);
	put64(sc, SC_OLDMASK, p->blocked);
	put64(sc, SC_CR2, si->cr2);
	put64(sc, SC_FPSTATE, buf_fx);
	put64(fr, FR_UC + UC_SIGMASK, p->blocked);
	uint8_t *in = fr + FR_INFO;
	memcpy(in + 0, &si->signo, 4);
	memcpy(in + 8, &si->code, 4);
	if (si->fault) {
		put64(in, 16, si->addr);
	} else if (si->code <= 0) {
		memcpy(in + 16, &si->pid, 4);
		memcpy(in + 20, &si->uid, 4);
	}
	if (ae_mem_write(cpu, frame, fr, FR_SIZE, AE_PROT_W))
		return false;
	if (p->ss_flags & SS_AUTODISARM) {
		p->ss_sp = p->ss_size = 0;
		p->ss_flags = SS_DISABLE;
	}

	ae_cpu_set(cpu, 7, (uint64_t)sig);
	ae_cpu_set(cpu, 6, frame + FR_INFO);
	ae_cpu_set(cpu, 2, frame + FR_UC);
	ae_cpu_set(cpu, 0, 0);
	ae_cpu_set(cpu, 4, frame);
	ae_cpu_set(cpu, AE_R_RIP, a->handler);
	ae_cpu_set_rflags(cpu, rflags & ~(uint64_t)(FL_DF | FL_TF | 0x10000));
	fpu_init(cpu, xcr0 | 3);

	p->blocked |= a->mask | ((a->flags & SA_NODEFER) ? 0 : BIT(sig));
	p->blocked &= ~UNBLOCKABLE;
	if (a->flags & SA_RESETHAND)
		a->handler = SIG_DFL;
	return true;
}

static void deliver(lx_proc *p, int sig, const lx_siginfo *si);

/* Delivers si after the debugger, if one is attached, has seen it: it may discard it, kill
 * the guest, or deliver another signal (with SI_USER information; queued if blocked). */
static void deliver_traced(lx_proc *p, int sig, const lx_siginfo *si)
{
	int to = p->cpu->hook && sig != SIG_KILL ? ae_debug_signal(p->cpu->hook, p->cpu, sig) : sig;
	if (to == sig) {
		deliver(p, sig, si);
	} else if (to == SIG_KILL) {
		terminate(p, SIG_KILL);
	} else if (to > 0 && to <= 64) {
		lx_siginfo o = {.signo = to, .code = SI_USER, .pid = (int32_t)lx_pid(p),
				.uid = (int32_t)getuid()};
		if (p->blocked & BIT(to)) {
			p->info[to] = o;
			p->pending |= BIT(to);
		} else {
			deliver(p, to, &o);
		}
	}
}

/* Delivers si: the handler runs, or the default action ignores or terminates. */
static void deliver(lx_proc *p, int sig, const lx_siginfo *si)
{
	if (ignored(p, sig))
		return;
	if (p->act[sig].handler == SIG_DFL) {
		terminate(p, sig);
		return;
	}
	if (setup_frame(p, sig, si))
		return;
	/* force_sigsegv: the frame could not be written. */
	if (sig == SIG_SEGV)
		p->act[SIG_SEGV].handler = SIG_DFL;
	lx_siginfo s = {.signo = SIG_SEGV, .code = SI_KERNEL};
	p->blocked &= ~BIT(SIG_SEGV);
	if (p->act[SIG_SEGV].handler == SIG_IGN)
		p->act[SIG_SEGV].handler = SIG_DFL;
	deliver_traced(p, SIG_SEGV, &s);
}

/* A forced signal: blocked or ignored means the default action. A fault was already shown
 * to the debugger (traced false); other forced signals are shown here. */
static void force(lx_proc *p, int sig, const lx_siginfo *si, bool traced)
{
	bool blocked = (p->blocked & BIT(sig)) != 0;
	if (blocked || p->act[sig].handler == SIG_IGN) {
		p->act[sig].handler = SIG_DFL;
		p->blocked &= ~BIT(sig);
	}
	if (traced)
		deliver_traced(p, sig, si);
	else
		deliver(p, sig, si);
}

void lx_signal_deliver(lx_proc *p)
{
	for (int guard = 0; guard < 64 && !p->exited; guard++) {
		uint64_t ready = p->pending & ~p->blocked;
		if (!ready)
			return;
		int sig = __builtin_ctzll(ready) + 1;
		p->pending &= ~BIT(sig);
		lx_siginfo si = p->info[sig];
		deliver_traced(p, sig, &si);
	}
}

/* The signal of an exception, as arch/x86/kernel/traps.c and fault.c send it. */
bool lx_signal_fault(lx_proc *p, const ae_fault *f)
{
	lx_siginfo si = {.fault = true, .trapno = f->vector, .err = f->error};
	switch (f->vector) {
	case AE_EXC_DE:
		si.signo = SIG_FPE, si.code = FPE_INTDIV, si.addr = f->rip;
		break;
	case AE_EXC_MF:
	case AE_EXC_XM:
		si.signo = SIG_FPE, si.code = FPE_FLTINV, si.addr = f->rip;
		break;
	case AE_EXC_UD:
		si.signo = SIG_ILL, si.code = ILL_ILLOPN, si.addr = f->rip;
		break;
	case AE_EXC_BP:
	case AE_EXC_DB:
		si.signo = SIG_TRAP, si.code = SI_KERNEL, si.fault = false;
		break;
	case AE_EXC_AC:
		si.signo = SIG_BUS, si.code = BUS_ADRALN, si.addr = 0;
		break;
	case AE_EXC_SS:
		si.signo = SIG_BUS, si.code = SI_KERNEL, si.fault = false;
		break;
	case AE_EXC_PF:
		si.signo = SIG_SEGV;
		si.code = (f->error & AE_PF_PRESENT) ? SEGV_ACCERR : SEGV_MAPERR;
		si.addr = si.cr2 = f->addr;
		si.err = f->error | AE_PF_USER;
		break;
	default: /* #GP and the rest */
		si.signo = SIG_SEGV, si.code = SI_KERNEL, si.fault = false;
		break;
	}
	int sig = si.signo;
	force(p, sig, &si, false);
	if (p->exited) {
		p->signal = p->signal ? p->signal : sig;
		return false;
	}
	return true;
}

/* --- rt_sigreturn ------------------------------------------------------------------------ */

static bool restore_fpstate(lx_proc *p, uint64_t fp)
{
	ae_cpu *cpu = p->cpu;
	uint64_t xcr0 = ae_cpu_xcr0(cpu);
	if (!fp) {
		fpu_init(cpu, xcr0 | 3);
		return true;
	}
	if (fp & 63)
		return false;
	uint8_t sw[48];
	if (ae_mem_read(cpu, fp + FP_SW, sw, sizeof sw, AE_PROT_R))
		return false;
	uint32_t magic1, ext, xs, magic2 = 0;
	memcpy(&magic1, sw, 4);
	memcpy(&ext, sw + 4, 4);
	memcpy(&xs, sw + 16, 4);
	uint64_t xfeat = get64(sw, 8);
	bool full = magic1 == FP_XSTATE_MAGIC1 && xs >= 576 && xs <= xstate_size(cpu) &&
		    xs <= ext && ae_mem_read(cpu, fp + xs, &magic2, 4, AE_PROT_R) == 0 &&
		    magic2 == FP_XSTATE_MAGIC2;
	ae_xs_fault f;
	uint64_t restore = full ? (xfeat & xcr0) | 0 : 3;
	int r = full ? exec_xs_op(cpu, AE_XS_XRSTOR, fp, restore, true, &f)
		     : exec_xs_op(cpu, AE_XS_FXRSTOR, fp, 0, true, &f);
	if (r != AE_XS_OK)
		return false;
	fpu_init(cpu, (xcr0 | 3) & ~restore);
	return true;
}

void lx_sys_rt_sigreturn(lx_proc *p)
{
	ae_cpu *cpu = p->cpu;
	uint64_t frame = ae_cpu_get(cpu, 4) - 8;
	uint8_t uc[UC_SIZE];
	if (ae_mem_read(cpu, frame + FR_UC, uc, sizeof uc, AE_PROT_R))
		goto fail;
	p->blocked = get64(uc, UC_SIGMASK) & ~UNBLOCKABLE;
	const uint8_t *sc = uc + UC_MCTX;
	for (unsigned i = 0; i < 16; i++)
		ae_cpu_set(cpu, sc_gpr[i], get64(sc, 8 * i));
	ae_cpu_set(cpu, AE_R_RIP, get64(sc, SC_RIP));
	uint64_t fl = ae_cpu_rflags(cpu);
	ae_cpu_set_rflags(cpu, (fl & ~(uint64_t)FIX_EFLAGS) | (get64(sc, SC_EFLAGS) & FIX_EFLAGS));
	if (!restore_fpstate(p, get64(sc, SC_FPSTATE)))
		goto fail;
	uint32_t ssf;
	memcpy(&ssf, uc + UC_STACK + 8, 4);
	set_altstack(p, get64(uc, UC_STACK), ssf, get64(uc, UC_STACK + 16));
	return;
fail:;
	lx_siginfo s = {.signo = SIG_SEGV, .code = SI_KERNEL};
	force(p, SIG_SEGV, &s, true);
}
