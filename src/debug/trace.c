/* Instruction traces: one line per executed instruction with what it wrote.
 *
 * Effects are found by difference: the registers whose value changed (GPRs r0-r31, the
 * FS/GS bases, vector registers, MXCSR), RFLAGS whenever the form writes flags (isa/ column
 * "flags written") and the instruction is not an NF form, or when it changed; and the memory
 * writes recorded while the instruction ran, each with its size taken from the instruction
 * (the memory operand's size, the string element, or the stack slot) and the value in memory
 * after it. The three layouts are described in notes/debug.md.
 */
#include <ctype.h>
#include <string.h>

#include "ae_gen.h"
#include "dbg_internal.h"

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

/* A register effect: name and value as text. */
typedef struct effect {
	char name[12];
	char value[132];
} effect;

static void hex_bytes_le(char *out, const uint8_t *b, unsigned n)
{
	/* a little-endian quantity, most significant byte first */
	char *p = out;
	p += sprintf(p, "0x");
	unsigned top = n;
	while (top > 1 && !b[top - 1])
		top--;
	bool lead = true;
	for (unsigned i = top; i-- > 0;) {
		if (lead) {
			p += sprintf(p, "%x", b[i]);
			lead = false;
		} else {
			p += sprintf(p, "%02x", b[i]);
		}
	}
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
			snprintf(e[n].value, sizeof e[n].value, "0x%llx",
				 (unsigned long long)cpu->gpr[r]);
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
		snprintf(e[n].name, sizeof e[n].name, "rflags");
		snprintf(e[n].value, sizeof e[n].value, "0x%llx", (unsigned long long)fl);
		n++;
	}
	for (unsigned v = 0; v < 32; v++) {
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
		ae_format(in, AE_SYNTAX_INTEL, AE_FMT_ABS_BRANCH, d->pend_rip, text, sizeof text);
		fprintf(f, "INS 0x%016llx %-10s %s", (unsigned long long)d->pend_rip,
			dbg_ext_name(in, ext, sizeof ext), text);
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
		if (fault)
			fprintf(f, "EXCEPTION %s at 0x%016llx\n", vector_name(fault->vector),
				(unsigned long long)d->pend_rip);
		break;
	case AE_TRACE_JSONL: {
		ae_format(in, AE_SYNTAX_ATT, AE_FMT_ABS_BRANCH, d->pend_rip, text, sizeof text);
		fprintf(f, "{\"n\":%llu,\"rip\":\"0x%llx\",\"bytes\":\"", (unsigned long long)d->pend_n,
			(unsigned long long)d->pend_rip);
		for (unsigned i = 0; i < in->len; i++)
			fprintf(f, "%02x", d->pend_bytes[i]);
		fprintf(f, "\",\"asm\":");
		json_str(f, text);
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
		ae_format(in, AE_SYNTAX_ATT, AE_FMT_ABS_BRANCH, d->pend_rip, text, sizeof text);
		char hex[48];
		unsigned k = 0;
		for (unsigned i = 0; i < in->len && k + 4 < sizeof hex; i++)
			k += (unsigned)sprintf(hex + k, i ? " %02x" : "%02x", d->pend_bytes[i]);
		fprintf(f, "%llu 0x%llx: %-30s %s", (unsigned long long)d->pend_n,
			(unsigned long long)d->pend_rip, hex, text);
		if (ne || ns || fault)
			fputs("  |", f);
		for (unsigned i = 0; i < ne; i++)
			fprintf(f, " %s=%s", eff[i].name, eff[i].value);
		for (unsigned i = 0; i < ns; i++) {
			if (!sp[i].write)
				continue;
			char v[140];
			span_value(cpu, &sp[i], v);
			fprintf(f, " [0x%llx]:%u=%s", (unsigned long long)sp[i].addr, sp[i].size, v);
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
