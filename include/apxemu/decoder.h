/* apxemu — x86-64 + Intel APX instruction decoder and formatter.
 *
 * ae_decode() turns bytes into an ae_insn: a compact, normalized record (64 bytes at most)
 * whose operand slots are in SDM order, slot 0 being the written destination. ae_format()
 * prints it in AT&T syntax (as LLVM prints it) or Intel syntax.
 *
 * Decoding depends on a context: the mode, whether APX is enabled (CR4.OSXSAVE and XCR0[19]),
 * and the CPUID features of the modelled CPU. With APX disabled, REX2, EVEX maps 4 and 7 and
 * the extended-GPR bits of EVEX are #UD, exactly as on a CPU without APX.
 */
#ifndef APXEMU_DECODER_H
#define APXEMU_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result of ae_decode(). */
typedef enum ae_status {
	AE_OK = 0,        /* a valid instruction */
	AE_TRUNCATED = 1, /* the bytes end before the instruction does */
	AE_UD = 2,        /* the bytes raise #UD; ae_insn.ud says why */
} ae_status;

/* Why a byte string is #UD. Stable names: see ae_ud_reason_name(). */
typedef enum ae_ud_reason {
	AE_UD_NONE = 0,
	AE_UD_OPCODE,          /* no instruction has this opcode/ModRM/prefix combination */
	AE_UD_TOO_LONG,        /* longer than 15 bytes */
	AE_UD_FEATURE,         /* the CPUID feature the instruction needs is absent */
	AE_UD_MODE,            /* not valid in this mode */
	AE_UD_LOCK,            /* LOCK on an instruction or form that does not allow it */
	AE_UD_REX2_OPCODE,     /* opcode that is #UD with REX2 (APX spec 3.1.2.1; apx-isa.md 1.2) */
	AE_UD_REX2_AFTER_REX,  /* REX immediately before REX2 */
	AE_UD_REX2_PREFIX,     /* a prefix, REX, REX2, VEX or EVEX byte after REX2 */
	AE_UD_APX_DISABLED,    /* REX2, EVEX map 4/7 or EGPR bits while XCR0[19] or APX_F is off */
	AE_UD_VEX_PREFIX,      /* 66/F2/F3/F0/REX/REX2 before VEX or EVEX */
	AE_UD_EVEX_RESERVED,   /* an EVEX payload bit that must be 0 (or 1) is not */
	AE_UD_EVEX_MAP,        /* EVEX/VEX map that holds no instructions */
	AE_UD_EVEX_U,          /* EVEX.U (X4 inverted) = 0 on a register form */
	AE_UD_VVVV,            /* vvvv/V4 must be 1111b/1 because the form has no such operand */
	AE_UD_ND,              /* EVEX.ND=1 where the instruction has no NDD/ZU form */
	AE_UD_NF,              /* EVEX.NF=1 where the instruction has no NF form */
	AE_UD_VL,              /* vector length not valid for the form */
	AE_UD_W,               /* W not valid for the form */
	AE_UD_MOD,             /* register form of a memory-only instruction or the reverse */
	AE_UD_BROADCAST,       /* EVEX.b set where embedded broadcast/rounding is not allowed */
	AE_UD_MASK,            /* opmask or zeroing where the form does not allow it */
	AE_UD_JMPABS,          /* JMPABS with REX2.W=1 or a 66/67/F2/F3 prefix */
	AE_UD_PUSH2POP2,       /* PUSH2/POP2 naming RSP, or POP2 of one register twice */
	AE_UD_OPERAND,         /* an operand register that the form cannot use (e.g. a segment) */
	AE_UD__COUNT
} ae_ud_reason;

typedef enum ae_mode {
	AE_MODE_64 = 0, /* 64-bit mode (the only mode decoded today) */
} ae_mode;

/* CPUID features that gate instructions. */
typedef enum ae_feature {
#define AE_FEATURE(name, str) AE_FEAT_##name,
#include "apxemu/features.def"
#undef AE_FEATURE
	AE_FEAT__COUNT
} ae_feature;

typedef struct ae_decode_ctx {
	uint8_t mode;        /* ae_mode */
	bool apx;            /* CR4.OSXSAVE && XCR0[19] && CPUID APX_F */
	uint64_t feat[2];    /* bitmap of ae_feature */
} ae_decode_ctx;

/* Register ids. GPR sizes come from the operand's size. */
enum {
	AE_R_GPR = 0,      /* 0..31: rax rcx rdx rbx rsp rbp rsi rdi r8..r31 */
	AE_R_AH = 32,      /* 32..35: ah ch dh bh */
	AE_R_RIP = 36,
	AE_R_ES = 40,      /* 40..45: es cs ss ds fs gs */
	AE_R_CR = 48,      /* 48..63: cr0..cr15 */
	AE_R_DR = 64,      /* 64..79: dr0..dr15 */
	AE_R_ST = 80,      /* 80..87: st(0)..st(7) */
	AE_R_MM = 88,      /* 88..95: mm0..mm7 */
	AE_R_VEC = 96,     /* 96..127: xmm/ymm/zmm 0..31 (size from the operand) */
	AE_R_K = 128,      /* 128..135: k0..k7 */
	AE_R_TMM = 136,    /* 136..143: tmm0..tmm7 */
	AE_R_BND = 144,    /* 144..147: bnd0..bnd3 */
	AE_R_NONE = 255,
};

/* Operand kinds. */
enum {
	AE_OP_NONE = 0,
	AE_OP_REG,  /* reg, size */
	AE_OP_MEM,  /* the ModRM memory operand (ae_insn.mem), size in ae_insn.memsz */
	AE_OP_IMM,  /* ae_insn.imm (sign- or zero-extended per form), size = encoded bytes */
	AE_OP_IMM2, /* second immediate (ENTER, EXTRQ/INSERTQ): ae_insn.imm2 */
	AE_OP_REL,  /* relative branch target: ae_insn.imm holds the displacement */
	AE_OP_MOFFS,/* absolute moffs: ae_insn.imm holds the address */
	AE_OP_STR_SRC, /* string source [seg:rSI] */
	AE_OP_STR_DST, /* string destination es:[rDI] */
	AE_OP_MEM_REG, /* memory addressed by a register alone (MOVDIR64B, ENQCMD dest, MONITOR) */
};

typedef struct ae_operand {
	uint8_t kind; /* AE_OP_* */
	uint8_t reg;  /* AE_R_* for AE_OP_REG and AE_OP_MEM_REG */
	uint8_t size; /* bytes (registers, immediates); 0 when not applicable */
} ae_operand;

/* ae_insn.flags */
enum {
	AE_F_LOCK = 1u << 0,
	AE_F_REP = 1u << 1,     /* F3, not a mandatory prefix: REP/REPE on string forms */
	AE_F_REPNE = 1u << 2,   /* F2, not a mandatory prefix: REPNE on string forms, BND */
	AE_F_REX2 = 1u << 3,
	AE_F_ND = 1u << 4,      /* EVEX.ND (NDD or ZU) */
	AE_F_NF = 1u << 5,      /* EVEX.NF: no flags */
	AE_F_ZEROING = 1u << 6, /* EVEX.z */
	AE_F_BCST = 1u << 7,    /* EVEX.b as broadcast */
	AE_F_ER = 1u << 8,      /* EVEX.b as embedded rounding (rc in ae_insn.rc) */
	AE_F_SAE = 1u << 9,     /* EVEX.b as suppress-all-exceptions */
	AE_F_RIPREL = 1u << 10, /* mem is RIP-relative */
	AE_F_NOTRACK = 1u << 11,/* 3E on an indirect CALL/JMP (CET) */
	AE_F_BND = 1u << 12,    /* F2 as BND prefix */
	AE_F_XACQUIRE = 1u << 13,
	AE_F_XRELEASE = 1u << 14,
	AE_F_SIB_NOINDEX = 1u << 15, /* a SIB byte with index 100b and no index register */
};

/* ae_insn.enc */
enum { AE_ENC_LEGACY, AE_ENC_REX, AE_ENC_REX2, AE_ENC_VEX, AE_ENC_EVEX, AE_ENC_XOP };

typedef struct ae_mem {
	uint8_t base;  /* AE_R_* GPR id, AE_R_RIP, or AE_R_NONE */
	uint8_t index; /* GPR id, vector id (VSIB) or AE_R_NONE */
	uint8_t scale; /* 1, 2, 4, 8 */
	uint8_t seg;   /* effective segment AE_R_ES.., after overrides and defaults */
	int32_t disp;  /* already scaled for EVEX disp8*N */
} ae_mem;

typedef struct ae_insn {
	uint16_t form;     /* row of the instruction table (ae_form_* ids) */
	uint8_t len;       /* length in bytes */
	uint8_t nops;      /* number of operands */
	uint8_t opsize;    /* GPR operand size in bytes: 1, 2, 4, 8 */
	uint8_t asize;     /* address size: 4 or 8 */
	uint8_t vl;        /* vector length in bytes: 16, 32, 64 (0 if none) */
	uint8_t enc;       /* AE_ENC_* */
	uint16_t flags;    /* AE_F_* */
	uint16_t memsz;    /* bytes accessed by the memory operand (0 if none/variable) */
	uint8_t seg_ovr;   /* explicit segment override prefix (AE_R_ES..) or AE_R_NONE */
	uint8_t kmask;     /* EVEX.aaa opmask 0..7 */
	uint8_t rc;        /* rounding control 0..3 with AE_F_ER */
	uint8_t cc;        /* condition code (Jcc/SETcc/CMOVcc) or SCC for CCMP/CTEST */
	uint8_t dfv;       /* CCMP/CTEST default flags: bit3 OF, bit2 SF, bit1 ZF, bit0 CF */
	uint8_t ud;        /* ae_ud_reason when ae_decode() returns AE_UD */
	uint8_t imm2;      /* second immediate */
	uint8_t opc;       /* opcode byte */
	uint8_t map;       /* 0, 1 (0F), 2 (0F38), 3 (0F3A), 15 (3DNow! 0F 0F, opc = suffix),
			    * or the VEX/EVEX/XOP map number */
	uint8_t bcst;      /* broadcast element count ({1toN}), 0 if none */
	ae_mem mem;
	int64_t imm;
	ae_operand ops[5];
} ae_insn;

/* A context for 64-bit mode with APX enabled and every feature the decoder knows. */
void ae_decode_ctx_default(ae_decode_ctx *ctx);
/* Enables or disables one feature. */
void ae_decode_ctx_set_feature(ae_decode_ctx *ctx, ae_feature f, bool on);
bool ae_decode_ctx_has_feature(const ae_decode_ctx *ctx, ae_feature f);
const char *ae_feature_name(ae_feature f);

/* Decodes one instruction from bytes[0..len). Never reads past len. */
ae_status ae_decode(const ae_decode_ctx *ctx, const uint8_t *bytes, size_t len, ae_insn *out);

/* Stable lowercase names such as "rex2-opcode". */
const char *ae_ud_reason_name(ae_ud_reason r);
const char *ae_status_name(ae_status s);

typedef enum ae_syntax { AE_SYNTAX_ATT = 0, AE_SYNTAX_INTEL = 1 } ae_syntax;

/* Formats insn. address is the instruction's address, used to print branch targets as
 * absolute addresses when AE_FMT_ABS_BRANCH is set (objdump style) and relative
 * displacements otherwise (as LLVM's C API prints them). Returns the length of the text;
 * the text is truncated to buflen-1 characters. */
enum { AE_FMT_ABS_BRANCH = 1 };
size_t ae_format(const ae_insn *insn, ae_syntax syntax, unsigned fmt_flags, uint64_t address,
		 char *buf, size_t buflen);

/* Explains every field of one encoding (prefixes, REX/REX2/VEX/EVEX payload bits, ModRM,
 * SIB, displacement, immediate, operands) as text, one field per line. Returns the length. */
size_t ae_explain(const ae_decode_ctx *ctx, const uint8_t *bytes, size_t len, char *buf,
		  size_t buflen);

/* The mnemonic of a form, Intel spelling, without size suffix. */
const char *ae_form_mnemonic(unsigned form);
/* The CPUID feature a form needs. */
ae_feature ae_form_feature(unsigned form);
/* Number of forms in the table. */
unsigned ae_form_count(void);
/* Register name (without '%'), for a register id and size in bytes. */
const char *ae_reg_name(unsigned reg, unsigned size);

#ifdef __cplusplus
}
#endif
#endif
