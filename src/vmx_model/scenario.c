/* Scenario files: a guest program, userspace actions and the expected verdict per policy.
 *
 * One command per line; '#' starts a comment. Setup lines may appear anywhere:
 *   title TEXT                  vendor vmx|svm          host apx|noapx|apx-mpx
 *   guest NAME                  (NAME.bin: a flat binary loaded at 0x10000 or an ELF file;
 *                                RSP 0x7f000, identity-mapped paging, CR3 0x1000)
 *   user-msr INDEX [VALUE]      (an MSR KVM leaves to userspace; reads complete with VALUE)
 *   preemption-timer N          (instructions per entry before a PREEMPTION_TIMER exit)
 *   exception-bitmap MASK       (exceptions that cause VM exits; KVM reinjects them)
 *   singlestep                  (KVM_GUESTDBG_SINGLESTEP: a #DB exit after every instruction,
 *                                KVM_EXIT_DEBUG after every skip, EXIT_USERSPACE in fast paths)
 *   exit-request                (kvm_vcpu_exit_request() is true after every fast-path
 *                                re-entry: REENTER_GUEST becomes EXIT_HANDLED)
 *   nrips 0|1                   (SVM: next_rip saved on exits; default 1)
 *   host-nmi N                  (a host NMI every N guest instructions)
 *   expect POLICY|* pass|INV    (the verdict: pass, or an invariant that must be among those
 *                                violated)
 * Actions, in order:
 *   set-cpuid [noapx] [nomsrimm]      set-xcrs VALUE [ok|einval]      get-xcrs VALUE
 *   run [sync|exit|hlt|shutdown|msr|debug|fail-entry] [CODE]   (serial output is
 *               collected on the way; KVM_EXIT_DEBUG exits are resumed unless 'debug' is named)
 *   vmfail      (the next VMRESUME fails with VM-Fail: KVM_EXIT_FAIL_ENTRY)
 *   get-xsave   xsave-egpr N VALUE   xsave-u64 OFFSET VALUE   set-xsave [ok|einval]
 *   check-xsave-egpr N VALUE   check-xsave-bv BIT 0|1   check-serial TEXT
 *   set-msr INDEX VALUE [ok|einval]   get-msr INDEX VALUE   check-ipis N
 *   migrate    (state_test: save through the uAPI, recreate the vCPU, restore: KVM_SET_XSAVE
 *               before and after KVM_SET_CPUID2)
 * A failed action check is reported as invariant "G" (the guest- or userspace-visible
 * result), next to whatever the checker found.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vmx_internal.h"

enum { MAXLINES = 512, XSAVE_LEN = AE_XS_KVM_MIN };

typedef struct scen {
	char *text;
	char *lines[MAXLINES];
	unsigned lineno[MAXLINES];
	size_t n;
	const char *path;
} scen;

static int err(ae_vmx_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int err(ae_vmx_report *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof r->error, fmt, ap);
	va_end(ap);
	return -1;
}

static int load(scen *s, const char *path, ae_vmx_report *r)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err(r, "%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	long sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	s->text = malloc((size_t)sz + 1);
	if (!s->text || fread(s->text, 1, (size_t)sz, f) != (size_t)sz) {
		fclose(f);
		return err(r, "%s: cannot read", path);
	}
	fclose(f);
	s->text[sz] = 0;
	s->path = path;
	unsigned ln = 0;
	for (char *p = s->text; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		ln++;
		char *h = strchr(p, '#');
		if (h)
			*h = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		size_t l = strlen(p);
		while (l && (p[l - 1] == ' ' || p[l - 1] == '\t' || p[l - 1] == '\r'))
			p[--l] = 0;
		if (*p) {
			if (s->n == MAXLINES)
				return err(r, "%s: too many lines", path);
			s->lineno[s->n] = ln;
			s->lines[s->n++] = p;
		}
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

static size_t words(char *line, char **w, size_t max)
{
	size_t n = 0;
	for (char *p = line; *p && n < max;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = 0;
	}
	return n;
}

static bool num(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && *s && !*end;
}

typedef struct ctx {
	vmx_m *m;
	uint8_t xs[XSAVE_LEN];
	const char *guests;
	char guest[64];
	char host[16];
	bool svm;
	uint64_t preempt;
	uint32_t exc_bitmap;
	bool singlestep, exit_request, no_nrips;
	uint64_t nmi_every;
} ctx;

static void gfail(vmx_m *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void gfail(vmx_m *m, const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	vmx_violation(m, "G", "%s", buf);
}

static const char *reason_name(vmx_run_reason r)
{
	static const char *const n[] = {"none", "io",	      "sync",  "exit",	"hlt",	     "shutdown",
					"msr",	"host-crash", "limit", "debug", "fail-entry"};
	return n[r];
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static void wr64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void migrate(ctx *c)
{
	vmx_m *m = c->m;
	uint8_t buf[XSAVE_LEN];
	uint64_t G[32];
	memcpy(G, m->G, sizeof G);
	vmx_kvm_get_xsave(m, buf, sizeof buf);
	uint64_t regs[16], rip = m->v.rip, cr4 = m->v.cr4, xcr0 = m->v.xcr0, dl = m->v.tsc_deadline;
	bool apx = m->v.cpuid_apx, mi = m->v.cpuid_msr_imm;
	memcpy(regs, m->v.regs, sizeof regs);
	vmx_kvm_init(m);
	vmx_step(m, "migrate: new vCPU");
	memcpy(m->G, G, sizeof G);
	if (vmx_kvm_set_xsave(m, buf, sizeof buf)) /* before KVM_SET_CPUID2 (state_test) */
		gfail(m, "migrate: KVM_SET_XSAVE before KVM_SET_CPUID2 failed");
	vmx_kvm_set_cpuid(m, apx, mi);
	if (vmx_kvm_set_xcrs(m, xcr0, 0))
		gfail(m, "migrate: KVM_SET_XCRS(%#llx) failed", (unsigned long long)xcr0);
	memcpy(m->v.regs, regs, sizeof regs);
	m->v.rip = rip;
	m->v.cr4 = cr4;
	m->v.tsc_deadline = dl;
	if (vmx_kvm_set_xsave(m, buf, sizeof buf))
		gfail(m, "migrate: KVM_SET_XSAVE failed");
	/* KVM_SET_XSAVE of the restored state is userspace restoring the guest's own values,
	 * not a change the guest must see. */
	m->g_written = 0;
	memcpy(m->G, G, sizeof G);
}

static int action(ctx *c, char **w, size_t n, unsigned ln)
{
	vmx_m *m = c->m;
	uint64_t a = 0, b = 0;
	const char *cmd = w[0];
	bool want_fail = n >= 2 && !strcmp(w[n - 1], "einval");
	if (!strcmp(cmd, "set-cpuid")) {
		bool apx = true, mi = true;
		for (size_t i = 1; i < n; i++) {
			if (!strcmp(w[i], "noapx"))
				apx = false;
			else if (!strcmp(w[i], "nomsrimm"))
				mi = false;
			else
				return -1;
		}
		vmx_kvm_set_cpuid(m, apx, mi);
	} else if (!strcmp(cmd, "set-xcrs") && n >= 2 && num(w[1], &a)) {
		int rc = vmx_kvm_set_xcrs(m, a, 0);
		if ((rc != 0) != want_fail)
			gfail(m, "line %u: KVM_SET_XCRS(%#llx) returned %d", ln, (unsigned long long)a, rc);
	} else if (!strcmp(cmd, "get-xcrs") && n == 2 && num(w[1], &a)) {
		if (m->v.xcr0 != a)
			gfail(m, "line %u: KVM_GET_XCRS gives %#llx, expected %#llx", ln,
			      (unsigned long long)m->v.xcr0, (unsigned long long)a);
	} else if (!strcmp(cmd, "run")) {
		vmx_run_reason r;
		bool stop_msr = n >= 2 && !strcmp(w[1], "msr");
		bool stop_dbg = n >= 2 && !strcmp(w[1], "debug");
		do {
			r = vmx_kvm_run(m);
			m->ndebug += r == RUN_DEBUG;
		} while (r == RUN_IO || (r == RUN_MSR && !stop_msr) || (r == RUN_DEBUG && !stop_dbg));
		if (n >= 2 && strcmp(reason_name(r), w[1]))
			gfail(m, "line %u: KVM_RUN ended with %s (code %#llx), expected %s", ln, reason_name(r),
			      (unsigned long long)m->exit_code, w[1]);
		else if (n >= 3 && num(w[2], &a) && a != m->exit_code)
			gfail(m, "line %u: guest reported %#llx, expected %#llx", ln,
			      (unsigned long long)m->exit_code, (unsigned long long)a);
		if (r == RUN_HOST_CRASH)
			return 1;
	} else if (!strcmp(cmd, "get-xsave")) {
		memset(c->xs, 0xa5, sizeof c->xs);
		vmx_kvm_get_xsave(m, c->xs, sizeof c->xs);
	} else if (!strcmp(cmd, "xsave-egpr") && n == 3 && num(w[1], &a) && num(w[2], &b) && a >= 16 && a < 32) {
		wr64(c->xs + 960 + (a - 16) * 8, b);
		wr64(c->xs + 512, rd64(c->xs + 512) | XF_APX);
	} else if (!strcmp(cmd, "xsave-u64") && n == 3 && num(w[1], &a) && num(w[2], &b) && a + 8 <= XSAVE_LEN) {
		wr64(c->xs + a, b);
	} else if (!strcmp(cmd, "set-xsave")) {
		int rc = vmx_kvm_set_xsave(m, c->xs, sizeof c->xs);
		if ((rc != 0) != want_fail)
			gfail(m, "line %u: KVM_SET_XSAVE returned %d", ln, rc);
	} else if (!strcmp(cmd, "check-xsave-egpr") && n == 3 && num(w[1], &a) && num(w[2], &b) && a >= 16 && a < 32) {
		uint64_t got = rd64(c->xs + 960 + (a - 16) * 8);
		if (got != b)
			gfail(m, "line %u: XSAVE buffer r%llu = %#llx, expected %#llx", ln, (unsigned long long)a,
			      (unsigned long long)got, (unsigned long long)b);
	} else if (!strcmp(cmd, "check-xsave-bv") && n == 3 && num(w[1], &a) && num(w[2], &b) && a < 64) {
		if (((rd64(c->xs + 512) >> a) & 1) != b)
			gfail(m, "line %u: XSTATE_BV = %#llx, bit %llu expected %llu", ln,
			      (unsigned long long)rd64(c->xs + 512), (unsigned long long)a, (unsigned long long)b);
	} else if (!strcmp(cmd, "check-serial") && n >= 2) {
		char want[256] = "";
		for (size_t i = 1; i < n; i++) {
			strncat(want, w[i], sizeof want - strlen(want) - 2);
			if (i + 1 < n)
				strcat(want, " ");
		}
		m->serial[m->nserial] = 0;
		if (!strstr(m->serial, want))
			gfail(m, "line %u: serial output lacks \"%s\"", ln, want);
	} else if (!strcmp(cmd, "set-msr") && n >= 3 && num(w[1], &a) && num(w[2], &b)) {
		int rc = vmx_kvm_set_msr(m, (uint32_t)a, b);
		if ((rc != 0) != want_fail)
			gfail(m, "line %u: KVM_SET_MSRS(%#llx) returned %d", ln, (unsigned long long)a, rc);
	} else if (!strcmp(cmd, "get-msr") && n == 3 && num(w[1], &a) && num(w[2], &b)) {
		uint64_t v = 0;
		if (vmx_kvm_get_msr(m, (uint32_t)a, &v) || v != b)
			gfail(m, "line %u: KVM_GET_MSRS(%#llx) = %#llx, expected %#llx", ln, (unsigned long long)a,
			      (unsigned long long)v, (unsigned long long)b);
	} else if (!strcmp(cmd, "check-ipis") && n == 2 && num(w[1], &a)) {
		if (m->v.ipis != a)
			gfail(m, "line %u: %u IPIs sent, expected %llu", ln, m->v.ipis, (unsigned long long)a);
	} else if (!strcmp(cmd, "migrate") && n == 1) {
		migrate(c);
	} else if (!strcmp(cmd, "vmfail") && n == 1) {
		m->hw.vmfail_next = true;
	} else {
		return -1;
	}
	return 0;
}

static bool setup_line(ctx *c, char **w, size_t n, const char *policy, char *expected, size_t elen,
		       bool *have_exp, vmx_m *m)
{
	uint64_t a;
	if (!strcmp(w[0], "title"))
		return true;
	if (!strcmp(w[0], "vendor") && n == 2) {
		c->svm = !strcmp(w[1], "svm");
		return true;
	}
	if (!strcmp(w[0], "host") && n == 2) {
		snprintf(c->host, sizeof c->host, "%s", w[1]);
		return true;
	}
	if (!strcmp(w[0], "guest") && n == 2) {
		snprintf(c->guest, sizeof c->guest, "%s", w[1]);
		return true;
	}
	if (!strcmp(w[0], "user-msr") && n >= 2 && num(w[1], &a)) {
		m->user_msr = (uint32_t)a;
		if (n >= 3 && num(w[2], &a))
			m->user_msr_value = a;
		return true;
	}
	if (!strcmp(w[0], "preemption-timer") && n == 2 && num(w[1], &a)) {
		c->preempt = a;
		return true;
	}
	if (!strcmp(w[0], "exception-bitmap") && n == 2 && num(w[1], &a)) {
		c->exc_bitmap = (uint32_t)a;
		return true;
	}
	if (!strcmp(w[0], "singlestep") && n == 1) {
		c->singlestep = true;
		return true;
	}
	if (!strcmp(w[0], "exit-request") && n == 1) {
		c->exit_request = true;
		return true;
	}
	if (!strcmp(w[0], "nrips") && n == 2 && num(w[1], &a)) {
		c->no_nrips = !a;
		return true;
	}
	if (!strcmp(w[0], "host-nmi") && n == 2 && num(w[1], &a)) {
		c->nmi_every = a;
		return true;
	}
	if (!strcmp(w[0], "expect") && n == 3) {
		if (!strcmp(w[1], policy) || (!*have_exp && !strcmp(w[1], "*"))) {
			snprintf(expected, elen, "%s", w[2]);
			if (strcmp(w[1], "*"))
				*have_exp = true;
		}
		return true;
	}
	return false;
}

static int read_file(const char *path, uint8_t **img, size_t *len, ae_vmx_report *r)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err(r, "%s: %s", path, strerror(errno));
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = malloc(cap);
	for (size_t got; b && (got = fread(b + n, 1, cap - n, f)) > 0;) {
		n += got;
		if (n == cap && cap < (16u << 20)) {
			uint8_t *nb = realloc(b, cap *= 2);
			if (!nb)
				free(b);
			b = nb;
		}
	}
	fclose(f);
	if (!b)
		return err(r, "out of memory");
	*img = b;
	*len = n;
	return 0;
}

static int load_image(vmx_m *m, const char *path, ae_vmx_report *r, uint64_t *entry)
{
	uint8_t *img = NULL;
	size_t len = 0;
	if (read_file(path, &img, &len, r))
		return -1;
	char e[160] = "";
	int rc = vmx_hw_load_image(m, img, len, entry, e, sizeof e);
	free(img);
	return rc ? err(r, "%s: %s", path, e[0] ? e : "cannot load") : 0;
}

static int load_guest(ctx *c, const char *scen_path, ae_vmx_report *r, uint64_t *entry)
{
	char path[1024];
	if (c->guests)
		snprintf(path, sizeof path, "%s/%s.bin", c->guests, c->guest);
	else {
		const char *slash = strrchr(scen_path, '/');
		int dl = slash ? (int)(slash - scen_path) : 1;
		snprintf(path, sizeof path, "%.*s/../guests/%s.bin", dl, slash ? scen_path : ".", c->guest);
	}
	FILE *f = fopen(path, "rb");
	if (!f)
		return err(r, "%s: %s (guest binaries: --guests DIR)", path, strerror(errno));
	fclose(f);
	return load_image(c->m, path, r, entry);
}

static void finish(vmx_m *m, ae_vmx_report *rep, vmx_run_reason last)
{
	rep->steps = m->nsteps;
	rep->exits = m->v.stat_exits;
	rep->fast_exits = m->v.fast_exits;
	rep->guest_insns = m->hw.total_insns;
	snprintf(rep->run_end, sizeof rep->run_end, "%s", reason_name(last));
	rep->exit_code = m->exit_code;
	size_t ns = m->nserial < sizeof rep->serial - 1 ? m->nserial : sizeof rep->serial - 1;
	memcpy(rep->serial, m->serial, ns);
	rep->serial[ns] = 0;
	size_t k = 0;
	for (size_t i = 0; i < rep->nviol && k + 4 < sizeof rep->verdict; i++)
		k += (size_t)snprintf(rep->verdict + k, sizeof rep->verdict - k, "%s%s", i ? "," : "",
				      rep->viol[i].inv);
	if (!rep->nviol)
		snprintf(rep->verdict, sizeof rep->verdict, "pass");
	if (!strcmp(rep->expected, "pass"))
		rep->matches = rep->nviol == 0;
	else {
		rep->matches = 0;
		for (size_t i = 0; i < rep->nviol; i++)
			if (!strcmp(rep->viol[i].inv, rep->expected))
				rep->matches = 1;
	}
}

static void attach(vmx_m *m, const ae_vmx_opts *o, ae_vmx_report *rep, const vmx_policy *pol)
{
	m->pol = pol;
	m->rep = rep;
	m->trace = o->trace;
	m->serial_out = o->serial;
	m->event = o->event;
	m->event_opaque = o->opaque;
	m->max_insns = o->max_insns ? o->max_insns : 20000000;
}

static int run_scenario(const char *path, const ae_vmx_opts *o, const vmx_policy *pol, ae_vmx_report *rep)
{
	const char *policy = pol->name;
	scen s = {0};
	vmx_m *m = calloc(1, sizeof *m);
	ctx *c = calloc(1, sizeof *c);
	int rc = -1;
	vmx_run_reason last = RUN_NONE;
	if (!m || !c) {
		err(rep, "out of memory");
		goto out;
	}
	if (load(&s, path, rep))
		goto out;
	attach(m, o, rep, pol);
	c->m = m;
	c->guests = o->guests_dir;
	snprintf(c->host, sizeof c->host, "apx");
	snprintf(rep->expected, sizeof rep->expected, "pass");
	bool have_exp = false;
	static char *wv[MAXLINES][8];
	size_t wn[MAXLINES];
	for (size_t i = 0; i < s.n; i++) {
		wn[i] = words(s.lines[i], wv[i], 8);
		if (!setup_line(c, wv[i], wn[i], policy, rep->expected, sizeof rep->expected, &have_exp, m))
			continue;
		wn[i] = 0; /* consumed */
	}
	if (!c->guest[0]) {
		err(rep, "%s: no 'guest' line", path);
		goto out;
	}
	if (vmx_hw_init(m, c->host, c->svm)) {
		err(rep, "cannot create the CPU (host %s)", c->host);
		goto out;
	}
	vmx_hw_build_paging(m);
	uint64_t entry;
	if (load_guest(c, path, rep, &entry))
		goto out;
	vmx_kvm_init(m);
	m->v.rip = entry;
	m->hw.vmcs.preempt_budget = c->preempt;
	m->hw.vmcs.exception_bitmap = c->exc_bitmap | (c->singlestep ? 1u << AE_EXC_DB : 0);
	m->hw.singlestep = c->singlestep;
	m->hw.nrips = !c->no_nrips;
	m->hw.nmi_every = m->hw.nmi_budget = c->nmi_every;
	m->v.exit_request = c->exit_request;
	if (o->trace)
		fprintf(o->trace, "== %s under %s\n", path, policy);
	vmx_step(m, "vCPU created");
	for (size_t i = 0; i < s.n; i++) {
		if (!wn[i])
			continue;
		int a = action(c, wv[i], wn[i], s.lineno[i]);
		if (a < 0) {
			err(rep, "%s:%u: cannot parse '%s'", path, s.lineno[i], wv[i][0]);
			goto out;
		}
		if (!strcmp(wv[i][0], "run"))
			last = m->run_reason;
		if (a > 0 || m->host_crashed)
			break;
	}
	finish(m, rep, m->host_crashed ? RUN_HOST_CRASH : last);
	rc = 0;
out:
	if (m)
		vmx_hw_free(m);
	free(m);
	free(c);
	free(s.text);
	return rc;
}

/* A bare guest: KVM_SET_CPUID2, then KVM_RUN until the exit port, a shutdown, a halt with no
 * timer armed or a host crash; syncs and serial output resume the guest. */
static int run_guest(const char *path, const ae_vmx_opts *o, const vmx_policy *pol, ae_vmx_report *rep)
{
	vmx_m *m = calloc(1, sizeof *m);
	int rc = -1;
	if (!m)
		return err(rep, "out of memory");
	attach(m, o, rep, pol);
	snprintf(rep->expected, sizeof rep->expected, "pass");
	const char *host = o->host ? o->host : "apx";
	uint64_t entry;
	if (vmx_hw_init(m, host, o->svm != 0)) {
		err(rep, "cannot create the CPU (host %s: apx, noapx, apx-mpx)", host);
		goto out;
	}
	vmx_hw_build_paging(m);
	if (load_image(m, path, rep, &entry))
		goto out;
	vmx_kvm_init(m);
	m->v.rip = entry;
	m->hw.vmcs.preempt_budget = o->preempt;
	if (o->trace)
		fprintf(o->trace, "== %s under %s\n", path, pol->name);
	vmx_step(m, "vCPU created");
	vmx_kvm_set_cpuid(m, !o->cpuid_noapx, true);
	vmx_run_reason r;
	do
		r = vmx_kvm_run(m);
	while (r == RUN_IO || r == RUN_SYNC || r == RUN_DEBUG);
	finish(m, rep, r);
	rc = 0;
out:
	vmx_hw_free(m);
	free(m);
	return rc;
}

int ae_vmx_run(const char *path, const ae_vmx_opts *o, ae_vmx_report *rep)
{
	memset(rep, 0, sizeof *rep);
	const char *policy = o->policy ? o->policy : "v4-asm";
	const vmx_policy *pol = vmx_policy_find(policy);
	if (!pol)
		return err(rep, "unknown policy '%s' (apxemu vm policies)", policy);
	size_t l = strlen(path);
	if (l > 4 && !strcmp(path + l - 4, ".vmx"))
		return run_scenario(path, o, pol, rep);
	return run_guest(path, o, pol, rep);
}

int ae_vmx_run_scenario(const char *path, const char *policy, const char *guests_dir, FILE *trace,
			ae_vmx_report *rep)
{
	ae_vmx_opts o = {.policy = policy, .guests_dir = guests_dir, .trace = trace};
	return ae_vmx_run(path, &o, rep);
}
