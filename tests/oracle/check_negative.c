/* Negative corpus: every line HEX<TAB>REASON-NAME<TAB>citation[<TAB>noapx] must decode as
 * AE_UD with exactly that reason (ae_ud_reason_name() spelling). "noapx" decodes with APX
 * disabled in the context, as on a CPU without APX or with XCR0[19] clear.
 *
 *   check_negative FILE...
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "oracle.h"

#include <apxemu/decoder.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reason_by_name(const char *name)
{
	for (int r = 0; r < AE_UD__COUNT; r++) {
		const char *n = ae_ud_reason_name((ae_ud_reason)r);
		if (n && !strcmp(n, name))
			return r;
	}
	return -1;
}

static int check_file(const char *path, unsigned long *total, unsigned long *failed)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	ae_decode_ctx with_apx, without_apx;
	ae_decode_ctx_default(&with_apx);
	without_apx = with_apx;
	without_apx.apx = false;

	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0, count = 0, noapx_count = 0;
	unsigned per_reason[AE_UD__COUNT] = {0};
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		ou_chomp(line);
		if (!line[0] || line[0] == '#')
			continue;
		char *field[4] = {line, NULL, NULL, NULL};
		int nf = 1;
		for (char *p = line; *p && nf < 4; p++)
			if (*p == '\t') {
				*p = 0;
				field[nf++] = p + 1;
			}
		uint8_t b[32];
		int n = ou_parse_hex(field[0], b, sizeof b);
		if (n == 0 && nf == 1)
			continue;
		++*total;
		int want = nf >= 2 ? reason_by_name(field[1]) : -1;
		bool noapx = nf >= 4 && !strcmp(field[3], "noapx");
		if (n <= 0 || want < 0 || nf < 3 || (nf >= 4 && !noapx)) {
			printf("BAD LINE %s:%u: expected HEX<TAB>REASON-NAME<TAB>citation"
			       "[<TAB>noapx] with a known reason name\n",
			       path, lineno);
			++*failed;
			continue;
		}
		ae_insn insn;
		memset(&insn, 0, sizeof insn);
		ae_status st = ae_decode(noapx ? &without_apx : &with_apx, b, (size_t)n, &insn);
		count++;
		noapx_count += noapx;
		if (st == AE_UD && insn.ud == want) {
			per_reason[want]++;
			continue;
		}
		++*failed;
		char hex[128], text[256];
		ou_hex(b, (size_t)n, hex, sizeof hex);
		if (st == AE_OK)
			ae_format(&insn, AE_SYNTAX_ATT, 0, 0, text, sizeof text);
		else if (st == AE_UD)
			snprintf(text, sizeof text, "#UD %s", ae_ud_reason_name((ae_ud_reason)insn.ud));
		else
			snprintf(text, sizeof text, "%s", ae_status_name(st));
		printf("FAIL %s:%u: %s%s: expected #UD %s, got %s (%s)\n", path, lineno, hex,
		       noapx ? " [noapx]" : "", field[1], text, field[2]);
	}
	free(line);
	fclose(f);
	printf("%s: %u negative cases (%u with APX disabled)\n", path, count, noapx_count);
	for (int r = 1; r < AE_UD__COUNT; r++)
		if (per_reason[r])
			printf("    %-18s %u\n", ae_ud_reason_name((ae_ud_reason)r), per_reason[r]);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long total = 0, failed = 0;
	int rc = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (check_file(argv[i], &total, &failed))
			rc = 1;
	printf("negative corpus: %lu cases, %lu pass, %lu fail\n", total, total - failed, failed);
	return rc || failed || !total ? 1 : 0;
}
