/* apxemu cpuid: every CPUID leaf and sub-leaf of a profile, as a table or JSON. */
#include <stdio.h>
#include <string.h>

#include "apxemu/exec.h"
#include "apxemu/xstate.h"
#include "cli.h"

void cmd_cpuid_help(FILE *out)
{
	fprintf(out,
		"Usage: apxemu cpuid [--cpu NAME] [--exec] [--xcr0 MASK] [--json]\n\n"
		"Prints every CPUID leaf and sub-leaf of a CPU profile. Leaf 0xD is computed from\n"
		"the XSAVE component table and the profile; its sub-leaf 0 EBX and sub-leaf 1 EBX\n"
		"follow XCR0 (default: every component the profile supports).\n\n"
		"  --cpu NAME    apx (default, Diamond Rapids-like), spr, skx, host\n"
		"  --exec        the CPUID a program reads under 'apxemu run --cpu NAME' (default,\n"
		"                apx, noapx): the profile restricted to the state the executor runs\n"
		"                (x87, SSE, AVX, APX), with its XCR0\n"
		"  --xcr0 MASK   the XCR0 to report sizes for\n"
		"  --json        one JSON object: {\"cpu\":..., \"leaves\":[{leaf,subleaf,eax,...}]}\n\n"
		"Examples:\n"
		"  apxemu cpuid\n"
		"  apxemu cpuid --cpu host --json\n");
}

typedef struct cpuid_out {
	bool json;
	int n;
} cpuid_out;

static void print_leaf(void *opaque, uint32_t leaf, uint32_t sub, const uint32_t r[4])
{
	cpuid_out *o = opaque;
	if (o->json)
		printf("%s\n    {\"leaf\": \"%#x\", \"subleaf\": %u, \"eax\": \"0x%08x\", \"ebx\": "
		       "\"0x%08x\", \"ecx\": \"0x%08x\", \"edx\": \"0x%08x\"}",
		       o->n ? "," : "", leaf, sub, r[0], r[1], r[2], r[3]);
	else {
		const char *note = "";
		if (leaf == 0xD && sub >= 2 && sub < AE_XS_NCOMP)
			note = ae_xs_component(sub)->name;
		else if (leaf == 0xD && sub == 0)
			note = "XCR0 mask, size for XCR0, max size";
		else if (leaf == 0xD && sub == 1)
			note = "XSAVEOPT/C/XGETBV1/S/XFD, compacted size, XSS mask";
		else if (leaf == 7 && sub == 1 && ((r[3] >> 21) & 1))
			note = "EDX[21] APX_F";
		else if (leaf == 0x29)
			note = "APX: EBX[0] NCI/NDD/NF";
		printf("%08x  %2u   %08x %08x %08x %08x  %s\n", leaf, sub, r[0], r[1], r[2], r[3], note);
	}
	o->n++;
}

int cmd_cpuid(int argc, char **argv)
{
	const char *cpu = "apx", *xcr0s = NULL, *v;
	bool json = false, exec = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			cmd_cpuid_help(stdout);
			return CLI_EXIT_OK;
		} else if (cli_opt_value(argc, argv, &i, "--cpu", &v))
			cpu = v;
		else if (cli_opt_value(argc, argv, &i, "--xcr0", &v))
			xcr0s = v;
		else if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--exec"))
			exec = true;
		else {
			cli_error("cpuid: unknown argument '%s' (see 'apxemu help cpuid')", argv[i]);
			return CLI_EXIT_USAGE;
		}
	}
	const ae_xs_profile *p = NULL;
	uint64_t exec_xcr0 = 0;
	if (exec) {
		ae_cpu *c = ae_cpu_new(cpu);
		if (!c) {
			cli_error("cpuid: unknown executor profile '%s' (default, apx, noapx)", cpu);
			return CLI_EXIT_USAGE;
		}
		p = ae_cpu_xs_profile(c); /* static data, valid after the CPU is gone */
		exec_xcr0 = ae_cpu_xcr0(c);
		ae_cpu_free(c);
	} else {
		p = ae_xs_profile_find(cpu);
	}
	if (!p) {
		cli_error("cpuid: unknown CPU profile '%s' (apx, spr, skx, host)", cpu);
		return CLI_EXIT_USAGE;
	}
	uint64_t xcr0 = xcr0s ? cli_parse_u64("--xcr0", xcr0s) : exec ? exec_xcr0 : p->xcr0_mask;
	cpuid_out o = {json, 0};
	if (json)
		printf("{\"cpu\": \"%s\", \"xcr0\": \"%#llx\", \"leaves\": [", p->name,
		       (unsigned long long)xcr0);
	else
		printf("CPU profile %s: %s\nleaf      sub  eax      ebx      ecx      edx\n", p->name,
		       p->summary);
	ae_xs_cpuid_each(p, xcr0, p->xss_mask, true, print_leaf, &o);
	if (json)
		printf("\n]}\n");
	return CLI_EXIT_OK;
}
