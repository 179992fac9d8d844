/* Random bytes: millions of 15-byte strings from a fixed seed, their heads shaped like real
 * encodings (legacy prefixes, REX, REX2 D5, VEX C4/C5, EVEX 62, the 0F escapes), decoded by
 * apxemu (which must not crash: the asan preset turns any out-of-bounds read or undefined
 * behaviour into a failure) and by LLVM 19 with the APX features.
 *
 * Where both accept, the lengths must be equal, except where LLVM is documented wrong: 66 on
 * a near branch (LLVM reads rel16 as AMD CPUs do; Intel ignores 66 in 64-bit mode, SDM Vol. 2
 * Jcc/JMP/CALL) and SIB.base=101 with mod=00 under REX2.B4/EVEX.B4 (no base + disp32,
 * apx-isa.md 1.1; LLVM reads r21/r29 and no displacement), and a REX followed by another
 * prefix (the REX is ignored, the other prefixes apply; LLVM prints them apart, "data16",
 * "ss", "rex64", and decodes the rest without them). Where LLVM accepts what apxemu rejects, the
 * count is printed by our #UD reason; most are LLVM laxities documented in apx-isa.md §5.7
 * (REX2 on opcodes that are #UD with it, JMPABS with W=1 or 66, EVEX with U=0 on register
 * forms, L'L/aaa/reserved bits, 66 before EVEX, POP2 of RSP or of one register twice) or
 * the LOCK rule LLVM does not check; they are not failures. Every accepted instruction is
 * also formatted in both syntaxes and explained, and every string decoded with APX disabled
 * and at shorter lengths, from an exact-size heap buffer.
 *
 *   check_random [--count N] [--seed S] [--limit N]
 */
#include "oracle.h"

#include <apxemu/decoder.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rng() % n);
}

/* Fills b[0..15) with random bytes and a plausible head; returns how the head was shaped. */
static int shape(uint8_t *b)
{
	static const uint8_t legacy[] = {0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e,
					 0x36, 0x3e, 0x26, 0x64, 0x65};
	for (int i = 0; i < 15; i++)
		b[i] = (uint8_t)rng();
	int kind = (int)pick(10);
	if (kind == 9)
		return kind; /* no structure at all */
	int o = 0;
	unsigned r = pick(100);
	int npfx = r < 55 ? 0 : r < 85 ? 1 : r < 96 ? 2 : 3;
	for (int i = 0; i < npfx; i++)
		b[o++] = legacy[pick(sizeof legacy)];
	if (pick(4) == 0)
		b[o++] = (uint8_t)(0x40 | pick(16));
	switch (kind) {
	case 0: /* one-byte opcode map */
		break;
	case 1:
		b[o++] = 0x0f;
		break;
	case 2:
		b[o++] = 0x0f;
		b[o++] = pick(2) ? 0x38 : 0x3a;
		break;
	case 3: /* REX2: map bit and payload random */
	case 4:
		b[o++] = 0xd5;
		break;
	case 5:
		b[o++] = 0xc5;
		break;
	case 6: /* VEX3, mostly with a map that exists */
		b[o++] = 0xc4;
		if (pick(4))
			b[o] = (uint8_t)((b[o] & 0xe0) | (1 + pick(3)));
		break;
	default: /* EVEX, mostly with a map that exists and U=1 */
		b[o++] = 0x62;
		if (pick(8))
			b[o] = (uint8_t)((b[o] & 0xf8) | (1 + pick(7)));
		if (pick(5))
			b[o + 1] |= 0x04;
		if (pick(2)) /* no reserved/opmask bits, VL 128 */
			b[o + 2] &= 0x18;
		break;
	}
	return kind;
}

static bool documented_laxity(int reason)
{
	switch (reason) {
	case AE_UD_REX2_OPCODE:
	case AE_UD_REX2_AFTER_REX:
	case AE_UD_REX2_PREFIX:
	case AE_UD_JMPABS:
	case AE_UD_EVEX_U:
	case AE_UD_EVEX_RESERVED:
	case AE_UD_VEX_PREFIX:
	case AE_UD_PUSH2POP2:
	case AE_UD_VL:
	case AE_UD_MASK:
	case AE_UD_LOCK:
		return true;
	default:
		return false;
	}
}

static bool is_legacy_or_rex(uint8_t c)
{
	return c == 0x66 || c == 0x67 || c == 0xf0 || c == 0xf2 || c == 0xf3 || c == 0x2e ||
	       c == 0x36 || c == 0x3e || c == 0x26 || c == 0x64 || c == 0x65 || (c & 0xf0) == 0x40;
}

/* Length disagreements where LLVM 19 is documented wrong; NULL if unexplained. */
static const char *known_length_difference(const uint8_t *b, const ae_insn *in, size_t llen,
					   int joined, const char *ltext)
{
	/* A REX followed by another prefix (or REX) is ignored (SDM Vol. 2 2.2.1: REX must
	 * immediately precede the opcode), and the other prefixes still apply; LLVM prints the
	 * prefixes up to such a REX apart ("data16", "ss", "rex64") and decodes the rest without
	 * them. */
	(void)ltext;
	for (size_t k = 0; joined && k + 1 < 15 && is_legacy_or_rex(b[k]); k++)
		if ((b[k] & 0xf0) == 0x40 && is_legacy_or_rex(b[k + 1]))
			return "split-prefix";
	size_t i = 0;
	bool has66 = false;
	while (i < 14 && is_legacy_or_rex(b[i])) {
		has66 |= b[i] == 0x66;
		i++;
	}
	/* SDM Vol. 2 Jcc/JMP/CALL: in 64-bit mode the operand size of near branches is 64 bits
	 * and Intel CPUs ignore 66 (rel32 stays); LLVM reads rel16, as AMD CPUs do. */
	if (in->nops && in->ops[0].kind == AE_OP_REL && has66 && llen + 2 == in->len)
		return "branch-66";
	/* apx-isa.md 1.1: SIB.base=101 with mod=00 means no base + disp32 whatever B3/B4 say;
	 * LLVM takes r21/r29 (B4=1) and reads no displacement. */
	/* apx-isa.md 5.7 (and notes of the SSE rows): with REX2.W=1 in map 1, LLVM drops a
	 * 66/F2/F3 mandatory prefix and decodes the no-prefix instruction. */
	bool mandatory = false;
	for (size_t k = 0; k < i; k++)
		mandatory |= b[k] == 0x66 || b[k] == 0xf2 || b[k] == 0xf3;
	if (b[i] == 0xd5 && (b[i + 1] & 0x88) == 0x88 && mandatory)
		return "rex2-w-prefix";
	bool b4 = (b[i] == 0xd5 && (b[i + 1] & 0x10)) || (b[i] == 0x62 && (b[i + 1] & 0x08));
	for (int k = 0; k < in->nops; k++)
		if (in->ops[k].kind == AE_OP_MEM && in->mem.base == AE_R_NONE && b4 &&
		    llen + 4 == in->len)
			return "sib-base-b4";
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long count = 2000000;
	uint64_t seed = 0x41505845u;
	int limit = 25;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--limit") && i + 1 < argc)
			limit = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--count N] [--seed S] [--limit N]\n", argv[0]);
			return 2;
		}
	}
	rng_state = seed;
	ae_decode_ctx ctx, noapx;
	ae_decode_ctx_default(&ctx);
	noapx = ctx;
	noapx.apx = false;
	ou_llvm *llvm = ou_llvm_new(true, false);
	uint8_t *buf = malloc(15); /* exact size: ASan sees any read past the end */
	static char text[512], explain[8192];
	unsigned long both = 0, agree = 0, lenmis = 0, we_only = 0, llvm_only = 0, neither = 0;
	unsigned long known_branch66 = 0, known_sib = 0, known_split = 0, known_rex2w = 0, trunc_bad = 0;
	unsigned long lax[AE_UD__COUNT] = {0}, status_only[3] = {0};
	int shown = 0, shown_we = 0;
	double t0 = ou_now();

	for (unsigned long k = 0; k < count; k++) {
		shape(buf);
		ae_insn in;
		ae_status st = ae_decode(&ctx, buf, 15, &in);
		if (st == AE_OK) {
			ae_format(&in, AE_SYNTAX_ATT, 0, 0, text, sizeof text);
			ae_format(&in, AE_SYNTAX_INTEL, AE_FMT_ABS_BRANCH, 0x401000, text, sizeof text);
		}
		if ((k & 15) == 0)
			ae_explain(&ctx, buf, 15, explain, sizeof explain);
		ae_insn in2;
		ae_decode(&noapx, buf, 15, &in2);
		if (st == AE_OK && in.len > 1) { /* every shorter length must be "truncated" */
			size_t cut = 1 + pick(in.len - 1u);
			ae_status st3 = ae_decode(&ctx, buf + 15 - cut, cut, &in2);
			(void)st3; /* different bytes: only must not crash */
			ae_status st4 = ae_decode(&ctx, buf, cut, &in2);
			if (st4 != AE_TRUNCATED) {
				char hex[64];
				ou_hex(buf, in.len, hex, sizeof hex);
				if (shown++ < limit)
					printf("PREFIX NOT TRUNCATED: %s cut at %zu gives %s\n", hex, cut,
					       ae_status_name(st4));
				trunc_bad++;
			}
		}
		int joined = 0;
		size_t llen = ou_llvm_decode(llvm, buf, 15, text, sizeof text, &joined);
		bool ok = st == AE_OK;
		if (ok && llen) {
			both++;
			if (llen == in.len) {
				agree++;
				continue;
			}
			const char *known = known_length_difference(buf, &in, llen, joined, text);
			if (known) {
				if (!strcmp(known, "branch-66"))
					known_branch66++;
				else if (!strcmp(known, "split-prefix"))
					known_split++;
				else if (!strcmp(known, "rex2-w-prefix"))
					known_rex2w++;
				else
					known_sib++;
				continue;
			}
			lenmis++;
			if (shown++ < limit) {
				char hex[64], ours[256];
				ou_hex(buf, 15, hex, sizeof hex);
				ae_format(&in, AE_SYNTAX_ATT, 0, 0, ours, sizeof ours);
				printf("LENGTH %s: ours %u \"%s\", llvm %zu \"%s\"\n", hex, in.len, ours,
				       llen, text);
			}
		} else if (ok) {
			we_only++;
			if (shown_we++ < 5) {
				char hex[64], ours[256];
				ou_hex(buf, in.len, hex, sizeof hex);
				ae_format(&in, AE_SYNTAX_ATT, 0, 0, ours, sizeof ours);
				printf("note: LLVM rejects what apxemu accepts: %s  %s\n", hex, ours);
			}
		} else if (llen) {
			llvm_only++;
			if (st == AE_UD && in.ud < AE_UD__COUNT)
				lax[in.ud]++;
			else
				status_only[st]++;
		} else {
			neither++;
		}
	}
	double dt = ou_now() - t0;
	printf("random: %lu strings (seed %#llx) in %.1f s: %lu both accept (%lu same length, "
	       "%lu documented LLVM length errors, %lu length mismatches), %lu only apxemu accepts, "
	       "%lu only LLVM accepts, %lu both reject, %lu prefixes not truncated\n",
	       count, (unsigned long long)seed, dt, both, agree, known_branch66 + known_sib + known_split + known_rex2w,
	       lenmis,
	       we_only, llvm_only, neither, trunc_bad);
	printf("    LLVM length differs, 66 on a near branch (rel16; Intel ignores 66)  %8lu\n",
	       known_branch66);
	printf("    LLVM length differs, SIB base 101 mod 00 with B4 (apx-isa.md 1.1)    %8lu\n",
	       known_sib);
	printf("    LLVM length differs, REX then a prefix: LLVM drops the prefixes      %8lu\n",
	       known_split);
	printf("    LLVM length differs, REX2.W=1 drops a mandatory prefix (apx-isa.md 5.7) %8lu\n",
	       known_rex2w);
	unsigned long documented = 0;
	for (int r = 0; r < AE_UD__COUNT; r++) {
		if (!lax[r])
			continue;
		bool d = documented_laxity(r);
		documented += d ? lax[r] : 0;
		printf("    LLVM accepts, apxemu #UD %-16s %8lu%s\n", ae_ud_reason_name((ae_ud_reason)r),
		       lax[r], d ? "  (LLVM laxity, apx-isa.md 5.7)" : "");
	}
	if (status_only[AE_TRUNCATED])
		printf("    LLVM accepts, apxemu truncated %8lu\n", status_only[AE_TRUNCATED]);
	printf("    documented LLVM laxities: %lu of %lu\n", documented, llvm_only);
	free(buf);
	ou_llvm_free(llvm);
	return lenmis || trunc_bad ? 1 : 0;
}
