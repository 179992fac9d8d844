/* apxemu run: runs a Linux x86-64 program on the emulated CPU. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apxemu/exec.h"
#include "apxemu/linux.h"
#include "cli.h"

extern char **environ;

void cmd_run_help(FILE *out)
{
	fprintf(out,
		"Usage: apxemu run [OPTIONS] [--] PROGRAM [ARGS...]\n\n"
		"Runs a static or static-pie x86-64 Linux executable (for example one built with\n"
		"clang-19 -mapxf -static) on the emulated CPU, which has Intel APX. stdin, stdout\n"
		"and stderr pass through and apxemu exits with the program's status. A fault the\n"
		"program does not handle ends it as the kernel would: one line on stderr names the\n"
		"signal, the instruction and its address, and the status is 128+signal.\n\n"
		"Options:\n"
		"  --cpu NAME      CPUID profile (default: an APX CPU; also: apx, noapx)\n"
		"  --stats         print instructions executed, APX instructions by kind and MIPS\n"
		"  --require-apx   exit with status 3 if no APX instruction executed\n"
		"  -q, --quiet     no notes about unsupported system calls or instructions\n");
}

int cmd_run(int argc, char **argv)
{
	ae_linux_opts opts = {0};
	bool require_apx = false;
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i], *v;
		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (cli_opt_value(argc, argv, &i, "--cpu", &v)) {
			opts.cpu = v;
		} else if (!strcmp(a, "--stats")) {
			opts.stats = true;
		} else if (!strcmp(a, "--require-apx")) {
			require_apx = true;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			opts.quiet = true;
		} else if (a[0] == '-' && a[1]) {
			cli_error("run: unknown option '%s' (see apxemu help run)", a);
			return CLI_EXIT_USAGE;
		} else {
			break;
		}
	}
	if (i >= argc) {
		cli_error("run: no program given (see apxemu help run)");
		return CLI_EXIT_USAGE;
	}
	if (opts.cpu && !strcmp(opts.cpu, "help")) {
		for (const char *const *p = ae_cpu_profiles(); *p; p++)
			printf("%s\n", *p);
		return CLI_EXIT_OK;
	}
	bool print_stats = opts.stats;
	if (require_apx)
		opts.stats = true;
	ae_linux_result res;
	char err[512];
	fflush(stdout);
	if (ae_linux_run(&opts, argv[i], argc - i, argv + i, environ, &res, err, sizeof err)) {
		cli_error("%s", err);
		return CLI_EXIT_INPUT;
	}
	if (res.signal)
		fprintf(stderr, "apxemu: program terminated by %s\n", res.message);
	if (print_stats) {
		const ae_exec_stats *s = &res.stats;
		double mips = res.seconds > 0 ? (double)s->insns / res.seconds / 1e6 : 0;
		fprintf(stderr,
			"apxemu: %llu instructions in %.3f s (%.1f MIPS); APX: %llu (egpr %llu, ndd "
			"%llu, nf %llu, ccmp/ctest %llu, cfcmov %llu, push2/pop2 %llu, ppx %llu, "
			"jmpabs %llu, zu %llu)\n",
			(unsigned long long)s->insns, res.seconds, mips, (unsigned long long)s->apx_any,
			(unsigned long long)s->egpr, (unsigned long long)s->ndd,
			(unsigned long long)s->nf, (unsigned long long)s->ccmp,
			(unsigned long long)s->cfcmov, (unsigned long long)s->push2pop2,
			(unsigned long long)s->ppx, (unsigned long long)s->jmpabs,
			(unsigned long long)s->zu);
	}
	if (require_apx && !res.stats.apx_any) {
		cli_error("run: --require-apx: no APX instruction executed");
		return 3;
	}
	return res.signal ? 128 + res.signal : res.exit_code;
}
