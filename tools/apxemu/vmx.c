/* apxemu vmx: run VMX-model scenarios under one or all policies; list the policies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apxemu/vmx.h"
#include "cli.h"

void cmd_vmx_help(FILE *out)
{
	fprintf(out,
		"Usage: apxemu vmx run SCENARIO... [--policy NAME|all] [--guests DIR] [--trace] [-q]\n"
		"       apxemu vmx list-policies\n\n"
		"Runs a guest under the model of KVM's VMX/SVM entry/exit, fast paths and uAPI with\n"
		"the chosen policy for switching r16-r31 (default v4-asm, the reference), checks the\n"
		"invariants of kvm-apx-model.md §6.1 after every modelled step and prints one verdict\n"
		"line per policy: pass, or the violated invariants with the step and the values.\n"
		"A line ends in 'ok' when the verdict is what the scenario expects.\n\n"
		"  --policy NAME|all   one policy, or every policy (default v4-asm)\n"
		"  --guests DIR        where the guest binaries NAME.bin are (default:\n"
		"                      $APXEMU_VMX_GUESTS, else the build tree's tests/vmx/guests,\n"
		"                      else the scenario's ../guests)\n"
		"  --trace             one line per modelled step (mode, XCR0 and its owner, how many\n"
		"                      of r16-r31 hold guest values, IF) and each exit's VMCS fields\n"
		"  -q                  only the verdict lines\n\n"
		"Exit status: 0 when every verdict matches the scenario's expectation, 1 otherwise\n"
		"or on a scenario error, 2 on bad usage.\n\n"
		"Example:\n"
		"  apxemu vmx run tests/vmx/scenarios/msrimm-wr-tscdeadline.vmx --policy all\n");
}

static int list(void)
{
	for (const char *const *p = ae_vmx_policies(); *p; p++)
		printf("%-26s %s\n", *p, ae_vmx_policy_summary(*p));
	return CLI_EXIT_OK;
}

static bool run_one(const char *scen, const char *pol, const char *guests, bool trace, bool quiet)
{
	ae_vmx_report r;
	if (ae_vmx_run_scenario(scen, pol, guests, trace ? stdout : NULL, &r)) {
		cli_error("%s", r.error);
		return false;
	}
	const char *base = strrchr(scen, '/');
	base = base ? base + 1 : scen;
	printf("%-34s %-26s %-16s expected %-6s %s\n", base, pol, r.verdict, r.expected,
	       r.matches ? "ok" : "MISMATCH");
	if (!quiet) {
		for (size_t i = 0; i < r.nviol; i++)
			printf("    %-3s at step %s: %s%s\n", r.viol[i].inv, r.viol[i].step, r.viol[i].text,
			       r.viol[i].count > 1 ? " (and again)" : "");
		printf("    %u steps, %llu exits (%llu fast path), %llu guest instructions\n", r.steps,
		       r.exits, r.fast_exits, r.guest_insns);
	}
	return r.matches;
}

int cmd_vmx(int argc, char **argv)
{
	if (argc < 2) {
		cmd_vmx_help(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cmd_vmx_help(stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "list-policies"))
		return list();
	if (strcmp(argv[1], "run")) {
		cli_error("vmx: unknown action '%s' (run, list-policies)", argv[1]);
		return CLI_EXIT_USAGE;
	}
	const char *pol = "v4-asm", *guests = cli_vmx_guests_default(), *v;
	bool trace = false, quiet = false;
	const char *scen[256];
	int ns = 0;
	for (int i = 2; i < argc; i++) {
		if (cli_opt_value(argc, argv, &i, "--policy", &v))
			pol = v;
		else if (cli_opt_value(argc, argv, &i, "--guests", &v))
			guests = v;
		else if (!strcmp(argv[i], "--trace"))
			trace = true;
		else if (!strcmp(argv[i], "-q"))
			quiet = true;
		else if (argv[i][0] == '-') {
			cli_error("vmx run: unknown option '%s'", argv[i]);
			return CLI_EXIT_USAGE;
		} else if (ns < 256)
			scen[ns++] = argv[i];
	}
	if (!ns) {
		cli_error("vmx run: no scenario");
		return CLI_EXIT_USAGE;
	}
	if (strcmp(pol, "all") && !ae_vmx_policy_summary(pol)) {
		cli_error("vmx run: unknown policy '%s' (apxemu vmx list-policies)", pol);
		return CLI_EXIT_USAGE;
	}
	bool all_ok = true;
	for (int s = 0; s < ns; s++) {
		if (strcmp(pol, "all")) {
			all_ok &= run_one(scen[s], pol, guests, trace, quiet);
			continue;
		}
		for (const char *const *p = ae_vmx_policies(); *p; p++)
			all_ok &= run_one(scen[s], *p, guests, trace, quiet);
	}
	return all_ok ? CLI_EXIT_OK : CLI_EXIT_INPUT;
}
