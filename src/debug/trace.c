/* Instruction traces: one line per executed instruction with what it wrote.
 *
 * Effects are found by difference: the registers whose value changed (GPRs r0-r31, the
 * FS/GS bases, vector registers for forms that can write them, MXCSR), RFLAGS whenever the form writes flags (isa/ column
 * "flags written") and the instruction is not an NF form, or when it changed; and the memory
 * writes recorded while the instruction ran, each with its size taken from the instruction
 * (the memory operand's size, the string element, or the stack slot) and the value in memory
 * after it. The three layouts are described in docs/debug.md.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "dbg_internal.h"

/* Whether instructions of a form can write vector registers: a vector register among its
 * operands (V, W, U, H, L, the fixed XMM0), an exit to the environment, a system call
 * (rt_sigreturn restores them), or a form that writes them implicitly (XRSTOR, FXRSTOR,
 * VZEROUPPER, VZEROALL). For the others the trace neither copies nor compares the 2 KiB
 * vector file. */
static bool form_writes_vec(const dec_form *f)
{
	static const char *const implicit[] = {"syscall", "sysenter", "int",	   "xrstor",
					       "xrstors", "fxrstor",  "zeroupper", "zeroall"};
	if (f->exit != DX_NONE)
		return true;
	for (unsigned i = 0; i < f->nops && i < 5; i++) {
		unsigned m = f->ops[i].method;
		if (m == OM_V || m == OM_W || m == OM_U || m == OM_H || m == OM_L ||
		    (m == OM_FIXED && f->ops[i].type == OF_XMM0))
			return true;
	}
	for (unsigned i = 0; i < sizeof implicit / sizeof implicit[0]; i++)
		if (!strcmp(dec_handler_names[f->handler], implicit[i]))
			return true;
	return false;
}

int dbg_trace_init(ae_debug *d)
{
	for (unsigned i = 0; i < DEC_NFORMS; i++)
		d->form_vec[i] = form_writes_vec(&dec_forms[i]);
	d->fmt = calloc(DBG_FMT_CACHE, sizeof *d->fmt);
	return d->fmt ? 0 : -1;
}

/* The text of the pending instruction, from the cache of formatted instructions (keyed by
 * address and bytes; a trace repeats the same instructions in its loops). */
static const char *insn_text(ae_debug *d, ae_syntax syntax, char *buf, size_t len)
{
	const ae_insn *in = &d->pend_insn;
	dbg_fmt *e = &d->fmt[(d->pend_rip ^ d->pend_rip >> 11) & (DBG_FMT_CACHE - 1)];
	if (e->len == in->len && e->rip == d->pend_rip &&
	    !memcmp(e->bytes, d->pend_bytes, sizeof e->bytes))
		return e->text;
	ae_format(in, syntax, AE_FMT_ABS_BRANCH, d->pend_rip, buf, len);
	if (strlen(buf) < sizeof e->text) {
		e->rip = d->pend_rip;
		e->len = in->len;
		memcpy(e->bytes, d->pend_bytes, sizeof e->bytes);
		strcpy(e->text, buf);
	}
	return buf;
}

void dbg_trace_begin(ae_debug *d, ae_cpu *cpu, const ae_insn *in)
{
	memset(d->pend_bytes, 0, sizeof d->pend_bytes);
	ae_mem_read(cpu, d->pend_rip, d->pend_bytes, in->len, 0);
	dbg_snapshot *s = &d->snap;
	memcpy(s->gpr, cpu->gpr, sizeof s->gpr);
	s->rflags = exec_flags(cpu);
	s->fs_base = cpu->fs_base;
	s->gs_base = cpu->gs_base;
	s->mxcsr = cpu->mxcsr;
	s->has_vec = d->form_vec[in->form];
	if (s->has_vec)
		memcpy(s->vec, cpu->vec, sizeof s->vec);
}

const char *dbg_ext_name(const ae_insn *in, char *buf, size_t len)
{
	if (in->enc == AE_ENC_EVEX && in->map == 4)
		return "APXEVEX";
	if (in->enc == AE_ENC_REX2)
		return "APXLEGACY";
	const char *f = ae_feature_name(ae_form_feature(in->form));
	size_t i = 0;
	for (; f && f[i] && i + 1 < len; i++)
		buf[i] = f[i] == '.' || f[i] == '-' ? '_' : (char)toupper((unsigned char)f[i]);
	buf[i] = 0;
	return buf;
}

static const char hexd[] = "0123456789abcdef";

/* Writes s at p (NUL-terminated); returns the end. */
static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);
	memcpy(p, s, n + 1);
	return p + n;
}

/* Writes 0x and v in hex without leading zeros. */
static char *put_hex(char *p, uint64_t v)
{
	char t[16];
	unsigned n = 0;
	do
		t[n++] = hexd[v & 15];
	while (v >>= 4);
	*p++ = '0';
	*p++ = 'x';
	while (n)
		*p++ = t[--n];
	*p = 0;
	return p;
}

static char *put_dec(char *p, uint64_t v)
{
	char t[20];
	unsigned n = 0;
	do
		t[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		*p++ = t[--n];
	*p = 0;
	return p;
}

/* A register effect: name and value as text. */
typedef struct effect {
	char name[12];
	char value[132];
} effect;

static void hex_bytes_le(char *out, const uint8_t *b, unsigned n)
{
	/* a little-endian quantity, most significant byte first, without leading zeros */
	char *p = out;
	*p++ = '0';
	*p++ = 'x';
	unsigned top = n;
	while (top > 1 && !b[top - 1])
		top--;
	for (unsigned i = top; i-- > 0;) {
		if (i != top - 1 || b[i] >> 4)
			*p++ = hexd[b[i] >> 4];
		*p++ = hexd[b[i] & 15];
	}
	*p = 0;
}

static bool zero(const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static unsigned effects(ae_debug *d, ae_cpu *cpu, effect *e)
{
	const dbg_snapshot *s = &d->snap;
	const ae_insn *in = &d->pend_insn;
	unsigned n = 0;
	for (unsigned r = 0; r < 32; r++)
		if (cpu->gpr[r] != s->gpr[r]) {
			snprintf(e[n].name, sizeof e[n].name, "%s", ae_reg_name(r, 8));
			put_hex(e[n].value, cpu->gpr[r]);
			n++;
		}
	if (cpu->fs_base != s->fs_base) {
		snprintf(e[n].name, sizeof e[n].name, "fs_base");
		snprintf(e[n].value, sizeof e[n].value, "0x%llx", (unsigned long long)cpu->fs_base);
		n++;
	}
	if (cpu->gs_base != s->gs_base) {
		snprintf(e[n].name, sizeof e[n].name, "gs_base");
		snprintf(e[n].value, sizeof e[n].value, "0x%llx", (unsigned long long)cpu->gs_base);
		n++;
	}
	uint64_t fl = exec_flags(cpu);
	bool nf = (in->flags & AE_F_NF) != 0;
	if (fl != s->rflags || (dec_forms[in->form].flags_w && !nf)) {
		strcpy(e[n].name, "rflags");
		put_hex(e[n].value, fl);
		n++;
	}
	for (unsigned v = 0; v < 32 && s->has_vec; v++) {
		if (!memcmp(cpu->vec[v], s->vec[v], 64))
			continue;
		unsigned size = 64;
		if (zero(cpu->vec[v] + 16, 48) && zero(s->vec[v] + 16, 48))
			size = 16;
		else if (zero(cpu->vec[v] + 32, 32) && zero(s->vec[v] + 32, 32))
			size = 32;
		snprintf(e[n].name, sizeof e[n].name, "%s", ae_reg_name(AE_R_VEC + v, size));
		hex_bytes_le(e[n].value, cpu->vec[v], size);
		n++;
	}
	if (cpu->mxcsr != s->mxcsr) {
		snprintf(e[n].name, sizeof e[n].name, "mxcsr");
		snprintf(e[n].value, sizeof e[n].value, "0x%x", cpu->mxcsr);
		n++;
	}
	return n;
}

/* The value of a memory span after the instruction, as text. */
static void span_value(ae_cpu *cpu, const dbg_span *sp, char *out)
{
	uint8_t b[64] = {0};
	unsigned n = sp->size > sizeof b ? (unsigned)sizeof b : sp->size;
	if (ae_mem_read(cpu, sp->addr, b, n, 0)) {
		strcpy(out, "?");
		return;
	}
	hex_bytes_le(out, b, n);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static const char *vector_name(unsigned v)
{
	static const char *const names[] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "?", "#TS",
		"#NP", "#SS", "#GP", "#PF", "?", "#MF", "#AC", "#MC", "#XM",
	};
	return v < sizeof names / sizeof names[0] ? names[v] : "?";
}

void dbg_trace_end(ae_debug *d, ae_cpu *cpu, const ae_fault *fault)
{
	FILE *f = d->trace;
	const ae_insn *in = &d->pend_insn;
	effect eff[80];
	unsigned ne = fault ? 0 : effects(d, cpu, eff);
	dbg_span sp[DBG_MAX_ACC];
	unsigned ns = fault ? 0 : dbg_spans(d, sp, DBG_MAX_ACC);
	char text[160], ext[32];
	d->pend_trace = false;
	d->lines++;

	switch (d->o.trace_format) {
	case AE_TRACE_SDE:
		fprintf(f, "INS 0x%016llx %-10s %s", (unsigned long long)d->pend_rip,
			dbg_ext_name(in, ext, sizeof ext),
			insn_text(d, AE_SYNTAX_INTEL, text, sizeof text));
		for (unsigned i = 0; i < ne; i++)
			fprintf(f, "%s%s = %s", i ? ", " : " | ", eff[i].name, eff[i].value);
		fputc('\n', f);
		for (unsigned i = 0; i < ns; i++) {
			if (!sp[i].write)
				continue;
			char v[140];
			span_value(cpu, &sp[i], v);
			fprintf(f, "Write *(UINT%u*)0x%016llx = %s\n", sp[i].size * 8,
				(unsigned long long)sp[i].addr, v);
		}
		if (fault && fault->vector == AE_EXC_PF)
			fprintf(f, "EXCEPTION %s at 0x%016llx, data address 0x%016llx\n",
				vector_name(fault->vector), (unsigned long long)d->pend_rip,
				(unsigned long long)fault->addr);
		else if (fault)
			fprintf(f, "EXCEPTION %s at 0x%016llx\n", vector_name(fault->vector),
				(unsigned long long)d->pend_rip);
		break;
	case AE_TRACE_JSONL: {
		fprintf(f, "{\"n\":%llu,\"rip\":\"0x%llx\",\"bytes\":\"", (unsigned long long)d->pend_n,
			(unsigned long long)d->pend_rip);
		for (unsigned i = 0; i < in->len; i++)
			fprintf(f, "%02x", d->pend_bytes[i]);
		fprintf(f, "\",\"asm\":");
		json_str(f, insn_text(d, AE_SYNTAX_ATT, text, sizeof text));
		fprintf(f, ",\"mnemonic\":\"%s\",\"ext\":\"%s\",\"regs\":{",
			ae_form_mnemonic(in->form), dbg_ext_name(in, ext, sizeof ext));
		for (unsigned i = 0; i < ne; i++)
			fprintf(f, "%s\"%s\":\"%s\"", i ? "," : "", eff[i].name, eff[i].value);
		fprintf(f, "},\"mem\":[");
		unsigned k = 0;
		for (unsigned i = 0; i < ns; i++) {
			if (!sp[i].write)
				continue;
			char v[140];
			span_value(cpu, &sp[i], v);
			fprintf(f, "%s{\"addr\":\"0x%llx\",\"size\":%u,\"value\":\"%s\"}", k++ ? "," : "",
				(unsigned long long)sp[i].addr, sp[i].size, v);
		}
		fputc(']', f);
		if (fault)
			fprintf(f, ",\"fault\":{\"vector\":%u,\"name\":\"%s\",\"addr\":\"0x%llx\"}",
				fault->vector, vector_name(fault->vector),
				(unsigned long long)fault->addr);
		fprintf(f, "}\n");
		break;
	}
	default: {
		/* the common line is built by hand: printf is most of the cost of a trace */
		char line[512], *p = line;
		p = put_dec(p, d->pend_n);
		p = put_str(p, " ");
		p = put_hex(p, d->pend_rip);
		p = put_str(p, ": ");
		char *col = p;
		for (unsigned i = 0; i < in->len && i < 15; i++) {
			if (i)
				*p++ = ' ';
			*p++ = hexd[d->pend_bytes[i] >> 4];
			*p++ = hexd[d->pend_bytes[i] & 15];
		}
		while (p < col + 30)
			*p++ = ' ';
		*p++ = ' ';
		*p = 0;
		fputs(line, f);
		fputs(insn_text(d, AE_SYNTAX_ATT, text, sizeof text), f);
		p = line;
		*p = 0;
		if (ne || ns || fault)
			p = put_str(p, "  |");
		for (unsigned i = 0; i < ne; i++) {
			if (p > line + sizeof line - 200) {
				fputs(line, f);
				p = line;
			}
			*p = 0;
			*p++ = ' ';
			p = put_str(p, eff[i].name);
			*p++ = '=';
			p = put_str(p, eff[i].value);
		}
		fputs(line, f);
		for (unsigned i = 0; i < ns; i++) {
			if (!sp[i].write)
				continue;
			char v[140];
			span_value(cpu, &sp[i], v);
			p = put_str(line, " [");
			p = put_hex(p, sp[i].addr);
			p = put_str(p, "]:");
			p = put_dec(p, sp[i].size);
			*p++ = '=';
			p = put_str(p, v);
			fputs(line, f);
		}
		if (fault) {
			fprintf(f, " %s", vector_name(fault->vector));
			if (fault->vector == AE_EXC_PF)
				fprintf(f, " at 0x%llx", (unsigned long long)fault->addr);
		}
		if (d->acc_lost)
			fprintf(f, " (+%u more writes)", d->acc_lost);
		fputc('\n', f);
		break;
	}
	}
}
