/* apxemu — extra accessors of the executor's state for tools (the differential tester):
 * the vector registers, MXCSR, and whether a table form has an executor handler.
 */
#ifndef APXEMU_EXEC_ACCESS_H
#define APXEMU_EXEC_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "apxemu/exec.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The low 16 bytes (xmm) of vector register i (0..31). */
void ae_cpu_get_xmm(const ae_cpu *cpu, unsigned i, uint8_t out[16]);
/* Writes the low 16 bytes of vector register i, leaving the upper bytes. */
void ae_cpu_set_xmm(ae_cpu *cpu, unsigned i, const uint8_t in[16]);
uint32_t ae_cpu_mxcsr(const ae_cpu *cpu);
/* Bytes 16..31 (the upper half of ymm i). */
void ae_cpu_get_ymmh(const ae_cpu *cpu, unsigned i, uint8_t out[16]);
void ae_cpu_set_ymmh(ae_cpu *cpu, unsigned i, const uint8_t in[16]);
/* The x87 registers: FCW, FSW (TOP in bits 13:11), the full tag word (2 bits per physical
 * register, 3 = empty) and the eight 80-bit registers by physical number (ST(i) =
 * st[(TOP + i) & 7]; MMi = st[i] bytes 0..7). */
typedef struct ae_x87_state {
	uint16_t fcw, fsw, ftw;
	uint8_t st[8][10];
} ae_x87_state;
void ae_cpu_get_x87(const ae_cpu *cpu, ae_x87_state *x);
void ae_cpu_set_x87(ae_cpu *cpu, const ae_x87_state *x);
void ae_cpu_set_mxcsr(ae_cpu *cpu, uint32_t mxcsr);
/* True when the executor has a handler for the table form (otherwise it raises #UD). */
bool ae_form_implemented(unsigned form);
/* True when the CPU's profile has the CPUID feature the form needs (else it decodes as #UD). */
bool ae_cpu_form_enabled(const ae_cpu *cpu, unsigned form);

#ifdef __cplusplus
}
#endif
#endif
