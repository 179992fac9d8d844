/* apxemu — the VMX/SVM model: guests run on the executor under a model of KVM's entry/exit
 * paths, fast paths and uAPI, with interchangeable policies for switching r16-r31 and an
 * invariant checker (kvm-apx-model.md §6.1). Scenarios are text files (notes/vmx.md).
 */
#ifndef APXEMU_VMX_H
#define APXEMU_VMX_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Policy names in order (the reference, "v4-asm", first); NULL-terminated. */
const char *const *ae_vmx_policies(void);
/* One line describing a policy, or NULL if unknown. */
const char *ae_vmx_policy_summary(const char *name);

enum { AE_VMX_MAX_VIOL = 16 };

typedef struct ae_vmx_violation {
	char inv[8];	 /* "E2", "X5", ..., or "G" for a failed scenario check */
	char step[64];	 /* the modelled step */
	char text[200];	 /* the values */
	unsigned count;	 /* how many times it was seen */
} ae_vmx_violation;

typedef struct ae_vmx_report {
	char verdict[64];     /* "pass" or the violated invariants, e.g. "E2,E3" */
	char expected[64];    /* from the scenario ("" when it names none for the policy) */
	int matches;	      /* 1: the verdict is what the scenario expects */
	unsigned steps;	      /* modelled steps */
	unsigned long long exits, fast_exits, guest_insns;
	size_t nviol;
	ae_vmx_violation viol[AE_VMX_MAX_VIOL];
	char error[200];      /* a scenario error (unreadable file, bad line); "" if none */
	/* how the last KVM_RUN ended ("exit", "sync", "shutdown", "host-crash", ...) and the
	 * value the guest wrote to the exit port */
	char run_end[16];
	unsigned long long exit_code;
	char serial[2048];    /* the guest's serial output (truncated) */
} ae_vmx_report;

/* Timeline events (`apxemu vm run --trace/--html`). */
typedef enum ae_vmx_event_kind {
	AE_VMX_EV_ENTRY,     /* VMRESUME/VMRUN */
	AE_VMX_EV_EXIT,	     /* a VM exit: reason, qualification, RIP */
	AE_VMX_EV_XCR0,	     /* hardware XCR0 written */
	AE_VMX_EV_EGPR_LOAD, /* r16-r31 loaded from the vCPU */
	AE_VMX_EV_EGPR_SAVE, /* r16-r31 stored to the vCPU (and cleared) */
	AE_VMX_EV_FASTPATH,  /* the fast path's EXIT_FASTPATH_* result */
	AE_VMX_EV_USER,	     /* a return to userspace, or a uAPI call */
	AE_VMX_EV_VIOLATION, /* an invariant broke */
} ae_vmx_event_kind;

typedef struct ae_vmx_event {
	ae_vmx_event_kind kind;
	unsigned step;		 /* the modelled step number */
	unsigned long long xcr0; /* hardware XCR0 after the event */
	const char *xcr0_owner;	 /* "host", "guest" */
	unsigned guest_egprs;	 /* how many of r16-r31 hold guest values */
	const char *mode;	 /* "host-c", "host-asm", "guest" */
	const char *text;	 /* what happened, with the values */
} ae_vmx_event;

typedef void (*ae_vmx_event_fn)(void *opaque, const ae_vmx_event *ev);

typedef struct ae_vmx_opts {
	const char *policy;	/* NULL: v4-asm */
	const char *guests_dir; /* scenarios: where NAME.bin is (NULL: the scenario's ../guests) */
	FILE *trace;		/* one line per modelled step (NULL: none) */
	FILE *serial;		/* guest serial output as it arrives (NULL: only in the report) */
	ae_vmx_event_fn event;	/* timeline observer (NULL: none) */
	void *opaque;
	/* bare guests only (a scenario file sets these itself) */
	const char *host;	/* "apx" (default), "noapx", "apx-mpx" */
	int svm;		/* 1: AMD SVM instead of Intel VMX */
	int cpuid_noapx;	/* KVM_SET_CPUID2 without APX */
	unsigned long long preempt;   /* preemption timer: instructions per entry (0 = off) */
	unsigned long long max_insns; /* 0: 20 million */
} ae_vmx_opts;

/* Runs a scenario (a path ending in .vmx) or a bare guest image: an ELF executable (PT_LOAD
 * segments at their physical addresses) or a flat binary loaded at 0x10000. A bare guest
 * starts at its entry in 64-bit mode, CPL0, identity-mapped paging (CR3 = 0x1000), RSP 0x7f000,
 * after KVM_SET_CPUID2; it runs until it writes the exit port (0xe0), shuts down or halts with
 * no timer armed. Returns 0 when it ran (whatever the verdict), -1 on an error (rep->error). */
int ae_vmx_run(const char *path, const ae_vmx_opts *opts, ae_vmx_report *rep);

/* Random differential check: `count` random guest programs from `seed` (EGPR moves and
 * arithmetic, MSR_IMM to fast-path and slow-path MSRs, XSETBV toggling APX, XSAVE, CPUID,
 * userspace syncs with KVM_GET/SET_XSAVE) run under every policy; each policy's guest-visible
 * end state is compared with the reference's. out receives the table; verbose adds one line per
 * program and policy that differs. Returns 0 when the reference passes every program and no
 * policy changes the guest-visible end state without firing an invariant, 1 otherwise. caught (may be NULL) receives, per policy index of ae_vmx_policies(), how many
 * programs caught it. */
int ae_vmx_random(unsigned long long seed, unsigned count, FILE *out, int verbose, unsigned *caught);

/* Runs one scenario file under one policy. guests_dir holds the guest binaries (NAME.bin);
 * NULL means the scenario's ../guests. trace (may be NULL) receives one line per step.
 * Returns 0 when the scenario ran (whatever the verdict), -1 on a scenario error. */
int ae_vmx_run_scenario(const char *path, const char *policy, const char *guests_dir, FILE *trace,
			ae_vmx_report *rep);

#ifdef __cplusplus
}
#endif
#endif
