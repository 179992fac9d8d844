/* Checking a saved buffer against the XRSTOR rules, and the KVM XSAVE uABI
 * (kvm-apx-model.md 3.2: KVM_GET_XSAVE2 and KVM_SET_XSAVE). */
#include <stdarg.h>
#include <stdio.h>

#include "xs_internal.h"

void xs_issue(xs_issues *is, const char *rule, const char *fmt, ...)
{
	if (is->n < is->max) {
		ae_xs_issue *v = &is->v[is->n];
		v->rule = rule;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(v->text, sizeof v->text, fmt, ap);
		va_end(ap);
	}
	is->n++;
}

/* The KVM_SET_XSAVE checks, in the kernel's order. supported = what KVM supports, plus
 * x87 and SSE. */
static void kvm_issues(const ae_xs_profile *p, uint64_t supported, const uint8_t *buf, size_t len,
		       xs_issues *is)
{
	uint64_t bv = xs_rd64(buf + XS_XSTATE_BV), xc = xs_rd64(buf + XS_XCOMP_BV);
	if (len < AE_XS_KVM_MIN)
		xs_issue(is, "KVM-3.2", "buffer of %zu bytes; struct kvm_xsave has 4096", len);
	if (len < ae_xs_std_size(p, supported))
		xs_issue(is, "KVM-3.2", "buffer of %zu bytes, shorter than the %u of the supported XCR0",
			 len, ae_xs_std_size(p, supported));
	if ((bv & XS_BIT(AE_XS_APX)) && !(supported & XS_BIT(AE_XS_APX)))
		xs_issue(is, "KVM-3.2/3", "XSTATE_BV[19] (APX) set but APX is not supported");
	if (bv & ~supported)
		xs_issue(is, "KVM-3.2/4", "XSTATE_BV %#llx has bits outside the supported %#llx",
			 (unsigned long long)bv, (unsigned long long)supported);
	if (xc)
		xs_issue(is, "KVM-3.2/4", "XCOMP_BV is %#llx, must be 0", (unsigned long long)xc);
	for (unsigned b = 16; b < 64; b++)
		if (buf[AE_XS_HDR + b]) {
			xs_issue(is, "KVM-3.2/4", "reserved header byte %u is %#x, not 0", b,
				 buf[AE_XS_HDR + b]);
			break;
		}
	uint32_t mx = xs_rd32(buf + XS_MXCSR);
	if ((bv & (XS_BIT(AE_XS_SSE) | XS_BIT(AE_XS_AVX))) && (mx & ~p->mxcsr_mask))
		xs_issue(is, "KVM-3.2/4", "MXCSR %#x sets bits outside MXCSR_MASK %#x", mx,
			 p->mxcsr_mask);
}

size_t ae_xs_check_buffer(const ae_xs_profile *p, uint64_t xcr0, uint64_t xss, const uint8_t *buf,
			  size_t len, ae_xs_format fmt, ae_xs_issue *issues, size_t max)
{
	xs_issues is = {issues, max, 0};
	if (len < AE_XS_EXT) {
		xs_issue(&is, "X-RST-0", "buffer of %zu bytes: the legacy region and header need 576",
			 len);
		return is.n;
	}
	uint64_t xc = xs_rd64(buf + XS_XCOMP_BV);
	if (fmt == AE_XS_FMT_KVM) {
		kvm_issues(p, xcr0 | XS_FPSSE, buf, len, &is);
		return is.n;
	}
	if (fmt == AE_XS_FMT_STANDARD && (xc & XS_COMPACT))
		xs_issue(&is, "X-RST-2", "XCOMP_BV[63] set in a buffer read as standard form");
	if (fmt == AE_XS_FMT_COMPACTED && !(xc & XS_COMPACT))
		xs_issue(&is, "X-RST-2", "XCOMP_BV[63] clear in a buffer read as compacted form");
	bool sup = (xc & XS_COMPACT) && (xss & ~xcr0 & xc);
	xs_rst_plan plan;
	uint64_t rfbm = xcr0 | (sup ? xss : 0);
	xs_rst_header(p, xcr0, xss, sup, rfbm, buf, &plan, &is);
	uint32_t mx = xs_rd32(buf + XS_MXCSR);
	if (plan.mxcsr_load && (mx & ~p->mxcsr_mask))
		xs_issue(&is, "X-RST-5", "MXCSR %#x sets bits outside MXCSR_MASK %#x", mx,
			 p->mxcsr_mask);
	if (plan.len > len)
		xs_issue(&is, "X-RST-0",
			 "buffer of %zu bytes; XRSTOR with RFBM = %#llx reads %u (a #PF past the end)",
			 len, (unsigned long long)rfbm, plan.len);
	return is.n;
}

/* ---- KVM_GET_XSAVE2 / KVM_SET_XSAVE ----------------------------------------------------- */

ae_xs_result ae_xs_kvm_get(const ae_xstate *st, const ae_xs_profile *p, uint64_t supported_xcr0,
			   uint8_t *buf, size_t len)
{
	uint64_t sup = (supported_xcr0 | XS_FPSSE) & p->xcr0_mask;
	uint32_t need = ae_xs_std_size(p, sup);
	if (len < AE_XS_KVM_MIN || len < need)
		return AE_XS_EINVAL;
	memset(buf, 0, len);
	/* The kernel's copy: the legacy region in the 64-bit format, MXCSR always, the other
	 * components of XSTATE_BV; APX is added afterwards from the vCPU's registers. */
	xs_x87_store(st, p, buf, true);
	xs_wr32(buf + XS_MXCSR, st->mxcsr);
	xs_wr32(buf + XS_MXCSR_MASK, p->mxcsr_mask);
	xs_xmm_store(st, buf, 16);
	uint64_t bv = st->xinuse & sup & ~XS_BIT(AE_XS_APX);
	if (sup & XS_BIT(AE_XS_PKRU))
		bv |= XS_BIT(AE_XS_PKRU);
	if (sup & XS_BIT(AE_XS_APX))
		bv |= XS_BIT(AE_XS_APX);
	uint8_t tmp[8192];
	for (unsigned i = 2; i < AE_XS_NCOMP; i++)
		if (bv & XS_BIT(i)) {
			xs_comp_store(st, i, tmp, 16);
			memcpy(buf + ae_xs_offset(p, i), tmp, ae_xs_component(i)->size);
		}
	xs_wr64(buf + XS_XSTATE_BV, bv);
	return AE_XS_OK;
}

ae_xs_result ae_xs_kvm_set(ae_xstate *st, const ae_xs_profile *p, uint64_t supported_xcr0,
			   const uint8_t *buf, size_t len, ae_xs_fault *f)
{
	uint64_t sup = (supported_xcr0 | XS_FPSSE) & p->xcr0_mask;
	ae_xs_issue one[1];
	xs_issues is = {one, 1, 0};
	if (len < AE_XS_EXT)
		xs_issue(&is, "KVM-3.2", "buffer shorter than the header");
	else
		kvm_issues(p, sup, buf, len, &is);
	if (is.n) {
		if (f) {
			f->result = AE_XS_EINVAL;
			f->error = 0;
			f->addr = 0;
			f->why = one[0].rule;
		}
		return AE_XS_EINVAL;
	}
	uint64_t bv = xs_rd64(buf + XS_XSTATE_BV);
	if (bv & XS_BIT(AE_XS_X87))
		xs_x87_load(st, p, buf, true);
	else
		xs_comp_init(st, AE_XS_X87, 16);
	if (bv & XS_BIT(AE_XS_SSE))
		xs_xmm_load(st, buf, 16);
	else
		xs_comp_init(st, AE_XS_SSE, 16);
	if (bv & (XS_BIT(AE_XS_SSE) | XS_BIT(AE_XS_AVX)))
		st->mxcsr = xs_rd32(buf + XS_MXCSR);
	for (unsigned i = 2; i < AE_XS_NCOMP; i++) {
		uint64_t b = XS_BIT(i);
		if (bv & b)
			xs_comp_load(st, i, buf + ae_xs_offset(p, i), 16);
		else if ((sup & b) && i != AE_XS_PKRU && i != AE_XS_APX)
			xs_comp_init(st, i, 16);
		else
			continue;
	}
	for (unsigned i = 0; i < AE_XS_NCOMP; i++) {
		uint64_t b = XS_BIT(i);
		if (!(sup & b) || ((i == AE_XS_PKRU || i == AE_XS_APX) && !(bv & b)))
			continue;
		if (bv & b)
			st->xinuse |= b;
		else
			st->xinuse &= ~b;
		st->xmodified |= b;
	}
	return AE_XS_OK;
}
