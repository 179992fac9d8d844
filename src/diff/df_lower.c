/* APX forms checked by lowering: each EVEX map-4 form of a legacy integer instruction (the
 * promoted ALU, shift, INC/DEC/NEG/NOT, IMUL and SHLD/SHRD rows, with their ND and NF
 * variants) is drawn from the table, encoded at random (the decoder judges the bytes), run by
 * apxemu, and compared with a legacy sequence run natively by the host:
 *   ND=0            op  E, src               (the legacy row with the same opcode)
 *   ND=1 (NDD)      mov T, E; op T, src; mov/movzx D, T   (T a scratch register; the NDD
 *                   destination is zero-extended from the operand size, APX spec 3.1.4.1.2)
 *   NF=1            pushfq; ...; popfq       (the flags are left as they were)
 * The legacy opcode is the map-4 opcode in map 0 (map 0F for IMUL, SHLD, SHRD), the operand
 * size comes from EVEX.W and pp=66 as from REX.W and 66. Operands are registers r0-r15 here;
 * the extended GPRs and memory forms are not lowered yet.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ae_gen.h"
#include "apxemu/decoder.h"
#include "apxemu/exec.h"
#include "apxemu/exec_access.h"
#include "df.h"

/* map-4 opcode -> legacy map (0 or 1), or -1 when not lowered */
static int legacy_map(unsigned opc, unsigned reg)
{
	if (opc <= 0x33 && (opc & 7) <= 3 && opc != 0x24 && opc != 0x2c && opc != 0x0b)
		return 0;
	switch (opc) {
	case 0x80: case 0x81: case 0x83: case 0xc0: case 0xc1: case 0xd0: case 0xd1:
	case 0xd2: case 0xd3:
		return 0;
	case 0xf6: case 0xf7:
		return reg == 2 || reg == 3 ? 0 : -1;
	case 0xfe: case 0xff:
		return reg <= 1 ? 0 : -1;
	case 0xaf: case 0x24: case 0x2c: case 0xa5: case 0xad:
		return 1;
	default:
		return -1;
	}
}

static unsigned legacy_opc(unsigned opc)
{
	return opc == 0x24 ? 0xa4 : opc == 0x2c ? 0xac : opc;
}

typedef struct lform {
	uint16_t form;
	uint8_t opc;
} lform;

static unsigned collect(lform *out)
{
	unsigned n = 0;
	for (unsigned f = 0; f < DEC_NFORMS; f++) {
		const dec_form *d = &dec_forms[f];
		if (d->enc != 2 || d->map != 4 || !ae_form_implemented(f))
			continue;
		if (d->attrs & (DA_SCC | DA_PUSH2POP2 | DA_ZU))
			continue;
		bool mem_only = false;
		for (unsigned i = 0; i < d->nops; i++)
			mem_only |= d->ops[i].method == OM_M;
		if (mem_only)
			continue;
		if (legacy_map(d->opc, 0) < 0 && legacy_map(d->opc, 2) < 0 &&
		    legacy_map(d->opc, 3) < 0)
			continue;
		out[n].form = (uint16_t)f;
		out[n].opc = d->opc;
		n++;
	}
	return n;
}

/* Random EVEX map-4 bytes until the decoder says they are form f with registers r0-r15 only
 * and no memory operand. */
static int encode(df_rng *r, const ae_decode_ctx *ctx, const lform *lf, uint8_t *b,
		  ae_insn *in)
{
	for (int tries = 0; tries < 4000; tries++) {
		unsigned n = 0;
		b[n++] = 0x62;
		/* P0: R X B (inverted, random), R4 (inverted, 1: not extended), B4, map 4 */
		b[n++] = (uint8_t)(df_rng_below(r, 8) << 5 | 0x10 | df_rng_below(r, 2) << 3 | 4);
		unsigned w = (unsigned)df_rng_below(r, 2), pp = df_rng_below(r, 4) == 0 ? 1u : 0u;
		unsigned nd = (unsigned)df_rng_below(r, 2), nf = (unsigned)df_rng_below(r, 2);
		unsigned vvvv = nd ? (unsigned)df_rng_below(r, 16) : 0;
		b[n++] = (uint8_t)(w << 7 | ((~vvvv & 15) << 3) | 0x04 | pp);
		b[n++] = (uint8_t)(nd << 4 | 0x08 | nf << 2);
		b[n++] = lf->opc;
		b[n++] = (uint8_t)(0xc0 | df_rng_below(r, 64));
		for (unsigned i = 0; i < 8; i++)
			b[n + i] = (uint8_t)df_rng_next(r);
		if (ae_decode(ctx, b, n + 8, in) != AE_OK || in->form != lf->form)
			continue;
		bool ok = true;
		for (unsigned i = 0; i < in->nops; i++) {
			if (in->ops[i].kind == AE_OP_MEM)
				ok = false;
			if (in->ops[i].kind == AE_OP_REG && (in->ops[i].reg >= 16 || in->ops[i].reg == 4))
				ok = false;
		}
		if (ok && legacy_map(lf->opc, (b[5] >> 3) & 7) >= 0)
			return (int)in->len;
	}
	return -1;
}

/* The legacy sequence. Returns its length; *scratch is the register it clobbers (or -1). */
static unsigned lower(const uint8_t *evex, const ae_insn *in, uint8_t *out, int *scratch)
{
	unsigned p0 = evex[1], p1 = evex[2], p2 = evex[3], opc = evex[4], modrm = evex[5];
	bool W = p1 >> 7, p66 = (p1 & 3) == 1, nd = p2 >> 4 & 1, nf = p2 >> 2 & 1;
	unsigned R = !(p0 >> 7 & 1), B = !(p0 >> 5 & 1);
	unsigned reg = (modrm >> 3 & 7) | R << 3, rm = (modrm & 7) | B << 3;
	unsigned immlen = in->len - 6;
	unsigned n = 0;
	*scratch = -1;
	if (nf)
		out[n++] = 0x9c; /* pushfq */
	/* G is the first source (and the legacy destination) for 02/03-style ALU opcodes and
	 * IMUL; otherwise E is */
	bool rev = (opc <= 0x3b && (opc & 2)) || opc == 0xaf;
	unsigned first = rev ? reg : rm, target = first;
	if (nd) {
		/* a scratch register that the instruction does not name */
		unsigned t = 8;
		while (t == reg || t == rm || t == in->ops[0].reg)
			t++;
		*scratch = (int)t;
		/* mov t, first (64-bit) */
		out[n++] = (uint8_t)(0x48 | (t >> 3) | (first >> 3) << 2);
		out[n++] = 0x89;
		out[n++] = (uint8_t)(0xc0 | (first & 7) << 3 | (t & 7));
		target = t;
	}
	unsigned lreg = rev ? target : reg, lrm = rev ? rm : target;
	if (p66)
		out[n++] = 0x66;
	out[n++] = (uint8_t)(0x40 | W << 3 | (lreg >> 3) << 2 | (lrm >> 3));
	if (legacy_map(opc, reg & 7) == 1)
		out[n++] = 0x0f;
	out[n++] = (uint8_t)legacy_opc(opc);
	out[n++] = (uint8_t)(0xc0 | (lreg & 7) << 3 | (lrm & 7));
	memcpy(out + n, evex + 6, immlen);
	n += immlen;
	if (nd) {
		unsigned d = in->ops[0].reg, size = in->ops[0].size, t = target;
		if (size >= 4) { /* mov d, t at the operand size (32 zero-extends) */
			out[n++] = (uint8_t)(0x40 | (size == 8) << 3 | (t >> 3) << 2 | (d >> 3));
			out[n++] = 0x89;
			out[n++] = (uint8_t)(0xc0 | (t & 7) << 3 | (d & 7));
		} else { /* movzx d32, t8/t16 */
			out[n++] = (uint8_t)(0x40 | (d >> 3) << 2 | (t >> 3));
			out[n++] = 0x0f;
			out[n++] = size == 1 ? 0xb6 : 0xb7;
			out[n++] = (uint8_t)(0xc0 | (d & 7) << 3 | (t & 7));
		}
	}
	if (nf)
		out[n++] = 0x9d; /* popfq */
	return n;
}

int df_lower_run(uint64_t count, uint64_t seed, bool use_host, FILE *log, df_lower_stats *st)
{
	memset(st, 0, sizeof *st);
	if (!use_host) {
		fprintf(log, "apxemu diff --apx: the lowering is checked on the host CPU only\n");
		return -1;
	}
	char err[256];
	df_host *h = df_host_new(err, sizeof err);
	if (!h) {
		fprintf(log, "apxemu diff: %s\n", err);
		return -1;
	}
	lform *forms = calloc(DEC_NFORMS, sizeof *forms);
	bool *seen = calloc(DEC_NFORMS, sizeof *seen);
	uint64_t *div_by = calloc(DEC_NFORMS, sizeof *div_by);
	df_state *pre = malloc(sizeof *pre), *a = malloc(sizeof *a);
	df_outcome *oh = malloc(sizeof *oh);
	ae_cpu *cpu = ae_cpu_new(NULL);
	if (!forms || !seen || !div_by || !pre || !a || !oh || !cpu)
		abort();
	unsigned nforms = collect(forms);
	st->forms_total = nforms;
	ae_mem_map(cpu, DF_CODE_BASE, DF_CODE_SIZE, AE_PROT_R | AE_PROT_X);
	ae_mem_map(cpu, DF_DATA_BASE, DF_DATA_SIZE, AE_PROT_R | AE_PROT_W);
	ae_decode_ctx ctx;
	ae_decode_ctx_default(&ctx);
	df_rng r;
	df_rng_seed(&r, seed);
	unsigned printed = 0;
	for (uint64_t k = 0; k < count && nforms; k++) {
		const lform *lf = &forms[df_rng_below(&r, nforms)];
		uint8_t evex[32], seq[64];
		ae_insn in;
		int len = encode(&r, &ctx, lf, evex, &in);
		if (len < 0) {
			st->skipped++;
			continue;
		}
		int scratch;
		unsigned slen = lower(evex, &in, seq, &scratch);
		if (!(k & 63))
			df_gen_random_state(&r, pre);
		for (unsigned i = 0; i < 16; i++)
			if (df_rng_below(&r, 4) == 0)
				pre->gpr[i] = df_rng_next(&r);
		pre->gpr[4] = DF_STACK;
		pre->rip = DF_CODE_BASE;
		/* 16-bit SHLD/SHRD by more than 16: undefined result (SDM Vol. 2 SHLD) */
		const char *hn = dec_handler_names[dec_forms[lf->form].handler];
		if ((!strcmp(hn, "shld") || !strcmp(hn, "shrd")) && in.ops[0].size == 2) {
			unsigned cnt = (unsigned)((lf->opc & 1) ? pre->gpr[1] : (uint64_t)in.imm) & 31;
			if (cnt > 16) {
				st->skipped++;
				continue;
			}
		}
		/* apxemu runs the APX instruction */
		ae_mem_write(cpu, DF_CODE_BASE, evex, (size_t)len, 0);
		for (unsigned i = 0; i < 32; i++)
			ae_cpu_set(cpu, AE_R_GPR + i, i < 16 ? pre->gpr[i] : 0);
		ae_cpu_set(cpu, AE_R_RIP, DF_CODE_BASE);
		ae_cpu_set_rflags(cpu, pre->rflags);
		ae_exit ex = ae_cpu_run(cpu, 1);
		for (unsigned i = 0; i < 16; i++)
			a->gpr[i] = ae_cpu_get(cpu, AE_R_GPR + i);
		a->rflags = ae_cpu_rflags(cpu);
		/* the host runs the lowering */
		uint64_t term = DF_CODE_BASE + slen;
		df_host_run(h, pre, seq, slen, DF_CODE_BASE, &term, 1, oh);
		if (!oh->ran) {
			st->skipped++;
			continue;
		}
		st->checked++;
		seen[lf->form] = true;
		uint64_t mask = DF_FLAGS_CMP & ~df_undef_mask(lf->form);
		bool bad = (ex == AE_EXIT_FAULT) != (oh->vector >= 0);
		if (!bad && oh->vector < 0) {
			for (unsigned i = 0; i < 16; i++)
				if ((int)i != scratch && a->gpr[i] != oh->st.gpr[i])
					bad = true;
			if ((a->rflags ^ oh->st.rflags) & mask)
				bad = true;
		}
		if (bad && df_known_form(lf->form)) {
			st->skipped++;
			bad = false;
		}
		if (bad) {
			st->divergences++;
			div_by[lf->form]++;
			if (printed++ < 10) {
				char t1[128] = "", t2[64] = "";
				ae_format(&in, AE_SYNTAX_ATT, 0, DF_CODE_BASE, t1, sizeof t1);
				for (unsigned i = 0; i < slen && 3 * i + 4 < sizeof t2; i++)
					snprintf(t2 + 3 * i, sizeof t2 - 3 * i, "%02x ", seq[i]);
				fprintf(log, "APX DIVERGENCE form %u %s: %s (lowered: %s)\n", lf->form,
					ae_form_mnemonic(lf->form), t1, t2);
				for (unsigned i = 0; i < 16; i++)
					if ((int)i != scratch && a->gpr[i] != oh->st.gpr[i])
						fprintf(log, "  gpr%u: before %#" PRIx64 " apxemu %#" PRIx64
							     " host %#" PRIx64 "\n",
							i, pre->gpr[i], a->gpr[i], oh->st.gpr[i]);
				fprintf(log, "  rflags: before %#" PRIx64 " apxemu %#" PRIx64
					     " host %#" PRIx64 " (compared %#" PRIx64 ")\n",
					pre->rflags & DF_FLAGS_CMP, a->rflags & DF_FLAGS_CMP,
					oh->st.rflags & DF_FLAGS_CMP, mask);
			}
		}
	}
	for (unsigned i = 0; i < DEC_NFORMS; i++)
		st->forms_checked += seen[i];
	fprintf(log, "apxemu diff --apx: seed %#" PRIx64 ", %" PRIu64 " APX instructions checked "
		     "against their legacy lowering on the host, %u of %u lowerable EVEX map-4 "
		     "forms covered, %" PRIu64 " divergences, %" PRIu64 " not encodable/run\n",
		seed, st->checked, st->forms_checked, st->forms_total, st->divergences,
		st->skipped);
	for (unsigned f = 0; f < DEC_NFORMS; f++)
		if (div_by[f])
			fprintf(log, "  form %u %s: %" PRIu64 " divergences\n", f, ae_form_mnemonic(f),
				div_by[f]);
	ae_cpu_free(cpu);
	df_host_free(h);
	free(forms);
	free(seen);
	free(div_by);
	free(pre);
	free(a);
	free(oh);
	return st->divergences > INT32_MAX ? INT32_MAX : (int)st->divergences;
}
