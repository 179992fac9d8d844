/* The CPU object, the dispatch loop and the decode cache.
 *
 * Dispatch: every table form names a handler (isa/ column 9). At start-up the names are
 * matched once against the handler tables of the family files (exec_int_handlers, ...);
 * a form whose handler is not implemented runs exec_unimpl, which logs the mnemonic once and
 * raises #UD. Vector handlers are bound by encoding: legacy (SSE/MMX) forms and VEX forms
 * each have their own binding (a VEX row may share its handler name with a GPR handler);
 * EVEX vector forms are not implemented and CPUID does not report them.
 *
 * Decoded instructions live in the block cache (see run_loop): blocks carry the generation
 * cpu->dgen, which grows whenever a page that held decoded code is written, unmapped or
 * loses X.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "ae_gen.h"
#include "exec_internal.h"

static exec_fn form_fn[DEC_NFORMS];
static bool form_ends_block[DEC_NFORMS]; /* the instruction ends a block (run_loop) */
static bool form_fn_ready;
/* Static APX kinds of a form, for the statistics. */
enum { K_CCMP = 1, K_CFCMOV = 2, K_PUSH2POP2 = 4, K_PPX = 8, K_JMPABS = 16 };
static uint8_t form_kind[DEC_NFORMS];

static void exec_unimpl(ae_cpu *cpu, const ae_insn *in)
{
	unsigned h = dec_forms[in->form].handler;
	if (!(cpu->logged[h / 8] & (1u << (h % 8)))) {
		cpu->logged[h / 8] |= (uint8_t)(1u << (h % 8));
		ae_cpu_log(cpu, "unimplemented instruction '%s' (handler %s) at 0x%llx: #UD",
			   ae_form_mnemonic(in->form), dec_handler_names[h],
			   (unsigned long long)cpu->rip);
	}
	exec_ud(cpu);
}

static uint16_t handler_id(const char *name)
{
	for (unsigned h = 0; h < DEC_NHANDLERS; h++)
		if (!strcmp(dec_handler_names[h], name))
			return (uint16_t)h;
	return 0xffff;
}

bool exec_form_is_vector(unsigned form)
{
	const dec_form *f = &dec_forms[form];
	for (unsigned i = 0; i < f->nops; i++) {
		unsigned m = f->ops[i].method;
		if (m == OM_V || m == OM_W || m == OM_U || m == OM_H || m == OM_L || m == OM_P ||
		    m == OM_Q || m == OM_N)
			return true;
	}
	return false;
}

uint32_t exec_form_attrs(unsigned form)
{
	return dec_forms[form].attrs;
}

static void bind_table(const exec_handler_def *defs, exec_fn *by_handler)
{
	for (const exec_handler_def *d = defs; d->name; d++) {
		uint16_t h = handler_id(d->name);
		if (h != 0xffff)
			by_handler[h] = d->fn;
	}
}

static void init_dispatch(void)
{
	if (form_fn_ready)
		return;
	static exec_fn by_handler[DEC_NHANDLERS];
	static exec_fn by_handler_vec[DEC_NHANDLERS];
	bind_table(exec_int_handlers, by_handler);
	bind_table(exec_misc_handlers, by_handler);
	bind_table(exec_xsave_handlers, by_handler);
	bind_table(exec_x87_handlers, by_handler);
	bind_table(exec_sse_handlers, by_handler_vec);
	/* The vector engine's handlers serve legacy and VEX forms and win over h_sse.c's. */
	static exec_fn by_handler_vex[DEC_NHANDLERS];
	static const exec_handler_def *const vec_tables[] = {
		exec_vint_handlers, exec_vfp_handlers, exec_sse4_handlers, NULL};
	for (unsigned t = 0; vec_tables[t]; t++) {
		bind_table(vec_tables[t], by_handler_vec);
		bind_table(vec_tables[t], by_handler_vex);
	}
	bind_table(exec_avx_handlers, by_handler_vex);
	for (unsigned f = 0; f < DEC_NFORMS; f++) {
		unsigned h = dec_forms[f].handler;
		exec_fn fn = by_handler[h];
		if (by_handler_vec[h] && dec_forms[f].enc == 0)
			fn = by_handler_vec[h];
		if (by_handler_vex[h] && dec_forms[f].enc == 1)
			fn = by_handler_vex[h];
		form_fn[f] = fn ? fn : exec_unimpl;
	}
	uint16_t h_ccmp = handler_id("ccmp"), h_ctest = handler_id("ctest");
	uint16_t h_cf = handler_id("cfcmov"), h_cfs = handler_id("cfcmov_store");
	for (unsigned f = 0; f < DEC_NFORMS; f++) {
		unsigned h = dec_forms[f].handler;
		const char *m = ae_form_mnemonic(f);
		uint8_t k = 0;
		if (h == h_ccmp || h == h_ctest)
			k |= K_CCMP;
		if (h == h_cf || h == h_cfs)
			k |= K_CFCMOV;
		if (dec_forms[f].attrs & DA_PUSH2POP2)
			k |= K_PUSH2POP2;
		if (!strcmp(m, "pushp") || !strcmp(m, "popp") || !strcmp(m, "push2p") ||
		    !strcmp(m, "pop2p"))
			k |= K_PPX;
		if (dec_forms[f].attrs & DA_JMPABS)
			k |= K_JMPABS;
		form_kind[f] = k;
	}
	static const char *const ends[] = {"jmp", "jmpabs", "call", "ret", "syscall", "ud",
					   "int3", "hlt", "iret", "sysret", "sysenter", "int",
					   NULL};
	for (unsigned f = 0; f < DEC_NFORMS; f++) {
		unsigned h = dec_forms[f].handler;
		bool e = form_fn[f] == exec_unimpl;
		for (unsigned i = 0; ends[i] && !e; i++)
			e = !strcmp(dec_handler_names[h], ends[i]);
		form_ends_block[f] = e;
	}
	form_fn_ready = true;
}

/* --- faults ------------------------------------------------------------------------------ */

_Noreturn void exec_raise(ae_cpu *cpu, unsigned vector, uint32_t error, uint64_t addr)
{
	cpu->fault.vector = (uint8_t)vector;
	cpu->fault.error = error;
	cpu->fault.addr = addr;
	cpu->fault.rip = cpu->rip;
	longjmp(*cpu->jb, 1);
}

_Noreturn void exec_ud(ae_cpu *cpu)
{
	exec_raise(cpu, AE_EXC_UD, 0, 0);
}

_Noreturn void exec_gp(ae_cpu *cpu)
{
	exec_raise(cpu, AE_EXC_GP, 0, 0);
}

/* --- statistics ------------------------------------------------------------------------ */

static void count_apx(ae_cpu *cpu, const ae_insn *in)
{
	ae_exec_stats *s = &cpu->stats;
	uint32_t attrs = dec_forms[in->form].attrs;
	unsigned kind = form_kind[in->form];
	bool any = kind != 0 || in->enc == AE_ENC_REX2 || (in->enc == AE_ENC_EVEX && in->map == 4);
	bool egpr = false;
	for (unsigned i = 0; i < in->nops; i++) {
		const ae_operand *o = &in->ops[i];
		if ((o->kind == AE_OP_REG || o->kind == AE_OP_MEM_REG) && o->reg >= 16 && o->reg < 32)
			egpr = true;
		if (o->kind == AE_OP_MEM && ((in->mem.base >= 16 && in->mem.base < 32) ||
					     (in->mem.index >= 16 && in->mem.index < 32)))
			egpr = true;
	}
	if (egpr)
		s->egpr++, any = true;
	if ((in->flags & AE_F_ND) && (attrs & DA_ND))
		s->ndd++, any = true;
	if ((in->flags & AE_F_ND) && (attrs & DA_ZU))
		s->zu++, any = true;
	if ((in->flags & AE_F_NF) && (attrs & DA_NF))
		s->nf++, any = true;
	if (kind & K_CCMP)
		s->ccmp++;
	if (kind & K_CFCMOV)
		s->cfcmov++;
	if (kind & K_PUSH2POP2)
		s->push2pop2++;
	if (kind & K_PPX)
		s->ppx++;
	if (kind & K_JMPABS)
		s->jmpabs++;
	if (any)
		s->apx_any++;
}

/* --- the loop ---------------------------------------------------------------------------- */

/* The block cache: direct-mapped by start address. A block is a run of consecutive
 * instructions inside one page (only its first instruction may reach into the next page),
 * decoded once; it ends at an unconditional control transfer, at the page end, before an
 * instruction that does not decode, or after BLOCK_MAX instructions. Conditional branches do
 * not end a block: the loop leaves it when an instruction's next RIP is not the following
 * instruction. A block is valid while its generation equals cpu->dgen, which grows when
 * code is written, unmapped or loses X; a write by the block itself is seen after the
 * writing instruction. The decode context never changes while a CPU runs (it is set from
 * the profile at creation), so the key is the address and the generation. */
enum { BLOCK_MAX = 32, BCACHE_SIZE = 1u << 12 };
typedef struct exec_block {
	uint64_t addr;
	uint32_t gen;
	uint32_t n;
	exec_dentry ins[BLOCK_MAX];
} exec_block;

static void mark_code(ae_cpu *cpu, uint64_t addr)
{
	exec_page *pg = exec_page_get(cpu, addr, false);
	pg->code = 1;
	cpu->mmu.tlb_w[(addr >> PAGE_SHIFT) & (TLB_SIZE - 1)].vpn = 0;
}

/* Decodes the instruction at rip. Only with may_cross does it read the next page (and may
 * fault there); otherwise an instruction cut by the page end reports AE_TRUNCATED. */
static ae_status decode_at(ae_cpu *cpu, uint64_t rip, ae_insn *out, bool may_cross)
{
	uint8_t buf[16];
	unsigned n = PAGE_SIZE - (unsigned)(rip & (PAGE_SIZE - 1));
	if (n > 15)
		n = 15;
	memcpy(buf, exec_mem_ptr(cpu, rip, AE_PROT_X), n);
	ae_status st = ae_decode(&cpu->dctx, buf, n, out);
	if (st == AE_TRUNCATED && n < 15 && may_cross) {
		uint64_t next = (rip & PAGE_MASK) + PAGE_SIZE;
		memcpy(buf + n, exec_mem_ptr(cpu, next, AE_PROT_X), 15 - n);
		mark_code(cpu, next);
		st = ae_decode(&cpu->dctx, buf, 15, out);
	}
	return st;
}

static void build_block(ae_cpu *cpu, exec_block *b, uint64_t rip)
{
	cpu->fault.form = 0xffff;
	b->addr = rip;
	b->n = 0;
	b->gen = 0;
	if (decode_at(cpu, rip, &b->ins[0].insn, true) != AE_OK)
		exec_ud(cpu);
	mark_code(cpu, rip);
	uint64_t page = rip & PAGE_MASK;
	unsigned n = 0;
	for (;;) {
		exec_dentry *d = &b->ins[n];
		d->fn = form_fn[d->insn.form];
		d->addr = rip;
		n++;
		rip += d->insn.len;
		if (n == BLOCK_MAX || form_ends_block[d->insn.form] || (rip & PAGE_MASK) != page)
			break;
		if (decode_at(cpu, rip, &b->ins[n].insn, false) != AE_OK)
			break;
	}
	b->n = n;
	b->gen = cpu->dgen;
}

static void run_loop(ae_cpu *cpu, uint64_t budget)
{
	exec_block *bc = cpu->blocks;
	while (budget) {
		uint64_t rip = cpu->rip;
		exec_block *b = &bc[(rip ^ (rip >> 12)) & (BCACHE_SIZE - 1)];
		if (b->addr != rip || b->gen != cpu->dgen)
			build_block(cpu, b, rip);
		uint32_t gen = b->gen;
		for (exec_dentry *d = b->ins, *end = b->ins + b->n; d < end; d++) {
			uint64_t next = rip + d->insn.len;
			cpu->fault.form = d->insn.form;
			cpu->next_rip = next;
			budget--;
			if (cpu->hook && dbg_insn(cpu, &d->insn))
				break;
			if (cpu->stats_on)
				count_apx(cpu, &d->insn);
			exec_fn fn = d->fn;
			if (cpu->vmx && !(fn = exec_vmx_before(cpu, &d->insn, fn)))
				return; /* stopped before an intercepted instruction */
			fn(cpu, &d->insn);
			rip = cpu->rip = cpu->next_rip;
			cpu->icount++;
			if (cpu->stop)
				return;
			if (rip != next || cpu->dgen != gen || !budget)
				break;
		}
	}
	cpu->exit = AE_EXIT_LIMIT;
}

ae_exit ae_cpu_run(ae_cpu *cpu, uint64_t max_insns)
{
	jmp_buf jb;
	cpu->jb = &jb;
	cpu->stop = false;
	if (setjmp(jb)) {
		cpu->jb = NULL;
		return AE_EXIT_FAULT;
	}
	run_loop(cpu, max_insns ? max_insns : UINT64_MAX);
	cpu->jb = NULL;
	return cpu->exit;
}

/* --- public API -------------------------------------------------------------------------- */

static void log_stderr(void *opaque, const char *line)
{
	(void)opaque;
	fprintf(stderr, "apxemu: %s\n", line);
}

ae_cpu *ae_cpu_new(const char *profile)
{
	const exec_profile *p = exec_profile_find(profile ? profile : "default");
	if (!p)
		return NULL;
	init_dispatch();
	ae_cpu *cpu = aligned_alloc(64, (sizeof(ae_cpu) + 63) & ~(size_t)63);
	if (!cpu)
		return NULL;
	memset(cpu, 0, sizeof *cpu);
	cpu->blocks = calloc(BCACHE_SIZE, sizeof(exec_block));
	cpu->logged = calloc((DEC_NHANDLERS + 7) / 8, 1);
	if (!cpu->blocks || !cpu->logged || exec_mmu_init(&cpu->mmu)) {
		ae_cpu_free(cpu);
		return NULL;
	}
	cpu->dgen = 1;
	cpu->profile = p;
	cpu->xcr0 = exec_profile_xcr0(p);
	exec_profile_decode_ctx(p, &cpu->dctx);
	cpu->rflags = 0x202;
	cpu->mxcsr = 0x1f80;
	cpu->fcw = 0x37f;
	cpu->ftw = 0xffff;
	cpu->log = log_stderr;
	cpu->fault.form = 0xffff;
	return cpu;
}

void ae_cpu_free(ae_cpu *cpu)
{
	if (!cpu)
		return;
	exec_mmu_free(&cpu->mmu);
	exec_xs_free(cpu);
	free(cpu->blocks);
	free(cpu->logged);
	free(cpu);
}

const ae_fault *ae_cpu_fault(const ae_cpu *cpu)
{
	return &cpu->fault;
}

uint64_t ae_cpu_icount(const ae_cpu *cpu)
{
	return cpu->icount;
}

uint64_t ae_cpu_get(const ae_cpu *cpu, unsigned reg)
{
	if (reg < 32)
		return cpu->gpr[reg];
	if (reg == AE_R_RIP)
		return cpu->rip;
	if (reg == AE_R_ES + 4)
		return cpu->fs_base;
	if (reg == AE_R_ES + 5)
		return cpu->gs_base;
	return 0;
}

void ae_cpu_set(ae_cpu *cpu, unsigned reg, uint64_t value)
{
	if (reg < 32)
		cpu->gpr[reg] = value;
	else if (reg == AE_R_RIP)
		cpu->rip = value;
	else if (reg == AE_R_ES + 4)
		cpu->fs_base = value;
	else if (reg == AE_R_ES + 5)
		cpu->gs_base = value;
}

uint64_t ae_cpu_rflags(ae_cpu *cpu)
{
	return exec_flags(cpu);
}

void ae_cpu_set_rflags(ae_cpu *cpu, uint64_t rflags)
{
	cpu->rflags = (rflags & 0x3f7fd5) | 2;
	cpu->lazy.kind = LF_RAW;
}

uint64_t ae_cpu_xcr0(const ae_cpu *cpu)
{
	return cpu->xcr0;
}

void ae_cpu_cpuid(const ae_cpu *cpu, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	exec_cpuid(cpu, leaf, subleaf, out);
}

void ae_cpu_stats(const ae_cpu *cpu, ae_exec_stats *out)
{
	*out = cpu->stats;
	out->insns = cpu->icount;
}

void ae_cpu_enable_stats(ae_cpu *cpu, bool on)
{
	cpu->stats_on = on;
}

void ae_cpu_set_log(ae_cpu *cpu, ae_log_fn fn, void *opaque)
{
	cpu->log = fn;
	cpu->log_opaque = opaque;
}

void ae_cpu_log(ae_cpu *cpu, const char *fmt, ...)
{
	if (!cpu->log)
		return;
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	cpu->log(cpu->log_opaque, line);
}

void ae_cpu_disasm(ae_cpu *cpu, uint64_t addr, char *buf, size_t buflen)
{
	uint8_t b[15];
	size_t n = 0;
	while (n < sizeof b && ae_mem_read(cpu, addr + n, b + n, 1, 0) == 0)
		n++;
	ae_insn in;
	if (!n || ae_decode(&cpu->dctx, b, n, &in) != AE_OK) {
		size_t k = 0;
		k += (size_t)snprintf(buf, buflen, "(bytes");
		for (size_t i = 0; i < n && i < 8 && k < buflen; i++)
			k += (size_t)snprintf(buf + k, buflen - k, " %02x", b[i]);
		if (k < buflen)
			snprintf(buf + k, buflen - k, ")");
		return;
	}
	ae_format(&in, AE_SYNTAX_ATT, AE_FMT_ABS_BRANCH, addr, buf, buflen);
}
