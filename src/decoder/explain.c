/* ae_explain(): every field of one encoding, by name, for people learning the encodings. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dec_internal.h"

typedef struct xbuf {
	char *p;
	size_t cap, n;
} xbuf;

static void xf(xbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void xf(xbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (k < 0)
		return;
	for (int i = 0; i < k && tmp[i]; i++) {
		if (b->n + 1 < b->cap)
			b->p[b->n] = tmp[i];
		b->n++;
	}
}

static void bytes_at(xbuf *b, const dec_state *st, int pos, unsigned n)
{
	for (unsigned i = 0; i < n && pos >= 0 && (size_t)pos + i < st->len; i++)
		xf(b, "%02x%s", st->b[pos + (int)i], i + 1 < n ? " " : "");
}

static const char *prefix_name(uint8_t c)
{
	switch (c) {
	case 0x66: return "operand-size override (66)";
	case 0x67: return "address-size override (67)";
	case 0xf0: return "LOCK";
	case 0xf2: return "REPNE/F2 (mandatory prefix or BND/XACQUIRE)";
	case 0xf3: return "REP/F3 (mandatory prefix or XRELEASE)";
	case 0x26: return "ES segment override (ignored in 64-bit mode)";
	case 0x2e: return "CS segment override (ignored in 64-bit mode; branch hint)";
	case 0x36: return "SS segment override (ignored in 64-bit mode)";
	case 0x3e: return "DS segment override (ignored in 64-bit mode; NOTRACK on indirect branches)";
	case 0x64: return "FS segment override";
	case 0x65: return "GS segment override";
	default: return "?";
	}
}

static const char *const pp_names[4] = {"none", "66", "F3", "F2"};

size_t ae_explain(const ae_decode_ctx *ctx, const uint8_t *bytes, size_t len, char *buf,
		  size_t buflen)
{
	xbuf b = {buf, buflen, 0};
	ae_insn in;
	dec_state st;
	ae_status s = dec_run(ctx, bytes, len, &in, &st);
	size_t shown = st.pos < len ? st.pos : len;
	xf(&b, "bytes:      ");
	bytes_at(&b, &st, 0, (unsigned)(s == AE_OK ? in.len : shown));
	xf(&b, "\n");
	size_t k = 0;
	for (; k < len && k < 15; k++) {
		uint8_t c = bytes[k];
		if ((int)k == st.rex_pos || (int)k == st.rex2_pos || (int)k == st.vex_pos)
			break;
		if ((c & 0xf0) == 0x40) {
			xf(&b, "prefix:     %02x  REX ignored (not the last prefix)\n", c);
			continue;
		}
		if (!strcmp(prefix_name(c), "?"))
			break;
		xf(&b, "prefix:     %02x  %s\n", c, prefix_name(c));
	}
	if (st.rex_pos >= 0)
		xf(&b, "REX:        %02x  W=%u R=%u X=%u B=%u\n", st.rex, (st.rex >> 3) & 1,
		   (st.rex >> 2) & 1, (st.rex >> 1) & 1, st.rex & 1);
	if (st.rex2_pos >= 0) {
		uint8_t p = st.rex2;
		xf(&b, "REX2:       d5 %02x  M0=%u (map %s) R4=%u X4=%u B4=%u W=%u R3=%u X3=%u B3=%u\n",
		   p, p >> 7, p >> 7 ? "1 = 0F" : "0", (p >> 6) & 1, (p >> 5) & 1, (p >> 4) & 1,
		   (p >> 3) & 1, (p >> 2) & 1, (p >> 1) & 1, p & 1);
	}
	if (st.vexkind == 1)
		xf(&b, "VEX2:       c5 %02x  R=%u vvvv=%u L=%u pp=%s map=0F\n", st.vp[0], st.R,
		   st.vvvv, st.L, pp_names[st.pp]);
	else if (st.vexkind == 2 || st.vexkind == 4)
		xf(&b, "%s:       %s %02x %02x  R=%u X=%u B=%u map=%u W=%u vvvv=%u L=%u pp=%s\n",
		   st.vexkind == 2 ? "VEX3" : "XOP ", st.vexkind == 2 ? "c4" : "8f", st.vp[0], st.vp[1],
		   st.R, st.X, st.B, st.map, st.W, st.vvvv, st.L, pp_names[st.pp]);
	else if (st.vexkind == 3) {
		xf(&b, "EVEX:       62 %02x %02x %02x\n", st.vp[0], st.vp[1], st.vp[2]);
		xf(&b, "  P0:       R3=%u X3=%u B3=%u R4=%u B4=%u map=%u (stored inverted: R X B R')\n",
		   st.R, st.X, st.B, st.R4, st.B4, st.map);
		xf(&b, "  P1:       W=%u vvvv=%u X4=%u (U=%u) pp=%s\n", st.W, st.vvvv, st.X4, !st.X4,
		   pp_names[st.pp]);
		if (st.form >= 0 && dec_forms[st.form].apx) {
			if (dec_forms[st.form].attrs & DA_SCC)
				xf(&b, "  P2:       ND=%u SCC=%u DFV(OF SF ZF CF from vvvv)=%u%u%u%u\n",
				   st.bb, st.vp[2] & 15, (st.vp[1] >> 6) & 1, (st.vp[1] >> 5) & 1,
				   (st.vp[1] >> 4) & 1, (st.vp[1] >> 3) & 1);
			else
				xf(&b, "  P2:       z=%u L'L=%u ND=%u V4=%u NF=%u aaa[1:0]=%u\n", st.z, st.L,
				   st.bb, st.V4, (st.aaa >> 2) & 1, st.aaa & 3);
		} else {
			xf(&b, "  P2:       z=%u L'L=%u b=%u V'=%u aaa=%u\n", st.z, st.L, st.bb, st.V4,
			   st.aaa);
		}
	}
	if (st.opc_pos >= 0) {
		const char *map = "?";
		char mbuf[32];
		if (st.enc <= AE_ENC_REX2) {
			static const char *const maps[] = {"0 (one-byte)", "1 (0F)", "2 (0F 38)", "3 (0F 3A)"};
			if (st.map < 4)
				map = maps[st.map];
			else if (st.map == 15)
				map = "3DNow! (0F 0F, opcode after the operands)";
			if (st.enc != AE_ENC_REX2 && st.map >= 1 && st.map <= 3)
				xf(&b, "escape:     0f%s\n", st.map == 2 ? " 38" : st.map == 3 ? " 3a" : "");
		} else {
			snprintf(mbuf, sizeof mbuf, "%s map %u", st.enc == AE_ENC_VEX ? "VEX" : st.enc == AE_ENC_EVEX ? "EVEX" : "XOP", st.map);
			map = mbuf;
		}
		xf(&b, "opcode:     %02x  %s\n", st.opc, map);
	}
	if (st.modrm_pos >= 0)
		xf(&b, "ModRM:      %02x  mod=%u reg=%u rm=%u\n", st.modrm, st.modrm >> 6,
		   (st.modrm >> 3) & 7, st.modrm & 7);
	if (st.sib_pos >= 0)
		xf(&b, "SIB:        %02x  scale=%u index=%u base=%u\n", st.sib, 1u << (st.sib >> 6),
		   (st.sib >> 3) & 7, st.sib & 7);
	if (st.disp_pos >= 0) {
		xf(&b, "disp%u:      ", st.disp_size * 8);
		bytes_at(&b, &st, st.disp_pos, st.disp_size);
		xf(&b, "  = %" PRId32 "%s\n", st.disp,
		   s == AE_OK && in.mem.disp != st.disp ? " (scaled by disp8*N)" : "");
		if (s == AE_OK && in.mem.disp != st.disp)
			xf(&b, "            effective displacement %" PRId32 "\n", in.mem.disp);
	}
	if (st.imm_pos >= 0 && s == AE_OK) {
		xf(&b, "immediate:  ");
		bytes_at(&b, &st, st.imm_pos, (unsigned)(in.len - st.imm_pos));
		xf(&b, "\n");
	}
	if (s == AE_OK) {
		const dec_form *f = dec_form_of(&in);
		char text[160];
		ae_format(&in, AE_SYNTAX_ATT, 0, 0, text, sizeof text);
		xf(&b, "form:       %s (row %u), CPUID feature %s, handler %s\n",
		   dec_strings + f->mnem_intel, in.form, ae_feature_name((ae_feature)f->feature),
		   dec_handler_names[f->handler]);
		xf(&b, "length:     %u\n", in.len);
		xf(&b, "AT&T:       %s\n", text);
		ae_format(&in, AE_SYNTAX_INTEL, 0, 0, text, sizeof text);
		xf(&b, "Intel:      %s\n", text);
		for (unsigned i = 0; i < in.nops; i++) {
			const ae_operand *o = &in.ops[i];
			const char *kinds[] = {"none", "register", "memory", "immediate", "immediate",
					       "relative", "moffs", "string source", "string destination",
					       "memory [reg]"};
			xf(&b, "operand %u:  %s%s", i, kinds[o->kind < 10 ? o->kind : 0],
			   f->ops[i].hidden ? " (implicit)" : "");
			if (o->kind == AE_OP_REG)
				xf(&b, " %s", ae_reg_name(o->reg, o->size));
			if (o->kind == AE_OP_MEM)
				xf(&b, " base=%s index=%s scale=%u disp=%" PRId32 " size=%u",
				   in.mem.base == AE_R_NONE ? "none" : ae_reg_name(in.mem.base, in.asize),
				   in.mem.index == AE_R_NONE ? "none" : ae_reg_name(in.mem.index, in.asize),
				   in.mem.scale, in.mem.disp, in.memsz);
			if (o->kind == AE_OP_IMM && !f->ops[i].hidden) /* not an implicit constant */
				xf(&b, " %" PRId64 " (0x%" PRIx64 "), %u byte%s encoded", in.imm,
				   (uint64_t)in.imm, o->size, o->size == 1 ? "" : "s");
			if (o->kind == AE_OP_IMM2 && !f->ops[i].hidden)
				xf(&b, " %u (0x%x)", in.imm2, in.imm2);
			if (o->kind == AE_OP_REL)
				xf(&b, " displacement %" PRId64 " (target: the next instruction's address %s "
				   "%" PRIu64 ")", in.imm, in.imm < 0 ? "-" : "+",
				   in.imm < 0 ? -(uint64_t)in.imm : (uint64_t)in.imm);
			if (o->kind == AE_OP_MOFFS)
				xf(&b, " address 0x%" PRIx64, (uint64_t)in.imm);
			xf(&b, "\n");
		}
		if (in.flags & AE_F_ND)
			xf(&b, "APX:        ND=1: %s\n", (f->attrs & DA_ZU) ? "zero upper (ZU)" : "new data destination in vvvv");
		if (in.flags & AE_F_NF)
			xf(&b, "APX:        NF=1: status flags are not written\n");
	} else if (s == AE_UD) {
		xf(&b, "result:     #UD (%s)\n", ae_ud_reason_name((ae_ud_reason)in.ud));
	} else {
		xf(&b, "result:     truncated: more bytes are needed\n");
	}
	if (buflen)
		buf[b.n < buflen ? b.n : buflen - 1] = 0;
	return b.n;
}
