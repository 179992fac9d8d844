/* apxemu — the executor's vector and x87 state, for tests and tools: whole vector registers
 * and the x87/SSE state as a 512-byte FXSAVE image (64-bit layout).
 */
#ifndef APXEMU_EXEC_VEC_H
#define APXEMU_EXEC_VEC_H

#include <stdint.h>

#include "apxemu/exec.h"

#ifdef __cplusplus
extern "C" {
#endif

/* All 64 bytes (zmm layout; xmm is bytes 0..15, ymm 0..31) of vector register i (0..31). */
void ae_cpu_get_vec(const ae_cpu *cpu, unsigned i, uint8_t out[64]);
void ae_cpu_set_vec(ae_cpu *cpu, unsigned i, const uint8_t in[64]);

/* The FXSAVE image of the x87 and SSE state: FCW, FSW, abridged FTW, MXCSR, MXCSR_MASK
 * 0xFFFF, ST(0)..ST(7) in stack order, XMM0..XMM15. FOP and the instruction and data
 * pointers read as zero. */
void ae_cpu_get_fxsave(const ae_cpu *cpu, uint8_t img[512]);
/* Loads the same image (the full tag word is rebuilt from the abridged one and the register
 * contents; MXCSR is taken as is). */
void ae_cpu_set_fxsave(ae_cpu *cpu, const uint8_t img[512]);

#ifdef __cplusplus
}
#endif
#endif
