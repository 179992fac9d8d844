/* apxemu run: runs a Linux x86-64 program on the emulated CPU. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apxemu/debug.h"
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
		"  -q, --quiet     no notes about unsupported system calls or instructions\n\n"
		"Tracing and debugging (docs/debug.md):\n"
		"  --trace[=FILE]          one line per executed instruction: address, bytes,\n"
		"                          disassembly, registers and memory it wrote (default: stderr)\n"
		"  --trace-format=FMT      text (default), sde (Intel SDE -debugtrace layout), jsonl\n"
		"  --trace-range START:END trace only instructions with START <= RIP < END (hex\n"
		"                          addresses, 0x optional)\n"
		"  --trace-after N         start tracing after N instructions\n"
		"  --trace-max N           stop tracing after N lines\n"
		"  --mix                   instruction histogram by mnemonic, ISA extension (APX\n"
		"                          sub-features apart) and form, printed on stderr at exit\n"
		"  --mix-json FILE         the same histogram as JSON (implies --mix collection)\n"
		"  --gdb PORT              wait for gdb on 127.0.0.1:PORT (gdb: target remote :PORT);\n"
		"                          r16-r31 appear as $r16..$r31\n"
		"  --deterministic         fixed clock (from the instruction count), getrandom bytes,\n"
		"                          AT_RANDOM and RDTSC: identical runs give identical traces\n");
}

/* A code address for --trace-range: hex digits, with or without 0x. */
static int parse_addr(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-' || *s == '+')
		return -1;
	*out = strtoull(s, &end, 16);
	return *end || errno ? -1 : 0;
}

int cmd_run(int argc, char **argv)
{
	ae_linux_opts opts = {0};
	ae_debug_opts dopts = {0};
	const char *mix_json = NULL;
	bool require_apx = false, filters = false, write_failed = false;
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
		} else if (!strcmp(a, "--trace")) {
			dopts.trace_path = "-";
		} else if (!strncmp(a, "--trace=", 8)) {
			dopts.trace_path = a + 8;
		} else if (cli_opt_value(argc, argv, &i, "--trace-format", &v)) {
			if (!strcmp(v, "text"))
				dopts.trace_format = AE_TRACE_TEXT;
			else if (!strcmp(v, "sde"))
				dopts.trace_format = AE_TRACE_SDE;
			else if (!strcmp(v, "jsonl"))
				dopts.trace_format = AE_TRACE_JSONL;
			else {
				cli_error("run: --trace-format: text, sde or jsonl, not '%s'", v);
				return CLI_EXIT_USAGE;
			}
		} else if (cli_opt_value(argc, argv, &i, "--trace-range", &v)) {
			const char *colon = strchr(v, ':');
			char lo[40];
			if (!colon || (size_t)(colon - v) >= sizeof lo) {
				cli_error("run: --trace-range: START:END, not '%s'", v);
				return CLI_EXIT_USAGE;
			}
			memcpy(lo, v, (size_t)(colon - v));
			lo[colon - v] = 0;
			if (parse_addr(lo, &dopts.trace_lo) || parse_addr(colon + 1, &dopts.trace_hi) ||
			    dopts.trace_lo >= dopts.trace_hi) {
				cli_error("run: --trace-range: START:END with hex addresses, START < END "
					  "(e.g. 401000:401200), not '%s'", v);
				return CLI_EXIT_USAGE;
			}
			filters = true;
		} else if (cli_opt_value(argc, argv, &i, "--trace-after", &v)) {
			dopts.trace_after = cli_parse_u64("--trace-after", v);
			filters = true;
		} else if (cli_opt_value(argc, argv, &i, "--trace-max", &v)) {
			dopts.trace_max = cli_parse_u64("--trace-max", v);
			filters = true;
		} else if (!strcmp(a, "--mix")) {
			dopts.mix = true;
		} else if (cli_opt_value(argc, argv, &i, "--mix-json", &v)) {
			mix_json = v;
		} else if (cli_opt_value(argc, argv, &i, "--gdb", &v)) {
			uint64_t port = cli_parse_u64("--gdb", v);
			if (!port || port > 65535) {
				cli_error("run: --gdb: a TCP port, not '%s'", v);
				return CLI_EXIT_USAGE;
			}
			dopts.gdb_port = (int)port;
		} else if (!strcmp(a, "--deterministic")) {
			opts.deterministic = true;
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
	bool print_mix = dopts.mix;
	if (filters && !dopts.trace_path)
		cli_error("run: warning: --trace-range, --trace-after and --trace-max only filter "
			  "--trace; no trace is written");
	if (mix_json) {
		FILE *probe = fopen(mix_json, "a"); /* fail before the run, not after it */
		if (!probe) {
			cli_error("run: --mix-json: cannot write %s: %s", mix_json, strerror(errno));
			return CLI_EXIT_INPUT;
		}
		fclose(probe);
		dopts.mix = true;
	}
	dopts.quiet = opts.quiet;
	if (dopts.trace_path || dopts.mix || dopts.gdb_port) {
		opts.debug = ae_debug_new(&dopts, err, sizeof err);
		if (!opts.debug) {
			cli_error("run: %s", err);
			return CLI_EXIT_INPUT;
		}
	}
	fflush(stdout);
	if (ae_linux_run(&opts, argv[i], argc - i, argv + i, environ, &res, err, sizeof err)) {
		cli_error("%s", err);
		ae_debug_free(opts.debug);
		return CLI_EXIT_INPUT;
	}
	if (opts.debug) {
		if (print_mix)
			ae_debug_print_mix(opts.debug, stderr);
		if (mix_json && ae_debug_write_mix_json(opts.debug, mix_json)) {
			cli_error("run: cannot write %s", mix_json);
			write_failed = true;
		}
		ae_debug_free(opts.debug);
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
	if (write_failed)
		return CLI_EXIT_INPUT;
	return res.signal ? 128 + res.signal : res.exit_code;
}
