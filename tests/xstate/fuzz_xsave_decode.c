/* libFuzzer target: the XSAVE buffer checker, XRSTOR/XRSTORS/FXRSTOR and KVM_SET_XSAVE.
 * Input: byte 0 picks the profile and format, bytes 1-8 the RFBM, the rest is the buffer.
 * Properties: no crash; a restore that faults (or -EINVAL) changes nothing; for XRSTOR with
 * RFBM = XCR0 the checker's verdict agrees with the instruction's #GP. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apxemu/xstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t area[12288] __attribute__((aligned(64)));
static ae_xstate st, before;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 9)
		return 0;
	static const char *const names[] = {"apx", "spr", "skx", "apx"};
	const uint8_t sel = data[0];
	const ae_xs_profile *p = ae_xs_profile_find(names[sel & 3]);
	unsigned mode = (sel >> 2) & 3;
	uint64_t rfbm;
	memcpy(&rfbm, data + 1, 8);
	data += 9;
	size -= 9;
	if (size > sizeof area)
		size = sizeof area;

	ae_xs_issue is[16];
	ae_xs_check_buffer(p, p->xcr0_mask, p->xss_mask, data, size, (ae_xs_format)((sel >> 5) & 3), is, 16);
	ae_xs_check_buffer(p, p->xcr0_mask, 0, data, size, AE_XS_FMT_KVM, is, 16);

	ae_xs_reset(&st);
	st.xcr0 = p->xcr0_mask;
	st.xss = p->xss_mask;
	for (int r = 0; r < 32; r++)
		memset(st.zmm[r], r + 1, 64);
	for (int i = 0; i < 16; i++)
		st.egpr[i] = 0x100 + (uint64_t)i;
	ae_xs_touch(&st, st.xcr0);
	memcpy(&before, &st, sizeof st);

	memset(area, 0, sizeof area);
	memcpy(area, data, size);
	ae_xs_flat fl = {area, size, 0x100000, false};
	ae_xs_mem m = ae_xs_mem_flat(&fl);
	ae_xs_env env = {.cpu = p, .cpl = 0, .osxsave = true, .mode64 = (sel & 0x10) == 0};
	ae_xs_op op = mode == 1 ? AE_XS_XRSTORS : mode == 2 ? AE_XS_FXRSTOR : AE_XS_XRSTOR;
	if (mode == 3)
		rfbm = st.xcr0;
	ae_xs_result r = ae_xs_exec(&st, &env, op, &m, 0x100000, rfbm, sel & 0x80, NULL);
	if (r != AE_XS_OK && memcmp(&st, &before, sizeof st))
		abort(); /* a fault changed the state */
	if (mode == 3 && size >= 576) {
		size_t n = ae_xs_check_buffer(p, st.xcr0, 0, data, size, AE_XS_FMT_AUTO, is, 16);
		if ((n == 0) != (r == AE_XS_OK))
			abort(); /* the checker and XRSTOR disagree */
	}
	/* A save after any restore stays inside its footprint and never fails on this area
	 * unless the area is too short. */
	ae_xs_exec(&st, &env, AE_XS_XSAVEC, &m, 0x100000, rfbm, true, NULL);

	ae_xs_reset(&st);
	memcpy(&before, &st, sizeof st);
	uint64_t sup = p->xcr0_mask & (rfbm | 3);
	if (ae_xs_kvm_set(&st, p, sup, data, size, NULL) != AE_XS_OK &&
	    memcmp(&st, &before, sizeof st))
		abort(); /* -EINVAL changed the state */
	static uint8_t out[12288];
	ae_xs_kvm_get(&st, p, sup, out, sizeof out);
	return 0;
}
