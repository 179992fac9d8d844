/* The soft-MMU: 4 KiB guest pages in a 4-level radix tree over the 47-bit user address space,
 * with permission checks and three small direct-mapped TLBs (read, write, fetch) that cache
 * the host address of a page.
 *
 * A page that held decoded instructions is marked "code" and never enters the write TLB, so
 * that a store to it reaches exec_code_written() and invalidates the decode cache
 * (self-modifying code, JIT output, a loader patching its own text).
 */
#include <stdlib.h>

#include "exec_internal.h"

enum { RADIX_BITS = 9, RADIX_N = 1 << RADIX_BITS };
#define USER_LIMIT ((uint64_t)1 << 47)

int exec_mmu_init(exec_mmu *m)
{
	memset(m, 0, sizeof *m);
	m->root = calloc(RADIX_N, sizeof(void *));
	return m->root ? 0 : -1;
}

static void free_level(void **t, int level)
{
	if (!t)
		return;
	for (unsigned i = 0; i < RADIX_N; i++) {
		if (!t[i])
			continue;
		if (level == 2) {
			exec_page *pg = t[i];
			for (unsigned j = 0; j < RADIX_N; j++)
				free(pg[j].mem);
			free(pg);
		} else {
			free_level(t[i], level - 1);
		}
	}
	free(t);
}

void exec_mmu_free(exec_mmu *m)
{
	free_level(m->root, 4);
	m->root = NULL;
}

void exec_tlb_flush(exec_mmu *m)
{
	memset(m->tlb_r, 0, sizeof m->tlb_r);
	memset(m->tlb_w, 0, sizeof m->tlb_w);
	memset(m->tlb_x, 0, sizeof m->tlb_x);
}

exec_page *exec_page_get(ae_cpu *cpu, uint64_t addr, bool create)
{
	if (addr >= USER_LIMIT)
		return NULL;
	void **t = cpu->mmu.root;
	for (int level = 4; level > 1; level--) {
		unsigned i = (unsigned)(addr >> (PAGE_SHIFT + RADIX_BITS * (level - 1))) & (RADIX_N - 1);
		if (!t[i]) {
			if (!create)
				return NULL;
			t[i] = level == 2 ? calloc(RADIX_N, sizeof(exec_page))
					  : calloc(RADIX_N, sizeof(void *));
			if (!t[i])
				return NULL;
		}
		t = t[i];
	}
	exec_page *pg = (exec_page *)t;
	return &pg[(addr >> PAGE_SHIFT) & (RADIX_N - 1)];
}

uint8_t *exec_page_mem(exec_page *p)
{
	if (!p->mem)
		p->mem = calloc(1, PAGE_SIZE);
	return p->mem;
}

void exec_code_written(ae_cpu *cpu, exec_page *p)
{
	p->code = 0;
	cpu->dgen++;
}

uint8_t *exec_mem_slow(ae_cpu *cpu, uint64_t addr, unsigned prot)
{
	if (addr >= USER_LIMIT && addr < ~(USER_LIMIT - 1))
		exec_gp(cpu); /* non-canonical */
	exec_page *p = exec_page_get(cpu, addr, false);
	if (!p || !(p->prot & prot)) {
		uint32_t err = AE_PF_USER;
		if (p && p->prot)
			err |= AE_PF_PRESENT;
		if (prot == AE_PROT_W)
			err |= AE_PF_WRITE;
		if (prot == AE_PROT_X)
			err |= AE_PF_FETCH;
		exec_raise(cpu, AE_EXC_PF, err, addr);
	}
	uint8_t *mem = exec_page_mem(p);
	if (!mem)
		exec_raise(cpu, AE_EXC_PF, AE_PF_USER, addr); /* host out of memory */
	uint64_t vpn = addr >> PAGE_SHIFT;
	if (prot == AE_PROT_W && p->code)
		exec_code_written(cpu, p);
	if (cpu->hook && dbg_mem_access(cpu, addr, prot))
		return mem + (addr & (PAGE_SIZE - 1));
	exec_tlb_entry *t = prot == AE_PROT_W   ? &cpu->mmu.tlb_w[vpn & (TLB_SIZE - 1)]
			    : prot == AE_PROT_R ? &cpu->mmu.tlb_r[vpn & (TLB_SIZE - 1)]
						: &cpu->mmu.tlb_x[vpn & (TLB_SIZE - 1)];
	t->vpn = vpn + 1;
	t->mem = mem;
	return mem + (addr & (PAGE_SIZE - 1));
}

uint64_t exec_read_slow(ae_cpu *cpu, uint64_t addr, unsigned size)
{
	uint8_t b[8];
	exec_read_bytes(cpu, addr, b, size);
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

void exec_write_slow(ae_cpu *cpu, uint64_t addr, unsigned size, uint64_t v)
{
	uint8_t b[8];
	for (unsigned i = 0; i < size; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	exec_write_bytes(cpu, addr, b, size);
}

void exec_read_bytes(ae_cpu *cpu, uint64_t addr, void *buf, unsigned n)
{
	uint8_t *out = buf;
	while (n) {
		unsigned chunk = PAGE_SIZE - (unsigned)(addr & (PAGE_SIZE - 1));
		if (chunk > n)
			chunk = n;
		memcpy(out, exec_mem_ptr(cpu, addr, AE_PROT_R), chunk);
		out += chunk;
		addr += chunk;
		n -= chunk;
	}
}

void exec_write_bytes(ae_cpu *cpu, uint64_t addr, const void *buf, unsigned n)
{
	/* Probe every page first: a fault leaves memory untouched. */
	if (((addr & (PAGE_SIZE - 1)) + n) > PAGE_SIZE)
		exec_mem_ptr(cpu, (addr + n - 1), AE_PROT_W);
	const uint8_t *in = buf;
	while (n) {
		unsigned chunk = PAGE_SIZE - (unsigned)(addr & (PAGE_SIZE - 1));
		if (chunk > n)
			chunk = n;
		memcpy(exec_mem_ptr(cpu, addr, AE_PROT_W), in, chunk);
		in += chunk;
		addr += chunk;
		n -= chunk;
	}
}

/* --- public API ------------------------------------------------------------------------ */

static bool range_ok(uint64_t addr, uint64_t len)
{
	return len && addr < USER_LIMIT && len <= USER_LIMIT - addr;
}

int ae_mem_map(ae_cpu *cpu, uint64_t addr, uint64_t len, unsigned prot)
{
	uint64_t start = addr & PAGE_MASK, end = (addr + len + PAGE_SIZE - 1) & PAGE_MASK;
	if (!range_ok(start, end - start))
		return -1;
	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		exec_page *p = exec_page_get(cpu, a, true);
		if (!p)
			return -1;
		if (p->code)
			exec_code_written(cpu, p);
		if (p->mem)
			memset(p->mem, 0, PAGE_SIZE);
		if (!p->prot)
			cpu->mmu.npages++;
		p->prot = (uint8_t)(prot | 0x80); /* 0x80: mapped, even with PROT_NONE */
	}
	exec_tlb_flush(&cpu->mmu);
	return 0;
}

int ae_mem_unmap(ae_cpu *cpu, uint64_t addr, uint64_t len)
{
	uint64_t start = addr & PAGE_MASK, end = (addr + len + PAGE_SIZE - 1) & PAGE_MASK;
	if (!range_ok(start, end - start))
		return -1;
	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		exec_page *p = exec_page_get(cpu, a, false);
		if (!p || !p->prot)
			continue;
		if (p->code)
			exec_code_written(cpu, p);
		free(p->mem);
		p->mem = NULL;
		p->prot = 0;
		cpu->mmu.npages--;
	}
	exec_tlb_flush(&cpu->mmu);
	return 0;
}

int ae_mem_protect(ae_cpu *cpu, uint64_t addr, uint64_t len, unsigned prot)
{
	uint64_t start = addr & PAGE_MASK, end = (addr + len + PAGE_SIZE - 1) & PAGE_MASK;
	if (!range_ok(start, end - start) || !ae_mem_mapped(cpu, start, end - start, 0))
		return -1;
	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		exec_page *p = exec_page_get(cpu, a, false);
		if (p->code && !(prot & AE_PROT_X))
			exec_code_written(cpu, p);
		p->prot = (uint8_t)(prot | 0x80);
	}
	exec_tlb_flush(&cpu->mmu);
	return 0;
}

bool ae_mem_mapped(ae_cpu *cpu, uint64_t addr, uint64_t len, unsigned prot)
{
	uint64_t start = addr & PAGE_MASK, end = (addr + len + PAGE_SIZE - 1) & PAGE_MASK;
	if (!len)
		return true;
	if (!range_ok(start, end - start))
		return false;
	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		exec_page *p = exec_page_get(cpu, a, false);
		if (!p || !p->prot || (p->prot & prot) != prot)
			return false;
	}
	return true;
}

static int copy(ae_cpu *cpu, uint64_t addr, uint8_t *host, size_t len, unsigned prot, bool wr)
{
	if (!len)
		return 0;
	if (!ae_mem_mapped(cpu, addr, len, prot))
		return -1;
	while (len) {
		size_t chunk = PAGE_SIZE - (size_t)(addr & (PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		exec_page *p = exec_page_get(cpu, addr, false);
		uint8_t *mem = exec_page_mem(p);
		if (!mem)
			return -1;
		if (wr) {
			if (p->code)
				exec_code_written(cpu, p);
			memcpy(mem + (addr & (PAGE_SIZE - 1)), host, chunk);
		} else {
			memcpy(host, mem + (addr & (PAGE_SIZE - 1)), chunk);
		}
		host += chunk;
		addr += chunk;
		len -= chunk;
	}
	return 0;
}

int ae_mem_read(ae_cpu *cpu, uint64_t addr, void *buf, size_t len, unsigned need_prot)
{
	return copy(cpu, addr, buf, len, need_prot, false);
}

int ae_mem_write(ae_cpu *cpu, uint64_t addr, const void *buf, size_t len, unsigned need_prot)
{
	return copy(cpu, addr, (uint8_t *)(uintptr_t)buf, len, need_prot, true);
}

uint64_t ae_mem_find_free(ae_cpu *cpu, uint64_t hint, uint64_t len, uint64_t limit)
{
	len = (len + PAGE_SIZE - 1) & PAGE_MASK;
	uint64_t a = hint & PAGE_MASK;
	if (limit > USER_LIMIT)
		limit = USER_LIMIT;
	while (a + len <= limit && a + len > a) {
		uint64_t run = 0;
		while (run < len) {
			exec_page *p = exec_page_get(cpu, a + run, false);
			if (p && p->prot)
				break;
			run += PAGE_SIZE;
		}
		if (run >= len)
			return a;
		a += run + PAGE_SIZE;
	}
	return 0;
}
