/* apxemu — the Linux user-mode runner: runs an x86-64 Linux executable on the executor.
 *
 * ae_linux_run() loads a static, static-pie or dynamically linked ELF executable (the
 * interpreter named by PT_INTERP comes from the host file system), builds the initial stack as
 * execve(2) does (argv, envp, auxiliary vector), and runs it, serving its system calls from
 * the host. The guest's file descriptors are the host's (stdin, stdout, stderr pass through).
 * A fault without a guest signal handler ends the guest as the kernel would: the result is
 * "killed by signal N", which a shell shows as status 128+N.
 */
#ifndef APXEMU_LINUX_H
#define APXEMU_LINUX_H

#include <stdbool.h>
#include <stddef.h>

#include "apxemu/exec.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ae_linux_opts {
	const char *cpu;   /* CPUID profile name; NULL = "default" */
	bool stats;	   /* count instructions by APX kind */
	bool quiet;	   /* no one-time notes (unsupported system calls, unimplemented insns) */
	bool deterministic; /* fixed clock, random bytes and AT_RANDOM (see src/linux/determ.c) */
	struct ae_debug *debug; /* trace, mix, gdb (apxemu/debug.h), attached once loaded */
} ae_linux_opts;

typedef struct ae_linux_result {
	int exit_code;	    /* the guest's exit status (0-255) when signal is 0 */
	int signal;	    /* the signal that ended the guest, or 0 */
	char message[320];  /* for a signal: "SIGSEGV at rip 0x... (insn): ..." */
	ae_exec_stats stats;
	double seconds;	    /* wall time of the run */
} ae_linux_result;

/* Runs path with argv[0..argc) and the NULL-terminated envp. Returns 0 when the guest ran
 * (whatever its outcome, see *res), or -1 with a one-line message in err when it could not
 * be loaded (missing file, not an x86-64 executable, missing interpreter, ...). */
int ae_linux_run(const ae_linux_opts *opts, const char *path, int argc, char *const argv[],
		 char *const envp[], ae_linux_result *res, char *err, size_t errlen);

/* The name of a Linux x86-64 system call number ("write"), or NULL. */
const char *ae_linux_syscall_name(unsigned nr);

#ifdef __cplusplus
}
#endif
#endif
