/* Decoder internals shared by decode.c, format.c and explain.c. */
#ifndef AE_DEC_INTERNAL_H
#define AE_DEC_INTERNAL_H

#include "ae_gen.h"
#include "apxemu/decoder.h"

/* Everything the decoder learned about the encoding, with byte positions, for ae_explain(). */
typedef struct dec_state {
	const uint8_t *b;
	size_t len, pos;
	/* legacy prefixes */
	uint8_t p66, p67, lock, rep, seg, npfx;
	int8_t rex_pos, rex2_pos, vex_pos, opc_pos, modrm_pos, sib_pos, disp_pos, imm_pos;
	uint8_t rex, has_rex, rex2, has_rex2;
	/* VEX / EVEX / XOP payload */
	uint8_t vexkind; /* 0 none, 1 VEX2, 2 VEX3, 3 EVEX, 4 XOP */
	uint8_t vp[3];
	uint8_t enc, map, opc;
	/* extracted register-extension bits (logical, not inverted) */
	uint8_t R, X, B, W, R4, X4, B4, V4, vvvv, L, pp, z, bb, aaa;
	/* ModRM/SIB/disp */
	uint8_t has_modrm, modrm, mod, reg, rm, has_sib, sib, disp_size;
	int32_t disp;
	uint8_t imm_size;
	uint32_t sel;
	int form;
} dec_state;

ae_status dec_run(const ae_decode_ctx *ctx, const uint8_t *bytes, size_t len, ae_insn *out,
		  dec_state *st);

static inline const dec_form *dec_form_of(const ae_insn *in)
{
	return &dec_forms[in->form];
}

#endif
