/* x87 floating point.
 *
 * Extended precision must be exact, status word, tag word and C0-C3 included, and the
 * transcendental instructions must give what the machine the program would otherwise run on
 * gives. The host of this executor is an x86-64 CPU with an x87 unit, so each x87 instruction
 * is executed by the host itself on the guest's state: the guest's FPU state is turned into
 * an FNSAVE image, FRSTOR loads it (the guest's control word with its precision, rounding and
 * masks), the instruction runs with the same opcode and ModRM byte (a memory operand is
 * copied into a local buffer that [rax] addresses), FNSAVE takes the new state back (and
 * reinitialises the host FPU, so an unmasked exception only sets ES in the saved status and
 * never traps on the host). The result is the hardware's by construction: rounding, NaN
 * propagation, stack faults, C0-C3, TOP and the tags. FCMOVcc and F(U)COMI(P) see and set the
 * guest's RFLAGS through PUSHF/POPF around the instruction.
 *
 * A guest memory access happens outside the host kernel: loads read guest memory first (a
 * #PF leaves the FPU untouched), stores are written after the kernel and before the new
 * state is committed, and a store whose unmasked exception suppressed it is not written.
 * A waiting instruction with ES set in the guest's status word raises #MF (SDM Vol. 1, 8.7).
 *
 * The environment instructions (FLDENV, FNSTENV, FRSTOR, FNSAVE, FNCLEX) are done in C on the
 * 32-bit-format images (SDM Vol. 1, 8.1.10), with zero instruction and data pointers.
 * On a host that is not x86-64 the x87 instructions raise #UD. */
#include "exec_internal.h"

enum { IMG_SIZE = 108, IMG_REGS = 28, ENV_SIZE = 28 };

static unsigned top_of(uint16_t fsw)
{
	return (fsw >> 11) & 7;
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static void to_image(const ae_cpu *cpu, uint8_t *img)
{
	memset(img, 0, IMG_SIZE);
	put16(img + 0, cpu->fcw);
	put16(img + 4, cpu->fsw);
	put16(img + 8, cpu->ftw);
	put16(img + 2, 0xffff); /* the reserved halves read as ones in the 32-bit format */
	put16(img + 6, 0xffff);
	put16(img + 10, 0xffff);
	unsigned top = top_of(cpu->fsw);
	for (unsigned i = 0; i < 8; i++)
		memcpy(img + IMG_REGS + 10 * i, cpu->st[(top + i) & 7], 10);
}

static void from_image(ae_cpu *cpu, const uint8_t *img, bool regs)
{
	cpu->fcw = get16(img + 0);
	cpu->fsw = get16(img + 4);
	cpu->ftw = get16(img + 8);
	if (!regs)
		return;
	unsigned top = top_of(cpu->fsw);
	for (unsigned i = 0; i < 8; i++)
		memcpy(cpu->st[(top + i) & 7], img + IMG_REGS + 10 * i, 10);
}

/* The tag a non-empty register has (SDM Vol. 1, 8.1.7): 0 valid, 1 zero, 2 special. */
static unsigned tag_of(const uint8_t *r)
{
	uint16_t se = get16(r + 8);
	uint64_t m;
	memcpy(&m, r, 8);
	unsigned e = se & 0x7fff;
	if (e == 0x7fff)
		return 2;
	if (e == 0)
		return m ? 2 : 1;
	return (m >> 63) ? 0 : 2;
}

static void fix_tags(ae_cpu *cpu)
{
	uint16_t t = cpu->ftw;
	for (unsigned i = 0; i < 8; i++)
		if (((t >> (2 * i)) & 3) != 3) {
			t &= (uint16_t) ~(3u << (2 * i));
			t |= (uint16_t)(tag_of(cpu->st[i]) << (2 * i));
		}
	cpu->ftw = t;
}

static void check_pending(ae_cpu *cpu)
{
	if (cpu->fsw & 0x80)
		exec_raise(cpu, AE_EXC_MF, 0, 0);
}

/* The opcode byte (D8-DF) and the ModRM byte of the instruction at RIP. */
static void fetch_opcode(ae_cpu *cpu, const ae_insn *in, unsigned *b0, unsigned *modrm)
{
	uint64_t a = cpu->rip, end = cpu->rip + in->len;
	for (; a < end; a++) {
		unsigned b = *exec_mem_ptr(cpu, a, AE_PROT_X);
		if (b >= 0xd8 && b <= 0xdf)
			break;
		if (b == 0xd5) /* REX2 and its payload */
			a++;
	}
	*b0 = *exec_mem_ptr(cpu, a, AE_PROT_X);
	*modrm = *exec_mem_ptr(cpu, a + 1, AE_PROT_X);
}

#if defined(__x86_64__)

#define XK(b0, m)                                                                                  \
	case (((b0)-0xd8) << 8) | (m):                                                             \
		__asm__ volatile("frstor %[img]\n\t.byte " #b0 ", " #m "\n\tfnsave %[img]"         \
				 : [img] "+m"(*(uint8_t(*)[IMG_SIZE])img)                          \
				 : "a"(mem)                                                        \
				 : "memory", "cc");                                                \
		break;
#define XKF(b0, m)                                                                                 \
	case (((b0)-0xd8) << 8) | (m):                                                             \
		__asm__ volatile("frstor %[img]\n\tlea -128(%%rsp), %%rsp\n\tpush %[fl]\n\tpopfq\n\t" \
				 ".byte " #b0 ", " #m "\n\tpushfq\n\tpop %[fl]\n\t"                \
				 "lea 128(%%rsp), %%rsp\n\tfnsave %[img]"                          \
				 : [img] "+m"(*(uint8_t(*)[IMG_SIZE])img), [fl] "+r"(fl)           \
				 :                                                                 \
				 : "memory", "cc");                                                \
		break;
#define XR8(K, b0, base)                                                                           \
	K(b0, base + 0) K(b0, base + 1) K(b0, base + 2) K(b0, base + 3) K(b0, base + 4)           \
	    K(b0, base + 5) K(b0, base + 6) K(b0, base + 7)
#define XR64(K, b0)                                                                                \
	XR8(K, b0, 0xc0) XR8(K, b0, 0xc8) XR8(K, b0, 0xd0) XR8(K, b0, 0xd8) XR8(K, b0, 0xe0)      \
	    XR8(K, b0, 0xe8) XR8(K, b0, 0xf0) XR8(K, b0, 0xf8)
/* Memory forms: mod 00, rm 000 ([rax]) with each reg digit. */
#define XM8(b0)                                                                                    \
	XK(b0, 0x00) XK(b0, 0x08) XK(b0, 0x10) XK(b0, 0x18) XK(b0, 0x20) XK(b0, 0x28)             \
	    XK(b0, 0x30) XK(b0, 0x38)

static bool host_run(uint8_t *img, unsigned key, void *mem)
{
	switch (key) {
		XR64(XK, 0xd8)
		XR64(XK, 0xd9)
		XR64(XK, 0xda)
		XR64(XK, 0xdb)
		XR64(XK, 0xdc)
		XR64(XK, 0xdd)
		XR64(XK, 0xde)
		XR64(XK, 0xdf)
		XM8(0xd8)
		XM8(0xd9)
		XM8(0xda)
		XM8(0xdb)
		XM8(0xdc)
		XM8(0xdd)
		XM8(0xde)
		XM8(0xdf)
	default:
		return false;
	}
	return true;
}

/* FCMOVcc (DA/DB C0-DF) and F(U)COMI(P) (DB/DF E8-F7). */
static bool host_run_flags(uint8_t *img, unsigned key, uint64_t *flags)
{
	uint64_t fl = (*flags & FL_ARITH) | 0x202;
	switch (key) {
		XR8(XKF, 0xda, 0xc0)
		XR8(XKF, 0xda, 0xc8)
		XR8(XKF, 0xda, 0xd0)
		XR8(XKF, 0xda, 0xd8)
		XR8(XKF, 0xdb, 0xc0)
		XR8(XKF, 0xdb, 0xc8)
		XR8(XKF, 0xdb, 0xd0)
		XR8(XKF, 0xdb, 0xd8)
		XR8(XKF, 0xdb, 0xe8)
		XR8(XKF, 0xdb, 0xf0)
		XR8(XKF, 0xdf, 0xe8)
		XR8(XKF, 0xdf, 0xf0)
	default:
		return false;
	}
	*flags = fl;
	return true;
}

static void host_fpu_save(uint16_t *cw)
{
	__asm__ volatile("fnstcw %0" : "=m"(*cw));
}
static void host_fpu_restore(const uint16_t *cw)
{
	__asm__ volatile("fldcw %0" : : "m"(*cw));
}

/* Whether a memory form (opcode, reg digit) stores to memory. */
static bool mem_is_store(unsigned b0, unsigned reg)
{
	switch (b0) {
	case 0xd9: return reg == 2 || reg == 3;
	case 0xdb: return (reg >= 1 && reg <= 3) || reg == 7;
	case 0xdd: return reg >= 1 && reg <= 3;
	case 0xdf: return (reg >= 1 && reg <= 3) || reg >= 6;
	default: return false;
	}
}

static void h_x87(ae_cpu *cpu, const ae_insn *in)
{
	unsigned b0, modrm;
	check_pending(cpu);
	fetch_opcode(cpu, in, &b0, &modrm);
	_Alignas(16) uint8_t img[IMG_SIZE];
	_Alignas(16) uint8_t buf[16] = {0};
	bool is_mem = (modrm >> 6) != 3, store = false;
	uint64_t addr = 0;
	unsigned key = ((b0 - 0xd8) << 8) | modrm, n = in->memsz;
	if (is_mem) {
		key = ((b0 - 0xd8) << 8) | (modrm & 0x38);
		store = mem_is_store(b0, (modrm >> 3) & 7);
		addr = exec_ea(cpu, in);
		if (n > sizeof buf)
			exec_ud(cpu);
		/* a store reads the destination first: the host writes buf only when the
		 * store takes place (not with an unmasked IE/OE/UE, but with PE it does) */
		exec_read_bytes(cpu, addr, buf, n);
	}
	to_image(cpu, img);
	uint16_t cw;
	host_fpu_save(&cw);
	bool ok = host_run(img, key, buf);
	host_fpu_restore(&cw);
	if (!ok)
		exec_ud(cpu);
	if (store)
		exec_write_bytes(cpu, addr, buf, n);
	from_image(cpu, img, true);
}

static void h_x87_flags(ae_cpu *cpu, const ae_insn *in)
{
	unsigned b0, modrm;
	check_pending(cpu);
	fetch_opcode(cpu, in, &b0, &modrm);
	_Alignas(16) uint8_t img[IMG_SIZE];
	uint64_t fl = exec_flags(cpu);
	to_image(cpu, img);
	uint16_t cw;
	host_fpu_save(&cw);
	bool ok = host_run_flags(img, ((b0 - 0xd8) << 8) | modrm, &fl);
	host_fpu_restore(&cw);
	if (!ok)
		exec_ud(cpu);
	from_image(cpu, img, true);
	exec_flags_set(cpu, fl);
}

#else

static void h_x87(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	exec_ud(cpu);
}
static void h_x87_flags(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	exec_ud(cpu);
}

#endif

/* --- environment ------------------------------------------------------------------------- */

static void h_fnclex(ae_cpu *cpu, const ae_insn *in)
{
	(void)in;
	cpu->fsw &= 0x7f00;
}

static void h_fnstenv(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t img[IMG_SIZE];
	to_image(cpu, img);
	exec_write_bytes(cpu, exec_ea(cpu, in), img, ENV_SIZE);
	cpu->fcw |= 0x3f;
}

static void h_fldenv(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t img[IMG_SIZE];
	exec_read_bytes(cpu, exec_ea(cpu, in), img, ENV_SIZE);
	from_image(cpu, img, false);
	fix_tags(cpu);
}

static void h_fnsave(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t img[IMG_SIZE];
	to_image(cpu, img);
	exec_write_bytes(cpu, exec_ea(cpu, in), img, IMG_SIZE);
	cpu->fcw = 0x37f, cpu->fsw = 0, cpu->ftw = 0xffff;
}

static void h_frstor(ae_cpu *cpu, const ae_insn *in)
{
	uint8_t img[IMG_SIZE];
	exec_read_bytes(cpu, exec_ea(cpu, in), img, IMG_SIZE);
	from_image(cpu, img, true);
	fix_tags(cpu);
}

/* FLDCW: bit 6 reads as 1, bits 13-15 as 0; ES follows the newly unmasked exceptions. */
static void h_fldcw(ae_cpu *cpu, const ae_insn *in)
{
	check_pending(cpu);
	uint16_t cw = (uint16_t)exec_read(cpu, exec_ea(cpu, in), 2);
	cpu->fcw = (uint16_t)((cw & 0x1f3f) | 0x40);
	if (cpu->fsw & ~cpu->fcw & 0x3f)
		cpu->fsw |= 0x8080;
	else
		cpu->fsw &= (uint16_t)~0x8080;
}

/* Every other x87 handler of isa/x87.tbl is the host-run h_x87. */
const exec_handler_def exec_x87_handlers[] = {
	{"fnclex", h_fnclex}, {"fnstenv", h_fnstenv}, {"fldenv", h_fldenv},
	{"fnsave", h_fnsave}, {"frstor", h_frstor},   {"fldcw", h_fldcw},   {"fcmov", h_x87_flags},
	{"fcomi", h_x87_flags}, {"fucomi", h_x87_flags}, {"fcomip", h_x87_flags},
	{"fucomip", h_x87_flags},
#define X(name) {#name, h_x87},
	X(fadd) X(fmul) X(fcom) X(fcomp) X(fsub) X(fsubr) X(fdiv) X(fdivr) X(fld) X(fst) X(fstp)
	X(fxch) X(fnop) X(fchs) X(fabs) X(ftst) X(fxam) X(fld1) X(fldl2t) X(fldl2e) X(fldpi)
	X(fldlg2) X(fldln2) X(fldz) X(f2xm1) X(fyl2x) X(fptan) X(fpatan) X(fxtract) X(fprem1)
	X(fdecstp) X(fincstp) X(fprem) X(fyl2xp1) X(fsqrt) X(fsincos) X(frndint) X(fscale)
	X(fsin) X(fcos) X(fiadd) X(fimul) X(ficom) X(ficomp) X(fisub) X(fisubr) X(fidiv)
	X(fidivr) X(fucompp) X(fild) X(fist) X(fistp) X(fisttp) X(ffree) X(fucom) X(fucomp)
	X(faddp) X(fmulp) X(fcompp) X(fsubrp) X(fsubp) X(fdivrp) X(fdivp) X(fbld) X(fbstp)
	X(ffreep)
#undef X
	{NULL, NULL},
};
