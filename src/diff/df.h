/* apxemu diff — differential testing of the executor against Unicorn 2 and the host CPU.
 *
 * Three machines run the same instruction from the same state:
 *   A  apxemu (the executor),
 *   U  Unicorn 2, loaded at run time with dlopen (no link-time dependency),
 *   H  the host CPU: a forked child runs the instruction natively between two signals (the
 *      first loads the whole register state through sigreturn, the second — a UD2 placed
 *      after the instruction or the fault itself — reads it back).
 * A and U step through a code blob in lockstep; H runs each step from A's state before it.
 * When H ran the instruction it is the reference; otherwise U is. A disagreement between U
 * and H is Unicorn's (counted, reported, and U is resynchronized from A).
 *
 * Memory: one sandbox region (df layout below) holds data and stack and is mapped at the
 * same address in all three; the generator points every memory operand into it. It is
 * compared whole after every step.
 */
#ifndef DF_H
#define DF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DF_CODE_BASE ((uint64_t)0x10000000)
#define DF_CODE_SIZE 0x20000u
#define DF_DATA_BASE ((uint64_t)0x20000000)
#define DF_DATA_SIZE 0x3000u
/* Generated memory operands land in [DF_MEM_LO, DF_MEM_HI); the stack is above. */
#define DF_MEM_LO (DF_DATA_BASE + 0x100)
#define DF_MEM_HI (DF_DATA_BASE + 0x1c00)
#define DF_STACK (DF_DATA_BASE + 0x2800)

/* RFLAGS bits compared: OF DF SF ZF AF PF CF. */
#define DF_FLAGS_CMP ((uint64_t)0xcd5)

/* Segment bases of FS and GS in every machine (FS/GS operands address the sandbox). */
#define DF_FS_BASE (DF_DATA_BASE + 0x800)
#define DF_GS_BASE (DF_DATA_BASE + 0x1000)

typedef struct df_state {
	uint64_t gpr[32]; /* U and H see gpr[0..15] */
	uint64_t rip, rflags;
	uint32_t mxcsr;
	/* x87: FCW, FSW, the abridged tag byte (bit i set: physical register i is not empty)
	 * and the registers by physical number (ST(i) = st[(TOP + i) & 7], MMi = st[i]). */
	uint16_t fcw, fsw;
	uint8_t ftw;
	uint8_t st[8][10];
	uint8_t xmm[16][16];
	uint8_t ymmh[16][16]; /* bits 255:128 of ymm0-15 */
	uint8_t mem[DF_DATA_SIZE];
} df_state;

/* What one machine did with one step. */
typedef struct df_outcome {
	bool ran;	/* the machine produced a result (false: not available) */
	int vector;	/* -1: completed; else the exception vector */
	bool unsupported; /* the machine does not implement the instruction (#UD where others run) */
	df_state st;
} df_outcome;

/* --- random numbers (xoshiro256**) ----------------------------------------------------- */
typedef struct df_rng {
	uint64_t s[4];
} df_rng;
void df_rng_seed(df_rng *r, uint64_t seed);
uint64_t df_rng_next(df_rng *r);
static inline uint64_t df_rng_below(df_rng *r, uint64_t n)
{
	return n ? df_rng_next(r) % n : 0;
}

/* --- Unicorn (df_uc.c) ------------------------------------------------------------------ */
typedef struct df_uc df_uc;
/* NULL with a message in err when libunicorn.so.2 cannot be loaded. */
df_uc *df_uc_new(char *err, size_t errlen);
void df_uc_free(df_uc *u);
/* Maps the code and data regions afresh and loads the state (the code comes per step). */
int df_uc_load(df_uc *u, const uint8_t *code, size_t len, const df_state *st);
/* Replaces registers and the sandbox (resynchronization). */
void df_uc_set_state(df_uc *u, const df_state *st);
/* Writes instruction bytes into the code region (see df_uc.c: only before they can run). */
void df_uc_write_code(df_uc *u, uint64_t addr, const uint8_t *code, unsigned len);
/* One instruction at the current RIP (a REP string instruction to its end). */
void df_uc_step(df_uc *u, df_outcome *out);

/* --- the host CPU (df_host.c) ------------------------------------------------------------- */
typedef struct df_host df_host;
df_host *df_host_new(char *err, size_t errlen);
void df_host_free(df_host *h);
/* Runs code (placed at addr) from state pre until RIP reaches one of the term addresses. */
void df_host_run(df_host *h, const df_state *pre, const uint8_t *code, size_t len,
		 uint64_t addr, const uint64_t *term, unsigned nterm, df_outcome *out);
/* The same with the GS base of the child set to gs_base for this run. */
void df_host_run_gs(df_host *h, const df_state *pre, const uint8_t *code, size_t len,
		    uint64_t addr, const uint64_t *term, unsigned nterm, uint64_t gs_base,
		    df_outcome *out);
/* True if the host CPU reports the feature (an ae_feature). */
bool df_host_has_feature(unsigned feature);

/* --- the generator (df_gen.c) ------------------------------------------------------------- */
enum {
	DF_SKIP_NONE = 0,
	DF_SKIP_UNIMPL,	 /* the executor has no handler */
	DF_SKIP_EXCLUDED /* not generated (privileged, environment-dependent, control transfer) */
};
typedef struct df_item {
	uint32_t off;	 /* offset in the blob */
	uint8_t len;
	bool setup;	 /* an operand set-up instruction, not the drawn form */
	bool no_uc;	 /* not run by Unicorn (x87, MMX, VEX: absent or inexact there) */
	bool fs;	 /* an FS operand: the host runs it with GS (its FS is its TLS) */
	uint16_t form;
	uint8_t nterm;	 /* host terminators: next instruction and a branch target */
	uint64_t term[2];
} df_item;

typedef struct df_blob {
	uint8_t *code;
	size_t len, cap;
	df_item *items;
	size_t nitems, icap;
} df_blob;

/* Forms the generator can draw (legacy GP and SSE), built from the table once. */
void df_gen_init(void);
unsigned df_gen_nforms(void);
/* The forms drawn / skipped and why (DF_SKIP_*). */
unsigned df_gen_form(unsigned i);
unsigned df_gen_skip_reason(unsigned form);
/* Appends about n drawn instructions (with their set-up instructions) to blob. */
void df_gen_fill(df_rng *r, df_blob *b, unsigned n, uint64_t base);
void df_gen_random_state(df_rng *r, df_state *st);
void df_blob_free(df_blob *b);
/* Items for a blob given as bytes (decoded linearly). Returns -1 if it does not decode. */
int df_blob_from_bytes(df_blob *b, const uint8_t *code, size_t len, uint64_t base);

/* --- APX lowering (df_lower.c) ------------------------------------------------------------ */
/* APX forms checked by lowering to a legacy sequence run by U and H. */
typedef struct df_lower_stats {
	uint64_t checked, divergences, skipped;
	unsigned forms_checked, forms_total;
} df_lower_stats;
int df_lower_run(uint64_t count, uint64_t seed, bool use_host, FILE *log,
		 df_lower_stats *st);

/* --- the engine (df_run.c) ---------------------------------------------------------------- */
/* Known executor divergences that a run may set aside (counted and listed, not failed). */
enum {
	DF_KNOWN_MXCSR_FLAGS = 1, /* the MXCSR exception status bits (IE DE ZE OE UE PE) */
	DF_KNOWN_MXCSR_CONTROL = 2, /* steps run with MXCSR control bits (masks, DAZ, FTZ, RC)
				       other than the default 0x1f80 */
	DF_KNOWN_MMX_X87 = 4, /* MMX forms and FWAIT: the x87 side effects (TOP, tags, bits
				 79:64 of the register, #MF on a pending x87 exception) */
};

typedef struct df_opts {
	uint64_t count, seed;
	unsigned known; /* DF_KNOWN_* */
	bool host, unicorn;
	bool host_all;		/* also run the set-up instructions on the host */
	bool progress;
	unsigned chunk;		/* drawn instructions per blob */
	unsigned max_report;	/* divergences printed in full */
	const char *repro_dir;	/* where reproducers are written ("." if NULL) */
	const char *report;	/* a report file (the summary plus Unicorn's disagreements) */
	bool report_all;	/* list every form of every kind of Unicorn disagreement */
	FILE *out;
} df_opts;

void df_opts_default(df_opts *o);
/* Each returns the number of unexplained divergences, or -1 on a setup error. */
int df_run_random(const df_opts *o);
int df_run_replay(const df_opts *o, const char *path);
int df_run_bytes(const df_opts *o, const uint8_t *code, size_t len, const df_state *init);

/* Reproducer files (df_state.c). */
int df_repro_write(const char *path, const uint8_t *code, size_t len, const df_state *st,
		   const char *comment);
int df_repro_read(const char *path, uint8_t *code, size_t cap, size_t *len, df_state *st,
		  char *err, size_t errlen);
void df_state_print(FILE *f, const char *name, const df_state *st, const df_state *ref,
		    uint64_t flag_mask);
/* Differences of b from a, as a one-line text; 0 if equal. */
int df_state_diff(const df_state *a, const df_state *b, uint64_t flag_mask, unsigned ngpr,
		  char *buf, size_t buflen);
uint64_t df_undef_mask(unsigned form);
/* Mnemonics (comma-separated) whose divergences are known executor bugs: counted and listed
 * apart, not failed. */
void df_set_known_forms(const char *list);
bool df_known_form(unsigned form);
int df_parse_hex(const char *s, uint8_t *out, size_t cap, size_t *len);

#endif
