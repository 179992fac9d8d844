/* Lazy arithmetic flags: ALU handlers record (kind, size, result, operands) and the six status
 * flags are computed only when read (SDM Vol. 1, 3.4.3.1 and Appendix A for their meaning).
 * AF of logical operations is undefined; it reads as 0, as on current Intel cores. */
#include "exec_internal.h"

static uint64_t parity(uint64_t res)
{
	return (0x9669u >> ((res ^ (res >> 4)) & 0xf)) & 1 ? FL_PF : 0;
}

uint64_t exec_szp(uint64_t res, unsigned size)
{
	uint64_t m = res & exec_mask(size), f = parity(m & 0xff);
	if (!m)
		f |= FL_ZF;
	if (m & exec_sign(size))
		f |= FL_SF;
	return f;
}

static uint64_t compute(const exec_lazy *l)
{
	unsigned sz = l->size;
	uint64_t m = exec_mask(sz), s = exec_sign(sz);
	uint64_t r = l->res & m, a = l->a & m, b = l->b & m;
	uint64_t f = exec_szp(r, sz);
	switch (l->kind) {
	case LF_ADD:
		f |= (r < a ? FL_CF : 0) | ((a ^ r) & (b ^ r) & s ? FL_OF : 0);
		f |= (a ^ b ^ r) & 0x10 ? FL_AF : 0;
		break;
	case LF_ADC:
		f |= (l->cin ? r <= a : r < a) ? FL_CF : 0;
		f |= (a ^ r) & (b ^ r) & s ? FL_OF : 0;
		f |= (a ^ b ^ r) & 0x10 ? FL_AF : 0;
		break;
	case LF_SUB:
		f |= (a < b ? FL_CF : 0) | ((a ^ b) & (a ^ r) & s ? FL_OF : 0);
		f |= (a ^ b ^ r) & 0x10 ? FL_AF : 0;
		break;
	case LF_SBB:
		f |= (l->cin ? a <= b : a < b) ? FL_CF : 0;
		f |= (a ^ b) & (a ^ r) & s ? FL_OF : 0;
		f |= (a ^ b ^ r) & 0x10 ? FL_AF : 0;
		break;
	case LF_LOGIC:
		break;
	case LF_INC:
		f |= (l->cin ? FL_CF : 0) | (r == s ? FL_OF : 0) | ((r & 0xf) == 0 ? FL_AF : 0);
		break;
	case LF_DEC:
		f |= (l->cin ? FL_CF : 0) | (a == s ? FL_OF : 0) | ((a & 0xf) == 0 ? FL_AF : 0);
		break;
	}
	return f;
}

uint64_t exec_flags(ae_cpu *cpu)
{
	if (cpu->lazy.kind != LF_RAW) {
		cpu->rflags = (cpu->rflags & ~(uint64_t)FL_ARITH) | compute(&cpu->lazy);
		cpu->lazy.kind = LF_RAW;
	}
	return cpu->rflags | 2;
}

bool exec_cf(ae_cpu *cpu)
{
	const exec_lazy *l = &cpu->lazy;
	uint64_t m = exec_mask(l->size);
	switch (l->kind) {
	case LF_RAW:
		return cpu->rflags & FL_CF;
	case LF_ADD:
		return (l->res & m) < (l->a & m);
	case LF_SUB:
		return (l->a & m) < (l->b & m);
	case LF_LOGIC:
		return false;
	case LF_INC:
	case LF_DEC:
		return l->cin;
	default:
		return exec_flags(cpu) & FL_CF;
	}
}

/* Condition codes 0..15 as in Jcc (SDM Vol. 1, Appendix B). */
bool exec_cond(ae_cpu *cpu, unsigned cc)
{
	const exec_lazy *l = &cpu->lazy;
	if (l->kind == LF_SUB) {
		/* CMP a, b: answer from the operands directly. */
		unsigned sz = l->size;
		uint64_t m = exec_mask(sz), a = l->a & m, b = l->b & m;
		int64_t sa = exec_sext(a, sz), sb = exec_sext(b, sz);
		switch (cc) {
		case 2: return a < b;
		case 3: return a >= b;
		case 4: return a == b;
		case 5: return a != b;
		case 6: return a <= b;
		case 7: return a > b;
		case 12: return sa < sb;
		case 13: return sa >= sb;
		case 14: return sa <= sb;
		case 15: return sa > sb;
		default: break;
		}
	} else if (l->kind == LF_LOGIC) {
		unsigned sz = l->size;
		int64_t r = exec_sext(l->res & exec_mask(sz), sz);
		switch (cc) {
		case 4: return r == 0;
		case 5: return r != 0;
		case 8: return r < 0;
		case 9: return r >= 0;
		case 12: return r < 0;
		case 13: return r >= 0;
		case 14: return r <= 0;
		case 15: return r > 0;
		default: break;
		}
	}
	if (l->kind != LF_RAW && ((cc >> 1) == 2 || (cc >> 1) == 4)) {
		/* ZF and SF come from the result alone, whatever the operation. */
		uint64_t r = l->res & exec_mask(l->size);
		bool t = (cc >> 1) == 2 ? r == 0 : (r & exec_sign(l->size)) != 0;
		return (cc & 1) ? !t : t;
	}
	uint64_t f = exec_flags(cpu);
	bool r;
	switch (cc >> 1) {
	case 0: r = f & FL_OF; break;
	case 1: r = f & FL_CF; break;
	case 2: r = f & FL_ZF; break;
	case 3: r = f & (FL_CF | FL_ZF); break;
	case 4: r = f & FL_SF; break;
	case 5: r = f & FL_PF; break;
	case 6: r = !(f & FL_SF) != !(f & FL_OF); break;
	default: r = (f & FL_ZF) || (!(f & FL_SF) != !(f & FL_OF)); break;
	}
	return (cc & 1) ? !r : r;
}
