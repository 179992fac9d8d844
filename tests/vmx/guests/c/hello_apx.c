/* A C guest built with -mapxf: the compiler's register allocator uses r16-r31. It prints through
 * the serial port, sends every partial sum to TSC_DEADLINE with WRMSRNS imm (a fast-path exit
 * reading the source register), and ends through port 0xe0 with 0 when the sums agree. */
#include <stdint.h>

__asm__(".globl _start\n"
	"_start:\n"
	"	mov %cr4, %rax\n"
	"	or $0x40000, %rax\n"		/* CR4.OSXSAVE */
	"	mov %rax, %cr4\n"
	"	mov $0xd, %eax\n"
	"	xor %ecx, %ecx\n"
	"	cpuid\n"			/* XCR0 := everything the vCPU supports */
	"	xor %ecx, %ecx\n"
	"	xsetbv\n"
	"	call main\n"
	"	out %eax, $0xe0\n"
	"1:	hlt\n"
	"	jmp 1b\n");

static void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void puts_serial(const char *s)
{
	while (*s)
		outb(0x3f8, (uint8_t)*s++);
}

static void wrmsrns_deadline(uint64_t v)
{
	/* WRMSRNS $0x6e0, %r17 (EVEX map 7 F6 /0), the value moved into r17 first */
	register uint64_t r17 __asm__("r17") = v;
	__asm__ volatile(".byte 0x62, 0xff, 0x7e, 0x08, 0xf6, 0xc1\n\t.long 0x6e0" : : "r"(r17) : "memory");
}

static uint64_t rdmsr_deadline(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x6e0));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t mix(uint64_t *a, int n)
{
	uint64_t s0 = 0, s1 = 1, s2 = 2, s3 = 3, s4 = 4, s5 = 5, s6 = 6, s7 = 7;
	for (int i = 0; i < n; i++) {
		s0 += a[i] * 3;
		s1 ^= s0 + a[(i + 1) % n];
		s2 += s1 >> 3;
		s3 ^= s2 * 5;
		s4 += s3 + i;
		s5 ^= s4 << 1;
		s6 += s5 ^ s0;
		s7 += s6 + s1;
		wrmsrns_deadline(s7);
	}
	return s0 ^ s1 ^ s2 ^ s3 ^ s4 ^ s5 ^ s6 ^ s7;
}

int main(void);
int main(void)
{
	static uint64_t a[64];
	for (int i = 0; i < 64; i++)
		a[i] = (uint64_t)i * 0x9e3779b97f4a7c15ull;
	uint64_t x = mix(a, 64), y = mix(a, 64);
	puts_serial("hello from a C guest built with -mapxf\n");
	return x == y && rdmsr_deadline() != 0 ? 0 : 1;
}
