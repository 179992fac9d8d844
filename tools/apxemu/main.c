/* apxemu: one command with subcommands. The table of subcommands is commands.def. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef APXEMU_VERSION
#define APXEMU_VERSION "unknown"
#endif

typedef struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*help)(FILE *out);
} cli_command;

static const cli_command commands[] = {
#define CLI_COMMAND(name, summary) { #name, summary, cmd_##name, cmd_##name##_help },
#include "commands.def"
#undef CLI_COMMAND
};

static const cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out,
		"apxemu %s: an x86-64 CPU emulator with Intel APX (r16-r31, REX2, NDD, NF,\n"
		"CCMP/CTEST, CFCMOV, PUSH2/POP2, ...): decode and disassemble, run Linux programs\n"
		"built with clang -mapxf, model XCR0/XSAVE and a VMX/KVM entry/exit, trace, debug\n"
		"with gdb, and compare against Unicorn and the host CPU.\n\n"
		"Usage: apxemu COMMAND [OPTIONS] [ARGS]\n"
		"       apxemu help COMMAND      the options and examples of COMMAND\n"
		"       apxemu --help | --version\n\n"
		"Commands:\n",
		APXEMU_VERSION);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\nExamples:\n"
		"  apxemu disasm /bin/true                   disassemble the code of an ELF file\n"
		"  apxemu disasm --hex \"62 f4 fc 0c 01 c3\"   decode bytes given in hex\n"
		"  apxemu explain d5 19 01 c3                name every field of an encoding\n"
		"  apxemu run --stats ./prog args            run a program built with -mapxf\n"
		"  apxemu run --gdb 1234 ./prog              debug it with gdb (r16-r31 shown)\n"
		"  apxemu xsave layout --svg layout.svg      draw the XSAVE layout (APX at 960)\n\n"
		"Exit status: 0 success, 1 unreadable or malformed input, 2 bad usage.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(name, "--version") == 0) {
		printf("apxemu %s (%u instruction forms)\n", APXEMU_VERSION, ae_form_count());
		return CLI_EXIT_OK;
	}
	if (strcmp(name, "help") == 0) {
		if (argc == 2) {
			usage(stdout);
			return CLI_EXIT_OK;
		}
		const cli_command *c = find_command(argv[2]);
		if (!c) {
			cli_error("no such command '%s' (see 'apxemu --help')", argv[2]);
			return CLI_EXIT_USAGE;
		}
		c->help(stdout);
		return CLI_EXIT_OK;
	}
	if (name[0] == '-') {
		cli_error("unknown option '%s' (see 'apxemu --help')", name);
		return CLI_EXIT_USAGE;
	}
	const cli_command *c = find_command(name);
	if (!c) {
		cli_error("unknown command '%s' (see 'apxemu --help')", name);
		return CLI_EXIT_USAGE;
	}
	for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			c->help(stdout);
			return CLI_EXIT_OK;
		}
	}
	return c->run(argc - 1, argv + 1);
}
