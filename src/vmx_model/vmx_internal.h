/* The VMX/SVM model: one physical CPU shared by a host (KVM) and one guest vCPU.
 *
 * The physical CPU is an ae_cpu: its r0-r31 are the one register file that host and guest
 * share, its XCR0 is the hardware XCR0 the guest's XGETBV reads. The model adds what the
 * executor does not know: an owner tag per GPR and for XCR0/XSS/PKRU, the mode (host C
 * code, host entry/exit assembly, guest), IF, a VMCS (or VMCB) subset, and MSRs.
 *
 * KVM is modelled as code paths of micro-steps (kvm.c), in the order of
 * kvm-apx-model.md §1.2/§1.4; policies (policy.c) choose how r16-r31 are switched and
 * carry the known-bad variants of §6.2. After every micro-step the checker (check.c)
 * evaluates the invariants of §6.1 and records violations with the step and the values.
 */
#ifndef VMX_INTERNAL_H
#define VMX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "apxemu/exec.h"
#include "apxemu/exec_vmx.h"
#include "apxemu/vmx.h"
#include "apxemu/xstate.h"

#define XF_FP (1ull << 0)
#define XF_SSE (1ull << 1)
#define XF_YMM (1ull << 2)
#define XF_BNDREGS (1ull << 3)
#define XF_BNDCSR (1ull << 4)
#define XF_MPX (XF_BNDREGS | XF_BNDCSR)
#define XF_AVX512 (7ull << 5)
#define XF_PKRU (1ull << 9)
#define XF_XTILE (3ull << 17)
#define XF_APX (1ull << 19)

/* MSRs the model knows. */
enum {
	MSR_TSC_ADJUST = 0x3b,
	MSR_U_CET = 0x6a0,
	MSR_TSC_DEADLINE = 0x6e0,
	MSR_X2APIC_ICR = 0x830,
	MSR_IA32_XSS = 0xda0,
};

/* VMX basic exit reasons (SDM Vol. 3C, appendix C) and SVM exit codes (APM Vol. 2, 15). */
enum {
	VMX_EXIT_EXCEPTION = 0,
	VMX_EXIT_TRIPLE_FAULT = 2,
	VMX_EXIT_CPUID = 10,
	VMX_EXIT_HLT = 12,
	VMX_EXIT_INVD = 13,
	VMX_EXIT_VMCALL = 18,
	VMX_EXIT_CR_ACCESS = 28,
	VMX_EXIT_IO = 30,
	VMX_EXIT_MSR_READ = 31,
	VMX_EXIT_MSR_WRITE = 32,
	VMX_EXIT_PREEMPTION_TIMER = 52,
	VMX_EXIT_XSETBV = 55,
	VMX_EXIT_FAIL_ENTRY = 0x80000021, /* VM-Fail as KVM reports it (invalid guest state) */
	VMX_EXIT_MSR_READ_IMM = 84,
	VMX_EXIT_MSR_WRITE_IMM = 85,
	SVM_EXIT_CR4_WRITE = 0x14,
	SVM_EXIT_EXCP_BASE = 0x40,
	SVM_EXIT_CPUID = 0x72,
	SVM_EXIT_INVD = 0x76,
	SVM_EXIT_HLT = 0x78,
	SVM_EXIT_IOIO = 0x7b,
	SVM_EXIT_MSR = 0x7c,
	SVM_EXIT_SHUTDOWN = 0x7f,
	SVM_EXIT_VMMCALL = 0x81,
	SVM_EXIT_XSETBV = 0x8d,
};

/* VMCS field encodings used by name in traces. */
enum { VMCS_INSN_INFO = 0x440e, VMCS_EXT_INSN_INFO = 0x2406 };

/* Guest ports: the serial line, the end of the run, a sync to userspace (ucall), and the
 * guest's exception fixup (stands in for an IDT: the next exception resumes at EAX with
 * the vector in RAX). */
enum { PORT_SERIAL = 0x3f8, PORT_EXIT = 0xe0, PORT_SYNC = 0xe1, PORT_FIXUP = 0xe2 };

typedef enum { OWN_ZERO, OWN_HOST, OWN_GUEST } vmx_owner;
typedef struct vmx_m vmx_m;
typedef enum { MODE_HOST_C, MODE_HOST_ASM, MODE_GUEST } vmx_mode;

typedef enum { EXIT_FASTPATH_NONE, EXIT_FASTPATH_REENTER_GUEST, EXIT_FASTPATH_EXIT_HANDLED,
	       EXIT_FASTPATH_EXIT_USERSPACE } fastpath_t;

/* How r16-r31 are switched. */
typedef enum {
	EG_ASM,		/* v4: load/store/clear in the entry/exit assembly, flag from v.xcr0 */
	EG_C_EARLY,	/* seed 000: early_xcr0 and C helpers around vmx_vcpu_enter_exit */
	EG_NONE,	/* no switching */
	EG_SAVE_LATE,	/* asm load, save at kvm_load_xfeatures(false) */
	EG_ONCE,	/* load before the fast-path loop, save after it */
	EG_XCR0_FIRST,	/* C helpers: XSETBV the real XCR0, then touch r16+ by a stale copy */
} vmx_egpr_mode;

typedef struct vmx_policy {
	const char *name;
	const char *what;
	vmx_egpr_mode egpr;
	bool no_clear;	       /* store without CLEAR_EGPRS */
	bool flag_always;      /* switch whenever the host has APX (unconditional stub) */
	bool flag_cpuid;       /* switch flag from guest CPUID instead of v.xcr0 */
	bool decode_4bit;      /* MSR_IMM register from legacy insn-info bits 6:3 */
	bool mask_1f_always;   /* exit-qualification GPR masked with 0x1f without APX */
	bool get_wrong_order;  /* EGPRs copied before the fpstate copy */
	bool set_partial;      /* EGPRs copied before the buffer is validated (v4 as posted) */
	bool mpx_apx;	       /* no MPX/APX conflict check */
	bool svm_apx;	       /* SVM keeps APX */
	bool cpuid_bit7;       /* APX advertised at 7.1.EDX[7] */
	bool irq_early;	       /* IRQs enabled before the host XCR0 is back */
	bool msrs_no_fpu;      /* KVM_GET/SET_MSRS without loading the guest FPU */
	bool early_stale;      /* early_xcr0 recomputed only by KVM_SET_CPUID2 */
	bool early_leftover;   /* __kvm_load_guest_apx does not load the real XCR0 */
	bool xsetbv_fast;      /* XSETBV handled in the fast-path loop */
	bool set_apx_kept;     /* KVM_SET_XSAVE leaves XSTATE_BV[APX] for the fpstate copy */
	bool vmfail_no_store;  /* VM-Fail path skips the EGPR store/clear */
	bool svm_fast_nonrips; /* SVM fast path without the next_rip check */
	bool ignore_exit_req;  /* fast-path loop re-enters despite an exit request */
	bool fast_as_none;     /* handle_exit ignores the fast path's result */
	bool nmi_before_store; /* vmx_handle_nmi runs before the EGPR store */
} vmx_policy;

const vmx_policy *vmx_policy_find(const char *name);
const vmx_policy *vmx_policy_at(size_t i);

/* --- hardware ---------------------------------------------------------------------------- */

typedef struct vmx_vmcs {
	/* VMX */
	uint32_t exit_reason;
	uint64_t exit_qual;
	uint32_t insn_len;
	uint32_t insn_info;	/* legacy 32-bit VM-exit instruction information (0x440e) */
	uint64_t ext_insn_info; /* APX extended instruction information (0x2406) */
	uint32_t intr_info;	/* exit interruption information: vector, valid bit 31 */
	uint64_t guest_rip, guest_cr4;
	uint32_t exception_bitmap;
	uint8_t msr_bitmap[4096]; /* read-low, read-high, write-low, write-high (1 KiB each) */
	uint64_t preempt_budget;  /* instructions per entry before PREEMPTION_TIMER (0 = off) */
	int inject_vector;	  /* event injection at the next entry (-1 = none) */
	/* SVM (VMCB) */
	uint64_t exit_code, exit_info1, exit_info2, next_rip;
} vmx_vmcs;

typedef struct vmx_hw {
	ae_cpu *cpu;
	uint8_t tag[32];
	uint8_t xcr0_tag, xss_tag, pkru_tag;
	uint64_t xss, pkru;
	vmx_mode mode;
	bool irq_on;
	bool svm;
	bool apx_enum; /* CPUID enumerates APX: the extended insn-info field exists */
	bool msr_imm;
	bool bit12_garbage; /* pre-APX hardware leaves exit-qualification bit 12 set */
	ae_xs_profile prof; /* the physical CPU's XSAVE profile */
	uint64_t u_cet;	    /* IA32_U_CET as loaded in hardware (an XSAVES-managed MSR) */
	uint64_t fixup;	    /* guest exception fixup address (0 = none) */
	uint64_t cr0, cr3;  /* paging: identity-mapped tables built by the loader */
	uint64_t idt_base;  /* IDTR (LIDT runs natively) */
	uint16_t idt_limit;
	bool nrips;	    /* SVM: next_rip saved on exits */
	bool singlestep;    /* KVM_GUESTDBG_SINGLESTEP: #DB exit after each instruction */
	bool vmfail_next;   /* the next VMRESUME fails */
	bool nmi_pending;   /* a host NMI arrives with the next exit */
	uint64_t nmi_every; /* a host NMI every N guest instructions (0 = none) */
	uint64_t nmi_budget;
	/* the last exit's truth, for the checker */
	ae_insn insn;
	int insn_reg; /* register operand of the exiting instruction, -1 if none */
	uint64_t exit_rip;
	vmx_vmcs vmcs;
	uint64_t total_insns;
} vmx_hw;

/* --- KVM ------------------------------------------------------------------------------- */

typedef struct vmx_vcpu {
	uint64_t regs[32];
	uint64_t rip, cr4;
	uint64_t xcr0, early_xcr0, guest_supported_xcr0, ia32_xss, pkru;
	ae_xstate fpstate;
	bool fpu_in_use; /* guest FPU loaded in hardware */
	bool cpuid_apx, cpuid_msr_imm, cpuid_xsave, cpuid_set;
	uint32_t cpuid_7_1_edx; /* as KVM_SET_CPUID2 received it */
	uint64_t tsc_deadline, icr_last, tsc_adjust;
	unsigned ipis;
	int pending_exc;
	int cui_rdmsr_reg; /* RDMSR-imm register awaiting a userspace completion, -1 none */
	bool cui_rdmsr;	   /* legacy RDMSR awaiting completion */
	unsigned skips;	   /* RIP advances since the last exit */
	uint64_t stat_exits, fast_exits;
	bool halted;
	bool exit_request;    /* kvm_vcpu_exit_request() after each fast-path re-entry */
	/* X3: the kvm_load_xfeatures(true) predicates of this vcpu_enter_guest */
	bool xf_osx, xf_xcr0, xf_xss, xf_loaded;
} vmx_vcpu;

typedef enum { RUN_NONE, RUN_IO, RUN_SYNC, RUN_EXIT, RUN_HLT, RUN_SHUTDOWN, RUN_MSR,
	       RUN_HOST_CRASH, RUN_LIMIT, RUN_DEBUG, RUN_FAIL_ENTRY } vmx_run_reason;

/* Timeline events for observers (ae_vmx_event in vmx.h). */
void vmx_event(struct vmx_m *m, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

struct vmx_m {
	const vmx_policy *pol;
	vmx_hw hw;
	vmx_vcpu v;
	uint64_t host_xcr0, host_xss, host_pkru, host_u_cet;
	uint64_t supported_xcr0; /* kvm_caps.supported_xcr0 */
	/* truth */
	uint64_t G[32];		/* the guest's architectural GPRs as of the last exit */
	uint32_t g_written;	/* regs KVM/userspace wrote since the last exit */
	bool egpr_flag;		/* the switch decision of the current entry */
	/* userspace */
	uint32_t user_msr;
	uint64_t user_msr_value;
	vmx_run_reason run_reason;
	uint64_t exit_code;
	bool exited;
	char serial[2048];
	size_t nserial;
	uint64_t max_insns;
	/* checker */
	const char *step;
	unsigned nsteps;
	bool host_crashed;
	ae_vmx_report *rep;
	FILE *trace;
	FILE *serial_out;
	ae_vmx_event_fn event;
	void *event_opaque;
	unsigned ndebug; /* KVM_EXIT_DEBUG exits */
	bool exit_req_pending; /* kvm_vcpu_exit_request() would be true */
};

/* hw.c */
int vmx_hw_init(vmx_m *m, const char *host, bool svm);
void vmx_hw_free(vmx_m *m);
/* Runs the guest until a VM exit; fills the VMCS/VMCB. */
void vmx_hw_run_guest(vmx_m *m);
bool vmx_hw_egpr_access(vmx_m *m, const char *step); /* host touches r16+: false on #UD */
void vmx_hw_xsetbv(vmx_m *m, uint64_t v, vmx_owner owner);
uint64_t vmx_hw_xcr0(vmx_m *m);
bool vmx_guest_can_egpr(vmx_m *m);
/* Guest memory and the loader: identity-mapped 4-level page tables, CR0/CR3/CR4. */
enum { GUEST_MEM = 2u << 20, GUEST_PT = 0x1000, GUEST_LOAD = 0x10000, GUEST_STACK = 0x7f000 };
int vmx_hw_load_image(vmx_m *m, const uint8_t *img, size_t len, uint64_t *entry, char *err, size_t errlen);
void vmx_hw_build_paging(vmx_m *m);
bool vmx_hw_paging_identity(vmx_m *m, uint64_t cr3);
unsigned vmx_guest_egprs(vmx_m *m); /* how many of r16-r31 hold guest values */

/* kvm.c */
void vmx_kvm_init(vmx_m *m);
vmx_run_reason vmx_kvm_run(vmx_m *m);
int vmx_kvm_set_xcrs(vmx_m *m, uint64_t xcr0, uint32_t flags);
int vmx_kvm_set_cpuid(vmx_m *m, bool apx, bool msr_imm);
int vmx_kvm_get_xsave(vmx_m *m, uint8_t *buf, size_t len);
int vmx_kvm_set_xsave(vmx_m *m, const uint8_t *buf, size_t len);
int vmx_kvm_get_msr(vmx_m *m, uint32_t idx, uint64_t *val);
int vmx_kvm_set_msr(vmx_m *m, uint32_t idx, uint64_t val);
uint32_t vmx_kvm_supported_7_1_edx(vmx_m *m);
bool vmx_xcr0_valid(uint64_t xcr0, uint64_t supported); /* §3.1, the checker's own copy */

/* check.c */
void vmx_step(vmx_m *m, const char *step);
void vmx_violation(vmx_m *m, const char *inv, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vmx_check_entry(vmx_m *m);
void vmx_check_gpr_read(vmx_m *m, unsigned reg, uint64_t val, int true_reg);
void vmx_check_irq_on(vmx_m *m);
void vmx_trace(vmx_m *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
