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
} ae_vmx_report;

/* Runs one scenario file under one policy. guests_dir holds the guest binaries (NAME.bin);
 * NULL means the scenario's ../guests. trace (may be NULL) receives one line per step.
 * Returns 0 when the scenario ran (whatever the verdict), -1 on a scenario error. */
int ae_vmx_run_scenario(const char *path, const char *policy, const char *guests_dir, FILE *trace,
			ae_vmx_report *rep);

#ifdef __cplusplus
}
#endif
#endif
