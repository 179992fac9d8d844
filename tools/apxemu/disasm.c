/* apxemu disasm: objdump-style listings of ELF code sections, flat files and hex bytes, and
 * the line-per-instruction corpus format (--hex-lines). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "apxemu/elf.h"
#include "cli.h"

typedef struct dis_opts {
	ae_decode_ctx ctx;
	ae_syntax syntax;
	bool raw, have_base, apx_only, stats;
	uint64_t base;
	const char *file, *hex, *hex_lines, *symbol, *section;
} dis_opts;

typedef struct dis_stats {
	uint64_t insns, rex2, evex_map4, egpr, bad;
} dis_stats;

/* A symbol used as a label: sorted by address within one section. */
typedef struct dis_label {
	uint64_t addr;
	const char *name;
	int rank;
} dis_label;

typedef struct dis_labels {
	dis_label *v;
	size_t n;
} dis_labels;

void cmd_disasm_help(FILE *out)
{
	fprintf(out,
		"Usage: apxemu disasm [OPTIONS] FILE\n"
		"       apxemu disasm [OPTIONS] --raw FILE [--base ADDR]\n"
		"       apxemu disasm [OPTIONS] --hex \"BYTES\" [--base ADDR]\n"
		"       apxemu disasm [OPTIONS] --hex-lines FILE|-\n\n"
		"Disassembles x86-64 code, Intel APX included, in AT&T syntax (as LLVM prints it)\n"
		"or Intel syntax. FILE is an ELF64 x86-64 file: every executable section is listed\n"
		"objdump-style, one instruction per line as 'ADDRESS: BYTES<TAB>TEXT', with symbol\n"
		"labels and branch targets as absolute addresses. Bytes that do not decode print as\n"
		"'(bad)' with the #UD reason and the sweep goes on at the next byte.\n\n"
		"Input:\n"
		"  FILE                an ELF64 x86-64 executable, shared object or object file\n"
		"  --raw FILE          a flat binary file of code (no headers)\n"
		"  --hex \"BYTES\"       bytes in hex on the command line, one or more instructions\n"
		"                      (\"62 f4 fc 0c 01 c3\", \"62f4fc0c01c3\" and \"0x62,0xf4\" all work)\n"
		"  --hex-lines FILE    one instruction per line of hex bytes ('-' reads stdin); text\n"
		"                      after '#' and blank lines are skipped. Prints for each line\n"
		"                      'LENGTH<TAB>TEXT', '0<TAB>#UD REASON' or '0<TAB>truncated',\n"
		"                      with branch targets as displacements (as LLVM's C API prints\n"
		"                      them), so that corpora can be compared line by line\n\n"
		"Options:\n"
		"  --base ADDR         address of the first byte for --raw and --hex (default 0)\n"
		"  --intel             Intel syntax instead of AT&T\n"
		"  --no-apx            decode as a CPU without APX (REX2, EVEX map 4, r16-r31: #UD)\n"
		"  --section NAME      only that section of FILE (executable or not)\n"
		"  --symbol NAME       only the function NAME of FILE (from .symtab or .dynsym)\n"
		"  --apx-only          list only APX instructions: REX2, EVEX map 4, or naming r16-r31\n"
		"  --stats             end with a count of instructions, REX2, EVEX map 4, r16-r31\n"
		"                      users and undecodable bytes\n"
		"  -h, --help          this text\n\n"
		"Examples:\n"
		"  apxemu disasm /usr/bin/true\n"
		"  apxemu disasm --symbol main --stats ./a.out\n"
		"  apxemu disasm --hex \"d5 19 01 c3  62 f4 fc 0c 01 c3\"\n"
		"  apxemu disasm --raw code.bin --base 0x401000 --intel\n"
		"  printf '62 f4 fc 0c 01 c3\\nd5 00 a0\\n' | apxemu disasm --hex-lines -\n");
}

/* --- instruction classification ---------------------------------------------------- */

static bool is_egpr(unsigned reg)
{
	return reg >= AE_R_GPR + 16 && reg < AE_R_GPR + 32;
}

static bool uses_egpr(const ae_insn *in)
{
	for (unsigned k = 0; k < in->nops && k < 5; k++) {
		const ae_operand *op = &in->ops[k];
		if ((op->kind == AE_OP_REG || op->kind == AE_OP_MEM_REG) && is_egpr(op->reg))
			return true;
		if (op->kind == AE_OP_MEM && (is_egpr(in->mem.base) || is_egpr(in->mem.index)))
			return true;
	}
	return false;
}

static bool is_map4(const ae_insn *in)
{
	return in->enc == AE_ENC_EVEX && in->map == 4;
}

/* What --apx-only lists. */
static bool is_apx(const ae_insn *in)
{
	return in->enc == AE_ENC_REX2 || is_map4(in) || uses_egpr(in);
}

static void count(dis_stats *st, const ae_insn *in)
{
	st->insns++;
	st->rex2 += in->enc == AE_ENC_REX2;
	st->evex_map4 += is_map4(in);
	st->egpr += uses_egpr(in);
}

/* --- labels -------------------------------------------------------------------------- */

static int label_cmp(const void *a, const void *b)
{
	const dis_label *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return y->rank - x->rank;
}

/* The labels of section index shndx: defined functions and untyped symbols. */
static dis_labels labels_for(const ae_elf *elf, size_t shndx)
{
	dis_labels l = { 0 };
	size_t n = ae_elf_symbol_count(elf);
	l.v = n ? malloc(n * sizeof *l.v) : NULL;
	if (!l.v)
		return l;
	for (size_t i = 0; i < n; i++) {
		const ae_elf_symbol *y = ae_elf_symbol_at(elf, i);
		if (y->shndx != shndx || !y->name[0] ||
		    (y->type != AE_ELF_STT_FUNC && y->type != AE_ELF_STT_NOTYPE))
			continue;
		int rank = (y->type == AE_ELF_STT_FUNC) * 4 + (y->bind == AE_ELF_STB_GLOBAL) * 2 +
			   !y->dynamic;
		l.v[l.n++] = (dis_label){ y->value, y->name, rank };
	}
	qsort(l.v, l.n, sizeof *l.v, label_cmp);
	/* One label per address: the best-ranked one, first after sorting. */
	size_t w = 0;
	for (size_t i = 0; i < l.n; i++)
		if (w == 0 || l.v[w - 1].addr != l.v[i].addr)
			l.v[w++] = l.v[i];
	l.n = w;
	return l;
}

/* The label at or before addr, or NULL. */
static const dis_label *label_before(const dis_labels *l, uint64_t addr)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &l->v[lo - 1] : NULL;
}

/* --- the sweep ----------------------------------------------------------------------- */

static void print_bytes(const uint8_t *p, size_t n)
{
	int col = 0;
	for (size_t k = 0; k < n; k++)
		col += printf("%02x ", p[k]);
	printf("%*s\t", col < 30 ? 30 - col : 0, "");
}

static const ae_operand *rel_operand(const ae_insn *in)
{
	for (unsigned k = 0; k < in->nops && k < 5; k++)
		if (in->ops[k].kind == AE_OP_REL)
			return &in->ops[k];
	return NULL;
}

/* Lists bytes p[0..n) at address addr. labels may be NULL. */
static void sweep(const dis_opts *o, dis_stats *st, const uint8_t *p, size_t n, uint64_t addr,
		  const dis_labels *labels)
{
	size_t next_label = 0;
	char text[256];
	while (labels && next_label < labels->n && labels->v[next_label].addr < addr)
		next_label++;
	for (size_t off = 0; off < n;) {
		uint64_t a = addr + off;
		for (; labels && next_label < labels->n && labels->v[next_label].addr <= a;
		     next_label++)
			if (labels->v[next_label].addr == a)
				printf("\n%016" PRIx64 " <%s>:\n", a, labels->v[next_label].name);
		ae_insn in;
		ae_status s = ae_decode(&o->ctx, p + off, n - off, &in);
		if (s != AE_OK || in.len == 0) {
			st->bad++;
			if (!o->apx_only) {
				printf("%8" PRIx64 ": ", a);
				print_bytes(p + off, 1);
				if (s == AE_TRUNCATED)
					printf("(bad)  # truncated\n");
				else
					printf("(bad)  # #UD %s\n",
					       ae_ud_reason_name((ae_ud_reason)in.ud));
			}
			off++;
			continue;
		}
		count(st, &in);
		if (!o->apx_only || is_apx(&in)) {
			ae_format(&in, o->syntax, AE_FMT_ABS_BRANCH, a, text, sizeof text);
			printf("%8" PRIx64 ": ", a);
			print_bytes(p + off, in.len);
			fputs(text, stdout);
			uint64_t t = a + in.len + (uint64_t)in.imm; /* the branch target */
			const dis_label *l =
				labels && rel_operand(&in) ? label_before(labels, t) : NULL;
			if (l) {
				if (t == l->addr)
					printf(" <%s>", l->name);
				else
					printf(" <%s+0x%" PRIx64 ">", l->name, t - l->addr);
			}
			putchar('\n');
		}
		off += in.len;
	}
}

static void print_stats(const dis_stats *st)
{
	printf("\n# %" PRIu64 " instructions: %" PRIu64 " with REX2, %" PRIu64
	       " in EVEX map 4, %" PRIu64 " naming r16-r31; %" PRIu64 " undecodable bytes\n",
	       st->insns, st->rex2, st->evex_map4, st->egpr, st->bad);
}

/* --- inputs -------------------------------------------------------------------------- */

static void disasm_section(const dis_opts *o, dis_stats *st, const ae_elf *elf, size_t idx,
			   uint64_t from, uint64_t to)
{
	const ae_elf_section *sec = ae_elf_section_at(elf, idx);
	const uint8_t *data = ae_elf_section_data(elf, sec);
	if (!data)
		return;
	/* [lo, hi) as offsets into the section, clipped to it. */
	uint64_t lo = from > sec->addr ? from - sec->addr : 0;
	uint64_t hi = to > sec->addr ? to - sec->addr : 0;
	if (hi > sec->size)
		hi = sec->size;
	if (lo > hi)
		lo = hi;
	dis_labels labels = labels_for(elf, idx);
	printf("\nDisassembly of section %s:\n", sec->name);
	sweep(o, st, data + lo, (size_t)(hi - lo), sec->addr + lo, &labels);
	free(labels.v);
}

/* End of the function y: its size, or up to the next label when the size is 0. */
static uint64_t symbol_end(const ae_elf *elf, const ae_elf_symbol *y)
{
	if (y->size)
		return y->value + y->size;
	uint64_t end = UINT64_MAX;
	dis_labels l = labels_for(elf, y->shndx);
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].addr > y->value) {
			end = l.v[i].addr;
			break;
		}
	free(l.v);
	return end;
}

static int disasm_elf_sections(const dis_opts *o, const ae_elf *elf, dis_stats *st)
{
	size_t nsec = ae_elf_section_count(elf);
	const ae_elf_symbol *y = o->symbol ? ae_elf_symbol_by_name(elf, o->symbol) : NULL;
	const ae_elf_section *s = o->section ? ae_elf_section_by_name(elf, o->section) : NULL;
	if (o->symbol && (!y || y->shndx >= nsec)) {
		cli_error("%s: no symbol '%s' defined in a section", o->file, o->symbol);
		return CLI_EXIT_INPUT;
	}
	if (o->section && !s) {
		cli_error("%s: no section '%s'", o->file, o->section);
		return CLI_EXIT_INPUT;
	}
	printf("\n%s:\tfile format elf64-x86-64\n", o->file);
	if (y) {
		disasm_section(o, st, elf, y->shndx, y->value, symbol_end(elf, y));
		return CLI_EXIT_OK;
	}
	if (s) {
		disasm_section(o, st, elf, (size_t)(s - ae_elf_section_at(elf, 0)), 0, UINT64_MAX);
		return CLI_EXIT_OK;
	}
	size_t done = 0;
	for (size_t i = 1; i < nsec; i++) {
		s = ae_elf_section_at(elf, i);
		if ((s->flags & AE_ELF_SHF_EXECINSTR) && s->type != AE_ELF_SHT_NOBITS) {
			disasm_section(o, st, elf, i, 0, UINT64_MAX);
			done++;
		}
	}
	if (!done)
		fprintf(stderr, "apxemu: %s: no executable sections\n", o->file);
	return CLI_EXIT_OK;
}

static int disasm_elf(const dis_opts *o)
{
	char err[512];
	ae_elf *elf;
	if (ae_elf_open(o->file, &elf, err, sizeof err)) {
		cli_error("%s", err);
		return CLI_EXIT_INPUT;
	}
	dis_stats st = { 0 };
	int rc = disasm_elf_sections(o, elf, &st);
	if (rc == CLI_EXIT_OK && o->stats)
		print_stats(&st);
	ae_elf_close(elf);
	return rc;
}

static int disasm_bytes(const dis_opts *o, const uint8_t *p, size_t n)
{
	dis_stats st = { 0 };
	sweep(o, &st, p, n, o->base, NULL);
	if (o->stats)
		print_stats(&st);
	return CLI_EXIT_OK;
}

/* Tabs inside the text become spaces and leading blanks go, as in the LLVM oracle. */
static void print_line_text(const char *t)
{
	while (*t == ' ' || *t == '\t')
		t++;
	for (; *t; t++)
		putchar(*t == '\t' ? ' ' : *t);
	putchar('\n');
}

static int disasm_hex_lines(const dis_opts *o)
{
	FILE *f = strcmp(o->hex_lines, "-") == 0 ? stdin : fopen(o->hex_lines, "r");
	if (!f) {
		cli_error("%s: %s", o->hex_lines, strerror(errno));
		return CLI_EXIT_INPUT;
	}
	char *line = NULL, err[128], text[256];
	size_t linecap = 0, cap = 0;
	uint8_t *bytes = NULL;
	unsigned long lineno = 0;
	int rc = CLI_EXIT_OK;
	while (getline(&line, &linecap, f) >= 0) {
		size_t len = 0;
		lineno++;
		if (cli_parse_hex(line, &bytes, &len, &cap, err, sizeof err)) {
			cli_error("%s:%lu: %s", o->hex_lines, lineno, err);
			rc = CLI_EXIT_INPUT;
			break;
		}
		if (len == 0)
			continue;
		ae_insn in;
		ae_status s = ae_decode(&o->ctx, bytes, len, &in);
		if (s == AE_OK) {
			ae_format(&in, o->syntax, 0, 0, text, sizeof text);
			printf("%u\t", in.len);
			print_line_text(text);
		} else if (s == AE_TRUNCATED) {
			printf("0\ttruncated\n");
		} else {
			printf("0\t#UD %s\n", ae_ud_reason_name((ae_ud_reason)in.ud));
		}
	}
	if (rc == CLI_EXIT_OK && ferror(f)) {
		cli_error("%s: read error", o->hex_lines);
		rc = CLI_EXIT_INPUT;
	}
	free(line);
	free(bytes);
	if (f != stdin)
		fclose(f);
	return rc;
}

int cmd_disasm(int argc, char **argv)
{
	dis_opts o = { .syntax = AE_SYNTAX_ATT };
	ae_decode_ctx_default(&o.ctx);
	const char *v;
	bool opts_done = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool opt = !opts_done && a[0] == '-' && a[1];
		if (!opt) {
			if (o.file) {
				cli_error("disasm: more than one input file ('%s' and '%s')",
					  o.file, a);
				return CLI_EXIT_USAGE;
			}
			o.file = a;
		} else if (strcmp(a, "--") == 0) {
			opts_done = true;
		} else if (strcmp(a, "--raw") == 0) {
			o.raw = true;
		} else if (strcmp(a, "--intel") == 0) {
			o.syntax = AE_SYNTAX_INTEL;
		} else if (strcmp(a, "--no-apx") == 0) {
			o.ctx.apx = false;
		} else if (strcmp(a, "--apx-only") == 0) {
			o.apx_only = true;
		} else if (strcmp(a, "--stats") == 0) {
			o.stats = true;
		} else if (cli_opt_value(argc, argv, &i, "--base", &v)) {
			o.base = cli_parse_u64("--base", v);
			o.have_base = true;
		} else if (cli_opt_value(argc, argv, &i, "--hex-lines", &v)) {
			o.hex_lines = v;
		} else if (cli_opt_value(argc, argv, &i, "--hex", &v)) {
			o.hex = v;
		} else if (cli_opt_value(argc, argv, &i, "--symbol", &v)) {
			o.symbol = v;
		} else if (cli_opt_value(argc, argv, &i, "--section", &v)) {
			o.section = v;
		} else {
			cli_error("disasm: unknown option '%s' (see 'apxemu disasm --help')", a);
			return CLI_EXIT_USAGE;
		}
	}
	int inputs = !!o.file + !!o.hex + !!o.hex_lines;
	if (inputs != 1) {
		cli_error("disasm: %s (see 'apxemu disasm --help')",
			  inputs ? "give only one of FILE, --hex and --hex-lines"
				 : "nothing to disassemble: give FILE, --hex or --hex-lines");
		return CLI_EXIT_USAGE;
	}
	if (o.raw && !o.file) {
		cli_error("disasm: --raw needs a FILE");
		return CLI_EXIT_USAGE;
	}
	if (o.have_base && !o.raw && !o.hex) {
		cli_error("disasm: --base applies to --raw and --hex only");
		return CLI_EXIT_USAGE;
	}
	if ((o.symbol || o.section) && (!o.file || o.raw)) {
		cli_error("disasm: --symbol and --section apply to an ELF FILE only");
		return CLI_EXIT_USAGE;
	}
	if (o.symbol && o.section) {
		cli_error("disasm: give --symbol or --section, not both");
		return CLI_EXIT_USAGE;
	}
	if (o.hex_lines)
		return disasm_hex_lines(&o);
	if (o.hex) {
		uint8_t *bytes = NULL;
		size_t len = 0, cap = 0;
		char err[128];
		int bad = cli_parse_hex(o.hex, &bytes, &len, &cap, err, sizeof err);
		if (bad || len == 0) {
			cli_error("disasm --hex: %s", bad ? err : "no bytes given");
			free(bytes);
			return CLI_EXIT_USAGE;
		}
		int rc = disasm_bytes(&o, bytes, len);
		free(bytes);
		return rc;
	}
	if (o.raw) {
		uint8_t *data;
		size_t size;
		if (cli_read_file(o.file, &data, &size))
			return CLI_EXIT_INPUT;
		int rc = disasm_bytes(&o, data, size);
		free(data);
		return rc;
	}
	return disasm_elf(&o);
}
