/* apxemu diff: differential testing against Unicorn 2 and the host CPU (src/diff/df.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/diff/df.h"
#include "cli.h"

void cmd_diff_help(FILE *out)
{
	fprintf(out,
		"Usage: apxemu diff --random [--count N] [--seed S] [OPTIONS]\n"
		"       apxemu diff --replay FILE [OPTIONS]\n"
		"       apxemu diff --hex \"BYTES\" [OPTIONS]\n"
		"       apxemu diff --apx [--count N] [--seed S] [OPTIONS]\n\n"
		"Runs instructions in apxemu and in Unicorn 2 in lockstep, and each one also on the\n"
		"host CPU (natively, in a forked child), and compares every GPR, RIP, RFLAGS (without\n"
		"the flags the instruction table leaves undefined), MXCSR, XMM0-15 and the sandbox\n"
		"memory (%#llx, %u bytes) after every instruction. The host is the reference where\n"
		"it ran, else Unicorn; Unicorn's own disagreements with the host are listed apart.\n"
		"Each divergence prints the instruction and the states and writes a reproducer\n"
		"(the instruction bytes and the state before it) that --replay runs again.\n\n"
		"  --random        random instruction streams drawn from the table's legacy GP and\n"
		"                  SSE forms, with memory operands pointed into the sandbox\n"
		"  --count N       instructions to compare (default 100000)\n"
		"  --seed S        random seed (default 1)\n"
		"  --replay FILE   replay a reproducer\n"
		"  --hex BYTES     compare these instructions from a zero state (RSP in the sandbox)\n"
		"  --apx           check APX forms against legacy sequences (lowering) on the host\n"
		"                  and Unicorn\n"
		"  --no-host       do not use the host CPU\n"
		"  --no-unicorn    do not use Unicorn\n"
		"  --repro-dir D   where reproducers are written (default .)\n"
		"  --report FILE   also write the summary to FILE\n"
		"  --max-report N  divergences printed in full (default 5)\n"
		"  --known CLASS   set aside a known executor divergence (counted in the summary):\n"
		"                  mxcsr-flags = only the MXCSR exception status bits differ;\n"
		"                  mxcsr-control = the step ran with MXCSR control bits other\n"
		"                  than the default 0x1f80; mmx-x87 = divergences of MMX forms\n"
		"                  and FWAIT (their x87 side effects)\n"
		"  --known-form M  set aside divergences of the mnemonics M (comma-separated)\n"
		"  --all           list every form for every kind of Unicorn disagreement\n"
		"  -q              no progress line\n\n"
		"Exit status: 0 no divergence, 4 divergences, 1 setup error, 2 usage.\n",
		(unsigned long long)DF_DATA_BASE, DF_DATA_SIZE);
}

int cmd_diff(int argc, char **argv)
{
	df_opts o;
	df_opts_default(&o);
	o.progress = true;
	const char *replay = NULL, *hex = NULL, *v;
	bool random = false, apx = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--random"))
			random = true;
		else if (!strcmp(a, "--apx"))
			apx = true;
		else if (cli_opt_value(argc, argv, &i, "--count", &v))
			o.count = cli_parse_u64("--count", v);
		else if (cli_opt_value(argc, argv, &i, "--seed", &v))
			o.seed = cli_parse_u64("--seed", v);
		else if (cli_opt_value(argc, argv, &i, "--replay", &v))
			replay = v;
		else if (cli_opt_value(argc, argv, &i, "--hex", &v))
			hex = v;
		else if (cli_opt_value(argc, argv, &i, "--repro-dir", &v))
			o.repro_dir = v;
		else if (cli_opt_value(argc, argv, &i, "--report", &v))
			o.report = v;
		else if (cli_opt_value(argc, argv, &i, "--max-report", &v))
			o.max_report = (unsigned)cli_parse_u64("--max-report", v);
		else if (cli_opt_value(argc, argv, &i, "--known", &v)) {
			if (!strcmp(v, "mxcsr-flags"))
				o.known |= DF_KNOWN_MXCSR_FLAGS;
			else if (!strcmp(v, "mxcsr-control"))
				o.known |= DF_KNOWN_MXCSR_CONTROL;
			else if (!strcmp(v, "mmx-x87"))
				o.known |= DF_KNOWN_MMX_X87;
			else {
				cli_error("diff: unknown --known class '%s'", v);
				return CLI_EXIT_USAGE;
			}
		} else if (cli_opt_value(argc, argv, &i, "--known-form", &v))
			df_set_known_forms(v);
		else if (!strcmp(a, "--all"))
			o.report_all = true;
		else if (!strcmp(a, "--no-host"))
			o.host = false;
		else if (!strcmp(a, "--no-unicorn"))
			o.unicorn = false;
		else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
			o.progress = false;
		else {
			cli_error("diff: unknown argument '%s' (see apxemu help diff)", a);
			return CLI_EXIT_USAGE;
		}
	}
	if (random + apx + (replay != NULL) + (hex != NULL) != 1) {
		cli_error("diff: give one of --random, --apx, --replay FILE, --hex BYTES");
		return CLI_EXIT_USAGE;
	}
	if (!o.host && !o.unicorn) {
		cli_error("diff: --no-host and --no-unicorn leave no oracle");
		return CLI_EXIT_USAGE;
	}
	int rc;
	if (random) {
		rc = df_run_random(&o);
	} else if (replay) {
		rc = df_run_replay(&o, replay);
	} else if (hex) {
		static uint8_t code[4096];
		size_t len = 0;
		if (df_parse_hex(hex, code, sizeof code, &len) || !len) {
			cli_error("diff: bad hex bytes");
			return CLI_EXIT_USAGE;
		}
		df_state *st = calloc(1, sizeof *st);
		if (!st)
			return CLI_EXIT_INPUT;
		st->rip = DF_CODE_BASE;
		st->rflags = 0x202;
		st->mxcsr = 0x1f80;
		st->fcw = 0x37f;
		st->gpr[4] = DF_STACK;
		rc = df_run_bytes(&o, code, len, st);
		free(st);
	} else {
		df_lower_stats ls;
		rc = df_lower_run(o.count, o.seed, o.host, o.out, &ls);
	}
	if (rc < 0)
		return CLI_EXIT_INPUT;
	return rc ? 4 : CLI_EXIT_OK;
}
