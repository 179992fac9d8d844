/* The lockstep engine: blobs stepped in apxemu and Unicorn, each step also run by the host.
 *
 * Verdict of one step (see df.h): the reference is the host when it ran the step, else
 * Unicorn. apxemu against the reference decides a divergence; Unicorn against the host is
 * Unicorn's disagreement, counted by form with its first example. Flags that the table marks
 * undefined for the form are masked, and afterwards Unicorn takes apxemu's values of them so
 * that the next instruction starts from one state. After a fault, both skip the instruction.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ae_gen.h"
#include "apxemu/decoder.h"
#include "apxemu/exec.h"
#include "apxemu/exec_access.h"
#include "df.h"

/* Unicorn's disagreements with the host by kind. */
enum { UK_MXCSR, UK_ALIGN, UK_UNSUP, UK_OTHER, UK__N };
static const char *const uk_names[UK__N] = {"MXCSR exception flags not set",
					    "no #GP for a misaligned SSE operand",
					    "not implemented (#UD)", "other"};
typedef struct ucnote {
	uint64_t count[UK__N];
	char example[UK__N][512];
} ucnote;

typedef struct sess {
	const df_opts *o;
	ae_cpu *cpu;
	df_uc *uc;
	df_host *host;
	df_blob *blob;
	int32_t *item_at;
	df_state cur, pre;
	df_outcome oa, ou, oh;
	/* statistics */
	uint64_t compared, drawn, setup, faults, host_runs, unicorn_runs, divergences;
	uint64_t uc_disagree, uc_kind[UK__N], known_mxcsr, known_control, known_form, known_mmx;
	uint64_t host_vendor;
	uint64_t *by_form, *div_by_form;
	ucnote *ucn;
	unsigned reported;
	uint64_t blob_no;
} sess;

void df_opts_default(df_opts *o)
{
	memset(o, 0, sizeof *o);
	o->count = 100000;
	o->seed = 1;
	o->host = true;
	o->unicorn = true;
	o->chunk = 2000;
	o->max_report = 5;
	o->out = stdout;
}

static void silent_log(void *opaque, const char *line)
{
	(void)opaque, (void)line;
}

/* Full x87 tags from the abridged byte and the register contents (SDM Vol. 1 8.1.7). */
static uint16_t full_tags(const df_state *st)
{
	uint16_t t = 0;
	for (unsigned i = 0; i < 8; i++) {
		unsigned tag = 3;
		if (st->ftw >> i & 1) {
			uint64_t m;
			uint16_t e;
			memcpy(&m, st->st[i], 8);
			memcpy(&e, st->st[i] + 8, 2);
			e &= 0x7fff;
			if (e == 0 && m == 0)
				tag = 1;
			else if (e == 0x7fff || e == 0 || !(m >> 63))
				tag = 2;
			else
				tag = 0;
		}
		t |= (uint16_t)(tag << (2 * i));
	}
	return t;
}

static void read_a(ae_cpu *cpu, df_state *st)
{
	for (unsigned i = 0; i < 32; i++)
		st->gpr[i] = ae_cpu_get(cpu, AE_R_GPR + i);
	st->rip = ae_cpu_get(cpu, AE_R_RIP);
	st->rflags = ae_cpu_rflags(cpu);
	st->mxcsr = ae_cpu_mxcsr(cpu);
	for (unsigned i = 0; i < 16; i++) {
		ae_cpu_get_xmm(cpu, i, st->xmm[i]);
		ae_cpu_get_ymmh(cpu, i, st->ymmh[i]);
	}
	ae_x87_state x;
	ae_cpu_get_x87(cpu, &x);
	st->fcw = x.fcw;
	st->fsw = x.fsw;
	st->ftw = 0;
	for (unsigned i = 0; i < 8; i++)
		if ((x.ftw >> (2 * i) & 3) != 3)
			st->ftw |= (uint8_t)(1u << i);
	memcpy(st->st, x.st, sizeof st->st);
	ae_mem_read(cpu, DF_DATA_BASE, st->mem, DF_DATA_SIZE, 0);
}

static void write_a(ae_cpu *cpu, const df_state *st)
{
	for (unsigned i = 0; i < 32; i++)
		ae_cpu_set(cpu, AE_R_GPR + i, st->gpr[i]);
	ae_cpu_set(cpu, AE_R_RIP, st->rip);
	ae_cpu_set(cpu, AE_R_ES + 4, DF_FS_BASE);
	ae_cpu_set(cpu, AE_R_ES + 5, DF_GS_BASE);
	ae_cpu_set_rflags(cpu, st->rflags);
	ae_cpu_set_mxcsr(cpu, st->mxcsr);
	for (unsigned i = 0; i < 16; i++) {
		ae_cpu_set_xmm(cpu, i, st->xmm[i]);
		ae_cpu_set_ymmh(cpu, i, st->ymmh[i]);
	}
	ae_x87_state x = {.fcw = st->fcw, .fsw = st->fsw, .ftw = full_tags(st)};
	memcpy(x.st, st->st, sizeof x.st);
	ae_cpu_set_x87(cpu, &x);
	ae_mem_write(cpu, DF_DATA_BASE, st->mem, DF_DATA_SIZE, 0);
}

static int load(sess *s, const df_state *init)
{
	if (s->cpu)
		ae_cpu_free(s->cpu);
	s->cpu = ae_cpu_new(NULL);
	if (!s->cpu)
		return -1;
	ae_cpu_set_log(s->cpu, silent_log, NULL);
	if (ae_mem_map(s->cpu, DF_CODE_BASE, DF_CODE_SIZE, AE_PROT_R | AE_PROT_X) ||
	    ae_mem_map(s->cpu, DF_DATA_BASE, DF_DATA_SIZE, AE_PROT_R | AE_PROT_W) ||
	    ae_mem_write(s->cpu, DF_CODE_BASE, s->blob->code, s->blob->len, 0))
		return -1;
	write_a(s->cpu, init);
	read_a(s->cpu, &s->cur);
	if (s->uc && df_uc_load(s->uc, s->blob->code, s->blob->len, &s->cur))
		return -1;
	memset(s->item_at, 0xff, DF_CODE_SIZE * sizeof *s->item_at);
	for (size_t i = 0; i < s->blob->nitems; i++)
		s->item_at[s->blob->items[i].off] = (int32_t)i;
	return 0;
}

static bool same(const df_outcome *a, const df_outcome *b, uint64_t mask)
{
	char buf[8];
	if (a->vector != b->vector)
		return false;
	if (a->vector >= 0)
		return true;
	return df_state_diff(&a->st, &b->st, mask, 16, buf, sizeof buf) == 0;
}

static void insn_text(const uint8_t *p, unsigned n, uint64_t addr, char *buf, size_t len)
{
	ae_decode_ctx ctx;
	ae_decode_ctx_default(&ctx);
	ae_insn in;
	size_t k = 0;
	for (unsigned i = 0; i < n && k + 4 < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%02x ", p[i]);
	if (ae_decode(&ctx, p, n, &in) == AE_OK) {
		snprintf(buf + k, len - k, " ");
		ae_format(&in, AE_SYNTAX_ATT, AE_FMT_ABS_BRANCH, addr, buf + k + 1, len - k - 1);
	}
}

static const char *vec_name(int v)
{
	static const char *const n[] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
					"#DF", "9",   "#TS", "#NP", "#SS", "#GP", "#PF", "15",
					"#MF", "#AC", "#MC", "#XM"};
	if (v < 0)
		return "completed";
	return v < 20 ? n[v] : "?";
}

static void report(sess *s, const df_item *it, uint64_t mask, const df_outcome *ref,
		   const char *refname)
{
	FILE *f = s->o->out;
	const uint8_t *code = s->blob->code + it->off;
	uint64_t addr = DF_CODE_BASE + it->off;
	char text[160], diff[512];
	insn_text(code, it->len, addr, text, sizeof text);
	s->divergences++;
	s->div_by_form[it->form]++;
	if (s->reported >= s->o->max_report)
		return;
	s->reported++;
	if (s->oa.vector != ref->vector)
		snprintf(diff, sizeof diff, " apxemu %s, %s %s", vec_name(s->oa.vector), refname,
			 vec_name(ref->vector));
	else
		df_state_diff(&ref->st, &s->oa.st, mask, 16, diff, sizeof diff);
	fprintf(f, "DIVERGENCE (blob %" PRIu64 ", form %u %s) at %#" PRIx64 ": %s\n  differs:%s\n",
		s->blob_no, it->form, ae_form_mnemonic(it->form), addr, text, diff);
	df_state_print(f, "before", &s->pre, NULL, mask);
	df_state_print(f, "apxemu", &s->oa.st, &s->pre, mask);
	df_state_print(f, refname, &ref->st, &s->pre, mask);
	if (ref != &s->ou && s->ou.ran && !same(&s->ou, ref, mask))
		df_state_print(f, "unicorn", &s->ou.st, &s->pre, mask);
	char path[512];
	snprintf(path, sizeof path, "%s/diff-%" PRIx64 "-%u.repro",
		 s->o->repro_dir ? s->o->repro_dir : ".", s->o->seed, s->reported);
	char comment[300];
	snprintf(comment, sizeof comment, "%.100s: apxemu differs from %s in%.150s", text, refname,
		 diff);
	/* The instruction alone at its address, with the state before it. */
	if (!df_repro_write(path, code, it->len, &s->pre, comment))
		fprintf(f, "  reproducer: %s\n", path);
}

/* Only the MXCSR status bits differ. */
static bool only_mxcsr_flags(const df_outcome *a, const df_outcome *b, uint64_t mask)
{
	char buf[16];
	return a->vector == b->vector && a->vector < 0 && a->st.mxcsr != b->st.mxcsr &&
	       !((a->st.mxcsr ^ b->st.mxcsr) & ~0x3fu) &&
	       df_state_diff(&a->st, &b->st, mask, 16, buf, sizeof buf) == 1;
}

static void note_unicorn(sess *s, const df_item *it, uint64_t mask)
{
	char text[160], diff[400];
	unsigned kind = UK_OTHER;
	if (s->ou.vector == 6 && s->oh.vector != 6)
		kind = UK_UNSUP;
	else if (s->ou.vector < 0 && s->oh.vector == 13 && s->pre.mxcsr == 0x1f80)
		kind = UK_ALIGN;
	else if (only_mxcsr_flags(&s->ou, &s->oh, mask))
		kind = UK_MXCSR;
	s->uc_disagree++;
	s->uc_kind[kind]++;
	ucnote *n = &s->ucn[it->form];
	if (n->count[kind]++)
		return;
	insn_text(s->blob->code + it->off, it->len, DF_CODE_BASE + it->off, text, sizeof text);
	if (s->ou.vector != s->oh.vector)
		snprintf(diff, sizeof diff, "unicorn %s, host %s", vec_name(s->ou.vector),
			 vec_name(s->oh.vector));
	else {
		char d[300];
		df_state_diff(&s->oh.st, &s->ou.st, mask, 16, d, sizeof d);
		size_t k = (size_t)snprintf(diff, sizeof diff, "differs in%s;", d);
		for (unsigned i = 0; i < 16 && k < sizeof diff; i++)
			if (s->ou.st.gpr[i] != s->oh.st.gpr[i]) {
				k += (size_t)snprintf(diff + k, sizeof diff - k,
						      " gpr%u: host %#" PRIx64 " unicorn %#" PRIx64
						      " (before %#" PRIx64 ")",
						      i, s->oh.st.gpr[i], s->ou.st.gpr[i],
						      s->pre.gpr[i]);
				break;
			}
		if (k < sizeof diff && ((s->ou.st.rflags ^ s->oh.st.rflags) & mask))
			k += (size_t)snprintf(diff + k, sizeof diff - k,
					      " rflags: host %#" PRIx64 " unicorn %#" PRIx64
					      " (before %#" PRIx64 ")",
					      s->oh.st.rflags & DF_FLAGS_CMP,
					      s->ou.st.rflags & DF_FLAGS_CMP,
					      s->pre.rflags & DF_FLAGS_CMP);
		if (k < sizeof diff && s->ou.st.mxcsr != s->oh.st.mxcsr)
			k += (size_t)snprintf(diff + k, sizeof diff - k,
					      " mxcsr: host %#x unicorn %#x", s->oh.st.mxcsr,
					      s->ou.st.mxcsr);
		for (unsigned i = 0; i < 16 && k < sizeof diff; i++)
			if (memcmp(s->ou.st.xmm[i], s->oh.st.xmm[i], 16)) {
				uint64_t h[2], u[2], b[2];
				memcpy(h, s->oh.st.xmm[i], 16);
				memcpy(u, s->ou.st.xmm[i], 16);
				memcpy(b, s->pre.xmm[i], 16);
				k += (size_t)snprintf(diff + k, sizeof diff - k,
						      " xmm%u: host %016" PRIx64 "%016" PRIx64
						      " unicorn %016" PRIx64 "%016" PRIx64,
						      i, h[1], h[0], u[1], u[0]);
				break;
			}
	}
	snprintf(n->example[kind], sizeof n->example[kind], "%.100s: %.300s", text, diff);
}

/* The bytes Unicorn may translate for this step: the instruction and those at its
 * terminators (df_uc.c). */
static void uc_code(sess *s, const df_item *it)
{
	df_uc_write_code(s->uc, DF_CODE_BASE + it->off, s->blob->code + it->off, it->len);
	for (unsigned i = 0; i < it->nterm; i++) {
		uint64_t t = it->term[i];
		if (t < DF_CODE_BASE || t >= DF_CODE_BASE + s->blob->len)
			continue;
		int32_t k = s->item_at[t - DF_CODE_BASE];
		if (k >= 0) {
			const df_item *n = &s->blob->items[k];
			df_uc_write_code(s->uc, t, s->blob->code + n->off, n->len);
		}
	}
}

/* An MMX form (MMX register operands) or FWAIT. */
static bool mmx_form(unsigned form)
{
	const dec_form *f = &dec_forms[form];
	const char *m = ae_form_mnemonic(form);
	if (!strcmp(dec_handler_names[f->handler], "wait") || !strcmp(m, "wait") || !strcmp(m, "emms"))
		return true;
	for (unsigned i = 0; i < f->nops; i++)
		if (f->ops[i].method == OM_P || f->ops[i].method == OM_Q || f->ops[i].method == OM_N)
			return true;
	return false;
}

static bool is_prefix(uint8_t b)
{
	return b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 || b == 0x2e ||
	       b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65;
}

/* One step at the current RIP. Returns false when the blob is left. */
static bool step(sess *s)
{
	uint64_t rip = s->cur.rip;
	if (rip < DF_CODE_BASE || rip >= DF_CODE_BASE + s->blob->len)
		return false;
	int32_t idx = s->item_at[rip - DF_CODE_BASE];
	if (idx < 0)
		return false;
	const df_item *it = &s->blob->items[idx];
	s->pre = s->cur;
	uint64_t mask = DF_FLAGS_CMP & ~df_undef_mask(it->form);

	/* A */
	ae_exit ex = ae_cpu_run(s->cpu, 1);
	s->oa.ran = true;
	s->oa.vector = ex == AE_EXIT_FAULT ? ae_cpu_fault(s->cpu)->vector : -1;
	read_a(s->cpu, &s->oa.st);
	/* U */
	s->ou.ran = false;
	if (s->uc && !it->no_uc) {
		uc_code(s, it);
		df_uc_step(s->uc, &s->ou);
		/* Unicorn runs no x87, MMX or VEX form: those registers are unchanged */
		memcpy(&s->ou.st.fcw, &s->pre.fcw,
		       offsetof(df_state, xmm) - offsetof(df_state, fcw));
		memcpy(s->ou.st.ymmh, s->pre.ymmh, sizeof s->pre.ymmh);
		s->unicorn_runs++;
	}
	/* H */
	s->oh.ran = false;
	if (s->host && (!it->setup || s->o->host_all)) {
		const uint8_t *code = s->blob->code + it->off;
		uint8_t gs[16];
		uint64_t gs_base = DF_GS_BASE;
		if (it->fs && it->len <= sizeof gs) { /* the FS prefix becomes GS */
			memcpy(gs, code, it->len);
			for (unsigned i = 0; i < it->len && is_prefix(gs[i]); i++)
				if (gs[i] == 0x64)
					gs[i] = 0x65;
			code = gs;
			gs_base = DF_FS_BASE;
		}
		df_host_run_gs(s->host, &s->pre, code, it->len, rip, it->term, it->nterm, gs_base,
			       &s->oh);
		if (s->oh.ran)
			s->host_runs++;
	}
	s->compared++;
	s->by_form[it->form]++;
	if (it->setup)
		s->setup++;
	else
		s->drawn++;
	if (s->oa.vector >= 0)
		s->faults++;

	const df_outcome *ref = s->oh.ran ? &s->oh : s->ou.ran ? &s->ou : NULL;
	const char *refname = s->oh.ran ? "host" : "unicorn";
	if (ref && !same(&s->oa, ref, mask)) {
		if (ref == &s->oh && s->oa.vector == 13 && s->oh.vector < 0 &&
		    (s->oh.st.mxcsr & 0x20000))
			/* an AMD host accepts MXCSR bit 17 (MM, misaligned SSE exception mask),
			 * apxemu models Intel, where it is reserved (#GP) */
			s->host_vendor++;
		else if ((s->o->known & DF_KNOWN_MMX_X87) && mmx_form(it->form))
			s->known_mmx++;
		else if ((s->o->known & DF_KNOWN_MXCSR_FLAGS) && only_mxcsr_flags(&s->oa, ref, mask))
			s->known_mxcsr++;
		else if (df_known_form(it->form))
			s->known_form++;
		else if ((s->o->known & DF_KNOWN_MXCSR_CONTROL) &&
			 (s->pre.mxcsr & ~0x3fu) != 0x1f80)
			s->known_control++;
		else
			report(s, it, mask, ref, refname);
	}
	bool resync = s->uc && !s->ou.ran; /* Unicorn skipped the step: it takes A's state */
	if (s->ou.ran && s->oh.ran && !same(&s->ou, &s->oh, mask)) {
		note_unicorn(s, it, mask);
		resync = true;
	}
	if (s->ou.ran && !same(&s->ou, &s->oa, mask))
		resync = true;
	if (s->ou.ran && ((s->ou.st.rflags ^ s->oa.st.rflags) & DF_FLAGS_CMP))
		resync = true;
	s->cur = s->oa.st;
	if (s->oa.vector >= 0) {
		/* skip the faulting instruction */
		s->cur.rip = it->term[0];
		ae_cpu_set(s->cpu, AE_R_RIP, s->cur.rip);
		resync = true;
	}
	if (resync && s->uc)
		df_uc_set_state(s->uc, &s->cur);
	return true;
}

static int run_blob(sess *s, const df_state *init, uint64_t max_steps)
{
	if (load(s, init))
		return -1;
	for (uint64_t k = 0; k < max_steps; k++)
		if (!step(s))
			break;
	return 0;
}

static int sess_open(sess *s, const df_opts *o)
{
	memset(s, 0, sizeof *s);
	s->o = o;
	char err[256];
	if (o->unicorn) {
		s->uc = df_uc_new(err, sizeof err);
		if (!s->uc) {
			fprintf(stderr, "apxemu diff: %s\n", err);
			return -1;
		}
	}
	if (o->host) {
		s->host = df_host_new(err, sizeof err);
		if (!s->host) {
			fprintf(stderr, "apxemu diff: %s\n", err);
			return -1;
		}
	}
	s->item_at = malloc(DF_CODE_SIZE * sizeof *s->item_at);
	s->by_form = calloc(DEC_NFORMS, sizeof *s->by_form);
	s->div_by_form = calloc(DEC_NFORMS, sizeof *s->div_by_form);
	s->ucn = calloc(DEC_NFORMS, sizeof *s->ucn);
	if (!s->item_at || !s->by_form || !s->div_by_form || !s->ucn)
		return -1;
	df_gen_init();
	return 0;
}

static void sess_close(sess *s)
{
	if (s->cpu)
		ae_cpu_free(s->cpu);
	df_uc_free(s->uc);
	df_host_free(s->host);
	free(s->item_at);
	free(s->by_form);
	free(s->div_by_form);
	free(s->ucn);
}

static void summary(sess *s, FILE *f, double secs)
{
	const df_opts *o = s->o;
	fprintf(f, "apxemu diff: seed %#" PRIx64 ", %" PRIu64 " instructions compared (%" PRIu64
		   " drawn, %" PRIu64 " set-up), %.1f s\n",
		o->seed, s->compared, s->drawn, s->setup, secs);
	fprintf(f, "  oracles: host ran %" PRIu64 ", unicorn ran %" PRIu64 "; faults compared %" PRIu64
		   "\n",
		s->host_runs, s->unicorn_runs, s->faults);
	unsigned ndraw = 0, ncov = 0, nunimpl = 0, nexcl = 0;
	for (unsigned i = 0; i < df_gen_nforms(); i++) {
		unsigned form = df_gen_form(i), why = df_gen_skip_reason(form);
		if (why == DF_SKIP_NONE) {
			ndraw++;
			ncov += s->by_form[form] != 0;
		} else if (why == DF_SKIP_UNIMPL) {
			nunimpl++;
		} else {
			nexcl++;
		}
	}
	fprintf(f, "  forms: %u legacy GP/SSE forms drawable, %u covered; %u not implemented by "
		   "the executor (skipped); %u excluded (privileged, environment, far or "
		   "indirect control transfer, x87/MMX)\n",
		ndraw, ncov, nunimpl, nexcl);
	if (nunimpl) {
		fprintf(f, "  skipped, not implemented:");
		const char *last = "";
		for (unsigned i = 0; i < df_gen_nforms(); i++) {
			unsigned form = df_gen_form(i);
			if (df_gen_skip_reason(form) != DF_SKIP_UNIMPL)
				continue;
			const char *m = ae_form_mnemonic(form);
			if (strcmp(m, last))
				fprintf(f, " %s", m);
			last = m;
		}
		fprintf(f, "\n");
	}
	fprintf(f, "  divergences (apxemu vs reference): %" PRIu64 "\n", s->divergences);
	for (unsigned form = 0; form < DEC_NFORMS; form++)
		if (s->div_by_form[form])
			fprintf(f, "    form %u %-12s %" PRIu64 " of %" PRIu64 "\n", form,
				ae_form_mnemonic(form), s->div_by_form[form], s->by_form[form]);
	if (o->known & DF_KNOWN_MXCSR_FLAGS)
		fprintf(f, "  known, set aside: %" PRIu64 " steps where apxemu differs only in the "
			   "MXCSR exception flags (it does not set them)\n",
			s->known_mxcsr);
	if (s->known_form)
		fprintf(f, "  known, set aside: %" PRIu64 " divergences of forms named by "
			   "--known-form\n",
			s->known_form);
	if (o->known & DF_KNOWN_MMX_X87)
		fprintf(f, "  known, set aside: %" PRIu64 " divergences of MMX forms and FWAIT (x87 "
			   "side effects: TOP, tags, bits 79:64, #MF when FSW.ES is set)\n",
			s->known_mmx);
	if (s->host_vendor)
		fprintf(f, "  host vendor: %" PRIu64 " LDMXCSR steps with MXCSR bit 17 (AMD's MM "
			   "mask; reserved on Intel: apxemu #GP)\n",
			s->host_vendor);
	if (o->known & DF_KNOWN_MXCSR_CONTROL)
		fprintf(f, "  known, set aside: %" PRIu64 " steps run with MXCSR control bits other "
			   "than 0x1f80 (apxemu ignores RC, DAZ, FTZ and the exception masks)\n",
			s->known_control);
	fprintf(f, "  unicorn disagrees with the host (host wins): %" PRIu64 " steps\n",
		s->uc_disagree);
	for (unsigned k = 0; k < UK__N; k++) {
		unsigned nf = 0;
		for (unsigned form = 0; form < DEC_NFORMS; form++)
			nf += s->ucn[form].count[k] != 0;
		fprintf(f, "   %s: %" PRIu64 " steps, %u forms\n", uk_names[k], s->uc_kind[k], nf);
		for (unsigned form = 0; form < DEC_NFORMS; form++)
			if (s->ucn[form].count[k] && (k == UK_OTHER || k == UK_UNSUP || o->report_all))
				fprintf(f, "    form %u %-12s %6" PRIu64 "x  e.g. %s\n", form,
					ae_form_mnemonic(form), s->ucn[form].count[k],
					s->ucn[form].example[k]);
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int df_run_random(const df_opts *o)
{
	sess *s = calloc(1, sizeof *s);
	if (!s || sess_open(s, o)) {
		if (s)
			sess_close(s);
		free(s);
		return -1;
	}
	df_rng r;
	df_rng_seed(&r, o->seed);
	df_state *init = malloc(sizeof *init);
	double t0 = now(), last = t0;
	bool tty = isatty(fileno(stderr));
	int rc = 0;
	while (s->compared < o->count) {
		df_blob b = {0};
		df_gen_fill(&r, &b, o->chunk, DF_CODE_BASE);
		df_gen_random_state(&r, init);
		s->blob = &b;
		if (run_blob(s, init, o->count - s->compared)) {
			fprintf(stderr, "apxemu diff: cannot load a blob\n");
			rc = -1;
		}
		s->blob = NULL;
		df_blob_free(&b);
		s->blob_no++;
		if (rc)
			break;
		double t = now();
		if (o->progress && (t - last > (tty ? 0.5 : 10.0) || s->compared >= o->count)) {
			last = t;
			unsigned pct = (unsigned)(100.0 * (double)s->compared / (double)o->count);
			char bar[41];
			for (unsigned i = 0; i < 40; i++)
				bar[i] = i < pct * 40 / 100 ? '#' : '.';
			bar[40] = 0;
			fprintf(stderr, "%s[%s] %3u%% %" PRIu64 "/%" PRIu64 " insns, %" PRIu64
					" divergences, %.0f/s%s",
				tty ? "\r" : "", bar, pct, s->compared, o->count, s->divergences,
				(double)s->compared / (t - t0 + 1e-9), tty ? "" : "\n");
		}
	}
	if (o->progress && tty)
		fprintf(stderr, "\n");
	summary(s, o->out, now() - t0);
	if (o->report) {
		FILE *f = fopen(o->report, "w");
		if (f) {
			summary(s, f, now() - t0);
			fclose(f);
		}
	}
	if (!rc)
		rc = s->divergences > (uint64_t)INT32_MAX ? INT32_MAX : (int)s->divergences;
	free(init);
	sess_close(s);
	free(s);
	return rc;
}

int df_run_bytes(const df_opts *o, const uint8_t *code, size_t len, const df_state *init)
{
	sess *s = calloc(1, sizeof *s);
	if (!s || sess_open(s, o)) {
		if (s)
			sess_close(s);
		free(s);
		return -1;
	}
	/* The bytes are placed at init->rip (inside the code region). */
	uint64_t at = init->rip;
	df_blob b = {0};
	if (at < DF_CODE_BASE || at + len > DF_CODE_BASE + DF_CODE_SIZE ||
	    df_blob_from_bytes(&b, code, len, at)) {
		fprintf(stderr, "apxemu diff: the bytes do not decode, or do not fit the code "
				"region\n");
		df_blob_free(&b);
		sess_close(s);
		free(s);
		return -1;
	}
	/* Shift the blob to its address: pad the front. */
	size_t pad = at - DF_CODE_BASE;
	df_blob full = {0};
	full.len = pad + b.len;
	full.code = calloc(1, full.len);
	full.items = b.items;
	full.nitems = b.nitems;
	if (!full.code) {
		df_blob_free(&b);
		sess_close(s);
		free(s);
		return -1;
	}
	memcpy(full.code + pad, b.code, b.len);
	for (size_t i = 0; i < full.nitems; i++)
		full.items[i].off += (uint32_t)pad;
	s->blob = &full;
	double t0 = now();
	int rc = run_blob(s, init, 100000);
	if (rc == 0) {
		if (!s->divergences)
			fprintf(o->out, "apxemu diff: %" PRIu64 " instructions, no divergence\n",
				s->compared);
		summary(s, o->out, now() - t0);
		rc = (int)s->divergences;
	}
	free(full.code);
	free(b.code);
	free(b.items);
	sess_close(s);
	free(s);
	return rc;
}

int df_run_replay(const df_opts *o, const char *path)
{
	static uint8_t code[DF_CODE_SIZE];
	size_t len = 0;
	char err[300];
	df_state *st = malloc(sizeof *st);
	if (!st)
		return -1;
	if (df_repro_read(path, code, sizeof code, &len, st, err, sizeof err)) {
		fprintf(stderr, "apxemu diff: %s\n", err);
		free(st);
		return -1;
	}
	int rc = df_run_bytes(o, code, len, st);
	free(st);
	return rc;
}
