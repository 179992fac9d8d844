/* Integer handlers, continued: bit operations, atomics (single-threaded: LOCK needs nothing
 * more), string instructions with REP, flag instructions, BMI1/BMI2/ADX/MOVBE/CRC32, and the
 * system-level instructions a user program meets (CPUID, RDTSC, SYSCALL, fences, NOPs,
 * MXCSR and x87 control-word access). */
#include <time.h>

#include "exec_internal.h"

#define NF(in) ((in)->flags & AE_F_NF)
#define ND(in) ((in)->flags & AE_F_ND)

static void set_cf(ae_cpu *cpu, bool cf)
{
	uint64_t f = exec_flags(cpu) & ~(uint64_t)FL_CF;
	exec_flags_set(cpu, f | (cf ? FL_CF : 0));
}

/* --- bit test and scan ----------------------------------------------------------------- */

enum { BT_TEST, BT_SET, BT_RESET, BT_COMP };

static void bit_op(ae_cpu *cpu, const ae_insn *in, int op)
{
	unsigned sz = exec_opsize(in, 0), bits = sz * 8;
	uint64_t off = exec_op_read(cpu, in, 1);
	bool imm = in->ops[1].kind == AE_OP_IMM;
	if (in->ops[0].kind == AE_OP_MEM) {
		/* A register bit offset is signed and may address beyond the operand. */
		int64_t soff = imm ? (int64_t)(off & (bits - 1)) : exec_sext(off, sz);
		int64_t words = soff >= 0 ? soff / (int64_t)bits : -((-soff + bits - 1) / bits);
		uint64_t addr = exec_ea(cpu, in) + (uint64_t)(words * (int64_t)sz);
		unsigned bit = (unsigned)(soff - words * (int64_t)bits);
		uint64_t v = exec_read(cpu, addr, sz);
		bool cf = (v >> bit) & 1;
		if (op != BT_TEST) {
			uint64_t b = (uint64_t)1 << bit;
			v = op == BT_SET ? v | b : op == BT_RESET ? v & ~b : v ^ b;
			exec_write(cpu, addr, sz, v);
		}
		set_cf(cpu, cf);
		return;
	}
	unsigned bit = (unsigned)off & (bits - 1);
	uint64_t v = exec_op_read(cpu, in, 0);
	bool cf = (v >> bit) & 1;
	if (op != BT_TEST) {
		uint64_t b = (uint64_t)1 << bit;
		v = op == BT_SET ? v | b : op == BT_RESET ? v & ~b : v ^ b;
		exec_op_write(cpu, in, 0, v);
	}
	set_cf(cpu, cf);
}

static void h_bt(ae_cpu *cpu, const ae_insn *in)
{
	bit_op(cpu, in, BT_TEST);
}
static void h_bts(ae_cpu *cpu, const ae_insn *in)
{
	bit_op(cpu, in, BT_SET);
}
static void h_btr(ae_cpu *cpu, const ae_insn *in)
{
	bit_op(cpu, in, BT_RESET);
}
static void h_btc(ae_cpu *cpu, const ae_insn *in)
{
	bit_op(cpu, in, BT_COMP);
}

/* BSF/BSR: a zero source sets ZF and leaves the destination unchanged. */
static void bscan(ae_cpu *cpu, const ae_insn *in, bool rev)
{
	unsigned sz = exec_opsize(in, 1);
	uint64_t v = exec_op_read(cpu, in, 1) & exec_mask(sz);
	uint64_t f = exec_flags(cpu) & ~(uint64_t)FL_ARITH;
	if (!v) {
		exec_flags_set(cpu, f | FL_ZF);
		return;
	}
	unsigned r = rev ? 63u - (unsigned)__builtin_clzll(v) : (unsigned)__builtin_ctzll(v);
	exec_op_write(cpu, in, 0, r);
	exec_flags_set(cpu, f | (exec_szp(r, sz) & ~(uint64_t)FL_ZF));
}

static void h_bsf(ae_cpu *cpu, const ae_insn *in)
{
	bscan(cpu, in, false);
}
static void h_bsr(ae_cpu *cpu, const ae_insn *in)
{
	bscan(cpu, in, true);
}

static void count_op(ae_cpu *cpu, const ae_insn *in, int kind)
{
	unsigned sz = exec_opsize(in, 1), bits = sz * 8;
	uint64_t v = exec_op_read(cpu, in, 1) & exec_mask(sz);
	unsigned r;
	if (kind == 0) /* tzcnt */
		r = v ? (unsigned)__builtin_ctzll(v) : bits;
	else if (kind == 1) /* lzcnt */
		r = v ? (unsigned)__builtin_clzll(v) - (64 - bits) : bits;
	else
		r = (unsigned)__builtin_popcountll(v);
	exec_op_write(cpu, in, 0, r);
	if (NF(in))
		return;
	if (kind == 2)
		exec_flags_set(cpu, v ? 0 : FL_ZF);
	else
		exec_flags_set(cpu, (r == bits ? FL_CF : 0) | (r == 0 ? FL_ZF : 0));
}

static void h_tzcnt(ae_cpu *cpu, const ae_insn *in)
{
	count_op(cpu, in, 0);
}
static void h_lzcnt(ae_cpu *cpu, const ae_insn *in)
{
	count_op(cpu, in, 1);
}
static void h_popcnt(ae_cpu *cpu, const ae_insn *in)
{
	count_op(cpu, in, 2);
}

static void h_bswap(ae_cpu *cpu, const ae_insn *in)
{
	unsigned sz = in->ops[0].size;
	uint64_t v = exec_op_read(cpu, in, 0);
	v = sz == 8 ? __builtin_bswap64(v) : sz == 4 ? __builtin_bswap32((uint32_t)v) : 0;
	exec_op_write(cpu, in, 0, v);
}

static void h_movbe(ae_cpu *cpu, const ae_insn *in)
{
	unsigned sz = exec_opsize(in, 0);
	uint64_t v = exec_op_read(cpu, in, 1);
	v = sz == 8 ? __builtin_bswap64(v)
	    : sz == 4 ? __builtin_bswap32((uint32_t)v)
		      : __builtin_bswap16((uint16_t)v);
	exec_op_write(cpu, in, 0, v);
}

/* --- atomics -------------------------------------------------------------------------------- */

static void h_cmpxchg(ae_cpu *cpu, const ae_insn *in)
{
	unsigned sz = exec_opsize(in, 0);
	uint64_t acc = cpu->gpr[0] & exec_mask(sz);
	uint64_t d = exec_op_read(cpu, in, 0) & exec_mask(sz);
	uint64_t s = exec_op_read(cpu, in, 1);
	if (acc == d) {
		exec_op_write(cpu, in, 0, s);
	} else {
		if (in->ops[0].kind == AE_OP_MEM)
			exec_op_write(cpu, in, 0, d); /* the processor always writes back */
		exec_gpr_write(cpu, 0, sz, d);
	}
	exec_lazy_set(cpu, LF_SUB, sz, acc - d, acc, d);
}

static void cmpxchg_wide(ae_cpu *cpu, const ae_insn *in, unsigned half)
{
	uint64_t addr = exec_ea(cpu, in);
	if (half == 8 && (addr & 15))
		exec_gp(cpu);
	uint64_t m = exec_mask(half);
	uint64_t lo = exec_read(cpu, addr, half), hi = exec_read(cpu, addr + half, half);
	uint64_t f = exec_flags(cpu) & ~(uint64_t)FL_ZF;
	if (lo == (cpu->gpr[0] & m) && hi == (cpu->gpr[2] & m)) {
		exec_write(cpu, addr, half, cpu->gpr[3]);
		exec_write(cpu, addr + half, half, cpu->gpr[1]);
		exec_flags_set(cpu, f | FL_ZF);
	} else {
		exec_write(cpu, addr, half, lo);
		exec_write(cpu, addr + half, half, hi);
		exec_gpr_write(cpu, 0, half, lo);
		exec_gpr_write(cpu, 2, half, hi);
		exec_flags_set(cpu, f);
	}
}

static void h_cmpxchg8b(ae_cpu *cpu, const ae_insn *in)
{
	cmpxchg_wide(cpu, in, 4);
}
static void h_cmpxchg16b(ae_cpu *cpu, const ae_insn *in)
{
	cmpxchg_wide(cpu, in, 8);
}

static void h_xadd(ae_cpu *cpu, const ae_insn *in)
{
	unsigned sz = exec_opsize(in, 0);
	uint64_t d = exec_op_read(cpu, in, 0), s = exec_op_read(cpu, in, 1);
	uint64_t r = d + s;
	if (in->ops[0].kind == AE_OP_MEM) {
		exec_op_write(cpu, in, 0, r);
		exec_op_write(cpu, in, 1, d);
	} else {
		exec_op_write(cpu, in, 1, d);
		exec_op_write(cpu, in, 0, r);
	}
	exec_lazy_set(cpu, LF_ADD, sz, r, d, s);
}

/* --- string instructions (SDM Vol. 1, 7.3.9) ---------------------------------------------- */

static uint64_t str_src_base(ae_cpu *cpu, const ae_insn *in)
{
	unsigned seg = in->seg_ovr;
	if (seg == AE_R_ES + 4)
		return cpu->fs_base;
	if (seg == AE_R_ES + 5)
		return cpu->gs_base;
	return 0;
}

static unsigned str_size(const ae_insn *in)
{
	for (unsigned i = 0; i < in->nops; i++)
		if (in->ops[i].kind == AE_OP_STR_SRC || in->ops[i].kind == AE_OP_STR_DST)
			return in->ops[i].size;
	return in->ops[0].size ? in->ops[0].size : 1;
}

static uint64_t areg(ae_cpu *cpu, const ae_insn *in, unsigned r)
{
	return in->asize == 4 ? (uint32_t)cpu->gpr[r] : cpu->gpr[r];
}

static void aset(ae_cpu *cpu, const ae_insn *in, unsigned r, uint64_t v)
{
	cpu->gpr[r] = in->asize == 4 ? (uint32_t)v : v;
}

enum { S_MOVS, S_STOS, S_LODS, S_CMPS, S_SCAS };

static void string_op(ae_cpu *cpu, const ae_insn *in, int op)
{
	unsigned sz = str_size(in);
	bool rep = in->flags & (AE_F_REP | AE_F_REPNE);
	int64_t step = (cpu->rflags & FL_DF) ? -(int64_t)sz : (int64_t)sz;
	uint64_t sbase = str_src_base(cpu, in);
	if (rep && !areg(cpu, in, 1))
		return;
	for (;;) {
		switch (op) {
		case S_MOVS: {
			uint64_t v = exec_read(cpu, sbase + areg(cpu, in, 6), sz);
			exec_write(cpu, areg(cpu, in, 7), sz, v);
			aset(cpu, in, 6, areg(cpu, in, 6) + (uint64_t)step);
			aset(cpu, in, 7, areg(cpu, in, 7) + (uint64_t)step);
			break;
		}
		case S_STOS:
			exec_write(cpu, areg(cpu, in, 7), sz, cpu->gpr[0]);
			aset(cpu, in, 7, areg(cpu, in, 7) + (uint64_t)step);
			break;
		case S_LODS:
			exec_gpr_write(cpu, 0, sz, exec_read(cpu, sbase + areg(cpu, in, 6), sz));
			aset(cpu, in, 6, areg(cpu, in, 6) + (uint64_t)step);
			break;
		case S_CMPS: {
			uint64_t a = exec_read(cpu, sbase + areg(cpu, in, 6), sz);
			uint64_t b = exec_read(cpu, areg(cpu, in, 7), sz);
			exec_lazy_set(cpu, LF_SUB, sz, a - b, a, b);
			aset(cpu, in, 6, areg(cpu, in, 6) + (uint64_t)step);
			aset(cpu, in, 7, areg(cpu, in, 7) + (uint64_t)step);
			break;
		}
		default: {
			uint64_t a = cpu->gpr[0] & exec_mask(sz);
			uint64_t b = exec_read(cpu, areg(cpu, in, 7), sz);
			exec_lazy_set(cpu, LF_SUB, sz, a - b, a, b);
			aset(cpu, in, 7, areg(cpu, in, 7) + (uint64_t)step);
			break;
		}
		}
		if (!rep)
			return;
		aset(cpu, in, 1, areg(cpu, in, 1) - 1);
		if (!areg(cpu, in, 1))
			return;
		if (op == S_CMPS || op == S_SCAS) {
			bool zf = exec_cond(cpu, 4);
			if ((in->flags & AE_F_REP) && !zf)
				return;
			if ((in->flags & AE_F_REPNE) && zf)
				return;
		}
	}
}

static void h_movs(ae_cpu *cpu, const ae_insn *in)
{
	string_op(cpu, in, S_MOVS);
}
static void h_stos(ae_cpu *cpu, const ae_insn *in)
{
	string_op(cpu, in, S_STOS);
}
static void h_lods(ae_cpu *cpu, const ae_insn *in)
{
	string_op(cpu, in, S_LODS);
}
static void h_cmps(ae_cpu *cpu, const ae_insn *in)
{
	string_op(cpu, in, S_CMPS);
}
static void h_scas(ae_cpu *cpu, const ae_insn *in)
{
	string_op(cpu, in, S_SCAS);
}

static void h_xlat(ae_cpu *cpu, const ae_insn *in)
{
	uint64_t a = areg(cpu, in, 3) + (cpu->gpr[0] & 0xff);
	if (in->asize == 4)
		a = (uint32_t)a;
	exec_gpr_write(cpu, 0, 1, exec_read(cpu, a + str_src_base(cpu, in), 1));
}

/* --- flags --------------------------------------------------------------------------------- */

static void h_pushf(ae_cpu *cpu, const ae_insn *in)
{
	uint64_t f = exec_flags(cpu) & 0xfcffff;
	unsigned sz = in->opsize == 2 ? 2 : 8;
	uint64_t sp = cpu->gpr[4] - sz;
	exec_write(cpu, sp, sz, f);
	cpu->gpr[4] = sp;
}

static void h_popf(ae_cpu *cpu, const ae_insn *in)
{
	unsigned sz = in->opsize == 2 ? 2 : 8;
	uint64_t v = exec_read(cpu, cpu->gpr[4], sz);
	cpu->gpr[4] += sz;
	uint64_t keep = 0x244dd5; /* CF PF AF ZF SF TF DF OF NT AC ID: what CPL 3 may change */
	if (sz == 2)
		keep &= 0xffff;
	exec_flags(cpu);
	cpu->rflags = (cpu->rflags & ~keep) | (v & keep) | 2;
}

static void h_lahf(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	exec_gpr_write(cpu, AE_R_AH, 1, (exec_flags(cpu) & 0xd5) | 2);
}

static void h_sahf(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	uint64_t f = exec_flags(cpu) & ~(uint64_t)0xd5;
	exec_flags_set(cpu, (f | ((cpu->gpr[0] >> 8) & 0xd5)) & FL_ARITH);
}

static void h_clc(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	set_cf(cpu, false);
}
static void h_stc(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	set_cf(cpu, true);
}
static void h_cmc(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	set_cf(cpu, !(exec_flags(cpu) & FL_CF));
}
static void h_cld(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	cpu->rflags &= ~(uint64_t)FL_DF;
}
static void h_std(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	cpu->rflags |= FL_DF;
}

/* --- BMI1, BMI2, ADX, CRC32 ------------------------------------------------------------------ */

static void logic_flags(ae_cpu *cpu, const ae_insn *in, uint64_t r, unsigned sz, bool cf)
{
	if (!NF(in))
		exec_flags_set(cpu, exec_szp(r, sz) | (cf ? FL_CF : 0));
}

static void h_andn(ae_cpu *cpu, const ae_insn *in)
{
	unsigned sz = exec_opsize(in, 0);
	uint64_t r = ~exec_op_read(cpu, in, 1) & exec_op_read(cpu, in, 2) & exec_mask(sz);
	exec_op_write(cpu, in, 0, r);
	logic_flags(cpu, in, r, sz, false);
}

static void h_bextr(ae_cpu *cpu, const ae_insn *in)
{
	unsigned sz = exec_opsize(in, 0);
	uint64_t src = exec_op_read(cpu, in, 1), ctl = exec_op_read(cpu, in, 2);
	unsigned start = ctl & 0xff, len = (ctl >> 8) & 0xff;
	uint64_t r = start < 64 ? src >> start : 0;
	if (len < 64)
		r &= ((uint64_t)1 << len) - 1;
	r &= exec_mask(sz);
	exec_op_write(cpu, in, 0, r);
	if (!NF(in))
		exec_flags_set(cpu, r ? 0 : FL_ZF);
}

static void blsx(ae_cpu *cpu, const ae_insn *in, int kind)
{
	unsigned sz = exec_opsize(in, 0);
	uint64_t m = exec_mask(sz), s = exec_op_read(cpu, in, 1) & m, r;
	if (kind == 0)
		r = s & (0 - s); /* blsi */
	else if (kind == 1)
		r = s ^ (s - 1); /* blsmsk */
	else
		r = s & (s - 1); /* blsr */
	r &= m;
	exec_op_write(cpu, in, 0, r);
	bool cf = kind == 0 ? s != 0 : s == 0;
	if (!NF(in)) {
		uint64_t f = exec_szp(r, sz) | (cf ? FL_CF : 0);
		if (kind == 1)
			f &= ~(uint64_t)FL_ZF;
		exec_flags_set(cpu, f);
	}
}

static void h_blsi(ae_cpu *cpu, const ae_insn *in)
{
	blsx(cpu, in, 0);
}
static void h_blsmsk(ae_cpu *cpu, const ae_insn *in)
{
	blsx(cpu, in, 1);
}
static void h_blsr(ae_cpu *cpu, const ae_insn *in)
{
	blsx(cpu, in, 2);
}

static void h_bzhi(ae_cpu *cpu, const ae_insn *in)
{
	unsigned sz = exec_opsize(in, 0), bits = sz * 8;
	uint64_t src = exec_op_read(cpu, in, 1);
	unsigned n = exec_op_read(cpu, in, 2) & 0xff;
	uint64_t r = src & exec_mask(sz);
	if (n < bits)
		r &= ((uint64_t)1 << n) - 1;
	exec_op_write(cpu, in, 0, r);
	logic_flags(cpu, in, r, sz, n > bits - 1);
}

static void h_mulx(ae_cpu *cpu, const ae_insn *in)
{
	unsigned sz = exec_opsize(in, 0);
	uint64_t a = cpu->gpr[2] & exec_mask(sz), b = exec_op_read(cpu, in, 2) & exec_mask(sz);
	unsigned __int128 p = (unsigned __int128)a * b;
	uint64_t lo = sz == 8 ? (uint64_t)p : (uint32_t)p;
	uint64_t hi = sz == 8 ? (uint64_t)(p >> 64) : (uint32_t)(p >> 32);
	exec_op_write(cpu, in, 1, lo);
	exec_op_write(cpu, in, 0, hi);
}

static void pdep_pext(ae_cpu *cpu, const ae_insn *in, bool dep)
{
	unsigned sz = exec_opsize(in, 0);
	uint64_t src = exec_op_read(cpu, in, 1), mask = exec_op_read(cpu, in, 2) & exec_mask(sz);
	uint64_t r = 0;
	unsigned k = 0;
	for (unsigned i = 0; i < sz * 8; i++) {
		if (!((mask >> i) & 1))
			continue;
		if (dep)
			r |= ((src >> k) & 1) << i;
		else
			r |= ((src >> i) & 1) << k;
		k++;
	}
	exec_op_write(cpu, in, 0, r);
}

static void h_pdep(ae_cpu *cpu, const ae_insn *in)
{
	pdep_pext(cpu, in, true);
}
static void h_pext(ae_cpu *cpu, const ae_insn *in)
{
	pdep_pext(cpu, in, false);
}

static void h_rorx(ae_cpu *cpu, const ae_insn *in)
{
	unsigned sz = exec_opsize(in, 0), bits = sz * 8;
	uint64_t v = exec_op_read(cpu, in, 1) & exec_mask(sz);
	unsigned c = (unsigned)in->imm & (bits - 1);
	uint64_t r = c ? (v >> c) | (v << (bits - c)) : v;
	exec_op_write(cpu, in, 0, r & exec_mask(sz));
}

static void shiftx(ae_cpu *cpu, const ae_insn *in, int kind)
{
	unsigned sz = exec_opsize(in, 0);
	uint64_t v = exec_op_read(cpu, in, 1) & exec_mask(sz);
	unsigned c = (unsigned)exec_op_read(cpu, in, 2) & (sz == 8 ? 63 : 31);
	uint64_t r = kind == 0 ? (uint64_t)(exec_sext(v, sz) >> c) : kind == 1 ? v << c : v >> c;
	exec_op_write(cpu, in, 0, r & exec_mask(sz));
}

static void h_sarx(ae_cpu *cpu, const ae_insn *in)
{
	shiftx(cpu, in, 0);
}
static void h_shlx(ae_cpu *cpu, const ae_insn *in)
{
	shiftx(cpu, in, 1);
}
static void h_shrx(ae_cpu *cpu, const ae_insn *in)
{
	shiftx(cpu, in, 2);
}

/* ADCX/ADOX: add with CF (OF) as carry in and out; no other flag changes. NDD: slot 0 is the
 * new destination. */
static void adx(ae_cpu *cpu, const ae_insn *in, uint64_t bit)
{
	unsigned s = ND(in) ? 1 : 0, sz = exec_opsize(in, 0);
	uint64_t m = exec_mask(sz);
	uint64_t a = exec_op_read(cpu, in, s) & m, b = exec_op_read(cpu, in, s + 1) & m;
	uint64_t f = exec_flags(cpu);
	uint64_t cin = (f & bit) ? 1 : 0;
	uint64_t r = (a + b + cin) & m;
	bool cout = cin ? r <= a : r < a;
	if (ND(in))
		exec_op_write_zx(cpu, in, 0, r);
	else
		exec_op_write(cpu, in, 0, r);
	exec_flags_set(cpu, (f & ~bit) | (cout ? bit : 0));
}

static void h_adcx(ae_cpu *cpu, const ae_insn *in)
{
	adx(cpu, in, FL_CF);
}
static void h_adox(ae_cpu *cpu, const ae_insn *in)
{
	adx(cpu, in, FL_OF);
}

/* CRC32 uses the Castagnoli polynomial, bit-reflected (SDM Vol. 2A CRC32). */
static void h_crc32(ae_cpu *cpu, const ae_insn *in)
{
	unsigned sz = exec_opsize(in, 1);
	uint32_t crc = (uint32_t)exec_op_read(cpu, in, 0);
	uint64_t v = exec_op_read(cpu, in, 1);
	for (unsigned i = 0; i < sz * 8; i++) {
		uint32_t bit = (crc ^ (uint32_t)(v >> i)) & 1;
		crc = (crc >> 1) ^ (bit ? 0x82f63b78u : 0);
	}
	exec_op_write_zx(cpu, in, 0, crc);
}

/* --- system instructions available at CPL 3 ------------------------------------------------- */

static void h_nop(ae_cpu *cpu, const ae_insn *in)
{
	(void)cpu, (void)in;
}

static void h_ud(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	exec_ud(cpu);
}

static void h_priv(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	exec_gp(cpu);
}

static void h_int3(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	/* A trap: the reported RIP is the next instruction, as the kernel's SIGTRAP shows. */
	cpu->rip = cpu->next_rip;
	exec_raise(cpu, AE_EXC_BP, 0, 0);
}

static void h_cpuid(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	uint32_t r[4];
	exec_cpuid(cpu, (uint32_t)cpu->gpr[0], (uint32_t)cpu->gpr[1], r);
	cpu->gpr[0] = r[0], cpu->gpr[3] = r[1], cpu->gpr[1] = r[2], cpu->gpr[2] = r[3];
}

static uint64_t tsc(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 3000000000u + (uint64_t)ts.tv_nsec * 3;
}

static void h_rdtsc(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	uint64_t t = cpu->det_tsc ? 1000000000u + cpu->icount * 3 : tsc();
	cpu->gpr[0] = (uint32_t)t, cpu->gpr[2] = t >> 32;
}

static void h_rdtscp(ae_cpu *cpu, const ae_insn *in)
{
	h_rdtsc(cpu, in);
	cpu->gpr[1] = 0;
}

static void h_syscall(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	cpu->gpr[1] = cpu->next_rip;
	cpu->gpr[11] = exec_flags(cpu) & ~(uint64_t)0x10000; /* RF cleared */
	cpu->exit = AE_EXIT_SYSCALL;
	cpu->stop = true;
}

static void h_stmxcsr(ae_cpu *cpu, const ae_insn *in)
{
	exec_op_write(cpu, in, 0, cpu->mxcsr);
}

static void h_ldmxcsr(ae_cpu *cpu, const ae_insn *in)
{
	uint64_t v = exec_op_read(cpu, in, 0);
	if (v & ~(uint64_t)0xffff)
		exec_gp(cpu);
	cpu->mxcsr = (uint32_t)v;
}

static void h_fnstcw(ae_cpu *cpu, const ae_insn *in)
{
	exec_op_write(cpu, in, 0, cpu->fcw);
}

static void h_fldcw(ae_cpu *cpu, const ae_insn *in)
{
	cpu->fcw = (uint16_t)exec_op_read(cpu, in, 0);
}

static void h_fnstsw(ae_cpu *cpu, const ae_insn *in)
{
	exec_op_write(cpu, in, 0, cpu->fsw);
}

static void h_fninit(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	cpu->fcw = 0x37f, cpu->fsw = 0, cpu->ftw = 0xffff;
}

const exec_handler_def exec_misc_handlers[] = {
	{"bt", h_bt},
	{"bts", h_bts},
	{"btr", h_btr},
	{"btc", h_btc},
	{"bsf", h_bsf},
	{"bsr", h_bsr},
	{"tzcnt", h_tzcnt},
	{"lzcnt", h_lzcnt},
	{"popcnt", h_popcnt},
	{"bswap", h_bswap},
	{"movbe", h_movbe},
	{"cmpxchg", h_cmpxchg},
	{"cmpxchg8b", h_cmpxchg8b},
	{"cmpxchg16b", h_cmpxchg16b},
	{"xadd", h_xadd},
	{"movs", h_movs},
	{"stos", h_stos},
	{"lods", h_lods},
	{"cmps", h_cmps},
	{"scas", h_scas},
	{"xlat", h_xlat},
	{"pushf", h_pushf},
	{"popf", h_popf},
	{"lahf", h_lahf},
	{"sahf", h_sahf},
	{"clc", h_clc},
	{"stc", h_stc},
	{"cmc", h_cmc},
	{"cld", h_cld},
	{"std", h_std},
	{"andn", h_andn},
	{"bextr", h_bextr},
	{"blsi", h_blsi},
	{"blsmsk", h_blsmsk},
	{"blsr", h_blsr},
	{"bzhi", h_bzhi},
	{"mulx", h_mulx},
	{"pdep", h_pdep},
	{"pext", h_pext},
	{"rorx", h_rorx},
	{"sarx", h_sarx},
	{"shlx", h_shlx},
	{"shrx", h_shrx},
	{"adcx", h_adcx},
	{"adox", h_adox},
	{"crc32", h_crc32},
	{"nop", h_nop},
	{"endbr", h_nop},
	{"pause", h_nop},
	{"prefetch", h_nop},
	{"fence", h_nop},
	{"cldemote", h_nop},
	{"clflush", h_nop},
	{"fwait", h_nop},
	{"ud", h_ud},
	{"hlt", h_priv},
	{"cli", h_priv},
	{"sti", h_priv},
	{"int3", h_int3},
	{"cpuid", h_cpuid},
	{"rdtsc", h_rdtsc},
	{"rdtscp", h_rdtscp},
	{"syscall", h_syscall},
	{"stmxcsr", h_stmxcsr},
	{"ldmxcsr", h_ldmxcsr},
	{"fnstcw", h_fnstcw},
	{"fldcw", h_fldcw},
	{"fnstsw", h_fnstsw},
	{"fninit", h_fninit},
	{NULL, NULL},
};
