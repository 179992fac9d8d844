/* Integer instructions checked against the host CPU: each case runs the same bytes natively
 * (through a generated stub that loads the 16 GPRs and RFLAGS, executes the instruction and
 * stores them back) and under the executor, from the same state and over the same memory
 * region, mapped at the same address in both; registers, the arithmetic flags and the region
 * must match. The EVEX NDD/NF forms, which the host cannot run, are checked against their
 * legacy form run natively (NDD: the result goes to the new destination, zero-extended; NF:
 * the flags stay as they were).
 *
 * Cases: ENTER/LEAVE with the 66 prefix (16-bit frame pointer, 2-byte pushes and pops) and
 * without, nesting levels 0-3; 16-bit SHLD/SHRD with counts 0..16 (imm8 and CL, including
 * imm8 values that mask to 16), 32/64-bit SHLD/SHRD, and their EVEX NDD and NF forms. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "apxemu/decoder.h"
#include "apxemu/exec.h"

enum { CODE = 0x10000, REGION_SIZE = 0x2000 };
#define REGION 0x6a000000ull /* below 2 GiB: ordinary memory under ASan too */
enum { RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5 };
enum { CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800 };
#define ARITH (CF | PF | AF | ZF | SF | OF)

typedef struct state {
	uint64_t gpr[16];
	uint64_t rflags;
	uint64_t host_rsp; /* the stub's own stack pointer while the instruction runs */
} state;

static int failures, checks;
static uint8_t *region;		  /* host mapping at REGION */
static uint8_t init_mem[REGION_SIZE]; /* the region's contents before each case */
static state hs;			  /* the host stub's state */
static uint8_t *stub;

static void expect(const char *name, const char *what, uint64_t got, uint64_t want)
{
	checks++;
	if (got != want) {
		failures++;
		printf("FAIL %s: %s = 0x%llx, host 0x%llx\n", name, what, (unsigned long long)got,
		       (unsigned long long)want);
	}
}

/* --- the host side ------------------------------------------------------------------------ */

static uint8_t *put(uint8_t *p, const void *b, size_t n)
{
	memcpy(p, b, n);
	return p + n;
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
	return put(p, &v, 8);
}

/* mov r64, [rax+disp32] (load) or mov [rax+disp32], r64 (store). */
static uint8_t *mov_rax_disp(uint8_t *p, unsigned reg, uint32_t disp, bool store)
{
	*p++ = (uint8_t)(0x48 | (reg >= 8 ? 4 : 0));
	*p++ = store ? 0x89 : 0x8b;
	*p++ = (uint8_t)(0x80 | (reg & 7) << 3);
	return put(p, &disp, 4);
}

/* Builds: save callee-saved registers and RSP, load RFLAGS and the GPRs from hs, the
 * instruction, store the GPRs and RFLAGS to hs, restore, return. */
#if defined(__clang__)
__attribute__((no_sanitize("function")))
#endif
static void host_run(const uint8_t *insn, size_t n, const state *in, state *out)
{
	uint8_t *p = stub + 16; /* not at the page start: nothing is read before a callee */
	static const uint8_t save[] = {0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57};
	static const uint8_t restore[] = {0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d,
					  0x41, 0x5c, 0x5d, 0x5b, 0xc3};
	hs = *in;
	mprotect(stub, 4096, PROT_READ | PROT_WRITE);
	p = put(p, save, sizeof save);
	p = put(p, (const uint8_t[]){0x48, 0xb8}, 2), p = put64(p, (uint64_t)(uintptr_t)&hs);
	p = mov_rax_disp(p, RSP, offsetof(state, host_rsp), true);
	p = put(p, (const uint8_t[]){0xff, 0xb0}, 2); /* push [rax+rflags]; popfq */
	uint32_t d = offsetof(state, rflags);
	p = put(p, &d, 4);
	*p++ = 0x9d;
	for (unsigned r = 1; r < 16; r++)
		p = mov_rax_disp(p, r, r * 8, false);
	p = put(p, (const uint8_t[]){0x48, 0x8b, 0x00}, 3); /* mov rax, [rax] */
	p = put(p, insn, n);
	p = put(p, (const uint8_t[]){0x48, 0xa3}, 2), p = put64(p, (uint64_t)(uintptr_t)&hs);
	p = put(p, (const uint8_t[]){0x48, 0xb8}, 2), p = put64(p, (uint64_t)(uintptr_t)&hs);
	for (unsigned r = 1; r < 16; r++)
		p = mov_rax_disp(p, r, r * 8, true);
	p = mov_rax_disp(p, RSP, offsetof(state, host_rsp), false);
	p = put(p, (const uint8_t[]){0x9c, 0x59}, 2); /* pushfq; pop rcx */
	p = mov_rax_disp(p, RCX, offsetof(state, rflags), true);
	put(p, restore, sizeof restore);
	mprotect(stub, 4096, PROT_READ | PROT_EXEC);
	memcpy(region, init_mem, REGION_SIZE);
	((void (*)(void))(uintptr_t)(stub + 16))();
	*out = hs;
}

/* --- the executor side ---------------------------------------------------------------------- */

static ae_exit emu_run(const uint8_t *insn, size_t n, const state *in, state *out,
		       uint8_t *mem)
{
	ae_cpu *cpu = ae_cpu_new(NULL);
	ae_mem_map(cpu, CODE, 4096, AE_PROT_R | AE_PROT_X);
	ae_mem_map(cpu, REGION, REGION_SIZE, AE_PROT_R | AE_PROT_W);
	ae_mem_write(cpu, CODE, insn, n, 0);
	ae_mem_write(cpu, REGION, init_mem, REGION_SIZE, 0);
	for (unsigned r = 0; r < 16; r++)
		ae_cpu_set(cpu, AE_R_GPR + r, in->gpr[r]);
	ae_cpu_set(cpu, AE_R_RIP, CODE);
	ae_cpu_set_rflags(cpu, in->rflags);
	ae_exit e = ae_cpu_run(cpu, 1);
	for (unsigned r = 0; r < 16; r++)
		out->gpr[r] = ae_cpu_get(cpu, AE_R_GPR + r);
	out->rflags = ae_cpu_rflags(cpu);
	if (e == AE_EXIT_LIMIT && ae_cpu_get(cpu, AE_R_RIP) != CODE + n)
		e = AE_EXIT_HLT; /* reported as a wrong exit below */
	ae_mem_read(cpu, REGION, mem, REGION_SIZE, 0);
	ae_cpu_free(cpu);
	return e;
}

static const char *const reg_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp",
					  "rsi", "rdi", "r8",  "r9",  "r10", "r11",
					  "r12", "r13", "r14", "r15"};

static void compare(const char *name, const state *got, const state *want, uint64_t flag_mask)
{
	for (unsigned r = 0; r < 16; r++)
		expect(name, reg_names[r], got->gpr[r], want->gpr[r]);
	expect(name, "flags", got->rflags & flag_mask, want->rflags & flag_mask);
}

/* Runs insn on both and compares everything (flags within flag_mask). */
static void check(const char *name, const uint8_t *insn, size_t n, const state *in,
		  uint64_t flag_mask)
{
	state h, e;
	static uint8_t emem[REGION_SIZE];
	host_run(insn, n, in, &h);
	ae_exit x = emu_run(insn, n, in, &e, emem);
	expect(name, "exit", x, AE_EXIT_LIMIT);
	compare(name, &e, &h, flag_mask);
	checks++;
	if (memcmp(emem, region, REGION_SIZE)) {
		failures++;
		for (unsigned i = 0; i < REGION_SIZE; i++)
			if (emem[i] != region[i]) {
				printf("FAIL %s: memory differs first at 0x%llx (0x%02x, host 0x%02x)\n",
				       name, (unsigned long long)(REGION + i), emem[i], region[i]);
				break;
			}
	}
}

/* An EVEX form against its legacy form on the host: dst (a GPR, or -1 for NF without NDD)
 * receives the legacy destination's value zero-extended to size bytes; with nf the flags
 * stay as they were. */
static void check_apx(const char *name, const uint8_t *evex, size_t en, const uint8_t *legacy,
		      size_t ln, const state *in, unsigned legacy_dst, int dst, unsigned size,
		      bool nf, uint64_t flag_mask)
{
	state h, e, want;
	static uint8_t emem[REGION_SIZE];
	host_run(legacy, ln, in, &h);
	want = h;
	if (dst >= 0) {
		uint64_t m = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
		want.gpr[legacy_dst] = in->gpr[legacy_dst];
		want.gpr[dst] = h.gpr[legacy_dst] & m;
	}
	if (nf)
		want.rflags = in->rflags;
	ae_exit x = emu_run(evex, en, in, &e, emem);
	expect(name, "exit", x, AE_EXIT_LIMIT);
	compare(name, &e, &want, flag_mask);
}

/* --- cases --------------------------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

static void random_state(state *s)
{
	for (unsigned r = 0; r < 16; r++)
		s->gpr[r] = rnd();
	s->rflags = 0x202 | (rnd() & ARITH);
	s->gpr[RSP] = REGION + 0x1800;
}

static void enter_leave(void)
{
	char name[64];
	state s;
	/* ENTER imm16, level with and without 66; RBP inside the region for the nesting
	 * copies, with bits 63:16 that differ from RSP's. */
	for (unsigned o16 = 0; o16 < 2; o16++)
		for (unsigned level = 0; level < 4; level++) {
			uint8_t insn[5] = {0x66, 0xc8, 0x20, 0x00, (uint8_t)level};
			const uint8_t *p = o16 ? insn : insn + 1;
			size_t n = o16 ? 5 : 4;
			for (unsigned k = 0; k < 4; k++) {
				random_state(&s);
				s.gpr[RBP] = k & 1 ? REGION + 0x800 + (rnd() & 0x1fe)
						   : (rnd() & ~0xffffull) | 0x9abc;
				if (level > 1)
					s.gpr[RBP] = REGION + 0x800 + (rnd() & 0x1fe);
				snprintf(name, sizeof name, "enter%s level %u #%u", o16 ? "w" : "q",
					 level, k);
				check(name, p, n, &s, ARITH);
			}
		}
	/* LEAVE: RSP := RBP, then pop (2 bytes with 66, keeping RBP[63:16]). */
	for (unsigned o16 = 0; o16 < 2; o16++)
		for (unsigned k = 0; k < 4; k++) {
			static const uint8_t insn[2] = {0x66, 0xc9};
			random_state(&s);
			s.gpr[RBP] = REGION + 0x400 + (rnd() & 0x3fe);
			snprintf(name, sizeof name, "leave%s #%u", o16 ? "w" : "q", k);
			check(name, o16 ? insn : insn + 1, o16 ? 2 : 1, &s, ARITH);
		}
}

/* Flags SHLD/SHRD define: CF, SF, ZF, PF for any non-zero count and OF for a count of 1
 * (AF and, for other counts, OF are undefined and differ between vendors). */
static uint64_t shxd_flags(unsigned count)
{
	return count == 1 ? ARITH & ~AF : ARITH & ~(AF | OF);
}

static void shld_shrd(void)
{
	char name[80];
	state s;
	for (unsigned right = 0; right < 2; right++) {
		const char *mn = right ? "shrd" : "shld";
		uint8_t op_imm = right ? 0xac : 0xa4, op_cl = right ? 0xad : 0xa5;
		/* 16-bit, counts 0..16: imm8 (also with bits 5-7 set, which the count mask
		 * drops) and CL. */
		for (unsigned c = 0; c <= 16; c++)
			for (unsigned k = 0; k < 3; k++) {
				random_state(&s);
				s.gpr[RSP] = rnd();
				uint8_t imm = (uint8_t)(c | (k == 2 ? 0x80 : 0));
				const uint8_t ii[] = {0x66, 0x0f, op_imm, 0xe3, imm}; /* bx, sp */
				snprintf(name, sizeof name, "%sw $%u, %%sp, %%bx", mn, imm);
				check(name, ii, sizeof ii, &s, shxd_flags(c));
				const uint8_t ic[] = {0x66, 0x0f, op_cl, 0xd3}; /* bx, dx, cl */
				s.gpr[RCX] = (rnd() & ~0xffull) | c | (k == 2 ? 0x20 : 0);
				snprintf(name, sizeof name, "%sw %%cl=%u, %%dx, %%bx", mn, c);
				check(name, ic, sizeof ic, &s, shxd_flags(c));
			}
		/* 32 and 64 bits, counts 0..63 by CL. */
		for (unsigned w = 0; w < 2; w++)
			for (unsigned c = 0; c < 64; c++) {
				random_state(&s);
				s.gpr[RCX] = c;
				const uint8_t ic[] = {0x48, 0x0f, op_cl, 0xd3};
				snprintf(name, sizeof name, "%s%s %%cl=%u", mn, w ? "q" : "l", c);
				check(name, w ? ic : ic + 1, w ? 4 : 3, &s, shxd_flags(c & (w ? 63 : 31)));
			}
		/* EVEX: shrdw $c, %sp, %bx, %cx (NDD), {nf} shrdw $c, %sp, %bx, {nf} NDD, and
		 * shrdw %cl, %sp, %bx, %dx; the same for SHLD (opcodes 24/A5). */
		uint8_t eimm = right ? 0x2c : 0x24, ecl = right ? 0xad : 0xa5;
		for (unsigned c = 0; c <= 16; c++)
			for (unsigned k = 0; k < 2; k++) {
				random_state(&s);
				s.gpr[RCX] = c;
				const uint8_t leg[] = {0x66, 0x0f, op_imm, 0xe3, (uint8_t)c};
				const uint8_t legcl[] = {0x66, 0x0f, op_cl, 0xe3};
				const uint8_t ndd[] = {0x62, 0xf4, 0x75, 0x18, eimm, 0xe3, (uint8_t)c};
				const uint8_t nf[] = {0x62, 0xf4, 0x7d, 0x0c, eimm, 0xe3, (uint8_t)c};
				const uint8_t nfndd[] = {0x62, 0xf4, 0x75, 0x1c, eimm, 0xe3, (uint8_t)c};
				const uint8_t nddcl[] = {0x62, 0xf4, 0x6d, 0x18, ecl, 0xe3};
				snprintf(name, sizeof name, "%sw $%u, %%sp, %%bx, %%cx", mn, c);
				check_apx(name, ndd, sizeof ndd, leg, sizeof leg, &s, RBX, RCX, 2,
					  false, shxd_flags(c));
				snprintf(name, sizeof name, "{nf} %sw $%u, %%sp, %%bx", mn, c);
				check_apx(name, nf, sizeof nf, leg, sizeof leg, &s, RBX, -1, 2, true,
					  ARITH);
				snprintf(name, sizeof name, "{nf} %sw $%u, %%sp, %%bx, %%cx", mn, c);
				check_apx(name, nfndd, sizeof nfndd, leg, sizeof leg, &s, RBX, RCX, 2,
					  true, ARITH);
				snprintf(name, sizeof name, "%sw %%cl=%u, %%sp, %%bx, %%dx", mn, c);
				check_apx(name, nddcl, sizeof nddcl, legcl, sizeof legcl, &s, RBX, RDX,
					  2, false, shxd_flags(c));
			}
	}
}

int main(void)
{
	region = mmap((void *)(uintptr_t)REGION, REGION_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	stub = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region != (uint8_t *)(uintptr_t)REGION || stub == MAP_FAILED) {
		printf("cannot map the test region at 0x%llx\n", (unsigned long long)REGION);
		return 1;
	}
	for (unsigned i = 0; i < REGION_SIZE; i++)
		init_mem[i] = (uint8_t)(rnd() >> 32);

	enter_leave();
	shld_shrd();

	printf("%d checks, %d failures\n", checks, failures);
	return failures != 0;
}
