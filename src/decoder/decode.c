/* The decoder: prefixes, REX/REX2/VEX/EVEX payloads, the table walk, operands.
 *
 * Decoding runs in three steps. (1) Prefixes and the encoding payload are read and turned into
 * logical register-extension bits. (2) The opcode selects a list of candidate forms from the
 * generated index; a 32-bit selector built from pp, ModRM, W, L, EVEX.b/ND/NF, operand size,
 * address size and REX2 picks the first form whose (mask, value) holds. (3) The form's
 * operand specs are resolved into the normalized ae_insn, and the per-encoding validity rules
 * (APX spec 3.1; SDM Vol. 2 2.6-2.7) are checked.
 */
#include <string.h>

#include "dec_internal.h"

#define UD(r) do { out->ud = (uint8_t)(r); return AE_UD; } while (0)
/* Bytes [pos, pos+n) must exist: past 15 the instruction is too long, past len truncated. */
#define NEED(n)                                                                                 \
	do {                                                                                    \
		if (st->pos + (n) > 15) UD(AE_UD_TOO_LONG);                                     \
		if (st->pos + (n) > st->len) return AE_TRUNCATED;                               \
	} while (0)

enum { SEG_NONE = AE_R_NONE };

static bool is_legacy_prefix(uint8_t c)
{
	switch (c) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	default:
		return false;
	}
}

/* Byte classes for the short path's prefix loop: one lookup tells a prefix, which one, REX,
 * and the first bytes of REX2, VEX, EVEX and XOP (PK_ESC, which it leaves to run()) apart. */
enum { PK_NONE, PK_REX, PK_66, PK_67, PK_LOCK, PK_ES, PK_CS, PK_SS, PK_DS, PK_FS, PK_GS, PK_REP,
       PK_ESC };
static const uint8_t pfx_class[256] = {
	[0xd5] = PK_ESC, [0xc4] = PK_ESC, [0xc5] = PK_ESC, [0x62] = PK_ESC, [0x8f] = PK_ESC,
	[0x26] = PK_ES, [0x2e] = PK_CS, [0x36] = PK_SS, [0x3e] = PK_DS, [0x64] = PK_FS,
	[0x65] = PK_GS, [0x66] = PK_66, [0x67] = PK_67, [0xf0] = PK_LOCK, [0xf2] = PK_REP,
	[0xf3] = PK_REP,
	[0x40] = PK_REX, [0x41] = PK_REX, [0x42] = PK_REX, [0x43] = PK_REX, [0x44] = PK_REX,
	[0x45] = PK_REX, [0x46] = PK_REX, [0x47] = PK_REX, [0x48] = PK_REX, [0x49] = PK_REX,
	[0x4a] = PK_REX, [0x4b] = PK_REX, [0x4c] = PK_REX, [0x4d] = PK_REX, [0x4e] = PK_REX,
	[0x4f] = PK_REX,
};

static inline uint64_t rd_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static inline int64_t sext(uint64_t v, unsigned bytes)
{
	unsigned sh = 64 - 8 * bytes;
	return bytes >= 8 ? (int64_t)v : (int64_t)(v << sh) >> sh;
}

/* Features that make a 128/256-bit EVEX form also need AVX512VL. */
static bool is_avx512_feature(unsigned f)
{
	switch (f) {
	case AE_FEAT_AVX512F: case AE_FEAT_AVX512CD: case AE_FEAT_AVX512BW: case AE_FEAT_AVX512DQ:
	case AE_FEAT_AVX512IFMA: case AE_FEAT_AVX512VBMI: case AE_FEAT_AVX512VBMI2:
	case AE_FEAT_AVX512VNNI: case AE_FEAT_AVX512BITALG: case AE_FEAT_AVX512VPOPCNTDQ:
	case AE_FEAT_AVX512BF16: case AE_FEAT_AVX512FP16: case AE_FEAT_AVX512VP2INTERSECT:
		return true;
	default:
		return false;
	}
}

static bool has_feat(const ae_decode_ctx *ctx, unsigned f)
{
	return (ctx->feat[f >> 6] >> (f & 63)) & 1;
}

/* APX is usable when the OS enabled it (CR4.OSXSAVE, XCR0[19]) and CPUID reports APX_F. */
static bool apx_on(const ae_decode_ctx *ctx)
{
	return ctx->apx && has_feat(ctx, AE_FEAT_APX_F);
}

/* Size in bytes of a vector register operand of type t at vector length vl. */
static inline unsigned vec_reg_size(unsigned t, unsigned vl)
{
	switch (t) {
	case OT_x: case OT_ps: case OT_pd: case OT_ph: return vl;
	case OT_xh: return vl > 32 ? vl / 2 : 16;
	case OT_qq: return 32;
	case OT_dqq: return 64;
	default: return 16;
	}
}

/* Memory size in bytes of an operand of type t. */
/* An EVEX form none of whose vector operands scales with the vector length ignores
 * EVEX.L'L, 11b included (the LIG scalars, SDM Vol. 2 2.6.10 and the EVEX.LLIG opcode
 * rows); rows that exist at one length only constrain L in the table. Such forms need no
 * AVX512VL either. */
static bool evex_form_is_lig(const dec_form *f)
{
	for (unsigned i = 0; i < f->nops; i++) {
		unsigned m = f->ops[i].method, t = f->ops[i].type;
		if ((m == OM_V || m == OM_W || m == OM_U || m == OM_H || m == OM_L) &&
		    (t == OT_x || t == OT_xh || t == OT_xq || t == OT_xo || t == OT_ps ||
		     t == OT_pd || t == OT_ph))
			return false;
	}
	return true;
}

static inline unsigned mem_size(unsigned t, unsigned osz, unsigned vl, unsigned W)
{
	switch (t) {
	case OT_b: return 1;
	case OT_w: return 2;
	case OT_d: return 4;
	case OT_q: return 8;
	case OT_v: return osz;
	case OT_z: return osz == 2 ? 2 : 4;
	case OT_y: return W ? 8 : 4;
	case OT_dq: return 16;
	case OT_qq: return 32;
	case OT_dqq: return 64;
	case OT_x: case OT_ps: case OT_pd: case OT_ph: return vl;
	case OT_xh: return vl / 2;
	case OT_xq: return vl / 4;
	case OT_xo: return vl / 8;
	case OT_ss: return 4;
	case OT_sd: return 8;
	case OT_sh: return 2;
	case OT_t: return 10;
	case OT_p: return osz + 2;
	case OT_s: return 10;
	case OT_env: return 28;
	case OT_st: return 108;
	case OT_fx: return 512;
	case OT_m64b: return 64;
	default: return 0;
	}
}

static inline unsigned gpr_size(unsigned t, unsigned osz, unsigned W)
{
	switch (t) {
	case OT_b: return 1;
	case OT_w: return 2;
	case OT_d: return 4;
	case OT_q: return 8;
	case OT_v: return osz;
	case OT_z: return osz == 2 ? 2 : 4;
	case OT_y: return W ? 8 : 4;
	default: return osz;
	}
}

/* A GPR operand: byte registers 4-7 are AH..BH unless a REX-class prefix is present. */
static inline uint8_t gpr(const dec_state *st, unsigned num, unsigned size)
{
	if (size == 1 && num >= 4 && num < 8 && !st->has_rex && !st->has_rex2 && st->enc == AE_ENC_LEGACY)
		return (uint8_t)(AE_R_AH + num - 4);
	return (uint8_t)num;
}

static ae_status read_payload(const ae_decode_ctx *ctx, dec_state *st, ae_insn *out)
{
	const uint8_t *b = st->b;
	uint8_t c = b[st->pos];
	if (st->p66 || st->rep || st->lock || st->has_rex)
		UD(AE_UD_VEX_PREFIX);
	st->vex_pos = (int8_t)st->pos;
	if (c == 0xc5) {
		NEED(3);
		uint8_t p0 = b[st->pos + 1];
		st->vexkind = 1;
		st->vp[0] = p0;
		st->R = !(p0 >> 7);
		st->vvvv = (~p0 >> 3) & 15;
		st->L = (p0 >> 2) & 1;
		st->pp = p0 & 3;
		st->map = 1;
		st->enc = AE_ENC_VEX;
		st->pos += 2;
	} else if (c == 0xc4 || c == 0x8f) {
		NEED(4);
		uint8_t p0 = b[st->pos + 1], p1 = b[st->pos + 2];
		st->vexkind = c == 0xc4 ? 2 : 4;
		st->vp[0] = p0;
		st->vp[1] = p1;
		st->R = !(p0 >> 7);
		st->X = !((p0 >> 6) & 1);
		st->B = !((p0 >> 5) & 1);
		st->map = p0 & 31;
		st->W = p1 >> 7;
		st->vvvv = (~p1 >> 3) & 15;
		st->L = (p1 >> 2) & 1;
		st->pp = p1 & 3;
		st->enc = c == 0xc4 ? AE_ENC_VEX : AE_ENC_XOP;
		st->pos += 3;
		if (c == 0xc4 && (st->map == 0 || st->map > 7))
			UD(AE_UD_EVEX_MAP);
		if (c == 0x8f && (st->map < 8 || st->map > 10))
			UD(AE_UD_EVEX_MAP);
	} else { /* 0x62: EVEX */
		NEED(5);
		uint8_t p0 = b[st->pos + 1], p1 = b[st->pos + 2], p2 = b[st->pos + 3];
		st->vexkind = 3;
		st->vp[0] = p0;
		st->vp[1] = p1;
		st->vp[2] = p2;
		st->R = !(p0 >> 7);
		st->X = !((p0 >> 6) & 1);
		st->B = !((p0 >> 5) & 1);
		st->R4 = !((p0 >> 4) & 1);
		st->B4 = (p0 >> 3) & 1;
		st->map = p0 & 7;
		st->W = p1 >> 7;
		st->vvvv = (~p1 >> 3) & 15;
		st->X4 = !((p1 >> 2) & 1);
		st->pp = p1 & 3;
		st->z = p2 >> 7;
		st->L = (p2 >> 5) & 3;
		st->bb = (p2 >> 4) & 1;
		st->V4 = !((p2 >> 3) & 1);
		st->aaa = p2 & 7;
		st->enc = AE_ENC_EVEX;
		st->pos += 4;
		if (st->map == 0)
			UD(AE_UD_EVEX_MAP);
		if ((st->map == 4 || st->map == 7) && !apx_on(ctx))
			UD(AE_UD_APX_DISABLED);
		if (st->B4 && !apx_on(ctx))
			UD(AE_UD_APX_DISABLED);
	}
	return AE_OK;
}

/* Opcode rows that are #UD with REX2 whatever the ModRM (spec/apx-isa.md 1.2): in map 0 the
 * 0F escape and rows 7, A (but A1, JMPABS) and E; in map 1 rows 3 and 8. The XSAVE-family
 * memory forms are marked `norex2` in the table. */
static bool rex2_forbidden(unsigned map, uint8_t opc)
{
	unsigned row = opc >> 4;
	if (map == 0)
		return opc == 0x0f || row == 7 || (row == 0xa && opc != 0xa1) || row == 0xe;
	return row == 3 || row == 8 || opc == 0x0f; /* 0F 0F: 3DNow! */
}

/* Explains a failed match: a form that would match but for one selector field. */
static ae_ud_reason near_miss(uint32_t sel, const dec_cand *c, unsigned n)
{
	static const struct { uint32_t mask; ae_ud_reason r; } fields[] = {
		{1u << SEL_MOD3_SHIFT, AE_UD_MOD},
		{1u << SEL_ND_SHIFT, AE_UD_ND},
		{1u << SEL_NF_SHIFT, AE_UD_NF},
		{1u << SEL_W_SHIFT, AE_UD_W},
		{3u << SEL_L_SHIFT, AE_UD_VL},
		{1u << SEL_B_SHIFT, AE_UD_BROADCAST},
	};
	for (unsigned f = 0; f < sizeof fields / sizeof fields[0]; f++)
		for (unsigned i = 0; i < n; i++) {
			uint32_t diff = (sel ^ c[i].value) & c[i].mask;
			if (diff && !(diff & ~fields[f].mask))
				return fields[f].r;
		}
	return AE_UD_OPCODE;
}

/* Inlined into ae_decode() with a local dec_state, so that the compiler knows the state does
 * not alias the output and keeps it in registers. */
static inline __attribute__((always_inline)) ae_status
run(const ae_decode_ctx *ctx, const uint8_t *bytes, size_t len, ae_insn *out, dec_state *st)
{
	memset(out, 0, sizeof *out);
	memset(st, 0, sizeof *st);
	out->seg_ovr = SEG_NONE;
	out->mem.base = out->mem.index = AE_R_NONE;
	out->mem.seg = AE_R_NONE;
	st->b = bytes;
	st->len = len;
	st->seg = SEG_NONE;
	st->rex_pos = st->rex2_pos = st->vex_pos = st->modrm_pos = st->sib_pos = -1;
	st->disp_pos = st->imm_pos = -1;
	st->form = -1;

	/* 1. Legacy prefixes and REX. A REX counts only as the last byte before the opcode. */
	uint8_t c;
	for (;;) {
		NEED(1);
		c = bytes[st->pos];
		if (is_legacy_prefix(c)) {
			switch (c) {
			case 0x66: st->p66 = 1; break;
			case 0x67: st->p67 = 1; break;
			case 0xf0: st->lock = 1; break;
			case 0xf2: case 0xf3: st->rep = c; break;
			case 0x26: st->seg = AE_R_ES; break;
			case 0x2e: st->seg = AE_R_ES + 1; break;
			case 0x36: st->seg = AE_R_ES + 2; break;
			case 0x3e: st->seg = AE_R_ES + 3; break;
			case 0x64: st->seg = AE_R_ES + 4; break;
			case 0x65: st->seg = AE_R_ES + 5; break;
			}
			st->has_rex = 0;
			st->rex = 0;
			st->npfx++;
			st->pos++;
			continue;
		}
		if ((c & 0xf0) == 0x40) {
			st->rex = c;
			st->has_rex = 1;
			st->rex_pos = (int8_t)st->pos;
			st->pos++;
			continue;
		}
		break;
	}
	if (!st->has_rex)
		st->rex_pos = -1;

	/* 2. Encoding space, map and opcode. */
	st->enc = AE_ENC_LEGACY;
	if (c == 0xd5) {
		if (st->has_rex)
			UD(AE_UD_REX2_AFTER_REX);
		if (!apx_on(ctx))
			UD(AE_UD_APX_DISABLED);
		NEED(2);
		st->rex2 = bytes[st->pos + 1];
		st->has_rex2 = 1;
		st->rex2_pos = (int8_t)st->pos;
		st->pos += 2;
		st->enc = AE_ENC_REX2;
		st->map = st->rex2 >> 7;
		NEED(1);
		c = bytes[st->pos];
		/* APX 3.1.2.1: REX2 must be the last prefix; the next byte is the opcode. */
		if (st->map == 0 && (is_legacy_prefix(c) || (c & 0xf0) == 0x40 || c == 0xd5 ||
				     c == 0xc4 || c == 0xc5 || c == 0x62))
			UD(AE_UD_REX2_PREFIX);
		if (rex2_forbidden(st->map, c))
			UD(AE_UD_REX2_OPCODE);
		/* JMPABS (APX 3.1.4.2): REX2.W=1 or a 66/67/F2/F3 prefix is #UD. */
		if (st->map == 0 && c == 0xa1 &&
		    ((st->rex2 >> 3 & 1) || st->p66 || st->p67 || st->rep))
			UD(AE_UD_JMPABS);
		st->opc_pos = (int8_t)st->pos;
		st->opc = c;
		st->pos++;
		uint8_t p = st->rex2;
		st->R = (p >> 2) & 1;
		st->X = (p >> 1) & 1;
		st->B = p & 1;
		st->W = (p >> 3) & 1;
		st->R4 = (p >> 6) & 1;
		st->X4 = (p >> 5) & 1;
		st->B4 = (p >> 4) & 1;
	} else if (c == 0xc4 || c == 0xc5 || c == 0x62 ||
		   (c == 0x8f && st->pos + 1 < len && ((bytes[st->pos + 1] >> 3) & 3) != 0 &&
		    (bytes[st->pos + 1] & 0x1f) >= 8)) {
		ae_status s = read_payload(ctx, st, out);
		if (s != AE_OK)
			return s;
		NEED(1);
		st->opc_pos = (int8_t)st->pos;
		st->opc = bytes[st->pos++];
	} else {
		if (st->has_rex) {
			st->W = (st->rex >> 3) & 1;
			st->R = (st->rex >> 2) & 1;
			st->X = (st->rex >> 1) & 1;
			st->B = st->rex & 1;
			st->enc = AE_ENC_REX;
		}
		if (c == 0x0f) {
			st->pos++;
			NEED(1);
			c = bytes[st->pos];
			if (c == 0x38 || c == 0x3a) {
				st->map = c == 0x38 ? 2 : 3;
				st->pos++;
				NEED(1);
				c = bytes[st->pos];
			} else {
				st->map = 1;
			}
		}
		st->opc_pos = (int8_t)st->pos;
		st->opc = c;
		st->pos++;
	}

	unsigned space;
	switch (st->enc) {
	case AE_ENC_VEX: space = 4 + st->map; break;
	case AE_ENC_EVEX: space = 12 + st->map; break;
	case AE_ENC_XOP: space = 20 + (st->map - 8); break;
	default: space = st->map; break;
	}
	/* 3DNow! (AMD APM Vol. 5): 0F 0F ModRM [SIB] [disp] suffix — the opcode is the byte
	 * after the operands, so the operands are read first and the suffix indexes space 23. */
	bool amd3dnow = space == 1 && st->opc == 0x0f;
	const dec_index *ix = &dec_index_tab[amd3dnow ? 23 : space][amd3dnow ? 0 : st->opc];
	if (!amd3dnow && !ix->count)
		UD(AE_UD_OPCODE);

	/* ModRM, SIB and displacement: their length does not depend on the form. */
	if (amd3dnow || (ix->flags & DI_MODRM)) {
		NEED(1);
		st->has_modrm = 1;
		st->modrm_pos = (int8_t)st->pos;
		st->modrm = bytes[st->pos++];
		st->mod = st->modrm >> 6;
		st->reg = (st->modrm >> 3) & 7;
		st->rm = st->modrm & 7;
		if (ix->flags & DI_FORCE_MOD3)
			st->mod = 3;
		if (st->mod != 3) {
			if (st->rm == 4) {
				NEED(1);
				st->has_sib = 1;
				st->sib_pos = (int8_t)st->pos;
				st->sib = bytes[st->pos++];
			}
			if (st->mod == 1)
				st->disp_size = 1;
			else if (st->mod == 2 || (st->mod == 0 && st->rm == 5) ||
				 (st->mod == 0 && st->has_sib && (st->sib & 7) == 5))
				st->disp_size = 4;
			if (st->disp_size) {
				NEED(st->disp_size);
				st->disp_pos = (int8_t)st->pos;
				st->disp = (int32_t)sext(rd_le(bytes + st->pos, st->disp_size), st->disp_size);
				st->pos += st->disp_size;
			}
		}
	}

	if (amd3dnow) {
		NEED(1);
		st->opc_pos = (int8_t)st->pos;
		st->opc = bytes[st->pos++];
		st->map = 15;
		ix = &dec_index_tab[23][st->opc];
		if (!ix->count)
			UD(AE_UD_OPCODE);
	}

	/* 3. The selector and the table walk. */
	unsigned pp;
	if (st->enc <= AE_ENC_REX2)
		pp = st->rep == 0xf3 ? 2 : st->rep == 0xf2 ? 3 : st->p66 ? 1 : 0;
	else
		pp = st->pp;
	unsigned L = st->L;
	if (st->enc == AE_ENC_EVEX && st->bb && st->mod == 3)
		L = 2; /* EVEX.b on a register form: L'L is the rounding control, length 512 */
	bool evex_apx_16 = st->enc == AE_ENC_EVEX && st->pp == 1;
	unsigned osz_code = st->W ? 2 : (st->p66 || evex_apx_16) ? 0 : 1;
	uint32_t sel = pp | (st->mod == 3) << SEL_MOD3_SHIFT | st->reg << SEL_REG_SHIFT |
		       st->rm << SEL_RM_SHIFT | (uint32_t)st->W << SEL_W_SHIFT | L << SEL_L_SHIFT |
		       (uint32_t)st->bb << SEL_B_SHIFT | (uint32_t)st->bb << SEL_ND_SHIFT |
		       (uint32_t)((st->aaa >> 2) & 1) << SEL_NF_SHIFT | osz_code << SEL_OSZ_SHIFT |
		       (uint32_t)st->p67 << SEL_A32_SHIFT | (uint32_t)st->has_rex2 << SEL_REX2_SHIFT;
	st->sel = sel;
	const dec_cand *cand = &dec_cands[ix->start];
	unsigned ncand = ix->count;
	if (ix->flags & DI_BYREG) {
		const dec_sub *sub = &dec_regsplit[ix->start + st->reg];
		cand = &dec_cands[sub->start];
		ncand = sub->count;
	}
	int form = -1;
	/* 90 is NOP/PAUSE only without REX.B/REX2.B4: otherwise it is XCHG with r8, r16 or r24
	 * (SDM Vol. 2 NOP, XCHG); the operand-less rows are skipped then. */
	for (unsigned i = 0; i < ncand; i++)
		if ((sel & cand[i].mask) == cand[i].value &&
		    !(st->opc == 0x90 && (st->B || st->B4) && st->enc <= AE_ENC_REX2 &&
		      st->map == 0 && dec_forms[cand[i].form].nops == 0)) {
			form = cand[i].form;
			break;
		}
	if (form < 0)
		UD(near_miss(sel, cand, ncand));
	st->form = form;
	const dec_form *f = &dec_forms[form];
	out->form = (uint16_t)form;
	out->opc = st->opc;
	out->map = st->map;
	out->enc = st->enc;

	/* 4. Validity rules of the encoding. */
	if (st->has_rex2 && (f->attrs & DA_NOREX2))
		UD(AE_UD_REX2_OPCODE);
	if ((f->attrs & DA_JMPABS) && (st->W || st->p66 || st->p67 || st->rep))
		UD(AE_UD_JMPABS);
	bool mem = st->has_modrm && st->mod != 3;
	if ((f->attrs & DA_SIBMEM) && mem && !st->has_sib)
		UD(AE_UD_MOD); /* AMX tile loads and stores need a SIB byte (SDM TILELOADD) */
	if ((f->attrs & DA_VSIB) && mem && !st->has_sib)
		UD(AE_UD_MOD); /* VSIB needs a SIB byte (SDM Vol. 2 2.3.12) */
	bool uses_vvvv = f->vvvv;
	unsigned vl = 16;
	if (st->enc == AE_ENC_VEX || st->enc == AE_ENC_XOP) {
		vl = st->L ? 32 : 16;
		if (!uses_vvvv && st->vvvv)
			UD(AE_UD_VVVV);
	} else if (st->enc == AE_ENC_EVEX && f->apx) {
		bool scc = f->attrs & DA_SCC;
		if (st->z || st->L)
			UD(AE_UD_EVEX_RESERVED);
		if (!scc && (st->aaa & 3))
			UD(AE_UD_EVEX_RESERVED);
		if (st->mod == 3 && st->X4)
			UD(AE_UD_EVEX_U);
		if (!scc && !uses_vvvv && (st->vvvv || st->V4))
			UD(AE_UD_VVVV);
		if (scc) {
			out->cc = st->vp[2] & 15;
			out->dfv = (st->vp[1] >> 3) & 15;
		} else if (st->bb) {
			out->flags |= AE_F_ND;
		}
		if (!scc && ((st->aaa >> 2) & 1) && (f->attrs & DA_NF))
			out->flags |= AE_F_NF;
		if ((f->attrs & DA_PUSH2POP2) && !st->bb)
			UD(AE_UD_ND);
	} else if (st->enc == AE_ENC_EVEX) {
		bool vsib = f->attrs & DA_VSIB;
		bool lig = evex_form_is_lig(f);
		if (st->mod == 3 && st->X4)
			UD(AE_UD_EVEX_U);
		if (mem && st->X4 && !apx_on(ctx))
			UD(AE_UD_APX_DISABLED);
		if (!uses_vvvv && (st->vvvv || (!vsib && st->V4)))
			UD(AE_UD_VVVV);
		if (st->z && !(f->attrs & DA_Z))
			UD(AE_UD_MASK);
		if (st->aaa && !(f->attrs & (DA_K | DA_K1)))
			UD(AE_UD_MASK);
		if ((f->attrs & DA_K1) && !st->aaa)
			UD(AE_UD_MASK);
		if (st->z && mem && f->nops && (f->ops[0].method == OM_W || f->ops[0].method == OM_M ||
						  f->ops[0].method == OM_E))
			UD(AE_UD_MASK);
		if (st->bb) {
			if (mem) {
				if (!(f->attrs & (DA_B2 | DA_B4 | DA_B8 | DA_BW)))
					UD(AE_UD_BROADCAST);
				out->flags |= AE_F_BCST;
			} else if (f->attrs & DA_ER) {
				out->flags |= AE_F_ER;
				out->rc = st->L;
			} else if (f->attrs & DA_SAE) {
				out->flags |= AE_F_SAE;
			} else {
				UD(AE_UD_BROADCAST);
			}
		}
		if (st->bb && !mem)
			vl = 64;
		else if (lig)
			vl = 16;
		else if (st->L == 3)
			UD(AE_UD_VL);
		else
			vl = 16u << st->L;
		if (st->z)
			out->flags |= AE_F_ZEROING;
		out->kmask = st->aaa;
	}
	if (st->enc == AE_ENC_EVEX && f->apx && !apx_on(ctx))
		UD(AE_UD_APX_DISABLED); /* promoted VEX forms exist only with APX */
	if (!has_feat(ctx, f->feature))
		UD(AE_UD_FEATURE);
	if (st->enc == AE_ENC_EVEX && !f->apx && vl < 64 && is_avx512_feature(f->feature) &&
	    !evex_form_is_lig(f) && !has_feat(ctx, AE_FEAT_AVX512VL))
		UD(AE_UD_FEATURE);

	/* Operand and address size. */
	unsigned osz;
	if (f->attrs & DA_F64)
		osz = 8;
	else if (f->attrs & DA_D64)
		osz = (st->p66 && !st->W) ? 2 : 8; /* REX.W beats 66 (SDM Vol. 1 3.6.1) */
	else if (st->W)
		osz = 8;
	else if (st->enc <= AE_ENC_REX2)
		osz = (st->p66 && f->pp != 1) ? 2 : 4;
	else if (st->enc == AE_ENC_EVEX && f->apx)
		osz = st->pp == 1 ? 2 : 4; /* APX 3.1.4: pp=01 is the 16-bit operand size */
	else
		osz = 4;
	out->opsize = (uint8_t)osz;
	out->asize = st->p67 ? 4 : 8;
	out->vl = st->enc == AE_ENC_LEGACY || st->enc == AE_ENC_REX || st->enc == AE_ENC_REX2 ? 0 : (uint8_t)vl;
	if (st->has_rex2)
		out->flags |= AE_F_REX2;

	/* LOCK: only on forms that allow it, with a memory destination (SDM Vol. 2 LOCK). */
	if (st->lock) {
		if (!(f->attrs & DA_LOCK) || !mem)
			UD(AE_UD_LOCK);
		out->flags |= AE_F_LOCK;
	}
	/* F3/F2 that are not the form's mandatory prefix are recorded (LLVM prints them, as
	 * `rep retq`); they repeat only on forms with the rep/repcc attributes. */
	if (st->rep == 0xf3 && f->pp != 2)
		out->flags |= AE_F_REP;
	if (st->rep == 0xf2 && f->pp != 3)
		out->flags |= AE_F_REPNE;
	if (st->rep == 0xf2 && (f->attrs & DA_BND))
		out->flags |= AE_F_BND;
	/* HLE hints (SDM Vol. 1 16.3.1): F2/F3 are XACQUIRE/XRELEASE on a LOCKed memory form and
	 * on XCHG with memory (locked implicitly); F3 alone is XRELEASE on a MOV store (rows
	 * with hle but without lock: 88, 89, C6, C7). */
	if ((f->attrs & DA_HLE) && mem && st->rep) {
		bool xchg = st->map == 0 && (st->opc == 0x86 || st->opc == 0x87);
		if (st->lock || xchg)
			out->flags |= st->rep == 0xf2 ? AE_F_XACQUIRE : AE_F_XRELEASE;
		else if (!(f->attrs & DA_LOCK) && st->rep == 0xf3)
			out->flags |= AE_F_XRELEASE;
	}
	if (st->seg == AE_R_ES + 3 && (f->attrs & DA_NOTRACK))
		out->flags |= AE_F_NOTRACK;
	out->seg_ovr = st->seg;
	if (f->cc != 255)
		out->cc = f->cc;

	/* 5. Operands. */
	unsigned gR = (unsigned)st->R4 << 4 | (unsigned)st->R << 3 | st->reg;
	unsigned gB = (unsigned)st->B4 << 4 | (unsigned)st->B << 3 | st->rm;
	unsigned vvvv = (unsigned)st->V4 << 4 | st->vvvv;
	bool legacy = st->enc <= AE_ENC_REX2;
	if (!apx_on(ctx) && st->enc == AE_ENC_EVEX && st->R4) {
		/* EVEX.R' naming a GPR needs APX (spec/apx-isa.md 3). */
		for (unsigned i = 0; i < f->nops; i++)
			if (f->ops[i].method == OM_G)
				UD(AE_UD_APX_DISABLED);
	}
	int is4_pos = -1;
	unsigned nimm = 0, memsz = 0, es = st->W ? 8 : 4;
	bool vsib = f->attrs & DA_VSIB;
	for (unsigned i = 0; i < f->nops; i++) {
		const dec_opspec *o = &f->ops[i];
		ae_operand *d = &out->ops[i];
		unsigned t = o->type;
		switch (o->method) {
		case OM_E: case OM_M: case OM_R: case OM_W: case OM_U: case OM_Q: case OM_N:
		case OM_KE: case OM_KR: case OM_BE: case OM_TE:
			if (mem) {
				if (o->method == OM_R || o->method == OM_U || o->method == OM_N ||
				    o->method == OM_KR || o->method == OM_TE)
					UD(AE_UD_MOD);
				d->kind = AE_OP_MEM;
				memsz = (o->method == OM_E || o->method == OM_M || o->method == OM_Q ||
					 o->method == OM_BE || o->method == OM_KE)
						? mem_size(t, osz, vl, st->W)
						: mem_size(t, osz, vl, st->W);
				if ((o->method == OM_Q) && t == OT_none)
					memsz = 8;
				if (o->method == OM_KE)
					memsz = t == OT_b ? 1 : t == OT_w ? 2 : t == OT_d ? 4 : 8;
			} else if (o->method == OM_M) {
				UD(AE_UD_MOD);
			} else if (o->method == OM_E || o->method == OM_R) {
				d->kind = AE_OP_REG;
				d->size = (uint8_t)gpr_size(t, osz, st->W);
				unsigned n = legacy || f->apx || st->enc == AE_ENC_EVEX ? gB : ((unsigned)st->B << 3 | st->rm);
				if (st->enc == AE_ENC_VEX || st->enc == AE_ENC_XOP)
					n = (unsigned)st->B << 3 | st->rm;
				d->reg = gpr(st, n, d->size);
			} else if (o->method == OM_W || o->method == OM_U) {
				d->kind = AE_OP_REG;
				d->size = (uint8_t)vec_reg_size(t, vl);
				unsigned n = (unsigned)st->B << 3 | st->rm;
				if (st->enc == AE_ENC_EVEX)
					n |= (unsigned)st->X << 4;
				d->reg = (uint8_t)(AE_R_VEC + n);
			} else if (o->method == OM_Q || o->method == OM_N) {
				d->kind = AE_OP_REG;
				d->size = 8;
				d->reg = (uint8_t)(AE_R_MM + st->rm);
			} else if (o->method == OM_KE || o->method == OM_KR) {
				d->kind = AE_OP_REG;
				d->size = 8;
				d->reg = (uint8_t)(AE_R_K + st->rm);
			} else if (o->method == OM_TE) {
				if (st->enc == AE_ENC_VEX && st->B)
					UD(AE_UD_OPERAND);
				d->kind = AE_OP_REG;
				d->size = 0;
				d->reg = (uint8_t)(AE_R_TMM + st->rm);
			} else { /* BE */
				d->kind = AE_OP_REG;
				d->size = 16;
				d->reg = (uint8_t)(AE_R_BND + (st->rm & 3));
			}
			break;
		case OM_G:
			d->kind = AE_OP_REG;
			d->size = (uint8_t)gpr_size(t, osz, st->W);
			d->reg = gpr(st, (st->enc == AE_ENC_VEX || st->enc == AE_ENC_XOP) ? ((unsigned)st->R << 3 | st->reg) : gR, d->size);
			break;
		case OM_B:
			d->kind = AE_OP_REG;
			d->size = (uint8_t)gpr_size(t, osz, st->W);
			d->reg = (uint8_t)(st->enc == AE_ENC_EVEX ? vvvv : st->vvvv);
			break;
		case OM_Z:
			d->kind = AE_OP_REG;
			d->size = (uint8_t)gpr_size(t, osz, st->W);
			d->reg = gpr(st, (unsigned)st->B4 << 4 | (unsigned)st->B << 3 | (st->opc & 7), d->size);
			break;
		case OM_S:
			if (st->reg > 5)
				UD(AE_UD_OPERAND);
			if (i == 0 && st->reg == 1)
				UD(AE_UD_OPERAND); /* MOV to CS is #UD (SDM Vol. 2 MOV) */
			d->kind = AE_OP_REG;
			d->size = (uint8_t)(t == OT_none || t == OT_w ? 2 : gpr_size(t, osz, st->W));
			d->reg = (uint8_t)(AE_R_ES + st->reg);
			break;
		case OM_C: case OM_D:
			d->kind = AE_OP_REG;
			d->size = 8;
			d->reg = (uint8_t)((o->method == OM_C ? AE_R_CR : AE_R_DR) + ((unsigned)st->R << 3 | st->reg));
			break;
		case OM_P:
			d->kind = AE_OP_REG;
			d->size = 8;
			d->reg = (uint8_t)(AE_R_MM + st->reg);
			break;
		case OM_V:
			d->kind = AE_OP_REG;
			d->size = (uint8_t)vec_reg_size(t, vl);
			d->reg = (uint8_t)(AE_R_VEC + (st->enc == AE_ENC_EVEX ? ((unsigned)st->R4 << 4 | (unsigned)st->R << 3 | st->reg)
									    : ((unsigned)st->R << 3 | st->reg)));
			break;
		case OM_H:
			d->kind = AE_OP_REG;
			d->size = (uint8_t)vec_reg_size(t, vl);
			d->reg = (uint8_t)(AE_R_VEC + (st->enc == AE_ENC_EVEX ? vvvv : st->vvvv));
			break;
		case OM_L:
			NEED(1);
			if (st->imm_pos < 0)
				st->imm_pos = (int8_t)st->pos;
			d->kind = AE_OP_REG;
			d->size = (uint8_t)vec_reg_size(t, vl);
			d->reg = (uint8_t)(AE_R_VEC + (bytes[st->pos] >> 4));
			is4_pos = (int)st->pos;
			st->pos++;
			break;
		case OM_KG:
			/* An opmask in ModRM.reg has no k8-k15: EVEX.R set is #UD (LLVM and Zydis
			 * agree; XED issue #56). EVEX.R' is left alone: LLVM ignores it, Zydis #UD. */
			if ((st->enc == AE_ENC_EVEX || st->enc == AE_ENC_VEX) && st->R)
				UD(AE_UD_OPERAND);
			d->kind = AE_OP_REG;
			d->size = 8;
			d->reg = (uint8_t)(AE_R_K + st->reg);
			break;
		case OM_KH:
			/* VEX opmask instructions: vvvv names k0-k7 only (LLVM and Zydis #UD). */
			if (st->enc == AE_ENC_VEX && st->vvvv > 7)
				UD(AE_UD_OPERAND);
			d->kind = AE_OP_REG;
			d->size = 8;
			d->reg = (uint8_t)(AE_R_K + (st->vvvv & 7));
			break;
		case OM_TG:
			/* There are only tmm0-tmm7: VEX.R, VEX.B (TE) or vvvv >= 8 (TH) is #UD. */
			if (st->enc == AE_ENC_VEX && st->R)
				UD(AE_UD_OPERAND);
			d->kind = AE_OP_REG;
			d->reg = (uint8_t)(AE_R_TMM + st->reg);
			break;
		case OM_TH:
			if (st->enc == AE_ENC_VEX && st->vvvv > 7)
				UD(AE_UD_OPERAND);
			d->kind = AE_OP_REG;
			d->reg = (uint8_t)(AE_R_TMM + (st->vvvv & 7));
			break;
		case OM_BG:
			d->kind = AE_OP_REG;
			d->size = 16;
			d->reg = (uint8_t)(AE_R_BND + (st->reg & 3));
			break;
		case OM_X: case OM_Y:
			d->kind = o->method == OM_X ? AE_OP_STR_SRC : AE_OP_STR_DST;
			d->size = (uint8_t)gpr_size(t, osz, st->W);
			memsz = d->size;
			break;
		case OM_Ar:
			d->kind = AE_OP_MEM_REG;
			d->size = out->asize;
			d->reg = (uint8_t)(t == OT_G ? gR : 0);
			break;
		case OM_I: {
			if (is4_pos >= 0) {
				/* imm8[3:0] of the is4 byte (VPERMIL2PS/PD m2z): no byte of its own */
				d->kind = AE_OP_IMM;
				d->size = 1;
				out->imm = bytes[is4_pos] & 15;
				break;
			}
			unsigned n;
			switch (t) {
			case OT_b: case OT_bs: n = 1; break;
			case OT_w: n = 2; break;
			case OT_d: case OT_ds: n = 4; break;
			case OT_q: n = 8; break;
			case OT_z: n = osz == 2 ? 2 : 4; break;
			case OT_v: n = osz; break;
			default: n = 1; break;
			}
			bool is4 = false;
			for (unsigned j = 0; j < i; j++)
				is4 |= f->ops[j].method == OM_L;
			if (is4 && st->imm_pos >= 0) {
				/* VPERMIL2PS/PD: imm8[7:4] is the L register, imm8[3:0] the immediate. */
				d->kind = AE_OP_IMM;
				d->size = 1;
				out->imm = bytes[st->imm_pos] & 0x0f;
				nimm++;
				break;
			}
			NEED(n);
			if (st->imm_pos < 0)
				st->imm_pos = (int8_t)st->pos;
			uint64_t v = rd_le(bytes + st->pos, n);
			st->pos += n;
			d->kind = nimm ? AE_OP_IMM2 : AE_OP_IMM;
			d->size = (uint8_t)n;
			if (nimm) {
				out->imm2 = (uint8_t)v;
			} else if (t == OT_bs || t == OT_ds || (t == OT_z && osz == 8)) {
				out->imm = sext(v, n);
			} else {
				out->imm = (int64_t)v;
			}
			st->imm_size = (uint8_t)(st->imm_size + n);
			nimm++;
			break;
		}
		case OM_J: {
			/* Near branches are f64 (osz 8): rel32 whatever 66 says. XBEGIN is not:
			 * 66 C7 F8 takes a rel16 (SDM Vol. 2 XBEGIN). */
			unsigned n = t == OT_b ? 1 : osz == 2 ? 2 : 4;
			NEED(n);
			if (st->imm_pos < 0)
				st->imm_pos = (int8_t)st->pos;
			out->imm = sext(rd_le(bytes + st->pos, n), n);
			st->pos += n;
			st->imm_size = (uint8_t)n;
			d->kind = AE_OP_REL;
			d->size = (uint8_t)n;
			break;
		}
		case OM_O: {
			unsigned n = out->asize;
			NEED(n);
			if (st->imm_pos < 0)
				st->imm_pos = (int8_t)st->pos;
			out->imm = (int64_t)rd_le(bytes + st->pos, n);
			st->pos += n;
			st->imm_size = (uint8_t)n;
			d->kind = AE_OP_MOFFS;
			d->size = (uint8_t)gpr_size(t, osz, st->W);
			memsz = d->size;
			break;
		}
		case OM_FIXED:
			d->kind = AE_OP_REG;
			switch (t) {
			case OF_AL: d->reg = 0; d->size = 1; break;
			case OF_CL: d->reg = 1; d->size = 1; break;
			case OF_DX: d->reg = 2; d->size = 2; break;
			case OF_rAX: d->reg = 0; d->size = (uint8_t)osz; break;
			case OF_eAX: d->reg = 0; d->size = osz == 2 ? 2 : 4; break;
			case OF_AX: d->reg = 0; d->size = 2; break;
			case OF_EAX: d->reg = 0; d->size = 4; break;
			case OF_RAX: d->reg = 0; d->size = 8; break;
			case OF_ST0: d->reg = AE_R_ST; d->size = 10; break;
			case OF_STi: d->reg = (uint8_t)(AE_R_ST + st->rm); d->size = 10; break;
			case OF_XMM0: d->reg = AE_R_VEC; d->size = 16; break;
			case OF_ES: case OF_CS: case OF_SS: case OF_DS: case OF_FS: case OF_GS:
				d->reg = (uint8_t)(AE_R_ES + (t - OF_ES)); d->size = 2; break;
			case OF_ONE: d->kind = AE_OP_IMM2; d->size = 0; break;
			case OF_rDX: d->reg = 2; d->size = (uint8_t)osz; break;
			case OF_rCX: d->reg = 1; d->size = (uint8_t)osz; break;
			case OF_rBX: d->reg = 3; d->size = (uint8_t)osz; break;
			}
			break;
		default:
			UD(AE_UD_OPCODE);
		}
	}
	out->nops = f->nops;

	/* The memory operand. */
	if (mem) {
		ae_mem *m = &out->mem;
		unsigned rmb = st->rm;
		m->scale = 1;
		/* `sibmem` (TILELOADD(T1)/TILESTORED): base + stride index, #UD without a SIB byte. */
		if ((f->attrs & DA_SIBMEM) && !st->has_sib)
			UD(AE_UD_OPERAND);
		if (st->has_sib) {
			unsigned base = st->sib & 7, idx = (st->sib >> 3) & 7;
			m->scale = (uint8_t)(1u << (st->sib >> 6));
			if (vsib) {
				unsigned n = (unsigned)st->X << 3 | idx;
				if (st->enc == AE_ENC_EVEX)
					n |= (unsigned)st->V4 << 4;
				m->index = (uint8_t)(AE_R_VEC + n);
				/* The index vector is VL wide, except with dword indices and qword
				 * elements (W1 and an even opcode: VPGATHERDQ, VGATHERDPD, their
				 * scatters and prefetches), where it is VL/2. The memory operand's
				 * size carries it to the formatter. */
				unsigned isz = vl;
				if (st->W && !(st->opc & 1) && isz > 16)
					isz /= 2;
				for (unsigned i = 0; i < f->nops; i++)
					if (out->ops[i].kind == AE_OP_MEM)
						out->ops[i].size = (uint8_t)isz;
			} else {
				unsigned n = (unsigned)st->X4 << 4 | (unsigned)st->X << 3 | idx;
				if (n != 4)
					m->index = (uint8_t)n;
				else
					out->flags |= AE_F_SIB_NOINDEX;
			}
			if (base == 5 && st->mod == 0)
				m->base = AE_R_NONE;
			else
				m->base = (uint8_t)((unsigned)st->B4 << 4 | (unsigned)st->B << 3 | base);
			rmb = base;
		} else if (st->mod == 0 && st->rm == 5) {
			m->base = AE_R_RIP;
			out->flags |= AE_F_RIPREL;
		} else {
			m->base = (uint8_t)((unsigned)st->B4 << 4 | (unsigned)st->B << 3 | st->rm);
		}
		(void)rmb;
		int32_t disp = st->disp;
		if (st->enc == AE_ENC_EVEX && !f->apx && st->disp_size == 1) {
			/* Disp8*N (SDM Vol. 2 2.7.5): N is the memory size, or the element size. */
			unsigned n = memsz;
			if (out->flags & AE_F_BCST)
				n = (f->attrs & DA_B2) ? 2 : (f->attrs & DA_B4) ? 4 : (f->attrs & DA_B8) ? 8 : es;
			if (vsib)
				n = es;
			if (f->attrs & (DA_N1 | DA_N2 | DA_N4 | DA_N8))
				n = (f->attrs & DA_N1) ? 1 : (f->attrs & DA_N2) ? 2 : (f->attrs & DA_N4) ? 4 : 8;
			if (n)
				disp *= (int32_t)n;
		}
		m->disp = disp;
		if (st->seg == AE_R_ES + 4 || st->seg == AE_R_ES + 5)
			m->seg = st->seg;
		else if (m->base == 4 || m->base == 5)
			m->seg = AE_R_ES + 2;
		else
			m->seg = AE_R_ES + 3;
		if (out->flags & AE_F_BCST) {
			unsigned e = (f->attrs & DA_B2) ? 2 : (f->attrs & DA_B4) ? 4 : (f->attrs & DA_B8) ? 8 : es;
			/* {1toN}: N elements fill the operand the form reads, which is a half or a
			 * quarter of VL for widening conversions (VCVTPH2PD, VCVTPS2PD). */
			out->bcst = (uint8_t)((memsz ? memsz : vl) / e);
			memsz = e;
		}
	}
	out->memsz = (uint16_t)memsz;

	/* VEX gathers: destination, index and mask pairwise distinct (SDM Vol. 2 VGATHERDPS
	 * "#UD if any pair of the index, mask, or destination registers are the same").
	 * AMX TDPxxx and TCMMxxx: the three tiles pairwise distinct (SDM Vol. 2 TDPBSSD exceptions). */
	if ((vsib && st->enc == AE_ENC_VEX && f->nops == 3 &&
	     (out->ops[0].reg == out->ops[2].reg || out->ops[0].reg == out->mem.index ||
	      out->ops[2].reg == out->mem.index)) ||
	    (f->nops == 3 && f->ops[0].method == OM_TG && f->ops[2].method == OM_TH &&
	     (out->ops[0].reg == out->ops[1].reg || out->ops[0].reg == out->ops[2].reg ||
	      out->ops[1].reg == out->ops[2].reg)))
		UD(AE_UD_OPERAND);

	/* PUSH2/POP2 (APX 6.3): RSP as an operand, or POP2 into one register twice, is #UD. */
	if (f->attrs & DA_PUSH2POP2) {
		if (out->ops[0].reg == 4 || out->ops[1].reg == 4)
			UD(AE_UD_PUSH2POP2);
		if (st->opc == 0x8f && out->ops[0].reg == out->ops[1].reg)
			UD(AE_UD_PUSH2POP2);
	}
	if (st->pos > 15)
		UD(AE_UD_TOO_LONG);
	out->len = (uint8_t)st->pos;
	return AE_OK;
}

/* gpr_size() and mem_size() for legacy forms, with the common b/w/d/q/v types first. */
_Static_assert(OT_w == OT_b + 1 && OT_d == OT_b + 2 && OT_q == OT_b + 3 && OT_v == OT_b + 4,
	       "b w d q v are consecutive types");
static inline unsigned fast_gpr_size(unsigned t, unsigned osz, unsigned W)
{
	if (t - OT_b < 4)
		return 1u << (t - OT_b);
	return t == OT_v ? osz : gpr_size(t, osz, W);
}

static inline unsigned fast_mem_size(unsigned t, unsigned osz, unsigned W)
{
	if (t - OT_b < 4)
		return 1u << (t - OT_b);
	return t == OT_v ? osz : mem_size(t, osz, 16, W);
}

/* The short path: a legacy or REX encoding with no prefix but 66, 67, LOCK and segment
 * overrides (F2 and F3 are left to run()), at least 15 bytes available, and a form marked
 * `fast` by the generator (GPR, XMM, ModRM memory, immediate and branch operands only). For
 * those encodings it computes what run() computes, field for field, with far fewer live
 * values; it gives up (FAST_GIVE_UP) on anything else, every #UD included, and run() then
 * decodes the bytes from the start. A rule changed in run() for legacy encodings must be
 * changed here too. */
enum { FAST_GIVE_UP, FAST_OK, FAST_OTHER_PREFIX };
static inline __attribute__((always_inline)) int
fast_legacy(const ae_decode_ctx *ctx, const uint8_t *b, ae_insn *out, const bool other)
{
	/* Few live values: the prefixes are bits of one word (the segment register in bits
	 * 8-15), and the memory operand is written out as soon as ModRM, SIB and displacement
	 * are read. LOCK and segment overrides are rare: the common instance (other false)
	 * hands them to a second one, where the loop only notes them (FOTHER). */
	enum { F66 = 1, F67 = 2, FLOCK = 4, FOTHER = 8 };
	unsigned pos = 0, pf = 0, rex = 0, c;
	for (;;) {
		c = b[pos];
		unsigned k = pfx_class[c];
		if (k == PK_NONE)
			break;
		if (k == PK_REX) {
			rex = c;
		} else {
			if (k == PK_66)
				pf |= F66;
			else if (k == PK_67)
				pf |= F67;
			else if (k < PK_REP && !other)
				return FAST_OTHER_PREFIX;
			else if (k < PK_REP)
				pf |= FOTHER;
			else
				return FAST_GIVE_UP;
			rex = 0;
		}
		if (++pos > 4)
			return FAST_GIVE_UP;
	}
	if (other) {
		for (unsigned j = 0; j < pos; j++) {
			unsigned k = pfx_class[b[j]];
			if (k == PK_LOCK)
				pf |= FLOCK;
			else if (k >= PK_ES && k <= PK_GS)
				pf = (pf & 0xff) | (AE_R_ES + (k - PK_ES)) << 8;
		}
	}
	unsigned map = 0;
	if (c == 0x0f) {
		c = b[++pos];
		map = 1;
		if (c == 0x38 || c == 0x3a) {
			map = c == 0x38 ? 2 : 3;
			c = b[++pos];
		}
	}
	unsigned opc = c;
	pos++;
	const dec_index *ix = &dec_index_tab[map][opc];
	unsigned ixf = ix->flags;
	if (!ix->count || (ixf & DI_FORCE_MOD3))
		return FAST_GIVE_UP;
	memset(out, 0, sizeof *out);
	out->opc = (uint8_t)opc;
	out->map = (uint8_t)map;
	unsigned seg = other ? pf >> 8 : 0;
	out->seg_ovr = seg ? (uint8_t)seg : SEG_NONE;
	out->mem.base = out->mem.index = AE_R_NONE;
	out->mem.seg = AE_R_NONE;
	unsigned W = (rex >> 3) & 1, p66 = pf & F66;
	/* The selector of run() for these encodings: pp from 66 alone, L, b, ND, NF and REX2
	 * zero. */
	uint32_t sel = p66 | W << SEL_W_SHIFT | (W ? 2u : p66 ? 0u : 1u) << SEL_OSZ_SHIFT |
		       (pf & F67 ? 1u : 0u) << SEL_A32_SHIFT;
	unsigned modrm = 0;
	bool mem = false;
	if (ixf & DI_MODRM) {
		modrm = b[pos++];
		unsigned mod = modrm >> 6, rm = modrm & 7;
		sel |= (mod == 3) << SEL_MOD3_SHIFT | ((modrm >> 3) & 7) << SEL_REG_SHIFT |
		       rm << SEL_RM_SHIFT;
		if (mod != 3) {
			ae_mem *mm = &out->mem;
			unsigned B = (rex & 1) << 3, base = rm, nodisp32 = 1;
			mem = true;
			mm->scale = 1;
			if (rm == 4) {
				unsigned sib = b[pos++], idx = (rex & 2) << 2 | ((sib >> 3) & 7);
				base = sib & 7;
				mm->scale = (uint8_t)(1u << (sib >> 6));
				if (idx != 4)
					mm->index = (uint8_t)idx;
				else
					out->flags |= AE_F_SIB_NOINDEX;
				if (base == 5 && mod == 0) {
					mm->base = AE_R_NONE;
					nodisp32 = 0;
				} else {
					mm->base = (uint8_t)(B | base);
				}
			} else if (mod == 0 && rm == 5) {
				mm->base = AE_R_RIP;
				out->flags |= AE_F_RIPREL;
				nodisp32 = 0;
			} else {
				mm->base = (uint8_t)(B | rm);
			}
			if (mod == 1) {
				mm->disp = (int8_t)b[pos++];
			} else if (mod == 2 || !nodisp32) {
				mm->disp = (int32_t)rd_le(b + pos, 4);
				pos += 4;
			}
			if (seg == AE_R_ES + 4 || seg == AE_R_ES + 5)
				mm->seg = (uint8_t)seg;
			else
				mm->seg = mm->base == 4 || mm->base == 5 ? AE_R_ES + 2 : AE_R_ES + 3;
		}
	}
	const dec_cand *cand = &dec_cands[ix->start];
	unsigned ncand = ix->count;
	if (ixf & DI_BYREG) {
		const dec_sub *sub = &dec_regsplit[ix->start + ((modrm >> 3) & 7)];
		cand = &dec_cands[sub->start];
		ncand = sub->count;
	}
	if ((rex & 1) && ix == &dec_index_tab[0][0x90])
		return FAST_GIVE_UP; /* XCHG with r8, not NOP: run() skips the NOP rows */
	unsigned i = 0;
	while (i < ncand && (sel & cand[i].mask) != cand[i].value)
		i++;
	if (i == ncand)
		return FAST_GIVE_UP;
	unsigned form = cand[i].form;
	const dec_form *f = &dec_forms[form];
	if (!f->fast || !has_feat(ctx, f->feature))
		return FAST_GIVE_UP;

	uint64_t attrs = f->attrs;
	if (other && (pf & FLOCK) && (!(attrs & DA_LOCK) || !mem))
		return FAST_GIVE_UP;
	unsigned osz = (attrs & DA_F64) ? 8
		       : (attrs & DA_D64) ? ((p66 && !W) ? 2 : 8)
		       : W ? 8 : (p66 && f->pp != 1) ? 2 : 4;
	unsigned nops = f->nops;
	out->form = (uint16_t)form;
	out->enc = rex ? AE_ENC_REX : AE_ENC_LEGACY;
	out->opsize = (uint8_t)osz;
	out->asize = pf & F67 ? 4 : 8;
	out->cc = f->cc != 255 ? f->cc : 0;
	out->nops = (uint8_t)nops;
	if (other && (pf & FLOCK))
		out->flags |= AE_F_LOCK;
	if (seg == AE_R_ES + 3 && (attrs & DA_NOTRACK))
		out->flags |= AE_F_NOTRACK;
	/* Byte registers 4-7 are AH..BH without REX. */
	unsigned ah = rex ? 0 : 1;
	unsigned nimm = 0, memsz = 0;
	for (unsigned j = 0; j < nops; j++) {
		const dec_opspec *o = &f->ops[j];
		ae_operand *d = &out->ops[j];
		unsigned t = o->type, m = o->method, n;
		switch (m) {
		case OM_E: case OM_M: case OM_R: case OM_W: case OM_U:
			if (mem) {
				if (m == OM_R || m == OM_U)
					return FAST_GIVE_UP;
				d->kind = AE_OP_MEM;
				memsz = fast_mem_size(t, osz, W);
			} else if (m == OM_M) {
				return FAST_GIVE_UP;
			} else if (m == OM_E || m == OM_R) {
				d->kind = AE_OP_REG;
				d->size = (uint8_t)fast_gpr_size(t, osz, W);
				n = (rex & 1) << 3 | (modrm & 7);
				d->reg = (uint8_t)(ah && d->size == 1 && n - 4 < 4 ? AE_R_AH + n - 4 : n);
			} else {
				d->kind = AE_OP_REG;
				d->size = (uint8_t)vec_reg_size(t, 16);
				d->reg = (uint8_t)(AE_R_VEC + ((rex & 1) << 3 | (modrm & 7)));
			}
			break;
		case OM_G: case OM_Z:
			d->kind = AE_OP_REG;
			d->size = (uint8_t)fast_gpr_size(t, osz, W);
			n = m == OM_G ? (rex & 4) << 1 | ((modrm >> 3) & 7) : (rex & 1) << 3 | (opc & 7);
			d->reg = (uint8_t)(ah && d->size == 1 && n - 4 < 4 ? AE_R_AH + n - 4 : n);
			break;
		case OM_V:
			d->kind = AE_OP_REG;
			d->size = (uint8_t)vec_reg_size(t, 16);
			d->reg = (uint8_t)(AE_R_VEC + ((rex & 4) << 1 | ((modrm >> 3) & 7)));
			break;
		case OM_I: {
			switch (t) {
			case OT_b: case OT_bs: n = 1; break;
			case OT_w: n = 2; break;
			case OT_d: case OT_ds: n = 4; break;
			case OT_q: n = 8; break;
			case OT_z: n = osz == 2 ? 2 : 4; break;
			case OT_v: n = osz; break;
			default: n = 1; break;
			}
			if (pos + n > 15)
				return FAST_GIVE_UP;
			uint64_t v = rd_le(b + pos, n);
			pos += n;
			d->kind = nimm ? AE_OP_IMM2 : AE_OP_IMM;
			d->size = (uint8_t)n;
			if (nimm)
				out->imm2 = (uint8_t)v;
			else if (t == OT_bs || t == OT_ds || (t == OT_z && osz == 8))
				out->imm = sext(v, n);
			else
				out->imm = (int64_t)v;
			nimm++;
			break;
		}
		case OM_J:
			n = t == OT_b ? 1 : osz == 2 ? 2 : 4;
			if (pos + n > 15)
				return FAST_GIVE_UP;
			out->imm = sext(rd_le(b + pos, n), n);
			pos += n;
			d->kind = AE_OP_REL;
			d->size = (uint8_t)n;
			break;
		default: /* OM_FIXED */
			d->kind = AE_OP_REG;
			switch (t) {
			case OF_AL: d->reg = 0; d->size = 1; break;
			case OF_CL: d->reg = 1; d->size = 1; break;
			case OF_DX: d->reg = 2; d->size = 2; break;
			case OF_rAX: d->reg = 0; d->size = (uint8_t)osz; break;
			case OF_eAX: d->reg = 0; d->size = osz == 2 ? 2 : 4; break;
			case OF_AX: d->reg = 0; d->size = 2; break;
			case OF_EAX: d->reg = 0; d->size = 4; break;
			case OF_RAX: d->reg = 0; d->size = 8; break;
			case OF_ST0: d->reg = AE_R_ST; d->size = 10; break;
			case OF_STi: d->reg = (uint8_t)(AE_R_ST + (modrm & 7)); d->size = 10; break;
			case OF_XMM0: d->reg = AE_R_VEC; d->size = 16; break;
			case OF_ES: case OF_CS: case OF_SS: case OF_DS: case OF_FS: case OF_GS:
				d->reg = (uint8_t)(AE_R_ES + (t - OF_ES)); d->size = 2; break;
			case OF_ONE: d->kind = AE_OP_IMM2; d->size = 0; break;
			case OF_rDX: d->reg = 2; d->size = (uint8_t)osz; break;
			case OF_rCX: d->reg = 1; d->size = (uint8_t)osz; break;
			case OF_rBX: d->reg = 3; d->size = (uint8_t)osz; break;
			}
			break;
		}
	}
	out->memsz = (uint16_t)memsz;
	if (pos > 15)
		return FAST_GIVE_UP;
	out->len = (uint8_t)pos;
	return FAST_OK;
}

ae_status dec_run(const ae_decode_ctx *ctx, const uint8_t *bytes, size_t len, ae_insn *out,
		  dec_state *st)
{
	return run(ctx, bytes, len, out, st);
}

/* The short path's instance for LOCK and segment overrides, out of line. */
static __attribute__((noinline)) bool fast_other(const ae_decode_ctx *ctx, const uint8_t *b,
						 ae_insn *out)
{
	return fast_legacy(ctx, b, out, true) == FAST_OK;
}

/* Out of line, so that the short path's frame stays small. */
static __attribute__((noinline)) ae_status
decode_full(const ae_decode_ctx *ctx, const uint8_t *bytes, size_t len, ae_insn *out)
{
	dec_state st;
	return run(ctx, bytes, len, out, &st);
}

ae_status ae_decode(const ae_decode_ctx *ctx, const uint8_t *bytes, size_t len, ae_insn *out)
{
	if (len >= 15) {
		int r = fast_legacy(ctx, bytes, out, false);
		if (r == FAST_OK || (r == FAST_OTHER_PREFIX && fast_other(ctx, bytes, out)))
			return AE_OK;
	}
	return decode_full(ctx, bytes, len, out);
}

void ae_decode_ctx_default(ae_decode_ctx *ctx)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->mode = AE_MODE_64;
	ctx->apx = true;
	for (unsigned f = 0; f < AE_FEAT__COUNT; f++)
		ctx->feat[f >> 6] |= 1ull << (f & 63);
}

void ae_decode_ctx_set_feature(ae_decode_ctx *ctx, ae_feature f, bool on)
{
	if ((unsigned)f >= AE_FEAT__COUNT)
		return;
	if (on)
		ctx->feat[f >> 6] |= 1ull << (f & 63);
	else
		ctx->feat[f >> 6] &= ~(1ull << (f & 63));
}

bool ae_decode_ctx_has_feature(const ae_decode_ctx *ctx, ae_feature f)
{
	return (unsigned)f < AE_FEAT__COUNT && has_feat(ctx, f);
}

const char *ae_feature_name(ae_feature f)
{
	static const char *const names[] = {
#define AE_FEATURE(name, str) str,
#include "apxemu/features.def"
#undef AE_FEATURE
	};
	return (unsigned)f < AE_FEAT__COUNT ? names[f] : "?";
}

const char *ae_ud_reason_name(ae_ud_reason r)
{
	static const char *const names[AE_UD__COUNT] = {
		[AE_UD_NONE] = "none",
		[AE_UD_OPCODE] = "opcode",
		[AE_UD_TOO_LONG] = "too-long",
		[AE_UD_FEATURE] = "feature",
		[AE_UD_MODE] = "mode",
		[AE_UD_LOCK] = "lock",
		[AE_UD_REX2_OPCODE] = "rex2-opcode",
		[AE_UD_REX2_AFTER_REX] = "rex2-after-rex",
		[AE_UD_REX2_PREFIX] = "rex2-prefix",
		[AE_UD_APX_DISABLED] = "apx-disabled",
		[AE_UD_VEX_PREFIX] = "vex-prefix",
		[AE_UD_EVEX_RESERVED] = "evex-reserved",
		[AE_UD_EVEX_MAP] = "evex-map",
		[AE_UD_EVEX_U] = "evex-u",
		[AE_UD_VVVV] = "vvvv",
		[AE_UD_ND] = "nd",
		[AE_UD_NF] = "nf",
		[AE_UD_VL] = "vl",
		[AE_UD_W] = "w",
		[AE_UD_MOD] = "mod",
		[AE_UD_BROADCAST] = "broadcast",
		[AE_UD_MASK] = "mask",
		[AE_UD_JMPABS] = "jmpabs",
		[AE_UD_PUSH2POP2] = "push2pop2",
		[AE_UD_OPERAND] = "operand",
	};
	return (unsigned)r < AE_UD__COUNT && names[r] ? names[r] : "?";
}

const char *ae_status_name(ae_status s)
{
	switch (s) {
	case AE_OK: return "ok";
	case AE_TRUNCATED: return "truncated";
	case AE_UD: return "#UD";
	}
	return "?";
}

const char *ae_form_mnemonic(unsigned form)
{
	return form < DEC_NFORMS ? dec_strings + dec_forms[form].mnem_intel : "?";
}

ae_feature ae_form_feature(unsigned form)
{
	return form < DEC_NFORMS ? (ae_feature)dec_forms[form].feature : AE_FEAT_BASE;
}

unsigned ae_form_count(void)
{
	return DEC_NFORMS;
}
