/* Decoder benchmark: the executable sections of libLLVM-19 (or the ELF file given), swept
 * linearly by Zydis 4 and by apxemu in the same process, over the same bytes.
 *
 *   bench_decode [--runs N] [FILE]
 *
 * Three decoders are timed, each the best of N runs (default 3) after one warm-up run:
 *   zydis-insn   ZydisDecoderDecodeInstruction: length, mnemonic, prefixes, no operands
 *   zydis-full   ZydisDecoderDecodeFull: the same with every operand decoded
 *   apxemu       ae_decode: the full ae_insn (operands included), no formatting
 * An invalid byte is skipped (one byte) by each, as a disassembler would. The figures are
 * instructions per second; the ratios are apxemu's speed over each Zydis variant. */
#include "oracle.h"

#include <Zydis/Zydis.h>
#include <apxemu/decoder.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct run {
	unsigned long insns, invalid;
	uint64_t check; /* sum of lengths, so that no decode is optimised away */
} run;

static ZydisDecoder zdec;
static ae_decode_ctx ctx;

static run sweep_zydis_insn(const ou_elf *elf)
{
	run r = {0};
	ZydisDecoderContext zc;
	ZydisDecodedInstruction zi;
	for (size_t s = 0; s < elf->nsec; s++) {
		const uint8_t *p = elf->sec[s].data;
		size_t n = elf->sec[s].size, off = 0;
		while (off < n) {
			if (ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&zdec, &zc, p + off, n - off, &zi))) {
				r.insns++;
				r.check += zi.length;
				off += zi.length;
			} else {
				r.invalid++;
				off++;
			}
		}
	}
	return r;
}

static run sweep_zydis_full(const ou_elf *elf)
{
	run r = {0};
	ZydisDecodedInstruction zi;
	ZydisDecodedOperand zops[ZYDIS_MAX_OPERAND_COUNT];
	for (size_t s = 0; s < elf->nsec; s++) {
		const uint8_t *p = elf->sec[s].data;
		size_t n = elf->sec[s].size, off = 0;
		while (off < n) {
			if (ZYAN_SUCCESS(ZydisDecoderDecodeFull(&zdec, p + off, n - off, &zi, zops))) {
				r.insns++;
				r.check += zi.length + (uint64_t)zops[0].type;
				off += zi.length;
			} else {
				r.invalid++;
				off++;
			}
		}
	}
	return r;
}

static run sweep_apxemu(const ou_elf *elf)
{
	run r = {0};
	ae_insn in;
	for (size_t s = 0; s < elf->nsec; s++) {
		const uint8_t *p = elf->sec[s].data;
		size_t n = elf->sec[s].size, off = 0;
		while (off < n) {
			if (ae_decode(&ctx, p + off, n - off, &in) == AE_OK) {
				r.insns++;
				r.check += in.len + (uint64_t)in.ops[0].kind;
				off += in.len;
			} else {
				r.invalid++;
				off++;
			}
		}
	}
	return r;
}

static double timed(run (*fn)(const ou_elf *), const ou_elf *elf, int runs, run *out)
{
	double best = 1e30;
	*out = fn(elf); /* warm-up: page in the file, train the caches */
	for (int i = 0; i < runs; i++) {
		double t0 = ou_now();
		run r = fn(elf);
		double dt = ou_now() - t0;
		if (dt < best)
			best = dt;
		*out = r;
	}
	return best;
}

int main(int argc, char **argv)
{
	int runs = 3;
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: %s [--runs N] [ELF-FILE]\n", argv[0]);
			return 2;
		} else
			path = argv[i];
	}
	if (!path && !(path = ou_find_libllvm())) {
		fprintf(stderr, "libLLVM-19 not found; give an ELF file\n");
		return 2;
	}
	ou_elf elf;
	if (ou_elf_load(path, &elf))
		return 2;
	size_t bytes = 0;
	for (size_t i = 0; i < elf.nsec; i++)
		bytes += elf.sec[i].size;
	ZydisDecoderInit(&zdec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	ae_decode_ctx_default(&ctx);
	ctx.apx = false; /* real binaries hold no APX code; the bytes decode the same either way */

	printf("%s: %zu bytes of code in %zu executable sections, best of %d runs\n", path, bytes,
	       elf.nsec, runs);
	static const struct {
		const char *name;
		run (*fn)(const ou_elf *);
	} dec[] = {
		{"zydis-insn (ZydisDecoderDecodeInstruction, no operands)", sweep_zydis_insn},
		{"zydis-full (ZydisDecoderDecodeFull, all operands)", sweep_zydis_full},
		{"apxemu (ae_decode, operands, no formatting)", sweep_apxemu},
	};
	double rate[3];
	for (int d = 0; d < 3; d++) {
		run r;
		double dt = timed(dec[d].fn, &elf, runs, &r);
		rate[d] = (double)r.insns / dt;
		printf("  %-56s %10lu insns %8lu invalid  %7.3f s  %7.2f M insn/s  %6.1f MB/s\n",
		       dec[d].name, r.insns, r.invalid, dt, rate[d] / 1e6,
		       (double)bytes / dt / 1e6);
		fflush(stdout);
	}
	printf("ratio apxemu / zydis-insn: %.2fx\n", rate[2] / rate[0]);
	printf("ratio apxemu / zydis-full: %.2fx\n", rate[2] / rate[1]);
	ou_elf_free(&elf);
	return 0;
}
