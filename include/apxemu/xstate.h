/* apxemu — the XSTATE model: the XSAVE state components, CPU profiles and CPUID, XCR0 and
 * IA32_XSS, XSETBV/XGETBV, the XSAVE/XRSTOR family, FXSAVE/FXRSTOR and the KVM XSAVE uABI.
 *
 * The engine works on an ae_xstate (the extended register state; an executor embeds it) and
 * on guest memory reached through ae_xs_mem callbacks (or a flat buffer, ae_xs_mem_flat).
 * Every instruction returns an ae_xs_result: AE_XS_OK, or the exception it raises, with the
 * details in an ae_xs_fault. A faulting instruction changes neither the state nor memory.
 *
 * Component numbers, offsets and rules follow the Intel SDM Vol. 1 ch. 13 and Vol. 2, and
 * the APX specification (component 19: r16-r31, 128 bytes at standard offset 960). Rule
 * names X-... refer to the project's XSAVE rule digest (notes/xstate.md lists them).
 */
#ifndef APXEMU_XSTATE_H
#define APXEMU_XSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the component table ---------------------------------------------------------- */

enum {
	AE_XS_NCOMP = 20, /* components 0..19 */
	AE_XS_X87 = 0,
	AE_XS_SSE = 1,
	AE_XS_AVX = 2,
	AE_XS_BNDREGS = 3,
	AE_XS_BNDCSR = 4,
	AE_XS_OPMASK = 5,
	AE_XS_ZMM_HI256 = 6,
	AE_XS_HI16_ZMM = 7,
	AE_XS_PT = 8,
	AE_XS_PKRU = 9,
	AE_XS_PASID = 10,
	AE_XS_CET_U = 11,
	AE_XS_CET_S = 12,
	AE_XS_HDC = 13,
	AE_XS_UINTR = 14,
	AE_XS_LBR = 15,
	AE_XS_HWP = 16,
	AE_XS_TILECFG = 17,
	AE_XS_TILEDATA = 18,
	AE_XS_APX = 19,
};

/* Offsets of the legacy region and the header (SDM 13.4). */
enum {
	AE_XS_LEGACY_SIZE = 512,
	AE_XS_HDR = 512,
	AE_XS_EXT = 576, /* first byte after the header */
	AE_XS_KVM_MIN = 4096,
};

typedef struct ae_xs_comp {
	const char *name;
	uint32_t size;	   /* CPUID.(0xD,i).EAX; for 0 and 1 the bytes they own in the legacy region */
	uint32_t offset;   /* Intel standard offset, CPUID.(0xD,i).EBX (0 for supervisor ones) */
	bool align64;	   /* CPUID.(0xD,i).ECX[1] */
	bool supervisor;   /* CPUID.(0xD,i).ECX[0]: managed through IA32_XSS */
	bool xfd;	   /* CPUID.(0xD,i).ECX[2] */
	const char *what;  /* one line: the registers it holds */
} ae_xs_comp;

/* Component i (0..19), or NULL. */
const ae_xs_comp *ae_xs_component(unsigned i);

/* ---- CPU profiles and CPUID --------------------------------------------------------- */

typedef struct ae_xs_leaf {
	uint32_t leaf, subleaf;
	uint32_t r[4]; /* EAX EBX ECX EDX */
} ae_xs_leaf;

typedef struct ae_xs_profile {
	const char *name;
	const char *summary;
	bool amd;		  /* vendor rules: x87 pointers only with FSW.ES, 48-bit FIP/FDP */
	uint64_t xcr0_mask;	  /* CPUID.(0xD,0).EDX:EAX */
	uint64_t xss_mask;	  /* CPUID.(0xD,1).EDX:ECX */
	uint32_t xsave_features;  /* CPUID.(0xD,1).EAX: 1 XSAVEOPT, 2 XSAVEC, 4 XGETBV1, 8 XSAVES, 16 XFD */
	uint32_t mxcsr_mask;	  /* MXCSR_MASK as FXSAVE stores it */
	uint8_t fpu_ptr_bits;	  /* FIP/FDP width, sign-extended when stored (0 = 64) */
	uint32_t offset[AE_XS_NCOMP]; /* non-zero: the standard offset differs from the table's */
	bool xrstor_xinuse_by_value;  /* XINUSE after XRSTOR from the loaded values (X-AMD-XI-4) */
	const ae_xs_leaf *leaves; /* every leaf except 0xD, which is computed */
	size_t nleaves;
} ae_xs_profile;

/* The profiles: "apx" (the default), "spr", "skx", "host". NULL if unknown. "host" reads
 * this machine's CPUID (and is the "apx" profile's copy on a non-x86 host). */
const ae_xs_profile *ae_xs_profile_find(const char *name);
/* Names, NULL-terminated. */
const char *const *ae_xs_profile_names(void);

/* Standard offset of component i in this profile (0 for supervisor or absent ones). */
uint32_t ae_xs_offset(const ae_xs_profile *p, unsigned i);
/* Size of the standard-format area for the components in mask (at least 576). */
uint32_t ae_xs_std_size(const ae_xs_profile *p, uint64_t mask);
/* Compacted layout for the components in mask: fills off[i] for each i>=2 in mask (may be
 * NULL) and returns the total size. */
uint32_t ae_xs_compacted_layout(const ae_xs_profile *p, uint64_t mask, uint32_t off[AE_XS_NCOMP]);

/* CPUID(leaf, subleaf) of the profile, given the live XCR0, IA32_XSS and CR4.OSXSAVE (which
 * leaf 1 ECX[27] and leaf 0xD sub-leaves 0 and 1 reflect). Unknown leaves read as zero. */
void ae_xs_cpuid(const ae_xs_profile *p, uint64_t xcr0, uint64_t xss, bool osxsave, uint32_t leaf,
		 uint32_t subleaf, uint32_t out[4]);
/* Visits every leaf and sub-leaf the profile defines, in order. */
typedef void (*ae_xs_leaf_fn)(void *opaque, uint32_t leaf, uint32_t subleaf, const uint32_t r[4]);
void ae_xs_cpuid_each(const ae_xs_profile *p, uint64_t xcr0, uint64_t xss, bool osxsave,
		      ae_xs_leaf_fn fn, void *opaque);

/* ---- the extended register state ---------------------------------------------------- */

typedef struct ae_xstate {
	/* x87 (component 0). st[] is indexed by physical register; ST(i) = st[(TOP+i)&7]. */
	uint16_t fcw, fsw, ftw; /* ftw: the full tag word, 2 bits per physical register */
	uint16_t fop;
	uint16_t fcs, fds;
	uint64_t fip, fdp;
	uint8_t st[8][10];
	/* SSE (component 1) and MXCSR. */
	uint32_t mxcsr;
	/* zmm[r]: bytes 0-15 XMMr (component 1), 16-31 YMMr_H (2), 32-63 ZMMr_H (6) for r<16;
	 * ZMM16-31 whole (7). */
	uint8_t zmm[32][64];
	uint64_t k[8];		   /* 5 */
	uint64_t bnd[4][2];	   /* 3: BND0-3, lower then upper bound */
	uint64_t bndcfgu, bndstatus; /* 4 */
	uint32_t pkru;		   /* 9 */
	uint64_t cet_u[2];	   /* 11: IA32_U_CET, IA32_PL3_SSP */
	uint64_t cet_s[3];	   /* 12: IA32_PL0_SSP..PL2_SSP */
	uint8_t pt[128];	   /* 8, opaque */
	uint64_t pasid;		   /* 10 */
	uint64_t hdc;		   /* 13: IA32_PM_CTL1 */
	uint8_t uintr[48];	   /* 14, opaque */
	uint8_t lbr[808];	   /* 15, opaque */
	uint64_t hwp;		   /* 16: IA32_HWP_REQUEST */
	uint8_t tilecfg[64];	   /* 17 */
	uint8_t tiledata[8192];	   /* 18 */
	uint64_t egpr[16];	   /* 19: r16..r31 */

	uint64_t xcr0, xss;
	/* XINUSE (SDM 13.6): bit i = 0 guarantees component i is in its initial configuration.
	 * An executor sets the bit (ae_xs_touch) on every write to the component. */
	uint64_t xinuse;
	/* The modified optimization (SDM 13.6): XMODIFIED and XRSTOR_INFO. */
	uint64_t xmodified;
	bool xrstor_info_valid;
	uint8_t xrstor_cpl;
	uint64_t xrstor_addr, xrstor_xcomp;
} ae_xstate;

/* The state after RESET: every component initial, XCR0 = 1, XSS = 0, XINUSE = 0. */
void ae_xs_reset(ae_xstate *st);
/* The executor wrote registers of the components in mask: XINUSE and XMODIFIED gain them. */
void ae_xs_touch(ae_xstate *st, uint64_t mask);
/* True if component i is in its initial configuration (value test, SDM 13.6). */
bool ae_xs_is_init(const ae_xstate *st, unsigned i);
/* Re-evaluates XINUSE from the values (what a context switch does on AMD parts). */
void ae_xs_reeval_xinuse(ae_xstate *st);

/* ---- results, faults, memory -------------------------------------------------------- */

typedef enum ae_xs_result {
	AE_XS_OK = 0,
	AE_XS_UD = 6,	  /* #UD */
	AE_XS_NM = 7,	  /* #NM */
	AE_XS_GP = 13,	  /* #GP(0) */
	AE_XS_PF = 14,	  /* #PF: address and error code in the fault */
	AE_XS_EINVAL = 22 /* the KVM uABI: -EINVAL */
} ae_xs_result;

typedef struct ae_xs_fault {
	ae_xs_result result;
	uint32_t error;	 /* #PF error code */
	uint64_t addr;	 /* #PF linear address */
	const char *why; /* a static one-line reason (rule name first) */
} ae_xs_fault;

/* Guest memory. Each callback returns 0, or -1 after setting *pf_addr and *pf_error (a #PF).
 * probe (may be NULL) checks a whole range without touching it; the engine probes its whole
 * footprint before it writes a byte. */
typedef struct ae_xs_mem {
	void *opaque;
	int (*read)(void *opaque, uint64_t addr, void *buf, size_t len, uint64_t *pf_addr,
		    uint32_t *pf_error);
	int (*write)(void *opaque, uint64_t addr, const void *buf, size_t len, uint64_t *pf_addr,
		     uint32_t *pf_error);
	int (*probe)(void *opaque, uint64_t addr, size_t len, bool write, uint64_t *pf_addr,
		     uint32_t *pf_error);
} ae_xs_mem;

/* A flat buffer as guest memory: guest addresses base..base+len-1. */
typedef struct ae_xs_flat {
	uint8_t *buf;
	size_t len;
	uint64_t base;
	bool readonly;
} ae_xs_flat;
ae_xs_mem ae_xs_mem_flat(ae_xs_flat *flat);

/* The execution environment of one instruction. */
typedef struct ae_xs_env {
	const ae_xs_profile *cpu;
	uint8_t cpl;
	bool osxsave;	/* CR4.OSXSAVE */
	bool cr0_ts;	/* CR0.TS */
	bool cr0_em;	/* CR0.EM (FXSAVE/FXRSTOR only) */
	bool mode64;	/* 64-bit mode: XMM8-15 and the upper registers exist */
} ae_xs_env;

/* ---- the instructions --------------------------------------------------------------- */

ae_xs_result ae_xs_xsetbv(ae_xstate *st, const ae_xs_env *env, uint32_t ecx, uint64_t value,
			  ae_xs_fault *f);
ae_xs_result ae_xs_xgetbv(const ae_xstate *st, const ae_xs_env *env, uint32_t ecx, uint64_t *value,
			  ae_xs_fault *f);
/* Writes IA32_XSS as WRMSR would (#GP on unsupported bits; CPL checks are the caller's). */
ae_xs_result ae_xs_set_xss(ae_xstate *st, const ae_xs_env *env, uint64_t value, ae_xs_fault *f);

typedef enum ae_xs_op {
	AE_XS_XSAVE,
	AE_XS_XSAVEOPT,
	AE_XS_XSAVEC,
	AE_XS_XSAVES,
	AE_XS_XRSTOR,
	AE_XS_XRSTORS,
	AE_XS_FXSAVE,
	AE_XS_FXRSTOR,
} ae_xs_op;
const char *ae_xs_op_name(ae_xs_op op);

/* Executes op on the area at addr. rfbm_in = EDX:EAX (ignored by FXSAVE/FXRSTOR); rexw
 * selects the 64-bit x87 pointer format (XSAVE64, FXSAVE64, ...). */
ae_xs_result ae_xs_exec(ae_xstate *st, const ae_xs_env *env, ae_xs_op op, const ae_xs_mem *mem,
			uint64_t addr, uint64_t rfbm_in, bool rexw, ae_xs_fault *f);

/* ---- checking and describing a saved buffer ------------------------------------------ */

typedef enum ae_xs_format {
	AE_XS_FMT_AUTO,	     /* compacted if XCOMP_BV[63], else standard */
	AE_XS_FMT_STANDARD,
	AE_XS_FMT_COMPACTED,
	AE_XS_FMT_KVM,	     /* KVM_GET_XSAVE2 / KVM_SET_XSAVE: standard, XCOMP_BV = 0 */
} ae_xs_format;

typedef struct ae_xs_issue {
	const char *rule; /* "X-RST-3", "KVM-3.2", ... */
	char text[120];
} ae_xs_issue;

/* Lists every rule the buffer breaks for XRSTOR (or KVM_SET_XSAVE with AE_XS_FMT_KVM) under
 * the profile with the given XCR0 (| XSS for the compacted form). Returns the number of
 * issues found (at most max are stored). */
size_t ae_xs_check_buffer(const ae_xs_profile *p, uint64_t xcr0, uint64_t xss, const uint8_t *buf,
			  size_t len, ae_xs_format fmt, ae_xs_issue *issues, size_t max);

/* ---- the KVM XSAVE uABI (kvm-apx-model.md 3.2) --------------------------------------- */

/* KVM_GET_XSAVE2: writes the standard-layout image of st for the components in
 * supported_xcr0 (| x87 | SSE) into buf (len >= max(4096, std size)). Gaps and absent
 * components are zero; APX is stored whenever supported_xcr0 has it. */
ae_xs_result ae_xs_kvm_get(const ae_xstate *st, const ae_xs_profile *p, uint64_t supported_xcr0,
			   uint8_t *buf, size_t len);
/* KVM_SET_XSAVE: validates buf completely, then loads it. Returns AE_XS_EINVAL (nothing
 * changed) for a header or MXCSR the kernel refuses. EGPRs and PKRU whose XSTATE_BV bit is
 * clear are left unchanged; other absent user components become initial. */
ae_xs_result ae_xs_kvm_set(ae_xstate *st, const ae_xs_profile *p, uint64_t supported_xcr0,
			   const uint8_t *buf, size_t len, ae_xs_fault *f);

#ifdef __cplusplus
}
#endif
#endif
