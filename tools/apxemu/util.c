/* Helpers shared by the subcommands. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fputs("apxemu: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool cli_opt_value(int argc, char **argv, int *i, const char *opt, const char **value)
{
	const char *a = argv[*i];
	size_t n = strlen(opt);
	if (strncmp(a, opt, n) != 0)
		return false;
	if (a[n] == '=') {
		*value = a + n + 1;
		return true;
	}
	if (a[n] != 0)
		return false;
	if (*i + 1 >= argc) {
		cli_error("option %s needs a value", opt);
		exit(CLI_EXIT_USAGE);
	}
	*value = argv[++*i];
	return true;
}

uint64_t cli_parse_u64(const char *opt, const char *s)
{
	char *end;
	errno = 0;
	uint64_t v = strtoull(s, &end, 0);
	if (!*s || *end || errno || s[0] == '-') {
		cli_error("%s: '%s' is not a number (decimal, or hex with 0x)", opt, s);
		exit(CLI_EXIT_USAGE);
	}
	return v;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int push_byte(uint8_t **buf, size_t *len, size_t *cap, uint8_t b)
{
	if (*len == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		uint8_t *n = realloc(*buf, ncap);
		if (!n)
			return -1;
		*buf = n;
		*cap = ncap;
	}
	(*buf)[(*len)++] = b;
	return 0;
}

int cli_parse_hex(const char *s, uint8_t **buf, size_t *len, size_t *cap, char *err, size_t errlen)
{
	while (*s && *s != '#') {
		if (strchr(" \t\r\n,;", *s)) {
			s++;
			continue;
		}
		const char *tok = s;
		if ((s[0] == '0' || s[0] == '\\') && (s[1] == 'x' || s[1] == 'X'))
			s += 2;
		const char *digits = s;
		while (hexval((unsigned char)*s) >= 0)
			s++;
		size_t ndig = (size_t)(s - digits);
		if (*s && !strchr(" \t\r\n,;#", *s)) {
			snprintf(err, errlen, "'%c' is not a hex digit", *s);
			return -1;
		}
		if (ndig == 0 || ndig % 2) {
			snprintf(err, errlen, "'%.*s' is not a whole number of hex bytes",
				 (int)(s - tok), tok);
			return -1;
		}
		for (size_t k = 0; k < ndig; k += 2) {
			int b = hexval((unsigned char)digits[k]) << 4 |
				hexval((unsigned char)digits[k + 1]);
			if (push_byte(buf, len, cap, (uint8_t)b)) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
		}
	}
	return 0;
}

int cli_read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		cli_error("%s: %s", path, strerror(errno));
		return -1;
	}
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		uint8_t *bigger = realloc(buf, cap * 2);
		if (!bigger)
			free(buf);
		buf = bigger;
		cap *= 2;
	}
	const char *why = !buf ? "out of memory" : ferror(f) ? strerror(errno) : NULL;
	if (f != stdin)
		fclose(f);
	if (why) {
		free(buf);
		cli_error("%s: %s", path, why);
		return -1;
	}
	*data = buf;
	*size = n;
	return 0;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return p && !stat(p, &st) && S_ISDIR(st.st_mode);
}

const char *cli_vmx_guests_default(void)
{
	const char *e = getenv("APXEMU_VMX_GUESTS");
	if (e && *e)
		return e;
#ifdef APXEMU_BUILD_VMX_GUESTS
	if (is_dir(APXEMU_BUILD_VMX_GUESTS))
		return APXEMU_BUILD_VMX_GUESTS;
#endif
	return NULL;
}

const char *cli_vmx_scenarios_default(void)
{
	if (is_dir("tests/vmx/scenarios"))
		return "tests/vmx/scenarios";
#ifdef APXEMU_SOURCE_VMX_SCENARIOS
	if (is_dir(APXEMU_SOURCE_VMX_SCENARIOS))
		return APXEMU_SOURCE_VMX_SCENARIOS;
#endif
	return "tests/vmx/scenarios";
}
