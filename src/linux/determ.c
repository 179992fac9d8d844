/* Deterministic runs (apxemu run --deterministic): the guest's view of time and randomness
 * becomes a function of the instructions it executed, so that two runs of a program with the
 * same input, arguments and environment do the same thing instruction by instruction.
 *
 * Time starts at 2024-01-01 00:00:00 UTC and advances one nanosecond per retired instruction
 * (the same for every clock id); RDTSC counts three ticks per instruction. getrandom() and
 * AT_RANDOM read one fixed xorshift64* stream. The process ID (and thread ID) is 1000. */
#include <string.h>
#include <unistd.h>

#include "lx_internal.h"

enum { DET_EPOCH = 1704067200 };

static uint64_t det_ns(const lx_proc *p)
{
	return ae_cpu_icount(p->cpu);
}

long lx_det_time(lx_proc *p, void *buf, bool usec)
{
	uint64_t ns = det_ns(p);
	int64_t v[2] = {(int64_t)(DET_EPOCH + ns / 1000000000u),
			(int64_t)(usec ? ns % 1000000000u / 1000 : ns % 1000000000u)};
	memcpy(buf, v, sizeof v);
	return 0;
}

long lx_det_seconds(lx_proc *p)
{
	return (long)(DET_EPOCH + det_ns(p) / 1000000000u);
}

long lx_det_random(lx_proc *p, void *buf, size_t n)
{
	uint8_t *b = buf;
	if (!p->det_rng)
		p->det_rng = 0x61707865616d7531ull;
	for (size_t i = 0; i < n; i++) {
		uint64_t x = p->det_rng;
		x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
		p->det_rng = x;
		b[i] = (uint8_t)((x * 0x2545f4914f6cdd1dull) >> 56);
	}
	return (long)n;
}

long lx_pid(const lx_proc *p)
{
	return p->deterministic ? 1000 : (long)getpid();
}
