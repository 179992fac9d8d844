/* Unicorn 2 as an oracle, loaded with dlopen so that the library does not depend on it.
 *
 * One engine per blob (uc_open is cheap next to a blob of thousands of steps, and a fresh
 * engine has no stale translation blocks).
 *
 * Speed: a step is uc_emu_start with count=1, and QEMU translates a block from the start
 * address up to the next block-ending instruction. With the whole blob in memory, every step
 * would start in the middle of the previous block and translate the rest of the page again.
 * So the code region starts as INT3 (which ends a block) and the engine (df_run.c) writes
 * the real bytes of an instruction only just before it can run: the current instruction and
 * the instructions at its terminators (QEMU translates the block at the next RIP before the
 * count stops it). A block is then the instruction, maybe the one after it, and an INT3.
 * The bytes are written into our buffer behind Unicorn (uc_mem_write on a read-only region
 * costs a memory-map rebuild), so translations are not invalidated, which is harmless here:
 * the first instruction of every block was written before the block was translated, and
 * only the first instruction of a block ever runs. The sandbox is mapped with uc_mem_map_ptr over a
 * buffer of ours, so reading it back costs nothing. Exceptions are caught by an interrupt
 * hook (the vector) and an invalid-instruction hook (#UD), both of which stop the engine.
 * CPU model: EPYC, whose CPUID has the SSE4.2, POPCNT, LZCNT, MOVBE and ADX that QEMU's
 * translator checks before it accepts those instructions.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "df.h"

#if defined(__has_include)
#if __has_include(<unicorn/unicorn.h>)
#define DF_HAVE_UNICORN 1
#endif
#endif

#ifdef DF_HAVE_UNICORN
#include <unicorn/unicorn.h>

typedef uc_err (*fn_open)(uc_arch, uc_mode, uc_engine **);
typedef uc_err (*fn_close)(uc_engine *);
typedef uc_err (*fn_mem_map)(uc_engine *, uint64_t, size_t, uint32_t);
typedef uc_err (*fn_mem_map_ptr)(uc_engine *, uint64_t, size_t, uint32_t, void *);
typedef uc_err (*fn_mem_write)(uc_engine *, uint64_t, const void *, size_t);
typedef uc_err (*fn_reg_write)(uc_engine *, int, const void *);
typedef uc_err (*fn_reg_read)(uc_engine *, int, void *);
typedef uc_err (*fn_emu_start)(uc_engine *, uint64_t, uint64_t, uint64_t, size_t);
typedef uc_err (*fn_emu_stop)(uc_engine *);
typedef uc_err (*fn_hook_add)(uc_engine *, uc_hook *, int, void *, void *, uint64_t, uint64_t,
			      ...);
typedef uc_err (*fn_ctl)(uc_engine *, uc_control_type, ...);

static struct {
	bool loaded;
	fn_open open;
	fn_close close;
	fn_mem_map mem_map;
	fn_mem_map_ptr mem_map_ptr;
	fn_mem_write mem_write;
	fn_reg_write reg_write;
	fn_reg_read reg_read;
	fn_emu_start emu_start;
	fn_emu_stop emu_stop;
	fn_hook_add hook_add;
	fn_ctl ctl;
} uc_api;

struct df_uc {
	uc_engine *uc;
	uint8_t *code; /* the code region, DF_CODE_SIZE bytes, mapped with uc_mem_map_ptr */
	uint8_t *data; /* the sandbox, DF_DATA_SIZE bytes */
	int vector;
};

static const int gpr_ids[16] = {
	UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
	UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
	UC_X86_REG_R8,	UC_X86_REG_R9,	UC_X86_REG_R10, UC_X86_REG_R11,
	UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15};

static int load_api(char *err, size_t errlen)
{
	if (uc_api.loaded)
		return 0;
	void *h = dlopen("libunicorn.so.2", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		h = dlopen("libunicorn.so", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "Unicorn 2 is not available (libunicorn.so.2: %s)", dlerror());
		return -1;
	}
	struct {
		const char *name;
		void **slot;
	} syms[] = {
		{"uc_open", (void **)&uc_api.open},
		{"uc_close", (void **)&uc_api.close},
		{"uc_mem_map", (void **)&uc_api.mem_map},
		{"uc_mem_map_ptr", (void **)&uc_api.mem_map_ptr},
		{"uc_mem_write", (void **)&uc_api.mem_write},
		{"uc_reg_write", (void **)&uc_api.reg_write},
		{"uc_reg_read", (void **)&uc_api.reg_read},
		{"uc_emu_start", (void **)&uc_api.emu_start},
		{"uc_emu_stop", (void **)&uc_api.emu_stop},
		{"uc_hook_add", (void **)&uc_api.hook_add},
		{"uc_ctl", (void **)&uc_api.ctl},
	};
	for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
		void *p = dlsym(h, syms[i].name);
		if (!p) {
			snprintf(err, errlen, "Unicorn: symbol %s missing", syms[i].name);
			return -1;
		}
		memcpy(syms[i].slot, &p, sizeof p);
	}
	uc_api.loaded = true;
	return 0;
}

df_uc *df_uc_new(char *err, size_t errlen)
{
	if (load_api(err, errlen))
		return NULL;
	df_uc *u = calloc(1, sizeof *u);
	if (!u)
		return NULL;
	u->data = aligned_alloc(4096, DF_DATA_SIZE);
	u->code = aligned_alloc(4096, DF_CODE_SIZE);
	if (!u->data || !u->code) {
		free(u->code);
		free(u->data);
		free(u);
		return NULL;
	}
	return u;
}

void df_uc_free(df_uc *u)
{
	if (!u)
		return;
	if (u->uc)
		uc_api.close(u->uc);
	free(u->data);
	free(u->code);
	free(u);
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *opaque)
{
	df_uc *u = opaque;
	u->vector = (int)intno;
	uc_api.emu_stop(uc);
}

static bool hook_invalid(uc_engine *uc, void *opaque)
{
	df_uc *u = opaque;
	u->vector = 6;
	uc_api.emu_stop(uc);
	return false;
}

void df_uc_set_state(df_uc *u, const df_state *st)
{
	for (unsigned i = 0; i < 16; i++)
		uc_api.reg_write(u->uc, gpr_ids[i], &st->gpr[i]);
	uc_api.reg_write(u->uc, UC_X86_REG_RIP, &st->rip);
	uint64_t fl = st->rflags;
	uc_api.reg_write(u->uc, UC_X86_REG_EFLAGS, &fl);
	uint32_t mx = st->mxcsr;
	uc_api.reg_write(u->uc, UC_X86_REG_MXCSR, &mx);
	uint64_t fs = DF_FS_BASE, gs = DF_GS_BASE;
	uc_api.reg_write(u->uc, UC_X86_REG_FS_BASE, &fs);
	uc_api.reg_write(u->uc, UC_X86_REG_GS_BASE, &gs);
	for (unsigned i = 0; i < 16; i++)
		uc_api.reg_write(u->uc, UC_X86_REG_XMM0 + (int)i, st->xmm[i]);
	memcpy(u->data, st->mem, DF_DATA_SIZE);
}

int df_uc_load(df_uc *u, const uint8_t *code, size_t len, const df_state *st)
{
	if (u->uc) {
		uc_api.close(u->uc);
		u->uc = NULL;
	}
	if (uc_api.open(UC_ARCH_X86, UC_MODE_64, &u->uc) != UC_ERR_OK)
		return -1;
	uc_api.ctl(u->uc, UC_CTL_WRITE(UC_CTL_CPU_MODEL, 1), (int)UC_CPU_X86_EPYC);
	memset(u->code, 0xcc, DF_CODE_SIZE);
	if (uc_api.mem_map_ptr(u->uc, DF_CODE_BASE, DF_CODE_SIZE, UC_PROT_READ | UC_PROT_EXEC,
			       u->code) ||
	    uc_api.mem_map_ptr(u->uc, DF_DATA_BASE, DF_DATA_SIZE, UC_PROT_READ | UC_PROT_WRITE,
			       u->data))
		return -1;
	(void)code, (void)len;
	uc_hook h1, h2;
	if (uc_api.hook_add(u->uc, &h1, UC_HOOK_INTR, (void *)hook_intr, u, 1, 0) ||
	    uc_api.hook_add(u->uc, &h2, UC_HOOK_INSN_INVALID, (void *)hook_invalid, u, 1, 0))
		return -1;
	df_uc_set_state(u, st);
	return 0;
}

void df_uc_write_code(df_uc *u, uint64_t addr, const uint8_t *code, unsigned len)
{
	if (addr >= DF_CODE_BASE && addr + len <= DF_CODE_BASE + DF_CODE_SIZE)
		memcpy(u->code + (addr - DF_CODE_BASE), code, len);
}

void df_uc_step(df_uc *u, df_outcome *out)
{
	out->ran = true;
	out->unsupported = false;
	u->vector = -1;
	uint64_t rip0, rip;
	uc_api.reg_read(u->uc, UC_X86_REG_RIP, &rip0);
	/* count=1 stops a taken branch. A REP string instruction runs one iteration per start
	 * and stays at its RIP with RCX decremented: it is started again until RIP moves, it
	 * faults, or RCX stops changing (an instruction Unicorn does not advance over). */
	uint64_t rcx, rcx0;
	uc_api.reg_read(u->uc, UC_X86_REG_RCX, &rcx0);
	for (unsigned k = 0; k < (1u << 20); k++) {
		uc_err e = uc_api.emu_start(u->uc, rip0, 0, 0, 1);
		if (e != UC_ERR_OK && u->vector < 0)
			u->vector = e == UC_ERR_INSN_INVALID ? 6 : e == UC_ERR_EXCEPTION ? 13 : 14;
		uc_api.reg_read(u->uc, UC_X86_REG_RIP, &rip);
		if (u->vector >= 0 || rip != rip0)
			break;
		uc_api.reg_read(u->uc, UC_X86_REG_RCX, &rcx);
		if (rcx == rcx0)
			break;
		rcx0 = rcx;
	}
	out->vector = u->vector;
	df_state *st = &out->st;
	for (unsigned i = 0; i < 16; i++)
		uc_api.reg_read(u->uc, gpr_ids[i], &st->gpr[i]);
	memset(st->gpr + 16, 0, sizeof st->gpr[0] * 16);
	st->rip = rip;
	uint64_t fl = 0;
	uc_api.reg_read(u->uc, UC_X86_REG_EFLAGS, &fl);
	st->rflags = fl;
	uint32_t mx = 0;
	uc_api.reg_read(u->uc, UC_X86_REG_MXCSR, &mx);
	st->mxcsr = mx;
	for (unsigned i = 0; i < 16; i++)
		uc_api.reg_read(u->uc, UC_X86_REG_XMM0 + (int)i, st->xmm[i]);
	memcpy(st->mem, u->data, DF_DATA_SIZE);
}

#else /* no Unicorn headers at build time */

df_uc *df_uc_new(char *err, size_t errlen)
{
	snprintf(err, errlen, "built without Unicorn headers (libunicorn-dev)");
	return NULL;
}
void df_uc_free(df_uc *u)
{
	(void)u;
}
int df_uc_load(df_uc *u, const uint8_t *code, size_t len, const df_state *st)
{
	(void)u, (void)code, (void)len, (void)st;
	return -1;
}
void df_uc_set_state(df_uc *u, const df_state *st)
{
	(void)u, (void)st;
}
void df_uc_write_code(df_uc *u, uint64_t addr, const uint8_t *code, unsigned len)
{
	(void)u, (void)addr, (void)code, (void)len;
}
void df_uc_step(df_uc *u, df_outcome *out)
{
	(void)u;
	out->ran = false;
}
#endif
