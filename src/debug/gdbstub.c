/* A gdb remote serial protocol stub (GDB manual, "Remote Protocol"), one guest thread, on a
 * TCP socket bound to 127.0.0.1.
 *
 * The stub runs inside the executor's per-instruction hook: when a stop condition holds
 * (breakpoint at RIP, a step done, a watchpoint hit by the instruction before, ^C from gdb),
 * it reports the stop and serves packets until gdb resumes. Breakpoints are addresses
 * compared with RIP, so guest memory is never patched. Faults arrive through
 * ae_debug_fault() and are reported as signals; continuing without the signal re-executes
 * the instruction, continuing with it delivers it as the kernel would. Other signals arrive
 * through ae_debug_signal() when they are about to be delivered: the stop reports them, and
 * gdb's resume says which signal is delivered (none: discarded). Signals in gdb's
 * QPassSignals set are delivered without a stop.
 *
 * The register file follows the target description below: gdb's i386 core, SSE, linux and
 * segments features in their usual order, then r16-r31 in a feature of their own
 * ("org.apxemu.apx", group "general" so that `info registers` lists them), then the upper
 * halves of ymm0-15 (AVX feature; gdb shows $ymm0-15 built from them and xmm0-15). gdb
 * places fs_base and gs_base of a GNU/Linux target in its "system" group.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dbg_internal.h"

enum { PKT_MAX = 0x4000, NREGS = 92 };
enum { R_RIP = 16, R_EFLAGS, R_CS, R_ST0 = 24, R_FCTRL = 32, R_XMM0 = 40, R_MXCSR = 56,
       R_ORIG_RAX, R_FS_BASE, R_GS_BASE, R_R16, R_YMM0H = R_R16 + 16 };

typedef struct dbg_wp {
	uint64_t addr, len;
	int type; /* 2 write, 3 read, 4 access */
} dbg_wp;

struct dbg_gdb {
	int lfd, fd, port;
	bool noack, detached, killed, step;
	uint64_t bp[DBG_MAX_BP];
	uint8_t bp_hw[DBG_MAX_BP];
	unsigned nbp;
	dbg_wp wp[DBG_MAX_WP];
	unsigned nwp;
	uint64_t resume_icount, resume_rip;
	unsigned poll_tick;
	int resume_sig; /* signal given with C/S, as a Linux number */
	uint64_t pass;	/* QPassSignals: Linux signals (bit sig-1) delivered without a stop */
	char in[PKT_MAX + 8];
	char out[PKT_MAX + 8];
	char last_stop[96];
	char rbuf[4096];
	size_t rlen, rpos;
};

/* gdb's signal numbers (the remote protocol's) for Linux's 1-64: the same up to 6, then
 * gdb's own order (143 is gdb's "unknown signal"). */
static const uint8_t gdb_sig_of[65] = {
	0,  1,	2,  3,	4,  5,	6,  10, 8,  9,	30, 11, 31, 13, 14, 15, 143, 20, 19, 17, 18, 21,
	22, 16, 24, 25, 26, 27, 28, 23, 32, 12, 77, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54,
	55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 78,
};

static int to_gdb_sig(int s)
{
	return s > 0 && s <= 64 ? gdb_sig_of[s] : 143;
}

/* A gdb signal number as Linux's; 0 for gdb's 0 and for signals Linux does not have. */
static int from_gdb_sig(int s)
{
	for (int l = 1; l <= 64; l++)
		if (gdb_sig_of[l] == s && s != 143)
			return l;
	return 0;
}

dbg_gdb *dbg_gdb_new(int port, char *err, size_t errlen)
{
	dbg_gdb *g = calloc(1, sizeof *g);
	if (!g) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	g->fd = -1;
	g->port = port;
	g->lfd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	struct sockaddr_in sa = {0};
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (g->lfd < 0 || setsockopt(g->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    bind(g->lfd, (struct sockaddr *)&sa, sizeof sa) || listen(g->lfd, 1)) {
		snprintf(err, errlen, "--gdb: cannot listen on 127.0.0.1:%d: %s", port,
			 strerror(errno));
		if (g->lfd >= 0)
			close(g->lfd);
		free(g);
		return NULL;
	}
	return g;
}

void dbg_gdb_free(dbg_gdb *g)
{
	if (!g)
		return;
	if (g->fd >= 0)
		close(g->fd);
	if (g->lfd >= 0)
		close(g->lfd);
	free(g);
}

bool dbg_gdb_attached(const dbg_gdb *g)
{
	return !g->detached && g->fd >= 0;
}

bool dbg_gdb_watch_w(const dbg_gdb *g)
{
	for (unsigned i = 0; i < g->nwp; i++)
		if (g->wp[i].type != 3)
			return true;
	return false;
}

bool dbg_gdb_watch_r(const dbg_gdb *g)
{
	for (unsigned i = 0; i < g->nwp; i++)
		if (g->wp[i].type != 2)
			return true;
	return false;
}

/* --- packets ---------------------------------------------------------------------------- */

static int get_byte(dbg_gdb *g)
{
	if (g->rpos == g->rlen) {
		ssize_t n;
		do
			n = read(g->fd, g->rbuf, sizeof g->rbuf);
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			return -1;
		g->rlen = (size_t)n;
		g->rpos = 0;
	}
	return (unsigned char)g->rbuf[g->rpos++];
}

static void send_raw(dbg_gdb *g, const char *s, size_t n)
{
	while (n) {
		ssize_t k = write(g->fd, s, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		s += k;
		n -= (size_t)k;
	}
}

static const char hexd[] = "0123456789abcdef";

/* Sends n bytes of payload (binary allowed; the caller has escaped it). */
static void put_packet_n(dbg_gdb *g, const char *data, size_t n)
{
	char *p = malloc(n + 5);
	if (!p)
		return;
	unsigned sum = 0;
	p[0] = '$';
	for (size_t i = 0; i < n; i++) {
		p[i + 1] = data[i];
		sum += (unsigned char)data[i];
	}
	p[n + 1] = '#';
	p[n + 2] = hexd[(sum >> 4) & 15];
	p[n + 3] = hexd[sum & 15];
	for (int tries = 0; tries < 3; tries++) {
		send_raw(g, p, n + 4);
		if (g->noack)
			break;
		int c = get_byte(g);
		if (c != '-')
			break;
	}
	free(p);
}

static void put_packet(dbg_gdb *g, const char *data)
{
	put_packet_n(g, data, strlen(data));
}

/* The auxiliary vector the runner put on the initial stack (argc, argv, NULL, envp, NULL,
 * then (type, value) pairs up to AT_NULL): its address and size, found at attach time. */
void dbg_find_auxv(ae_debug *d, ae_cpu *cpu)
{
	uint64_t sp = ae_cpu_get(cpu, 4), w = 0, a;
	if (ae_mem_read(cpu, sp, &w, 8, 0))
		return;
	a = sp + 8 + (w + 1) * 8; /* past argc, argv[] and its NULL */
	for (unsigned k = 0; k < 65536; k++, a += 8) { /* envp[] up to its NULL */
		if (ae_mem_read(cpu, a, &w, 8, 0))
			return;
		if (!w)
			break;
	}
	a += 8;
	for (unsigned k = 0; k < 256; k++) {
		uint64_t pair[2];
		if (ae_mem_read(cpu, a + 16 * k, pair, 16, 0))
			return;
		if (!pair[0]) {
			d->auxv_addr = a;
			d->auxv_size = 16 * (k + 1);
			return;
		}
	}
}

static uint64_t get_num(const char **s);

/* qXfer:auxv:read::OFF,LEN: the auxiliary vector, binary with '}' escapes. */
static void xfer_auxv(ae_debug *d, dbg_gdb *g, ae_cpu *cpu, const char *s)
{
	uint64_t off = get_num(&s);
	if (*s == ',')
		s++;
	uint64_t len = get_num(&s);
	if (!d->auxv_size) {
		put_packet(g, "E01");
		return;
	}
	if (off >= d->auxv_size) {
		put_packet(g, "l");
		return;
	}
	if (len > (PKT_MAX - 8) / 2)
		len = (PKT_MAX - 8) / 2; /* every byte may need an escape */
	uint64_t take = d->auxv_size - off < len ? d->auxv_size - off : len;
	uint8_t buf[PKT_MAX / 2];
	if (ae_mem_read(cpu, d->auxv_addr + off, buf, (size_t)take, 0)) {
		put_packet(g, "E14");
		return;
	}
	size_t k = 0;
	g->out[k++] = off + take >= d->auxv_size ? 'l' : 'm';
	for (uint64_t i = 0; i < take; i++) {
		char c = (char)buf[i];
		if (c == '#' || c == '$' || c == '}' || c == '*') {
			g->out[k++] = '}';
			c = (char)(c ^ 0x20);
		}
		g->out[k++] = c;
	}
	put_packet_n(g, g->out, k);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads one packet into g->in. Returns its length, -1 when the connection closed, -2 for
 * an interrupt byte (^C). */
static int get_packet(dbg_gdb *g)
{
	for (;;) {
		int c;
		do
			c = get_byte(g);
		while (c >= 0 && c != '$' && c != 3);
		if (c < 0)
			return -1;
		if (c == 3)
			return -2;
		size_t n = 0;
		unsigned sum = 0;
		while ((c = get_byte(g)) >= 0 && c != '#') {
			sum += (unsigned)c;
			if (n < PKT_MAX)
				g->in[n++] = (char)c;
		}
		int h1 = get_byte(g), h2 = get_byte(g);
		if (c < 0 || h1 < 0 || h2 < 0)
			return -1;
		g->in[n] = 0;
		if (g->noack)
			return (int)n;
		if ((unsigned)(hexval(h1) * 16 + hexval(h2)) == (sum & 0xff)) {
			send_raw(g, "+", 1);
			return (int)n;
		}
		send_raw(g, "-", 1);
	}
}

/* --- the target description ---------------------------------------------------------- */

static size_t build_xml(char *x, size_t cap)
{
	static const char *const gnames[16] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi",
					       "rbp", "rsp", "r8",  "r9",  "r10", "r11",
					       "r12", "r13", "r14", "r15"};
	static const char *const flags[] = {"CF", "", "PF", "AF", "ZF", "SF", "TF", "IF", "DF",
					    "OF", "NT", "RF", "VM", "AC", "VIF", "VIP", "ID"};
	static const unsigned fbits[] = {0, 1, 2, 4, 6, 7, 8, 9, 10, 11, 14, 16, 17, 18, 19, 20, 21};
	static const char *const segs[6] = {"cs", "ss", "ds", "es", "fs", "gs"};
	static const char *const fpc[8] = {"fctrl", "fstat", "ftag", "fiseg",
					   "fioff", "foseg", "fooff", "fop"};
	size_t k = 0;
#define OUT(...) (k += (size_t)snprintf(x + k, k < cap ? cap - k : 0, __VA_ARGS__))
	OUT("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	    "<target version=\"1.0\">\n<architecture>i386:x86-64</architecture>\n"
	    "<osabi>GNU/Linux</osabi>\n<feature name=\"org.gnu.gdb.i386.core\">\n"
	    "<flags id=\"i386_eflags\" size=\"4\">\n");
	for (unsigned i = 0; i < sizeof fbits / sizeof fbits[0]; i++)
		OUT("<field name=\"%s\" start=\"%u\" end=\"%u\"/>\n", flags[i], fbits[i], fbits[i]);
	OUT("</flags>\n");
	for (unsigned i = 0; i < 16; i++)
		OUT("<reg name=\"%s\" bitsize=\"64\" type=\"%s\" regnum=\"%u\"/>\n", gnames[i],
		    i == 6 || i == 7 ? "data_ptr" : "int64", i);
	OUT("<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\" regnum=\"16\"/>\n"
	    "<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\" regnum=\"17\"/>\n");
	for (unsigned i = 0; i < 6; i++)
		OUT("<reg name=\"%s\" bitsize=\"32\" type=\"int32\" regnum=\"%u\"/>\n", segs[i],
		    R_CS + i);
	for (unsigned i = 0; i < 8; i++)
		OUT("<reg name=\"st%u\" bitsize=\"80\" type=\"i387_ext\" regnum=\"%u\"/>\n", i,
		    R_ST0 + i);
	for (unsigned i = 0; i < 8; i++)
		OUT("<reg name=\"%s\" bitsize=\"32\" type=\"int\" group=\"float\" regnum=\"%u\"/>\n",
		    fpc[i], R_FCTRL + i);
	OUT("</feature>\n<feature name=\"org.gnu.gdb.i386.sse\">\n"
	    "<vector id=\"v8bf16\" type=\"bfloat16\" count=\"8\"/>\n"
	    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
	    "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
	    "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
	    "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
	    "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
	    "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
	    "<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/>"
	    "<field name=\"v2_double\" type=\"v2d\"/><field name=\"v16_int8\" type=\"v16i8\"/>"
	    "<field name=\"v8_int16\" type=\"v8i16\"/><field name=\"v4_int32\" type=\"v4i32\"/>"
	    "<field name=\"v2_int64\" type=\"v2i64\"/><field name=\"uint128\" type=\"uint128\"/>"
	    "</union>\n");
	for (unsigned i = 0; i < 16; i++)
		OUT("<reg name=\"xmm%u\" bitsize=\"128\" type=\"vec128\" regnum=\"%u\"/>\n", i,
		    R_XMM0 + i);
	OUT("<reg name=\"mxcsr\" bitsize=\"32\" type=\"int\" group=\"vector\" regnum=\"%u\"/>\n"
	    "</feature>\n<feature name=\"org.gnu.gdb.i386.linux\">\n"
	    "<reg name=\"orig_rax\" bitsize=\"64\" type=\"int\" regnum=\"%u\"/>\n</feature>\n"
	    "<feature name=\"org.gnu.gdb.i386.segments\">\n"
	    "<reg name=\"fs_base\" bitsize=\"64\" type=\"int\" group=\"general\" regnum=\"%u\"/>\n"
	    "<reg name=\"gs_base\" bitsize=\"64\" type=\"int\" group=\"general\" regnum=\"%u\"/>\n</feature>\n"
	    "<feature name=\"org.apxemu.apx\">\n",
	    R_MXCSR, R_ORIG_RAX, R_FS_BASE, R_GS_BASE);
	for (unsigned i = 0; i < 16; i++)
		OUT("<reg name=\"r%u\" bitsize=\"64\" type=\"int64\" group=\"general\" "
		    "regnum=\"%u\"/>\n",
		    16 + i, R_R16 + i);
	OUT("</feature>\n<feature name=\"org.gnu.gdb.i386.avx\">\n");
	for (unsigned i = 0; i < 16; i++)
		OUT("<reg name=\"ymm%uh\" bitsize=\"128\" type=\"uint128\" regnum=\"%u\"/>\n", i,
		    R_YMM0H + i);
	OUT("</feature>\n</target>\n");
#undef OUT
	return k;
}

/* --- registers -------------------------------------------------------------------------- */

static const uint8_t gdb_gpr[16] = {0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15};

static unsigned st_phys(const ae_cpu *cpu, unsigned i)
{
	return (((unsigned)cpu->fsw >> 11) + i) & 7;
}

/* The bytes of register n (little-endian); returns its size, 0 if there is none. */
static unsigned reg_get(ae_cpu *cpu, unsigned n, uint8_t *b)
{
	uint64_t v = 0;
	unsigned size = 8;
	if (n < 16) {
		v = cpu->gpr[gdb_gpr[n]];
	} else if (n == R_RIP) {
		v = cpu->rip;
	} else if (n == R_EFLAGS) {
		v = ae_cpu_rflags(cpu), size = 4;
	} else if (n >= R_CS && n < R_CS + 6) {
		static const uint32_t sel[6] = {0x33, 0x2b, 0, 0, 0, 0};
		v = sel[n - R_CS], size = 4;
	} else if (n >= R_ST0 && n < R_ST0 + 8) {
		memcpy(b, cpu->st[st_phys(cpu, n - R_ST0)], 10);
		return 10;
	} else if (n >= R_FCTRL && n < R_FCTRL + 8) {
		size = 4;
		v = n == R_FCTRL ? cpu->fcw : n == R_FCTRL + 1 ? cpu->fsw : n == R_FCTRL + 2 ? cpu->ftw : 0;
	} else if (n >= R_XMM0 && n < R_XMM0 + 16) {
		memcpy(b, cpu->vec[n - R_XMM0], 16);
		return 16;
	} else if (n == R_MXCSR) {
		v = cpu->mxcsr, size = 4;
	} else if (n == R_ORIG_RAX) {
		v = (uint64_t)-1;
	} else if (n == R_FS_BASE) {
		v = cpu->fs_base;
	} else if (n == R_GS_BASE) {
		v = cpu->gs_base;
	} else if (n >= R_R16 && n < R_R16 + 16) {
		v = cpu->gpr[16 + n - R_R16];
	} else if (n >= R_YMM0H && n < R_YMM0H + 16) {
		memcpy(b, cpu->vec[n - R_YMM0H] + 16, 16);
		return 16;
	} else {
		return 0;
	}
	for (unsigned i = 0; i < size; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return size;
}

static void reg_set(ae_cpu *cpu, unsigned n, const uint8_t *b)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)b[i] << (8 * i);
	if (n < 16)
		cpu->gpr[gdb_gpr[n]] = v;
	else if (n == R_RIP)
		cpu->rip = v;
	else if (n == R_EFLAGS)
		ae_cpu_set_rflags(cpu, (uint32_t)v);
	else if (n >= R_ST0 && n < R_ST0 + 8)
		memcpy(cpu->st[st_phys(cpu, n - R_ST0)], b, 10);
	else if (n == R_FCTRL)
		cpu->fcw = (uint16_t)v;
	else if (n == R_FCTRL + 1)
		cpu->fsw = (uint16_t)v;
	else if (n == R_FCTRL + 2)
		cpu->ftw = (uint16_t)v;
	else if (n >= R_XMM0 && n < R_XMM0 + 16)
		memcpy(cpu->vec[n - R_XMM0], b, 16);
	else if (n == R_MXCSR)
		cpu->mxcsr = (uint32_t)v;
	else if (n == R_FS_BASE)
		cpu->fs_base = v;
	else if (n == R_GS_BASE)
		cpu->gs_base = v;
	else if (n >= R_R16 && n < R_R16 + 16)
		cpu->gpr[16 + n - R_R16] = v;
	else if (n >= R_YMM0H && n < R_YMM0H + 16)
		memcpy(cpu->vec[n - R_YMM0H] + 16, b, 16);
}

static char *put_hex(char *p, const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		*p++ = hexd[b[i] >> 4];
		*p++ = hexd[b[i] & 15];
	}
	*p = 0;
	return p;
}

/* Parses hex bytes; returns how many. */
static unsigned get_hex(const char *s, uint8_t *b, unsigned max)
{
	unsigned n = 0;
	while (n < max && hexval(s[0]) >= 0 && hexval(s[1]) >= 0) {
		b[n++] = (uint8_t)(hexval(s[0]) * 16 + hexval(s[1]));
		s += 2;
	}
	return n;
}

static uint64_t get_num(const char **s)
{
	uint64_t v = 0;
	int h;
	while ((h = hexval(**s)) >= 0) {
		v = v << 4 | (uint64_t)h;
		(*s)++;
	}
	return v;
}

/* --- the command loop ----------------------------------------------------------------- */

typedef enum { SERVE_RESUME, SERVE_KILL, SERVE_DETACH } serve_result;

static void stop(dbg_gdb *g, int sig, const char *extra)
{
	snprintf(g->last_stop, sizeof g->last_stop, "T%02xthread:1;%s", to_gdb_sig(sig),
		 extra ? extra : "");
	put_packet(g, g->last_stop);
}

static void do_query(ae_debug *d, dbg_gdb *g, const char *q)
{
	if (!strncmp(q, "qSupported", 10)) {
		snprintf(g->out, sizeof g->out,
			 "PacketSize=%x;qXfer:features:read+;qXfer:auxv:read+;swbreak+;hwbreak+;"
			 "QStartNoAckMode+;"
			 "QPassSignals+;vContSupported+",
			 PKT_MAX);
		put_packet(g, g->out);
	} else if (!strncmp(q, "qXfer:features:read:target.xml:", 31)) {
		const char *s = q + 31;
		uint64_t off = get_num(&s);
		if (*s == ',')
			s++;
		uint64_t len = get_num(&s);
		static char xml[16384];
		size_t n = build_xml(xml, sizeof xml);
		if (len > PKT_MAX - 4)
			len = PKT_MAX - 4;
		if (off >= n) {
			put_packet(g, "l");
			return;
		}
		size_t take = n - off < len ? n - off : len;
		g->out[0] = off + take >= n ? 'l' : 'm';
		memcpy(g->out + 1, xml + off, take);
		g->out[take + 1] = 0;
		put_packet(g, g->out);
	} else if (!strncmp(q, "qXfer:auxv:read::", 17)) {
		xfer_auxv(d, g, d->cpu, q + 17);
	} else if (!strncmp(q, "qXfer:", 6)) {
		put_packet(g, "E00");
	} else if (!strcmp(q, "qAttached")) {
		put_packet(g, "1");
	} else if (!strcmp(q, "qC")) {
		put_packet(g, "QC1");
	} else if (!strcmp(q, "qfThreadInfo")) {
		put_packet(g, "m1");
	} else if (!strcmp(q, "qsThreadInfo")) {
		put_packet(g, "l");
	} else if (!strcmp(q, "qOffsets")) {
		snprintf(g->out, sizeof g->out, "Text=%llx;Data=%llx;Bss=%llx",
			 (unsigned long long)d->bias, (unsigned long long)d->bias,
			 (unsigned long long)d->bias);
		put_packet(g, g->out);
	} else if (!strncmp(q, "qSymbol", 7)) {
		put_packet(g, "OK");
	} else if (!strncmp(q, "QPassSignals:", 13)) {
		const char *s = q + 13;
		g->pass = 0;
		while (hexval(*s) >= 0) {
			int l = from_gdb_sig((int)get_num(&s));
			if (l > 0)
				g->pass |= (uint64_t)1 << (l - 1);
			if (*s == ';')
				s++;
		}
		put_packet(g, "OK");
	} else if (!strcmp(q, "QStartNoAckMode")) {
		put_packet(g, "OK");
		g->noack = true;
	} else {
		put_packet(g, "");
	}
}

static void do_breakpoint(ae_debug *d, dbg_gdb *g, const char *p)
{
	bool insert = p[0] == 'Z';
	int type = p[1] - '0';
	const char *s = p + 2;
	if (*s != ',' || type < 0 || type > 4) {
		put_packet(g, "");
		return;
	}
	s++;
	uint64_t addr = get_num(&s);
	uint64_t len = 1;
	if (*s == ',') {
		s++;
		len = get_num(&s);
	}
	if (type <= 1) {
		unsigned i = 0;
		while (i < g->nbp && g->bp[i] != addr)
			i++;
		if (insert && i == g->nbp) {
			if (g->nbp == DBG_MAX_BP) {
				put_packet(g, "E01");
				return;
			}
			g->bp[g->nbp] = addr;
			g->bp_hw[g->nbp++] = (uint8_t)type;
		} else if (!insert && i < g->nbp) {
			g->bp[i] = g->bp[g->nbp - 1];
			g->bp_hw[i] = g->bp_hw[--g->nbp];
		}
	} else {
		unsigned i = 0;
		while (i < g->nwp && !(g->wp[i].addr == addr && g->wp[i].len == len &&
				       g->wp[i].type == type))
			i++;
		if (insert && i == g->nwp) {
			if (g->nwp == DBG_MAX_WP) {
				put_packet(g, "E01");
				return;
			}
			g->wp[g->nwp++] = (dbg_wp){addr, len ? len : 1, type};
		} else if (!insert && i < g->nwp) {
			g->wp[i] = g->wp[--g->nwp];
		}
	}
	(void)d;
	put_packet(g, "OK");
}

/* Parses c/s/C/S and vCont actions: sets g->step and g->resume_sig. Returns false when the
 * packet is not a resume. */
static bool parse_resume(ae_cpu *cpu, dbg_gdb *g, const char *p)
{
	const char *s = p;
	if (!strncmp(p, "vCont;", 6)) {
		s = p + 6; /* the first action: one thread, so it applies to it */
	} else if (p[0] != 'c' && p[0] != 's' && p[0] != 'C' && p[0] != 'S') {
		return false;
	}
	char a = *s++;
	g->step = a == 's' || a == 'S';
	g->resume_sig = 0;
	if (a == 'C' || a == 'S')
		g->resume_sig = from_gdb_sig((int)get_num(&s));
	if (p[0] != 'v' && (*s == ';' || (a == 'c' || a == 's'))) {
		if (*s == ';')
			s++;
		if (hexval(*s) >= 0)
			cpu->rip = get_num(&s);
	}
	return true;
}

static serve_result serve(ae_debug *d, ae_cpu *cpu)
{
	dbg_gdb *g = d->gdb;
	for (;;) {
		int n = get_packet(g);
		if (n == -1)
			return SERVE_DETACH;
		if (n == -2)
			continue;
		char *p = g->in;
		switch (p[0]) {
		case '?':
			put_packet(g, g->last_stop[0] ? g->last_stop : "S05");
			break;
		case 'g': {
			char *o = g->out;
			uint8_t b[16];
			for (unsigned r = 0; r < NREGS; r++)
				o = put_hex(o, b, reg_get(cpu, r, b));
			put_packet(g, g->out);
			break;
		}
		case 'G': {
			const char *s = p + 1;
			uint8_t b[16] = {0};
			for (unsigned r = 0; r < NREGS; r++) {
				uint8_t cur[16];
				unsigned size = reg_get(cpu, r, cur);
				if (get_hex(s, b, size) != size)
					break;
				reg_set(cpu, r, b);
				s += 2 * size;
			}
			put_packet(g, "OK");
			break;
		}
		case 'p': {
			const char *s = p + 1;
			uint8_t b[16];
			unsigned size = reg_get(cpu, (unsigned)get_num(&s), b);
			if (!size) {
				put_packet(g, "E00");
				break;
			}
			put_hex(g->out, b, size);
			put_packet(g, g->out);
			break;
		}
		case 'P': {
			const char *s = p + 1;
			unsigned r = (unsigned)get_num(&s);
			uint8_t b[16] = {0}, cur[16];
			unsigned size = reg_get(cpu, r, cur);
			if (!size || *s != '=' || get_hex(s + 1, b, size) != size) {
				put_packet(g, "E00");
				break;
			}
			reg_set(cpu, r, b);
			put_packet(g, "OK");
			break;
		}
		case 'm': {
			const char *s = p + 1;
			uint64_t addr = get_num(&s);
			uint64_t len = *s == ',' ? (s++, get_num(&s)) : 0;
			if (len > (PKT_MAX - 8) / 2)
				len = (PKT_MAX - 8) / 2;
			uint8_t buf[PKT_MAX / 2];
			unsigned got = 0;
			while (got < len && !ae_mem_read(cpu, addr + got, buf + got, 1, 0))
				got++;
			if (!got && len) {
				put_packet(g, "E14");
				break;
			}
			put_hex(g->out, buf, got);
			put_packet(g, g->out);
			break;
		}
		case 'M': {
			const char *s = p + 1;
			uint64_t addr = get_num(&s);
			uint64_t len = *s == ',' ? (s++, get_num(&s)) : 0;
			uint8_t buf[PKT_MAX / 2];
			if (*s != ':' || len > sizeof buf || get_hex(s + 1, buf, (unsigned)len) != len ||
			    ae_mem_write(cpu, addr, buf, len, 0)) {
				put_packet(g, "E14");
				break;
			}
			put_packet(g, "OK");
			break;
		}
		case 'Z':
		case 'z':
			do_breakpoint(d, g, p);
			break;
		case 'H':
			put_packet(g, "OK");
			break;
		case 'T':
			put_packet(g, "OK");
			break;
		case 'q':
		case 'Q':
			do_query(d, g, p);
			break;
		case 'D':
			put_packet(g, "OK");
			return SERVE_DETACH;
		case 'k':
			return SERVE_KILL;
		case 'v':
			if (!strncmp(p, "vCont?", 6)) {
				put_packet(g, "vCont;c;C;s;S");
			} else if (!strncmp(p, "vCont;", 6)) {
				parse_resume(cpu, g, p);
				return SERVE_RESUME;
			} else if (!strncmp(p, "vKill", 5)) {
				put_packet(g, "OK");
				return SERVE_KILL;
			} else {
				put_packet(g, "");
			}
			break;
		case 'c':
		case 's':
		case 'C':
		case 'S':
			parse_resume(cpu, g, p);
			return SERVE_RESUME;
		default:
			put_packet(g, "");
			break;
		}
	}
}

static void disconnect(dbg_gdb *g)
{
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	g->detached = true;
	g->nbp = g->nwp = 0;
	g->step = false;
}

/* Serves a stop; returns true when RIP or code changed. Kill raises a fault that
 * ae_debug_fault() turns into SIGKILL. */
static bool stopped(ae_debug *d, ae_cpu *cpu)
{
	dbg_gdb *g = d->gdb;
	uint64_t rip = cpu->rip;
	uint32_t gen = cpu->dgen;
	serve_result r = serve(d, cpu);
	if (r == SERVE_DETACH)
		disconnect(g);
	g->resume_icount = cpu->icount;
	g->resume_rip = cpu->rip;
	if (r == SERVE_KILL) {
		g->killed = true;
		disconnect(g);
		if (cpu->jb)
			exec_raise(cpu, AE_EXC_DB, 0, 0);
	}
	return cpu->rip != rip || cpu->dgen != gen;
}

int dbg_gdb_accept(ae_debug *d, char *err, size_t errlen)
{
	dbg_gdb *g = d->gdb;
	if (!d->o.quiet)
		fprintf(stderr, "apxemu: waiting for gdb on 127.0.0.1:%d\n", g->port);
	do
		g->fd = accept(g->lfd, NULL, NULL);
	while (g->fd < 0 && errno == EINTR);
	if (g->fd < 0) {
		snprintf(err, errlen, "--gdb: accept: %s", strerror(errno));
		return -1;
	}
	close(g->lfd);
	g->lfd = -1;
	snprintf(g->last_stop, sizeof g->last_stop, "S05");
	stopped(d, d->cpu);
	if (g->killed) {
		snprintf(err, errlen, "killed by gdb before it ran");
		return -1;
	}
	return 0;
}

static bool interrupted(dbg_gdb *g)
{
	if (++g->poll_tick & 0xffff)
		return false;
	struct pollfd pf = {.fd = g->fd, .events = POLLIN};
	if (g->rpos < g->rlen || poll(&pf, 1, 0) <= 0)
		return false;
	int c = get_byte(g);
	if (c < 0) {
		disconnect(g);
		return false;
	}
	return c == 3;
}

static bool watch_hit(ae_debug *d, dbg_gdb *g, char *extra, size_t len)
{
	if (!g->nwp || !d->pend || d->cpu->icount <= g->resume_icount)
		return false;
	dbg_span sp[DBG_MAX_ACC];
	unsigned n = dbg_spans(d, sp, DBG_MAX_ACC);
	for (unsigned i = 0; i < n; i++)
		for (unsigned w = 0; w < g->nwp; w++) {
			const dbg_wp *wp = &g->wp[w];
			if ((wp->type == 2 && !sp[i].write) || (wp->type == 3 && sp[i].write))
				continue;
			if (sp[i].addr < wp->addr + wp->len && wp->addr < sp[i].addr + sp[i].size) {
				snprintf(extra, len, "%s:%llx;",
					 wp->type == 2 ? "watch" : wp->type == 3 ? "rwatch" : "awatch",
					 (unsigned long long)wp->addr);
				return true;
			}
		}
	return false;
}

bool dbg_gdb_insn(ae_debug *d, ae_cpu *cpu)
{
	dbg_gdb *g = d->gdb;
	if (g->detached)
		return false;
	char extra[64];
	if (interrupted(g)) {
		stop(g, 2, NULL);
		return stopped(d, cpu);
	}
	if (watch_hit(d, g, extra, sizeof extra)) {
		stop(g, 5, extra);
		return stopped(d, cpu);
	}
	if (g->step && cpu->icount > g->resume_icount) {
		stop(g, 5, NULL);
		return stopped(d, cpu);
	}
	if (cpu->icount == g->resume_icount && cpu->rip == g->resume_rip)
		return false;
	for (unsigned i = 0; i < g->nbp; i++)
		if (g->bp[i] == cpu->rip) {
			stop(g, 5, g->bp_hw[i] ? "hwbreak:;" : "swbreak:;");
			return stopped(d, cpu);
		}
	return false;
}

int dbg_gdb_signal(ae_debug *d, ae_cpu *cpu, int sig)
{
	dbg_gdb *g = d->gdb;
	if (g->killed)
		return 9;
	if (g->detached || (sig > 0 && sig <= 64 && (g->pass >> (sig - 1) & 1)))
		return sig;
	stop(g, sig, NULL);
	serve_result r = serve(d, cpu);
	g->resume_icount = cpu->icount;
	g->resume_rip = cpu->rip;
	if (r == SERVE_KILL) {
		g->killed = true;
		disconnect(g);
		return 9;
	}
	if (r == SERVE_DETACH) {
		disconnect(g);
		return sig;
	}
	return g->resume_sig;
}

void dbg_gdb_exit(ae_debug *d, int exit_code, int sig)
{
	dbg_gdb *g = d->gdb;
	if (g->detached || g->fd < 0)
		return;
	char pkt[16];
	snprintf(pkt, sizeof pkt, sig ? "X%02x" : "W%02x", sig ? to_gdb_sig(sig) : exit_code & 0xff);
	put_packet(g, pkt);
	disconnect(g);
}
