/* apxemu — debugging aids on the executor: instruction traces, an instruction mix and a gdb
 * remote stub (src/debug/).
 *
 * An ae_debug is created from options before the guest runs, attached to its CPU once the
 * program is loaded, told about the guest's signals and exit by the environment, and queried
 * for the mix afterwards. While attached it sees every instruction before it executes; while
 * no ae_debug is attached the executor pays one never-taken branch per instruction.
 */
#ifndef APXEMU_DEBUG_H
#define APXEMU_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "apxemu/exec.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ae_trace_format {
	AE_TRACE_TEXT = 0, /* apxemu's own line: count, address, bytes, AT&T text, effects */
	AE_TRACE_SDE,	   /* the line layout of Intel SDE's -debugtrace (docs/debug.md) */
	AE_TRACE_JSONL,	   /* one JSON object per line */
} ae_trace_format;

typedef struct ae_debug_opts {
	const char *trace_path;	 /* NULL: no trace; "-": stderr; else a file */
	ae_trace_format trace_format;
	uint64_t trace_lo, trace_hi;	 /* trace only lo <= RIP < hi (hi 0: everywhere) */
	uint64_t trace_after;		 /* skip the first N instructions */
	uint64_t trace_max;		 /* at most N trace lines (0: no limit) */
	bool mix;			 /* count instructions by mnemonic, extension and form */
	int gdb_port;			 /* > 0: serve gdb on 127.0.0.1:port and wait for it */
	bool quiet;			 /* no "waiting for gdb" note */
} ae_debug_opts;

typedef struct ae_debug ae_debug;

/* Opens the trace file and the gdb listening socket. NULL with a message on failure. */
ae_debug *ae_debug_new(const ae_debug_opts *opts, char *err, size_t errlen);
void ae_debug_free(ae_debug *d);

/* Attaches to a loaded CPU (load_bias: what was added to the ELF addresses, for gdb's
 * qOffsets). With gdb, waits here for the debugger to connect. Returns 0 or -1 (err). */
int ae_debug_attach(ae_debug *d, ae_cpu *cpu, uint64_t load_bias, char *err, size_t errlen);
/* The CPU faulted (ae_cpu_fault(); RIP at the faulting instruction). gdb sees the signal
 * as a stop. Returns what the environment does next: deliver the signal as usual, run the
 * instruction again (gdb continued without the signal), or end the guest with SIGKILL. */
enum { AE_DEBUG_DELIVER = 0, AE_DEBUG_RETRY = 1, AE_DEBUG_KILL = 2 };
int ae_debug_fault(ae_debug *d, ae_cpu *cpu);
/* A signal that is not a fault (kill, tgkill, raise, or one the environment generates) is
 * about to be delivered. gdb sees it as a stop first. Returns the signal to deliver: sig,
 * another one gdb chose, 0 to discard it, or 9 (SIGKILL) when gdb killed the guest. */
int ae_debug_signal(ae_debug *d, ae_cpu *cpu, int sig);
/* True while gdb is attached: it sees every signal, even those the guest ignores. */
bool ae_debug_sees_signals(const ae_debug *d);
/* The guest ended (exit status, or the signal that ended it): flushes the trace, tells gdb
 * (W or X packet) and detaches. */
void ae_debug_exit(ae_debug *d, ae_cpu *cpu, int exit_code, int sig);

/* The mix as tables (by mnemonic, by extension with APX sub-features apart, by form). */
void ae_debug_print_mix(const ae_debug *d, FILE *out);
/* The same as one JSON document. Returns 0 or -1 (errno set). */
int ae_debug_write_mix_json(const ae_debug *d, const char *path);

#ifdef __cplusplus
}
#endif
#endif
