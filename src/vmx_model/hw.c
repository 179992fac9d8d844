/* The physical CPU of the VMX/SVM model: the executor runs the guest at CPL0 in a flat,
 * identity-mapped address space. The loader builds 4-level page tables that describe that
 * identity map (CR3 = 0x1000, CR0.PG, CR4.PAE) so that the guest sees paging; the soft-MMU
 * does not walk them, and whenever the guest loads CR3 the model walks the new tables and
 * stops the guest if they map anything other than the identity. Exceptions are delivered
 * through the guest's IDT (LIDT and IRETQ run natively: a 64-bit interrupt gate, the frame
 * SS, RSP, RFLAGS, CS, RIP and the error code where the vector has one), unless the
 * exception bitmap turns them into VM exits. The intercept decides, from the
 * table's exit class, the VMCS controls and the MSR bitmaps, whether an instruction causes a
 * VM exit or runs natively, and the exit information is encoded as hardware does
 * (SDM Vol. 3C 28.2, kvm-apx-model.md §2 for the MSR_IMM reasons and the extended
 * instruction-information field).
 */
#include <stdlib.h>
#include <string.h>

#include "ae_gen.h"
#include "apxemu/elf.h"
#include "vmx_internal.h"

static uint16_t h_xgetbv = 0xffff, h_movcr = 0xffff, h_lidt = 0xffff, h_iret = 0xffff;

#define CR0_PG (1ull << 31)
#define PTE_P 1ull
#define PTE_W 2ull
#define PTE_PS 0x80ull
#define PTE_ADDR 0x000ffffffffff000ull

static uint64_t rd_phys64(vmx_m *m, uint64_t pa)
{
	uint64_t v = 0;
	if (ae_mem_read(m->hw.cpu, pa, &v, 8, 0))
		return 0;
	return v;
}

static void wr_phys64(vmx_m *m, uint64_t pa, uint64_t v)
{
	ae_mem_write(m->hw.cpu, pa, &v, 8, 0);
}

/* PML4 at GUEST_PT, one PDPT, one PD of 2 MiB pages: the first 1 GiB maps to itself. */
void vmx_hw_build_paging(vmx_m *m)
{
	uint64_t pml4 = GUEST_PT, pdpt = GUEST_PT + 0x1000, pd = GUEST_PT + 0x2000;
	for (unsigned i = 0; i < 512; i++) {
		wr_phys64(m, pml4 + i * 8, i ? 0 : pdpt | PTE_P | PTE_W);
		wr_phys64(m, pdpt + i * 8, i ? 0 : pd | PTE_P | PTE_W);
		wr_phys64(m, pd + i * 8, (uint64_t)i << 21 | PTE_P | PTE_W | PTE_PS);
	}
	m->hw.cr3 = pml4;
	m->hw.cr0 = 0x80050033; /* PG, AM, WP, NE, ET, MP, PE */
}

/* Walks the tables at cr3 for every 4 KiB page of guest memory (SDM Vol. 3A 4.5). */
bool vmx_hw_paging_identity(vmx_m *m, uint64_t cr3)
{
	for (uint64_t va = 0; va < GUEST_MEM; va += 0x1000) {
		uint64_t e = rd_phys64(m, (cr3 & PTE_ADDR) + ((va >> 39) & 511) * 8);
		if (!(e & PTE_P))
			return false;
		e = rd_phys64(m, (e & PTE_ADDR) + ((va >> 30) & 511) * 8);
		if (!(e & PTE_P))
			return false;
		uint64_t pa;
		if (e & PTE_PS) {
			pa = (e & PTE_ADDR & ~((1ull << 30) - 1)) | (va & ((1ull << 30) - 1));
		} else {
			e = rd_phys64(m, (e & PTE_ADDR) + ((va >> 21) & 511) * 8);
			if (!(e & PTE_P))
				return false;
			if (e & PTE_PS) {
				pa = (e & PTE_ADDR & ~((1ull << 21) - 1)) | (va & ((1ull << 21) - 1));
			} else {
				e = rd_phys64(m, (e & PTE_ADDR) + ((va >> 12) & 511) * 8);
				if (!(e & PTE_P))
					return false;
				pa = (e & PTE_ADDR) | (va & 0xfff);
			}
		}
		if (pa != va)
			return false;
	}
	return true;
}

/* An ELF executable (PT_LOAD segments at their physical addresses) or a flat binary at
 * GUEST_LOAD. */
int vmx_hw_load_image(vmx_m *m, const uint8_t *img, size_t len, uint64_t *entry, char *err, size_t errlen)
{
	if (len >= 4 && !memcmp(img, "\177ELF", 4)) {
		ae_elf *elf;
		if (ae_elf_parse(img, len, &elf, err, errlen))
			return -1;
		int rc = 0;
		for (size_t i = 0; i < ae_elf_segment_count(elf) && !rc; i++) {
			const ae_elf_segment *sg = ae_elf_segment_at(elf, i);
			if (sg->type != 1) /* PT_LOAD */
				continue;
			uint64_t pa = sg->vaddr; /* identity-mapped */
			if (pa < GUEST_LOAD || sg->memsz > GUEST_MEM || pa + sg->memsz > GUEST_STACK - 0x1000) {
				snprintf(err, errlen, "segment at %#llx (%#llx bytes) outside guest memory %#x-%#x",
					 (unsigned long long)pa, (unsigned long long)sg->memsz, GUEST_LOAD,
					 GUEST_STACK - 0x1000);
				rc = -1;
				break;
			}
			const uint8_t *d = ae_elf_segment_data(elf, sg);
			if (sg->filesz && (!d || ae_mem_write(m->hw.cpu, pa, d, sg->filesz, 0)))
				rc = -1;
		}
		*entry = ae_elf_entry(elf);
		ae_elf_close(elf);
		if (rc && !*err)
			snprintf(err, errlen, "cannot load the ELF segments");
		return rc;
	}
	if (!len || len > GUEST_STACK - 0x1000 - GUEST_LOAD) {
		snprintf(err, errlen, "flat binary empty or larger than %#x bytes", GUEST_STACK - 0x1000 - GUEST_LOAD);
		return -1;
	}
	*entry = GUEST_LOAD;
	return ae_mem_write(m->hw.cpu, GUEST_LOAD, img, len, 0) ? -1 : 0;
}

uint64_t vmx_hw_xcr0(vmx_m *m)
{
	return ae_cpu_xcr0(m->hw.cpu);
}

void vmx_hw_xsetbv(vmx_m *m, uint64_t v, vmx_owner owner)
{
	ae_cpu_vmx_set_xcr0(m->hw.cpu, v, (m->v.cr4 >> 18) & 1);
	m->hw.xcr0_tag = (uint8_t)owner;
	vmx_event(m, AE_VMX_EV_XCR0, "XSETBV %#llx (%s value)", (unsigned long long)v,
		  owner == OWN_GUEST ? "guest" : "host");
}

bool vmx_guest_can_egpr(vmx_m *m)
{
	return m->hw.apx_enum && ((m->v.cr4 >> 18) & 1) && (vmx_hw_xcr0(m) & XF_APX);
}

/* Host code touching r16-r31: #UD unless hardware XCR0[19] is set (APX spec 3.1.3). */
bool vmx_hw_egpr_access(vmx_m *m, const char *step)
{
	if (!m->hw.apx_enum || !(vmx_hw_xcr0(m) & XF_APX)) {
		vmx_violation(m, "X5", "host #UD: %s touches r16-r31 with xcr0=%#llx", step,
			      (unsigned long long)vmx_hw_xcr0(m));
		m->host_crashed = true;
		return false;
	}
	return true;
}

static int insn_gpr(const ae_insn *in)
{
	for (unsigned i = 0; i < in->nops; i++)
		if (in->ops[i].kind == AE_OP_REG && in->ops[i].reg < 32)
			return in->ops[i].reg;
	return -1;
}

static bool msr_intercepted(vmx_hw *hw, uint32_t msr, bool write)
{
	unsigned base = write ? 2048 : 0;
	if (msr >= 0xc0000000 && msr <= 0xc0001fff)
		base += 1024, msr -= 0xc0000000;
	else if (msr > 0x1fff)
		return true;
	return (hw->vmcs.msr_bitmap[base + msr / 8] >> (msr % 8)) & 1;
}

/* The executor asks before every instruction: true stops it so that guest_insn() decides
 * between a VM exit and native execution. */
static bool intercept(void *opaque, ae_cpu *cpu, const ae_insn *in, unsigned ex)
{
	(void)opaque;
	(void)cpu;
	const dec_form *f = &dec_forms[in->form];
	if (f->handler == h_xgetbv || f->handler == h_movcr || f->handler == h_lidt || f->handler == h_iret)
		return true;
	switch (ex) {
	case DX_CPUID:
	case DX_XSETBV:
	case DX_HLT:
	case DX_INVD:
	case DX_VMCALL:
	case DX_VMMCALL:
	case DX_IO:
	case DX_RDMSR:
	case DX_WRMSR:
	case DX_WRMSRNS:
	case DX_RDMSR_IMM:
	case DX_WRMSRNS_IMM:
		return true;
	default:
		return false;
	}
}

/* The executor's diagnostics (an unimplemented instruction the guest ran into, ...) go to the
 * step trace, not to stderr: a broken policy often sends the guest into garbage. */
static void exec_log(void *opaque, const char *line)
{
	vmx_m *m = opaque;
	vmx_trace(m, "executor: %s", line);
}

int vmx_hw_init(vmx_m *m, const char *host, bool svm)
{
	vmx_hw *hw = &m->hw;
	memset(hw, 0, sizeof *hw);
	bool apx = strcmp(host, "noapx") != 0;
	const ae_xs_profile *xp = ae_xs_profile_find(apx ? "apx" : "spr");
	if (!xp)
		return -1;
	hw->prof = *xp;
	if (!strcmp(host, "apx-mpx"))
		hw->prof.xcr0_mask |= XF_MPX;
	hw->cpu = ae_cpu_new(apx ? "default" : "noapx");
	if (!hw->cpu)
		return -1;
	if (h_xgetbv == 0xffff)
		for (unsigned h = 0; h < DEC_NHANDLERS; h++) {
			if (!strcmp(dec_handler_names[h], "xgetbv"))
				h_xgetbv = (uint16_t)h;
			if (!strcmp(dec_handler_names[h], "mov_cr"))
				h_movcr = (uint16_t)h;
			if (!strcmp(dec_handler_names[h], "lidt"))
				h_lidt = (uint16_t)h;
			if (!strcmp(dec_handler_names[h], "iret"))
				h_iret = (uint16_t)h;
		}
	if (ae_cpu_vmx_attach(hw->cpu, intercept, m) || ae_mem_map(hw->cpu, 0, GUEST_MEM, 7))
		return -1;
	ae_cpu_set_log(hw->cpu, exec_log, m);
	hw->svm = svm;
	hw->apx_enum = apx;
	hw->msr_imm = apx && !svm;
	hw->bit12_garbage = !apx;
	hw->nrips = true;
	hw->mode = MODE_HOST_C;
	hw->irq_on = true;
	hw->vmcs.inject_vector = -1;
	/* Intercept every MSR except IA32_U_CET, which the guest owns (its value is switched
	 * with the guest FPU, as XSAVES-managed state). */
	memset(hw->vmcs.msr_bitmap, 0xff, sizeof hw->vmcs.msr_bitmap);
	for (unsigned half = 0; half < 4096; half += 2048)
		hw->vmcs.msr_bitmap[half + MSR_U_CET / 8] &= (uint8_t)~(1u << (MSR_U_CET % 8));
	for (unsigned r = 0; r < 32; r++)
		hw->tag[r] = OWN_HOST;
	m->host_xcr0 = hw->prof.xcr0_mask & ~XF_MPX & (XF_FP | XF_SSE | XF_YMM | XF_AVX512 | XF_PKRU | XF_APX);
	if (!apx)
		m->host_xcr0 &= ~XF_APX;
	m->host_xss = 0;
	m->host_pkru = 0x55555554;
	m->host_u_cet = 0x1111;
	hw->pkru = m->host_pkru;
	hw->u_cet = m->host_u_cet;
	hw->xcr0_tag = hw->xss_tag = hw->pkru_tag = OWN_HOST;
	ae_cpu_vmx_set_xcr0(hw->cpu, m->host_xcr0, true);
	return 0;
}

void vmx_hw_free(vmx_m *m)
{
	if (m->hw.cpu) {
		ae_cpu_vmx_detach(m->hw.cpu);
		ae_cpu_free(m->hw.cpu);
		m->hw.cpu = NULL;
	}
}

static void set_exit(vmx_m *m, uint32_t reason, uint64_t qual)
{
	vmx_vmcs *vm = &m->hw.vmcs;
	vm->exit_reason = reason;
	vm->exit_qual = qual;
	vm->insn_len = m->hw.insn.len;
	vm->insn_info = 0;
	vm->ext_insn_info = 0;
	vm->intr_info = 0;
	int r = m->hw.insn_reg;
	if (r >= 0) {
		/* Legacy bits 6:3 hold four bits; with an EGPR operand they are the low four. */
		vm->insn_info = (uint32_t)(r & 0xf) << 3;
		if (m->hw.apx_enum)
			vm->ext_insn_info = (uint64_t)(r & 0x1f) << 16;
	}
}

static void set_svm_exit(vmx_m *m, uint64_t code, uint64_t info1, uint64_t info2)
{
	vmx_vmcs *vm = &m->hw.vmcs;
	vm->exit_code = code;
	vm->exit_info1 = info1;
	vm->exit_info2 = info2;
	vm->next_rip = m->hw.nrips ? m->hw.exit_rip + m->hw.insn.len : 0;
}

static bool has_error_code(unsigned vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 ||
	       vector == 29 || vector == 30;
}

/* Delivers an exception inside the guest: through a 64-bit interrupt or trap gate of its IDT
 * (SDM Vol. 3A 6.14), else to the one-shot fixup address of port 0xe2. Returns false when
 * there is neither (the caller reports a triple fault). */
static bool deliver(vmx_m *m, unsigned vector, uint32_t error)
{
	vmx_hw *hw = &m->hw;
	ae_cpu *cpu = hw->cpu;
	if (hw->idt_limit >= vector * 16 + 15) {
		uint8_t g[16];
		if (ae_mem_read(cpu, hw->idt_base + vector * 16, g, 16, 0))
			return false;
		unsigned type = g[5] & 0xf;
		if (!(g[5] & 0x80) || (type != 0xe && type != 0xf))
			return false;
		uint64_t target = (uint64_t)(g[0] | g[1] << 8) | (uint64_t)(g[6] | g[7] << 8) << 16 |
				  (uint64_t)(g[8] | g[9] << 8 | g[10] << 16 | (uint32_t)g[11] << 24) << 32;
		uint64_t rsp = ae_cpu_get(cpu, 4), rfl = ae_cpu_rflags(cpu);
		uint64_t frame[6] = {0x10, rsp, rfl, 0x8, ae_cpu_get(cpu, AE_R_RIP), error};
		uint64_t nsp = (rsp & ~15ull) - 40;
		if (has_error_code(vector))
			nsp -= 8;
		uint64_t p = nsp;
		if (has_error_code(vector)) {
			if (ae_mem_write(cpu, p, &frame[5], 8, 0))
				return false;
			p += 8;
		}
		for (int i = 4; i >= 0; i--, p += 8)
			if (ae_mem_write(cpu, p, &frame[i], 8, 0))
				return false;
		ae_cpu_set(cpu, 4, nsp);
		ae_cpu_set(cpu, AE_R_RIP, target);
		if (type == 0xe)
			ae_cpu_set_rflags(cpu, rfl & ~(1ull << 9)); /* interrupt gate: IF=0 */
		return true;
	}
	if (!hw->fixup)
		return false;
	ae_cpu_set(cpu, AE_R_RIP, hw->fixup);
	ae_cpu_set(cpu, 0, vector);
	hw->fixup = 0;
	return true;
}

static bool exception_exit(vmx_m *m, unsigned vector, uint32_t error)
{
	vmx_hw *hw = &m->hw;
	hw->insn.len = 0;
	hw->insn_reg = -1;
	if ((hw->vmcs.exception_bitmap >> vector) & 1) {
		if (hw->svm)
			set_svm_exit(m, SVM_EXIT_EXCP_BASE + vector, 0, 0);
		else {
			set_exit(m, VMX_EXIT_EXCEPTION, 0);
			hw->vmcs.intr_info = 0x80000300u | vector;
		}
		return true;
	}
	if (deliver(m, vector, error))
		return false;
	if (hw->svm)
		set_svm_exit(m, SVM_EXIT_SHUTDOWN, 0, 0);
	else
		set_exit(m, VMX_EXIT_TRIPLE_FAULT, 0);
	return true;
}

/* One guest instruction the model executes natively, or the exit it causes. Returns true on
 * a VM exit. */
static bool guest_insn(vmx_m *m)
{
	vmx_hw *hw = &m->hw;
	ae_cpu *cpu = hw->cpu;
	const ae_insn *in = ae_cpu_vmx_insn(cpu);
	unsigned ex = ae_insn_exit_class(in);
	const dec_form *f = &dec_forms[in->form];
	uint64_t rip = ae_cpu_get(cpu, AE_R_RIP);
	bool osx = (m->v.cr4 >> 18) & 1;
	hw->insn = *in;
	hw->insn_reg = insn_gpr(in);
	hw->exit_rip = rip;
	uint64_t rax = ae_cpu_get(cpu, 0), rcx = ae_cpu_get(cpu, 1), rdx = ae_cpu_get(cpu, 2);
	if (f->handler == h_xgetbv) {
		if (!osx)
			return exception_exit(m, AE_EXC_UD, 0);
		if ((uint32_t)rcx != 0 && (uint32_t)rcx != 1)
			return exception_exit(m, AE_EXC_GP, 0);
		uint64_t x = vmx_hw_xcr0(m);
		ae_cpu_set(cpu, 0, (uint32_t)x);
		ae_cpu_set(cpu, 2, x >> 32);
		ae_cpu_set(cpu, AE_R_RIP, rip + in->len);
		return false;
	}
	if (f->handler == h_lidt) {
		const ae_mem *mm = &in->mem;
		uint64_t ea = (uint64_t)(int64_t)mm->disp;
		if (mm->base == AE_R_RIP)
			ea += rip + in->len;
		else if (mm->base < 32)
			ea += ae_cpu_get(cpu, mm->base);
		if (mm->index < 32)
			ea += ae_cpu_get(cpu, mm->index) * mm->scale;
		uint8_t d[10];
		if (ae_mem_read(cpu, ea, d, 10, 0))
			return exception_exit(m, AE_EXC_PF, 0);
		hw->idt_limit = (uint16_t)(d[0] | d[1] << 8);
		memcpy(&hw->idt_base, d + 2, 8);
		ae_cpu_set(cpu, AE_R_RIP, rip + in->len);
		return false;
	}
	if (f->handler == h_iret) { /* IRETQ to CPL0: RIP, CS, RFLAGS, RSP, SS */
		uint64_t sp = ae_cpu_get(cpu, 4), fr[5];
		if (in->opsize != 8 || ae_mem_read(cpu, sp, fr, sizeof fr, 0))
			return exception_exit(m, AE_EXC_GP, 0);
		ae_cpu_set(cpu, AE_R_RIP, fr[0]);
		ae_cpu_set_rflags(cpu, fr[2]);
		ae_cpu_set(cpu, 4, fr[3]);
		return false;
	}
	if (f->handler == h_movcr) {
		unsigned cr = 0, gpr = 0;
		bool to_cr = in->ops[0].reg >= AE_R_CR && in->ops[0].reg < AE_R_CR + 16;
		cr = (to_cr ? in->ops[0].reg : in->ops[1].reg) - AE_R_CR;
		gpr = to_cr ? in->ops[1].reg : in->ops[0].reg;
		if (!to_cr) { /* reads come from the read shadow natively */
			ae_cpu_set(cpu, gpr, cr == 4 ? m->v.cr4 : cr == 0 ? hw->cr0 : cr == 3 ? hw->cr3 : 0);
			ae_cpu_set(cpu, AE_R_RIP, rip + in->len);
			return false;
		}
		if (cr == 0 || cr == 3) { /* no CR0/CR3-load exiting (EPT) */
			uint64_t val = ae_cpu_get(cpu, gpr);
			if (cr == 3 && !vmx_hw_paging_identity(m, val)) {
				vmx_violation(m, "G", "guest loaded CR3=%#llx whose tables are not the identity map "
						      "(the model's MMU is identity only)", (unsigned long long)val);
				return exception_exit(m, AE_EXC_GP, 0);
			}
			if (cr == 0 && !(val & CR0_PG)) {
				vmx_violation(m, "G", "guest cleared CR0.PG (long mode needs paging)");
				return exception_exit(m, AE_EXC_GP, 0);
			}
			if (cr == 0)
				hw->cr0 = val;
			else
				hw->cr3 = val;
			ae_cpu_set(cpu, AE_R_RIP, rip + in->len);
			return false;
		}
		if (hw->svm) {
			set_svm_exit(m, SVM_EXIT_CR4_WRITE + cr - 4, (1ull << 63) | gpr, 0);
			return true;
		}
		/* SDM Table 28-3: CR number 3:0, access type 5:4 = 0, GPR 11:8 (12:8 with APX). */
		uint64_t q = cr | (uint64_t)(gpr & 0xf) << 8;
		if (hw->apx_enum)
			q |= (uint64_t)(gpr >> 4 & 1) << 12;
		else if (hw->bit12_garbage)
			q |= 1ull << 12;
		set_exit(m, VMX_EXIT_CR_ACCESS, q);
		return true;
	}
	switch (ex) {
	case DX_CPUID:
		if (hw->svm)
			set_svm_exit(m, SVM_EXIT_CPUID, 0, 0);
		else
			set_exit(m, VMX_EXIT_CPUID, 0);
		return true;
	case DX_XSETBV:
		if (!osx)
			return exception_exit(m, AE_EXC_UD, 0);
		if (hw->svm)
			set_svm_exit(m, SVM_EXIT_XSETBV, 0, 0);
		else
			set_exit(m, VMX_EXIT_XSETBV, 0);
		return true;
	case DX_HLT:
		if (hw->svm)
			set_svm_exit(m, SVM_EXIT_HLT, 0, 0);
		else
			set_exit(m, VMX_EXIT_HLT, 0);
		return true;
	case DX_INVD:
		if (hw->svm)
			set_svm_exit(m, SVM_EXIT_INVD, 0, 0);
		else
			set_exit(m, VMX_EXIT_INVD, 0);
		return true;
	case DX_VMCALL:
	case DX_VMMCALL:
		if (hw->svm)
			set_svm_exit(m, SVM_EXIT_VMMCALL, 0, 0);
		else
			set_exit(m, VMX_EXIT_VMCALL, 0);
		return true;
	case DX_IO: {
		if (in->opc < 0xe4) /* INS/OUTS are not modelled */
			return exception_exit(m, AE_EXC_UD, 0);
		bool out = (in->opc & 2) != 0;
		unsigned size = (in->opc & 1) ? in->opsize : 1;
		uint32_t port = (in->opc & 8) ? (uint16_t)rdx : (uint8_t)in->imm;
		if (out && port == PORT_FIXUP) { /* the guest's exception fixup, not an exit */
			hw->fixup = (uint32_t)rax;
			ae_cpu_set(cpu, AE_R_RIP, rip + in->len);
			return false;
		}
		/* SDM Table 28-5: size-1 in 2:0, direction (1 = IN) in 3, port in 31:16. */
		uint64_t q = (uint64_t)(size - 1) | (out ? 0 : 8) | (uint64_t)port << 16;
		hw->insn_reg = -1;
		if (hw->svm)
			set_svm_exit(m, SVM_EXIT_IOIO, (uint64_t)port << 16 | (out ? 0 : 1) | (size << 4), 0);
		else
			set_exit(m, VMX_EXIT_IO, q);
		return true;
	}
	case DX_RDMSR:
	case DX_WRMSR:
	case DX_WRMSRNS: {
		bool wr = ex != DX_RDMSR;
		uint32_t msr = (uint32_t)rcx;
		if (!msr_intercepted(hw, msr, wr)) {
			if (msr != MSR_U_CET)
				return exception_exit(m, AE_EXC_GP, 0);
			if (wr)
				hw->u_cet = (uint32_t)rax | rdx << 32;
			else {
				ae_cpu_set(cpu, 0, (uint32_t)hw->u_cet);
				ae_cpu_set(cpu, 2, hw->u_cet >> 32);
			}
			ae_cpu_set(cpu, AE_R_RIP, rip + in->len);
			return false;
		}
		hw->insn_reg = -1;
		if (hw->svm)
			set_svm_exit(m, SVM_EXIT_MSR, wr, 0);
		else
			set_exit(m, wr ? VMX_EXIT_MSR_WRITE : VMX_EXIT_MSR_READ, 0);
		return true;
	}
	case DX_RDMSR_IMM:
	case DX_WRMSRNS_IMM: {
		if (!hw->msr_imm)
			return exception_exit(m, AE_EXC_UD, 0);
		bool wr = ex == DX_WRMSRNS_IMM;
		uint32_t msr = (uint32_t)in->imm;
		if (!msr_intercepted(hw, msr, wr)) {
			if (msr != MSR_U_CET)
				return exception_exit(m, AE_EXC_GP, 0);
			if (wr)
				hw->u_cet = ae_cpu_get(cpu, (unsigned)hw->insn_reg);
			else
				ae_cpu_set(cpu, (unsigned)hw->insn_reg, hw->u_cet);
			ae_cpu_set(cpu, AE_R_RIP, rip + in->len);
			return false;
		}
		set_exit(m, wr ? VMX_EXIT_MSR_WRITE_IMM : VMX_EXIT_MSR_READ_IMM, msr);
		return true;
	}
	default:
		/* Other exit classes are not modelled: the guest sees #UD. */
		return exception_exit(m, AE_EXC_UD, 0);
	}
}

void vmx_hw_run_guest(vmx_m *m)
{
	vmx_hw *hw = &m->hw;
	ae_cpu *cpu = hw->cpu;
	uint64_t budget = hw->vmcs.preempt_budget;
	if (hw->vmcs.inject_vector >= 0) {
		int vec = hw->vmcs.inject_vector;
		hw->vmcs.inject_vector = -1;
		if (!deliver(m, (unsigned)vec, 0)) {
			hw->insn.len = 0;
			hw->insn_reg = -1;
			if (hw->svm)
				set_svm_exit(m, SVM_EXIT_SHUTDOWN, 0, 0);
			else
				set_exit(m, VMX_EXIT_TRIPLE_FAULT, 0);
			return;
		}
	}
	for (;;) {
		if (hw->nmi_every && !hw->nmi_budget) {
			/* A host NMI: exit reason 0 with an NMI interruption type (SDM 24.9.2). */
			hw->nmi_budget = hw->nmi_every;
			hw->nmi_pending = true;
			hw->insn.len = 0;
			hw->insn_reg = -1;
			hw->exit_rip = ae_cpu_get(cpu, AE_R_RIP);
			if (hw->svm) {
				set_svm_exit(m, 0x61 /* SVM_EXIT_NMI */, 0, 0);
			} else {
				set_exit(m, VMX_EXIT_EXCEPTION, 0);
				hw->vmcs.intr_info = 0x80000202u;
			}
			return;
		}
		if (hw->vmcs.preempt_budget && !budget && !hw->svm) {
			hw->insn.len = 0;
			hw->insn_reg = -1;
			hw->exit_rip = ae_cpu_get(cpu, AE_R_RIP);
			set_exit(m, VMX_EXIT_PREEMPTION_TIMER, 0);
			return;
		}
		uint64_t before = ae_cpu_icount(cpu);
		uint64_t left = m->max_insns > hw->total_insns ? m->max_insns - hw->total_insns : 1;
		uint64_t n = budget && budget < left ? budget : left;
		if (hw->nmi_every && hw->nmi_budget < n)
			n = hw->nmi_budget;
		if (hw->singlestep)
			n = 1;
		ae_exit e = ae_cpu_run(cpu, n);
		uint64_t ran = ae_cpu_icount(cpu) - before;
		hw->total_insns += ran;
		if (budget)
			budget = budget > ran ? budget - ran : 0;
		if (hw->nmi_every)
			hw->nmi_budget = hw->nmi_budget > ran ? hw->nmi_budget - ran : 0;
		if (e == AE_EXIT_VMEXIT) {
			if (guest_insn(m))
				return;
			if (hw->singlestep) /* emulated natively: the trap after it */
				goto trap;
			continue;
		}
		if (e == AE_EXIT_LIMIT && hw->singlestep && ran) {
		trap:	/* RFLAGS.TF from KVM_GUESTDBG_SINGLESTEP: #DB, intercepted (SDM 17.3.1.4) */
			hw->exit_rip = ae_cpu_get(cpu, AE_R_RIP);
			if (exception_exit(m, AE_EXC_DB, 0))
				return;
			continue;
		}
		if (e == AE_EXIT_FAULT) {
			hw->exit_rip = ae_cpu_get(cpu, AE_R_RIP);
			if (exception_exit(m, ae_cpu_fault(cpu)->vector, ae_cpu_fault(cpu)->error))
				return;
			continue;
		}
		/* AE_EXIT_LIMIT: the preemption timer or the model's instruction cap. */
		hw->insn.len = 0;
		hw->insn_reg = -1;
		hw->exit_rip = ae_cpu_get(cpu, AE_R_RIP);
		if (hw->total_insns >= m->max_insns) {
			if (hw->svm)
				set_svm_exit(m, SVM_EXIT_SHUTDOWN, 0, 0);
			else
				set_exit(m, VMX_EXIT_TRIPLE_FAULT, 0);
			m->run_reason = RUN_LIMIT;
			return;
		}
		if (hw->svm) /* no preemption timer on SVM: keep running */
			continue;
		set_exit(m, VMX_EXIT_PREEMPTION_TIMER, 0);
		return;
	}
}
