/* ELF64 little-endian x86-64 reader (System V gABI ch. 4, x86-64 psABI).
 *
 * Every structure is read field by field from the file image with explicit little-endian
 * loads, so nothing depends on the host's alignment or byte order, and every offset and size
 * is checked against the image size (without overflow) before it is used.
 */
#include "apxemu/elf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EHDR_SIZE  64u
#define SHDR_SIZE  64u
#define PHDR_SIZE  56u
#define SYM_SIZE   24u
#define EM_X86_64  62u
#define SHN_XINDEX 0xffffu
#define PN_XNUM	   0xffffu

struct ae_elf {
	uint8_t *data;
	size_t size;
	uint16_t type;
	uint64_t entry;
	ae_elf_section *secs;
	size_t nsecs;
	ae_elf_segment *segs;
	size_t nsegs;
	ae_elf_symbol *syms;
	size_t nsyms;
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
						      ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* True when [off, off+len) lies inside an image of size bytes. */
static bool in_file(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

/* A NUL-terminated string at offset off of string table strtab, or NULL. */
static const char *str_at(const ae_elf *elf, const ae_elf_section *strtab, uint64_t off)
{
	if (strtab->type == AE_ELF_SHT_NOBITS || off >= strtab->size)
		return NULL;
	const uint8_t *base = elf->data + strtab->offset;
	if (!memchr(base + off, 0, (size_t)(strtab->size - off)))
		return NULL;
	return (const char *)base + off;
}

static int parse_sections(ae_elf *e, char *err, size_t errlen, uint32_t *phnum_ext)
{
	const uint8_t *h = e->data;
	uint64_t shoff = rd64(h + 40);
	uint16_t shentsize = rd16(h + 58);
	uint64_t shnum = rd16(h + 60);
	uint32_t shstrndx = rd16(h + 62);

	if (shoff == 0)
		return 0; /* no section header table */
	if (shentsize < SHDR_SIZE)
		return fail(err, errlen, "section header size %u is smaller than %u", shentsize,
			    SHDR_SIZE);
	if (!in_file(shoff, SHDR_SIZE, e->size))
		return fail(err, errlen,
			    "section header table at offset 0x%llx lies outside the file "
			    "(%zu bytes)",
			    (unsigned long long)shoff, e->size);
	/* Counts that do not fit the ELF header live in section 0 (gABI "Extended Section
	 * Numbering"). */
	const uint8_t *sh0 = e->data + shoff;
	if (shnum == 0)
		shnum = rd64(sh0 + 32);
	if (shstrndx == SHN_XINDEX)
		shstrndx = rd32(sh0 + 40);
	*phnum_ext = rd32(sh0 + 44);
	if (shnum > (e->size - shoff) / shentsize)
		return fail(err, errlen,
			    "section header table (%llu entries at offset 0x%llx) is truncated",
			    (unsigned long long)shnum, (unsigned long long)shoff);
	if (shstrndx >= shnum && shstrndx != 0)
		return fail(err, errlen,
			    "section name table index %u is out of range (%llu sections)", shstrndx,
			    (unsigned long long)shnum);
	if (shnum == 0)
		return 0;

	e->secs = calloc((size_t)shnum, sizeof *e->secs);
	if (!e->secs)
		return fail(err, errlen, "out of memory");
	e->nsecs = (size_t)shnum;
	for (size_t i = 0; i < e->nsecs; i++) {
		const uint8_t *p = e->data + shoff + i * shentsize;
		ae_elf_section *s = &e->secs[i];
		s->name = "";
		s->type = rd32(p + 4);
		s->flags = rd64(p + 8);
		s->addr = rd64(p + 16);
		s->offset = rd64(p + 24);
		s->size = rd64(p + 32);
		s->link = rd32(p + 40);
		s->info = rd32(p + 44);
		s->align = rd64(p + 48);
		s->entsize = rd64(p + 56);
		if (i != 0 && s->type != AE_ELF_SHT_NOBITS && s->type != AE_ELF_SHT_NULL &&
		    !in_file(s->offset, s->size, e->size))
			return fail(err, errlen,
				    "section %zu (offset 0x%llx, size 0x%llx) extends past the end "
				    "of the file (%zu bytes)",
				    i, (unsigned long long)s->offset, (unsigned long long)s->size,
				    e->size);
	}
	if (shstrndx == 0)
		return 0;
	const ae_elf_section *names = &e->secs[shstrndx];
	if (names->type == AE_ELF_SHT_NOBITS || names->type == AE_ELF_SHT_NULL)
		return fail(err, errlen, "section name table (section %u) has no data", shstrndx);
	for (size_t i = 1; i < e->nsecs; i++) {
		uint32_t off = rd32(e->data + shoff + i * shentsize);
		const char *n = str_at(e, names, off);
		if (!n)
			return fail(
				err, errlen,
				"section %zu: name offset 0x%x is outside the section name table "
				"or unterminated",
				i, off);
		e->secs[i].name = n;
	}
	return 0;
}

static int parse_segments(ae_elf *e, uint32_t phnum_ext, char *err, size_t errlen)
{
	const uint8_t *h = e->data;
	uint64_t phoff = rd64(h + 32);
	uint16_t phentsize = rd16(h + 54);
	uint64_t phnum = rd16(h + 56);

	if (phnum == PN_XNUM && e->nsecs > 0)
		phnum = phnum_ext;
	if (phoff == 0 || phnum == 0)
		return 0;
	if (phentsize < PHDR_SIZE)
		return fail(err, errlen, "program header size %u is smaller than %u", phentsize,
			    PHDR_SIZE);
	if (phoff > e->size || phnum > (e->size - phoff) / phentsize)
		return fail(err, errlen,
			    "program header table (%llu entries at offset 0x%llx) is truncated",
			    (unsigned long long)phnum, (unsigned long long)phoff);
	e->segs = calloc((size_t)phnum, sizeof *e->segs);
	if (!e->segs)
		return fail(err, errlen, "out of memory");
	e->nsegs = (size_t)phnum;
	for (size_t i = 0; i < e->nsegs; i++) {
		const uint8_t *p = e->data + phoff + i * phentsize;
		ae_elf_segment *s = &e->segs[i];
		s->type = rd32(p);
		s->flags = rd32(p + 4);
		s->offset = rd64(p + 8);
		s->vaddr = rd64(p + 16);
		s->filesz = rd64(p + 32);
		s->memsz = rd64(p + 40);
		s->align = rd64(p + 48);
		if (!in_file(s->offset, s->filesz, e->size))
			return fail(err, errlen,
				    "segment %zu (offset 0x%llx, size 0x%llx) extends past the end "
				    "of the file (%zu bytes)",
				    i, (unsigned long long)s->offset, (unsigned long long)s->filesz,
				    e->size);
		if (s->type == AE_ELF_PT_LOAD && s->filesz > s->memsz)
			return fail(err, errlen,
				    "segment %zu: file size 0x%llx exceeds memory size 0x%llx", i,
				    (unsigned long long)s->filesz, (unsigned long long)s->memsz);
	}
	return 0;
}

/* The symbol tables' string tables must be well-formed sections of the file. */
static int symtab_strtab(const ae_elf *e, size_t i, const ae_elf_section **out, char *err,
			 size_t errlen)
{
	const ae_elf_section *s = &e->secs[i];
	if (s->entsize != 0 && s->entsize != SYM_SIZE)
		return fail(err, errlen, "section %zu (%s): symbol entry size %llu, expected %u", i,
			    s->name, (unsigned long long)s->entsize, SYM_SIZE);
	if (s->link == 0 || s->link >= e->nsecs || e->secs[s->link].type == AE_ELF_SHT_NOBITS ||
	    e->secs[s->link].type == AE_ELF_SHT_NULL)
		return fail(err, errlen, "section %zu (%s): string table index %u is invalid", i,
			    s->name, s->link);
	*out = &e->secs[s->link];
	return 0;
}

static int parse_symbols(ae_elf *e, char *err, size_t errlen)
{
	size_t total = 0;
	for (size_t i = 1; i < e->nsecs; i++) {
		const ae_elf_section *s = &e->secs[i];
		if (s->type == AE_ELF_SHT_SYMTAB || s->type == AE_ELF_SHT_DYNSYM) {
			const ae_elf_section *strtab;
			if (symtab_strtab(e, i, &strtab, err, errlen))
				return -1;
			if (s->size >= SYM_SIZE)
				total += (size_t)(s->size / SYM_SIZE) - 1;
		}
	}
	if (total == 0)
		return 0;
	e->syms = calloc(total, sizeof *e->syms);
	if (!e->syms)
		return fail(err, errlen, "out of memory");
	/* .symtab first: it is the complete table when present. */
	static const uint32_t order[2] = { AE_ELF_SHT_SYMTAB, AE_ELF_SHT_DYNSYM };
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 1; i < e->nsecs; i++) {
			const ae_elf_section *s = &e->secs[i];
			if (s->type != order[pass])
				continue;
			const ae_elf_section *strtab;
			if (symtab_strtab(e, i, &strtab, err, errlen))
				return -1;
			size_t n = (size_t)(s->size / SYM_SIZE);
			for (size_t k = 1; k < n; k++) {
				const uint8_t *p = e->data + s->offset + k * SYM_SIZE;
				ae_elf_symbol *y = &e->syms[e->nsyms++];
				uint32_t name = rd32(p);
				y->name = str_at(e, strtab, name);
				if (!y->name)
					return fail(err, errlen,
						    "section %zu (%s): symbol %zu has a bad name "
						    "offset 0x%x",
						    i, s->name, k, name);
				y->type = p[4] & 0xf;
				y->bind = p[4] >> 4;
				y->shndx = rd16(p + 6);
				y->value = rd64(p + 8);
				y->size = rd64(p + 16);
				y->dynamic = pass == 1;
			}
		}
	}
	return 0;
}

/* Takes ownership of data (malloc'd) whatever the outcome. */
static int parse_owned(uint8_t *data, size_t size, ae_elf **out, char *err, size_t errlen)
{
	*out = NULL;
	ae_elf *e = calloc(1, sizeof *e);
	if (!e) {
		free(data);
		return fail(err, errlen, "out of memory");
	}
	e->data = data;
	e->size = size;

	const uint8_t *h = data;
	int rc = -1;
	if (size == 0) {
		fail(err, errlen, "empty file");
	} else if (size < 4 || memcmp(h, "\177ELF", 4) != 0) {
		fail(err, errlen, "not an ELF file");
	} else if (size < EHDR_SIZE) {
		fail(err, errlen, "truncated ELF header (%zu bytes, need %u)", size, EHDR_SIZE);
	} else if (h[4] != 2) {
		fail(err, errlen, "not a 64-bit ELF file (class %u)", h[4]);
	} else if (h[5] != 1) {
		fail(err, errlen, "not a little-endian ELF file (data encoding %u)", h[5]);
	} else if (h[6] != 1) {
		fail(err, errlen, "unsupported ELF version %u", h[6]);
	} else if (rd16(h + 18) != EM_X86_64) {
		fail(err, errlen, "not an x86-64 ELF file (machine %u)", rd16(h + 18));
	} else {
		uint32_t phnum_ext = 0;
		e->type = rd16(h + 16);
		e->entry = rd64(h + 24);
		rc = parse_sections(e, err, errlen, &phnum_ext);
		if (!rc)
			rc = parse_segments(e, phnum_ext, err, errlen);
		if (!rc)
			rc = parse_symbols(e, err, errlen);
	}
	if (rc) {
		ae_elf_close(e);
		return -1;
	}
	*out = e;
	return 0;
}

int ae_elf_parse(const uint8_t *data, size_t size, ae_elf **out, char *err, size_t errlen)
{
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy) {
		*out = NULL;
		return fail(err, errlen, "out of memory (%zu bytes)", size);
	}
	if (size)
		memcpy(copy, data, size);
	return parse_owned(copy, size, out, err, errlen);
}

int ae_elf_open(const char *path, ae_elf **out, char *err, size_t errlen)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	/* Read to EOF rather than trusting a size from stat: pipes and /proc files work too. */
	size_t cap = 1 << 16, size = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		size += fread(buf + size, 1, cap - size, f);
		if (size < cap)
			break;
		uint8_t *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
		if (!bigger) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = bigger;
		cap *= 2;
	}
	if (!buf) {
		fclose(f);
		return fail(err, errlen, "%s: out of memory", path);
	}
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		free(buf);
		return fail(err, errlen, "%s: read error: %s", path, strerror(e));
	}
	fclose(f);
	char msg[256];
	if (parse_owned(buf, size, out, msg, sizeof msg))
		return fail(err, errlen, "%s: %s", path, msg);
	return 0;
}

void ae_elf_close(ae_elf *elf)
{
	if (!elf)
		return;
	free(elf->syms);
	free(elf->segs);
	free(elf->secs);
	free(elf->data);
	free(elf);
}

uint16_t ae_elf_type(const ae_elf *elf)
{
	return elf->type;
}

uint64_t ae_elf_entry(const ae_elf *elf)
{
	return elf->entry;
}

const uint8_t *ae_elf_image(const ae_elf *elf, size_t *size)
{
	if (size)
		*size = elf->size;
	return elf->data;
}

size_t ae_elf_section_count(const ae_elf *elf)
{
	return elf->nsecs;
}

const ae_elf_section *ae_elf_section_at(const ae_elf *elf, size_t i)
{
	return i < elf->nsecs ? &elf->secs[i] : NULL;
}

const ae_elf_section *ae_elf_section_by_name(const ae_elf *elf, const char *name)
{
	for (size_t i = 1; i < elf->nsecs; i++)
		if (strcmp(elf->secs[i].name, name) == 0)
			return &elf->secs[i];
	return NULL;
}

const uint8_t *ae_elf_section_data(const ae_elf *elf, const ae_elf_section *sec)
{
	/* Checked again so that a caller-built descriptor cannot point outside the image. */
	if (!sec || sec->type == AE_ELF_SHT_NOBITS || sec->size == 0 ||
	    !in_file(sec->offset, sec->size, elf->size))
		return NULL;
	return elf->data + sec->offset;
}

size_t ae_elf_segment_count(const ae_elf *elf)
{
	return elf->nsegs;
}

const ae_elf_segment *ae_elf_segment_at(const ae_elf *elf, size_t i)
{
	return i < elf->nsegs ? &elf->segs[i] : NULL;
}

const uint8_t *ae_elf_segment_data(const ae_elf *elf, const ae_elf_segment *seg)
{
	if (!seg || seg->filesz == 0 || !in_file(seg->offset, seg->filesz, elf->size))
		return NULL;
	return elf->data + seg->offset;
}

size_t ae_elf_symbol_count(const ae_elf *elf)
{
	return elf->nsyms;
}

const ae_elf_symbol *ae_elf_symbol_at(const ae_elf *elf, size_t i)
{
	return i < elf->nsyms ? &elf->syms[i] : NULL;
}

const ae_elf_symbol *ae_elf_symbol_by_name(const ae_elf *elf, const char *name)
{
	const ae_elf_symbol *any = NULL;
	for (size_t i = 0; i < elf->nsyms; i++) {
		const ae_elf_symbol *y = &elf->syms[i];
		if (y->shndx == 0 || strcmp(y->name, name) != 0)
			continue;
		if (y->type == AE_ELF_STT_FUNC)
			return y;
		if (!any)
			any = y;
	}
	return any;
}
