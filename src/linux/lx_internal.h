/* The Linux user-mode runner's process state. */
#ifndef LX_INTERNAL_H
#define LX_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "apxemu/linux.h"

typedef struct lx_proc {
	ae_cpu *cpu;
	char exe_path[4096]; /* absolute path, for readlink("/proc/self/exe") */
	uint64_t brk_start, brk_cur;
	uint64_t mmap_base;
	bool exited;
	int exit_code;
	int signal;
	bool quiet;
	uint8_t warned[64]; /* one bit per syscall number below 512: "unsupported" said */
} lx_proc;

/* Guest memory layout. */
#define LX_STACK_TOP   0x7ffffffff000ull
#define LX_STACK_SIZE  (8ull << 20)
#define LX_MMAP_BASE   0x7f0000000000ull
#define LX_PIE_BASE    0x555555554000ull

void lx_syscall(lx_proc *p);

#endif
