/* apxemu — the executor as the guest side of a VMX/SVM model.
 *
 * With an intercept attached, a CPU runs at CPL0 in a flat 64-bit address space: guest
 * addresses are the soft-MMU's pages, identity-mapped (no paging by page tables), and
 * privileged forms (table attribute cpl0) no longer raise #GP. Before each instruction the
 * intercept sees the decoded form and its VM-exit class (the table's exit= column, DX_*
 * values; 0 = none). When it answers true, ae_cpu_run() stops before the instruction with
 * AE_EXIT_VMEXIT: RIP still at the instruction, nothing changed, and the decoded
 * instruction available from ae_cpu_vmx_insn(). The VMX model then produces the exit
 * information and emulates or skips the instruction itself.
 */
#ifndef APXEMU_EXEC_VMX_H
#define APXEMU_EXEC_VMX_H

#include <stdbool.h>
#include <stdint.h>

#include "apxemu/decoder.h"
#include "apxemu/exec.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef bool (*ae_vmx_intercept_fn)(void *opaque, ae_cpu *cpu, const ae_insn *in,
				    unsigned exit_class);

/* Attaches the intercept (CPL0 from now on). Returns 0, or -1 when memory runs out. */
int ae_cpu_vmx_attach(ae_cpu *cpu, ae_vmx_intercept_fn fn, void *opaque);
/* Back to user mode without an intercept; releases what attach allocated. */
void ae_cpu_vmx_detach(ae_cpu *cpu);
/* The instruction the last AE_EXIT_VMEXIT stopped before. */
const ae_insn *ae_cpu_vmx_insn(const ae_cpu *cpu);
/* Loads XCR0 as XSETBV does, with CR4.OSXSAVE: the guest's XGETBV reads it and decoding
 * follows it (APX usable iff OSXSAVE, XCR0[19] and the profile's APX_F). */
void ae_cpu_vmx_set_xcr0(ae_cpu *cpu, uint64_t xcr0, bool osxsave);
/* RFLAGS.IF as CLI/STI at CPL0 leave it. */
bool ae_cpu_vmx_if(ae_cpu *cpu);
/* The VM-exit class of a decoded form (DX_* of the generated table) and its name. */
unsigned ae_insn_exit_class(const ae_insn *in);
const char *ae_exit_class_name(unsigned exit_class);

#ifdef __cplusplus
}
#endif
#endif
