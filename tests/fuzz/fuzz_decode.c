/* libFuzzer target for the decoder: every input is decoded with APX enabled and disabled,
 * at every length from 0 to 15 bytes, from an exact-size copy (so that AddressSanitizer sees
 * a read past len); each instruction found is formatted in AT&T and Intel syntax, with and
 * without absolute branch targets, and explained. The first input byte also toggles one CPUID
 * feature off, so that feature gating is exercised too. */
#include <apxemu/decoder.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const ae_decode_ctx *ctx, const uint8_t *b, size_t n)
{
	static char text[512], expl[16384];
	ae_insn in;
	ae_status st = ae_decode(ctx, b, n, &in);
	if (st == AE_OK) {
		if (in.len == 0 || in.len > n || in.len > 15)
			abort(); /* a length outside the bytes given is a decoder bug */
		ae_format(&in, AE_SYNTAX_ATT, 0, 0, text, sizeof text);
		ae_format(&in, AE_SYNTAX_INTEL, 0, 0, text, sizeof text);
		ae_format(&in, AE_SYNTAX_ATT, AE_FMT_ABS_BRANCH, 0xfffffffffffff000ull, text, 7);
		ae_format(&in, AE_SYNTAX_INTEL, AE_FMT_ABS_BRANCH, 0x401000, text, sizeof text);
		(void)ae_form_mnemonic(in.form);
		(void)ae_feature_name(ae_form_feature(in.form));
	} else if (st == AE_UD) {
		if (!ae_ud_reason_name((ae_ud_reason)in.ud))
			abort();
	} else if (st != AE_TRUNCATED) {
		abort();
	}
	ae_explain(ctx, b, n, expl, sizeof expl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ae_decode_ctx ctx, noapx;
	ae_decode_ctx_default(&ctx);
	if (size > 16 && data[0] < AE_FEAT__COUNT) {
		ae_decode_ctx_set_feature(&ctx, (ae_feature)data[0], false);
		data++;
		size--;
	}
	noapx = ctx;
	noapx.apx = false;
	size_t max = size < 15 ? size : 15;
	for (size_t n = 0; n <= max; n++) {
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, data, n);
		one(&ctx, b, n);
		one(&noapx, b, n);
		free(b);
	}
	if (size > 15) /* longer inputs: the 15-byte limit must hold whatever follows */
		one(&ctx, data, size);
	return 0;
}
