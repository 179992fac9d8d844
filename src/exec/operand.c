/* Operand access for handlers: GPRs with x86 partial-register rules, effective addresses,
 * immediates, and the stack. */
#include "exec_internal.h"

uint64_t exec_gpr_read_slow(ae_cpu *cpu, unsigned reg, unsigned size)
{
	if (reg >= AE_R_AH && reg < AE_R_AH + 4)
		return (cpu->gpr[reg - AE_R_AH] >> 8) & 0xff;
	return cpu->gpr[reg & 31] & exec_mask(size);
}

void exec_gpr_write_slow(ae_cpu *cpu, unsigned reg, unsigned size, uint64_t v)
{
	if (reg >= AE_R_AH && reg < AE_R_AH + 4) {
		uint64_t *r = &cpu->gpr[reg - AE_R_AH];
		*r = (*r & ~(uint64_t)0xff00) | ((v & 0xff) << 8);
		return;
	}
	uint64_t *r = &cpu->gpr[reg & 31];
	switch (size) {
	case 8:
		*r = v;
		break;
	case 4:
		*r = (uint32_t)v;
		break;
	case 2:
		*r = (*r & ~(uint64_t)0xffff) | (v & 0xffff);
		break;
	default:
		*r = (*r & ~(uint64_t)0xff) | (v & 0xff);
		break;
	}
}

static uint64_t seg_base(ae_cpu *cpu, unsigned seg)
{
	if (seg == AE_R_ES + 4)
		return cpu->fs_base;
	if (seg == AE_R_ES + 5)
		return cpu->gs_base;
	return 0;
}

static uint64_t moffs_addr(ae_cpu *cpu, const ae_insn *in)
{
	uint64_t a = (uint64_t)in->imm;
	unsigned seg = in->seg_ovr != AE_R_NONE ? in->seg_ovr : AE_R_ES + 3;
	return a + seg_base(cpu, seg);
}

uint64_t exec_op_read_slow(ae_cpu *cpu, const ae_insn *in, unsigned i)
{
	const ae_operand *o = &in->ops[i];
	switch (o->kind) {
	case AE_OP_REG:
		return exec_gpr_read(cpu, o->reg, o->size);
	case AE_OP_MEM:
		return exec_read(cpu, exec_ea(cpu, in), in->memsz);
	case AE_OP_IMM:
	case AE_OP_REL:
		return (uint64_t)in->imm;
	case AE_OP_IMM2:
		return o->size ? in->imm2 : 1;
	case AE_OP_MOFFS:
		return exec_read(cpu, moffs_addr(cpu, in), o->size);
	default:
		exec_ud(cpu);
	}
}

void exec_op_write_slow(ae_cpu *cpu, const ae_insn *in, unsigned i, uint64_t v)
{
	const ae_operand *o = &in->ops[i];
	switch (o->kind) {
	case AE_OP_REG:
		exec_gpr_write(cpu, o->reg, o->size, v);
		break;
	case AE_OP_MEM:
		exec_write(cpu, exec_ea(cpu, in), in->memsz, v);
		break;
	case AE_OP_MOFFS:
		exec_write(cpu, moffs_addr(cpu, in), o->size, v);
		break;
	default:
		exec_ud(cpu);
	}
}

void exec_op_write_zx(ae_cpu *cpu, const ae_insn *in, unsigned i, uint64_t v)
{
	const ae_operand *o = &in->ops[i];
	if (o->kind == AE_OP_REG && o->reg < 32)
		cpu->gpr[o->reg] = v & exec_mask(o->size);
	else
		exec_op_write(cpu, in, i, v);
}

void exec_push(ae_cpu *cpu, uint64_t v)
{
	uint64_t sp = cpu->gpr[4] - 8;
	exec_write(cpu, sp, 8, v);
	cpu->gpr[4] = sp;
}

uint64_t exec_pop(ae_cpu *cpu)
{
	uint64_t v = exec_read(cpu, cpu->gpr[4], 8);
	cpu->gpr[4] += 8;
	return v;
}
