/* apxemu vm: bare-metal guests and scenarios under the model of KVM (run), the policy x
 * scenario matrix (matrix), the policies (policies) and the random differential check
 * (random). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apxemu/vmx.h"
#include "cli.h"

static void help_run(FILE *out)
{
	fprintf(out,
		"Usage: apxemu vm run GUEST|SCENARIO.vmx [--policy P] [--trace] [--steps] [--html FILE]\n"
		"                     [--json] [--host apx|noapx|apx-mpx] [--svm] [--cpuid-noapx]\n"
		"                     [--preemption-timer N] [--max-insns N] [--guests DIR]\n\n"
		"Runs one guest under the model of KVM with policy P (default v4-asm, the reference).\n"
		"GUEST is an ELF executable (PT_LOAD segments at their addresses) or a flat binary\n"
		"(loaded at 0x10000). It starts in 64-bit mode at CPL0 with identity-mapped paging\n"
		"(CR3 = 0x1000), RSP = 0x7f000, after KVM_SET_CPUID2 with everything KVM supports.\n"
		"Ports: 0x3f8 serial output, 0xe0 ends the run with the value written, 0xe1 syncs\n"
		"with userspace (resumed at once). A .vmx scenario runs its own userspace actions.\n\n"
		"Prints the guest's serial output, then the verdict: pass, or each violated invariant\n"
		"of kvm-apx-model.md §6.1 with the step and the values.\n\n"
		"  --policy P        one of `apxemu vm policies`\n"
		"  --trace           each VM entry and exit, XCR0 write and EGPR load/save, with the\n"
		"                    hardware XCR0, its owner and how many of r16-r31 hold guest values\n"
		"  --steps           every modelled micro-step (long)\n"
		"  --html FILE       the run as a timeline (entries, exits, XCR0 switches, EGPR loads\n"
		"                    and saves, violations) in one HTML file\n"
		"  --json            one JSON object instead of the text report\n"
		"  --host H          the physical CPU: apx (default), noapx, apx-mpx\n"
		"  --svm             AMD SVM instead of Intel VMX\n"
		"  --cpuid-noapx     KVM_SET_CPUID2 without APX\n"
		"  --preemption-timer N   a VMX preemption-timer exit every N guest instructions\n"
		"  --max-insns N     stop the guest after N instructions (default 20 million)\n"
		"  --guests DIR      scenarios only: where NAME.bin is\n\n"
		"Exit status: 0 when the verdict is pass (for a scenario: what it expects) and a bare\n"
		"guest ended through port 0xe0 with 0; 1 otherwise; 2 on bad usage.\n\n"
		"Example:\n"
		"  apxemu vm run tests/vmx/scenarios/seed000-fastpath-egpr.vmx --policy save-after-fastpath --trace\n");
}

static void help_matrix(FILE *out)
{
	fprintf(out,
		"Usage: apxemu vm matrix [--policies LIST] [--scenarios DIR] [--guests DIR] [--json]\n\n"
		"Runs every scenario of DIR (default tests/vmx/scenarios, from the current directory or\n"
		"the source tree) under every policy of LIST\n"
		"(comma-separated, default all) and prints a table policy x scenario: '.' for pass,\n"
		"else the violated invariant the scenario expects (or the first one, marked '!' when\n"
		"the verdict is not the expected one). The last column counts the scenarios that catch\n"
		"the policy.\n\n"
		"  --guests DIR   where the guest binaries NAME.bin are (default: $APXEMU_VMX_GUESTS,\n"
		"           else the build tree's tests/vmx/guests, else each scenario's ../guests)\n"
		"  --json   {\"policies\":[...],\"scenarios\":[...],\"results\":[{scenario, policy, verdict,\n"
		"           expected, matches, violations:[{inv, step, text}]}], \"ok\":bool}\n\n"
		"Exit status: 0 when every verdict is the expected one, the reference passes everything\n"
		"and every other policy is caught by some scenario; 1 otherwise; 2 on bad usage.\n");
}

static void help_random(FILE *out)
{
	fprintf(out,
		"Usage: apxemu vm random [--seed N] [--count N] [-v]\n\n"
		"Random differential check: COUNT random guest programs (default 40) from SEED (default\n"
		"1) -- moves and arithmetic on r0-r31, WRMSRNS/RDMSR with immediates to fast-path and\n"
		"slow-path MSRs, XSETBV turning APX off and on, XSAVE, CPUID, syncs where userspace\n"
		"runs KVM_GET_XSAVE2/KVM_SET_XSAVE, under random preemption-timer settings -- run under\n"
		"every policy. For each policy: how many programs fired an invariant, which ones, and\n"
		"how many ended in a guest-visible state (registers, XSAVE image, MSRs, exit code)\n"
		"other than the reference's, and how many of those fired no invariant (silent).\n\n"
		"  -v   one line per program and policy that fired an invariant or diverged\n\n"
		"Exit status: 0 when the reference passes every program and no divergence is silent,\n"
		"1 otherwise.\n");
}

void cmd_vm_help(FILE *out)
{
	fprintf(out,
		"Usage: apxemu vm run GUEST|SCENARIO.vmx [--policy P] [--trace] [--html FILE] [--json] ...\n"
		"       apxemu vm matrix [--policies LIST] [--scenarios DIR] [--json]\n"
		"       apxemu vm random [--seed N] [--count N] [-v]\n"
		"       apxemu vm policies\n\n"
		"Bare-metal guests under a model of KVM's VMX/SVM entry and exit, fast paths and uAPI,\n"
		"with interchangeable policies for switching r16-r31 and XCR0 (the reference v4-asm and\n"
		"known-bad variants) and a checker of the invariants of kvm-apx-model.md §6.1.\n"
		"`apxemu vm ACTION --help` describes each action.\n");
}

/* --- run ------------------------------------------------------------------------------- */

typedef struct evlog {
	FILE *trace; /* --trace lines */
	struct ev {
		int kind;
		unsigned step;
		unsigned long long xcr0;
		char owner[8], mode[10], text[200];
		unsigned egprs;
	} *v;
	size_t n, cap;
	int keep;
} evlog;

static const char *const kind_names[] = {"entry", "exit", "xcr0", "egpr-load", "egpr-save", "fastpath", "user", "VIOLATION"};

static void on_event(void *opaque, const ae_vmx_event *e)
{
	evlog *l = opaque;
	if (l->trace)
		fprintf(l->trace, "  %-9s step %-6u xcr0=%#-9llx (%s)  r16-r31 guest-owned %2u  %-8s %s\n",
			kind_names[e->kind], e->step, e->xcr0, e->xcr0_owner, e->guest_egprs, e->mode, e->text);
	if (!l->keep)
		return;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 256;
		struct ev *nv = realloc(l->v, nc * sizeof *nv);
		if (!nv)
			return;
		l->v = nv;
		l->cap = nc;
	}
	struct ev *x = &l->v[l->n++];
	x->kind = e->kind;
	x->step = e->step;
	x->xcr0 = e->xcr0;
	x->egprs = e->guest_egprs;
	snprintf(x->owner, sizeof x->owner, "%s", e->xcr0_owner);
	snprintf(x->mode, sizeof x->mode, "%s", e->mode);
	snprintf(x->text, sizeof x->text, "%s", e->text);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void html_str(FILE *f, const char *s)
{
	for (; *s; s++)
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
}

static void json_violations(FILE *f, const ae_vmx_report *r)
{
	fputs("[", f);
	for (size_t i = 0; i < r->nviol; i++) {
		fprintf(f, "%s{\"inv\":", i ? "," : "");
		json_str(f, r->viol[i].inv);
		fputs(",\"step\":", f);
		json_str(f, r->viol[i].step);
		fputs(",\"text\":", f);
		json_str(f, r->viol[i].text);
		fprintf(f, ",\"count\":%u}", r->viol[i].count);
	}
	fputs("]", f);
}

/* One SVG strip (mode band, hardware XCR0 value, guest-owned EGPRs, event marks) over a table
 * of the events. */
static int write_html(const char *path, const char *guest, const char *policy, const evlog *l,
		      const ae_vmx_report *r)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		cli_error("cannot write %s", path);
		return -1;
	}
	size_t n = l->n ? l->n : 1;
	double w = n > 600 ? 1.5 : n > 150 ? 4 : 10;
	double width = 120 + w * (double)n;
	fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>apxemu vm run: ");
	html_str(f, guest);
	fprintf(f, "</title>\n<style>body{font:13px sans-serif;margin:16px}table{border-collapse:collapse}"
		   "td,th{padding:1px 6px;border-bottom:1px solid #ddd;text-align:left;font-family:monospace}"
		   "tr.entry td{background:#e8f4e8}tr.exit td{background:#fdf0e0}tr.xcr0 td{background:#e8eefc}"
		   "tr.egpr-load td,tr.egpr-save td{background:#f3e8fc}tr.VIOLATION td{background:#fcc;font-weight:bold}"
		   ".svgbox{overflow-x:auto;border:1px solid #ccc}</style></head><body>\n<h2>");
	html_str(f, guest);
	fprintf(f, " under <code>%s</code>: %s</h2>\n", policy, r->verdict);
	fprintf(f, "<p>%u modelled steps, %llu VM exits (%llu in the fast path), %llu guest instructions. "
		   "Bands from the top: who runs (green guest, orange host assembly, red host C), the hardware "
		   "XCR0 (blue when it is the guest's), how many of r16-r31 hold guest values (purple bar), "
		   "events (E entry, X exit, W XSETBV, L/S EGPR load/save, ! violation).</p>\n",
		r->steps, r->exits, r->fast_exits, r->guest_insns);
	fprintf(f, "<div class=\"svgbox\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"150\">\n",
		width);
	fprintf(f, "<text x=\"2\" y=\"22\">mode</text><text x=\"2\" y=\"52\">XCR0</text>"
		   "<text x=\"2\" y=\"92\">guest r16+</text><text x=\"2\" y=\"132\">events</text>\n");
	unsigned long long last_x = ~0ull;
	for (size_t i = 0; i < l->n; i++) {
		const struct ev *e = &l->v[i];
		double x = 120 + w * (double)i;
		const char *mc = !strcmp(e->mode, "guest") ? "#7c7" : !strcmp(e->mode, "host-asm") ? "#fb6" : "#e77";
		fprintf(f, "<rect x=\"%.1f\" y=\"10\" width=\"%.1f\" height=\"18\" fill=\"%s\"/>", x, w, mc);
		fprintf(f, "<rect x=\"%.1f\" y=\"40\" width=\"%.1f\" height=\"18\" fill=\"%s\"/>", x, w,
			!strcmp(e->owner, "guest") ? "#8af" : "#ccc");
		if (e->xcr0 != last_x && w >= 4)
			fprintf(f, "<text x=\"%.1f\" y=\"70\" font-size=\"9\">%#llx</text>", x, e->xcr0);
		last_x = e->xcr0;
		double h = 30.0 * e->egprs / 16;
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#a6d\"/>", x, 105 - h, w, h);
		static const char mark[] = "EXWLSFU!";
		if (e->kind != 5 && e->kind != 6 && w >= 4)
			fprintf(f, "<text x=\"%.1f\" y=\"132\" font-size=\"10\"%s>%c</text>", x, e->kind == 7 ? " fill=\"red\"" : "",
				mark[e->kind]);
		fprintf(f, "<title>%u %s: ", e->step, kind_names[e->kind]);
		html_str(f, e->text);
		fprintf(f, "</title>\n");
	}
	fprintf(f, "</svg></div>\n<h3>Events</h3>\n<table><tr><th>step</th><th>event</th><th>mode</th><th>XCR0</th>"
		   "<th>owner</th><th>guest r16-r31</th><th>what</th></tr>\n");
	for (size_t i = 0; i < l->n; i++) {
		const struct ev *e = &l->v[i];
		fprintf(f, "<tr class=\"%s\"><td>%u</td><td>%s</td><td>%s</td><td>%#llx</td><td>%s</td><td>%u</td><td>",
			kind_names[e->kind], e->step, kind_names[e->kind], e->mode, e->xcr0, e->owner, e->egprs);
		html_str(f, e->text);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table>\n</body></html>\n");
	fclose(f);
	return 0;
}

static int vm_run(int argc, char **argv)
{
	ae_vmx_opts o = {.policy = "v4-asm", .guests_dir = cli_vmx_guests_default()};
	const char *guest = NULL, *html = NULL, *v;
	bool trace = false, steps = false, json = false;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			help_run(stdout);
			return CLI_EXIT_OK;
		} else if (cli_opt_value(argc, argv, &i, "--policy", &v))
			o.policy = v;
		else if (cli_opt_value(argc, argv, &i, "--html", &v))
			html = v;
		else if (cli_opt_value(argc, argv, &i, "--host", &v))
			o.host = v;
		else if (cli_opt_value(argc, argv, &i, "--guests", &v))
			o.guests_dir = v;
		else if (cli_opt_value(argc, argv, &i, "--preemption-timer", &v))
			o.preempt = cli_parse_u64("--preemption-timer", v);
		else if (cli_opt_value(argc, argv, &i, "--max-insns", &v))
			o.max_insns = cli_parse_u64("--max-insns", v);
		else if (!strcmp(argv[i], "--trace"))
			trace = true;
		else if (!strcmp(argv[i], "--steps"))
			steps = true;
		else if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--svm"))
			o.svm = 1;
		else if (!strcmp(argv[i], "--cpuid-noapx"))
			o.cpuid_noapx = 1;
		else if (argv[i][0] == '-') {
			cli_error("vm run: unknown option '%s'", argv[i]);
			return CLI_EXIT_USAGE;
		} else if (!guest)
			guest = argv[i];
		else {
			cli_error("vm run: one guest at a time");
			return CLI_EXIT_USAGE;
		}
	}
	if (!guest) {
		cli_error("vm run: no guest (apxemu vm run --help)");
		return CLI_EXIT_USAGE;
	}
	if (!ae_vmx_policy_summary(o.policy)) {
		cli_error("vm run: unknown policy '%s' (apxemu vm policies)", o.policy);
		return CLI_EXIT_USAGE;
	}
	evlog log = {.trace = trace && !json ? stdout : NULL, .keep = html != NULL};
	if (trace || html) {
		o.event = on_event;
		o.opaque = &log;
	}
	o.trace = steps && !json ? stdout : NULL;
	o.serial = json ? NULL : stdout;
	ae_vmx_report *r = malloc(sizeof *r);
	if (!r)
		return CLI_EXIT_INPUT;
	if (ae_vmx_run(guest, &o, r)) {
		cli_error("%s", r->error);
		free(r);
		free(log.v);
		return CLI_EXIT_INPUT;
	}
	size_t gl = strlen(guest);
	bool scenario = gl > 4 && !strcmp(guest + gl - 4, ".vmx");
	bool ok = scenario ? r->matches : (r->nviol == 0 && !strcmp(r->run_end, "exit") && r->exit_code == 0);
	if (json) {
		printf("{\"guest\":");
		json_str(stdout, guest);
		printf(",\"policy\":");
		json_str(stdout, o.policy);
		printf(",\"verdict\":");
		json_str(stdout, r->verdict);
		printf(",\"expected\":");
		json_str(stdout, r->expected);
		printf(",\"ended\":");
		json_str(stdout, r->run_end);
		printf(",\"exit_code\":%llu,\"serial\":", r->exit_code);
		json_str(stdout, r->serial);
		printf(",\"steps\":%u,\"exits\":%llu,\"fast_exits\":%llu,\"guest_insns\":%llu,\"violations\":", r->steps,
		       r->exits, r->fast_exits, r->guest_insns);
		json_violations(stdout, r);
		printf(",\"ok\":%s}\n", ok ? "true" : "false");
	} else {
		if (r->serial[0] && r->serial[strlen(r->serial) - 1] != '\n')
			putchar('\n');
		printf("policy %s: %s", o.policy, r->verdict);
		if (scenario)
			printf(" (expected %s)", r->expected);
		printf("; KVM_RUN ended with %s", r->run_end);
		if (!strcmp(r->run_end, "exit") || !strcmp(r->run_end, "sync"))
			printf(" %#llx", r->exit_code);
		printf("\n");
		for (size_t i = 0; i < r->nviol; i++)
			printf("  %-3s at step %s: %s%s\n", r->viol[i].inv, r->viol[i].step, r->viol[i].text,
			       r->viol[i].count > 1 ? " (and again)" : "");
		printf("  %u steps, %llu exits (%llu fast path), %llu guest instructions\n", r->steps, r->exits,
		       r->fast_exits, r->guest_insns);
	}
	if (html && write_html(html, guest, o.policy, &log, r))
		ok = false;
	free(r);
	free(log.v);
	return ok ? CLI_EXIT_OK : CLI_EXIT_INPUT;
}

/* --- matrix ---------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int vm_matrix(int argc, char **argv)
{
	const char *dir = cli_vmx_scenarios_default(), *plist = NULL, *v;
	const char *guests = cli_vmx_guests_default();
	bool json = false;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			help_matrix(stdout);
			return CLI_EXIT_OK;
		} else if (cli_opt_value(argc, argv, &i, "--policies", &v))
			plist = v;
		else if (cli_opt_value(argc, argv, &i, "--scenarios", &v))
			dir = v;
		else if (cli_opt_value(argc, argv, &i, "--guests", &v))
			guests = v;
		else if (!strcmp(argv[i], "--json"))
			json = true;
		else {
			cli_error("vm matrix: unknown argument '%s'", argv[i]);
			return CLI_EXIT_USAGE;
		}
	}
	/* policies */
	const char *pols[64];
	size_t np = 0;
	char *pcopy = plist ? strdup(plist) : NULL;
	if (pcopy) {
		for (char *t = strtok(pcopy, ","); t && np < 64; t = strtok(NULL, ",")) {
			if (!ae_vmx_policy_summary(t)) {
				cli_error("vm matrix: unknown policy '%s' (apxemu vm policies)", t);
				free(pcopy);
				return CLI_EXIT_USAGE;
			}
			pols[np++] = t;
		}
	} else
		for (const char *const *p = ae_vmx_policies(); *p && np < 64; p++)
			pols[np++] = *p;
	/* scenarios */
	DIR *d = opendir(dir);
	if (!d) {
		cli_error("vm matrix: cannot open %s", dir);
		free(pcopy);
		return CLI_EXIT_INPUT;
	}
	char *scen[256];
	size_t ns = 0;
	for (struct dirent *e; (e = readdir(d)) && ns < 256;) {
		size_t l = strlen(e->d_name);
		if (l > 4 && !strcmp(e->d_name + l - 4, ".vmx")) {
			size_t pl = strlen(dir) + l + 2;
			scen[ns] = malloc(pl);
			if (scen[ns])
				snprintf(scen[ns++], pl, "%s/%s", dir, e->d_name);
		}
	}
	closedir(d);
	qsort(scen, ns, sizeof scen[0], cmp_str);
	ae_vmx_report *reps = calloc(ns * np + 1, sizeof *reps);
	if (!reps) {
		free(pcopy);
		return CLI_EXIT_INPUT;
	}
	bool ok = true, error = false;
	for (size_t s = 0; s < ns; s++)
		for (size_t p = 0; p < np; p++) {
			ae_vmx_opts o = {.policy = pols[p], .guests_dir = guests};
			ae_vmx_report *r = &reps[s * np + p];
			if (ae_vmx_run(scen[s], &o, r)) {
				if (!p || strcmp(r->error, reps[s * np].error))
					cli_error("%s: %s", scen[s], r->error);
				error = true;
				snprintf(r->verdict, sizeof r->verdict, "error");
			}
			ok &= r->matches != 0;
		}
	unsigned caught[64] = {0};
	for (size_t p = 0; p < np; p++) {
		for (size_t s = 0; s < ns; s++) {
			const ae_vmx_report *r = &reps[s * np + p];
			caught[p] += r->nviol && r->matches;
		}
		if (strcmp(pols[p], "v4-asm") ? !caught[p] : caught[p] != 0)
			ok = false;
	}
	if (json) {
		printf("{\"policies\":[");
		for (size_t p = 0; p < np; p++) {
			printf("%s", p ? "," : "");
			json_str(stdout, pols[p]);
		}
		printf("],\"scenarios\":[");
		for (size_t s = 0; s < ns; s++) {
			printf("%s", s ? "," : "");
			const char *b = strrchr(scen[s], '/');
			json_str(stdout, b ? b + 1 : scen[s]);
		}
		printf("],\"results\":[\n");
		for (size_t s = 0; s < ns; s++)
			for (size_t p = 0; p < np; p++) {
				const ae_vmx_report *r = &reps[s * np + p];
				const char *b = strrchr(scen[s], '/');
				printf("%s{\"scenario\":", s || p ? ",\n" : "");
				json_str(stdout, b ? b + 1 : scen[s]);
				printf(",\"policy\":");
				json_str(stdout, pols[p]);
				printf(",\"verdict\":");
				json_str(stdout, r->verdict);
				printf(",\"expected\":");
				json_str(stdout, r->expected);
				printf(",\"matches\":%s,\"violations\":", r->matches ? "true" : "false");
				json_violations(stdout, r);
				printf("}");
			}
		printf("\n],\"caught\":{");
		for (size_t p = 0; p < np; p++) {
			printf("%s", p ? "," : "");
			json_str(stdout, pols[p]);
			printf(":%u", caught[p]);
		}
		printf("},\"ok\":%s}\n", ok && !error ? "true" : "false");
	} else {
		printf("%-26s", "policy \\ scenario");
		for (size_t s = 0; s < ns; s++)
			printf(" %3zu", s + 1);
		printf("  caught\n");
		for (size_t p = 0; p < np; p++) {
			printf("%-26s", pols[p]);
			for (size_t s = 0; s < ns; s++) {
				const ae_vmx_report *r = &reps[s * np + p];
				char cell[8];
				if (!r->nviol && r->matches)
					snprintf(cell, sizeof cell, ".");
				else if (r->nviol && r->matches && strcmp(r->expected, "pass"))
					snprintf(cell, sizeof cell, "%.3s", r->expected);
				else
					snprintf(cell, sizeof cell, "%.2s!", r->nviol ? r->viol[0].inv : "ok");
				printf(" %3s", cell);
			}
			printf("  %u/%zu\n", caught[p], ns);
		}
		printf("\nscenarios:\n");
		for (size_t s = 0; s < ns; s++) {
			const char *b = strrchr(scen[s], '/');
			printf("  %3zu %s\n", s + 1, b ? b + 1 : scen[s]);
		}
		printf("\n'.' pass, INV the expected invariant fired, INV! a verdict the scenario does not expect.\n"
		       "%s\n", ok && !error ? "ok: the reference passes everything, every other policy is caught as expected"
				    : "NOT OK: see the cells marked '!' or a policy caught nowhere");
	}
	for (size_t s = 0; s < ns; s++)
		free(scen[s]);
	free(reps);
	free(pcopy);
	return ok && !error ? CLI_EXIT_OK : CLI_EXIT_INPUT;
}

/* --- random ------------------------------------------------------------------------------ */

static int vm_random(int argc, char **argv)
{
	unsigned long long seed = 1, count = 40;
	int verbose = 0;
	const char *v;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			help_random(stdout);
			return CLI_EXIT_OK;
		} else if (cli_opt_value(argc, argv, &i, "--seed", &v))
			seed = cli_parse_u64("--seed", v);
		else if (cli_opt_value(argc, argv, &i, "--count", &v))
			count = cli_parse_u64("--count", v);
		else if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else {
			cli_error("vm random: unknown argument '%s'", argv[i]);
			return CLI_EXIT_USAGE;
		}
	}
	return ae_vmx_random(seed, (unsigned)count, stdout, verbose, NULL) ? CLI_EXIT_INPUT : CLI_EXIT_OK;
}

int cmd_vm(int argc, char **argv)
{
	if (argc < 2) {
		cmd_vm_help(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *a = argv[1];
	if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
		cmd_vm_help(stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(a, "run"))
		return vm_run(argc, argv);
	if (!strcmp(a, "matrix"))
		return vm_matrix(argc, argv);
	if (!strcmp(a, "random"))
		return vm_random(argc, argv);
	if (!strcmp(a, "policies")) {
		if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
			printf("Usage: apxemu vm policies\n\nLists the policies: the reference v4-asm, the "
			       "other designs and the mutants, each with the failure scenario it models.\n");
			return CLI_EXIT_OK;
		}
		for (const char *const *p = ae_vmx_policies(); *p; p++)
			printf("%-26s %s\n", *p, ae_vmx_policy_summary(*p));
		return CLI_EXIT_OK;
	}
	cli_error("vm: unknown action '%s' (run, matrix, random, policies)", a);
	return CLI_EXIT_USAGE;
}
