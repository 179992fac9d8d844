/* Shared helpers of the oracle tests and the benchmark: hex lines, text normalisation, the
 * executable sections of an ELF file, a clock, and LLVM's disassembler (llvm_oracle.c). */
#ifndef APXEMU_TESTS_ORACLE_H
#define APXEMU_TESTS_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses hex bytes ("62 f4 fc 0c 01 c3", "62f4fc0c01c3", commas allowed) up to a '#' or the
 * end of s. Returns the byte count, 0 for a blank or comment-only line, -1 on bad input. */
int ou_parse_hex(const char *s, uint8_t *out, int max);
/* Prints bytes as "62 f4 fc" into buf. */
void ou_hex(const uint8_t *b, size_t n, char *buf, size_t buflen);
/* Collapses runs of blanks and tabs into one space and trims both ends, in place. */
void ou_normalize(char *s);
/* Removes the trailing newline and carriage return, in place; returns s. */
char *ou_chomp(char *s);

/* Monotonic seconds. */
double ou_now(void);

/* The executable sections (SHF_EXECINSTR, with file contents) of an ELF64 file. */
typedef struct ou_section {
	char name[64];
	uint64_t addr;
	const uint8_t *data;
	size_t size;
} ou_section;
typedef struct ou_elf {
	uint8_t *image;
	size_t image_size;
	ou_section *sec;
	size_t nsec;
} ou_elf;
/* Returns 0 on success; on failure prints why to stderr and returns -1. */
int ou_elf_load(const char *path, ou_elf *elf);
void ou_elf_free(ou_elf *elf);
/* The path of libLLVM-19's shared object (the large real binary the sweeps use), or NULL. */
const char *ou_find_libllvm(void);

/* LLVM 19's x86-64 disassembler (llvm_oracle.c). */
typedef struct ou_llvm ou_llvm;
/* apx: enable the APX features (egpr, ndd, nf, ccmp, cf, zu, push2pop2, ppx). */
ou_llvm *ou_llvm_new(bool apx, bool intel);
void ou_llvm_free(ou_llvm *l);
/* One call of LLVMDisasmInstruction: returns the length (0 = invalid), text normalised. */
size_t ou_llvm_decode1(ou_llvm *l, const uint8_t *b, size_t n, char *text, size_t textlen);
/* Decodes one instruction the way apxemu reports it. LLVM prints some prefixes (lock, rep,
 * data16, xacquire, a segment, ...) as an instruction of their own when it does not fold
 * them into the next instruction; such a piece is joined with the decoding of the bytes
 * that follow it ("lock" + "nop" -> "lock nop"), so that one length and one text describe
 * the whole instruction. *joined (may be NULL) counts the pieces joined this way.
 * Returns 0 when LLVM rejects the bytes. */
size_t ou_llvm_decode(ou_llvm *l, const uint8_t *b, size_t n, char *text, size_t textlen,
		      int *joined);

#endif
