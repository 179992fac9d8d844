/* The Linux user-mode runner's process state. */
#ifndef LX_INTERNAL_H
#define LX_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "apxemu/linux.h"

/* A signal action as rt_sigaction(2) passes it (struct kernel_sigaction). */
typedef struct lx_sigaction {
	uint64_t handler, flags, restorer, mask;
} lx_sigaction;

/* What a queued signal carries into its siginfo. */
typedef struct lx_siginfo {
	int signo, code;
	uint64_t addr;	      /* faults */
	int32_t pid, uid;     /* kill, tgkill */
	bool fault;	      /* addr is meaningful */
	uint64_t trapno, err, cr2;
} lx_siginfo;

typedef struct lx_proc {
	ae_cpu *cpu;
	char exe_path[4096]; /* absolute path, for readlink("/proc/self/exe") */
	uint64_t brk_start, brk_cur;
	uint64_t mmap_base;
	bool exited;
	int exit_code;
	int signal;
	bool quiet;
	bool deterministic; /* fixed time and random bytes (determ.c) */
	uint64_t det_rng;
	/* Signals, 1..64 (bit sig-1 in the masks). */
	lx_sigaction act[65];
	uint64_t blocked, pending;
	lx_siginfo info[65];
	uint64_t ss_sp, ss_size; /* sigaltstack */
	uint32_t ss_flags;
	uint8_t warned[64]; /* one bit per syscall number below 512: "unsupported" said */
} lx_proc;

/* Guest memory layout. */
#define LX_STACK_TOP   0x7ffffffff000ull
#define LX_STACK_SIZE  (8ull << 20)
#define LX_MMAP_BASE   0x7f0000000000ull
#define LX_PIE_BASE    0x555555554000ull
#define LX_INTERP_BASE 0x7ffff7000000ull

void lx_syscall(lx_proc *p);

/* Deterministic time and random bytes (determ.c). lx_det_time fills {seconds, micro- or
 * nanoseconds}; each returns what the system call returns. */
long lx_det_time(lx_proc *p, void *buf, bool usec);
long lx_det_seconds(lx_proc *p);
long lx_det_random(lx_proc *p, void *buf, size_t n);
/* The guest's process ID: the host's, or 1000 in a deterministic run. */
long lx_pid(const lx_proc *p);
const char *lx_signal_name(int sig);

/* Signals (signal.c). */
/* A fault of the CPU: delivers the signal to a handler (true) or leaves the process to be
 * terminated by it (false, p->signal set). */
bool lx_signal_fault(lx_proc *p, const ae_fault *f);
/* Queues sig from kill/tgkill (code SI_USER or SI_TKILL). */
void lx_signal_send(lx_proc *p, int sig, int code);
/* Delivers the pending signals that are not blocked. */
void lx_signal_deliver(lx_proc *p);
static inline bool lx_signal_ready(const lx_proc *p)
{
	return (p->pending & ~p->blocked) != 0;
}
uint64_t lx_sys_rt_sigaction(lx_proc *p, uint64_t sig, uint64_t act, uint64_t oact,
			     uint64_t size);
uint64_t lx_sys_rt_sigprocmask(lx_proc *p, uint64_t how, uint64_t set, uint64_t oset,
			       uint64_t size);
uint64_t lx_sys_rt_sigpending(lx_proc *p, uint64_t set, uint64_t size);
uint64_t lx_sys_sigaltstack(lx_proc *p, uint64_t ss, uint64_t oss);
/* rt_sigreturn: restores every register, RAX included. */
void lx_sys_rt_sigreturn(lx_proc *p);

#endif
