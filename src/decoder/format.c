/* The formatter: AT&T syntax spelled as LLVM 19 spells it, and Intel syntax.
 *
 * Mnemonic templates come from the table (`{s}` size suffix, `{scc}` CCMP/CTEST condition);
 * operands are printed in reverse table order for AT&T. Pseudo-prefixes `{evex}` and `{nf}`
 * are printed where LLVM prints them: `{nf}` on every NF form, `{evex}` on an APX EVEX form
 * that a shorter legacy or VEX encoding could express (no NDD, no NF, no r16-r31).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dec_internal.h"

typedef struct fbuf {
	char *p;
	size_t cap, n;
} fbuf;

static void put(fbuf *b, const char *s)
{
	for (; *s; s++) {
		if (b->n + 1 < b->cap)
			b->p[b->n] = *s;
		b->n++;
	}
}

static void putf(fbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(fbuf *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	put(b, tmp);
}

static const char *const gpr64[32] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11",
	"r12", "r13", "r14", "r15", "r16", "r17", "r18", "r19", "r20", "r21", "r22", "r23",
	"r24", "r25", "r26", "r27", "r28", "r29", "r30", "r31"};
static const char *const gpr32[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
static const char *const gpr16[8] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
static const char *const gpr8[8] = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"};
static const char *const gpr8h[4] = {"ah", "ch", "dh", "bh"};
static const char *const segs[6] = {"es", "cs", "ss", "ds", "fs", "gs"};

const char *ae_reg_name(unsigned reg, unsigned size)
{
	static _Thread_local char tmp[16];
	if (reg < 32) {
		if (reg < 8) {
			switch (size) {
			case 1: return gpr8[reg];
			case 2: return gpr16[reg];
			case 4: return gpr32[reg];
			default: return gpr64[reg];
			}
		}
		switch (size) {
		case 1: snprintf(tmp, sizeof tmp, "%sb", gpr64[reg]); return tmp;
		case 2: snprintf(tmp, sizeof tmp, "%sw", gpr64[reg]); return tmp;
		case 4: snprintf(tmp, sizeof tmp, "%sd", gpr64[reg]); return tmp;
		default: return gpr64[reg];
		}
	}
	if (reg >= AE_R_AH && reg < AE_R_AH + 4)
		return gpr8h[reg - AE_R_AH];
	if (reg == AE_R_RIP)
		return size == 4 ? "eip" : "rip";
	if (reg >= AE_R_ES && reg < AE_R_ES + 6)
		return segs[reg - AE_R_ES];
	if (reg >= AE_R_CR && reg < AE_R_CR + 16) {
		snprintf(tmp, sizeof tmp, "cr%u", reg - AE_R_CR);
		return tmp;
	}
	if (reg >= AE_R_DR && reg < AE_R_DR + 16) {
		snprintf(tmp, sizeof tmp, "dr%u", reg - AE_R_DR);
		return tmp;
	}
	if (reg >= AE_R_ST && reg < AE_R_ST + 8) {
		if (reg == AE_R_ST)
			return "st";
		snprintf(tmp, sizeof tmp, "st(%u)", reg - AE_R_ST);
		return tmp;
	}
	if (reg >= AE_R_MM && reg < AE_R_MM + 8) {
		snprintf(tmp, sizeof tmp, "mm%u", reg - AE_R_MM);
		return tmp;
	}
	if (reg >= AE_R_VEC && reg < AE_R_VEC + 32) {
		snprintf(tmp, sizeof tmp, "%cmm%u", size == 64 ? 'z' : size == 32 ? 'y' : 'x',
			 reg - AE_R_VEC);
		return tmp;
	}
	if (reg >= AE_R_K && reg < AE_R_K + 8) {
		snprintf(tmp, sizeof tmp, "k%u", reg - AE_R_K);
		return tmp;
	}
	if (reg >= AE_R_TMM && reg < AE_R_TMM + 8) {
		snprintf(tmp, sizeof tmp, "tmm%u", reg - AE_R_TMM);
		return tmp;
	}
	if (reg >= AE_R_BND && reg < AE_R_BND + 4) {
		snprintf(tmp, sizeof tmp, "bnd%u", reg - AE_R_BND);
		return tmp;
	}
	return "?";
}

static bool is_gpr_method(unsigned m)
{
	switch (m) {
	case OM_E: case OM_G: case OM_R: case OM_B: case OM_Z: case OM_M: case OM_X: case OM_Y:
	case OM_O:
		return true;
	default:
		return false;
	}
}

static char suffix_of(unsigned size)
{
	switch (size) {
	case 1: return 'b';
	case 2: return 'w';
	case 4: return 'l';
	default: return 'q';
	}
}

/* The size a `{s}` suffix stands for: the first GPR or memory operand, else the op size. */
static unsigned suffix_size(const ae_insn *in, const dec_form *f)
{
	for (unsigned i = 0; i < f->nops; i++) {
		const dec_opspec *o = &f->ops[i];
		const ae_operand *d = &in->ops[i];
		if (o->hidden)
			continue;
		if (o->method == OM_FIXED) {
			if (o->type == OF_AL || o->type == OF_AX || o->type == OF_EAX ||
			    o->type == OF_RAX || o->type == OF_rAX || o->type == OF_eAX)
				return d->size;
			continue;
		}
		if (!is_gpr_method(o->method))
			continue;
		if (d->kind == AE_OP_REG || d->kind == AE_OP_STR_SRC || d->kind == AE_OP_STR_DST ||
		    d->kind == AE_OP_MOFFS)
			return d->size;
		if (d->kind == AE_OP_MEM && o->type == OT_p)
			return in->opsize; /* far pointer: m16:16 is 4 bytes but lcallw */
		if (d->kind == AE_OP_MEM && (in->memsz == 1 || in->memsz == 2 || in->memsz == 4 ||
					      in->memsz == 8))
			return in->memsz;
	}
	return in->opsize;
}

static const char *const scc_names[16] = {"o", "no", "b", "ae", "e", "ne", "be", "a",
					  "s", "ns", "t", "f", "l", "ge", "le", "g"};

static void put_mnemonic(fbuf *b, const ae_insn *in, const dec_form *f, bool att)
{
	const char *t = dec_strings + (att ? f->mnem_att : f->mnem_intel);
	char tmp[64];
	size_t n = 0;
	while (*t && n + 8 < sizeof tmp) {
		if (t[0] == '{') {
			if (!strncmp(t, "{s}", 3)) {
				tmp[n++] = suffix_of(suffix_size(in, f));
				t += 3;
				continue;
			}
			if (!strncmp(t, "{scc}", 5)) {
				const char *s = scc_names[in->cc & 15];
				while (*s)
					tmp[n++] = *s++;
				t += 5;
				continue;
			}
			if (!strncmp(t, "{dfv}", 5)) {
				t += 5;
				continue;
			}

		}
		tmp[n++] = *t++;
	}
	tmp[n] = 0;
	put(b, tmp);
}

static void put_prefixes(fbuf *b, const ae_insn *in, const dec_form *f)
{
	/* LLVM 19 prints NOTRACK (3E) as the DS override it also is (callq *%ds:(%rax)), and
	 * nothing on a register form; BND (F2) as repne. The flags stay in ae_insn. */
	if (in->asize == 4 && in->enc <= AE_ENC_REX2) {
		/* 67 on an instruction whose operands do not show the address size (LOOP, XLAT,
		 * CLZERO, MONITOR): LLVM prints addr32. JECXZ and UMONITOR r32 show it already. */
		const char *mn = dec_strings + f->mnem_intel;
		bool shown = !strcmp(mn, "jecxz") || !strcmp(mn, "umonitor");
		for (unsigned i = 0; i < in->nops && !shown; i++)
			shown = in->ops[i].kind == AE_OP_MEM || in->ops[i].kind == AE_OP_MOFFS ||
				in->ops[i].kind == AE_OP_STR_SRC || in->ops[i].kind == AE_OP_STR_DST ||
				in->ops[i].kind == AE_OP_MEM_REG;
		if (!shown)
			put(b, "addr32 ");
	}
	if (in->flags & AE_F_XACQUIRE)
		put(b, "xacquire ");
	if (in->flags & AE_F_XRELEASE)
		put(b, "xrelease ");
	if (in->flags & AE_F_LOCK)
		put(b, "lock ");
	/* LLVM spells REPE as rep too (rep cmpsb), and prints an F3/F2 that a one-byte opcode
	 * ignores (rep retq) or uses as BND (repne callq); in the 0F maps it takes an unused
	 * F3/F2 as a mandatory-prefix candidate and prints nothing. */
	bool shown = f->attrs & (DA_REP | DA_REPCC | DA_BND) ||
		     (in->enc <= AE_ENC_REX2 && in->map == 0);
	/* F3 90 is PAUSE, so LLVM takes an F3 on opcode 90 as that candidate, not as rep. */
	if ((in->flags & AE_F_REP) && shown && !(in->flags & AE_F_XRELEASE) &&
	    !(in->map == 0 && in->opc == 0x90))
		put(b, "rep ");
	if ((in->flags & AE_F_REPNE) && shown && !(in->flags & AE_F_XACQUIRE))
		put(b, "repne ");
	if (f->attrs & DA_VEXPFX)
		put(b, "{vex} ");
	if (in->enc == AE_ENC_EVEX && f->apx) {
		/* LLVM marks an NF form with {nf}, and an ND=0 promoted legacy form (rows with
		 * `evexpfx`) with {evex}. */
		if (in->flags & AE_F_NF)
			put(b, "{nf} ");
		else if ((f->attrs & DA_EVEXPFX) && !(in->flags & AE_F_ND))
			put(b, "{evex} ");
	}
}

static void put_dfv(fbuf *b, const ae_insn *in)
{
	static const char *const names[4] = {"of", "sf", "zf", "cf"};
	put(b, " {dfv=");
	bool first = true;
	for (unsigned i = 0; i < 4; i++)
		if (in->dfv & (8u >> i)) {
			if (!first)
				put(b, ",");
			put(b, names[i]);
			first = false;
		}
	put(b, "}");
}

static void put_signed(fbuf *b, int64_t v)
{
	putf(b, "%" PRId64, v);
}

/* The immediate value as LLVM prints it (see isa/README.md, Immediates). */
static int64_t imm_value(const ae_insn *in, const dec_opspec *o, const ae_operand *d)
{
	uint64_t v = (uint64_t)in->imm;
	switch (o->type) {
	case OT_b: return (int64_t)(v & 0xff);
	case OT_bs: case OT_ds: return in->imm;
	case OT_w: return (int16_t)(v & 0xffff);
	case OT_d: return (int64_t)(v & 0xffffffffu);
	case OT_q: return (int64_t)v;
	case OT_z: case OT_v:
		if (d->size == 8 || in->opsize == 8)
			return in->imm;
		if (d->size == 2 && in->enc == AE_ENC_EVEX) /* LLVM prints EVEX imm16 signed */
			return (int16_t)(v & 0xffff);
		return (int64_t)(v & (d->size == 2 ? 0xffffu : 0xffffffffu));
	default: return in->imm;
	}
}

/* The VSIB index register's width: the decoder stores it in the memory operand's size. */
static unsigned vsib_index_size(const ae_insn *in)
{
	for (unsigned i = 0; i < in->nops; i++)
		if (in->ops[i].kind == AE_OP_MEM && in->ops[i].size)
			return in->ops[i].size;
	return in->vl ? in->vl : 16;
}

/* LLVM shows a SIB byte without an index as the pseudo-register riz, unless the base alone
 * needs the SIB (rsp, r12) and the scale is 1. */
static bool show_riz(const ae_insn *in)
{
	const ae_mem *m = &in->mem;
	if (!(in->flags & AE_F_SIB_NOINDEX))
		return false;
	if (m->scale != 1)
		return true;
	return m->base != AE_R_NONE && m->base != 4 && m->base != 12;
}

static void put_mem_att(fbuf *b, const ae_insn *in)
{
	const ae_mem *m = &in->mem;
	if (in->seg_ovr != AE_R_NONE) {
		put(b, "%");
		put(b, segs[in->seg_ovr - AE_R_ES]);
		put(b, ":");
	}
	bool base = m->base != AE_R_NONE, index = m->index != AE_R_NONE;
	bool riz = show_riz(in);
	unsigned asz = in->asize;
	if (m->disp || (!base && !index && !riz))
		put_signed(b, m->disp);
	if (riz) {
		put(b, "(");
		if (base) {
			put(b, "%");
			put(b, ae_reg_name(m->base, asz));
		}
		put(b, asz == 4 ? ",%eiz" : ",%riz");
		if (m->scale != 1)
			putf(b, ",%u", m->scale);
		put(b, ")");
	} else if (base || index) {
		put(b, "(");
		if (base) {
			put(b, "%");
			put(b, ae_reg_name(m->base, m->base == AE_R_RIP ? asz : asz));
		}
		if (index) {
			put(b, ",%");
			unsigned isz = m->index >= AE_R_VEC ? vsib_index_size(in) : asz;
			put(b, ae_reg_name(m->index, isz));
			if (m->scale != 1)
				putf(b, ",%u", m->scale);
		}
		put(b, ")");
	}
}

static void put_mem_intel(fbuf *b, const ae_insn *in, const dec_opspec *o)
{
	const ae_mem *m = &in->mem;
	const char *sz = NULL;
	if (o->type != OT_none || o->method != OM_M) {
		switch (in->memsz) {
		case 1: sz = "byte"; break;
		case 2: sz = "word"; break;
		case 4: sz = "dword"; break;
		case 6: sz = "fword"; break;
		case 8: sz = "qword"; break;
		case 10: sz = "tbyte"; break;
		case 16: sz = "xmmword"; break;
		case 32: sz = "ymmword"; break;
		case 64: sz = "zmmword"; break;
		default: break;
		}
	}
	if (sz) {
		put(b, sz);
		put(b, " ptr ");
	}
	if (in->seg_ovr != AE_R_NONE) {
		put(b, segs[in->seg_ovr - AE_R_ES]);
		put(b, ":");
	}
	put(b, "[");
	bool any = false;
	if (m->base != AE_R_NONE) {
		put(b, ae_reg_name(m->base, in->asize));
		any = true;
	}
	if (m->index != AE_R_NONE) {
		if (any)
			put(b, " + ");
		if (m->scale != 1 || !any) /* LLVM writes 1* for an index without a base */
			putf(b, "%u*", m->scale);
		unsigned isz = m->index >= AE_R_VEC ? vsib_index_size(in) : in->asize;
		put(b, ae_reg_name(m->index, isz));
		any = true;
	} else if (show_riz(in)) {
		if (any)
			put(b, " + ");
		if (m->scale != 1)
			putf(b, "%u*", m->scale);
		put(b, in->asize == 4 ? "eiz" : "riz");
		any = true;
	}
	if (m->disp || !any) {
		if (any)
			putf(b, m->disp < 0 ? " - %" PRId64 : " + %" PRId64,
			     m->disp < 0 ? -(int64_t)m->disp : (int64_t)m->disp);
		else
			put_signed(b, m->disp);
	}
	put(b, "]");
	if (in->flags & AE_F_BCST)
		putf(b, "{1to%u}", in->bcst);
}

static void put_operand(fbuf *b, const ae_insn *in, const dec_form *f, unsigned i, bool att,
			uint64_t addr, unsigned fmt_flags)
{
	const ae_operand *d = &in->ops[i];
	const dec_opspec *o = &f->ops[i];
	const char *pct = att ? "%" : "";
	switch (d->kind) {
	case AE_OP_REG:
		put(b, pct);
		if (o->method == OM_FIXED && o->type == OF_STi)
			putf(b, "st(%u)", d->reg - AE_R_ST); /* st(i) from ModRM.rm: st(0), not st */
		else
			put(b, ae_reg_name(d->reg, d->size));
		break;
	case AE_OP_MEM:
		if (att) {
			put_mem_att(b, in);
			if (in->flags & AE_F_BCST)
				putf(b, "{1to%u}", in->bcst);
		} else {
			put_mem_intel(b, in, o);
		}
		break;
	case AE_OP_IMM:
		if (att)
			put(b, "$");
		put_signed(b, imm_value(in, o, d));
		break;
	case AE_OP_IMM2:
		if (o->method == OM_FIXED) /* the constant 1 of shifts */
			put(b, att ? "$1" : "1");
		else {
			if (att)
				put(b, "$");
			put_signed(b, o->type == OT_b ? (int64_t)in->imm2 : (int64_t)(int8_t)in->imm2);
		}
		break;
	case AE_OP_REL:
		if (fmt_flags & AE_FMT_ABS_BRANCH)
			putf(b, "0x%" PRIx64, addr + in->len + (uint64_t)in->imm);
		else
			put_signed(b, in->imm); /* LLVM's C API prints the raw displacement */
		break;
	case AE_OP_MOFFS:
		/* AT&T %fs:-8613303245920329199; Intel dword ptr fs:[-8613303245920329199] */
		if (!att) {
			switch (d->size) {
			case 1: put(b, "byte ptr "); break;
			case 2: put(b, "word ptr "); break;
			case 4: put(b, "dword ptr "); break;
			default: put(b, "qword ptr "); break;
			}
		}
		if (in->seg_ovr != AE_R_NONE) {
			put(b, pct);
			put(b, segs[in->seg_ovr - AE_R_ES]);
			put(b, ":");
		}
		if (!att)
			put(b, "[");
		put_signed(b, in->imm);
		if (!att)
			put(b, "]");
		break;
	case AE_OP_STR_SRC:
	case AE_OP_STR_DST: {
		bool dst = d->kind == AE_OP_STR_DST;
		unsigned seg = dst ? AE_R_ES : (in->seg_ovr != AE_R_NONE ? in->seg_ovr : AE_R_NONE);
		const char *reg = dst ? (in->asize == 4 ? "edi" : "rdi") : (in->asize == 4 ? "esi" : "rsi");
		if (att) {
			if (seg != AE_R_NONE)
				putf(b, "%%%s:", segs[seg - AE_R_ES]);
			putf(b, "(%%%s)", reg);
		} else {
			const char *sz = d->size == 1 ? "byte" : d->size == 2 ? "word" : d->size == 4 ? "dword" : "qword";
			putf(b, "%s ptr ", sz);
			if (seg != AE_R_NONE)
				putf(b, "%s:", segs[seg - AE_R_ES]);
			putf(b, "[%s]", reg);
		}
		break;
	}
	case AE_OP_MEM_REG:
		/* MOVDIR64B/ENQCMD(S) name the ES:[reg] destination by its register alone, as
		 * LLVM prints it in both syntaxes (movdir64b (%rax), %rcx). */
		putf(b, att ? "%%%s" : "%s", ae_reg_name(d->reg, in->asize));
		break;
	default:
		break;
	}
}

static void put_decorations(fbuf *b, const ae_insn *in, bool att)
{
	/* EVEX.z with aaa = 0 zeroes nothing; LLVM spells the (absent) mask as {k0} then. */
	if (in->kmask || (in->flags & AE_F_ZEROING)) {
		putf(b, att ? " {%%k%u}" : " {k%u}", in->kmask);
	}
	if (in->flags & AE_F_ZEROING)
		put(b, " {z}");
}

static const char *const rc_names[4] = {"{rn-sae}", "{rd-sae}", "{ru-sae}", "{rz-sae}"};

/* CMPPS/CMPPD/CMPSS/CMPSD (and their VEX/EVEX forms, CMPPH/CMPSH) print a predicate imm8 as a
 * pseudo-op, cmpltps for imm8 = 1, as LLVM does: 0-7 for the legacy forms (SDM Vol. 2 CMPPS,
 * Table 3-1), 0-31 for VEX and EVEX (Table 3-8). Returns the mnemonic's text after "cmp"
 * and "v" (the suffix, "ps") through *sfx, or NULL when the immediate is printed. */
static const char *const cmp_preds[32] = {
	"eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord",
	"eq_uq", "nge", "ngt", "false", "neq_oq", "ge", "gt", "true",
	"eq_os", "lt_oq", "le_oq", "unord_s", "neq_us", "nlt_uq", "nle_uq", "ord_s",
	"eq_us", "nge_uq", "ngt_uq", "false_os", "neq_os", "ge_oq", "gt_oq", "true_us"};

static const char *cmp_pseudo(const ae_insn *in, const dec_form *f, const char **sfx)
{
	const char *h = dec_handler_names[f->handler];
	if (strncmp(h, "cmp", 3) || strlen(h) != 5 || !strchr("ps", h[3]) || !strchr("sdh", h[4]))
		return NULL;
	unsigned npred = in->enc == AE_ENC_VEX || in->enc == AE_ENC_EVEX ? 32 : 8;
	if ((uint64_t)(uint8_t)in->imm >= npred)
		return NULL;
	*sfx = h + 3;
	return cmp_preds[(uint8_t)in->imm];
}

/* VPCMP[U]B/W/D/Q (handlers pcmp[u]{b,w,d,q}): imm8 0 1 2 4 5 6 print as the pseudo-ops
 * vpcmpltub ... as LLVM does (SDM Vol. 2 VPCMPB/VPCMPUB predicate table; 3 is FALSE and 7 is
 * TRUE, which LLVM prints with the immediate). *sfx gets "ub", "d", ... */
static const char *pcmp_pseudo(const ae_insn *in, const dec_form *f, const char **sfx)
{
	static const char *const preds[8] = {"eq", "lt", "le", NULL, "neq", "nlt", "nle", NULL};
	const char *h = dec_handler_names[f->handler];
	size_t n = strlen(h);
	if (strncmp(h, "pcmp", 4) || n < 5 || n > 6 || (n == 6 && h[4] != 'u') ||
	    !strchr("bwdq", h[n - 1]) || in->enc != AE_ENC_EVEX || (uint64_t)(uint8_t)in->imm >= 8)
		return NULL;
	*sfx = h + 4;
	return preds[(uint8_t)in->imm];
}

/* XOP VPCOM[U]B/W/D/Q (handlers pcom[u]{b,w,d,q}): imm8 0-7 print as the pseudo-ops
 * vpcomltb ... vpcomtrueuq, as LLVM does (AMD APM Vol. 4 VPCOMB: lt le gt ge eq neq false
 * true); other immediates print as vpcomb $imm. */
static const char *pcom_pseudo(const ae_insn *in, const dec_form *f, const char **sfx)
{
	static const char *const preds[8] = {"lt", "le", "gt", "ge", "eq", "neq", "false", "true"};
	const char *h = dec_handler_names[f->handler];
	size_t n = strlen(h);
	if (strncmp(h, "pcom", 4) || n < 5 || n > 6 || (n == 6 && h[4] != 'u') ||
	    !strchr("bwdq", h[n - 1]) || in->enc != AE_ENC_XOP || (uint64_t)(uint8_t)in->imm >= 8)
		return NULL;
	*sfx = h + 4;
	return preds[(uint8_t)in->imm];
}

size_t ae_format(const ae_insn *in, ae_syntax syntax, unsigned fmt_flags, uint64_t address,
		 char *buf, size_t buflen)
{
	fbuf b = {buf, buflen, 0};
	if (in->form >= DEC_NFORMS || !in->len) {
		put(&b, "(bad)");
		goto done;
	}
	const dec_form *f = dec_form_of(in);
	bool att = syntax == AE_SYNTAX_ATT;
	put_prefixes(&b, in, f);
	const char *cmpsfx = NULL, *pred = cmp_pseudo(in, f, &cmpsfx);
	if (!pred && (pred = pcmp_pseudo(in, f, &cmpsfx)))
		putf(&b, "vpcmp%s%s", pred, cmpsfx);
	else if (!pred && (pred = pcom_pseudo(in, f, &cmpsfx)))
		putf(&b, "vpcom%s%s", pred, cmpsfx);
	else if (pred)
		putf(&b, "%scmp%s%s", in->enc == AE_ENC_VEX || in->enc == AE_ENC_EVEX ? "v" : "",
		     pred, cmpsfx);
	else
		put_mnemonic(&b, in, f, att);
	if (f->attrs & DA_SCC)
		put_dfv(&b, in);
	int vis[5], nvis = 0;
	for (unsigned i = 0; i < in->nops; i++)
		if (!f->ops[i].hidden && !(pred && in->ops[i].kind == AE_OP_IMM))
			vis[nvis++] = (int)i;
	bool er = in->flags & (AE_F_ER | AE_F_SAE);
	const char *erstr = (in->flags & AE_F_ER) ? rc_names[in->rc & 3] : "{sae}";
	if (nvis)
		put(&b, " ");
	const char *mn = dec_strings + f->mnem_intel;
	bool indirect = !strncmp(mn, "call", 4) || !strncmp(mn, "jmp", 3) ||
			!strncmp(mn, "lcall", 5) || !strncmp(mn, "ljmp", 4);
	/* The rounding operand goes before a trailing immediate or GPR source (Intel order), as
	 * LLVM prints vrndscaleps zmm1, zmm2, {sae}, 4 and vcvtsi2ss xmm1, xmm2, {rn-sae}, eax;
	 * otherwise it is last (Intel) or first (AT&T). erk is its position in Intel order. */
	int erk = nvis;
	if (er && nvis > 1) {
		const ae_operand *lo = &in->ops[vis[nvis - 1]];
		if (lo->kind == AE_OP_IMM || (lo->kind == AE_OP_REG && lo->reg < AE_R_AH))
			erk = nvis - 1;
	}
	/* ENTER keeps Intel operand order in AT&T too (enter $size, $level), as GNU as and LLVM
	 * print it. */
	if (att && strcmp(mn, "enter")) {
		/* AT&T: reverse order; rounding first; mask after the destination (last). */
		if (er && erk == nvis) {
			put(&b, erstr);
			put(&b, ", ");
		}
		for (int k = nvis - 1; k >= 0; k--) {
			unsigned i = (unsigned)vis[k];
			if (indirect && (in->ops[i].kind == AE_OP_REG || in->ops[i].kind == AE_OP_MEM))
				put(&b, "*");
			put_operand(&b, in, f, i, true, address, fmt_flags);
			if (k == 0)
				put_decorations(&b, in, true);
			if (k)
				put(&b, ", ");
			if (er && k == erk && erk < nvis) {
				put(&b, erstr);
				put(&b, ", ");
			}
		}
	} else {
		/* A lone memory operand (AVX512PF prefetches): LLVM puts the mask first. */
		bool mask_first = nvis == 1 && in->ops[vis[0]].kind == AE_OP_MEM && in->kmask;
		if (mask_first) {
			put_decorations(&b, in, att);
			put(&b, ", ");
		}
		for (int k = 0; k < nvis; k++) {
			unsigned i = (unsigned)vis[k];
			if (er && k == erk && erk < nvis) {
				put(&b, erstr);
				put(&b, ", ");
			}
			put_operand(&b, in, f, i, att, address, fmt_flags);
			if (k == 0 && !mask_first)
				put_decorations(&b, in, att);
			if (k + 1 < nvis)
				put(&b, ", ");
		}
		if (er && erk == nvis) {
			put(&b, ", ");
			put(&b, erstr);
		}
	}
done:
	if (buflen)
		buf[b.n < buflen ? b.n : buflen - 1] = 0;
	return b.n;
}
