/* APX semantics, one instruction at a time: NDD zeroing, NF, ZU, CFCMOV (no access when the
 * condition is false), NDD CMOV, CCMP/CTEST default flags, PUSH2/POP2 and their alignment
 * rule, JMPABS. Encodings from llvm-mc-19; semantics from spec/apx-isa.md 2.6-2.9, 1.5. */
#include <stdio.h>
#include <string.h>

#include "apxemu/decoder.h"
#include "apxemu/exec.h"

enum { CODE = 0x10000, DATA = 0x20000, STACK_TOP = 0x31000 };
enum { RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4 };

static int failures, checks;

static void expect(const char *name, const char *what, uint64_t got, uint64_t want)
{
	checks++;
	if (got != want) {
		failures++;
		printf("FAIL %s: %s = 0x%llx, expected 0x%llx\n", name, what,
		       (unsigned long long)got, (unsigned long long)want);
	}
}

static ae_cpu *setup(const uint8_t *code, size_t n, uint64_t rflags)
{
	ae_cpu *cpu = ae_cpu_new(NULL);
	ae_mem_map(cpu, CODE, 4096, AE_PROT_R | AE_PROT_X);
	ae_mem_map(cpu, DATA, 4096, AE_PROT_R | AE_PROT_W);
	ae_mem_map(cpu, STACK_TOP - 4096, 4096, AE_PROT_R | AE_PROT_W);
	ae_mem_write(cpu, CODE, code, n, 0);
	ae_cpu_set(cpu, AE_R_RIP, CODE);
	ae_cpu_set(cpu, AE_R_GPR + RSP, STACK_TOP);
	ae_cpu_set_rflags(cpu, rflags);
	return cpu;
}

static uint64_t mem64(ae_cpu *cpu, uint64_t a)
{
	uint64_t v = 0;
	ae_mem_read(cpu, a, &v, 8, 0);
	return v;
}

#define CODE_OF(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
#define R(r) ae_cpu_get(cpu, AE_R_GPR + (r))
#define SET(r, v) ae_cpu_set(cpu, AE_R_GPR + (r), (v))

static void step(ae_cpu *cpu, const char *name, ae_exit want)
{
	ae_exit e = ae_cpu_run(cpu, 1);
	expect(name, "exit", e, want);
}

int main(void)
{
	ae_cpu *cpu;
	const uint64_t F = 0x202, CF = 1, PF = 4, ZF = 0x40, SF = 0x80, OF = 0x800;

	/* addb %bl, %al, %cl: the 8-bit NDD result zero-extends into rcx. */
	cpu = setup(CODE_OF(0x62, 0xf4, 0x74, 0x18, 0x00, 0xd8), F);
	SET(RAX, 0xaaaaaaaaaaaaaa80), SET(RBX, 0xbbbbbbbbbbbbbb90), SET(RCX, ~0ull);
	step(cpu, "ndd add8", AE_EXIT_LIMIT);
	expect("ndd add8", "rcx", R(RCX), 0x10);
	expect("ndd add8", "flags", ae_cpu_rflags(cpu) & (CF | OF | ZF | SF), CF | OF);
	expect("ndd add8", "rip", ae_cpu_get(cpu, AE_R_RIP), CODE + 6);
	ae_cpu_free(cpu);

	/* {nf} addb %bl, %al, %cl: same result, flags untouched. */
	cpu = setup(CODE_OF(0x62, 0xf4, 0x74, 0x1c, 0x00, 0xd8), F | ZF | PF);
	SET(RAX, 0x80), SET(RBX, 0x90), SET(RCX, ~0ull);
	step(cpu, "nf add8", AE_EXIT_LIMIT);
	expect("nf add8", "rcx", R(RCX), 0x10);
	expect("nf add8", "rflags", ae_cpu_rflags(cpu), F | ZF | PF);
	ae_cpu_free(cpu);

	/* cfcmovbq (%rax), %rbx with CF=0: rbx := 0 and no access to the unmapped address. */
	cpu = setup(CODE_OF(0x62, 0xf4, 0xfc, 0x08, 0x42, 0x18), F);
	SET(RAX, 0x999000), SET(RBX, 0x1234);
	step(cpu, "cfcmov load false", AE_EXIT_LIMIT);
	expect("cfcmov load false", "rbx", R(RBX), 0);
	ae_cpu_free(cpu);
	cpu = setup(CODE_OF(0x62, 0xf4, 0xfc, 0x08, 0x42, 0x18), F | CF);
	uint64_t v = 0x5555;
	ae_mem_write(cpu, DATA, &v, 8, 0);
	SET(RAX, DATA), SET(RBX, 0x1234);
	step(cpu, "cfcmov load true", AE_EXIT_LIMIT);
	expect("cfcmov load true", "rbx", R(RBX), 0x5555);
	ae_cpu_free(cpu);

	/* cfcmovbq %rbx, (%rax) with CF=0 to an unmapped address: no fault. */
	cpu = setup(CODE_OF(0x62, 0xf4, 0xfc, 0x0c, 0x42, 0x18), F);
	SET(RAX, 0x999000), SET(RBX, 7);
	step(cpu, "cfcmov store false", AE_EXIT_LIMIT);
	ae_cpu_free(cpu);
	cpu = setup(CODE_OF(0x62, 0xf4, 0xfc, 0x0c, 0x42, 0x18), F | CF);
	SET(RAX, 0x999000), SET(RBX, 7);
	step(cpu, "cfcmov store true", AE_EXIT_FAULT);
	expect("cfcmov store true", "vector", ae_cpu_fault(cpu)->vector, AE_EXC_PF);
	expect("cfcmov store true", "cr2", ae_cpu_fault(cpu)->addr, 0x999000);
	ae_cpu_free(cpu);

	/* setzub %al: the whole register. */
	cpu = setup(CODE_OF(0x62, 0xf4, 0x7f, 0x18, 0x42, 0xc0), F | CF);
	SET(RAX, ~0ull);
	step(cpu, "setzub", AE_EXIT_LIMIT);
	expect("setzub", "rax", R(RAX), 1);
	ae_cpu_free(cpu);

	/* imulzuw $5, %ax, %bx */
	cpu = setup(CODE_OF(0x62, 0xf4, 0x7d, 0x18, 0x6b, 0xd8, 0x05), F);
	SET(RAX, 0xffff0003), SET(RBX, ~0ull);
	step(cpu, "imulzu", AE_EXIT_LIMIT);
	expect("imulzu", "rbx", R(RBX), 15);
	ae_cpu_free(cpu);

	/* push2 %rax, %rbx then pop2 %rbx, %rax; then push2 with RSP = 8 mod 16: #GP. */
	cpu = setup(CODE_OF(0x62, 0xf4, 0x64, 0x18, 0xff, 0xf0, 0x62, 0xf4, 0x7c, 0x18, 0x8f, 0xc3),
		    F);
	SET(RAX, 1), SET(RBX, 2);
	step(cpu, "push2", AE_EXIT_LIMIT);
	expect("push2", "rsp", R(RSP), STACK_TOP - 16);
	expect("push2", "[rsp+8]", mem64(cpu, STACK_TOP - 8), 2);
	expect("push2", "[rsp]", mem64(cpu, STACK_TOP - 16), 1);
	SET(RAX, 0), SET(RBX, 0);
	step(cpu, "pop2", AE_EXIT_LIMIT);
	expect("pop2", "rax", R(RAX), 1);
	expect("pop2", "rbx", R(RBX), 2);
	expect("pop2", "rsp", R(RSP), STACK_TOP);
	ae_cpu_free(cpu);
	cpu = setup(CODE_OF(0x62, 0xf4, 0x64, 0x18, 0xff, 0xf0), F);
	SET(RSP, STACK_TOP - 8);
	step(cpu, "push2 misaligned", AE_EXIT_FAULT);
	expect("push2 misaligned", "vector", ae_cpu_fault(cpu)->vector, AE_EXC_GP);
	expect("push2 misaligned", "rsp", R(RSP), STACK_TOP - 8);
	expect("push2 misaligned", "rip", ae_cpu_get(cpu, AE_R_RIP), CODE);
	ae_cpu_free(cpu);

	/* jmpabs $0x1000 */
	cpu = setup(CODE_OF(0xd5, 0x00, 0xa1, 0x00, 0x10, 0, 0, 0, 0, 0, 0), F);
	step(cpu, "jmpabs", AE_EXIT_LIMIT);
	expect("jmpabs", "rip", ae_cpu_get(cpu, AE_R_RIP), 0x1000);
	ae_cpu_free(cpu);

	/* ccmpbq {dfv=of,cf} %rcx, %rdx: false -> OF, CF and PF (= CF); true -> a compare. */
	cpu = setup(CODE_OF(0x62, 0xf4, 0xcc, 0x02, 0x39, 0xca), F | ZF | SF);
	SET(RCX, 5), SET(RDX, 5);
	step(cpu, "ccmp false", AE_EXIT_LIMIT);
	expect("ccmp false", "rflags", ae_cpu_rflags(cpu), F | OF | CF | PF);
	ae_cpu_free(cpu);
	cpu = setup(CODE_OF(0x62, 0xf4, 0xcc, 0x02, 0x39, 0xca), F | CF);
	SET(RCX, 5), SET(RDX, 5);
	step(cpu, "ccmp true", AE_EXIT_LIMIT);
	expect("ccmp true", "rflags", ae_cpu_rflags(cpu) & (OF | SF | ZF | CF), ZF);
	ae_cpu_free(cpu);

	/* ctesteb {dfv=zf} $5, %al with ZF=0: the default flags. */
	cpu = setup(CODE_OF(0x62, 0xf4, 0x14, 0x04, 0xf6, 0xc0, 0x05), F | CF | SF);
	SET(RAX, 0);
	step(cpu, "ctest false", AE_EXIT_LIMIT);
	expect("ctest false", "rflags", ae_cpu_rflags(cpu), F | ZF);
	ae_cpu_free(cpu);

	/* cmovbq %rcx, %rbx, %rax: rax := CF ? rcx : rbx. */
	cpu = setup(CODE_OF(0x62, 0xf4, 0xfc, 0x18, 0x42, 0xd9), F | CF);
	SET(RCX, 11), SET(RBX, 22);
	step(cpu, "ndd cmov", AE_EXIT_LIMIT);
	expect("ndd cmov", "rax", R(RAX), 11);
	ae_cpu_free(cpu);

	printf("%d checks, %d failures\n", checks, failures);
	return failures != 0;
}
