/* Corpus test against LLVM 19's disassembler.
 *
 * Every line of every hex corpus (one instruction per line, '#' comments) is decoded by apxemu
 * and by LLVM in-process; length, AT&T text and Intel text must agree, whitespace aside.
 * Lines listed in the deviations file (HEX<TAB>EXPECTED<TAB>reason: LLVM is documented wrong
 * or lax there) are compared against EXPECTED instead, which is apxemu's AT&T text or
 * "#UD <reason-name>". Both decoders rejecting a line is agreement.
 *
 *   check_llvm [--deviations FILE] [--report FILE] [--limit N] [--no-apx]
 *              [--cmd NAME COMMAND]... [FILE.hex | DIR]...
 *
 * A DIR stands for its *.hex files in name order; --cmd runs COMMAND through the shell and
 * reads its standard output as the corpus NAME. --report writes every mismatch, one per line
 * (tab-separated: hex, our length and texts, LLVM's length and texts, where), for whoever
 * fixes table rows. Exit status 1 on any unexplained mismatch. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "oracle.h"

#include <apxemu/decoder.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct deviation {
	char *key; /* canonical hex */
	char *expected;
	char *reason;
	unsigned used;
} deviation;

static deviation *devs;
static size_t ndevs;
static int print_limit = 40;
static int printed;
static FILE *report;
static bool apx = true;
static ae_decode_ctx ctx;
static ou_llvm *llvm_att, *llvm_intel;

typedef struct totals {
	unsigned long lines, agree, devs, mismatches, joined, bad;
} totals;

static int devcmp(const void *a, const void *b)
{
	return strcmp(((const deviation *)a)->key, ((const deviation *)b)->key);
}

static int load_deviations(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0;
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		ou_chomp(line);
		if (!line[0] || line[0] == '#')
			continue;
		char *t1 = strchr(line, '\t');
		char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		uint8_t b[32];
		int n;
		if (!t1 || !t2 || (*t1 = 0, n = ou_parse_hex(line, b, sizeof b)) <= 0) {
			fprintf(stderr, "%s:%u: expected HEX<TAB>EXPECTED<TAB>reason\n", path, lineno);
			rc = -1;
			continue;
		}
		*t2 = 0;
		char key[128];
		ou_hex(b, (size_t)n, key, sizeof key);
		devs = realloc(devs, (ndevs + 1) * sizeof *devs);
		devs[ndevs].key = strdup(key);
		devs[ndevs].expected = strdup(t1 + 1);
		ou_normalize(devs[ndevs].expected);
		devs[ndevs].reason = strdup(t2 + 1);
		devs[ndevs].used = 0;
		ndevs++;
	}
	free(line);
	fclose(f);
	qsort(devs, ndevs, sizeof *devs, devcmp);
	for (size_t i = 1; i < ndevs; i++)
		if (!strcmp(devs[i].key, devs[i - 1].key)) {
			fprintf(stderr, "%s: %s listed twice\n", path, devs[i].key);
			rc = -1;
		}
	return rc;
}

static deviation *find_deviation(const char *key)
{
	deviation k = {.key = (char *)key};
	return ndevs ? bsearch(&k, devs, ndevs, sizeof *devs, devcmp) : NULL;
}

/* apxemu's view of one line: length (0 if not AE_OK) and both texts. */
static size_t ours(const uint8_t *b, size_t n, char *att, char *intel, size_t tlen)
{
	ae_insn insn;
	ae_status st = ae_decode(&ctx, b, n, &insn);
	if (st == AE_OK) {
		ae_format(&insn, AE_SYNTAX_ATT, 0, 0, att, tlen);
		ae_format(&insn, AE_SYNTAX_INTEL, 0, 0, intel, tlen);
		ou_normalize(att);
		ou_normalize(intel);
		return insn.len;
	}
	if (st == AE_UD)
		snprintf(att, tlen, "#UD %s", ae_ud_reason_name((ae_ud_reason)insn.ud));
	else
		snprintf(att, tlen, "%s", ae_status_name(st));
	snprintf(intel, tlen, "%s", att);
	return 0;
}

/* EXPECTED "#UD" alone accepts any reason; otherwise the text must be equal. */
static bool matches_expected(const char *expected, const char *got)
{
	if (!strcmp(expected, "#UD"))
		return !strncmp(got, "#UD", 3);
	return !strcmp(expected, got);
}

static void mismatch(const char *where, const char *hex, size_t olen, const char *oatt,
		     const char *ointel, size_t llen, const char *latt, const char *lintel,
		     const char *note)
{
	if (printed++ < print_limit) {
		printf("MISMATCH %s: %s%s\n", where, hex, note);
		printf("    ours: %zu  %s  |  %s\n", olen, oatt, ointel);
		printf("    llvm: %zu  %s  |  %s\n", llen, llen ? latt : "#UD", llen ? lintel : "#UD");
	}
	if (report)
		fprintf(report, "%s\t%zu\t%s\t%zu\t%s\t%s\t%s\t%s\n", hex, olen, oatt, llen,
			llen ? latt : "#UD", ointel, llen ? lintel : "#UD", where);
}

static void check_line(const char *name, unsigned lineno, const uint8_t *b, size_t n, totals *t)
{
	char hex[128], where[300];
	char oatt[256], ointel[256], latt[512], lintel[512];
	int joined = 0;
	ou_hex(b, n, hex, sizeof hex);
	snprintf(where, sizeof where, "%s:%u", name, lineno);
	t->lines++;

	size_t olen = ours(b, n, oatt, ointel, sizeof oatt);
	size_t llen = ou_llvm_decode(llvm_att, b, n, latt, sizeof latt, &joined);
	size_t llen_i = ou_llvm_decode(llvm_intel, b, n, lintel, sizeof lintel, NULL);
	if (joined)
		t->joined++;
	if (llen_i != llen) /* keep the AT&T length as LLVM's answer, and show the other */
		snprintf(lintel, sizeof lintel, "(intel length %zu)", llen_i);

	deviation *d = find_deviation(hex);
	if (d) {
		d->used++;
		if (matches_expected(d->expected, oatt)) {
			t->devs++;
			return;
		}
		t->mismatches++;
		char note[400];
		snprintf(note, sizeof note, " (deviation expects \"%s\")", d->expected);
		mismatch(where, hex, olen, oatt, ointel, llen, latt, lintel, note);
		return;
	}
	bool agree = olen == llen && (!olen || (!strcmp(oatt, latt) && !strcmp(ointel, lintel)));
	if (agree) {
		t->agree++;
		return;
	}
	t->mismatches++;
	mismatch(where, hex, olen, oatt, ointel, llen, latt, lintel, "");
}

static void check_stream(FILE *f, const char *name, totals *all)
{
	totals t = {0};
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	while (getline(&line, &cap, f) > 0) {
		uint8_t b[64];
		lineno++;
		int n = ou_parse_hex(line, b, sizeof b);
		if (n == 0)
			continue;
		if (n < 0) {
			t.bad++;
			if (printed++ < print_limit)
				printf("BAD INPUT %s:%u: %s", name, lineno, line);
			continue;
		}
		check_line(name, lineno, b, (size_t)n, &t);
	}
	free(line);
	printf("corpus %s: %lu lines, %lu agree, %lu deviations (documented), %lu mismatches",
	       name, t.lines, t.agree, t.devs, t.mismatches);
	if (t.joined)
		printf(" [%lu with a prefix LLVM printed apart, joined]", t.joined);
	if (t.bad)
		printf(", %lu bad input lines", t.bad);
	printf("\n");
	all->lines += t.lines;
	all->agree += t.agree;
	all->devs += t.devs;
	all->mismatches += t.mismatches;
	all->bad += t.bad;
}

static int check_file(const char *path, totals *all)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	const char *base = strrchr(path, '/');
	check_stream(f, base ? base + 1 : path, all);
	fclose(f);
	return 0;
}

static int is_hex_file(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return n > 4 && !strcmp(e->d_name + n - 4, ".hex");
}

static int check_path(const char *path, totals *all, int *files)
{
	struct dirent **list;
	int n = scandir(path, &list, is_hex_file, alphasort);
	if (n < 0) { /* not a directory */
		++*files;
		return check_file(path, all);
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		char full[4096];
		snprintf(full, sizeof full, "%s/%s", path, list[i]->d_name);
		++*files;
		if (check_file(full, all))
			rc = -1;
		free(list[i]);
	}
	free(list);
	return rc;
}

static int check_command(const char *name, const char *cmd, totals *all)
{
	fflush(stdout);
	FILE *p = popen(cmd, "r");
	if (!p) {
		perror(cmd);
		return -1;
	}
	unsigned long before = all->lines;
	check_stream(p, name, all);
	int st = pclose(p);
	if (st != 0) {
		fprintf(stderr, "%s: command failed (status %d): %s\n", name, st, cmd);
		return -1;
	}
	if (all->lines == before) {
		fprintf(stderr, "%s: command produced no lines: %s\n", name, cmd);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	totals all = {0};
	int rc = 0, files = 0;
	const char *report_path = NULL;
	/* Options first: the deviations must be loaded before any corpus is read. */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--deviations") && i + 1 < argc) {
			if (load_deviations(argv[++i]))
				rc = 1;
		} else if (!strcmp(argv[i], "--report") && i + 1 < argc) {
			report_path = argv[++i];
		} else if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
			print_limit = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--no-apx")) {
			apx = false;
		} else if (!strcmp(argv[i], "--cmd") && i + 2 < argc) {
			i += 2;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: %s [--deviations FILE] [--report FILE] [--limit N] "
					"[--no-apx] [--cmd NAME COMMAND]... [FILE|DIR]...\n",
				argv[0]);
			return 2;
		}
	}
	if (report_path && !(report = fopen(report_path, "w"))) {
		perror(report_path);
		return 2;
	}
	ae_decode_ctx_default(&ctx);
	ctx.apx = apx;
	llvm_att = ou_llvm_new(apx, false);
	llvm_intel = ou_llvm_new(apx, true);

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cmd")) {
			if (check_command(argv[i + 1], argv[i + 2], &all))
				rc = 1;
			files++;
			i += 2;
		} else if (!strcmp(argv[i], "--deviations") || !strcmp(argv[i], "--report") ||
			   !strcmp(argv[i], "--limit")) {
			i++;
		} else if (argv[i][0] != '-') {
			if (check_path(argv[i], &all, &files))
				rc = 1;
		}
	}
	if (!files) {
		fprintf(stderr, "no corpus given or found\n");
		rc = 1;
	}
	unsigned long unused = 0;
	for (size_t i = 0; i < ndevs; i++)
		unused += !devs[i].used;
	printf("total: %lu lines, %lu agree, %lu deviations (documented), %lu mismatches\n",
	       all.lines, all.agree, all.devs, all.mismatches);
	if (unused)
		printf("note: %lu of %zu listed deviations matched no line of these corpora\n",
		       unused, ndevs);
	if (printed > print_limit)
		printf("(%d more mismatches not printed; --report FILE lists them all)\n",
		       printed - print_limit);
	if (report)
		fclose(report);
	ou_llvm_free(llvm_att);
	ou_llvm_free(llvm_intel);
	for (size_t i = 0; i < ndevs; i++) {
		free(devs[i].key);
		free(devs[i].expected);
		free(devs[i].reason);
	}
	free(devs);
	return rc || all.mismatches || all.bad || !all.lines ? 1 : 0;
}
