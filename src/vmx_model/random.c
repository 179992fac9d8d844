/* Random differential check of the policies (ae_vmx_random in vmx.h).
 *
 * A program is machine code written here: a prologue (CR4.OSXSAVE, XCR0 = everything the
 * vCPU supports, TSC_DEADLINE armed), a body of random operations and an epilogue (APX on,
 * XSAVE of everything, exit port). The operations: MOV r, imm32; ADD/XOR/MOV r, r over r0-r31
 * (REX2 for r16-r31, only while XCR0.APX is on, never RSP); WRMSRNS imm to TSC_DEADLINE, the
 * x2APIC ICR (fast paths) or TSC_ADJUST (slow path) and RDMSR imm of TSC_DEADLINE or
 * TSC_ADJUST, from or into any register; XSETBV turning APX off and on; XSAVE into a buffer;
 * CPUID; INVD; and syncs where userspace runs KVM_GET_XSAVE2, may change one EGPR in the
 * buffer, and runs KVM_SET_XSAVE. Each program also draws a preemption-timer period, an exit
 * request after fast-path re-entries, and host NMIs.
 *
 * Every program runs under every policy from the same start. The reference's run must fire no
 * invariant; the end state the guest can observe (r0-r31 at the last exit, the XSAVE buffers,
 * the MSRs KVM holds, XCR0, how the run ended) is the golden state the other policies are
 * compared with.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vmx_internal.h"

enum { RND_MAXCODE = 8192, RND_MAXSYNC = 16, RND_BUF = 0x40000, RND_BUFLEN = 0x3000 };

typedef struct rnd {
	uint64_t s;
} rnd;

static uint64_t next(rnd *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned below(rnd *r, unsigned n)
{
	return (unsigned)(next(r) % n);
}

typedef struct prog {
	uint8_t code[RND_MAXCODE];
	size_t len;
	unsigned nsync;
	struct {
		int egpr; /* -1: plain round trip; else the EGPR userspace changes */
		uint64_t value;
	} sync[RND_MAXSYNC];
	uint64_t preempt, nmi;
	bool exit_request;
} prog;

static void b(prog *p, unsigned n, ...)
{
	va_list ap;
	va_start(ap, n);
	for (unsigned i = 0; i < n; i++)
		p->code[p->len++] = (uint8_t)va_arg(ap, int);
	va_end(ap);
}

static void imm32(prog *p, uint32_t v)
{
	memcpy(p->code + p->len, &v, 4);
	p->len += 4;
}

/* A REX (r < 16) or REX2 (any) prefix with W=1, reg in ModRM.reg, rm in ModRM.rm. */
static void rexw(prog *p, unsigned reg, unsigned rm)
{
	if (reg < 16 && rm < 16)
		b(p, 1, 0x48 | (reg >> 3 & 1) << 2 | (rm >> 3 & 1));
	else
		b(p, 2, 0xd5, (reg >> 4 & 1) << 6 | (rm >> 4 & 1) << 4 | 8 | (reg >> 3 & 1) << 2 | (rm >> 3 & 1));
}

static void mov_imm(prog *p, unsigned r, uint32_t v) /* mov r64, simm32 */
{
	rexw(p, 0, r);
	b(p, 2, 0xc7, 0xc0 | (r & 7));
	imm32(p, v);
}

static void alu(prog *p, uint8_t op, unsigned dst, unsigned src) /* op r/m64, r64 */
{
	rexw(p, src, dst);
	b(p, 2, op, 0xc0 | (src & 7) << 3 | (dst & 7));
}

static void msr_imm(prog *p, bool wr, unsigned r, uint32_t msr)
{
	b(p, 6, 0x62, 0xc7 | ((r >> 3 & 1) ^ 1) << 5 | 0x10 | (r >> 4 & 1) << 3, wr ? 0x7e : 0x7f, 0x08, 0xf6,
	  0xc0 | (r & 7));
	imm32(p, msr);
}

static void xsetbv_lo(prog *p, uint32_t lo) /* EAX=lo EDX=0 ECX=0 XSETBV */
{
	b(p, 1, 0xb8);
	imm32(p, lo);
	b(p, 8, 0x31, 0xd2, 0x31, 0xc9, 0x0f, 0x01, 0xd1, 0x90);
}

static void xsave_at(prog *p, uint32_t addr) /* RDI=addr EAX=EDX=-1 XSAVE64 [RDI] */
{
	b(p, 1, 0xbf);
	imm32(p, addr);
	b(p, 10, 0x83, 0xc8, 0xff, 0x83, 0xca, 0xff, 0x48, 0x0f, 0xae, 0x27);
}

static unsigned pick_reg(rnd *r, bool apx)
{
	unsigned n;
	do
		n = below(r, apx ? 32 : 16);
	while (n == 4);
	return n;
}

static void gen(rnd *r, prog *p, uint64_t xcr0_full)
{
	memset(p, 0, sizeof *p);
	/* mov %cr4,%rax; or $0x40000,%rax; mov %rax,%cr4 */
	b(p, 3, 0x0f, 0x20, 0xe0);
	b(p, 2, 0x48, 0x0d);
	imm32(p, 0x40000);
	b(p, 3, 0x0f, 0x22, 0xe0);
	xsetbv_lo(p, (uint32_t)xcr0_full);
	/* arm TSC_DEADLINE so that the guest's HLT-free loop sees a timer */
	b(p, 1, 0xb9);
	imm32(p, MSR_TSC_DEADLINE);
	b(p, 1, 0xb8);
	imm32(p, 0x1000);
	b(p, 4, 0x31, 0xd2, 0x0f, 0x30);
	bool apx = (xcr0_full & XF_APX) != 0;
	unsigned nops = 30 + below(r, 50);
	for (unsigned i = 0; i < nops && p->len + 64 < RND_MAXCODE; i++) {
		unsigned k = below(r, 100);
		if (k < 25) {
			mov_imm(p, pick_reg(r, apx), (uint32_t)next(r));
		} else if (k < 45) {
			static const uint8_t ops[] = {0x01, 0x31, 0x89};
			alu(p, ops[below(r, 3)], pick_reg(r, apx), pick_reg(r, apx));
		} else if (k < 60 && apx) {
			static const uint32_t wm[] = {MSR_TSC_DEADLINE, MSR_X2APIC_ICR, MSR_TSC_ADJUST};
			msr_imm(p, true, below(r, 32), wm[below(r, 3)]);
		} else if (k < 67 && apx) {
			static const uint32_t rm[] = {MSR_TSC_DEADLINE, MSR_TSC_ADJUST};
			msr_imm(p, false, pick_reg(r, true), rm[below(r, 2)]);
		} else if (k < 75 && (xcr0_full & XF_APX)) {
			apx = !apx;
			xsetbv_lo(p, (uint32_t)(apx ? xcr0_full : xcr0_full & ~XF_APX));
		} else if (k < 80) {
			xsave_at(p, RND_BUF + 0x1000 * below(r, 2));
		} else if (k < 85) {
			b(p, 1, 0xb8);
			imm32(p, below(r, 2) ? 0xd : 7);
			b(p, 4, 0x31, 0xc9, 0x0f, 0xa2);
		} else if (k < 90) {
			b(p, 2, 0x0f, 0x08); /* INVD */
		} else if (k < 95 && p->nsync < RND_MAXSYNC) {
			unsigned s = p->nsync++;
			p->sync[s].egpr = below(r, 2) ? (int)(16 + below(r, 16)) : -1;
			p->sync[s].value = next(r);
			b(p, 1, 0xb8);
			imm32(p, s);
			b(p, 2, 0xe7, 0xe1); /* out %eax, $0xe1 */
		}
	}
	if (xcr0_full & XF_APX)
		xsetbv_lo(p, (uint32_t)xcr0_full);
	xsave_at(p, RND_BUF + 0x2000);
	b(p, 3, 0x31, 0xc0, 0xe7);
	b(p, 1, 0xe0); /* xor %eax,%eax; out %eax,$0xe0 */
	unsigned t = below(r, 4);
	p->preempt = t == 0 ? 0 : t == 1 ? 3 + below(r, 5) : 10 + below(r, 40);
	p->exit_request = below(r, 3) == 0;
	p->nmi = below(r, 4) == 0 ? 5 + below(r, 20) : 0;
}

typedef struct endstate {
	uint64_t G[32], deadline, icr, adjust, xcr0, code;
	unsigned ipis, reason;
	uint8_t buf[RND_BUFLEN];
} endstate;

/* Runs one program under one policy; fills the report and the end state. */
static int run_prog(const prog *p, const vmx_policy *pol, ae_vmx_report *rep, endstate *es)
{
	memset(rep, 0, sizeof *rep);
	memset(es, 0, sizeof *es);
	vmx_m *m = calloc(1, sizeof *m);
	if (!m)
		return -1;
	m->pol = pol;
	m->rep = rep;
	m->max_insns = 200000;
	int rc = -1;
	if (vmx_hw_init(m, "apx", false))
		goto out;
	vmx_hw_build_paging(m);
	if (ae_mem_write(m->hw.cpu, GUEST_LOAD, p->code, p->len, 0))
		goto out;
	vmx_kvm_init(m);
	m->hw.vmcs.preempt_budget = p->preempt;
	m->hw.nmi_every = m->hw.nmi_budget = p->nmi;
	m->v.exit_request = p->exit_request;
	vmx_step(m, "vCPU created");
	vmx_kvm_set_cpuid(m, true, true);
	static uint8_t xs[AE_XS_KVM_MIN];
	vmx_run_reason r;
	for (;;) {
		r = vmx_kvm_run(m);
		if (r == RUN_IO)
			continue;
		if (r != RUN_SYNC)
			break;
		unsigned s = (unsigned)m->exit_code;
		memset(xs, 0, sizeof xs);
		vmx_kvm_get_xsave(m, xs, sizeof xs);
		if (s < p->nsync && p->sync[s].egpr >= 0) {
			uint64_t v = p->sync[s].value, bv;
			memcpy(xs + 960 + (p->sync[s].egpr - 16) * 8, &v, 8);
			memcpy(&bv, xs + 512, 8);
			bv |= XF_APX;
			memcpy(xs + 512, &bv, 8);
		}
		vmx_kvm_set_xsave(m, xs, sizeof xs);
	}
	rep->steps = m->nsteps;
	rep->exits = m->v.stat_exits;
	rep->fast_exits = m->v.fast_exits;
	rep->guest_insns = m->hw.total_insns;
	size_t k = 0;
	for (size_t i = 0; i < rep->nviol && k + 4 < sizeof rep->verdict; i++)
		k += (size_t)snprintf(rep->verdict + k, sizeof rep->verdict - k, "%s%s", i ? "," : "",
				      rep->viol[i].inv);
	memcpy(es->G, m->G, sizeof es->G);
	es->deadline = m->v.tsc_deadline;
	es->icr = m->v.icr_last;
	es->adjust = m->v.tsc_adjust;
	es->ipis = m->v.ipis;
	es->xcr0 = m->v.xcr0;
	es->code = m->exit_code;
	es->reason = r;
	ae_mem_read(m->hw.cpu, RND_BUF, es->buf, sizeof es->buf, 0);
	rc = 0;
out:
	vmx_hw_free(m);
	free(m);
	return rc;
}

static const char *diff_what(const endstate *a, const endstate *b)
{
	if (a->reason != b->reason || a->code != b->code)
		return "how the run ended";
	for (unsigned r = 0; r < 32; r++)
		if (a->G[r] != b->G[r])
			return r < 16 ? "r0-r15" : "r16-r31";
	if (a->deadline != b->deadline || a->icr != b->icr || a->ipis != b->ipis || a->adjust != b->adjust)
		return "MSR values";
	if (a->xcr0 != b->xcr0)
		return "XCR0";
	if (memcmp(a->buf, b->buf, sizeof a->buf))
		return "XSAVE buffers";
	return NULL;
}

int ae_vmx_random(unsigned long long seed, unsigned count, FILE *out, int verbose, unsigned *caught)
{
	size_t np = 0;
	while (vmx_policy_at(np))
		np++;
	unsigned *fired = calloc(np, sizeof *fired), *diverged = calloc(np, sizeof *diverged);
	unsigned *silent = calloc(np, sizeof *silent);
	unsigned(*inv)[32] = calloc(np, sizeof *inv);
	static const char *const names[] = {"E1", "E2", "E3", "E4", "E6", "X1", "X2", "X3", "X4", "X5", "X6", "D1",
					    "D2", "A1", "A4", "A5", "V1", "V3", "V4", "F2", "F3", "U1", "G"};
	enum { NINV = sizeof names / sizeof names[0] };
	prog *p = malloc(sizeof *p);
	ae_vmx_report *rep = malloc(sizeof *rep);
	endstate *gold = malloc(sizeof *gold), *es = malloc(sizeof *es);
	int status = 0;
	if (!fired || !diverged || !silent || !inv || !p || !rep || !gold || !es) {
		status = 1;
		goto out;
	}
	rnd r = {seed};
	const vmx_policy *ref = vmx_policy_find("v4-asm");
	uint64_t full = 0;
	{
		/* what the programs enable: the supported XCR0 of the default vCPU */
		vmx_m *m = calloc(1, sizeof *m);
		ae_vmx_report tmp;
		if (!m) {
			status = 1;
			goto out;
		}
		m->pol = ref;
		m->rep = &tmp;
		memset(&tmp, 0, sizeof tmp);
		if (!vmx_hw_init(m, "apx", false)) {
			vmx_kvm_init(m);
			full = m->supported_xcr0 & ~XF_MPX & ~XF_XTILE;
		}
		vmx_hw_free(m);
		free(m);
	}
	unsigned long long exits = 0;
	for (unsigned i = 0; i < count; i++) {
		gen(&r, p, full);
		if (run_prog(p, ref, rep, gold)) {
			status = 1;
			goto out;
		}
		exits += rep->exits;
		if (rep->nviol || gold->reason != RUN_EXIT || gold->code) {
			status = 1;
			fprintf(out, "program %u: the reference gives %s, ended %u/%llu\n", i, rep->nviol ? rep->verdict : "pass",
				gold->reason, (unsigned long long)gold->code);
			for (size_t v = 0; v < rep->nviol; v++)
				fprintf(out, "    %s at %s: %s\n", rep->viol[v].inv, rep->viol[v].step, rep->viol[v].text);
		}
		for (size_t k = 1; k < np; k++) {
			if (run_prog(p, vmx_policy_at(k), rep, es)) {
				status = 1;
				goto out;
			}
			const char *d = diff_what(gold, es);
			fired[k] += rep->nviol > 0;
			diverged[k] += d != NULL;
			silent[k] += d != NULL && !rep->nviol;
			for (size_t v = 0; v < rep->nviol; v++)
				for (unsigned n = 0; n < NINV; n++)
					if (!strcmp(rep->viol[v].inv, names[n]))
						inv[k][n]++;
			if (verbose && (rep->nviol || d))
				fprintf(out, "program %u %-26s %-16s%s%s\n", i, vmx_policy_at(k)->name, rep->nviol ? rep->verdict : "pass",
					d ? " guest-visible difference: " : "", d ? d : "");
		}
	}
	fprintf(out, "%u random programs from seed %llu (%llu exits under the reference, which %s)\n\n", count, seed, exits,
		status ? "FAILS" : "passes every program");
	fprintf(out, "%-26s %7s %9s %6s  invariants (programs)\n", "policy", "caught", "diverged", "silent");
	for (size_t k = 1; k < np; k++) {
		fprintf(out, "%-26s %3u/%-3u %5u/%-3u %4u  ", vmx_policy_at(k)->name, fired[k], count, diverged[k], count,
			silent[k]);
		if (silent[k])
			status = 1;
		for (unsigned n = 0; n < NINV; n++)
			if (inv[k][n])
				fprintf(out, " %s:%u", names[n], inv[k][n]);
		fputc('\n', out);
		if (caught)
			caught[k] = fired[k];
	}
	fprintf(out, "\ncaught: an invariant fired; diverged: the guest-visible end state differs from the reference's;\n"
		     "silent: diverged with no invariant fired (a hole in the checker: the check fails).\n"
		     "Policies the programs cannot reach (uAPI, SVM, pre-APX hosts, VM-Fail, single-step) stay at 0 here;\n"
		     "the scenarios cover them.\n");
out:
	free(fired);
	free(diverged);
	free(silent);
	free(inv);
	free(p);
	free(rep);
	free(gold);
	free(es);
	return status;
}
