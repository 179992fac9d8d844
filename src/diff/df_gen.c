/* The random instruction generator, driven by the table.
 *
 * The forms come from the generated decoder tables (dec_index_tab, dec_cands): each legacy
 * form has its opcode space, opcode and the selector constraints of its row (mandatory
 * prefix, ModRM.mod/reg/rm, W, operand size, address size). An instruction of a form is
 * encoded by choosing random values for everything the row leaves free (REX bits, 66/67
 * prefixes, the addressing mode, displacement and immediate bytes), and kept only if the
 * decoder maps the bytes back to that form; the decoder is the judge of validity.
 *
 * Then the operands are made safe, with set-up instructions placed before the instruction
 * (they are compared like any other):
 *   - a ModRM memory operand: MOV imm64 into its base (and a small value into its index) so
 *     that the address falls in the sandbox; RIP-relative and base-less displacements are
 *     patched instead;
 *   - string instructions: RSI/RDI into the sandbox, RCX small under REP; XLAT: RBX;
 *     MASKMOVDQU: RDI;
 *   - stack users: RSP (and RBP for ENTER/LEAVE) into the sandbox stack; POPF pops a value
 *     pushed just before with only the arithmetic flags and DF; RET returns to a pushed
 *     address inside the blob;
 *   - relative branches jump 0, 2, 3 or 4 bytes forward over NOPs, so a wrong condition
 *     shows up as a wrong RIP.
 */
#include <stdlib.h>
#include <string.h>

#include "ae_gen.h"
#include "apxemu/decoder.h"
#include "apxemu/exec_access.h"
#include "df.h"

typedef struct gform {
	uint16_t form;
	uint8_t space, opc, ixflags;
	uint32_t mask, value;
	uint8_t skip;
	bool stack, j, ret, call, popf, str, xlat, rdi, div, leave, enter, dshift;
	bool vex, no_uc, vvvv;
} gform;

static gform *gforms;	 /* drawable forms */
static unsigned ngforms;
static uint8_t skip_of[DEC_NFORMS];
static uint16_t gform_of[DEC_NFORMS]; /* index + 1 into gforms */
static unsigned catalog[DEC_NFORMS];  /* every legacy form seen: drawable, then skipped */
static unsigned ncatalog;
static ae_decode_ctx gctx;
static bool ready;
static ae_cpu *probe_cpu; /* the default profile: which features decode */

static const char *const excluded_handlers[] = {
	"callf", "clac",  "cli",   "clts",   "cpuid", "hlt",   "in",	  "ins",   "int",
	"int1",	 "int3",  "invd",  "invlpg", "iret",  "jmpf",  "lar",	  "lfp",   "lgdt",
	"lidt",	 "lldt",  "lmsw",  "lsl",    "ltr",   "mov_cr", "mov_dr", "mov_seg", "out",
	"outs",	 "pop_seg", "push_seg", "rdmsr", "rdpmc", "rdtsc", "retf", "rsm",  "sgdt",
	"sidt",	 "sldt",  "smsw",  "stac",   "sti",   "str",   "swapgs", "syscall", "sysenter",
	"sysexit", "sysret", "ud",  "verr",   "verw",  "wbinvd", "wrmsr", "vgather",
	/* the x87 environment holds the last instruction and operand pointers */
	"fnstenv", "fnsave", "fldenv", "frstor", NULL};

static bool feature_ok(unsigned f)
{
	switch (f) {
	case AE_FEAT_BASE: case AE_FEAT_CMOV: case AE_FEAT_CX8: case AE_FEAT_CX16:
	case AE_FEAT_SSE: case AE_FEAT_SSE2: case AE_FEAT_SSE3: case AE_FEAT_SSSE3:
	case AE_FEAT_SSE41: case AE_FEAT_SSE42: case AE_FEAT_POPCNT: case AE_FEAT_LZCNT:
	case AE_FEAT_MOVBE: case AE_FEAT_ADX: case AE_FEAT_AES: case AE_FEAT_PCLMUL:
	case AE_FEAT_BMI1: case AE_FEAT_X87: case AE_FEAT_MMX:
		return true;
	case AE_FEAT_AVX: case AE_FEAT_AVX2: /* the host is the only oracle */
		return df_host_has_feature(f);
	default:
		return false;
	}
}

static bool drawable(const dec_form *f, const char *hname)
{
	for (const char *const *e = excluded_handlers; *e; e++)
		if (!strcmp(*e, hname))
			return false;
	if (f->attrs & (DA_CPL0 | DA_VSIB))
		return false;
	if (f->enc > 1) /* legacy and VEX; APX is checked by lowering (df_lower.c) */
		return false;
	if (f->exit != DX_NONE && f->exit != DX_PAUSE)
		return false;
	if (!feature_ok(f->feature) && strcmp(ae_feature_name(f->feature), "lahf-lm") &&
	    strcmp(ae_feature_name(f->feature), "prefetchw"))
		return false;
	for (unsigned i = 0; i < f->nops; i++) {
		unsigned m = f->ops[i].method, t = f->ops[i].type;
		switch (m) {
		case OM_S: case OM_C: case OM_D: case OM_KG:
		case OM_KE: case OM_KR: case OM_KH: case OM_TG: case OM_TE: case OM_TH:
		case OM_BG: case OM_BE: case OM_Ar:
			return false;
		case OM_FIXED:
			if (t >= OF_ES && t <= OF_GS)
				return false;
			break;
		case OM_E:
			/* indirect CALL/JMP */
			if (!strcmp(hname, "call") || !strcmp(hname, "jmp"))
				return false;
			break;
		default:
			break;
		}
		if (t == OT_p || t == OT_env || t == OT_st || t == OT_fx || t == OT_xs ||
		    t == OT_m64b || t == OT_s)
			return false;
	}
	return true;
}

static bool form_no_uc(unsigned form)
{
	const dec_form *f = &dec_forms[form];
	bool r = f->enc != 0 || f->feature == AE_FEAT_X87 || f->feature == AE_FEAT_MMX;
	/* Unicorn 2.0.1 dies (SIGSEGV in helper_pcmpestrm_xmm) on some PCMPESTRx lengths */
	const char *m = ae_form_mnemonic(form);
	if (!strncmp(m, "pcmpestr", 8) || !strncmp(m, "pcmpistr", 8))
		r = true;
	for (unsigned i = 0; i < f->nops; i++)
		if (f->ops[i].method == OM_P || f->ops[i].method == OM_Q ||
		    f->ops[i].method == OM_N)
			r = true;
	return r;
}

static void add_cand(unsigned space, unsigned opc, uint8_t ixflags, const dec_cand *c)
{
	unsigned form = c->form;
	if (gform_of[form] || skip_of[form])
		return;
	const dec_form *f = &dec_forms[form];
	const char *h = dec_handler_names[f->handler];
	catalog[ncatalog++] = form;
	if (!drawable(f, h)) {
		skip_of[form] = DF_SKIP_EXCLUDED;
		return;
	}
	if (!ae_form_implemented(form) || !ae_cpu_form_enabled(probe_cpu, form)) {
		skip_of[form] = DF_SKIP_UNIMPL;
		return;
	}
	gform *g = &gforms[ngforms++];
	memset(g, 0, sizeof *g);
	g->form = (uint16_t)form;
	g->space = (uint8_t)space;
	g->opc = (uint8_t)opc;
	g->ixflags = ixflags;
	g->mask = c->mask;
	g->value = c->value;
	const char *m = ae_form_mnemonic(form);
	g->stack = !strcmp(h, "push") || !strcmp(h, "pop") || !strcmp(h, "pushf") ||
		   !strcmp(h, "popf") || !strcmp(h, "call") || !strcmp(h, "ret") ||
		   !strcmp(h, "enter") || !strcmp(h, "leave");
	g->leave = !strcmp(h, "enter") || !strcmp(h, "leave");
	g->ret = !strcmp(h, "ret");
	g->call = !strcmp(h, "call");
	g->enter = !strcmp(h, "enter");
	g->dshift = !strcmp(h, "shld") || !strcmp(h, "shrd");
	g->popf = !strcmp(h, "popf");
	g->str = !strcmp(h, "movs") || !strcmp(h, "cmps") || !strcmp(h, "lods") ||
		 !strcmp(h, "stos") || !strcmp(h, "scas");
	g->xlat = !strcmp(h, "xlat");
	g->rdi = !strncmp(m, "maskmov", 7) || !strncmp(m, "vmaskmovdqu", 11);
	g->div = !strcmp(h, "div") || !strcmp(h, "idiv");
	g->vex = f->enc == 1;
	g->vvvv = f->vvvv;
	/* Unicorn 2.0.1 has no AVX, and its x87 is a soft-float approximation (with MMX sharing
	 * those registers): these forms have the host as their only oracle */
	g->no_uc = form_no_uc(form);
	for (unsigned i = 0; i < f->nops; i++)
		if (f->ops[i].method == OM_J)
			g->j = true;
	gform_of[form] = (uint16_t)ngforms;
}

void df_gen_init(void)
{
	if (ready)
		return;
	gforms = calloc(DEC_NFORMS, sizeof *gforms);
	probe_cpu = ae_cpu_new(NULL);
	if (!gforms || !probe_cpu)
		abort();
	static const unsigned spaces[] = {0, 1, 2, 3, 5, 6, 7}; /* legacy; VEX maps 1-3 */
	for (unsigned si = 0; si < sizeof spaces / sizeof spaces[0]; si++)
		for (unsigned opc = 0, space = spaces[si]; opc < 256; opc++) {
			const dec_index *ix = &dec_index_tab[space][opc];
			if (!ix->count)
				continue;
			if (ix->flags & DI_BYREG) {
				for (unsigned reg = 0; reg < 8; reg++) {
					const dec_sub *s = &dec_regsplit[ix->start + reg];
					for (unsigned i = 0; i < s->count; i++)
						add_cand(space, opc, ix->flags,
							 &dec_cands[s->start + i]);
				}
			} else {
				for (unsigned i = 0; i < ix->count; i++)
					add_cand(space, opc, ix->flags, &dec_cands[ix->start + i]);
			}
		}
	ae_cpu_free(probe_cpu);
	probe_cpu = NULL;
	ae_decode_ctx_default(&gctx);
	gctx.apx = false;
	ready = true;
}

unsigned df_gen_nforms(void)
{
	return ncatalog;
}

unsigned df_gen_form(unsigned i)
{
	return catalog[i];
}

unsigned df_gen_skip_reason(unsigned form)
{
	return form < DEC_NFORMS ? skip_of[form] : DF_SKIP_EXCLUDED;
}

/* --- blobs ------------------------------------------------------------------------------- */

void df_blob_free(df_blob *b)
{
	free(b->code);
	free(b->items);
	memset(b, 0, sizeof *b);
}

static void emit(df_blob *b, const uint8_t *p, unsigned n, bool setup, uint16_t form,
		 uint64_t base)
{
	if (b->len + n > b->cap) {
		b->cap = (b->cap ? b->cap * 2 : 4096) + n;
		b->code = realloc(b->code, b->cap);
	}
	if (b->nitems == b->icap) {
		b->icap = b->icap ? b->icap * 2 : 256;
		b->items = realloc(b->items, b->icap * sizeof *b->items);
	}
	if (!b->code || !b->items)
		abort();
	df_item *it = &b->items[b->nitems++];
	it->off = (uint32_t)b->len;
	it->len = (uint8_t)n;
	it->setup = setup;
	it->no_uc = false;
	it->fs = false;
	it->form = form;
	it->nterm = 1;
	it->term[0] = base + b->len + n;
	memcpy(b->code + b->len, p, n);
	b->len += n;
}

static uint16_t form_of(const uint8_t *p, unsigned n)
{
	ae_insn in;
	return ae_decode(&gctx, p, n, &in) == AE_OK ? in.form : 0xffff;
}

/* MOV r64, imm64 (REX.W B8+r). */
static void emit_mov(df_blob *b, unsigned reg, uint64_t v, uint64_t base)
{
	uint8_t p[10] = {(uint8_t)(0x48 | (reg >> 3)), (uint8_t)(0xb8 + (reg & 7))};
	memcpy(p + 2, &v, 8);
	emit(b, p, 10, true, form_of(p, 10), base);
}

/* PUSH imm32 (sign-extended). */
static size_t emit_push(df_blob *b, uint32_t v, uint64_t base)
{
	uint8_t p[5] = {0x68};
	memcpy(p + 1, &v, 4);
	emit(b, p, 5, true, form_of(p, 5), base);
	return b->len - 4;
}

/* --- encoding one form --------------------------------------------------------------------- */

#define SEL(field, shift, width) (((g->mask >> (shift)) & ((1u << (width)) - 1)) != 0)
#define VAL(shift, width) ((g->value >> (shift)) & ((1u << (width)) - 1))

typedef struct enc {
	uint8_t b[32];
	unsigned n;	/* bytes before the immediates */
	int disp_off;	/* -1 if none */
	unsigned disp_size;
	bool mem, p66;
	uint8_t seg; /* 0x64 / 0x65 prefix, or 0 */
} enc;

static void encode(df_rng *r, const gform *g, enc *e)
{
	unsigned n = 0;
	bool has_pp = SEL(pp, SEL_PP_SHIFT, 2), has_osz = SEL(osz, SEL_OSZ_SHIFT, 2);
	unsigned pp = has_pp ? VAL(SEL_PP_SHIFT, 2) : 0;
	unsigned osz = has_osz ? VAL(SEL_OSZ_SHIFT, 2) : (unsigned)df_rng_below(r, 3);
	if (!has_osz && df_rng_below(r, 3))
		osz = 1; /* mostly 32-bit when free */
	bool W = SEL(w, SEL_W_SHIFT, 1) ? VAL(SEL_W_SHIFT, 1) : osz == 2;
	bool p66 = pp == 1 || (!W && osz == 0);
	bool mod3 = SEL(mod3, SEL_MOD3_SHIFT, 1) ? VAL(SEL_MOD3_SHIFT, 1) : df_rng_below(r, 2);
	if (!(g->ixflags & DI_MODRM))
		mod3 = true;
	if (g->ixflags & DI_FORCE_MOD3)
		mod3 = true;
	bool a32 = SEL(a32, SEL_A32_SHIFT, 1) ? VAL(SEL_A32_SHIFT, 1)
					       : (!mod3 && df_rng_below(r, 10) == 0);
	const dec_form *f = &dec_forms[g->form];
	e->seg = 0;
	if (!mod3 && !g->str && df_rng_below(r, 8) == 0)
		e->b[n++] = e->seg = df_rng_below(r, 2) ? 0x64 : 0x65;
	if (g->vex) {
		if (a32)
			e->b[n++] = 0x67;
		e->p66 = false;
		unsigned L = SEL(l, SEL_L_SHIFT, 2) ? VAL(SEL_L_SHIFT, 2) : (unsigned)df_rng_below(r, 2);
		unsigned vw = SEL(w, SEL_W_SHIFT, 1) ? VAL(SEL_W_SHIFT, 1) : (unsigned)df_rng_below(r, 2);
		unsigned vvvv = g->vvvv ? (unsigned)df_rng_below(r, 16) : 0;
		e->b[n++] = 0xc4;
		e->b[n++] = (uint8_t)((df_rng_below(r, 8) << 5) | (g->space - 4));
		e->b[n++] = (uint8_t)(vw << 7 | ((~vvvv & 15) << 3) | (L & 1) << 2 | (pp & 3));
	} else {
	if (!mod3 && (f->attrs & DA_LOCK) && df_rng_below(r, 4) == 0)
		e->b[n++] = 0xf0;
	e->p66 = p66;
	if (p66)
		e->b[n++] = 0x66;
	if (a32)
		e->b[n++] = 0x67;
	if (pp == 2 || pp == 3)
		e->b[n++] = pp == 2 ? 0xf3 : 0xf2;
	else if (!has_pp && (f->attrs & (DA_REP | DA_REPCC)) && df_rng_below(r, 2))
		e->b[n++] = (f->attrs & DA_REPCC) && df_rng_below(r, 2) ? 0xf2 : 0xf3;
	unsigned rex = (unsigned)df_rng_below(r, 8);
	bool use_rex = W || df_rng_below(r, 2);
	if (use_rex)
		e->b[n++] = (uint8_t)(0x40 | (W ? 8 : 0) | rex);
	if (g->space >= 1)
		e->b[n++] = 0x0f;
	if (g->space == 2)
		e->b[n++] = 0x38;
	if (g->space == 3)
		e->b[n++] = 0x3a;
	}
	e->b[n++] = g->opc;
	e->disp_off = -1;
	e->disp_size = 0;
	e->mem = false;
	if (g->ixflags & DI_MODRM) {
		unsigned reg = SEL(reg, SEL_REG_SHIFT, 3) ? VAL(SEL_REG_SHIFT, 3)
							  : (unsigned)df_rng_below(r, 8);
		unsigned rm = SEL(rm, SEL_RM_SHIFT, 3) ? VAL(SEL_RM_SHIFT, 3)
						       : (unsigned)df_rng_below(r, 8);
		if (mod3) {
			e->b[n++] = (uint8_t)(0xc0 | reg << 3 | rm);
		} else {
			e->mem = true;
			unsigned mod = (unsigned)df_rng_below(r, 3);
			if (!SEL(rm, SEL_RM_SHIFT, 3) && df_rng_below(r, 8) == 0) {
				rm = 5; /* RIP-relative */
				mod = 0;
			}
			e->b[n++] = (uint8_t)(mod << 6 | reg << 3 | rm);
			bool base5 = false;
			if (rm == 4) {
				unsigned sib = (unsigned)df_rng_below(r, 256);
				if (mod == 0 && (sib & 7) == 5 && df_rng_below(r, 2))
					sib = (sib & ~7u) | 3; /* mostly with a base */
				e->b[n++] = (uint8_t)sib;
				base5 = (sib & 7) == 5;
			}
			unsigned ds = mod == 1 ? 1 : (mod == 2 || (mod == 0 && (rm == 5 || base5))) ? 4 : 0;
			if (ds) {
				e->disp_off = (int)n;
				e->disp_size = ds;
				int32_t d = (int32_t)df_rng_below(r, 256) - 128;
				memcpy(e->b + n, &d, ds);
				n += ds;
			}
		}
	}
	e->n = n;
	for (unsigned i = 0; i < 16; i++)
		e->b[n + i] = (uint8_t)df_rng_next(r);
	/* immediates: mostly small or edge values */
	if (df_rng_below(r, 2)) {
		uint8_t v = (uint8_t)(df_rng_below(r, 3) == 0 ? 0xff : df_rng_below(r, 4));
		memset(e->b + n, 0, 16);
		e->b[n] = v;
		if (v == 0xff)
			memset(e->b + n, 0xff, 16);
	}
}

static uint64_t mem_target(df_rng *r, unsigned align)
{
	uint64_t span = DF_MEM_HI - DF_MEM_LO - 1024;
	uint64_t t = DF_MEM_LO + df_rng_below(r, span);
	if (df_rng_below(r, 4))
		t &= ~(uint64_t)(align - 1);
	return t;
}

static bool writes_rsp(const ae_insn *in)
{
	for (unsigned i = 0; i < in->nops; i++)
		if (in->ops[i].kind == AE_OP_REG && in->ops[i].reg == 4 && in->ops[i].size == 8)
			return true;
	return false;
}

static bool uses_reg(const ae_insn *in, unsigned reg)
{
	if (in->mem.base == reg || in->mem.index == reg)
		return true;
	for (unsigned i = 0; i < in->nops; i++)
		if (in->ops[i].kind == AE_OP_REG && in->ops[i].reg == reg)
			return true;
	return false;
}

/* Encodes one instruction of g with its set-ups and appends them. Returns false if no
 * valid encoding was found. */
static bool gen_one(df_rng *r, const gform *g, df_blob *b, uint64_t base)
{
	enc e;
	ae_insn in;
	int tries;
	for (tries = 0; tries < 64; tries++) {
		encode(r, g, &e);
		if (ae_decode(&gctx, e.b, sizeof e.b, &in) != AE_OK || in.form != g->form)
			continue;
		if (e.mem && in.mem.seg != AE_R_ES + 3 && in.mem.seg != AE_R_ES + 2 &&
		    in.mem.seg != AE_R_ES + 4 && in.mem.seg != AE_R_ES + 5)
			continue;
		/* 66 on a near branch: Intel ignores it in 64-bit mode, AMD truncates RIP to 16
		 * bits (AMD APM Vol. 3, "Near branches"): not generated */
		if ((g->j || g->ret || g->call) && e.p66)
			continue;
		/* a 64-bit RSP operand would take random values: RSP stays in the sandbox */
		if (writes_rsp(&in))
			continue;
		if (g->stack && e.mem && (in.mem.base == 4 || in.mem.index == 4))
			continue;
		if (g->leave && e.mem && (in.mem.base == 5 || in.mem.index == 5))
			continue;
		if (e.mem && in.mem.base < 16 && in.mem.base == in.mem.index)
			continue;
		if (g->div && e.mem && (in.mem.base == 2 || in.mem.index == 2))
			continue;
		if (g->rdi && uses_reg(&in, 7))
			continue;
		if (g->dshift && e.mem && (in.mem.base == 1 || in.mem.index == 1))
			continue;
		break;
	}
	if (tries == 64)
		return false;
	unsigned len = in.len;
	/* the address the instruction will have is known once the set-ups are emitted */
	uint64_t target = 0;
	bool riprel = false;
	if (e.mem) {
		unsigned align = in.memsz >= 16 ? 16 : in.memsz ? in.memsz : 8;
		target = mem_target(r, align);
		int64_t disp = in.mem.disp;
		uint64_t v = 0;
		unsigned scale = in.mem.scale ? in.mem.scale : 1;
		/* FS and GS have fixed bases in every machine (df.h) */
		uint64_t segbase = in.mem.seg == AE_R_ES + 4 ? DF_FS_BASE
				   : in.mem.seg == AE_R_ES + 5 ? DF_GS_BASE : 0;
		/* a 32-bit effective address is not wrapped after the base is added */
		if (segbase && in.asize == 4 && target < segbase + 64)
			target = segbase + 64 + (target & 0x3ff);
		target -= segbase;
		bool has_index = in.mem.index < 16;
		if (has_index)
			v = df_rng_below(r, 16);
		if (in.mem.base == AE_R_RIP) {
			riprel = true;
		} else if (in.mem.base == AE_R_NONE) {
			if (has_index)
				emit_mov(b, in.mem.index, v, base);
			int32_t d = (int32_t)(target - v * scale);
			memcpy(e.b + e.disp_off, &d, 4);
		} else {
			if (has_index)
				emit_mov(b, in.mem.index, v, base);
			emit_mov(b, in.mem.base, target - (uint64_t)disp - v * scale, base);
		}
	}
	for (unsigned i = 0; i < in.nops; i++)
		if (in.ops[i].kind == AE_OP_MOFFS) {
			uint64_t t = mem_target(r, 8);
			memcpy(e.b + len - in.asize, &t, in.asize);
		}
	if (g->str) {
		emit_mov(b, 6, mem_target(r, 8) + 256, base);
		emit_mov(b, 7, mem_target(r, 8) + 256, base);
		if (in.flags & (AE_F_REP | AE_F_REPNE))
			emit_mov(b, 1, df_rng_below(r, 7), base);
	}
	if (g->xlat)
		emit_mov(b, 3, mem_target(r, 1) & ~(uint64_t)255, base);
	if (g->rdi)
		emit_mov(b, 7, mem_target(r, 16), base);
	if (g->div && df_rng_below(r, 3))
		emit_mov(b, 2, df_rng_below(r, 3) ? 0 : df_rng_below(r, 16), base);
	size_t push_at = 0;
	if (g->stack) {
		emit_mov(b, 4, DF_STACK - 8 * df_rng_below(r, 8), base);
		if (g->leave)
			emit_mov(b, 5, DF_STACK - 0x200 + 8 * df_rng_below(r, 8), base);
		if (g->popf)
			emit_push(b, (uint32_t)((df_rng_next(r) & DF_FLAGS_CMP) | 2), base);
		if (g->ret)
			push_at = emit_push(b, 0, base);
	}
	unsigned skip = 0;
	if (g->j || g->ret) {
		static const unsigned skips[4] = {0, 2, 3, 4};
		skip = skips[df_rng_below(r, 4)];
	}
	uint64_t addr = base + b->len;
	if (riprel) {
		int32_t d = (int32_t)(target - (addr + len));
		memcpy(e.b + e.disp_off, &d, 4);
	}
	if (g->j) {
		/* the displacement is the last immediate */
		for (unsigned i = 0; i < in.nops; i++)
			if (in.ops[i].kind == AE_OP_REL) {
				unsigned sz = in.ops[i].size;
				int32_t d = (int32_t)skip;
				memcpy(e.b + len - sz, &d, sz);
			}
	}
	/* 16-bit SHLD/SHRD by more than 16: the result is undefined (SDM Vol. 2 SHLD) */
	if (g->dshift && in.opsize == 2) {
		bool by_cl = false;
		for (unsigned i = 0; i < in.nops; i++)
			by_cl |= in.ops[i].kind == AE_OP_REG && in.ops[i].reg == 1 &&
				 in.ops[i].size == 1;
		if (by_cl)
			emit_mov(b, 1, df_rng_below(r, 17), base);
		else
			e.b[len - 1] = (uint8_t)(df_rng_below(r, 17) | (df_rng_below(r, 8) << 5));
	}
	if (g->enter) {
		/* a frame of at most 0x1f8 bytes keeps RSP in the sandbox */
		uint16_t size = (uint16_t)(df_rng_below(r, 64) * 8);
		memcpy(e.b + len - 3, &size, 2);
	}
	if (g->ret) {
		uint32_t t = (uint32_t)(addr + len + skip);
		memcpy(b->code + push_at, &t, 4);
	}
	emit(b, e.b, len, false, g->form, base);
	df_item *it = &b->items[b->nitems - 1];
	it->no_uc = g->no_uc;
	it->fs = e.mem && in.mem.seg == AE_R_ES + 4;
	if (skip) {
		it->term[it->nterm++] = addr + len + skip;
		if (g->ret) {
			it->term[0] = addr + len + skip;
			it->nterm = 1;
		}
	}
	static const uint8_t nop = 0x90;
	for (unsigned i = 0; i < skip; i++)
		emit(b, &nop, 1, true, form_of(&nop, 1), base);
	return true;
}

void df_gen_fill(df_rng *r, df_blob *b, unsigned n, uint64_t base)
{
	df_gen_init();
	for (unsigned k = 0; k < n && ngforms; k++) {
		if (b->len + 256 > DF_CODE_SIZE)
			break;
		const gform *g = &gforms[df_rng_below(r, ngforms)];
		gen_one(r, g, b, base);
	}
}

static uint64_t interesting(df_rng *r)
{
	static const uint64_t v[] = {0,
				     1,
				     2,
				     0x7f,
				     0x80,
				     0xff,
				     0x7fff,
				     0x8000,
				     0xffff,
				     0x7fffffff,
				     0x80000000,
				     0xffffffff,
				     0x100000000ull,
				     0x7fffffffffffffffull,
				     0x8000000000000000ull,
				     ~0ull};
	switch (df_rng_below(r, 4)) {
	case 0: return v[df_rng_below(r, sizeof v / sizeof v[0])];
	case 1: return df_rng_below(r, 64);
	default: return df_rng_next(r);
	}
}

void df_gen_random_state(df_rng *r, df_state *st)
{
	memset(st, 0, sizeof *st);
	for (unsigned i = 0; i < 16; i++)
		st->gpr[i] = interesting(r);
	st->gpr[4] = DF_STACK;
	st->rip = DF_CODE_BASE;
	st->rflags = (df_rng_next(r) & DF_FLAGS_CMP & ~0x400ull) | 0x202;
	st->mxcsr = 0x1f80;
	for (unsigned i = 0; i < 16; i++) {
		for (unsigned k = 0; k < 16; k += 8) {
			uint64_t v = interesting(r);
			if (df_rng_below(r, 3) == 0) { /* a double or two floats of ordinary size */
				double d = (double)(int64_t)df_rng_below(r, 2000000) / 64.0 - 10000.0;
				memcpy(&v, &d, 8);
				if (df_rng_below(r, 2)) {
					float f2[2] = {(float)d, (float)(d * 0.37)};
					memcpy(&v, f2, 8);
				}
			}
			memcpy(st->xmm[i] + k, &v, 8);
		}
	}
	for (unsigned i = 0; i < DF_DATA_SIZE; i += 8) {
		uint64_t v = interesting(r);
		if (df_rng_below(r, 4) == 0) { /* an ordinary double */
			double d = (double)(int64_t)df_rng_below(r, 2000000) / 64.0 - 10000.0;
			memcpy(&v, &d, 8);
		}
		memcpy(st->mem + i, &v, 8);
	}
	for (unsigned i = 0; i < 16; i++)
		if (df_rng_below(r, 2))
			for (unsigned k = 0; k < 16; k += 8) {
				uint64_t v = interesting(r);
				memcpy(st->ymmh[i] + k, &v, 8);
			}
	/* x87: the default control word, a random TOP and some registers in use */
	st->fcw = 0x37f;
	unsigned top = (unsigned)df_rng_below(r, 8), used = (unsigned)df_rng_below(r, 9);
	st->fsw = (uint16_t)(top << 11);
	for (unsigned i = 0; i < used; i++) {
		unsigned phys = (top + i) & 7;
		long double v = (long double)(int64_t)df_rng_below(r, 2000000) / 64.0L - 10000.0L;
		if (df_rng_below(r, 8) == 0)
			v = df_rng_below(r, 2) ? 0.0L : 1e-4000L;
		memcpy(st->st[phys], &v, 10);
		st->ftw |= (uint8_t)(1u << phys);
	}
}

int df_blob_from_bytes(df_blob *b, const uint8_t *code, size_t len, uint64_t base)
{
	df_gen_init();
	size_t off = 0;
	while (off < len) {
		ae_insn in;
		if (ae_decode(&gctx, code + off, len - off, &in) != AE_OK)
			return -1;
		emit(b, code + off, in.len, false, in.form, base);
		df_item *it = &b->items[b->nitems - 1];
		it->no_uc = form_no_uc(in.form);
		it->fs = in.mem.seg == AE_R_ES + 4;
		for (unsigned i = 0; i < in.nops; i++)
			if (in.ops[i].kind == AE_OP_REL) {
				uint64_t t = base + off + in.len + (uint64_t)in.imm;
				if (t != it->term[0] && it->nterm < 2)
					it->term[it->nterm++] = t;
			}
		off += in.len;
	}
	return 0;
}
