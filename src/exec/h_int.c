/* General-purpose integer handlers: ALU, shifts and rotates, multiply and divide, moves,
 * stack, branches, CMOVcc/SETcc, and the APX forms that are the same families: NDD (a new
 * destination in slot 0, written whole with bits above the operand size zeroed, spec §2.6),
 * NF (no flag update), ZU, CCMP/CTEST (§2.7), CFCMOV (§2.8), PUSH2/POP2 (§2.9), JMPABS (§1.5).
 *
 * Operand slots: legacy two-operand forms are "dst/src1, src2"; NDD forms are
 * "dst, src1, src2" (the decoder already put vvvv in slot 0). */
#include "ae_gen.h"
#include "exec_internal.h"

#define NF(in) ((in)->flags & AE_F_NF)
#define ND(in) ((in)->flags & AE_F_ND)

static void write_dst(ae_cpu *cpu, const ae_insn *in, uint64_t v)
{
	if (ND(in))
		exec_op_write_zx(cpu, in, 0, v);
	else
		exec_op_write(cpu, in, 0, v);
}

/* --- ALU ------------------------------------------------------------------------------- */

enum { OP_ADD, OP_OR, OP_ADC, OP_SBB, OP_AND, OP_SUB, OP_XOR, OP_CMP, OP_TEST };

static inline void alu(ae_cpu *cpu, const ae_insn *in, int op)
{
	unsigned s1 = ND(in) ? 1 : 0, s2 = s1 + 1;
	unsigned sz = exec_opsize(in, s1);
	uint64_t a = exec_op_read(cpu, in, s1);
	uint64_t b = exec_op_read(cpu, in, s2) & exec_mask(sz);
	uint64_t r;
	unsigned kind;
	uint8_t cin = 0;
	switch (op) {
	case OP_ADD:
		r = a + b, kind = LF_ADD;
		break;
	case OP_ADC:
		cin = exec_cf(cpu);
		r = a + b + cin, kind = LF_ADC;
		break;
	case OP_SBB:
		cin = exec_cf(cpu);
		r = a - b - cin, kind = LF_SBB;
		break;
	case OP_SUB:
	case OP_CMP:
		r = a - b, kind = LF_SUB;
		break;
	case OP_AND:
	case OP_TEST:
		r = a & b, kind = LF_LOGIC;
		break;
	case OP_OR:
		r = a | b, kind = LF_LOGIC;
		break;
	default:
		r = a ^ b, kind = LF_LOGIC;
		break;
	}
	if (op != OP_CMP && op != OP_TEST)
		write_dst(cpu, in, r);
	if (!NF(in)) {
		exec_lazy_set(cpu, kind, sz, r, a, b);
		cpu->lazy.cin = cin;
	}
}

#define ALU_HANDLER(name, op)                                                                      \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		alu(cpu, in, op);                                                                  \
	}
ALU_HANDLER(add, OP_ADD)
ALU_HANDLER(or, OP_OR)
ALU_HANDLER(adc, OP_ADC)
ALU_HANDLER(sbb, OP_SBB)
ALU_HANDLER(and, OP_AND)
ALU_HANDLER(sub, OP_SUB)
ALU_HANDLER(xor, OP_XOR)
ALU_HANDLER(cmp, OP_CMP)
ALU_HANDLER(test, OP_TEST)

static void incdec(ae_cpu *cpu, const ae_insn *in, bool dec)
{
	unsigned s = ND(in) ? 1 : 0, sz = exec_opsize(in, s);
	uint64_t a = exec_op_read(cpu, in, s), r = dec ? a - 1 : a + 1;
	write_dst(cpu, in, r);
	if (!NF(in)) {
		uint8_t cf = exec_cf(cpu);
		exec_lazy_set(cpu, dec ? LF_DEC : LF_INC, sz, r, a, 1);
		cpu->lazy.cin = cf;
	}
}

static void h_inc(ae_cpu *cpu, const ae_insn *in)
{
	incdec(cpu, in, false);
}

static void h_dec(ae_cpu *cpu, const ae_insn *in)
{
	incdec(cpu, in, true);
}

static void h_neg(ae_cpu *cpu, const ae_insn *in)
{
	unsigned s = ND(in) ? 1 : 0, sz = exec_opsize(in, s);
	uint64_t b = exec_op_read(cpu, in, s) & exec_mask(sz), r = 0 - b;
	write_dst(cpu, in, r);
	if (!NF(in))
		exec_lazy_set(cpu, LF_SUB, sz, r, 0, b);
}

static void h_not(ae_cpu *cpu, const ae_insn *in)
{
	unsigned s = ND(in) ? 1 : 0;
	write_dst(cpu, in, ~exec_op_read(cpu, in, s));
}

/* --- shifts and rotates (SDM Vol. 2B SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD, SHRD) -------- */

enum { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL, SH_SAR };

static void set_flags_cf_of(ae_cpu *cpu, bool cf, bool of)
{
	uint64_t f = exec_flags(cpu) & ~(uint64_t)(FL_CF | FL_OF);
	exec_flags_set(cpu, f | (cf ? FL_CF : 0) | (of ? FL_OF : 0));
}

static void shift(ae_cpu *cpu, const ae_insn *in, int op)
{
	unsigned s = ND(in) ? 1 : 0, sz = exec_opsize(in, s), bits = sz * 8;
	uint64_t m = exec_mask(sz), top = exec_sign(sz);
	uint64_t a = exec_op_read(cpu, in, s) & m;
	unsigned c = (unsigned)exec_op_read(cpu, in, s + 1) & (sz == 8 ? 63 : 31);
	if (!c) {
		write_dst(cpu, in, a);
		return;
	}
	uint64_t r;
	bool cf, of;
	switch (op) {
	case SH_SHL:
	case SH_SAL:
		r = c < 64 ? a << c : 0;
		cf = c <= bits ? (a >> (bits - c)) & 1 : 0;
		of = !!(r & top) != cf;
		break;
	case SH_SHR:
		r = a >> c;
		cf = (a >> (c - 1)) & 1;
		of = a & top;
		break;
	case SH_SAR: {
		int64_t sa = exec_sext(a, sz);
		r = (uint64_t)(sa >> c);
		cf = (sa >> (c - 1)) & 1;
		of = false;
		break;
	}
	case SH_ROL: {
		unsigned k = c % bits;
		r = k ? ((a << k) | (a >> (bits - k))) : a;
		cf = r & 1;
		of = !!(r & top) != cf;
		break;
	}
	case SH_ROR: {
		unsigned k = c % bits;
		r = k ? ((a >> k) | (a << (bits - k))) : a;
		cf = r & top;
		of = !!(r & top) != !!(r & (top >> 1));
		break;
	}
	default: { /* RCL, RCR: rotate through CF, one bit at a time */
		unsigned k = c % (bits + 1);
		bool carry = exec_cf(cpu);
		r = a;
		for (unsigned i = 0; i < k; i++) {
			bool out;
			if (op == SH_RCL) {
				out = r & top;
				r = ((r << 1) | carry) & m;
			} else {
				out = r & 1;
				r = (r >> 1) | (carry ? top : 0);
			}
			carry = out;
		}
		cf = carry;
		of = op == SH_RCL ? (!!(r & top) != cf) : (!!(r & top) != !!(r & (top >> 1)));
		break;
	}
	}
	r &= m;
	write_dst(cpu, in, r);
	if (NF(in))
		return;
	if (op == SH_ROL || op == SH_ROR || op == SH_RCL || op == SH_RCR)
		set_flags_cf_of(cpu, cf, of);
	else
		exec_flags_set(cpu, exec_szp(r, sz) | (cf ? FL_CF : 0) | (of ? FL_OF : 0));
}

#define SHIFT_HANDLER(name, op)                                                                    \
	static void h_##name(ae_cpu *cpu, const ae_insn *in)                                       \
	{                                                                                          \
		shift(cpu, in, op);                                                                \
	}
SHIFT_HANDLER(rol, SH_ROL)
SHIFT_HANDLER(ror, SH_ROR)
SHIFT_HANDLER(rcl, SH_RCL)
SHIFT_HANDLER(rcr, SH_RCR)
SHIFT_HANDLER(shl, SH_SHL)
SHIFT_HANDLER(shr, SH_SHR)
SHIFT_HANDLER(sar, SH_SAR)

static void shxd(ae_cpu *cpu, const ae_insn *in, bool left)
{
	unsigned s = ND(in) ? 1 : 0, sz = exec_opsize(in, s), bits = sz * 8;
	uint64_t m = exec_mask(sz), top = exec_sign(sz);
	uint64_t a = exec_op_read(cpu, in, s) & m, b = exec_op_read(cpu, in, s + 1) & m;
	unsigned c = (unsigned)exec_op_read(cpu, in, s + 2) & (sz == 8 ? 63 : 31);
	if (!c) {
		write_dst(cpu, in, a);
		return;
	}
	uint64_t r;
	bool cf;
	if (bits == 16 && c > 16) {
		/* Undefined by the SDM; modelled as a 32-bit funnel of b:a. */
		uint64_t w = left ? (a << 16 | b) : (b << 16 | a);
		r = left ? (w << c) >> 16 : (w >> c);
		cf = left ? (w >> (32 - c)) & 1 : (w >> (c - 1)) & 1;
	} else if (left) { /* c <= bits: a 16-bit count of 16 gives the source */
		r = (c < bits ? a << c : 0) | (b >> (bits - c));
		cf = (a >> (bits - c)) & 1;
	} else {
		r = (c < bits ? a >> c : 0) | (b << (bits - c));
		cf = (a >> (c - 1)) & 1;
	}
	r &= m;
	write_dst(cpu, in, r);
	if (!NF(in))
		exec_flags_set(cpu, exec_szp(r, sz) | (cf ? FL_CF : 0) |
					    (!!(r & top) != !!(a & top) ? FL_OF : 0));
}

static void h_shld(ae_cpu *cpu, const ae_insn *in)
{
	shxd(cpu, in, true);
}

static void h_shrd(ae_cpu *cpu, const ae_insn *in)
{
	shxd(cpu, in, false);
}

/* --- multiply and divide ------------------------------------------------------------------ */

static void mul_flags(ae_cpu *cpu, const ae_insn *in, bool over, uint64_t lo, unsigned sz)
{
	if (!NF(in))
		exec_flags_set(cpu, exec_szp(lo, sz) | (over ? FL_CF | FL_OF : 0));
}

/* One-operand MUL/IMUL: rDX:rAX (AX for bytes) := rAX * src. */
static void mul1(ae_cpu *cpu, const ae_insn *in, bool sign)
{
	unsigned i = in->nops - 1, sz = exec_opsize(in, i);
	uint64_t src = exec_op_read(cpu, in, i) & exec_mask(sz);
	uint64_t a = cpu->gpr[0] & exec_mask(sz);
	unsigned __int128 p;
	if (sign)
		p = (unsigned __int128)((__int128)exec_sext(a, sz) * exec_sext(src, sz));
	else
		p = (unsigned __int128)a * src;
	uint64_t lo = (uint64_t)p & exec_mask(sz);
	uint64_t hi = sz == 8 ? (uint64_t)(p >> 64) : (uint64_t)(p >> (sz * 8)) & exec_mask(sz);
	bool over = sign ? (sz == 8 ? (__int128)p != (__int128)(int64_t)lo
				    : (int64_t)(uint64_t)p != exec_sext(lo, sz))
			 : hi != 0;
	if (sz == 1) {
		exec_gpr_write(cpu, 0, 2, lo | hi << 8);
	} else {
		exec_gpr_write(cpu, 0, sz, lo);
		exec_gpr_write(cpu, 2, sz, hi);
	}
	mul_flags(cpu, in, over, lo, sz);
}

static void h_mul(ae_cpu *cpu, const ae_insn *in)
{
	mul1(cpu, in, false);
}

static void h_imul(ae_cpu *cpu, const ae_insn *in)
{
	if (in->opc == 0xf6 || in->opc == 0xf7) {
		mul1(cpu, in, true);
		return;
	}
	unsigned a_i, b_i;
	bool zx = ND(in);
	if (in->nops == 3) {
		a_i = 1, b_i = 2;
	} else {
		a_i = 0, b_i = 1;
	}
	unsigned sz = exec_opsize(in, 0);
	int64_t a = exec_sext(exec_op_read(cpu, in, a_i) & exec_mask(sz), sz);
	int64_t b = exec_sext(exec_op_read(cpu, in, b_i) & exec_mask(sz), sz);
	__int128 p = (__int128)a * b;
	uint64_t lo = (uint64_t)p & exec_mask(sz);
	bool over = p != (__int128)exec_sext(lo, sz);
	if (zx)
		exec_op_write_zx(cpu, in, 0, lo);
	else
		exec_op_write(cpu, in, 0, lo);
	mul_flags(cpu, in, over, lo, sz);
}

static void divide(ae_cpu *cpu, const ae_insn *in, bool sign)
{
	unsigned i = in->nops - 1, sz = exec_opsize(in, i);
	uint64_t m = exec_mask(sz);
	uint64_t d = exec_op_read(cpu, in, i) & m;
	if (!d)
		exec_raise(cpu, AE_EXC_DE, 0, 0);
	unsigned __int128 n;
	if (sz == 1)
		n = cpu->gpr[0] & 0xffff;
	else if (sz == 8)
		n = (unsigned __int128)cpu->gpr[2] << 64 | cpu->gpr[0];
	else
		n = (unsigned __int128)(((cpu->gpr[2] & m) << (sz * 8)) | (cpu->gpr[0] & m));
	uint64_t q, r;
	if (sign) {
		/* Magnitudes in unsigned arithmetic: no overflow even for the most negative
		 * 128-bit dividend. */
		unsigned nb = sz * 16;
		bool nneg = (n >> (nb - 1)) & 1, dneg = (d >> (sz * 8 - 1)) & 1;
		unsigned __int128 nmask = nb == 128 ? ~(unsigned __int128)0
						    : (((unsigned __int128)1 << nb) - 1);
		unsigned __int128 un = nneg ? (~n + 1) & nmask : n;
		uint64_t ud = dneg ? (~d + 1) & m : d;
		unsigned __int128 uq = un / ud, ur = un % ud;
		unsigned __int128 lim = (unsigned __int128)1 << (sz * 8 - 1);
		bool qneg = nneg != dneg;
		if (qneg ? uq > lim : uq >= lim)
			exec_raise(cpu, AE_EXC_DE, 0, 0);
		q = (uint64_t)(qneg ? ~uq + 1 : uq) & m;
		r = (uint64_t)(nneg ? ~ur + 1 : ur) & m;
	} else {
		unsigned __int128 uq = n / d;
		if (uq > m)
			exec_raise(cpu, AE_EXC_DE, 0, 0);
		q = (uint64_t)uq, r = (uint64_t)(n % d);
	}
	if (sz == 1) {
		exec_gpr_write(cpu, 0, 2, q | r << 8);
	} else {
		exec_gpr_write(cpu, 0, sz, q);
		exec_gpr_write(cpu, 2, sz, r);
	}
	/* Flags are undefined; NF or not, they are left unchanged. */
}

static void h_div(ae_cpu *cpu, const ae_insn *in)
{
	divide(cpu, in, false);
}

static void h_idiv(ae_cpu *cpu, const ae_insn *in)
{
	divide(cpu, in, true);
}

/* --- moves -------------------------------------------------------------------------------- */

static void h_mov(ae_cpu *cpu, const ae_insn *in)
{
	exec_op_write(cpu, in, 0, exec_op_read(cpu, in, 1));
}

static void h_movzx(ae_cpu *cpu, const ae_insn *in)
{
	exec_op_write(cpu, in, 0, exec_op_read(cpu, in, 1) & exec_mask(exec_opsize(in, 1)));
}

static void h_movsx(ae_cpu *cpu, const ae_insn *in)
{
	unsigned s = exec_opsize(in, 1);
	exec_op_write(cpu, in, 0, (uint64_t)exec_sext(exec_op_read(cpu, in, 1) & exec_mask(s), s));
}

static void h_lea(ae_cpu *cpu, const ae_insn *in)
{
	const ae_mem *m = &in->mem;
	uint64_t a = (uint64_t)(int64_t)m->disp;
	if (m->base == AE_R_RIP)
		a += cpu->next_rip;
	else if (m->base != AE_R_NONE)
		a += cpu->gpr[m->base & 31];
	if (m->index != AE_R_NONE)
		a += cpu->gpr[m->index & 31] * m->scale;
	if (in->asize == 4)
		a = (uint32_t)a;
	exec_op_write(cpu, in, 0, a);
}

static void h_cbw(ae_cpu *cpu, const ae_insn *in)
{
	unsigned sz = in->opsize;
	exec_gpr_write(cpu, 0, sz, (uint64_t)exec_sext(cpu->gpr[0] & exec_mask(sz / 2), sz / 2));
}

static void h_cwd(ae_cpu *cpu, const ae_insn *in)
{
	unsigned sz = in->opsize;
	exec_gpr_write(cpu, 2, sz, (cpu->gpr[0] & exec_sign(sz)) ? ~(uint64_t)0 : 0);
}

static void h_xchg(ae_cpu *cpu, const ae_insn *in)
{
	uint64_t a = exec_op_read(cpu, in, 0), b = exec_op_read(cpu, in, 1);
	if (in->ops[1].kind == AE_OP_MEM) {
		exec_op_write(cpu, in, 1, a);
		exec_op_write(cpu, in, 0, b);
	} else {
		exec_op_write(cpu, in, 0, b);
		exec_op_write(cpu, in, 1, a);
	}
}

/* --- stack ---------------------------------------------------------------------------------- */

static void h_push(ae_cpu *cpu, const ae_insn *in)
{
	unsigned sz = in->ops[0].kind == AE_OP_REG ? in->ops[0].size
		      : in->ops[0].kind == AE_OP_MEM ? in->memsz
						     : in->opsize;
	if (sz != 2)
		sz = 8;
	uint64_t v = exec_op_read(cpu, in, 0);
	uint64_t sp = cpu->gpr[4] - sz;
	exec_write(cpu, sp, sz, v);
	cpu->gpr[4] = sp;
}

static void h_pop(ae_cpu *cpu, const ae_insn *in)
{
	unsigned sz = exec_opsize(in, 0) == 2 ? 2 : 8;
	uint64_t sp = cpu->gpr[4];
	uint64_t v = exec_read(cpu, sp, sz);
	cpu->gpr[4] = sp + sz;
	exec_op_write(cpu, in, 0, v);
}

/* LEAVE and ENTER (SDM Vol. 2A): with a 66 prefix the frame pointer is BP, the pushes and
 * pops are 2 bytes and RBP[63:16] is kept; the stack addresses stay 64-bit. */
static void h_leave(ae_cpu *cpu, const ae_insn *in)
{
	unsigned sz = in->opsize == 2 ? 2 : 8;
	uint64_t v = exec_read(cpu, cpu->gpr[5], sz);
	cpu->gpr[4] = cpu->gpr[5] + sz;
	exec_gpr_write(cpu, 5, sz, v);
}

static void h_enter(ae_cpu *cpu, const ae_insn *in)
{
	unsigned level = in->imm2 & 31, sz = in->opsize == 2 ? 2 : 8;
	uint64_t size = (uint64_t)in->imm & 0xffff;
	uint64_t sp = cpu->gpr[4] - sz, frame = sp;
	exec_write(cpu, sp, sz, cpu->gpr[5]);
	for (unsigned i = 1; i < level; i++) {
		sp -= sz;
		exec_write(cpu, sp, sz, exec_read(cpu, cpu->gpr[5] - (uint64_t)sz * i, sz));
	}
	if (level) {
		sp -= sz;
		exec_write(cpu, sp, sz, frame);
	}
	exec_gpr_write(cpu, 5, sz, frame);
	cpu->gpr[4] = sp - size;
}

/* PUSH2/POP2 (spec §2.9): RSP must be 16-byte aligned, else #GP(0). */
static void h_push2(ae_cpu *cpu, const ae_insn *in)
{
	uint64_t sp = cpu->gpr[4];
	if (sp & 15)
		exec_gp(cpu);
	uint64_t a = exec_op_read(cpu, in, 0), b = exec_op_read(cpu, in, 1);
	uint8_t buf[16];
	memcpy(buf, &b, 8);
	memcpy(buf + 8, &a, 8);
	exec_write_bytes(cpu, sp - 16, buf, 16);
	cpu->gpr[4] = sp - 16;
}

static void h_pop2(ae_cpu *cpu, const ae_insn *in)
{
	uint64_t sp = cpu->gpr[4];
	if (sp & 15)
		exec_gp(cpu);
	uint64_t a = exec_read(cpu, sp, 8), b = exec_read(cpu, sp + 8, 8);
	cpu->gpr[4] = sp + 16;
	exec_op_write(cpu, in, 0, a);
	exec_op_write(cpu, in, 1, b);
}

/* --- branches ---------------------------------------------------------------------------- */

static uint64_t branch_target(ae_cpu *cpu, const ae_insn *in)
{
	if (in->ops[0].kind == AE_OP_REL)
		return cpu->next_rip + (uint64_t)in->imm;
	return exec_op_read(cpu, in, 0);
}

static void h_jmp(ae_cpu *cpu, const ae_insn *in)
{
	cpu->next_rip = branch_target(cpu, in);
}

static void h_jmpabs(ae_cpu *cpu, const ae_insn *in)
{
	cpu->next_rip = (uint64_t)in->imm;
}

static void h_call(ae_cpu *cpu, const ae_insn *in)
{
	uint64_t t = branch_target(cpu, in);
	exec_push(cpu, cpu->next_rip);
	cpu->next_rip = t;
}

static void h_ret(ae_cpu *cpu, const ae_insn *in)
{
	uint64_t t = exec_read(cpu, cpu->gpr[4], 8);
	cpu->gpr[4] += 8 + (in->nops ? ((uint64_t)in->imm & 0xffff) : 0);
	cpu->next_rip = t;
}

static void h_jcc(ae_cpu *cpu, const ae_insn *in)
{
	if (exec_cond(cpu, in->cc))
		cpu->next_rip += (uint64_t)in->imm;
}

static void h_jrcxz(ae_cpu *cpu, const ae_insn *in)
{
	uint64_t c = in->asize == 4 ? (uint32_t)cpu->gpr[1] : cpu->gpr[1];
	if (!c)
		cpu->next_rip += (uint64_t)in->imm;
}

static void h_loop(ae_cpu *cpu, const ae_insn *in)
{
	uint64_t c;
	if (in->asize == 4) {
		c = (uint32_t)(cpu->gpr[1] - 1);
		cpu->gpr[1] = c;
	} else {
		c = --cpu->gpr[1];
	}
	bool take = c != 0;
	if (in->opc == 0xe0)
		take = take && !(exec_flags(cpu) & FL_ZF);
	else if (in->opc == 0xe1)
		take = take && (exec_flags(cpu) & FL_ZF);
	if (take)
		cpu->next_rip += (uint64_t)in->imm;
}

/* --- conditional moves and sets ------------------------------------------------------------ */

static void h_cmovcc(ae_cpu *cpu, const ae_insn *in)
{
	uint64_t v = exec_op_read(cpu, in, 1);
	if (exec_cond(cpu, in->cc))
		exec_op_write(cpu, in, 0, v);
	else if (in->ops[0].size == 4)
		exec_op_write(cpu, in, 0, exec_op_read(cpu, in, 0));
}

/* NDD CMOVcc: ndd := cond ? r/m : reg; the r/m source is read either way (§2.8). */
static void h_cmov(ae_cpu *cpu, const ae_insn *in)
{
	uint64_t a = exec_op_read(cpu, in, 1), b = exec_op_read(cpu, in, 2);
	exec_op_write_zx(cpu, in, 0, exec_cond(cpu, in->cc) ? b : a);
}

/* CFCMOVcc load form: r := cond ? r/m : 0, with no access to r/m when false. */
static void h_cfcmov(ae_cpu *cpu, const ae_insn *in)
{
	if (in->nops == 3) { /* NDD with NF=1: ndd := cond ? r/m : r */
		uint64_t v = exec_cond(cpu, in->cc) ? exec_op_read(cpu, in, 2)
						    : exec_op_read(cpu, in, 1);
		exec_op_write_zx(cpu, in, 0, v);
		return;
	}
	uint64_t v = exec_cond(cpu, in->cc) ? exec_op_read(cpu, in, 1) : 0;
	exec_op_write(cpu, in, 0, v);
}

/* CFCMOVcc store form: if cond r/m := r; if not, memory is untouched and a register r/m is
 * zeroed. */
static void h_cfcmov_store(ae_cpu *cpu, const ae_insn *in)
{
	if (exec_cond(cpu, in->cc))
		exec_op_write(cpu, in, 0, exec_op_read(cpu, in, 1));
	else if (in->ops[0].kind == AE_OP_REG)
		exec_op_write(cpu, in, 0, 0);
}

static void h_setcc(ae_cpu *cpu, const ae_insn *in)
{
	uint64_t v = exec_cond(cpu, in->cc);
	if (ND(in))
		exec_op_write_zx(cpu, in, 0, v);
	else
		exec_op_write(cpu, in, 0, v);
}

/* CCMPscc/CTESTscc (§2.7): SCC 0xA is "true", 0xB "false"; when the condition fails,
 * OF/SF/ZF/CF come from DFV, PF := CF and AF := 0. */
static bool scc_holds(ae_cpu *cpu, unsigned scc)
{
	if (scc == 0xa)
		return true;
	if (scc == 0xb)
		return false;
	return exec_cond(cpu, scc);
}

static void ccmp_ctest(ae_cpu *cpu, const ae_insn *in, bool test)
{
	if (scc_holds(cpu, in->cc)) {
		unsigned sz = exec_opsize(in, 0);
		uint64_t a = exec_op_read(cpu, in, 0), b = exec_op_read(cpu, in, 1) & exec_mask(sz);
		if (test)
			exec_lazy_set(cpu, LF_LOGIC, sz, a & b, a, b);
		else
			exec_lazy_set(cpu, LF_SUB, sz, a - b, a, b);
		return;
	}
	unsigned d = in->dfv;
	uint64_t f = 0;
	if (d & 8)
		f |= FL_OF;
	if (d & 4)
		f |= FL_SF;
	if (d & 2)
		f |= FL_ZF;
	if (d & 1)
		f |= FL_CF | FL_PF;
	exec_flags_set(cpu, f);
}

static void h_ccmp(ae_cpu *cpu, const ae_insn *in)
{
	ccmp_ctest(cpu, in, false);
}

static void h_ctest(ae_cpu *cpu, const ae_insn *in)
{
	ccmp_ctest(cpu, in, true);
}

const exec_handler_def exec_int_handlers[] = {
	{"add", h_add},
	{"or", h_or},
	{"adc", h_adc},
	{"sbb", h_sbb},
	{"and", h_and},
	{"sub", h_sub},
	{"xor", h_xor},
	{"cmp", h_cmp},
	{"test", h_test},
	{"inc", h_inc},
	{"dec", h_dec},
	{"neg", h_neg},
	{"not", h_not},
	{"rol", h_rol},
	{"ror", h_ror},
	{"rcl", h_rcl},
	{"rcr", h_rcr},
	{"shl", h_shl},
	{"shr", h_shr},
	{"sar", h_sar},
	{"shld", h_shld},
	{"shrd", h_shrd},
	{"mul", h_mul},
	{"imul", h_imul},
	{"imul1", h_imul},
	{"imul2", h_imul},
	{"imul3", h_imul},
	{"div", h_div},
	{"idiv", h_idiv},
	{"mov", h_mov},
	{"movzx", h_movzx},
	{"movsx", h_movsx},
	{"movsxd", h_movsx},
	{"lea", h_lea},
	{"cbw", h_cbw},
	{"cwd", h_cwd},
	{"xchg", h_xchg},
	{"push", h_push},
	{"pop", h_pop},
	{"leave", h_leave},
	{"enter", h_enter},
	{"push2", h_push2},
	{"pop2", h_pop2},
	{"jmp", h_jmp},
	{"jmpabs", h_jmpabs},
	{"call", h_call},
	{"ret", h_ret},
	{"jcc", h_jcc},
	{"jrcxz", h_jrcxz},
	{"loop", h_loop},
	{"cmovcc", h_cmovcc},
	{"cmov", h_cmov},
	{"cfcmov", h_cfcmov},
	{"cfcmov_store", h_cfcmov_store},
	{"setcc", h_setcc},
	{"ccmp", h_ccmp},
	{"ctest", h_ctest},
	{NULL, NULL},
};
