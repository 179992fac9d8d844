/* Helpers shared by the oracle tests and the benchmark (see oracle.h). The ELF reader here is
 * deliberately independent of the project's own: an oracle should not trust what it tests. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "oracle.h"

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

int ou_parse_hex(const char *s, uint8_t *out, int max)
{
	int n = 0, hi = -1;
	for (; *s && *s != '#'; s++) {
		if (*s == ' ' || *s == '\t' || *s == ',' || *s == '\n' || *s == '\r')
			continue;
		int v = hexval((unsigned char)*s);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= max)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? n : -1;
}

void ou_hex(const uint8_t *b, size_t n, char *buf, size_t buflen)
{
	size_t o = 0;
	if (!buflen)
		return;
	buf[0] = 0;
	for (size_t i = 0; i < n && o + 4 <= buflen; i++)
		o += (size_t)snprintf(buf + o, buflen - o, i ? " %02x" : "%02x", b[i]);
}

void ou_normalize(char *s)
{
	char *w = s;
	bool blank = false;
	for (const char *r = s; *r; r++) {
		if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') {
			blank = true;
			continue;
		}
		if (blank && w != s)
			*w++ = ' ';
		blank = false;
		*w++ = *r;
	}
	*w = 0;
}

char *ou_chomp(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

double ou_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int ou_elf_load(const char *path, ou_elf *elf)
{
	memset(elf, 0, sizeof *elf);
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		fprintf(stderr, "%s: not an ELF file\n", path);
		close(fd);
		return -1;
	}
	void *img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (img == MAP_FAILED) {
		perror(path);
		return -1;
	}
	elf->image = img;
	elf->image_size = (size_t)st.st_size;
	const Elf64_Ehdr *eh = img;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_machine != EM_X86_64 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    eh->e_shoff > elf->image_size ||
	    (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > elf->image_size - eh->e_shoff ||
	    eh->e_shstrndx >= eh->e_shnum) {
		fprintf(stderr, "%s: not an x86-64 ELF64 file with section headers\n", path);
		ou_elf_free(elf);
		return -1;
	}
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(elf->image + eh->e_shoff);
	const Elf64_Shdr *strs = &sh[eh->e_shstrndx];
	elf->sec = calloc(eh->e_shnum, sizeof *elf->sec);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (!(sh[i].sh_flags & SHF_EXECINSTR) || sh[i].sh_type != SHT_PROGBITS ||
		    sh[i].sh_offset > elf->image_size ||
		    sh[i].sh_size > elf->image_size - sh[i].sh_offset)
			continue;
		ou_section *s = &elf->sec[elf->nsec++];
		if (strs->sh_offset + sh[i].sh_name < elf->image_size)
			snprintf(s->name, sizeof s->name, "%.*s", (int)(sizeof s->name - 1),
				 (const char *)elf->image + strs->sh_offset + sh[i].sh_name);
		s->addr = sh[i].sh_addr;
		s->data = elf->image + sh[i].sh_offset;
		s->size = sh[i].sh_size;
	}
	return 0;
}

void ou_elf_free(ou_elf *elf)
{
	if (elf->image)
		munmap(elf->image, elf->image_size);
	free(elf->sec);
	memset(elf, 0, sizeof *elf);
}

const char *ou_find_libllvm(void)
{
	static const char *const cand[] = {
		"/usr/lib/x86_64-linux-gnu/libLLVM-19.so",
		"/usr/lib/x86_64-linux-gnu/libLLVM.so.19.1",
		"/usr/lib/llvm-19/lib/libLLVM-19.so",
		"/usr/lib/llvm-19/lib/libLLVM.so.19.1",
		"/usr/lib/llvm-19/lib/libLLVM.so",
	};
	for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++)
		if (access(cand[i], R_OK) == 0)
			return cand[i];
	return NULL;
}
