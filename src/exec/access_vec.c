/* Accessors declared in apxemu/exec_vec.h. */
#include "apxemu/exec_vec.h"
#include "exec_internal.h"

void ae_cpu_get_vec(const ae_cpu *cpu, unsigned i, uint8_t out[64])
{
	memcpy(out, cpu->vec[i & 31], 64);
}

void ae_cpu_set_vec(ae_cpu *cpu, unsigned i, const uint8_t in[64])
{
	memcpy(cpu->vec[i & 31], in, 64);
}

void ae_cpu_get_fxsave(const ae_cpu *cpu, uint8_t img[512])
{
	memset(img, 0, 512);
	memcpy(img + 0, &cpu->fcw, 2);
	memcpy(img + 2, &cpu->fsw, 2);
	uint8_t abridged = 0;
	for (unsigned i = 0; i < 8; i++)
		if (((cpu->ftw >> (2 * i)) & 3) != 3)
			abridged |= (uint8_t)(1u << i);
	img[4] = abridged;
	memcpy(img + 24, &cpu->mxcsr, 4);
	uint32_t mask = 0xffff;
	memcpy(img + 28, &mask, 4);
	unsigned top = (cpu->fsw >> 11) & 7;
	for (unsigned i = 0; i < 8; i++)
		memcpy(img + 32 + 16 * i, cpu->st[(top + i) & 7], 10);
	for (unsigned i = 0; i < 16; i++)
		memcpy(img + 160 + 16 * i, cpu->vec[i], 16);
}

static unsigned tag_of(const uint8_t *r)
{
	uint16_t se;
	uint64_t m;
	memcpy(&se, r + 8, 2);
	memcpy(&m, r, 8);
	unsigned e = se & 0x7fff;
	if (e == 0x7fff)
		return 2;
	if (e == 0)
		return m ? 2 : 1;
	return (m >> 63) ? 0 : 2;
}

void ae_cpu_set_fxsave(ae_cpu *cpu, const uint8_t img[512])
{
	memcpy(&cpu->fcw, img + 0, 2);
	memcpy(&cpu->fsw, img + 2, 2);
	memcpy(&cpu->mxcsr, img + 24, 4);
	unsigned top = (cpu->fsw >> 11) & 7;
	for (unsigned i = 0; i < 8; i++) {
		memset(cpu->st[(top + i) & 7], 0, 16);
		memcpy(cpu->st[(top + i) & 7], img + 32 + 16 * i, 10);
	}
	uint16_t ftw = 0;
	for (unsigned p = 0; p < 8; p++) {
		unsigned t = (img[4] >> p) & 1 ? tag_of(cpu->st[p]) : 3;
		ftw |= (uint16_t)(t << (2 * p));
	}
	cpu->ftw = ftw;
	for (unsigned i = 0; i < 16; i++)
		memcpy(cpu->vec[i], img + 160 + 16 * i, 16);
}
