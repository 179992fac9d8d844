/* Unit tests of the decoder API (include/apxemu/decoder.h): statuses, truncation, bounds,
 * reason and feature names, context toggles, the 15-byte limit, formatting into small
 * buffers. Instruction texts in bulk are the oracle tests' business (tests/oracle). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <apxemu/decoder.h>
#include <check.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct sample {
	const char *what;
	uint8_t len;
	uint8_t b[15];
} sample;

/* Valid instructions of many shapes, each checked against LLVM 19 (tests/oracle). */
static const sample samples[] = {
	{"add imm32 to SIB+disp32 memory", 12,
	 {0x48, 0x81, 0x84, 0x88, 0x44, 0x33, 0x22, 0x11, 0x78, 0x56, 0x34, 0x12}},
	{"REX2 add imm32 to memory", 13,
	 {0xd5, 0x48, 0x81, 0x84, 0x88, 0x44, 0x33, 0x22, 0x11, 0x78, 0x56, 0x34, 0x12}},
	{"EVEX NDD add, 15 bytes", 15,
	 {0x62, 0xf4, 0xfc, 0x18, 0x81, 0x84, 0x88, 0x44, 0x33, 0x22, 0x11, 0x78, 0x56, 0x34,
	  0x12}},
	{"JMPABS", 11, {0xd5, 0x00, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}},
	{"AVX-512 vaddps zmm, disp32", 11,
	 {0x62, 0xf1, 0x7c, 0x48, 0x58, 0x84, 0x88, 0x44, 0x33, 0x22, 0x11}},
	{"VEX3 vinsertf128", 11, {0xc4, 0xe3, 0x7d, 0x18, 0x84, 0x88, 0x44, 0x33, 0x22, 0x11, 0x01}},
	{"{nf} add", 6, {0x62, 0xf4, 0xfc, 0x0c, 0x01, 0xc3}},
	{"mov r64, imm64", 10, {0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8}},
	{"popcnt with mandatory F3 and REX2", 5, {0xf3, 0xd5, 0xd8, 0xb8, 0xc8}},
	{"nopw with segment and 66", 10, {0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0}},
};
#define NSAMPLES (sizeof samples / sizeof samples[0])

static ae_decode_ctx ctx;

static void setup(void)
{
	ae_decode_ctx_default(&ctx);
}

START_TEST(test_samples_decode)
{
	const sample *s = &samples[_i];
	ae_insn in;
	memset(&in, 0xa5, sizeof in);
	ck_assert_msg(ae_decode(&ctx, s->b, s->len, &in) == AE_OK, "%s", s->what);
	ck_assert_uint_eq(in.len, s->len);
	ck_assert_uint_le(in.nops, 5);
	/* Extra bytes after the instruction change nothing. */
	uint8_t more[32];
	memset(more, 0x90, sizeof more);
	memcpy(more, s->b, s->len);
	ae_insn in2;
	ck_assert(ae_decode(&ctx, more, sizeof more, &in2) == AE_OK);
	ck_assert_uint_eq(in2.len, s->len);
	ck_assert_uint_eq(in2.form, in.form);
}
END_TEST

/* Every proper prefix of a valid instruction is "truncated", never #UD or OK. */
START_TEST(test_truncated_at_every_length)
{
	const sample *s = &samples[_i];
	for (size_t k = 0; k < s->len; k++) {
		ae_insn in;
		ae_status st = ae_decode(&ctx, s->b, k, &in);
		ck_assert_msg(st == AE_TRUNCATED, "%s: %zu of %u bytes gave %s", s->what, k, s->len,
			      ae_status_name(st));
	}
}
END_TEST

/* The bytes end at a page followed by an inaccessible one: a read past len faults. */
static uint8_t *guard_page(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *m = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	ck_assert(m != MAP_FAILED);
	ck_assert_int_eq(mprotect(m + pg, (size_t)pg, PROT_NONE), 0);
	return m + pg; /* the end of the readable page */
}

START_TEST(test_never_reads_past_len)
{
	uint8_t *end = guard_page();
	for (size_t i = 0; i < NSAMPLES; i++)
		for (size_t k = 0; k <= samples[i].len; k++) {
			memcpy(end - k, samples[i].b, k);
			ae_insn in;
			ae_status st = ae_decode(&ctx, end - k, k, &in);
			ck_assert(st == (k == samples[i].len ? AE_OK : AE_TRUNCATED));
		}
	/* Random bytes and random lengths, each ending at the guard; APX on and off. */
	ae_decode_ctx noapx = ctx;
	noapx.apx = false;
	uint64_t x = 0x1234567;
	char text[256], expl[4096];
	for (int n = 0; n < 200000; n++) {
		size_t k = 1 + (size_t)(n % 15);
		for (size_t j = 0; j < k; j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			end[-1 - (long)j] = (uint8_t)x;
		}
		static const uint8_t heads[] = {0xd5, 0x62, 0xc4, 0xc5, 0x0f, 0x66, 0xf3, 0x48};
		if (n & 1)
			end[-(long)k] = heads[(n >> 1) % sizeof heads];
		ae_insn in;
		if (ae_decode(n & 2 ? &noapx : &ctx, end - k, k, &in) == AE_OK) {
			ck_assert_uint_le(in.len, k);
			ae_format(&in, AE_SYNTAX_ATT, 0, 0, text, sizeof text);
			ae_format(&in, AE_SYNTAX_INTEL, AE_FMT_ABS_BRANCH, 0x1000, text, sizeof text);
		}
		if (n % 8 == 0)
			ae_explain(&ctx, end - k, k, expl, sizeof expl);
	}
	/* Nothing at all. */
	ae_insn in;
	ck_assert(ae_decode(&ctx, end, 0, &in) == AE_TRUNCATED);
}
END_TEST

START_TEST(test_exact_heap_buffers)
{
	/* Under AddressSanitizer a read one past a malloc'ed buffer is a report. */
	for (size_t i = 0; i < NSAMPLES; i++)
		for (size_t k = 1; k <= samples[i].len; k++) {
			uint8_t *b = malloc(k);
			memcpy(b, samples[i].b, k);
			ae_insn in;
			ck_assert(ae_decode(&ctx, b, k, &in) ==
				  (k == samples[i].len ? AE_OK : AE_TRUNCATED));
			char expl[4096];
			ae_explain(&ctx, b, k, expl, sizeof expl);
			free(b);
		}
}
END_TEST

START_TEST(test_ud_reason_names)
{
	for (int r = 0; r < AE_UD__COUNT; r++) {
		const char *n = ae_ud_reason_name((ae_ud_reason)r);
		ck_assert_msg(n && *n, "reason %d has no name", r);
		for (const char *p = n; *p; p++)
			ck_assert_msg(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-',
				      "reason name \"%s\" is not lowercase-with-dashes", n);
		for (int q = 0; q < r; q++)
			ck_assert_str_ne(n, ae_ud_reason_name((ae_ud_reason)q));
	}
	ck_assert_str_eq(ae_ud_reason_name(AE_UD_REX2_OPCODE), "rex2-opcode");
	/* Out of range: an answer, not a crash. */
	(void)ae_ud_reason_name((ae_ud_reason)(AE_UD__COUNT + 3));
	ck_assert_str_ne(ae_status_name(AE_OK), ae_status_name(AE_TRUNCATED));
	ck_assert_str_ne(ae_status_name(AE_OK), ae_status_name(AE_UD));
	ck_assert_str_ne(ae_status_name(AE_UD), ae_status_name(AE_TRUNCATED));
}
END_TEST

START_TEST(test_feature_names_and_toggles)
{
	ck_assert_uint_eq(ctx.mode, AE_MODE_64);
	ck_assert(ctx.apx);
	for (int f = 0; f < AE_FEAT__COUNT; f++) {
		const char *n = ae_feature_name((ae_feature)f);
		ck_assert_msg(n && *n, "feature %d has no name", f);
		for (int g = 0; g < f; g++)
			ck_assert_str_ne(n, ae_feature_name((ae_feature)g));
		ck_assert_msg(ae_decode_ctx_has_feature(&ctx, (ae_feature)f),
			      "default context lacks %s", n);
	}
	for (int f = 0; f < AE_FEAT__COUNT; f++) {
		ae_decode_ctx c = ctx;
		ae_decode_ctx_set_feature(&c, (ae_feature)f, false);
		for (int g = 0; g < AE_FEAT__COUNT; g++)
			ck_assert(ae_decode_ctx_has_feature(&c, (ae_feature)g) == (g != f));
		ae_decode_ctx_set_feature(&c, (ae_feature)f, true);
		ck_assert(!memcmp(&c, &ctx, sizeof c));
	}
}
END_TEST

static void expect_ud(const ae_decode_ctx *c, const uint8_t *b, size_t n, ae_ud_reason want)
{
	ae_insn in;
	ae_status st = ae_decode(c, b, n, &in);
	ck_assert_msg(st == AE_UD, "expected #UD %s, got %s", ae_ud_reason_name(want),
		      ae_status_name(st));
	ck_assert_msg(in.ud == want, "expected #UD %s, got #UD %s", ae_ud_reason_name(want),
		      ae_ud_reason_name((ae_ud_reason)in.ud));
}

static void expect_ok(const ae_decode_ctx *c, const uint8_t *b, size_t n, size_t len)
{
	ae_insn in;
	ae_status st = ae_decode(c, b, n, &in);
	ck_assert_msg(st == AE_OK, "expected a %zu-byte instruction, got %s %s", len,
		      ae_status_name(st),
		      st == AE_UD ? ae_ud_reason_name((ae_ud_reason)in.ud) : "");
	ck_assert_uint_eq(in.len, len);
}

START_TEST(test_feature_gating)
{
	static const uint8_t popcnt[] = {0xf3, 0x0f, 0xb8, 0xc0};
	static const uint8_t vaddps[] = {0xc5, 0xf8, 0x58, 0xc0};
	static const uint8_t vaddps512[] = {0x62, 0xf1, 0x7c, 0x48, 0x58, 0xc0};
	static const uint8_t rex2_add[] = {0xd5, 0x10, 0x01, 0xc0};
	static const uint8_t nf_add[] = {0x62, 0xf4, 0xfc, 0x0c, 0x01, 0xc3};
	ae_decode_ctx c = ctx;
	expect_ok(&c, popcnt, sizeof popcnt, 4);
	ae_decode_ctx_set_feature(&c, AE_FEAT_POPCNT, false);
	expect_ud(&c, popcnt, sizeof popcnt, AE_UD_FEATURE);
	c = ctx;
	expect_ok(&c, vaddps, sizeof vaddps, 4);
	ae_decode_ctx_set_feature(&c, AE_FEAT_AVX, false);
	expect_ud(&c, vaddps, sizeof vaddps, AE_UD_FEATURE);
	c = ctx;
	expect_ok(&c, vaddps512, sizeof vaddps512, 6);
	ae_decode_ctx_set_feature(&c, AE_FEAT_AVX512F, false);
	expect_ud(&c, vaddps512, sizeof vaddps512, AE_UD_FEATURE);
	/* APX off, either way it can be off: XCR0[19]/CR4 (ctx.apx) or CPUID APX_F. */
	c = ctx;
	expect_ok(&c, rex2_add, sizeof rex2_add, 4);
	expect_ok(&c, nf_add, sizeof nf_add, 6);
	c.apx = false;
	expect_ud(&c, rex2_add, sizeof rex2_add, AE_UD_APX_DISABLED);
	expect_ud(&c, nf_add, sizeof nf_add, AE_UD_APX_DISABLED);
	c = ctx;
	ae_decode_ctx_set_feature(&c, AE_FEAT_APX_F, false);
	expect_ud(&c, rex2_add, sizeof rex2_add, AE_UD_APX_DISABLED);
	expect_ud(&c, nf_add, sizeof nf_add, AE_UD_APX_DISABLED);
}
END_TEST

START_TEST(test_fifteen_byte_limit)
{
	uint8_t b[20];
	memset(b, 0x66, sizeof b);
	b[14] = 0x90; /* 14 prefixes + nop: 15 bytes */
	expect_ok(&ctx, b, sizeof b, 15);
	b[14] = 0x66;
	b[15] = 0x90; /* 16 bytes */
	expect_ud(&ctx, b, sizeof b, AE_UD_TOO_LONG);
	expect_ud(&ctx, b, 16, AE_UD_TOO_LONG);
	/* 15 prefix bytes cannot start any instruction, however many bytes follow. */
	expect_ud(&ctx, b, 15, AE_UD_TOO_LONG);
	/* A 15-byte EVEX instruction is fine; one more prefix is not. */
	uint8_t e[16] = {0x67};
	memcpy(e + 1, samples[2].b, 15);
	expect_ok(&ctx, e + 1, 15, 15);
	expect_ud(&ctx, e, 16, AE_UD_TOO_LONG);
}
END_TEST

/* ae_format/ae_explain return the full length and write at most buflen bytes, terminated. */
static void check_small_buffers(const char *full, size_t n,
				size_t (*fn)(const void *arg, char *buf, size_t buflen),
				const void *arg)
{
	ck_assert_uint_eq(fn(arg, NULL, 0), n);
	for (size_t buflen = 0; buflen <= n + 2; buflen++) {
		char buf[8192 + 16];
		memset(buf, 0x7e, sizeof buf);
		ck_assert_uint_eq(fn(arg, buf, buflen), n);
		for (size_t i = buflen; i < buflen + 16; i++)
			ck_assert_msg(buf[i] == 0x7e, "wrote past buflen %zu", buflen);
		if (!buflen)
			continue;
		size_t want = n < buflen - 1 ? n : buflen - 1;
		ck_assert_uint_eq(strlen(buf), want);
		ck_assert(!memcmp(buf, full, want));
	}
}

typedef struct fmt_arg {
	const ae_insn *in;
	ae_syntax syn;
} fmt_arg;

static size_t fmt_fn(const void *arg, char *buf, size_t buflen)
{
	const fmt_arg *a = arg;
	return ae_format(a->in, a->syn, 0, 0, buf, buflen);
}

static size_t explain_fn(const void *arg, char *buf, size_t buflen)
{
	const sample *s = arg;
	return ae_explain(&ctx, s->b, s->len, buf, buflen);
}

START_TEST(test_format_small_buffers)
{
	const sample *s = &samples[_i];
	ae_insn in;
	ck_assert(ae_decode(&ctx, s->b, s->len, &in) == AE_OK);
	for (int syn = 0; syn < 2; syn++) {
		char full[512];
		size_t n = ae_format(&in, (ae_syntax)syn, 0, 0, full, sizeof full);
		ck_assert_uint_gt(n, 0);
		ck_assert_uint_lt(n, sizeof full);
		ck_assert_uint_eq(strlen(full), n);
		fmt_arg a = {&in, (ae_syntax)syn};
		check_small_buffers(full, n, fmt_fn, &a);
	}
	static char full[8192];
	size_t n = ae_explain(&ctx, s->b, s->len, full, sizeof full);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_lt(n, sizeof full);
	check_small_buffers(full, n, explain_fn, s);
}
END_TEST

static void normalize(char *s)
{
	char *w = s;
	bool blank = false;
	for (const char *r = s; *r; r++) {
		if (*r == ' ' || *r == '\t') {
			blank = true;
			continue;
		}
		if (blank && w != s)
			*w++ = ' ';
		blank = false;
		*w++ = *r;
	}
	*w = 0;
}

static void expect_text(const uint8_t *b, size_t n, const char *att, const char *intel)
{
	ae_insn in;
	char t[256];
	ck_assert(ae_decode(&ctx, b, n, &in) == AE_OK);
	ae_format(&in, AE_SYNTAX_ATT, 0, 0, t, sizeof t);
	normalize(t);
	ck_assert_str_eq(t, att);
	ae_format(&in, AE_SYNTAX_INTEL, 0, 0, t, sizeof t);
	normalize(t);
	ck_assert_str_eq(t, intel);
}

START_TEST(test_fields)
{
	ck_assert_uint_le(sizeof(ae_insn), 64);
	ae_insn in;
	static const uint8_t add[] = {0x48, 0x01, 0xc3};
	ck_assert(ae_decode(&ctx, add, sizeof add, &in) == AE_OK);
	ck_assert_uint_eq(in.opsize, 8);
	ck_assert_uint_eq(in.nops, 2);
	ck_assert_uint_eq(in.ops[0].kind, AE_OP_REG); /* slot 0: the destination, rbx */
	ck_assert_uint_eq(in.ops[0].reg, AE_R_GPR + 3);
	ck_assert_uint_eq(in.ops[1].reg, AE_R_GPR + 0);
	expect_text(add, sizeof add, "addq %rax, %rbx", "add rbx, rax");

	const sample *m = &samples[0];
	ck_assert(ae_decode(&ctx, m->b, m->len, &in) == AE_OK);
	ck_assert_uint_eq(in.ops[0].kind, AE_OP_MEM);
	ck_assert_uint_eq(in.mem.base, AE_R_GPR + 0);
	ck_assert_uint_eq(in.mem.index, AE_R_GPR + 1);
	ck_assert_uint_eq(in.mem.scale, 4);
	ck_assert_int_eq(in.mem.disp, 0x11223344);
	ck_assert_uint_eq(in.mem.seg, AE_R_ES + 3);
	ck_assert_uint_eq(in.seg_ovr, AE_R_NONE);
	ck_assert_int_eq(in.imm, 0x12345678);
	ck_assert_uint_eq(in.asize, 8);
	ck_assert_uint_eq(in.memsz, 8);

	static const uint8_t nf[] = {0x62, 0xf4, 0xfc, 0x0c, 0x01, 0xc3};
	ck_assert(ae_decode(&ctx, nf, sizeof nf, &in) == AE_OK);
	ck_assert_uint_eq(in.enc, AE_ENC_EVEX);
	ck_assert(in.flags & AE_F_NF);
	ck_assert(!(in.flags & AE_F_ND));
	expect_text(nf, sizeof nf, "{nf} addq %rax, %rbx", "{nf} add rbx, rax");

	static const uint8_t r16[] = {0xd5, 0x10, 0x89, 0xc0}; /* mov r16d, eax */
	ck_assert(ae_decode(&ctx, r16, sizeof r16, &in) == AE_OK);
	ck_assert_uint_eq(in.enc, AE_ENC_REX2);
	ck_assert(in.flags & AE_F_REX2);
	ck_assert_uint_eq(in.ops[0].reg, AE_R_GPR + 16);
	expect_text(r16, sizeof r16, "movl %eax, %r16d", "mov r16d, eax");

	static const uint8_t rip[] = {0x48, 0x8b, 0x05, 0x10, 0, 0, 0}; /* mov 0x10(%rip), %rax */
	ck_assert(ae_decode(&ctx, rip, sizeof rip, &in) == AE_OK);
	ck_assert_uint_eq(in.mem.base, AE_R_RIP);
	ck_assert(in.flags & AE_F_RIPREL);
	ck_assert_int_eq(in.mem.disp, 0x10);
}
END_TEST

START_TEST(test_names_and_forms)
{
	ck_assert_str_eq(ae_reg_name(AE_R_GPR + 0, 8), "rax");
	ck_assert_str_eq(ae_reg_name(AE_R_GPR + 0, 4), "eax");
	ck_assert_str_eq(ae_reg_name(AE_R_GPR + 0, 2), "ax");
	ck_assert_str_eq(ae_reg_name(AE_R_GPR + 0, 1), "al");
	ck_assert_str_eq(ae_reg_name(AE_R_GPR + 6, 1), "sil");
	ck_assert_str_eq(ae_reg_name(AE_R_GPR + 31, 8), "r31");
	ck_assert_str_eq(ae_reg_name(AE_R_GPR + 16, 4), "r16d");
	ck_assert_str_eq(ae_reg_name(AE_R_AH, 1), "ah");
	ck_assert_str_eq(ae_reg_name(AE_R_VEC + 0, 16), "xmm0");
	ck_assert_str_eq(ae_reg_name(AE_R_VEC + 31, 64), "zmm31");
	ck_assert_str_eq(ae_reg_name(AE_R_K + 1, 8), "k1");
	ck_assert_str_eq(ae_reg_name(AE_R_ES + 4, 2), "fs");
	unsigned n = ae_form_count();
	ck_assert_uint_gt(n, 1000);
	for (unsigned f = 0; f < n; f++) {
		const char *m = ae_form_mnemonic(f);
		ck_assert_msg(m && *m, "form %u has no mnemonic", f);
		ck_assert_int_lt(ae_form_feature(f), AE_FEAT__COUNT);
	}
}
END_TEST

static Suite *decoder_suite(void)
{
	Suite *s = suite_create("decoder");
	TCase *tc = tcase_create("api");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_samples_decode, 0, (int)NSAMPLES);
	tcase_add_loop_test(tc, test_truncated_at_every_length, 0, (int)NSAMPLES);
	tcase_add_test(tc, test_never_reads_past_len);
	tcase_add_test(tc, test_exact_heap_buffers);
	tcase_add_test(tc, test_ud_reason_names);
	tcase_add_test(tc, test_feature_names_and_toggles);
	tcase_add_test(tc, test_feature_gating);
	tcase_add_test(tc, test_fifteen_byte_limit);
	tcase_add_loop_test(tc, test_format_small_buffers, 0, (int)NSAMPLES);
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_names_and_forms);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(decoder_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
