/* Legacy corpus test against Zydis 4: a linear sweep of the executable sections of real
 * binaries, each offset decoded by Zydis and by apxemu with APX disabled (real binaries hold
 * no APX code). They must agree on validity, on length and on the operands Zydis calls
 * explicit: registers by name, memory base/index/scale/displacement/segment, immediate values
 * and branch displacements. Zydis's implicit operands (rAX of 05 iz, the 1 of D1 /4) are
 * compared when apxemu lists them and skipped otherwise; hidden operands are ignored.
 * After a disagreement both resynchronise at the longer length.
 *
 *   check_zydis [--deviations FILE] [--sample BYTES] [--limit N] [--report FILE]
 *               [--bin-dir DIR COUNT] [BINARY | @libllvm]...
 *
 * A deviations line is HEX<TAB>reason: a disagreement whose bytes start with HEX ("??" is any
 * byte, "/N" a ModRM byte whose reg field is N; a leading "*" lets any legacy prefixes and
 * REX come first) is counted as documented,
 * not as a failure; "@operands MNEMONIC<TAB>reason" documents operand disagreements on
 * instructions Zydis names MNEMONIC (lengths and validity are still compared). --sample BYTES sweeps at most about BYTES
 * bytes of each binary, in 64 evenly spaced windows (deterministic); without it every byte is
 * swept. --bin-dir picks COUNT x86-64 ELF files of DIR, evenly spread over its sorted
 * listing. @libllvm is libLLVM-19's shared object wherever it is installed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "oracle.h"

#include <Zydis/Zydis.h>
#include <apxemu/decoder.h>
#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct zdev {
	uint8_t val[16], mask[16];
	int n;
	bool any_prefixes;  /* pattern "* ...": legacy prefixes and REX may come first */
	char mnemonic[32];  /* "@operands MNEMONIC": operand disagreements on that Zydis mnemonic */
	char *text;
	unsigned long used;
} zdev;

static zdev *devs;
static size_t ndevs;
static int print_limit = 30;
static unsigned long printed;
static FILE *report;
static ZydisDecoder zdec;
static ae_decode_ctx ctx;

typedef struct counts {
	unsigned long insns, agree, both_invalid, devs, mismatches;
	unsigned long m_valid, m_len, m_ops;
	unsigned long bytes;
} counts;

static int load_deviations(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0;
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		ou_chomp(line);
		if (!line[0] || line[0] == '#')
			continue;
		char *tab = strchr(line, '\t');
		zdev d = {0};
		bool ok = tab != NULL;
		if (tab)
			*tab = 0;
		char *p0 = line;
		if (ok && !strncmp(line, "@operands ", 10)) {
			snprintf(d.mnemonic, sizeof d.mnemonic, "%s", line + 10);
			ou_normalize(d.mnemonic);
			d.n = 1;
			p0 = line + strlen(line);
		} else if (ok && line[0] == '*') {
			d.any_prefixes = true;
			p0 = line + 1;
		}
		for (char *p = p0; ok && *p;) {
			while (*p == ' ')
				p++;
			if (!*p)
				break;
			if (d.n >= 16) {
				ok = false;
			} else if (p[0] == '/' && p[1] >= '0' && p[1] <= '7') { /* ModRM.reg */
				d.val[d.n] = (uint8_t)((p[1] - '0') << 3);
				d.mask[d.n++] = 0x38;
				p += 2;
			} else if (p[0] == '?' && p[1] == '?') {
				d.n++;
				p += 2;
			} else if (isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1])) {
				char h[3] = {p[0], p[1], 0};
				d.val[d.n] = (uint8_t)strtoul(h, NULL, 16);
				d.mask[d.n++] = 0xff;
				p += 2;
			} else {
				ok = false;
			}
		}
		if (!ok || !d.n) {
			fprintf(stderr, "%s:%u: expected HEX<TAB>reason\n", path, lineno);
			rc = -1;
			continue;
		}
		d.text = strdup(tab + 1);
		devs = realloc(devs, (ndevs + 1) * sizeof *devs);
		devs[ndevs++] = d;
	}
	free(line);
	fclose(f);
	return rc;
}

static bool is_prefix(uint8_t b)
{
	return b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 || b == 0x2e ||
	       b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65 || (b & 0xf0) == 0x40;
}

/* what: "validity", "length" or "operands"; zmnem: Zydis's mnemonic, or NULL. */
static zdev *find_deviation(const uint8_t *p0, size_t rem0, const char *what, const char *zmnem)
{
	size_t skip = 0;
	while (skip < rem0 && skip < 14 && is_prefix(p0[skip]))
		skip++;
	for (size_t i = 0; i < ndevs; i++) {
		zdev *d = &devs[i];
		if (d->mnemonic[0]) {
			if (!strcmp(what, "operands") && zmnem && !strcmp(zmnem, d->mnemonic))
				return d;
			continue;
		}
		const uint8_t *p = d->any_prefixes ? p0 + skip : p0;
		size_t rem = d->any_prefixes ? rem0 - skip : rem0;
		if ((size_t)d->n > rem)
			continue;
		int k = 0;
		while (k < d->n && (p[k] & d->mask[k]) == d->val[k])
			k++;
		if (k == d->n)
			return d;
	}
	return NULL;
}

/* Register names compared between the two: lowercase, no '%', "st(3)" -> "st3". */
static void canon_reg(const char *in, char *out, size_t n)
{
	size_t o = 0;
	if (!in)
		in = "?";
	for (; *in && o + 1 < n; in++)
		if (*in != '(' && *in != ')' && *in != '%')
			out[o++] = (char)tolower((unsigned char)*in);
	out[o] = 0;
	if (!strcmp(out, "st"))
		snprintf(out, n, "st0");
}

static bool same_reg_name(ZydisRegister z, const char *ours)
{
	char a[32], b[32];
	canon_reg(z == ZYDIS_REGISTER_NONE ? "none" : ZydisRegisterGetString(z), a, sizeof a);
	canon_reg(ours, b, sizeof b);
	return !strcmp(a, b);
}

static const char *our_gpr(unsigned reg, unsigned size)
{
	if (reg == AE_R_NONE)
		return "none";
	if (reg == AE_R_RIP)
		return size == 4 ? "eip" : "rip";
	return ae_reg_name(reg, size);
}

static uint64_t low_bits(uint64_t v, unsigned bytes)
{
	return bytes >= 8 || !bytes ? v : v & ((1ull << (bytes * 8)) - 1);
}

static bool same_mem(const ZydisDecodedOperand *z, const ae_insn *in)
{
	const ae_mem *m = &in->mem;
	if (!same_reg_name(z->mem.base, our_gpr(m->base, in->asize)))
		return false;
	if (z->mem.index != ZYDIS_REGISTER_NONE || m->index != AE_R_NONE) {
		if (m->index >= AE_R_VEC && m->index < AE_R_VEC + 32) { /* VSIB: number only */
			ZydisRegisterClass c = ZydisRegisterGetClass(z->mem.index);
			if ((c != ZYDIS_REGCLASS_XMM && c != ZYDIS_REGCLASS_YMM &&
			     c != ZYDIS_REGCLASS_ZMM) ||
			    ZydisRegisterGetId(z->mem.index) != m->index - AE_R_VEC)
				return false;
		} else if (!same_reg_name(z->mem.index, our_gpr(m->index, in->asize))) {
			return false;
		}
		if (z->mem.scale != m->scale)
			return false;
	}
	int64_t zd = z->mem.disp.has_displacement ? z->mem.disp.value : 0;
	if (zd != (int64_t)m->disp)
		return false;
	return same_reg_name(z->mem.segment, ae_reg_name(m->seg, 2));
}

static bool op_match(const ZydisDecodedOperand *z, const ae_insn *in, const ae_operand *o)
{
	switch (z->type) {
	case ZYDIS_OPERAND_TYPE_REGISTER:
		return o->kind == AE_OP_REG && same_reg_name(z->reg.value, ae_reg_name(o->reg, o->size));
	case ZYDIS_OPERAND_TYPE_MEMORY:
		switch (o->kind) {
		case AE_OP_MEM:
			return same_mem(z, in);
		case AE_OP_MOFFS:
			return z->mem.base == ZYDIS_REGISTER_NONE &&
			       low_bits((uint64_t)z->mem.disp.value, in->asize) ==
				       low_bits((uint64_t)in->imm, in->asize);
		case AE_OP_STR_SRC:
		case AE_OP_STR_DST:
			return same_reg_name(z->mem.base, our_gpr(o->kind == AE_OP_STR_SRC ? 6 : 7,
								  in->asize));
		case AE_OP_MEM_REG:
			return same_reg_name(z->mem.base, our_gpr(o->reg, in->asize));
		default:
			return false;
		}
	case ZYDIS_OPERAND_TYPE_IMMEDIATE:
		if (o->kind == AE_OP_REL)
			return z->imm.is_relative && z->imm.value.s == in->imm;
		if (o->kind == AE_OP_IMM2 && o->size == 0) /* the constant 1 of D0/D1 shifts */
			return z->imm.value.u == 1;
		if (o->kind == AE_OP_IMM2)
			return low_bits(z->imm.value.u, 1) == in->imm2;
		if (o->kind != AE_OP_IMM || z->imm.is_relative)
			return false;
		/* The encoded bits only: the two differ in how far they extend some immediates. */
		return low_bits(z->imm.value.u, o->size) == low_bits((uint64_t)in->imm, o->size);
	default:
		return false;
	}
}

/* Operands apxemu may list that Zydis hides or leaves implicit: the implicit registers of
 * the table (rAX of MUL, the string operands), the constant 1 of shifts. */
static bool skippable(const ae_operand *o)
{
	return o->kind == AE_OP_REG || o->kind == AE_OP_STR_SRC || o->kind == AE_OP_STR_DST ||
	       (o->kind == AE_OP_IMM2 && o->size == 0);
}

/* Zydis's explicit operands must all be matched, in order, by apxemu's operands; Zydis's
 * implicit ones may be. apxemu's other operands must be skippable(). Zydis lists the EVEX
 * opmask as an operand; apxemu keeps it in ae_insn.kmask. */
static bool same_operands(const ZydisDecodedInstruction *zi, const ZydisDecodedOperand *zops,
			  const ae_insn *in)
{
	int i = 0;
	for (int j = 0; j < zi->operand_count_visible; j++) {
		const ZydisDecodedOperand *z = &zops[j];
		if (z->visibility == ZYDIS_OPERAND_VISIBILITY_HIDDEN)
			continue;
		if (z->type == ZYDIS_OPERAND_TYPE_REGISTER &&
		    z->encoding == ZYDIS_OPERAND_ENCODING_MASK) {
			if (ZydisRegisterGetId(z->reg.value) != in->kmask)
				return false;
			continue;
		}
		int k = i;
		while (k < in->nops && !op_match(z, in, &in->ops[k]) && skippable(&in->ops[k]))
			k++;
		if (k < in->nops && op_match(z, in, &in->ops[k])) {
			i = k + 1;
			continue;
		}
		if (z->visibility == ZYDIS_OPERAND_VISIBILITY_IMPLICIT)
			continue;
		return false;
	}
	for (; i < in->nops; i++)
		if (!skippable(&in->ops[i]))
			return false;
	return true;
}

/* SDM Vol. 2B XCHG lists 86/87 /r both as "XCHG r/m, r" and as "XCHG r, r/m": either
 * operand order is the instruction. */
static bool same_xchg(const ZydisDecodedInstruction *zi, const ZydisDecodedOperand *zops,
		      const ae_insn *in)
{
	if (zi->mnemonic != ZYDIS_MNEMONIC_XCHG || in->nops != 2)
		return false;
	ae_insn swapped = *in;
	swapped.ops[0] = in->ops[1];
	swapped.ops[1] = in->ops[0];
	return same_operands(zi, zops, &swapped);
}

static void describe_zydis(const ZydisDecodedInstruction *zi, const ZydisDecodedOperand *zops,
			   char *buf, size_t n)
{
	ZydisFormatter fmt;
	ZydisFormatterInit(&fmt, ZYDIS_FORMATTER_STYLE_INTEL);
	char text[256] = "?";
	ZydisFormatterFormatInstruction(&fmt, zi, zops, zi->operand_count_visible, text,
					sizeof text, 0, NULL);
	size_t o = (size_t)snprintf(buf, n, "%u  %s  [", zi->length, text);
	for (int j = 0; j < zi->operand_count_visible && o < n; j++) {
		const ZydisDecodedOperand *z = &zops[j];
		const char *vis = z->visibility == ZYDIS_OPERAND_VISIBILITY_EXPLICIT ? "" : "implicit ";
		if (z->type == ZYDIS_OPERAND_TYPE_REGISTER)
			o += (size_t)snprintf(buf + o, n - o, " %sreg %s;", vis,
					      ZydisRegisterGetString(z->reg.value));
		else if (z->type == ZYDIS_OPERAND_TYPE_MEMORY)
			o += (size_t)snprintf(buf + o, n - o, " %smem %s:%s+%s*%u%+lld;", vis,
					      ZydisRegisterGetString(z->mem.segment),
					      ZydisRegisterGetString(z->mem.base),
					      ZydisRegisterGetString(z->mem.index), z->mem.scale,
					      (long long)z->mem.disp.value);
		else if (z->type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
			o += (size_t)snprintf(buf + o, n - o, " %s%s %#llx;", vis,
					      z->imm.is_relative ? "rel" : "imm",
					      (unsigned long long)z->imm.value.u);
		else
			o += (size_t)snprintf(buf + o, n - o, " %sother;", vis);
	}
	if (o < n)
		snprintf(buf + o, n - o, " ]");
}

static void describe_ours(ae_status st, const ae_insn *in, char *buf, size_t n)
{
	if (st != AE_OK) {
		snprintf(buf, n, "0  %s%s%s", ae_status_name(st), st == AE_UD ? " " : "",
			 st == AE_UD ? ae_ud_reason_name((ae_ud_reason)in->ud) : "");
		return;
	}
	char text[256];
	ae_format(in, AE_SYNTAX_INTEL, 0, 0, text, sizeof text);
	size_t o = (size_t)snprintf(buf, n, "%u  %s  [", in->len, text);
	for (int i = 0; i < in->nops && o < n; i++) {
		const ae_operand *op = &in->ops[i];
		switch (op->kind) {
		case AE_OP_REG:
			o += (size_t)snprintf(buf + o, n - o, " reg %s;", ae_reg_name(op->reg, op->size));
			break;
		case AE_OP_MEM:
			o += (size_t)snprintf(buf + o, n - o, " mem %s:%s+%s*%u%+d;",
					      ae_reg_name(in->mem.seg, 2),
					      our_gpr(in->mem.base, in->asize),
					      in->mem.index >= AE_R_VEC && in->mem.index < AE_R_VEC + 32
						      ? "vec"
						      : our_gpr(in->mem.index, in->asize),
					      in->mem.scale, in->mem.disp);
			break;
		case AE_OP_IMM:
		case AE_OP_REL:
		case AE_OP_MOFFS:
			o += (size_t)snprintf(buf + o, n - o, " %s %#llx/%u;",
					      op->kind == AE_OP_IMM ? "imm" : op->kind == AE_OP_REL ? "rel" : "moffs",
					      (unsigned long long)in->imm, op->size);
			break;
		default:
			o += (size_t)snprintf(buf + o, n - o, " kind%u;", op->kind);
		}
	}
	if (o < n)
		snprintf(buf + o, n - o, " ]");
}

/* Sweeps [p, p+size) linearly; addr is the address of p, for messages. */
static void sweep(const char *bin, uint64_t addr, const uint8_t *p, size_t size, counts *c)
{
	ZydisDecodedInstruction zi;
	ZydisDecodedOperand zops[ZYDIS_MAX_OPERAND_COUNT];
	ae_insn in;
	size_t off = 0;
	c->bytes += size;
	while (off < size) {
		size_t rem = size - off;
		const uint8_t *q = p + off;
		ZyanStatus zst = ZydisDecoderDecodeFull(&zdec, q, rem, &zi, zops);
		ae_status st = ae_decode(&ctx, q, rem, &in);
		bool zok = ZYAN_SUCCESS(zst), ok = st == AE_OK;
		if (zst == ZYDIS_STATUS_NO_MORE_DATA && st == AE_TRUNCATED)
			break; /* the section ends inside an instruction: nothing to compare */
		size_t zlen = zok ? zi.length : 0, len = ok ? in.len : 0;
		c->insns++;
		if (!zok && !ok) {
			c->both_invalid++;
			c->agree++;
			off++;
			continue;
		}
		const char *what = NULL;
		if (zok != ok)
			what = "validity";
		else if (zlen != len)
			what = "length";
		else if (!same_operands(&zi, zops, &in) && !same_xchg(&zi, zops, &in))
			what = "operands";
		if (!what) {
			c->agree++;
			off += len;
			continue;
		}
		size_t step = zlen > len ? zlen : len;
		zdev *d = find_deviation(q, rem, what,
					 zok ? ZydisMnemonicGetString(zi.mnemonic) : NULL);
		if (d) {
			d->used++;
			c->devs++;
		} else {
			c->mismatches++;
			c->m_valid += what[0] == 'v';
			c->m_len += what[0] == 'l';
			c->m_ops += what[0] == 'o';
			char hex[64], zd[512], od[512];
			ou_hex(q, step < 15 ? step : 15, hex, sizeof hex);
			if (zok)
				describe_zydis(&zi, zops, zd, sizeof zd);
			else
				snprintf(zd, sizeof zd, "0  invalid (status %#x)", (unsigned)zst);
			describe_ours(st, &in, od, sizeof od);
			if (printed++ < (unsigned long)print_limit)
				printf("MISMATCH (%s) %s+%#llx: %s\n    zydis:  %s\n    apxemu: %s\n",
				       what, bin, (unsigned long long)(addr + off), hex, zd, od);
			if (report)
				fprintf(report, "%s\t%s\t%s\t%s\t%s+%#llx\n", hex, what, zd, od, bin,
					(unsigned long long)(addr + off));
		}
		off += step;
	}
}

static int sweep_binary(const char *path, size_t sample, counts *all)
{
	ou_elf elf;
	if (ou_elf_load(path, &elf))
		return -1;
	counts c = {0};
	size_t total = 0;
	for (size_t i = 0; i < elf.nsec; i++)
		total += elf.sec[i].size;
	double t0 = ou_now();
	for (size_t i = 0; i < elf.nsec; i++) {
		const ou_section *s = &elf.sec[i];
		if (!sample || total <= sample) {
			sweep(path, s->addr, s->data, s->size, &c);
			continue;
		}
		/* 64 windows over the whole binary, shared out by section size. */
		size_t win = sample / 64 ? sample / 64 : 1;
		size_t nwin = (size_t)((double)s->size / (double)total * 64.0 + 0.5);
		if (!nwin)
			nwin = 1;
		for (size_t w = 0; w < nwin; w++) {
			size_t start = s->size / nwin * w;
			size_t len = s->size - start < win ? s->size - start : win;
			sweep(path, s->addr + start, s->data + start, len, &c);
		}
	}
	printf("%s: %zu code bytes, %lu swept in %.1f s: %lu instructions, %lu agree "
	       "(%lu both invalid), %lu deviations (documented), %lu mismatches\n",
	       path, total, c.bytes, ou_now() - t0, c.insns, c.agree, c.both_invalid, c.devs,
	       c.mismatches);
	fflush(stdout);
	all->insns += c.insns;
	all->agree += c.agree;
	all->both_invalid += c.both_invalid;
	all->devs += c.devs;
	all->mismatches += c.mismatches;
	all->m_valid += c.m_valid;
	all->m_len += c.m_len;
	all->m_ops += c.m_ops;
	all->bytes += c.bytes;
	ou_elf_free(&elf);
	return 0;
}

static int is_x86_64_elf(const char *path)
{
	struct stat st;
	if (stat(path, &st) || !S_ISREG(st.st_mode) || st.st_size < 4096)
		return 0;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	Elf64_Ehdr eh;
	ssize_t n = read(fd, &eh, sizeof eh);
	close(fd);
	return n == (ssize_t)sizeof eh && !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	       eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_machine == EM_X86_64;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int sweep_dir(const char *dir, int count, size_t sample, counts *all)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, by_name);
	if (n < 0) {
		perror(dir);
		return -1;
	}
	char **elfs = calloc((size_t)n, sizeof *elfs);
	int ne = 0, rc = 0;
	for (int i = 0; i < n; i++) {
		char full[4096];
		snprintf(full, sizeof full, "%s/%s", dir, list[i]->d_name);
		struct stat lst;
		/* Symbolic links would sweep the same file twice. */
		if (!lstat(full, &lst) && S_ISREG(lst.st_mode) && is_x86_64_elf(full))
			elfs[ne++] = strdup(full);
		free(list[i]);
	}
	free(list);
	for (int k = 0; k < count && k < ne; k++) {
		int idx = count >= ne ? k : (int)((long)k * ne / count);
		if (sweep_binary(elfs[idx], sample, all))
			rc = -1;
	}
	for (int i = 0; i < ne; i++)
		free(elfs[i]);
	free(elfs);
	return rc;
}

int main(int argc, char **argv)
{
	counts all = {0};
	size_t sample = 0;
	int rc = 0, swept = 0;
	const char *report_path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--deviations") && i + 1 < argc) {
			if (load_deviations(argv[++i]))
				rc = 1;
		} else if (!strcmp(argv[i], "--sample") && i + 1 < argc) {
			sample = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
			print_limit = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--report") && i + 1 < argc) {
			report_path = argv[++i];
		} else if (!strcmp(argv[i], "--bin-dir") && i + 2 < argc) {
			i += 2;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: %s [--deviations FILE] [--sample BYTES] [--limit N] "
					"[--report FILE] [--bin-dir DIR COUNT] [BINARY|@libllvm]...\n",
				argv[0]);
			return 2;
		}
	}
	if (report_path && !(report = fopen(report_path, "w"))) {
		perror(report_path);
		return 2;
	}
	ZydisDecoderInit(&zdec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	ae_decode_ctx_default(&ctx);
	ctx.apx = false;

	double t0 = ou_now();
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--bin-dir")) {
			if (sweep_dir(argv[i + 1], atoi(argv[i + 2]), sample, &all))
				rc = 1;
			swept++;
			i += 2;
		} else if (!strcmp(argv[i], "--deviations") || !strcmp(argv[i], "--sample") ||
			   !strcmp(argv[i], "--limit") || !strcmp(argv[i], "--report")) {
			i++;
		} else if (!strcmp(argv[i], "@libllvm")) {
			const char *p = ou_find_libllvm();
			if (!p) {
				fprintf(stderr, "libLLVM-19 not found\n");
				rc = 1;
			} else if (sweep_binary(p, sample, &all)) {
				rc = 1;
			}
			swept++;
		} else {
			if (sweep_binary(argv[i], sample, &all))
				rc = 1;
			swept++;
		}
	}
	unsigned long unused = 0;
	for (size_t i = 0; i < ndevs; i++)
		unused += !devs[i].used;
	printf("total: %lu bytes swept in %.1f s, %lu instructions compared, %lu agree "
	       "(%lu both invalid), %lu deviations (documented), %lu mismatches "
	       "(%lu validity, %lu length, %lu operands)\n",
	       all.bytes, ou_now() - t0, all.insns, all.agree, all.both_invalid, all.devs,
	       all.mismatches, all.m_valid, all.m_len, all.m_ops);
	if (ndevs)
		printf("deviations: %zu listed, %lu matched nothing in this sweep\n", ndevs, unused);
	if (printed > (unsigned long)print_limit)
		printf("(%lu more mismatches not printed; --report FILE lists them all)\n",
		       printed - (unsigned long)print_limit);
	if (report)
		fclose(report);
	for (size_t i = 0; i < ndevs; i++)
		free(devs[i].text);
	free(devs);
	return rc || !swept || all.mismatches || !all.insns ? 1 : 0;
}
