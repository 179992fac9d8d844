/* The instruction mix: executed instructions counted by table form; the tables by mnemonic
 * and by ISA extension (the form's CPUID feature) are sums over forms. APX is also counted
 * per executed instance, one counter per sub-feature: EGPR (an operand or address register
 * among r16-r31), NDD, NF, CCMP/CTEST, CFCMOV, PUSH2/POP2, PPX, JMPABS, ZU; an instruction
 * can count in several, and once in "APX (any)". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ae_gen.h"
#include "dbg_internal.h"

enum { A_EGPR, A_NDD, A_NF, A_CCMP, A_CFCMOV, A_PUSH2POP2, A_PPX, A_JMPABS, A_ZU, A_N };
static const char *const apx_names[A_N] = {
	"EGPR", "NDD", "NF", "CCMP/CTEST", "CFCMOV", "PUSH2/POP2", "PPX", "JMPABS", "ZU",
};
enum { K_CCMP = 1, K_CFCMOV = 2, K_PUSH2POP2 = 4, K_PPX = 8, K_JMPABS = 16 };

struct dbg_mix {
	uint64_t total, apx_any, apx[A_N];
	uint64_t *form;	  /* by form */
	char **shape;	  /* operand shape of the first executed instance of each form */
	uint8_t *kind;	  /* static APX kind of each form (K_*) */
};

static const char *form_mnem(unsigned f)
{
	return ae_form_mnemonic(f);
}

dbg_mix *dbg_mix_new(void)
{
	dbg_mix *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->form = calloc(DEC_NFORMS, sizeof *m->form);
	m->shape = calloc(DEC_NFORMS, sizeof *m->shape);
	m->kind = calloc(DEC_NFORMS, 1);
	if (!m->form || !m->shape || !m->kind) {
		dbg_mix_free(m);
		return NULL;
	}
	for (unsigned f = 0; f < DEC_NFORMS; f++) {
		const char *h = dec_handler_names[dec_forms[f].handler];
		const char *mn = form_mnem(f);
		uint8_t k = 0;
		if (!strcmp(h, "ccmp") || !strcmp(h, "ctest"))
			k |= K_CCMP;
		if (!strncmp(h, "cfcmov", 6))
			k |= K_CFCMOV;
		if (dec_forms[f].attrs & DA_PUSH2POP2)
			k |= K_PUSH2POP2;
		if (!strcmp(mn, "pushp") || !strcmp(mn, "popp") || !strcmp(mn, "push2p") ||
		    !strcmp(mn, "pop2p"))
			k |= K_PPX;
		if (dec_forms[f].attrs & DA_JMPABS)
			k |= K_JMPABS;
		m->kind[f] = k;
	}
	return m;
}

void dbg_mix_free(dbg_mix *m)
{
	if (!m)
		return;
	if (m->shape)
		for (unsigned f = 0; f < DEC_NFORMS; f++)
			free(m->shape[f]);
	free(m->shape);
	free(m->form);
	free(m->kind);
	free(m);
}

static bool egpr(unsigned r)
{
	return r >= 16 && r < 32;
}

/* "r64, r/m64"-like text from an instance's operands. */
static char *shape_of(const ae_insn *in)
{
	char buf[96];
	size_t k = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < in->nops && k + 16 < sizeof buf; i++) {
		const ae_operand *o = &in->ops[i];
		const char *sep = i ? "," : "";
		switch (o->kind) {
		case AE_OP_REG:
			if (o->reg < 32 || (o->reg >= AE_R_AH && o->reg < AE_R_AH + 4))
				k += (size_t)snprintf(buf + k, sizeof buf - k, "%sr%u", sep, o->size * 8);
			else if (o->reg >= AE_R_VEC && o->reg < AE_R_VEC + 32)
				k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", sep,
						      o->size == 64 ? "zmm" : o->size == 32 ? "ymm" : "xmm");
			else
				k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", sep,
						      ae_reg_name(o->reg, o->size));
			break;
		case AE_OP_MEM:
			if (in->memsz) /* LEA and the like name an address, not a sized operand */
				k += (size_t)snprintf(buf + k, sizeof buf - k, "%sm%u", sep, in->memsz * 8);
			else
				k += (size_t)snprintf(buf + k, sizeof buf - k, "%sm", sep);
			break;
		case AE_OP_IMM:
		case AE_OP_IMM2:
			if (o->size) /* the implicit 1 of D0/D1 /r has no size */
				k += (size_t)snprintf(buf + k, sizeof buf - k, "%simm%u", sep, o->size * 8);
			else
				k += (size_t)snprintf(buf + k, sizeof buf - k, "%s1", sep);
			break;
		case AE_OP_REL:
			k += (size_t)snprintf(buf + k, sizeof buf - k, "%srel%u", sep, o->size * 8);
			break;
		case AE_OP_MOFFS:
			k += (size_t)snprintf(buf + k, sizeof buf - k, "%smoffs", sep);
			break;
		default:
			k += (size_t)snprintf(buf + k, sizeof buf - k, "%sm", sep);
			break;
		}
	}
	return strdup(buf);
}

void dbg_mix_count(dbg_mix *m, const ae_insn *in)
{
	unsigned f = in->form;
	if (!m->form[f]++)
		m->shape[f] = shape_of(in);
	m->total++;
	uint32_t attrs = (uint32_t)dec_forms[f].attrs;
	unsigned kind = m->kind[f];
	bool any = kind != 0 || in->enc == AE_ENC_REX2 || (in->enc == AE_ENC_EVEX && in->map == 4);
	bool eg = false;
	for (unsigned i = 0; i < in->nops; i++) {
		const ae_operand *o = &in->ops[i];
		if ((o->kind == AE_OP_REG || o->kind == AE_OP_MEM_REG) && egpr(o->reg))
			eg = true;
		if (o->kind == AE_OP_MEM && (egpr(in->mem.base) || egpr(in->mem.index)))
			eg = true;
	}
	if (eg)
		m->apx[A_EGPR]++, any = true;
	if ((in->flags & AE_F_ND) && (attrs & DA_ND))
		m->apx[A_NDD]++, any = true;
	if ((in->flags & AE_F_ND) && (attrs & DA_ZU))
		m->apx[A_ZU]++, any = true;
	if ((in->flags & AE_F_NF) && (attrs & DA_NF))
		m->apx[A_NF]++, any = true;
	if (kind & K_CCMP)
		m->apx[A_CCMP]++;
	if (kind & K_CFCMOV)
		m->apx[A_CFCMOV]++;
	if (kind & K_PUSH2POP2)
		m->apx[A_PUSH2POP2]++;
	if (kind & K_PPX)
		m->apx[A_PPX]++;
	if (kind & K_JMPABS)
		m->apx[A_JMPABS]++;
	if (any)
		m->apx_any++;
}

/* --- reports ----------------------------------------------------------------------------- */

typedef struct row {
	char name[112];
	uint64_t n;
	unsigned form;
} row;

static int by_count(const void *a, const void *b)
{
	const row *x = a, *y = b;
	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->name, y->name);
}

static unsigned add_row(row *rows, unsigned n, const char *name, uint64_t count, unsigned form)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(rows[i].name, name)) {
			rows[i].n += count;
			return n;
		}
	snprintf(rows[n].name, sizeof rows[n].name, "%s", name);
	rows[n].n = count;
	rows[n].form = form;
	return n + 1;
}

static void feature_name(unsigned f, char *buf, size_t len)
{
	const char *s = ae_feature_name(ae_form_feature(f));
	size_t i = 0;
	for (; s && s[i] && i + 1 < len; i++)
		buf[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	buf[i] = 0;
}

static const char *enc_name(unsigned f, char *buf, size_t len)
{
	const dec_form *df = &dec_forms[f];
	static const char *const space[] = {"legacy", "vex", "evex", "xop"};
	static const char *const legacy_map[] = {"", "0f ", "0f38 ", "0f3a "};
	const char *sp = df->enc < 4 ? space[df->enc] : "?";
	if (df->enc == 0 && df->map < 4)
		snprintf(buf, len, "legacy %s%02x", legacy_map[df->map], df->opc);
	else if (df->map)
		snprintf(buf, len, "%s.map%u %02x", sp, df->map, df->opc);
	else
		snprintf(buf, len, "%s %02x", sp, df->opc);
	return buf;
}

/* kind 0: mnemonic, 1: extension, 2: form. Returns the number of rows (sorted). */
static unsigned table(const dbg_mix *m, int kind, row **out)
{
	row *rows = calloc(DEC_NFORMS + A_N + 2, sizeof *rows);
	unsigned n = 0;
	if (!rows) {
		*out = NULL;
		return 0;
	}
	for (unsigned f = 0; f < DEC_NFORMS; f++) {
		if (!m->form[f])
			continue;
		char name[112], e[40];
		if (kind == 0) {
			n = add_row(rows, n, form_mnem(f), m->form[f], f);
		} else if (kind == 1) {
			feature_name(f, name, sizeof name);
			n = add_row(rows, n, name, m->form[f], f);
		} else {
			snprintf(name, sizeof name, "%s %s %s", enc_name(f, e, sizeof e), form_mnem(f),
				 m->shape[f] ? m->shape[f] : "");
			snprintf(rows[n].name, sizeof rows[n].name, "%s", name);
			rows[n].n = m->form[f];
			rows[n].form = f;
			n++;
		}
	}
	if (kind == 1) {
		if (m->apx_any)
			n = add_row(rows, n, "APX (any)", m->apx_any, 0);
		for (unsigned a = 0; a < A_N; a++)
			if (m->apx[a]) {
				char name[40];
				snprintf(name, sizeof name, "APX.%s", apx_names[a]);
				n = add_row(rows, n, name, m->apx[a], 0);
			}
	}
	qsort(rows, n, sizeof *rows, by_count);
	*out = rows;
	return n;
}

void ae_debug_print_mix(const ae_debug *d, FILE *out)
{
	const dbg_mix *m = d->mix;
	if (!m)
		return;
	static const char *const titles[] = {"mnemonic", "extension", "form"};
	fprintf(out, "# apxemu instruction mix: %llu instructions\n", (unsigned long long)m->total);
	for (int kind = 0; kind < 3; kind++) {
		row *rows;
		unsigned n = table(m, kind, &rows);
		fprintf(out, "#\n# by %s%s\n", titles[kind],
			kind == 1 ? " (APX sub-features counted apart; an instruction may have several)"
				  : "");
		fprintf(out, "%-56s %14s %7s\n", titles[kind], "count", "%");
		for (unsigned i = 0; i < n; i++)
			fprintf(out, "%-56s %14llu %7.3f\n", rows[i].name, (unsigned long long)rows[i].n,
				m->total ? 100.0 * (double)rows[i].n / (double)m->total : 0.0);
		free(rows);
	}
	fprintf(out, "%-56s %14llu\n", "*total", (unsigned long long)m->total);
}

static void json_row_list(FILE *f, const row *rows, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "%s\n    \"%s\": %llu", i ? "," : "", rows[i].name,
			(unsigned long long)rows[i].n);
}

int ae_debug_write_mix_json(const ae_debug *d, const char *path)
{
	const dbg_mix *m = d->mix;
	if (!m) {
		errno = EINVAL;
		return -1;
	}
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	row *rows;
	fprintf(f, "{\n  \"total\": %llu,\n  \"mnemonics\": {", (unsigned long long)m->total);
	unsigned n = table(m, 0, &rows);
	json_row_list(f, rows, n);
	free(rows);
	fprintf(f, "\n  },\n  \"extensions\": {");
	n = table(m, 1, &rows);
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++)
		if (strncmp(rows[i].name, "APX.", 4) && strcmp(rows[i].name, "APX (any)"))
			fprintf(f, "%s\n    \"%s\": %llu", k++ ? "," : "", rows[i].name,
				(unsigned long long)rows[i].n);
	free(rows);
	fprintf(f, "\n  },\n  \"apx\": {\n    \"any\": %llu", (unsigned long long)m->apx_any);
	for (unsigned a = 0; a < A_N; a++)
		fprintf(f, ",\n    \"%s\": %llu", apx_names[a], (unsigned long long)m->apx[a]);
	fprintf(f, "\n  },\n  \"forms\": [");
	n = table(m, 2, &rows);
	for (unsigned i = 0; i < n; i++) {
		char e[40];
		unsigned fm = rows[i].form;
		fprintf(f, "%s\n    {\"form\": %u, \"encoding\": \"%s\", \"mnemonic\": \"%s\", "
			   "\"operands\": \"%s\", \"count\": %llu}",
			i ? "," : "", fm, enc_name(fm, e, sizeof e), form_mnem(fm),
			m->shape[fm] ? m->shape[fm] : "", (unsigned long long)rows[i].n);
	}
	free(rows);
	fprintf(f, "\n  ]\n}\n");
	return fclose(f) ? -1 : 0;
}
