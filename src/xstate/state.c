/* The extended register state: each component in its XSAVE format, initial configurations
 * (SDM Vol. 1 13.6), and the x87 legacy-region rules (SDM Vol. 1 13.5.1; X-LEG-*, X-RST-8).
 *
 * XSAVE formats, component by component: AVX = YMMr_H for r = 0..15, 16 bytes each;
 * BNDREGS = BND0..3, lower then upper bound; BNDCSR = BNDCFGU, BNDSTATUS, 48 zero bytes;
 * opmask = k0..k7; ZMM_Hi256 = ZMMr_H, 32 bytes each; Hi16_ZMM = ZMM16..31, 64 bytes each;
 * PKRU = PKRU and 4 zero bytes; APX = R16..R31, R16 first (APX spec 3.1.4.3). The
 * supervisor components the model does not interpret are kept as bytes. */
#include "xs_internal.h"

#define TAG_EMPTY 3u

void xs_comp_store(const ae_xstate *st, unsigned i, uint8_t *out, unsigned nregs)
{
	switch (i) {
	case AE_XS_AVX:
		for (unsigned r = 0; r < nregs; r++)
			memcpy(out + 16 * r, st->zmm[r] + 16, 16);
		break;
	case AE_XS_BNDREGS:
		memcpy(out, st->bnd, 64);
		break;
	case AE_XS_BNDCSR:
		memset(out, 0, 64);
		xs_wr64(out, st->bndcfgu);
		xs_wr64(out + 8, st->bndstatus);
		break;
	case AE_XS_OPMASK:
		memcpy(out, st->k, 64);
		break;
	case AE_XS_ZMM_HI256:
		for (unsigned r = 0; r < nregs; r++)
			memcpy(out + 32 * r, st->zmm[r] + 32, 32);
		break;
	case AE_XS_HI16_ZMM:
		if (nregs == 16)
			memcpy(out, st->zmm[16], 1024);
		break;
	case AE_XS_PT:
		memcpy(out, st->pt, 128);
		break;
	case AE_XS_PKRU:
		xs_wr32(out, st->pkru);
		xs_wr32(out + 4, 0);
		break;
	case AE_XS_PASID:
		xs_wr64(out, st->pasid);
		break;
	case AE_XS_CET_U:
		memcpy(out, st->cet_u, 16);
		break;
	case AE_XS_CET_S:
		memcpy(out, st->cet_s, 24);
		break;
	case AE_XS_HDC:
		xs_wr64(out, st->hdc);
		break;
	case AE_XS_UINTR:
		memcpy(out, st->uintr, 48);
		break;
	case AE_XS_LBR:
		memcpy(out, st->lbr, 808);
		break;
	case AE_XS_HWP:
		xs_wr64(out, st->hwp);
		break;
	case AE_XS_TILECFG:
		memcpy(out, st->tilecfg, 64);
		break;
	case AE_XS_TILEDATA:
		memcpy(out, st->tiledata, 8192);
		break;
	case AE_XS_APX:
		memcpy(out, st->egpr, 128);
		break;
	default:
		break;
	}
}

void xs_comp_load(ae_xstate *st, unsigned i, const uint8_t *in, unsigned nregs)
{
	switch (i) {
	case AE_XS_AVX:
		for (unsigned r = 0; r < nregs; r++)
			memcpy(st->zmm[r] + 16, in + 16 * r, 16);
		break;
	case AE_XS_BNDREGS:
		memcpy(st->bnd, in, 64);
		break;
	case AE_XS_BNDCSR:
		st->bndcfgu = xs_rd64(in);
		st->bndstatus = xs_rd64(in + 8);
		break;
	case AE_XS_OPMASK:
		memcpy(st->k, in, 64);
		break;
	case AE_XS_ZMM_HI256:
		for (unsigned r = 0; r < nregs; r++)
			memcpy(st->zmm[r] + 32, in + 32 * r, 32);
		break;
	case AE_XS_HI16_ZMM:
		if (nregs == 16)
			memcpy(st->zmm[16], in, 1024);
		break;
	case AE_XS_PT:
		memcpy(st->pt, in, 128);
		break;
	case AE_XS_PKRU:
		st->pkru = xs_rd32(in);
		break;
	case AE_XS_PASID:
		st->pasid = xs_rd64(in);
		break;
	case AE_XS_CET_U:
		memcpy(st->cet_u, in, 16);
		break;
	case AE_XS_CET_S:
		memcpy(st->cet_s, in, 24);
		break;
	case AE_XS_HDC:
		st->hdc = xs_rd64(in);
		break;
	case AE_XS_UINTR:
		memcpy(st->uintr, in, 48);
		break;
	case AE_XS_LBR:
		memcpy(st->lbr, in, 808);
		break;
	case AE_XS_HWP:
		st->hwp = xs_rd64(in);
		break;
	case AE_XS_TILECFG:
		memcpy(st->tilecfg, in, 64);
		break;
	case AE_XS_TILEDATA:
		memcpy(st->tiledata, in, 8192);
		break;
	case AE_XS_APX:
		memcpy(st->egpr, in, 128);
		break;
	default:
		break;
	}
}

static void x87_init(ae_xstate *st)
{
	st->fcw = 0x037F;
	st->fsw = 0;
	st->ftw = 0xFFFF;
	st->fop = 0;
	st->fip = st->fdp = 0;
	st->fcs = st->fds = 0;
	memset(st->st, 0, sizeof st->st);
}

void xs_comp_init(ae_xstate *st, unsigned i, unsigned nregs)
{
	static const uint8_t zero[1024];
	switch (i) {
	case AE_XS_X87:
		x87_init(st);
		break;
	case AE_XS_SSE:
		for (unsigned r = 0; r < nregs; r++)
			memset(st->zmm[r], 0, 16);
		break;
	case AE_XS_HDC:
		st->hdc = 1; /* SDM 13.5.9: IA32_PM_CTL1 initial value */
		break;
	case AE_XS_HWP:
		st->hwp = 0x8000FF01; /* SDM 13.5.13 */
		break;
	case AE_XS_TILEDATA:
		memset(st->tiledata, 0, sizeof st->tiledata);
		break;
	case AE_XS_LBR:
		memset(st->lbr, 0, sizeof st->lbr);
		break;
	default:
		xs_comp_load(st, i, zero, nregs);
		break;
	}
}

void ae_xs_reset(ae_xstate *st)
{
	memset(st, 0, sizeof *st);
	for (unsigned i = 0; i < AE_XS_NCOMP; i++)
		xs_comp_init(st, i, 16);
	st->mxcsr = XS_MXCSR_DEFAULT;
	st->xcr0 = 1;
	st->xmodified = XS_ALL;
}

void ae_xs_touch(ae_xstate *st, uint64_t mask)
{
	st->xinuse |= mask;
	st->xmodified |= mask;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

bool xs_value_init(const ae_xstate *st, unsigned i)
{
	uint8_t buf[8192];
	switch (i) {
	case AE_XS_X87:
		return st->fcw == 0x037F && st->fsw == 0 && st->ftw == 0xFFFF &&
		       all_zero(st->st, sizeof st->st);
	case AE_XS_SSE:
		for (unsigned r = 0; r < 16; r++)
			if (!all_zero(st->zmm[r], 16))
				return false;
		return true;
	case AE_XS_HDC:
		return st->hdc == 1;
	case AE_XS_HWP:
		return st->hwp == 0x8000FF01;
	default:
		if (i >= AE_XS_NCOMP)
			return true;
		xs_comp_store(st, i, buf, 16);
		return all_zero(buf, ae_xs_component(i)->size);
	}
}

bool ae_xs_is_init(const ae_xstate *st, unsigned i)
{
	if (i == AE_XS_X87 && (st->fop || st->fip || st->fdp || st->fcs || st->fds))
		return false;
	return xs_value_init(st, i);
}

void ae_xs_reeval_xinuse(ae_xstate *st)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < AE_XS_NCOMP; i++)
		if (!xs_value_init(st, i))
			v |= XS_BIT(i);
	st->xinuse = v;
}

/* ---- x87 ---------------------------------------------------------------------------- */

uint16_t xs_fcw_normalize(uint16_t fcw)
{
	/* Bit 6 reads as 1, bits 7 and 15:13 as 0 (X-LEG FCW row, measured). */
	return (uint16_t)((fcw | 0x0040) & ~0xE080);
}

uint16_t xs_fsw_normalize(uint16_t fsw, uint16_t fcw)
{
	/* ES (bit 7) and B (bit 15) are recomputed: an exception flag of FSW[5:0] that FCW
	 * does not mask (X-LEG FSW row). */
	bool es = (fsw & ~fcw & 0x3F) != 0;
	fsw &= (uint16_t)~0x8080;
	if (es)
		fsw |= 0x8080;
	return fsw;
}

/* The full tag of a non-empty register, from its contents (SDM Vol. 1 8.1.7). */
static unsigned tag_of(const uint8_t *r)
{
	uint16_t exp = xs_rd16(r + 8) & 0x7FFF;
	uint64_t mant = xs_rd64(r);
	if (exp == 0x7FFF)
		return 2;
	if (exp == 0)
		return mant ? 2 : 1;
	return (mant >> 63) ? 0 : 2;
}

uint16_t xs_tag_expand(const ae_xstate *st, uint8_t abridged)
{
	uint16_t ftw = 0;
	for (unsigned j = 0; j < 8; j++) {
		unsigned t = (abridged >> j) & 1 ? tag_of(st->st[j]) : TAG_EMPTY;
		ftw |= (uint16_t)(t << (2 * j));
	}
	return ftw;
}

/* FIP/FDP as the profile's CPU keeps them (X-LEG-3). */
static uint64_t fpu_ptr(const ae_xs_profile *p, uint64_t v)
{
	unsigned w = p->fpu_ptr_bits;
	if (!w || w >= 64)
		return v;
	return (uint64_t)((int64_t)(v << (64 - w)) >> (64 - w));
}

void xs_x87_store(const ae_xstate *st, const ae_xs_profile *p, uint8_t *img, bool rexw)
{
	xs_wr16(img + XS_FCW, st->fcw);
	xs_wr16(img + XS_FSW, st->fsw);
	uint8_t ab = 0;
	for (unsigned j = 0; j < 8; j++)
		if (((st->ftw >> (2 * j)) & 3) != TAG_EMPTY)
			ab |= (uint8_t)(1u << j);
	img[XS_FTW] = ab;
	img[XS_FTW + 1] = 0;
	memset(img + XS_FOP, 0, 18);
	/* AMD stores the pointers and the opcode only while an unmasked exception is pending
	 * (X-LEG-4); Intel always does. */
	if (!p->amd || (st->fsw & 0x80)) {
		uint32_t l7[4];
		xs_profile_leaf(p, 7, 0, l7);
		bool sel_zero = (l7[1] >> 13) & 1; /* CPUID.7.EBX[13]: FCS/FDS deprecated */
		xs_wr16(img + XS_FOP, st->fop & 0x7FF);
		if (rexw) {
			xs_wr64(img + XS_FIP, fpu_ptr(p, st->fip));
			xs_wr64(img + XS_FDP, fpu_ptr(p, st->fdp));
		} else {
			xs_wr32(img + XS_FIP, (uint32_t)st->fip);
			xs_wr16(img + XS_FIP + 4, sel_zero ? 0 : st->fcs);
			xs_wr32(img + XS_FDP, (uint32_t)st->fdp);
			xs_wr16(img + XS_FDP + 4, sel_zero ? 0 : st->fds);
		}
	}
	/* ST slots in stack order; bytes 10-15 of each are written 0. */
	unsigned top = (st->fsw >> 11) & 7;
	for (unsigned k = 0; k < 8; k++) {
		memcpy(img + XS_ST0 + 16 * k, st->st[(top + k) & 7], 10);
		memset(img + XS_ST0 + 16 * k + 10, 0, 6);
	}
}

void xs_x87_load(ae_xstate *st, const ae_xs_profile *p, const uint8_t *img, bool rexw)
{
	st->fcw = xs_fcw_normalize(xs_rd16(img + XS_FCW));
	st->fsw = xs_fsw_normalize(xs_rd16(img + XS_FSW), st->fcw);
	st->fop = xs_rd16(img + XS_FOP) & 0x7FF;
	if (rexw) {
		st->fip = xs_rd64(img + XS_FIP);
		st->fdp = xs_rd64(img + XS_FDP);
		st->fip = fpu_ptr(p, st->fip);
		st->fdp = fpu_ptr(p, st->fdp);
		st->fcs = st->fds = 0;
	} else {
		st->fip = xs_rd32(img + XS_FIP);
		st->fcs = xs_rd16(img + XS_FIP + 4);
		st->fdp = xs_rd32(img + XS_FDP);
		st->fds = xs_rd16(img + XS_FDP + 4);
	}
	unsigned top = (st->fsw >> 11) & 7;
	for (unsigned k = 0; k < 8; k++)
		memcpy(st->st[(top + k) & 7], img + XS_ST0 + 16 * k, 10);
	st->ftw = xs_tag_expand(st, img[XS_FTW]);
}

void xs_xmm_store(const ae_xstate *st, uint8_t *img, unsigned nregs)
{
	for (unsigned r = 0; r < nregs; r++)
		memcpy(img + XS_XMM0 + 16 * r, st->zmm[r], 16);
}

void xs_xmm_load(ae_xstate *st, const uint8_t *img, unsigned nregs)
{
	for (unsigned r = 0; r < nregs; r++)
		memcpy(st->zmm[r], img + XS_XMM0 + 16 * r, 16);
}
