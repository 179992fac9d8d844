/* File I/O on a temporary file next to the program (the build directory): open with
 * O_CREAT|O_EXCL, write, lseek (SEEK_SET, SEEK_CUR, SEEK_END, past the end: a hole that
 * reads as zeros), read, pread/pwrite, O_APPEND, fstat/stat sizes, dup, access, unlink and
 * the errors after it (ENOENT, EBADF, EEXIST); then the same through stdio (fopen, fprintf,
 * fputs, fwrite, fseek, ftell, fgets, fscanf, fread, rewind, feof). The file name holds
 * the process id, so that concurrent runs do not collide; it is never printed. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[4096];

static void report(const char *what, long rc)
{
	if (rc < 0)
		printf("%s: -1 (%s)\n", what, strerror(errno));
	else
		printf("%s: %ld\n", what, rc);
}

static uint32_t sum_bytes(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void syscalls(void)
{
	static unsigned char block[20000], back[20000];
	for (size_t i = 0; i < sizeof block; i++)
		block[i] = (unsigned char)(i * 131 + (i >> 8));

	int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
	report("open O_CREAT|O_EXCL", fd < 0 ? -1 : 0);
	if (fd < 0)
		exit(1);
	errno = 0;
	report("open again with O_EXCL", open(path, O_CREAT | O_EXCL | O_RDWR, 0600));

	report("write 20000", write(fd, block, sizeof block));
	report("lseek SEEK_CUR 0", lseek(fd, 0, SEEK_CUR));
	report("lseek SEEK_SET 100", lseek(fd, 100, SEEK_SET));
	memset(back, 0, sizeof back);
	report("read 50", read(fd, back, 50));
	printf("bytes 100..149 match: %d\n", memcmp(back, block + 100, 50) == 0);
	report("lseek SEEK_CUR -30", lseek(fd, -30, SEEK_CUR));
	report("read 10", read(fd, back, 10));
	printf("bytes 120..129 match: %d\n", memcmp(back, block + 120, 10) == 0);
	report("lseek SEEK_END -7", lseek(fd, -7, SEEK_END));
	report("read 100 at end-7", read(fd, back, 100));
	report("read at end", read(fd, back, 100));
	report("lseek negative", lseek(fd, -1, SEEK_SET));

	/* A hole: write 5 bytes 4096 past the end; the gap reads as zeros. */
	report("lseek SEEK_END +4096", lseek(fd, 4096, SEEK_END));
	report("write 5", write(fd, "tail!", 5));
	report("pread 4101 at 20000", pread(fd, back, 4101, 20000));
	size_t zeros = 0;
	for (size_t i = 0; i < 4096; i++)
		zeros += back[i] == 0;
	printf("hole zeros %zu, tail '%.5s'\n", zeros, (char *)back + 4096);
	report("pwrite 6 at 10", pwrite(fd, "PWRITE", 6, 10));
	report("offset unchanged by pread/pwrite", lseek(fd, 0, SEEK_CUR));

	struct stat st;
	report("fstat", fstat(fd, &st));
	printf("size %lld regular %d mode %o\n", (long long)st.st_size, S_ISREG(st.st_mode),
	       (unsigned)(st.st_mode & 0777));

	/* Read everything back in odd-sized pieces. */
	lseek(fd, 0, SEEK_SET);
	static unsigned char all[30000];
	size_t got = 0;
	ssize_t n;
	while ((n = read(fd, all + got, 777)) > 0)
		got += (size_t)n;
	printf("read back %zu bytes, hash %08x\n", got, sum_bytes(all, got));

	int fd2 = dup(fd);
	report("dup then lseek on the copy", lseek(fd2, 3, SEEK_SET));
	report("offset seen by the original", lseek(fd, 0, SEEK_CUR));
	close(fd2);
	close(fd);

	fd = open(path, O_WRONLY | O_APPEND);
	report("open O_APPEND", fd < 0 ? -1 : 0);
	lseek(fd, 0, SEEK_SET);
	report("append 3", write(fd, "END", 3));
	report("offset after append", lseek(fd, 0, SEEK_CUR));
	close(fd);
	report("write to a closed descriptor", write(fd, "x", 1));

	report("stat size", stat(path, &st) == 0 ? (long)st.st_size : -1);
	report("access R_OK|W_OK", access(path, R_OK | W_OK));
	fd = open(path, O_RDWR | O_TRUNC);
	report("open O_TRUNC", fd < 0 ? -1 : 0);
	report("size after O_TRUNC", lseek(fd, 0, SEEK_END));
	close(fd);
	report("unlink", unlink(path));
	report("unlink again", unlink(path));
	report("open after unlink", open(path, O_RDONLY));
	report("access after unlink", access(path, F_OK));
}

static void stdio(void)
{
	FILE *f = fopen(path, "w+");
	printf("fopen w+: %s\n", f ? "ok" : strerror(errno));
	if (!f)
		exit(1);
	for (int i = 0; i < 200; i++)
		fprintf(f, "line %3d: %08x %.3f\n", i, i * 2654435761u, i / 7.0);
	fputs("last line without newline", f);
	long end = ftell(f);
	printf("ftell after writing: %ld\n", end);
	rewind(f);
	char line[128];
	int lines = 0;
	unsigned long chars = 0;
	while (fgets(line, sizeof line, f)) {
		lines++;
		chars += strlen(line);
	}
	printf("fgets: %d lines, %lu chars, eof %d, last '%s'\n", lines, chars, feof(f) != 0, line);
	fseek(f, 15 * 25, SEEK_SET);
	int no;
	unsigned hex;
	double d;
	int k = fscanf(f, "line %d: %x %lf", &no, &hex, &d);
	printf("fscanf at 375: %d fields: %d %08x %.3f\n", k, no, hex, d);
	fseek(f, -9, SEEK_END);
	size_t r = fread(line, 1, sizeof line - 1, f);
	line[r] = 0;
	printf("fread last %zu: '%s'\n", r, line);
	unsigned char bin[256];
	for (int i = 0; i < 256; i++)
		bin[i] = (unsigned char)(255 - i);
	fseek(f, 0, SEEK_END);
	printf("fwrite: %zu\n", fwrite(bin, 1, sizeof bin, f));
	fflush(f);
	fseek(f, -256, SEEK_END);
	unsigned char chk[256];
	printf("fread binary: %zu, match %d\n", fread(chk, 1, sizeof chk, f),
	       memcmp(chk, bin, sizeof bin) == 0);
	printf("fclose: %d\n", fclose(f));
	f = fopen(path, "r");
	fseek(f, 0, SEEK_END);
	printf("size through stdio: %ld\n", ftell(f));
	fclose(f);
	printf("remove: %d\n", remove(path));
	f = fopen(path, "r");
	printf("fopen after remove: %s\n", f ? "opened" : strerror(errno));
}

int main(int argc, char **argv)
{
	(void)argc;
	/* The directory of the program, as the shell gave it; else the current one. */
	const char *slash = strrchr(argv[0], '/');
	int dirlen = slash ? (int)(slash - argv[0]) : 1;
	snprintf(path, sizeof path, "%.*s/fileio-%ld.tmp", dirlen, slash ? argv[0] : ".",
		 (long)getpid());
	syscalls();
	stdio();
	return 0;
}
