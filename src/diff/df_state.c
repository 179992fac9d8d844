/* Machine states: comparison, printing, and the reproducer file format.
 *
 * A reproducer is a text file of `key value` lines; `#` starts a comment:
 *   code ADDR HEXBYTES      the instructions, loaded at ADDR (in the code region); RIP
 *                           starts there
 *   rip VALUE, rflags VALUE, mxcsr VALUE
 *   rax..r15 VALUE          GPRs (r16..r31 for APX states)
 *   xmmN HEX32              16 bytes, memory order (ymmhN: bits 255:128 of ymmN)
 *   fcw, fsw, ftw VALUE     x87 control, status, abridged tag byte (bit i: register i valid)
 *   rN(x87) HEX20           x87 physical register N, 10 bytes, memory order
 *   mem ADDR HEXBYTES       sandbox bytes at ADDR (runs of zero bytes are left out)
 *   steps N                 informative: the instructions run until RIP leaves the code
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ae_gen.h"
#include "apxemu/decoder.h"
#include "df.h"

static const char *const gpr_names[32] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8",  "r9",  "r10",
	"r11", "r12", "r13", "r14", "r15", "r16", "r17", "r18", "r19", "r20", "r21",
	"r22", "r23", "r24", "r25", "r26", "r27", "r28", "r29", "r30", "r31"};

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void df_rng_seed(df_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++) { /* splitmix64 */
		seed += 0x9e3779b97f4a7c15ull;
		uint64_t z = seed;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		r->s[i] = z ^ (z >> 31);
	}
}

uint64_t df_rng_next(df_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

/* Table flag letters o s z a p c d i are bits 0..7 (isa/README.md). */
uint64_t df_undef_mask(unsigned form)
{
	static const uint64_t bit[8] = {0x800, 0x80, 0x40, 0x10, 0x4, 0x1, 0x400, 0x200};
	uint64_t m = 0;
	if (form >= DEC_NFORMS)
		return 0;
	for (unsigned i = 0; i < 8; i++)
		if (dec_forms[form].flags_u & (1u << i))
			m |= bit[i];
	return m;
}

int df_state_diff(const df_state *a, const df_state *b, uint64_t flag_mask, unsigned ngpr,
		  char *buf, size_t buflen)
{
	int n = 0;
	size_t used = 0;
	buf[0] = 0;
#define ADD(...)                                                                             \
	do {                                                                                 \
		n++;                                                                         \
		if (used < buflen) {                                                         \
			int k_ = snprintf(buf + used, buflen - used, __VA_ARGS__);          \
			if (k_ > 0)                                                          \
				used += (size_t)k_;                                          \
		}                                                                            \
	} while (0)
	for (unsigned i = 0; i < ngpr; i++)
		if (a->gpr[i] != b->gpr[i])
			ADD(" %s", gpr_names[i]);
	if (a->rip != b->rip)
		ADD(" rip");
	uint64_t fd = (a->rflags ^ b->rflags) & flag_mask;
	if (fd) {
		static const char *const fl[12] = {"cf", "", "pf", "", "af", "", "zf", "sf",
						   "tf", "if", "df", "of"};
		for (unsigned i = 0; i < 12; i++)
			if (fd & (1ull << i))
				ADD(" %s", fl[i]);
	}
	if (a->mxcsr != b->mxcsr)
		ADD(" mxcsr");
	for (unsigned i = 0; i < 16; i++)
		if (memcmp(a->xmm[i], b->xmm[i], 16))
			ADD(" xmm%u", i);
	for (unsigned i = 0; i < 16; i++)
		if (memcmp(a->ymmh[i], b->ymmh[i], 16))
			ADD(" ymm%u.hi", i);
	if (a->fcw != b->fcw)
		ADD(" fcw");
	if (a->fsw != b->fsw)
		ADD(" fsw");
	if (a->ftw != b->ftw)
		ADD(" ftw");
	/* the contents of empty registers are not compared */
	for (unsigned i = 0; i < 8; i++)
		if (((a->ftw | b->ftw) >> i & 1) && memcmp(a->st[i], b->st[i], 10))
			ADD(" r%u(x87)", i);
	for (unsigned i = 0; memcmp(a->mem, b->mem, DF_DATA_SIZE) && i < DF_DATA_SIZE; i++)
		if (a->mem[i] != b->mem[i]) {
			ADD(" mem[0x%" PRIx64 "]", DF_DATA_BASE + i);
			break;
		}
#undef ADD
	return n;
}

static void put_hex(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

void df_state_print(FILE *f, const char *name, const df_state *st, const df_state *ref,
		    uint64_t flag_mask)
{
	fprintf(f, "  %s:\n   ", name);
	for (unsigned i = 0; i < 16; i++) {
		bool d = ref && ref->gpr[i] != st->gpr[i];
		fprintf(f, " %s%s=%016" PRIx64, d ? "*" : "", gpr_names[i], st->gpr[i]);
		if (i % 4 == 3)
			fprintf(f, "\n   ");
	}
	bool dr = ref && ref->rip != st->rip;
	bool df = ref && ((ref->rflags ^ st->rflags) & flag_mask);
	fprintf(f, " %srip=%016" PRIx64 " %srflags=%08" PRIx64 " mxcsr=%08x\n", dr ? "*" : "",
		st->rip, df ? "*" : "", st->rflags, st->mxcsr);
	bool x87 = !ref || ref->fcw != st->fcw || ref->fsw != st->fsw || ref->ftw != st->ftw ||
		   memcmp(ref->st, st->st, sizeof st->st);
	if (x87 && (st->ftw || st->fsw || st->fcw != 0x37f)) {
		fprintf(f, "    fcw=%04x fsw=%04x ftw=%02x", st->fcw, st->fsw, st->ftw);
		for (unsigned i = 0; i < 8; i++)
			if (st->ftw >> i & 1) {
				fprintf(f, " r%u=", i);
				for (unsigned k = 10; k-- > 0;)
					fprintf(f, "%02x", st->st[i][k]);
			}
		fprintf(f, "\n");
	}
	for (unsigned i = 0; i < 16; i++)
		if (ref ? memcmp(ref->ymmh[i], st->ymmh[i], 16) != 0
			: memcmp(st->ymmh[i], (const uint8_t[16]){0}, 16) != 0) {
			fprintf(f, "    ymm%u.hi=", i);
			put_hex(f, st->ymmh[i], 16);
			fprintf(f, "\n");
		}
	for (unsigned i = 0; i < 16; i++)
		if (!ref || memcmp(ref->xmm[i], st->xmm[i], 16)) {
			fprintf(f, "    xmm%u=", i);
			put_hex(f, st->xmm[i], 16);
			fprintf(f, "\n");
		}
	if (ref)
		for (unsigned i = 0; i < DF_DATA_SIZE; i += 16)
			if (memcmp(ref->mem + i, st->mem + i, 16)) {
				fprintf(f, "    mem[%#" PRIx64 "]=", DF_DATA_BASE + i);
				put_hex(f, st->mem + i, 16);
				fprintf(f, "\n");
			}
}

int df_repro_write(const char *path, const uint8_t *code, size_t len, const df_state *st,
		   const char *comment)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "# apxemu diff reproducer: apxemu diff --replay %s\n", path);
	if (comment)
		fprintf(f, "# %s\n", comment);
	fprintf(f, "code %#" PRIx64 " ", st->rip);
	put_hex(f, code, len);
	fprintf(f, "\nsteps 1\nrip %#" PRIx64 "\nrflags %#" PRIx64 "\nmxcsr %#x\n", st->rip,
		st->rflags, st->mxcsr);
	for (unsigned i = 0; i < 32; i++)
		if (i < 16 || st->gpr[i])
			fprintf(f, "%s %#" PRIx64 "\n", gpr_names[i], st->gpr[i]);
	for (unsigned i = 0; i < 16; i++) {
		fprintf(f, "xmm%u ", i);
		put_hex(f, st->xmm[i], 16);
		fprintf(f, "\n");
	}
	for (unsigned i = 0; i < 16; i++)
		if (memcmp(st->ymmh[i], (const uint8_t[16]){0}, 16)) {
			fprintf(f, "ymmh%u ", i);
			put_hex(f, st->ymmh[i], 16);
			fprintf(f, "\n");
		}
	fprintf(f, "fcw %#x\nfsw %#x\nftw %#x\n", st->fcw, st->fsw, st->ftw);
	for (unsigned i = 0; i < 8; i++)
		if (st->ftw >> i & 1) {
			fprintf(f, "r%u(x87) ", i);
			put_hex(f, st->st[i], 10);
			fprintf(f, "\n");
		}
	for (unsigned i = 0; i < DF_DATA_SIZE; i += 32) {
		static const uint8_t zero[32];
		if (!memcmp(st->mem + i, zero, 32))
			continue;
		fprintf(f, "mem %#" PRIx64 " ", DF_DATA_BASE + i);
		put_hex(f, st->mem + i, 32);
		fprintf(f, "\n");
	}
	return fclose(f) ? -1 : 0;
}

int df_parse_hex(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = 0;
	int hi = -1;
	for (; *s; s++) {
		if (isspace((unsigned char)*s) || *s == ',')
			continue;
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && hi < 0) {
			s++;
			continue;
		}
		if (!isxdigit((unsigned char)*s))
			return -1;
		int v = isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10);
		if (hi < 0) {
			hi = v;
		} else {
			if (n >= cap)
				return -1;
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		return -1;
	*len = n;
	return 0;
}

int df_repro_read(const char *path, uint8_t *code, size_t cap, size_t *len, df_state *st,
		  char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot open %s", path);
		return -1;
	}
	memset(st, 0, sizeof *st);
	st->rflags = 2;
	st->mxcsr = 0x1f80;
	st->fcw = 0x37f;
	st->rip = DF_CODE_BASE;
	*len = 0;
	char line[4096];
	int lineno = 0, rc = 0;
	uint64_t code_at = 0;
	bool have_rip = false;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *h = strchr(line, '#');
		if (h)
			*h = 0;
		char key[32], a[64];
		int pos = 0;
		if (sscanf(line, "%31s%n", key, &pos) != 1)
			continue;
		char *rest = line + pos;
		uint64_t v = 0;
		bool bad = false;
		if (!strcmp(key, "code") || !strcmp(key, "mem")) {
			int p2 = 0;
			if (sscanf(rest, "%63s%n", a, &p2) != 1) {
				bad = true;
			} else {
				uint64_t addr = strtoull(a, NULL, 0);
				uint8_t buf[2048];
				size_t n = 0;
				if (df_parse_hex(rest + p2, buf, sizeof buf, &n))
					bad = true;
				else if (key[0] == 'c') {
					code_at = addr;
					if (addr < DF_CODE_BASE || n > cap ||
					    addr + n > DF_CODE_BASE + DF_CODE_SIZE)
						bad = true;
					else {
						memcpy(code, buf, n);
						*len = n;
					}
				} else if (addr < DF_DATA_BASE ||
					   addr + n > DF_DATA_BASE + DF_DATA_SIZE) {
					bad = true;
				} else {
					memcpy(st->mem + (addr - DF_DATA_BASE), buf, n);
				}
			}
		} else if (!strncmp(key, "ymmh", 4)) {
			unsigned i = (unsigned)atoi(key + 4);
			size_t n = 0;
			if (i >= 16 || df_parse_hex(rest, st->ymmh[i], 16, &n) || n != 16)
				bad = true;
		} else if (key[0] == 'r' && strstr(key, "(x87)")) {
			unsigned i = (unsigned)atoi(key + 1);
			size_t n = 0;
			if (i >= 8 || df_parse_hex(rest, st->st[i], 10, &n) || n != 10)
				bad = true;
		} else if (!strncmp(key, "xmm", 3)) {
			unsigned i = (unsigned)atoi(key + 3);
			size_t n = 0;
			if (i >= 16 || df_parse_hex(rest, st->xmm[i], 16, &n) || n != 16)
				bad = true;
		} else {
			if (sscanf(rest, "%63s", a) != 1)
				bad = true;
			else
				v = strtoull(a, NULL, 0);
			if (!bad && !strcmp(key, "rip")) {
				st->rip = v;
				have_rip = true;
			}
			else if (!bad && !strcmp(key, "rflags"))
				st->rflags = v;
			else if (!bad && !strcmp(key, "mxcsr"))
				st->mxcsr = (uint32_t)v;
			else if (!bad && !strcmp(key, "fcw"))
				st->fcw = (uint16_t)v;
			else if (!bad && !strcmp(key, "fsw"))
				st->fsw = (uint16_t)v;
			else if (!bad && !strcmp(key, "ftw"))
				st->ftw = (uint8_t)v;
			else if (!bad && !strcmp(key, "steps"))
				;
			else if (!bad) {
				unsigned i;
				for (i = 0; i < 32; i++)
					if (!strcmp(key, gpr_names[i]))
						break;
				if (i == 32)
					bad = true;
				else
					st->gpr[i] = v;
			}
		}
		if (bad) {
			snprintf(err, errlen, "%s:%d: bad line", path, lineno);
			rc = -1;
			break;
		}
	}
	fclose(f);
	if (!rc && !*len) {
		snprintf(err, errlen, "%s: no code line", path);
		rc = -1;
	}
	if (!rc && !have_rip)
		st->rip = code_at;
	if (!rc && st->rip != code_at) {
		snprintf(err, errlen, "%s: rip must be the address of the code line", path);
		rc = -1;
	}
	return rc;
}

static char known_forms[256];

void df_set_known_forms(const char *list)
{
	snprintf(known_forms, sizeof known_forms, ",%s,", list ? list : "");
}

bool df_known_form(unsigned form)
{
	char key[64];
	if (!known_forms[0] || form >= DEC_NFORMS)
		return false;
	snprintf(key, sizeof key, ",%s,", ae_form_mnemonic(form));
	return strstr(known_forms, key) != NULL;
}
