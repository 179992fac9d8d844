/* Shared pieces of the `apxemu` command: exit codes, the subcommand table, option and hex
 * parsing. Errors are one line on stderr starting "apxemu: ". */
#ifndef APXEMU_CLI_H
#define APXEMU_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "apxemu/decoder.h"

/* Exit codes: success, bad input data (unreadable or malformed file, bad hex), bad usage. */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_INPUT = 1,
	CLI_EXIT_USAGE = 2
};

#define CLI_COMMAND(name, summary)             \
	int cmd_##name(int argc, char **argv); \
	void cmd_##name##_help(FILE *out);
#include "commands.def"
#undef CLI_COMMAND

__attribute__((format(printf, 1, 2))) void cli_error(const char *fmt, ...);

/* Matches argv[*i] against an option that takes a value, as "--opt VALUE" or "--opt=VALUE".
 * Returns false when it is another option; exits with CLI_EXIT_USAGE when the value is
 * missing. On a match, *value is set and *i points at the last word consumed. */
bool cli_opt_value(int argc, char **argv, int *i, const char *opt, const char **value);

/* Parses an unsigned number (decimal, or hex with 0x). Exits with CLI_EXIT_USAGE on error. */
uint64_t cli_parse_u64(const char *opt, const char *s);

/* Appends the bytes written in s as hex to *buf (grown with realloc). Accepted: pairs of hex
 * digits, separated or not by spaces, tabs, commas; an optional 0x or \x before each group;
 * text after '#' is a comment. Returns 0, or -1 with a message in err. */
int cli_parse_hex(const char *s, uint8_t **buf, size_t *len, size_t *cap, char *err, size_t errlen);

/* Where the VMX guest binaries are when --guests is not given: $APXEMU_VMX_GUESTS, else the
 * build tree's tests/vmx/guests when it exists, else NULL (the scenario's ../guests). */
const char *cli_vmx_guests_default(void);

/* The VMX scenario directory used when none is given: tests/vmx/scenarios under the current
 * directory when it exists, else the source tree's. */
const char *cli_vmx_scenarios_default(void);

/* Reads a whole file ("-" = stdin). Returns 0, or -1 after printing an error. */
int cli_read_file(const char *path, uint8_t **data, size_t *size);

#endif
