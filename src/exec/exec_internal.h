/* The executor's internal state and helpers, shared by the executor and the Linux runner.
 *
 * Conventions of every handler (exec_fn):
 *   - cpu->next_rip is already RIP + length; branches overwrite it.
 *   - faults call exec_raise(), which unwinds to the run loop with longjmp; nothing after the
 *     faulting access happens, so a handler writes its destination first and its flags last
 *     (the flags of a faulting RMW instruction stay as they were).
 *   - an instruction commits RIP only when its handler returns.
 */
#ifndef EXEC_INTERNAL_H
#define EXEC_INTERNAL_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "apxemu/decoder.h"
#include "apxemu/exec.h"

/* RFLAGS bits. */
enum {
	FL_CF = 1u << 0,
	FL_PF = 1u << 2,
	FL_AF = 1u << 4,
	FL_ZF = 1u << 6,
	FL_SF = 1u << 7,
	FL_TF = 1u << 8,
	FL_IF = 1u << 9,
	FL_DF = 1u << 10,
	FL_OF = 1u << 11,
	FL_AC = 1u << 18,
	FL_ID = 1u << 21,
	FL_ARITH = FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF,
};

/* Lazy-flags kinds: the flags are a function of (kind, size, res, a, b, cin). */
enum {
	LF_RAW = 0, /* rflags holds the arithmetic flags */
	LF_ADD,
	LF_ADC,
	LF_SUB, /* also CMP, NEG (a = 0) */
	LF_SBB,
	LF_LOGIC,
	LF_INC, /* cin = CF before */
	LF_DEC,
};

typedef struct exec_lazy {
	uint8_t kind, size;
	uint8_t cin;
	uint64_t res, a, b;
} exec_lazy;

/* --- memory -------------------------------------------------------------------------- */

enum { PAGE_SHIFT = 12, PAGE_SIZE = 4096 };
#define PAGE_MASK (~(uint64_t)(PAGE_SIZE - 1))

typedef struct exec_page {
	uint8_t *mem; /* NULL until first touched (then zero-filled) */
	uint8_t prot; /* AE_PROT_* */
	uint8_t code; /* instructions were decoded from this page */
} exec_page;

enum { TLB_SIZE = 256 };
typedef struct exec_tlb_entry {
	uint64_t vpn; /* virtual page number + 1 (0 = empty) */
	uint8_t *mem;
} exec_tlb_entry;

typedef struct exec_mmu {
	void **root; /* 4-level radix over 48-bit addresses, leaves are exec_page */
	exec_tlb_entry tlb_r[TLB_SIZE], tlb_w[TLB_SIZE], tlb_x[TLB_SIZE];
	uint64_t npages;
} exec_mmu;

/* --- decode cache -------------------------------------------------------------------- */

typedef struct ae_cpu ae_cpu;
typedef void (*exec_fn)(ae_cpu *cpu, const ae_insn *in);

typedef struct exec_dentry {
	uint64_t addr;
	uint32_t gen;
	exec_fn fn;
	ae_insn insn;
} exec_dentry;

/* --- the CPU --------------------------------------------------------------------------- */

typedef struct exec_profile exec_profile;

struct ae_cpu {
	uint64_t gpr[32];
	uint64_t rip, next_rip;
	uint64_t rflags; /* non-arithmetic bits always; arithmetic bits when lazy.kind == LF_RAW */
	exec_lazy lazy;
	uint64_t fs_base, gs_base;

	/* SSE/AVX: 32 registers of 64 bytes (zmm layout; xmm is bytes 0..15). */
	_Alignas(64) uint8_t vec[32][64];
	uint32_t mxcsr;
	/* x87: control/status/tag words (ftw: full, 2 bits per register) and eight 80-bit
	 * registers in bytes 0..9, indexed by physical register: ST(i) = st[(TOP+i)&7], MMi =
	 * st[i] (the layout the XSAVE bridge exports). */
	uint16_t fcw, fsw, ftw;
	uint8_t st[8][16];

	uint64_t xcr0;
	struct ae_xstate *xs; /* the XSAVE bridge's state (h_xsave.c); NULL until first used */
	uint8_t xs_zeroed;    /* bit 2: VZEROUPPER/VZEROALL ran since the bridge last synced */
	const exec_profile *profile;
	ae_decode_ctx dctx;

	exec_mmu mmu;
	struct exec_block *blocks; /* the block cache (cpu.c) */
	uint32_t dgen;		   /* decoded code is valid while its generation equals this */

	uint64_t icount;
	bool stats_on;
	ae_exec_stats stats;
	/* The debugger (src/debug) while one is attached: dbg_insn() runs before each
	 * instruction, and the accesses it watches stay out of the TLBs (dbg_mem_access). */
	struct ae_debug *hook;
	bool det_tsc; /* deterministic: RDTSC counts retired instructions */

	ae_fault fault;
	jmp_buf *jb;
	ae_exit exit;	   /* set by a handler that ends the run (SYSCALL) */
	bool stop;

	struct exec_vmx *vmx; /* CPL0 and the VM-exit intercept (vmx_hooks.c); NULL in user mode */

	ae_log_fn log;
	void *log_opaque;
	uint8_t *logged; /* one bit per handler id: "unimplemented" already said */
};

/* The debugger's entry points (src/debug). dbg_insn() returns true when the debugger
 * changed RIP or code, so that the loop must fetch again; dbg_mem_access() records an
 * access and returns true when the page must stay out of the TLB. */
bool dbg_insn(ae_cpu *cpu, const ae_insn *in);
bool dbg_mem_access(ae_cpu *cpu, uint64_t addr, unsigned prot);

/* Faults. */
_Noreturn void exec_raise(ae_cpu *cpu, unsigned vector, uint32_t error, uint64_t addr);
_Noreturn void exec_ud(ae_cpu *cpu);
_Noreturn void exec_gp(ae_cpu *cpu);

/* Memory (mmu.c). Accesses check permissions and raise #PF. */
int exec_mmu_init(exec_mmu *m);
void exec_mmu_free(exec_mmu *m);
exec_page *exec_page_get(ae_cpu *cpu, uint64_t addr, bool create);
uint8_t *exec_page_mem(exec_page *p);
void exec_tlb_flush(exec_mmu *m);
uint8_t *exec_mem_slow(ae_cpu *cpu, uint64_t addr, unsigned prot);
void exec_code_written(ae_cpu *cpu, exec_page *p);

static inline uint8_t *exec_mem_ptr(ae_cpu *cpu, uint64_t addr, unsigned prot)
{
	uint64_t vpn = addr >> PAGE_SHIFT;
	exec_tlb_entry *t = prot == AE_PROT_W   ? &cpu->mmu.tlb_w[vpn & (TLB_SIZE - 1)]
			    : prot == AE_PROT_R ? &cpu->mmu.tlb_r[vpn & (TLB_SIZE - 1)]
						: &cpu->mmu.tlb_x[vpn & (TLB_SIZE - 1)];
	if (t->vpn == vpn + 1)
		return t->mem + (addr & (PAGE_SIZE - 1));
	return exec_mem_slow(cpu, addr, prot);
}

uint64_t exec_read_slow(ae_cpu *cpu, uint64_t addr, unsigned size);
void exec_write_slow(ae_cpu *cpu, uint64_t addr, unsigned size, uint64_t v);

static inline uint64_t exec_read(ae_cpu *cpu, uint64_t addr, unsigned size)
{
	if (((addr & (PAGE_SIZE - 1)) + size) > PAGE_SIZE)
		return exec_read_slow(cpu, addr, size);
	const uint8_t *p = exec_mem_ptr(cpu, addr, AE_PROT_R);
	switch (size) {
	case 1:
		return *p;
	case 2: {
		uint16_t v;
		memcpy(&v, p, 2);
		return v;
	}
	case 4: {
		uint32_t v;
		memcpy(&v, p, 4);
		return v;
	}
	default: {
		uint64_t v;
		memcpy(&v, p, 8);
		return v;
	}
	}
}

static inline void exec_write(ae_cpu *cpu, uint64_t addr, unsigned size, uint64_t v)
{
	if (((addr & (PAGE_SIZE - 1)) + size) > PAGE_SIZE) {
		exec_write_slow(cpu, addr, size, v);
		return;
	}
	uint8_t *p = exec_mem_ptr(cpu, addr, AE_PROT_W);
	switch (size) {
	case 1:
		*p = (uint8_t)v;
		break;
	case 2: {
		uint16_t x = (uint16_t)v;
		memcpy(p, &x, 2);
		break;
	}
	case 4: {
		uint32_t x = (uint32_t)v;
		memcpy(p, &x, 4);
		break;
	}
	default:
		memcpy(p, &v, 8);
		break;
	}
}

/* Reads/writes n bytes (vectors, FXSAVE images); checks the whole range before any write. */
void exec_read_bytes(ae_cpu *cpu, uint64_t addr, void *buf, unsigned n);
void exec_write_bytes(ae_cpu *cpu, uint64_t addr, const void *buf, unsigned n);

/* Flags (flags.c). */
uint64_t exec_flags(ae_cpu *cpu); /* materializes; lazy.kind becomes LF_RAW */
bool exec_cond(ae_cpu *cpu, unsigned cc);
static inline void exec_lazy_set(ae_cpu *cpu, unsigned kind, unsigned size, uint64_t res,
				 uint64_t a, uint64_t b)
{
	cpu->lazy.kind = (uint8_t)kind;
	cpu->lazy.size = (uint8_t)size;
	cpu->lazy.res = res;
	cpu->lazy.a = a;
	cpu->lazy.b = b;
}
/* Sets the arithmetic flags to bits (FL_* within FL_ARITH), leaving the others. */
static inline void exec_flags_set(ae_cpu *cpu, uint64_t bits)
{
	cpu->rflags = (cpu->rflags & ~(uint64_t)FL_ARITH) | (bits & FL_ARITH);
	cpu->lazy.kind = LF_RAW;
}
/* SF, ZF, PF of a result of size bytes. */
uint64_t exec_szp(uint64_t res, unsigned size);
bool exec_cf(ae_cpu *cpu);

static inline uint64_t exec_mask(unsigned size)
{
	return size >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (size * 8)) - 1;
}
static inline uint64_t exec_sign(unsigned size)
{
	return (uint64_t)1 << (size * 8 - 1);
}
static inline int64_t exec_sext(uint64_t v, unsigned size)
{
	unsigned sh = 64 - size * 8;
	return sh ? (int64_t)(v << sh) >> sh : (int64_t)v;
}

/* Registers and operands (operand.c). */
/* These run on almost every instruction, so they are inline; the uncommon cases (AH..BH,
 * 8/16-bit merges, moffs, bad operand kinds) go to operand.c. */
uint64_t exec_gpr_read_slow(ae_cpu *cpu, unsigned reg, unsigned size);
void exec_gpr_write_slow(ae_cpu *cpu, unsigned reg, unsigned size, uint64_t v);
uint64_t exec_op_read_slow(ae_cpu *cpu, const ae_insn *in, unsigned i);
void exec_op_write_slow(ae_cpu *cpu, const ae_insn *in, unsigned i, uint64_t v);

static inline uint64_t exec_gpr_read(ae_cpu *cpu, unsigned reg, unsigned size)
{
	if (reg < 32)
		return cpu->gpr[reg] & exec_mask(size);
	return exec_gpr_read_slow(cpu, reg, size);
}
/* Legacy write semantics: 32-bit zero-extends, 8/16-bit merge. */
static inline void exec_gpr_write(ae_cpu *cpu, unsigned reg, unsigned size, uint64_t v)
{
	if (reg < 32 && size >= 4)
		cpu->gpr[reg] = size == 8 ? v : (uint32_t)v;
	else
		exec_gpr_write_slow(cpu, reg, size, v);
}
static inline uint64_t exec_ea(ae_cpu *cpu, const ae_insn *in)
{
	const ae_mem *m = &in->mem;
	uint64_t a = (uint64_t)(int64_t)m->disp;
	if (m->base < 32)
		a += cpu->gpr[m->base];
	else if (m->base == AE_R_RIP)
		a += cpu->next_rip;
	if (m->index != AE_R_NONE)
		a += cpu->gpr[m->index & 31] * m->scale;
	if (in->asize == 4)
		a = (uint32_t)a;
	if (m->seg == AE_R_ES + 4)
		a += cpu->fs_base;
	else if (m->seg == AE_R_ES + 5)
		a += cpu->gs_base;
	return a;
}
static inline unsigned exec_opsize(const ae_insn *in, unsigned i)
{
	const ae_operand *o = &in->ops[i];
	return o->kind == AE_OP_MEM ? in->memsz : o->size;
}
static inline uint64_t exec_op_read(ae_cpu *cpu, const ae_insn *in, unsigned i)
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
	default:
		return exec_op_read_slow(cpu, in, i);
	}
}
static inline void exec_op_write(ae_cpu *cpu, const ae_insn *in, unsigned i, uint64_t v)
{
	const ae_operand *o = &in->ops[i];
	if (o->kind == AE_OP_REG)
		exec_gpr_write(cpu, o->reg, o->size, v);
	else if (o->kind == AE_OP_MEM)
		exec_write(cpu, exec_ea(cpu, in), in->memsz, v);
	else
		exec_op_write_slow(cpu, in, i, v);
}
/* Writes a GPR destination zero-extended to 64 bits (NDD, ZU). */
void exec_op_write_zx(ae_cpu *cpu, const ae_insn *in, unsigned i, uint64_t v);
void exec_push(ae_cpu *cpu, uint64_t v);
uint64_t exec_pop(ae_cpu *cpu);

/* Handler registry: each family file has a table of {name, fn}. */
typedef struct exec_handler_def {
	const char *name;
	exec_fn fn;
} exec_handler_def;
extern const exec_handler_def exec_int_handlers[];
extern const exec_handler_def exec_misc_handlers[];
extern const exec_handler_def exec_sse_handlers[];
extern const exec_handler_def exec_xsave_handlers[];
/* The vector engine (vec.h) and x87 (h_x87.c). */
extern const exec_handler_def exec_vint_handlers[];
extern const exec_handler_def exec_vfp_handlers[];
extern const exec_handler_def exec_sse4_handlers[];
extern const exec_handler_def exec_avx_handlers[];
extern const exec_handler_def exec_x87_handlers[];

/* The XSAVE bridge (h_xsave.c). The CPU's x87/SSE/AVX/APX registers stay in struct ae_cpu;
 * cpu->xs holds the engine's state (XINUSE, XMODIFIED, XRSTOR_INFO, x87 pointers) and the
 * register values as of the last synchronization.
 *   exec_xs_sync     brings cpu->xs up to date: a component whose registers changed since the
 *                    last sync was written (XINUSE and XMODIFIED gain it), a non-initial one is
 *                    in use. Returns cpu->xs (NULL when memory runs out).
 *   exec_xs_commit   loads the CPU's registers from cpu->xs (after the engine restored them).
 *   exec_xs_op       one XSTATE-engine instruction (an ae_xs_op) on guest memory at CPL 3 (0
 *                    with a VMX intercept). Returns an ae_xs_result: 0, or the vector of the
 *                    exception (*f has the #PF address and error code); a fault changes
 *                    neither the registers nor memory.
 *   exec_xsave_to_guest / exec_xrstor_from_guest
 *                    XSAVE64 / XRSTOR64 with RFBM = rfbm (& XCR0 by the engine) at addr, for
 *                    a signal frame's XSAVE image (standard format, addr 64-byte aligned);
 *                    the result as exec_xs_op's.
 *   exec_xs_init     puts the components in mask (x87, SSE with MXCSR, AVX, APX) into their
 *                    initial configuration, not in use (a signal handler's entry state).
 *   exec_xs_xinuse   XINUSE after a sync. */
struct ae_xstate;
struct ae_xs_fault;
struct ae_xs_profile;
struct ae_xstate *exec_xs_sync(ae_cpu *cpu);
void exec_xs_commit(ae_cpu *cpu);
void exec_xs_free(ae_cpu *cpu);
int exec_xs_op(ae_cpu *cpu, unsigned op, uint64_t addr, uint64_t rfbm, bool rexw,
	       struct ae_xs_fault *f);
int exec_xsave_to_guest(ae_cpu *cpu, uint64_t addr, uint64_t rfbm, struct ae_xs_fault *f);
int exec_xrstor_from_guest(ae_cpu *cpu, uint64_t addr, uint64_t rfbm, struct ae_xs_fault *f);
void exec_xs_init(ae_cpu *cpu, uint64_t mask);
uint64_t exec_xs_xinuse(ae_cpu *cpu);

/* CPUID profiles (cpuid.c). */
const exec_profile *exec_profile_find(const char *name);
void exec_cpuid(const ae_cpu *cpu, uint32_t leaf, uint32_t sub, uint32_t out[4]);
uint64_t exec_profile_xcr0(const exec_profile *p);
/* The profile as the XSTATE engine sees it: the engine profile it is based on, restricted to
 * the components the executor has (cpuid.c). CPUID leaf 0xD comes from it. */
const struct ae_xs_profile *exec_profile_xs(const exec_profile *p);
void exec_profile_decode_ctx(const exec_profile *p, ae_decode_ctx *ctx);

/* VM-exit intercept (vmx_hooks.c): the handler to run, or NULL to stop before the insn. */
exec_fn exec_vmx_before(ae_cpu *cpu, const ae_insn *in, exec_fn fn);

/* Form attributes (from the generated table). */
uint32_t exec_form_attrs(unsigned form);
bool exec_form_is_vector(unsigned form);

#endif
