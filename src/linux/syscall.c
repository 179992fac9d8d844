/* System calls of the guest. The guest's structures are laid out as the host's (both are
 * x86-64 Linux), so calls that fill a buffer (stat, uname, clock_gettime, ...) run on the
 * host with a host buffer that is then copied to guest memory; pointers are always checked
 * against the guest's pages (-EFAULT otherwise). Memory calls (brk, mmap family) act on the
 * soft-MMU only. An unsupported call returns -ENOSYS and is named once on stderr. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../exec/exec_internal.h"
#include "lx_internal.h"

#define RET(v) ((uint64_t)(int64_t)(v))

static const struct {
	unsigned nr;
	const char *name;
} names[] = {
	{0, "read"}, {1, "write"}, {2, "open"}, {3, "close"}, {4, "stat"}, {5, "fstat"},
	{6, "lstat"}, {7, "poll"}, {8, "lseek"}, {9, "mmap"}, {10, "mprotect"}, {11, "munmap"},
	{12, "brk"}, {13, "rt_sigaction"}, {14, "rt_sigprocmask"}, {15, "rt_sigreturn"},
	{16, "ioctl"}, {17, "pread64"}, {18, "pwrite64"}, {19, "readv"}, {20, "writev"},
	{21, "access"}, {22, "pipe"}, {23, "select"}, {24, "sched_yield"}, {25, "mremap"},
	{26, "msync"}, {28, "madvise"}, {32, "dup"}, {33, "dup2"}, {35, "nanosleep"},
	{39, "getpid"}, {41, "socket"}, {56, "clone"}, {57, "fork"}, {58, "vfork"},
	{59, "execve"}, {60, "exit"}, {61, "wait4"}, {62, "kill"}, {63, "uname"}, {72, "fcntl"},
	{74, "fsync"}, {77, "ftruncate"}, {78, "getdents"}, {79, "getcwd"}, {80, "chdir"},
	{82, "rename"}, {83, "mkdir"}, {84, "rmdir"}, {87, "unlink"}, {89, "readlink"},
	{96, "gettimeofday"}, {97, "getrlimit"}, {98, "getrusage"}, {99, "sysinfo"},
	{102, "getuid"}, {104, "getgid"}, {107, "geteuid"}, {108, "getegid"}, {110, "getppid"},
	{131, "sigaltstack"}, {158, "arch_prctl"}, {186, "gettid"}, {201, "time"},
	{202, "futex"}, {204, "sched_getaffinity"}, {217, "getdents64"},
	{218, "set_tid_address"}, {228, "clock_gettime"}, {229, "clock_getres"},
	{230, "clock_nanosleep"}, {231, "exit_group"}, {234, "tgkill"}, {257, "openat"},
	{262, "newfstatat"}, {267, "readlinkat"}, {269, "faccessat"}, {273, "set_robust_list"},
	{292, "dup3"}, {293, "pipe2"}, {302, "prlimit64"}, {318, "getrandom"}, {332, "statx"},
	{334, "rseq"}, {435, "clone3"}, {439, "faccessat2"},
};

const char *ae_linux_syscall_name(unsigned nr)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].nr == nr)
			return names[i].name;
	return NULL;
}

static uint64_t enosys(lx_proc *p, unsigned nr)
{
	if (!p->quiet && (nr >= 512 || !(p->warned[nr / 8] & (1u << (nr % 8))))) {
		if (nr < 512)
			p->warned[nr / 8] |= (uint8_t)(1u << (nr % 8));
		const char *n = ae_linux_syscall_name(nr);
		ae_cpu_log(p->cpu, "unsupported system call %s (%u): -ENOSYS", n ? n : "?", nr);
	}
	return RET(-ENOSYS);
}

/* Guest string (NUL-terminated, at most max-1 bytes) into buf. */
static int guest_str(lx_proc *p, uint64_t addr, char *buf, size_t max)
{
	for (size_t i = 0; i < max; i++) {
		if (ae_mem_read(p->cpu, addr + i, buf + i, 1, AE_PROT_R))
			return -EFAULT;
		if (!buf[i])
			return 0;
	}
	return -ENAMETOOLONG;
}

static uint64_t host_ret(long r)
{
	return r < 0 ? RET(-errno) : (uint64_t)r;
}

/* read/write/pread/pwrite through a bounce buffer. */
static uint64_t sys_rw(lx_proc *p, unsigned nr, int fd, uint64_t buf, uint64_t len, int64_t off)
{
	if (len > (1u << 30))
		len = 1u << 30;
	bool wr = nr == 1 || nr == 18;
	if (len && !ae_mem_mapped(p->cpu, buf, len, wr ? AE_PROT_R : AE_PROT_W))
		return RET(-EFAULT);
	uint8_t *h = malloc(len ? len : 1);
	if (!h)
		return RET(-ENOMEM);
	long r;
	if (wr) {
		ae_mem_read(p->cpu, buf, h, len, AE_PROT_R);
		r = nr == 1 ? write(fd, h, len) : pwrite(fd, h, len, off);
	} else {
		r = nr == 0 ? read(fd, h, len) : pread(fd, h, len, off);
		if (r > 0)
			ae_mem_write(p->cpu, buf, h, (size_t)r, AE_PROT_W);
	}
	uint64_t ret = host_ret(r);
	free(h);
	return ret;
}

static uint64_t sys_iov(lx_proc *p, unsigned nr, int fd, uint64_t iov, uint64_t cnt)
{
	if (cnt > 1024)
		return RET(-EINVAL);
	uint64_t total = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		uint64_t v[2];
		if (ae_mem_read(p->cpu, iov + 16 * i, v, 16, AE_PROT_R))
			return RET(-EFAULT);
		if (!v[1])
			continue;
		uint64_t r = sys_rw(p, nr == 20 ? 1 : 0, fd, v[0], v[1], 0);
		if ((int64_t)r < 0)
			return total ? total : r;
		total += r;
		if (r < v[1])
			break;
	}
	return total;
}

/* A host call that fills a buffer of n bytes at guest address out. */
static uint64_t to_guest(lx_proc *p, long r, const void *hbuf, uint64_t out, size_t n)
{
	if (r < 0)
		return RET(-errno);
	if (out && ae_mem_write(p->cpu, out, hbuf, n, AE_PROT_W))
		return RET(-EFAULT);
	return (uint64_t)r;
}

/* --- memory --------------------------------------------------------------------------------- */

static unsigned prot_of(uint64_t prot)
{
	return (unsigned)(((prot & 1) ? AE_PROT_R : 0) | ((prot & 2) ? AE_PROT_W : 0) |
			  ((prot & 4) ? AE_PROT_X : 0));
}

static uint64_t sys_brk(lx_proc *p, uint64_t want)
{
	uint64_t cur = (p->brk_cur + PAGE_SIZE - 1) & PAGE_MASK;
	if (want < p->brk_start || want > p->brk_start + (1ull << 36))
		return p->brk_cur;
	uint64_t need = (want + PAGE_SIZE - 1) & PAGE_MASK;
	if (need > cur) {
		if (!ae_mem_mapped(p->cpu, cur, need - cur, 0) &&
		    ae_mem_find_free(p->cpu, cur, need - cur, need) != cur)
			return p->brk_cur;
		if (ae_mem_map(p->cpu, cur, need - cur, AE_PROT_R | AE_PROT_W))
			return p->brk_cur;
	} else if (need < cur) {
		ae_mem_unmap(p->cpu, need, cur - need);
	}
	p->brk_cur = want;
	return want;
}

static uint64_t sys_mmap(lx_proc *p, uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags,
			 int fd, uint64_t off)
{
	const uint64_t MAP_FIXED = 0x10, MAP_ANON = 0x20, MAP_FIXED_NOREPLACE = 0x100000;
	if (!len || (off & (PAGE_SIZE - 1)) || (addr & (PAGE_SIZE - 1) && (flags & MAP_FIXED)))
		return RET(-EINVAL);
	len = (len + PAGE_SIZE - 1) & PAGE_MASK;
	uint64_t at;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		at = addr;
		if ((flags & MAP_FIXED_NOREPLACE) && ae_mem_find_free(p->cpu, at, len, at + len) != at)
			return RET(-EEXIST);
	} else {
		at = 0;
		if (addr && ae_mem_find_free(p->cpu, addr & PAGE_MASK, len,
					     (addr & PAGE_MASK) + len) == (addr & PAGE_MASK))
			at = addr & PAGE_MASK;
		if (!at)
			at = ae_mem_find_free(p->cpu, p->mmap_base, len, LX_STACK_TOP - LX_STACK_SIZE);
		if (!at)
			return RET(-ENOMEM);
	}
	if (ae_mem_map(p->cpu, at, len, prot_of(prot)))
		return RET(-ENOMEM);
	if (!(flags & MAP_ANON) && fd >= 0) {
		uint8_t *h = malloc(len);
		if (!h) {
			ae_mem_unmap(p->cpu, at, len);
			return RET(-ENOMEM);
		}
		long r = pread(fd, h, len, (off_t)off);
		if (r < 0) {
			int e = errno;
			free(h);
			ae_mem_unmap(p->cpu, at, len);
			return RET(-e);
		}
		ae_mem_write(p->cpu, at, h, (size_t)r, 0);
		free(h);
	}
	return at;
}

static uint64_t sys_mremap(lx_proc *p, uint64_t old, uint64_t olen, uint64_t nlen,
			   uint64_t flags)
{
	if (old & (PAGE_SIZE - 1) || !nlen)
		return RET(-EINVAL);
	olen = (olen + PAGE_SIZE - 1) & PAGE_MASK;
	nlen = (nlen + PAGE_SIZE - 1) & PAGE_MASK;
	if (!ae_mem_mapped(p->cpu, old, olen, 0))
		return RET(-EFAULT);
	if (nlen <= olen) {
		if (nlen < olen)
			ae_mem_unmap(p->cpu, old + nlen, olen - nlen);
		return old;
	}
	exec_page *pg = exec_page_get(p->cpu, old, false);
	unsigned prot = pg->prot & 7;
	if (ae_mem_find_free(p->cpu, old + olen, nlen - olen, old + nlen) == old + olen) {
		ae_mem_map(p->cpu, old + olen, nlen - olen, prot);
		return old;
	}
	if (!(flags & 1))
		return RET(-ENOMEM);
	uint64_t at = ae_mem_find_free(p->cpu, p->mmap_base, nlen, LX_STACK_TOP - LX_STACK_SIZE);
	uint8_t *h = malloc(olen);
	if (!at || !h) {
		free(h);
		return RET(-ENOMEM);
	}
	ae_mem_read(p->cpu, old, h, olen, 0);
	ae_mem_map(p->cpu, at, nlen, prot);
	ae_mem_write(p->cpu, at, h, olen, 0);
	free(h);
	ae_mem_unmap(p->cpu, old, olen);
	return at;
}

/* --- the dispatcher ------------------------------------------------------------------------ */

static uint64_t sys_readlink(lx_proc *p, int dirfd, uint64_t path, uint64_t buf, uint64_t n)
{
	char pb[4096], out[4096];
	int e = guest_str(p, path, pb, sizeof pb);
	if (e)
		return RET(e);
	long r;
	if (!strcmp(pb, "/proc/self/exe")) {
		r = (long)strlen(p->exe_path);
		memcpy(out, p->exe_path, (size_t)r);
	} else {
		r = readlinkat(dirfd, pb, out, sizeof out);
		if (r < 0)
			return RET(-errno);
	}
	if ((uint64_t)r > n)
		r = (long)n;
	if (ae_mem_write(p->cpu, buf, out, (size_t)r, AE_PROT_W))
		return RET(-EFAULT);
	return (uint64_t)r;
}

static uint64_t sys_openat(lx_proc *p, int dirfd, uint64_t path, uint64_t flags, uint64_t mode)
{
	char pb[4096];
	int e = guest_str(p, path, pb, sizeof pb);
	if (e)
		return RET(e);
	return host_ret(openat(dirfd, pb, (int)flags, (mode_t)mode));
}

static uint64_t sys_fstatat(lx_proc *p, int dirfd, uint64_t path, uint64_t out, uint64_t flags)
{
	char pb[4096];
	uint8_t st[256];
	if (path) {
		int e = guest_str(p, path, pb, sizeof pb);
		if (e)
			return RET(e);
	} else {
		pb[0] = 0;
	}
	long r = syscall(SYS_newfstatat, dirfd, pb, st, (int)flags);
	return to_guest(p, r, st, out, 144);
}

static uint64_t sys_arch_prctl(lx_proc *p, uint64_t code, uint64_t addr)
{
	uint64_t v;
	switch (code) {
	case 0x1001: /* ARCH_SET_GS */
	case 0x1002: /* ARCH_SET_FS */
		if (addr >= (1ull << 47))
			return RET(-EPERM);
		ae_cpu_set(p->cpu, code == 0x1002 ? AE_R_ES + 4 : AE_R_ES + 5, addr);
		return 0;
	case 0x1003:
	case 0x1004:
		v = ae_cpu_get(p->cpu, code == 0x1003 ? AE_R_ES + 4 : AE_R_ES + 5);
		return ae_mem_write(p->cpu, addr, &v, 8, AE_PROT_W) ? RET(-EFAULT) : 0;
	case 0x1021: /* ARCH_GET_XCOMP_SUPP */
		v = ae_cpu_xcr0(p->cpu);
		return ae_mem_write(p->cpu, addr, &v, 8, AE_PROT_W) ? RET(-EFAULT) : 0;
	default:
		return RET(-EINVAL);
	}
}

static void terminate(lx_proc *p, int code, int sig)
{
	p->exited = true;
	p->exit_code = code;
	p->signal = sig;
}

void lx_syscall(lx_proc *p)
{
	ae_cpu *c = p->cpu;
	unsigned nr = (unsigned)ae_cpu_get(c, 0);
	uint64_t a0 = ae_cpu_get(c, 7), a1 = ae_cpu_get(c, 6), a2 = ae_cpu_get(c, 2);
	uint64_t a3 = ae_cpu_get(c, 10), a4 = ae_cpu_get(c, 8), a5 = ae_cpu_get(c, 9);
	uint8_t buf[512];
	uint64_t r;
	switch (nr) {
	case 0:
	case 1:
		r = sys_rw(p, nr, (int)a0, a1, a2, 0);
		break;
	case 17:
	case 18:
		r = sys_rw(p, nr, (int)a0, a1, a2, (int64_t)a3);
		break;
	case 19:
	case 20:
		r = sys_iov(p, nr, (int)a0, a1, a2);
		break;
	case 2:
		r = sys_openat(p, AT_FDCWD, a0, a1, a2);
		break;
	case 257:
		r = sys_openat(p, (int)a0, a1, a2, a3);
		break;
	case 3:
		r = a0 <= 2 ? 0 : host_ret(close((int)a0)); /* the guest may not close our stdio */
		break;
	case 4:
	case 6:
		r = sys_fstatat(p, AT_FDCWD, a0, a1, nr == 6 ? AT_SYMLINK_NOFOLLOW : 0);
		break;
	case 5:
		r = to_guest(p, syscall(SYS_fstat, (int)a0, buf), buf, a1, 144);
		break;
	case 262:
		r = sys_fstatat(p, (int)a0, a1, a2, a3);
		break;
	case 8:
		r = host_ret((long)lseek((int)a0, (off_t)a1, (int)a2));
		break;
	case 9:
		r = sys_mmap(p, a0, a1, a2, a3, (int)a4, a5);
		break;
	case 10:
		r = ae_mem_protect(c, a0, a1, prot_of(a2)) ? RET(-ENOMEM) : 0;
		break;
	case 11:
		r = (a0 & (PAGE_SIZE - 1)) ? RET(-EINVAL) : (ae_mem_unmap(c, a0, a1), 0);
		break;
	case 12:
		r = sys_brk(p, a0);
		break;
	case 25:
		r = sys_mremap(p, a0, a1, a2, a3);
		break;
	case 28: /* madvise */
	case 26: /* msync */
		r = 0;
		break;
	case 13:
		r = lx_sys_rt_sigaction(p, a0, a1, a2, a3);
		break;
	case 14:
		r = lx_sys_rt_sigprocmask(p, a0, a1, a2, a3);
		break;
	case 127:
		r = lx_sys_rt_sigpending(p, a0, a1);
		break;
	case 131:
		r = lx_sys_sigaltstack(p, a0, a1);
		break;
	case 15:
		lx_sys_rt_sigreturn(p);
		return;
	case 16: { /* ioctl: terminal queries only */
		unsigned long req = (unsigned long)a1;
		if (req == 0x5401 || req == 0x5413) { /* TCGETS, TIOCGWINSZ */
			long hr = ioctl((int)a0, req, buf);
			r = to_guest(p, hr, buf, a2, req == 0x5401 ? 36 : 8);
		} else {
			r = RET(-ENOTTY);
		}
		break;
	}
	case 21:
	case 269:
	case 439: {
		char pb[4096];
		int dfd = nr == 21 ? AT_FDCWD : (int)a0;
		int e = guest_str(p, nr == 21 ? a0 : a1, pb, sizeof pb);
		r = e ? RET(e) : host_ret(faccessat(dfd, pb, (int)(nr == 21 ? a1 : a2), 0));
		break;
	}
	case 24:
		r = 0;
		break;
	case 32:
		r = host_ret(dup((int)a0));
		break;
	case 33:
		r = host_ret(dup2((int)a0, (int)a1));
		break;
	case 292:
		r = host_ret(dup3((int)a0, (int)a1, (int)a2));
		break;
	case 72:
		r = (a1 == 0 || a1 == 1 || a1 == 2 || a1 == 3 || a1 == 4 || a1 == 1030)
			    ? host_ret(fcntl((int)a0, (int)a1, (long)a2))
			    : RET(-EINVAL);
		break;
	case 39:
	case 186:
		r = (uint64_t)lx_pid(p);
		break;
	case 110:
		r = (uint64_t)getppid();
		break;
	case 102:
	case 107:
		r = (uint64_t)getuid();
		break;
	case 104:
	case 108:
		r = (uint64_t)getgid();
		break;
	case 60:
	case 231:
		terminate(p, (int)a0, 0);
		return;
	case 62:
	case 200:
	case 234: { /* kill, tkill, tgkill: to this process only */
		int64_t pid = (int64_t)a0, self = lx_pid(p);
		bool me = nr == 62 ? (pid == self || pid == 0 || pid == -1)
			  : nr == 200 ? pid == self
				      : (pid == self && (int64_t)a1 == self);
		uint64_t sig = nr == 234 ? a2 : a1;
		if (sig > 64)
			r = RET(-EINVAL);
		else if (!me)
			r = RET(nr == 62 && pid > 0 ? -EPERM : -ESRCH);
		else if (sig)
			lx_signal_send(p, (int)sig, nr == 62 ? 0 : -6), r = 0;
		else
			r = 0;
		break;
	}
	case 63:
		r = to_guest(p, syscall(SYS_uname, buf), buf, a0, 390);
		break;
	case 79: {
		char cwd[4096];
		if (!getcwd(cwd, sizeof cwd)) {
			r = RET(-errno);
			break;
		}
		size_t n = strlen(cwd) + 1;
		r = n > a1 ? RET(-ERANGE) : ae_mem_write(c, a0, cwd, n, AE_PROT_W) ? RET(-EFAULT) : n;
		break;
	}
	case 89:
		r = sys_readlink(p, AT_FDCWD, a0, a1, a2);
		break;
	case 267:
		r = sys_readlink(p, (int)a0, a1, a2, a3);
		break;
	case 96:
		r = to_guest(p,
			     p->deterministic ? lx_det_time(p, buf, true)
					      : syscall(SYS_gettimeofday, buf, NULL),
			     buf, a0, 16);
		break;
	case 201: {
		long t = p->deterministic ? lx_det_seconds(p) : syscall(SYS_time, NULL);
		r = a0 ? to_guest(p, t, &t, a0, 8) : (uint64_t)t;
		break;
	}
	case 228:
	case 229:
		r = to_guest(p,
			     p->deterministic && nr == 228
				     ? lx_det_time(p, buf, false)
				     : syscall(nr == 228 ? SYS_clock_gettime : SYS_clock_getres,
					       (int)a0, buf),
			     buf, a1, 16);
		break;
	case 35:
	case 230: {
		uint8_t ts[16];
		uint64_t req = nr == 35 ? a0 : a2;
		if (ae_mem_read(c, req, ts, 16, AE_PROT_R)) {
			r = RET(-EFAULT);
			break;
		}
		r = nr == 35 ? host_ret(syscall(SYS_nanosleep, ts, NULL))
			     : host_ret(syscall(SYS_clock_nanosleep, (int)a0, (int)a1, ts, NULL));
		break;
	}
	case 97:
		r = to_guest(p, syscall(SYS_getrlimit, (int)a0, buf), buf, a1, 16);
		break;
	case 302: /* prlimit64: queries only, for this process */
		if (a0 && a0 != (uint64_t)lx_pid(p)) {
			r = RET(-ESRCH);
		} else if (a2) {
			r = 0; /* limits are not changed: the guest lives inside our own */
		} else {
			r = to_guest(p, syscall(SYS_prlimit64, 0, (int)a1, NULL, buf), buf, a3, 16);
		}
		break;
	case 318: {
		uint64_t n = a1 > sizeof buf ? sizeof buf : a1;
		r = to_guest(p,
			     p->deterministic ? lx_det_random(p, buf, n)
					      : syscall(SYS_getrandom, buf, n, (unsigned)a2),
			     buf, a0, n);
		if ((int64_t)r > 0)
			r = n;
		break;
	}
	case 158:
		r = sys_arch_prctl(p, a0, a1);
		break;
	case 218: /* set_tid_address: the return value is the TID */
		r = (uint64_t)lx_pid(p);
		break;
	case 273: /* set_robust_list */
		r = 0;
		break;
	case 202: { /* futex, one thread: a wait whose value matches would block forever */
		unsigned op = (unsigned)a1 & 0x7f;
		r = op == 1 ? 0 : RET(-EAGAIN);
		break;
	}
	case 204: /* sched_getaffinity: one CPU */
		memset(buf, 0, 8);
		buf[0] = 1;
		r = a1 < 8 ? RET(-EINVAL) : to_guest(p, 8, buf, a2, 8);
		break;
	case 334: /* rseq: glibc handles -ENOSYS (spec/linux-user-abi.md 4) */
	case 332: /* statx: glibc falls back to newfstatat */
		r = RET(-ENOSYS);
		break;
	case 293:
	case 22: {
		int fds[2];
		long hr = nr == 22 ? pipe(fds) : pipe2(fds, (int)a1);
		r = to_guest(p, hr, fds, a0, 8);
		break;
	}
	default:
		r = enosys(p, nr);
		break;
	}
	ae_cpu_set(c, 0, r);
}
