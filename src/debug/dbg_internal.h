/* The debugger's state, shared by the trace (trace.c), the mix (mix.c), the gdb stub
 * (gdbstub.c) and the glue (debug.c).
 *
 * The executor calls dbg_insn() before each instruction. The instruction that ran before is
 * then complete (its system call served, if it was SYSCALL), so its trace line is written
 * there: its effects are the difference between the snapshot taken before it and the state
 * now, plus the memory accesses recorded through dbg_mem_access() while it ran (writes and,
 * for read watchpoints, reads; those pages stay out of the TLB meanwhile).
 */
#ifndef DBG_INTERNAL_H
#define DBG_INTERNAL_H

#include <stdio.h>

#include "../exec/exec_internal.h"
#include "ae_gen.h"
#include "apxemu/debug.h"

enum { DBG_MAX_ACC = 64, DBG_MAX_BP = 64, DBG_MAX_WP = 16 };

typedef struct dbg_access {
	uint64_t addr;
	uint8_t write;
} dbg_access;

/* One memory access of an instruction, with its size worked out from the instruction. */
typedef struct dbg_span {
	uint64_t addr;
	unsigned size;
	bool write;
} dbg_span;

/* A formatted instruction, cached by address and bytes. */
typedef struct dbg_fmt {
	uint64_t rip;
	uint8_t bytes[16];
	uint8_t len;
	char text[103];
} dbg_fmt;
enum { DBG_FMT_CACHE = 4096 };

typedef struct dbg_snapshot {
	uint64_t gpr[32];
	uint64_t rflags, fs_base, gs_base;
	uint32_t mxcsr;
	bool has_vec; /* vec was taken: the form can write vector registers */
	uint8_t vec[32][64];
} dbg_snapshot;

typedef struct dbg_gdb dbg_gdb;
typedef struct dbg_mix dbg_mix;

struct ae_debug {
	ae_debug_opts o;
	ae_cpu *cpu;
	uint64_t bias;
	uint64_t auxv_addr, auxv_size; /* on the guest's initial stack, for gdb */

	/* the instruction that is running */
	bool pend;	   /* an instruction started under the hook and is not reported yet */
	bool pend_trace;   /* it gets a trace line */
	uint64_t pend_rip, pend_n;
	ae_insn pend_insn;
	uint8_t pend_bytes[16];
	uint64_t pend_ea; /* its memory operand's address, when it has one */
	dbg_snapshot snap;
	dbg_access acc[DBG_MAX_ACC];
	unsigned nacc, acc_lost;
	bool log_w, log_r; /* record writes / reads (trace, watchpoints) */

	/* trace */
	uint8_t form_vec[DEC_NFORMS]; /* 1: the form can write vector registers */
	dbg_fmt *fmt;		      /* DBG_FMT_CACHE entries */
	FILE *trace;
	bool trace_close;
	uint64_t lines;

	dbg_mix *mix;
	dbg_gdb *gdb;
};

/* trace.c */
int dbg_trace_init(ae_debug *d); /* -1: out of memory */
void dbg_trace_begin(ae_debug *d, ae_cpu *cpu, const ae_insn *in);
/* Writes the line of the pending instruction; fault: the exception that stopped it (or
 * NULL when it completed). */
void dbg_trace_end(ae_debug *d, ae_cpu *cpu, const ae_fault *fault);
/* The accesses of the pending instruction as spans (at most max). */
unsigned dbg_spans(const ae_debug *d, dbg_span *out, unsigned max);
/* The extension name of an instruction in SDE's style (BASE, SSE2, APXEVEX, ...). */
const char *dbg_ext_name(const ae_insn *in, char *buf, size_t len);

/* mix.c */
dbg_mix *dbg_mix_new(void);
void dbg_mix_free(dbg_mix *m);
void dbg_mix_count(dbg_mix *m, const ae_insn *in);

/* gdbstub.c */
dbg_gdb *dbg_gdb_new(int port, char *err, size_t errlen);
void dbg_gdb_free(dbg_gdb *g);
int dbg_gdb_accept(ae_debug *d, char *err, size_t errlen);
/* Before an instruction: stops for breakpoints, steps, watchpoints hit by the instruction
 * before, and ^C. Returns true when RIP or code changed. */
bool dbg_gdb_insn(ae_debug *d, ae_cpu *cpu);
/* A signal stop (Linux number); returns the signal gdb resumed with, as ae_debug_signal(). */
int dbg_gdb_signal(ae_debug *d, ae_cpu *cpu, int sig);
bool dbg_gdb_attached(const dbg_gdb *g);
void dbg_gdb_exit(ae_debug *d, int exit_code, int sig);
/* True while watchpoints of that kind are set. */
bool dbg_gdb_watch_w(const dbg_gdb *g);
bool dbg_gdb_watch_r(const dbg_gdb *g);

/* Finds the auxiliary vector on the initial stack (RSP at argc) for qXfer:auxv:read. */
void dbg_find_auxv(ae_debug *d, ae_cpu *cpu);

#endif
