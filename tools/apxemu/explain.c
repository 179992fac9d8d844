/* apxemu explain: every field of one encoding, by name (ae_explain). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cmd_explain_help(FILE *out)
{
	fprintf(out,
		"Usage: apxemu explain [OPTIONS] HEX...\n\n"
		"Decodes the first instruction of the bytes and names every field of its encoding:\n"
		"legacy prefixes, REX and REX2 bits, the VEX/EVEX payload bits (R4, X4, B4, V4, ND,\n"
		"NF, SCC, DFV and the rest), ModRM, SIB, displacement, immediate, and the operands\n"
		"they select, then the instruction in AT&T and Intel syntax. Bytes that are #UD\n"
		"are explained up to the point where they fail, with the reason.\n\n"
		"The bytes may be given as one argument or several (\"62 f4 fc 0c 01 c3\",\n"
		"62f4fc0c01c3, or 62 f4 fc 0c 01 c3 unquoted).\n\n"
		"Options:\n"
		"  --no-apx      decode as a CPU without APX\n"
		"  -h, --help    this text\n\n"
		"Examples:\n"
		"  apxemu explain d5 19 01 c3             # REX2: addq %%rax, %%r27\n"
		"  apxemu explain \"62 f4 fc 0c 01 c3\"     # EVEX map 4 with NF\n"
		"  apxemu explain --no-apx d5 19 01 c3    # the same bytes on a CPU without APX\n");
}

int cmd_explain(int argc, char **argv)
{
	ae_decode_ctx ctx;
	ae_decode_ctx_default(&ctx);
	uint8_t *bytes = NULL;
	size_t len = 0, cap = 0;
	char err[128];
	bool opts_done = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!opts_done && strcmp(a, "--") == 0) {
			opts_done = true;
		} else if (!opts_done && strcmp(a, "--no-apx") == 0) {
			ctx.apx = false;
		} else if (!opts_done && a[0] == '-' && a[1]) {
			cli_error("explain: unknown option '%s' (see 'apxemu explain --help')", a);
			free(bytes);
			return CLI_EXIT_USAGE;
		} else if (cli_parse_hex(a, &bytes, &len, &cap, err, sizeof err)) {
			cli_error("explain: %s", err);
			free(bytes);
			return CLI_EXIT_USAGE;
		}
	}
	if (len == 0) {
		cli_error("explain: no bytes given (see 'apxemu explain --help')");
		free(bytes);
		return CLI_EXIT_USAGE;
	}
	size_t size = 4096;
	char *text = NULL;
	for (;;) {
		char *bigger = realloc(text, size);
		if (!bigger) {
			cli_error("explain: out of memory");
			free(text);
			free(bytes);
			return CLI_EXIT_INPUT;
		}
		text = bigger;
		size_t n = ae_explain(&ctx, bytes, len, text, size);
		if (n < size) {
			fputs(text, stdout);
			if (n == 0 || text[n - 1] != '\n')
				putchar('\n');
			break;
		}
		size = n + 1;
	}
	free(text);
	free(bytes);
	return CLI_EXIT_OK;
}
