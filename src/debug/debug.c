/* The debugger's glue: options, attaching to a CPU, the per-instruction entry point and the
 * memory-access log (see dbg_internal.h for the scheme). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ae_gen.h"
#include "dbg_internal.h"

ae_debug *ae_debug_new(const ae_debug_opts *opts, char *err, size_t errlen)
{
	ae_debug *d = calloc(1, sizeof *d);
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->o = *opts;
	if (opts->trace_path) {
		if (!strcmp(opts->trace_path, "-")) {
			d->trace = stderr;
		} else {
			d->trace = fopen(opts->trace_path, "w");
			if (!d->trace) {
				snprintf(err, errlen, "cannot write the trace to %s: %s",
					 opts->trace_path, strerror(errno));
				free(d);
				return NULL;
			}
			d->trace_close = true;
		}
		if (dbg_trace_init(d)) {
			snprintf(err, errlen, "out of memory");
			ae_debug_free(d);
			return NULL;
		}
	}
	if (opts->mix && !(d->mix = dbg_mix_new())) {
		snprintf(err, errlen, "out of memory");
		ae_debug_free(d);
		return NULL;
	}
	if (opts->gdb_port > 0 && !(d->gdb = dbg_gdb_new(opts->gdb_port, err, errlen))) {
		ae_debug_free(d);
		return NULL;
	}
	return d;
}

void ae_debug_free(ae_debug *d)
{
	if (!d)
		return;
	if (d->cpu)
		d->cpu->hook = NULL;
	if (d->trace_close)
		fclose(d->trace);
	else if (d->trace)
		fflush(d->trace);
	free(d->fmt);
	dbg_mix_free(d->mix);
	dbg_gdb_free(d->gdb);
	free(d);
}

static bool tracing(const ae_debug *d)
{
	return d->trace && (!d->o.trace_max || d->lines < d->o.trace_max);
}

/* Turns the access log on or off; pages already in the TLB must leave it when it turns on. */
static void set_logging(ae_debug *d, ae_cpu *cpu)
{
	bool w = tracing(d) || (d->gdb && dbg_gdb_watch_w(d->gdb));
	bool r = d->gdb && dbg_gdb_watch_r(d->gdb);
	if ((w && !d->log_w) || (r && !d->log_r))
		exec_tlb_flush(&cpu->mmu);
	d->log_w = w;
	d->log_r = r;
}

int ae_debug_attach(ae_debug *d, ae_cpu *cpu, uint64_t load_bias, char *err, size_t errlen)
{
	d->cpu = cpu;
	d->bias = load_bias;
	cpu->hook = d;
	set_logging(d, cpu);
	if (d->gdb)
		dbg_find_auxv(d, cpu);
	if (d->gdb && dbg_gdb_accept(d, err, errlen)) {
		cpu->hook = NULL;
		d->cpu = NULL;
		return -1;
	}
	return 0;
}

/* Writes the trace line of the pending instruction. Returns false when that was the last
 * line and nothing else needs the hook (then detached). */
static bool end_line(ae_debug *d, ae_cpu *cpu, const ae_fault *fault)
{
	if (!d->pend || !d->pend_trace)
		return true;
	dbg_trace_end(d, cpu, fault);
	if (!tracing(d)) {
		if (!d->gdb && !d->mix) {
			d->pend = false;
			cpu->hook = NULL;
			return false;
		}
		set_logging(d, cpu);
	}
	return true;
}

bool dbg_insn(ae_cpu *cpu, const ae_insn *in)
{
	ae_debug *d = cpu->hook;
	if (!end_line(d, cpu, NULL))
		return false;
	if (d->gdb) {
		bool again = dbg_gdb_insn(d, cpu);
		set_logging(d, cpu);
		if (again) {
			d->pend = false;
			return true;
		}
	}
	d->pend = false;
	if (d->mix)
		dbg_mix_count(d->mix, in);
	uint64_t rip = cpu->rip;
	bool want = tracing(d) && cpu->icount >= d->o.trace_after &&
		    (!d->o.trace_hi || (rip >= d->o.trace_lo && rip < d->o.trace_hi));
	if (!want && !d->log_r && !d->log_w)
		return false;
	d->pend = true;
	d->pend_trace = want;
	d->pend_rip = rip;
	d->pend_n = cpu->icount;
	d->pend_insn = *in;
	d->nacc = d->acc_lost = 0;
	d->pend_ea = 0;
	for (unsigned i = 0; i < in->nops; i++)
		if (in->ops[i].kind == AE_OP_MEM)
			d->pend_ea = exec_ea(cpu, in);
	if (want)
		dbg_trace_begin(d, cpu, in);
	return false;
}

bool dbg_mem_access(ae_cpu *cpu, uint64_t addr, unsigned prot)
{
	ae_debug *d = cpu->hook;
	bool w = prot == AE_PROT_W;
	if (w ? !d->log_w : (prot != AE_PROT_R || !d->log_r))
		return false;
	if (d->pend) {
		if (d->nacc && d->acc[d->nacc - 1].addr == addr && d->acc[d->nacc - 1].write == w)
			return true;
		if (d->nacc < DBG_MAX_ACC)
			d->acc[d->nacc++] = (dbg_access){addr, w};
		else
			d->acc_lost++;
	}
	return true;
}

unsigned dbg_spans(const ae_debug *d, dbg_span *out, unsigned max)
{
	const ae_insn *in = &d->pend_insn;
	bool has_mem = false;
	unsigned str_size = 0;
	for (unsigned i = 0; i < in->nops; i++) {
		if (in->ops[i].kind == AE_OP_MEM)
			has_mem = true;
		if (in->ops[i].kind == AE_OP_STR_DST || in->ops[i].kind == AE_OP_STR_SRC)
			str_size = in->ops[i].size ? in->ops[i].size : in->opsize;
	}
	unsigned msz = in->memsz ? in->memsz : in->opsize;
	unsigned n = 0;
	for (unsigned k = 0; k < d->nacc && n < max; k++) {
		uint64_t a = d->acc[k].addr;
		bool w = d->acc[k].write;
		unsigned size;
		if (has_mem && a - d->pend_ea < msz) {
			if (a != d->pend_ea)
				continue; /* the part on the next page, or the probe of its last byte */
			size = msz;
		} else if (str_size) {
			size = str_size;
		} else {
			/* the stack: PUSH2 writes two slots with one access */
			size = (dec_forms[in->form].attrs & DA_PUSH2POP2) ? 16 : in->opsize == 2 ? 2 : 8;
		}
		bool dup = false;
		for (unsigned j = 0; j < n; j++)
			if (out[j].addr == a && out[j].write == w)
				dup = true;
		if (!dup)
			out[n++] = (dbg_span){a, size, w};
	}
	return n;
}

/* The signal Linux sends for an exception (arch/x86/kernel/traps.c). */
static int fault_signal(unsigned vector)
{
	switch (vector) {
	case AE_EXC_DE:
	case AE_EXC_MF:
	case AE_EXC_XM:
		return 8;
	case AE_EXC_UD:
		return 4;
	case AE_EXC_BP:
	case AE_EXC_DB:
		return 5;
	case AE_EXC_AC:
		return 7;
	default:
		return 11;
	}
}

int ae_debug_fault(ae_debug *d, ae_cpu *cpu)
{
	end_line(d, cpu, ae_cpu_fault(cpu));
	d->pend = false;
	if (!d->gdb)
		return AE_DEBUG_DELIVER;
	int sig = fault_signal(ae_cpu_fault(cpu)->vector);
	int r = dbg_gdb_signal(d, cpu, sig);
	return r == 9 && sig != 9 ? AE_DEBUG_KILL : r == 0 ? AE_DEBUG_RETRY : AE_DEBUG_DELIVER;
}

int ae_debug_signal(ae_debug *d, ae_cpu *cpu, int sig)
{
	/* the instruction before (the system call that sent it) is complete: its line must not
	 * include the entry into a handler */
	end_line(d, cpu, NULL);
	d->pend = false;
	if (!d->gdb || sig == 9)
		return sig;
	return dbg_gdb_signal(d, cpu, sig);
}

bool ae_debug_sees_signals(const ae_debug *d)
{
	return d->gdb && dbg_gdb_attached(d->gdb);
}

void ae_debug_exit(ae_debug *d, ae_cpu *cpu, int exit_code, int sig)
{
	if (d->pend && d->pend_trace)
		dbg_trace_end(d, cpu, NULL);
	d->pend = false;
	if (d->gdb)
		dbg_gdb_exit(d, exit_code, sig);
	if (d->trace)
		fflush(d->trace);
	cpu->hook = NULL;
	d->cpu = NULL;
}
