/* apxemu — the executor: a software x86-64 CPU with Intel APX, in user mode.
 *
 * An ae_cpu holds the architectural state (32 GPRs, RIP, RFLAGS, FS/GS bases, x87, SSE/AVX
 * registers, MXCSR) and its own guest memory: a soft-MMU of 4 KiB pages with R/W/X
 * permissions. A guest address only ever reaches host memory that belongs to a guest page.
 *
 * ae_cpu_run() executes until something needs the environment: a SYSCALL instruction, a
 * fault (#UD, #GP, #PF, #DE, ...; architectural state is left as hardware leaves it, RIP at
 * the faulting instruction), HLT, or the instruction budget. The environment (src/linux, the
 * VMX model) handles the event and calls ae_cpu_run() again.
 */
#ifndef APXEMU_EXEC_H
#define APXEMU_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ae_cpu ae_cpu;

/* Why ae_cpu_run() returned. */
typedef enum ae_exit {
	AE_EXIT_SYSCALL = 1, /* SYSCALL executed; RIP is after it, RCX/R11 are set */
	AE_EXIT_FAULT,	     /* an exception: see ae_cpu_fault() */
	AE_EXIT_HLT,	     /* HLT (a #GP in user mode: reported as a fault instead) */
	AE_EXIT_LIMIT,	     /* the instruction budget ran out */
	AE_EXIT_VMEXIT,	     /* stopped before an intercepted instruction (exec_vmx.h) */
} ae_exit;

/* Exception vectors (SDM Vol. 3, 6.3.1). */
enum {
	AE_EXC_DE = 0,
	AE_EXC_DB = 1,
	AE_EXC_BP = 3,
	AE_EXC_UD = 6,
	AE_EXC_NM = 7,
	AE_EXC_SS = 12,
	AE_EXC_GP = 13,
	AE_EXC_PF = 14,
	AE_EXC_MF = 16,
	AE_EXC_AC = 17,
	AE_EXC_XM = 19,
};

/* #PF error code bits (SDM Vol. 3, 4.7). */
enum { AE_PF_PRESENT = 1, AE_PF_WRITE = 2, AE_PF_USER = 4, AE_PF_FETCH = 16 };

typedef struct ae_fault {
	uint8_t vector;	 /* AE_EXC_* */
	uint32_t error;	 /* error code (#PF: AE_PF_*; #GP: 0) */
	uint64_t addr;	 /* #PF: the faulting linear address (CR2) */
	uint64_t rip;	 /* the faulting instruction */
	uint16_t form;	 /* its table form, when it decoded (else 0xffff) */
} ae_fault;

/* Page permissions. */
enum { AE_PROT_R = 1, AE_PROT_W = 2, AE_PROT_X = 4 };

/* Creates a CPU in 64-bit user mode with the named CPUID profile (NULL or "default" is the
 * default APX profile). Returns NULL if the profile is unknown or memory runs out. */
ae_cpu *ae_cpu_new(const char *profile);
void ae_cpu_free(ae_cpu *cpu);
/* Names of the CPUID profiles, NULL-terminated. */
const char *const *ae_cpu_profiles(void);

/* Runs at most max_insns instructions (0 = no limit). */
ae_exit ae_cpu_run(ae_cpu *cpu, uint64_t max_insns);
const ae_fault *ae_cpu_fault(const ae_cpu *cpu);
/* Instructions retired since creation. */
uint64_t ae_cpu_icount(const ae_cpu *cpu);

/* Registers: AE_R_GPR + 0..31 (64-bit values), AE_R_RIP, AE_R_FS / AE_R_GS (segment bases). */
uint64_t ae_cpu_get(const ae_cpu *cpu, unsigned reg);
void ae_cpu_set(ae_cpu *cpu, unsigned reg, uint64_t value);
uint64_t ae_cpu_rflags(ae_cpu *cpu);
void ae_cpu_set_rflags(ae_cpu *cpu, uint64_t rflags);
/* XCR0 as XGETBV reports it. */
uint64_t ae_cpu_xcr0(const ae_cpu *cpu);
/* Runs CPUID of the CPU's profile. */
void ae_cpu_cpuid(const ae_cpu *cpu, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
/* The CPU's profile as XSTATE-engine data (apxemu/xstate.h): ae_cpu_cpuid() is ae_xs_cpuid()
 * over it with the live XCR0; XSAVE and its kin run under it. */
struct ae_xs_profile;
const struct ae_xs_profile *ae_cpu_xs_profile(const ae_cpu *cpu);

/* Guest memory. addr and len are rounded out to whole pages. Returns 0, or -1 when the range
 * is not canonical / memory runs out. Mapping over existing pages replaces them (zeroed). */
int ae_mem_map(ae_cpu *cpu, uint64_t addr, uint64_t len, unsigned prot);
int ae_mem_unmap(ae_cpu *cpu, uint64_t addr, uint64_t len);
/* Changes permissions; -1 if part of the range is unmapped. */
int ae_mem_protect(ae_cpu *cpu, uint64_t addr, uint64_t len, unsigned prot);
/* True if every page of the range is mapped (with at least prot). */
bool ae_mem_mapped(ae_cpu *cpu, uint64_t addr, uint64_t len, unsigned prot);
/* Copies between guest and host memory. With need_prot non-zero every page must have those
 * permissions (a kernel's user access); with 0, any mapped page will do (a loader).
 * Returns 0, or -1 if a page is missing. */
int ae_mem_read(ae_cpu *cpu, uint64_t addr, void *buf, size_t len, unsigned need_prot);
int ae_mem_write(ae_cpu *cpu, uint64_t addr, const void *buf, size_t len, unsigned need_prot);
/* Finds a free range of len bytes at or above hint, below limit. Returns 0 if none. */
uint64_t ae_mem_find_free(ae_cpu *cpu, uint64_t hint, uint64_t len, uint64_t limit);

/* Counters of executed instructions by APX kind, for `apxemu run --stats`. */
typedef struct ae_exec_stats {
	uint64_t insns;
	uint64_t apx_any; /* instructions with any APX feature */
	uint64_t egpr, ndd, nf, ccmp, cfcmov, push2pop2, ppx, jmpabs, zu;
} ae_exec_stats;
void ae_cpu_stats(const ae_cpu *cpu, ae_exec_stats *out);
/* Enables the APX counters (off by default: they cost time on every instruction). */
void ae_cpu_enable_stats(ae_cpu *cpu, bool on);

/* Where the executor logs one-time notes (unimplemented instructions). Default: stderr. A
 * NULL function silences them. */
typedef void (*ae_log_fn)(void *opaque, const char *line);
void ae_cpu_set_log(ae_cpu *cpu, ae_log_fn fn, void *opaque);
void ae_cpu_log(ae_cpu *cpu, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Text of the instruction at addr (for messages); "?" when it cannot be read or decoded. */
void ae_cpu_disasm(ae_cpu *cpu, uint64_t addr, char *buf, size_t buflen);

#ifdef __cplusplus
}
#endif
#endif
