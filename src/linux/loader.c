/* Loading a static, static-pie or dynamically linked executable (with its PT_INTERP, ld.so,
 * from the host file system) and building the initial process state as
 * Linux's execve does (fs/binfmt_elf.c create_elf_tables; spec/linux-user-abi.md 2.1-2.3):
 * all GPRs zero but RSP, RFLAGS 0x202, RSP 16-byte aligned at argc, then argv, envp, auxv,
 * with the strings, AT_RANDOM's 16 bytes and "x86_64" above them. */
#define _XOPEN_SOURCE 700
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../exec/exec_internal.h"
#include "apxemu/debug.h"
#include "apxemu/elf.h"
#include "lx_internal.h"

enum {
	AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
	AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14,
	AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25,
	AT_HWCAP2 = 26, AT_EXECFN = 31, AT_MINSIGSTKSZ = 51,
};

static uint64_t rd64le(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Maps the PT_LOAD segments of elf at bias. *end receives the first page after them; the
 * PT_INTERP path, if any, is copied to interp (interp_len bytes, "" when absent). */
static int load_segments(lx_proc *p, ae_elf *elf, uint64_t bias, uint64_t *phdr_addr,
			 uint64_t *end_out, char *interp, size_t interp_len, char *err,
			 size_t errlen)
{
	ae_cpu *cpu = p->cpu;
	size_t size;
	const uint8_t *img = ae_elf_image(elf, &size);
	uint64_t phoff = size >= 64 ? rd64le(img + 32) : 0;
	uint64_t end = 0;
	*phdr_addr = 0;
	if (interp)
		interp[0] = 0;
	for (size_t i = 0; i < ae_elf_segment_count(elf); i++) {
		const ae_elf_segment *s = ae_elf_segment_at(elf, i);
		if (s->type == AE_ELF_PT_INTERP && interp) {
			const uint8_t *d = ae_elf_segment_data(elf, s);
			size_t n = s->filesz < interp_len ? (size_t)s->filesz : interp_len - 1;
			if (!d || !n) {
				snprintf(err, errlen, "bad PT_INTERP");
				return -1;
			}
			memcpy(interp, d, n);
			interp[n] = 0;
			continue;
		}
		if (s->type == AE_ELF_PT_PHDR)
			*phdr_addr = s->vaddr + bias;
		if (s->type != AE_ELF_PT_LOAD || !s->memsz)
			continue;
		uint64_t va = s->vaddr + bias;
		uint64_t start = va & PAGE_MASK, stop = (va + s->memsz + PAGE_SIZE - 1) & PAGE_MASK;
		for (uint64_t a = start; a < stop; a += PAGE_SIZE) {
			exec_page *pg = exec_page_get(cpu, a, true);
			if (!pg) {
				snprintf(err, errlen, "segment at 0x%llx is outside user space",
					 (unsigned long long)va);
				return -1;
			}
			if (!pg->prot) {
				pg->prot = 0x80;
				cpu->mmu.npages++;
			}
			pg->prot |= (uint8_t)(((s->flags & AE_ELF_PF_R) ? AE_PROT_R : 0) |
					      ((s->flags & AE_ELF_PF_W) ? AE_PROT_W : 0) |
					      ((s->flags & AE_ELF_PF_X) ? AE_PROT_X : 0));
		}
		const uint8_t *data = ae_elf_segment_data(elf, s);
		if (data && ae_mem_write(cpu, va, data, s->filesz, 0)) {
			snprintf(err, errlen, "cannot load segment at 0x%llx", (unsigned long long)va);
			return -1;
		}
		if (!*phdr_addr && phoff >= s->offset && phoff < s->offset + s->filesz)
			*phdr_addr = va + (phoff - s->offset);
		if (stop > end)
			end = stop;
	}
	exec_tlb_flush(&cpu->mmu);
	if (!end) {
		snprintf(err, errlen, "no loadable segment");
		return -1;
	}
	*end_out = end;
	return 0;
}

/* Loads the program interpreter (ld.so) from the host file system at a free place of the
 * mmap area, as the kernel does (fs/binfmt_elf.c load_elf_interp). */
static int load_interp(lx_proc *p, const char *path, uint64_t *base, uint64_t *entry, char *err,
		       size_t errlen)
{
	ae_elf *ie;
	char e2[200];
	if (ae_elf_open(path, &ie, e2, sizeof e2)) {
		snprintf(err, errlen, "interpreter %.200s: %s", path, e2);
		return -1;
	}
	if (ae_elf_type(ie) != AE_ELF_ET_DYN) {
		snprintf(err, errlen, "interpreter %.200s is not a shared object", path);
		ae_elf_close(ie);
		return -1;
	}
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; i < ae_elf_segment_count(ie); i++) {
		const ae_elf_segment *s = ae_elf_segment_at(ie, i);
		if (s->type != AE_ELF_PT_LOAD || !s->memsz)
			continue;
		if ((s->vaddr & PAGE_MASK) < lo)
			lo = s->vaddr & PAGE_MASK;
		if (s->vaddr + s->memsz > hi)
			hi = s->vaddr + s->memsz;
	}
	uint64_t span = hi > lo ? ((hi - lo + PAGE_SIZE - 1) & PAGE_MASK) : 0;
	uint64_t at = span ? ae_mem_find_free(p->cpu, LX_INTERP_BASE, span,
					      LX_STACK_TOP - LX_STACK_SIZE)
			   : 0;
	uint64_t phdr, end;
	if (!at || load_segments(p, ie, at - lo, &phdr, &end, NULL, 0, err, errlen)) {
		if (!at)
			snprintf(err, errlen, "no room for the interpreter");
		ae_elf_close(ie);
		return -1;
	}
	*base = at - lo;
	*entry = ae_elf_entry(ie) + *base;
	ae_elf_close(ie);
	return 0;
}

static uint64_t push_bytes(ae_cpu *cpu, uint64_t *sp, const void *data, size_t n)
{
	*sp -= n;
	ae_mem_write(cpu, *sp, data, n, 0);
	return *sp;
}

static void random_bytes(uint8_t *b, size_t n)
{
	FILE *f = fopen("/dev/urandom", "rb");
	if (f) {
		size_t got = fread(b, 1, n, f);
		fclose(f);
		if (got == n)
			return;
	}
	uint64_t x = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		b[i] = (uint8_t)x;
	}
}

static int build_stack(lx_proc *p, ae_elf *elf, uint64_t bias, uint64_t phdr,
		       uint64_t interp_base, int argc, char *const argv[], char *const envp[])
{
	ae_cpu *cpu = p->cpu;
	if (ae_mem_map(cpu, LX_STACK_TOP - LX_STACK_SIZE, LX_STACK_SIZE, AE_PROT_R | AE_PROT_W))
		return -1;
	uint64_t sp = LX_STACK_TOP - 8;
	uint64_t zero = 0;
	ae_mem_write(cpu, sp, &zero, 8, 0);
	uint64_t execfn = push_bytes(cpu, &sp, p->exe_path, strlen(p->exe_path) + 1);
	size_t envc = 0;
	while (envp && envp[envc])
		envc++;
	uint64_t *envs = calloc(envc + 1, 8), *args = calloc((size_t)argc + 1, 8);
	if (!envs || !args) {
		free(envs);
		free(args);
		return -1;
	}
	for (size_t i = envc; i-- > 0;)
		envs[i] = push_bytes(cpu, &sp, envp[i], strlen(envp[i]) + 1);
	for (int i = argc; i-- > 0;)
		args[i] = push_bytes(cpu, &sp, argv[i], strlen(argv[i]) + 1);
	sp &= ~(uint64_t)15;
	uint64_t platform = push_bytes(cpu, &sp, "x86_64", 7);
	uint8_t rnd[16];
	if (p->deterministic)
		lx_det_random(p, rnd, sizeof rnd);
	else
		random_bytes(rnd, sizeof rnd);
	uint64_t random = push_bytes(cpu, &sp, rnd, 16);

	uint32_t id[4];
	ae_cpu_cpuid(cpu, 1, 0, id);
	uint64_t auxv[][2] = {
		{AT_MINSIGSTKSZ, 2032},
		{AT_HWCAP, id[3]},
		{AT_PAGESZ, 4096},
		{AT_CLKTCK, 100},
		{AT_PHDR, phdr},
		{AT_PHENT, 56},
		{AT_PHNUM, ae_elf_segment_count(elf)},
		{AT_BASE, interp_base},
		{AT_FLAGS, 0},
		{AT_ENTRY, ae_elf_entry(elf) + bias},
		{AT_UID, 0},
		{AT_EUID, 0},
		{AT_GID, 0},
		{AT_EGID, 0},
		{AT_SECURE, 0},
		{AT_RANDOM, random},
		{AT_HWCAP2, 0},
		{AT_EXECFN, execfn},
		{AT_PLATFORM, platform},
		{AT_NULL, 0},
	};
	size_t nwords = 1 + (size_t)argc + 1 + envc + 1 + sizeof auxv / 8;
	sp &= ~(uint64_t)15;
	if (((sp - nwords * 8) & 15) != 0)
		sp -= 8;
	uint64_t *w = calloc(nwords, 8);
	if (!w) {
		free(envs);
		free(args);
		return -1;
	}
	size_t k = 0;
	w[k++] = (uint64_t)argc;
	for (int i = 0; i < argc; i++)
		w[k++] = args[i];
	w[k++] = 0;
	for (size_t i = 0; i < envc; i++)
		w[k++] = envs[i];
	w[k++] = 0;
	memcpy(w + k, auxv, sizeof auxv);
	push_bytes(cpu, &sp, w, nwords * 8);
	free(w);
	free(envs);
	free(args);
	ae_cpu_set(cpu, AE_R_GPR + 4, sp);
	return 0;
}

static void log_quiet(void *opaque, const char *line)
{
	(void)opaque, (void)line;
}

int ae_linux_run(const ae_linux_opts *opts, const char *path, int argc, char *const argv[],
		 char *const envp[], ae_linux_result *res, char *err, size_t errlen)
{
	memset(res, 0, sizeof *res);
	ae_elf *elf;
	if (ae_elf_open(path, &elf, err, errlen))
		return -1;
	uint16_t type = ae_elf_type(elf);
	if (type != AE_ELF_ET_EXEC && type != AE_ELF_ET_DYN) {
		snprintf(err, errlen, "%s: not an executable", path);
		ae_elf_close(elf);
		return -1;
	}
	ae_cpu *cpu = ae_cpu_new(opts && opts->cpu ? opts->cpu : NULL);
	lx_proc *p = calloc(1, sizeof *p);
	if (!cpu || !p) {
		snprintf(err, errlen, cpu ? "out of memory" : "unknown CPU profile '%s'",
			 opts && opts->cpu ? opts->cpu : "default");
		ae_cpu_free(cpu);
		free(p);
		ae_elf_close(elf);
		return -1;
	}
	p->cpu = cpu;
	p->mmap_base = LX_MMAP_BASE;
	p->ss_flags = 2; /* SS_DISABLE */
	p->quiet = opts && opts->quiet;
	p->deterministic = opts && opts->deterministic;
	cpu->det_tsc = p->deterministic;
	if (p->quiet)
		ae_cpu_set_log(cpu, log_quiet, NULL);
	if (!realpath(path, p->exe_path))
		snprintf(p->exe_path, sizeof p->exe_path, "%s", path);
	ae_cpu_enable_stats(cpu, opts && opts->stats);
	uint64_t bias = type == AE_ELF_ET_DYN ? LX_PIE_BASE : 0, phdr, end;
	uint64_t interp_base = 0, entry = ae_elf_entry(elf) + bias;
	char msg[512], interp[4096];
	if (load_segments(p, elf, bias, &phdr, &end, interp, sizeof interp, msg, sizeof msg) ||
	    (p->brk_start = p->brk_cur = end,
	     interp[0] && load_interp(p, interp, &interp_base, &entry, msg, sizeof msg)) ||
	    build_stack(p, elf, bias, phdr, interp_base, argc, argv, envp)) {
		snprintf(err, errlen, "%s: %s", path, msg);
		ae_cpu_free(cpu);
		free(p);
		ae_elf_close(elf);
		return -1;
	}
	ae_cpu_set(cpu, AE_R_RIP, entry);
	ae_elf_close(elf);

	if (opts && opts->debug && ae_debug_attach(opts->debug, cpu, bias, msg, sizeof msg)) {
		snprintf(err, errlen, "%s", msg);
		ae_cpu_free(cpu);
		free(p);
		return -1;
	}

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!p->exited) {
		ae_exit e = ae_cpu_run(cpu, 0);
		if (e == AE_EXIT_SYSCALL) {
			lx_syscall(p);
			if (lx_signal_ready(p) && !p->exited)
				lx_signal_deliver(p);
			continue;
		}
		if (e == AE_EXIT_FAULT) {
			const ae_fault *f = ae_cpu_fault(cpu);
			int dbg = opts && opts->debug ? ae_debug_fault(opts->debug, cpu) : 0;
			if (dbg == AE_DEBUG_RETRY)
				continue;
			if (dbg == AE_DEBUG_KILL) {
				p->signal = 9;
				p->exited = true;
				continue;
			}
			if (lx_signal_fault(p, f))
				continue;
			char insn[128];
			ae_cpu_disasm(cpu, f->rip, insn, sizeof insn);
			int n = snprintf(res->message, sizeof res->message, "%s at rip 0x%llx (%s)",
					 lx_signal_name(p->signal), (unsigned long long)f->rip, insn);
			if (f->vector == AE_EXC_PF && n > 0 && (size_t)n < sizeof res->message)
				snprintf(res->message + n, sizeof res->message - (size_t)n,
					 ", %s address 0x%llx",
					 (f->error & AE_PF_WRITE)   ? "writing"
					 : (f->error & AE_PF_FETCH) ? "executing"
								    : "reading",
					 (unsigned long long)f->addr);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	res->exit_code = p->exit_code & 0xff;
	res->signal = p->signal;
	if (p->signal && !res->message[0])
		snprintf(res->message, sizeof res->message, "%s", lx_signal_name(p->signal));
	if (opts && opts->debug)
		ae_debug_exit(opts->debug, cpu, res->exit_code, res->signal);
	ae_cpu_stats(cpu, &res->stats);
	ae_cpu_free(cpu);
	free(p);
	return 0;
}
