/* apxemu — a reader for ELF64 little-endian x86-64 files.
 *
 * The whole file is read into memory and every header, offset and size is checked against
 * the file size before anything points into it: a truncated or malformed file yields an
 * error string, never a crash. Strings returned (section and symbol names) point into the
 * file image and live until ae_elf_close().
 *
 * Field meanings follow the System V ABI (gABI, chapter 4) and its x86-64 supplement.
 */
#ifndef APXEMU_ELF_H
#define APXEMU_ELF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* e_type */
enum {
	AE_ELF_ET_REL = 1,
	AE_ELF_ET_EXEC = 2,
	AE_ELF_ET_DYN = 3,
	AE_ELF_ET_CORE = 4
};

/* Section types and flags used by the project (others pass through unchanged). */
enum {
	AE_ELF_SHT_NULL = 0,
	AE_ELF_SHT_PROGBITS = 1,
	AE_ELF_SHT_SYMTAB = 2,
	AE_ELF_SHT_STRTAB = 3,
	AE_ELF_SHT_NOBITS = 8,
	AE_ELF_SHT_DYNSYM = 11,
};
enum {
	AE_ELF_SHF_WRITE = 0x1,
	AE_ELF_SHF_ALLOC = 0x2,
	AE_ELF_SHF_EXECINSTR = 0x4
};

/* Segment types and flags. */
enum {
	AE_ELF_PT_NULL = 0,
	AE_ELF_PT_LOAD = 1,
	AE_ELF_PT_DYNAMIC = 2,
	AE_ELF_PT_INTERP = 3,
	AE_ELF_PT_NOTE = 4,
	AE_ELF_PT_PHDR = 6,
	AE_ELF_PT_TLS = 7,
	AE_ELF_PT_GNU_STACK = 0x6474e551,
};
enum {
	AE_ELF_PF_X = 0x1,
	AE_ELF_PF_W = 0x2,
	AE_ELF_PF_R = 0x4
};

/* Symbol types (st_info & 0xf) and bindings (st_info >> 4). */
enum {
	AE_ELF_STT_NOTYPE = 0,
	AE_ELF_STT_OBJECT = 1,
	AE_ELF_STT_FUNC = 2,
	AE_ELF_STT_SECTION = 3,
	AE_ELF_STT_FILE = 4
};
enum {
	AE_ELF_STB_LOCAL = 0,
	AE_ELF_STB_GLOBAL = 1,
	AE_ELF_STB_WEAK = 2
};

typedef struct ae_elf ae_elf;

typedef struct ae_elf_section {
	const char *name; /* "" when the file has no section name table */
	uint32_t type;	  /* AE_ELF_SHT_* */
	uint64_t flags;	  /* AE_ELF_SHF_* */
	uint64_t addr;	  /* virtual address (0 in relocatable objects) */
	uint64_t offset;  /* file offset */
	uint64_t size;	  /* bytes; for SHT_NOBITS the size in memory, with no file data */
	uint32_t link;
	uint32_t info;
	uint64_t align;
	uint64_t entsize;
} ae_elf_section;

typedef struct ae_elf_segment {
	uint32_t type;	/* AE_ELF_PT_* */
	uint32_t flags; /* AE_ELF_PF_* */
	uint64_t vaddr;
	uint64_t offset; /* file offset; offset + filesz lies inside the file */
	uint64_t filesz;
	uint64_t memsz; /* >= filesz */
	uint64_t align;
} ae_elf_segment;

typedef struct ae_elf_symbol {
	const char *name;
	uint64_t value; /* address (section offset in relocatable objects) */
	uint64_t size;
	uint8_t type;	 /* AE_ELF_STT_* */
	uint8_t bind;	 /* AE_ELF_STB_* */
	uint16_t shndx;	 /* section index; 0 = undefined, >= 0xff00 reserved (ABS, COMMON, …) */
	uint8_t dynamic; /* 1 if it comes from .dynsym, 0 from .symtab */
} ae_elf_symbol;

/* Reads and checks the file at path. Returns 0 and *out on success; otherwise -1 and a
 * one-line message in err (which names the file). */
int ae_elf_open(const char *path, ae_elf **out, char *err, size_t errlen);

/* The same from a buffer, which is copied: the caller keeps ownership of data. */
int ae_elf_parse(const uint8_t *data, size_t size, ae_elf **out, char *err, size_t errlen);

void ae_elf_close(ae_elf *elf);

uint16_t ae_elf_type(const ae_elf *elf); /* AE_ELF_ET_* */
uint64_t ae_elf_entry(const ae_elf *elf);
/* The whole file image. */
const uint8_t *ae_elf_image(const ae_elf *elf, size_t *size);

size_t ae_elf_section_count(const ae_elf *elf);
/* NULL when i is out of range. Index 0 is the null section, as in the file. */
const ae_elf_section *ae_elf_section_at(const ae_elf *elf, size_t i);
/* The first section of that name, or NULL. */
const ae_elf_section *ae_elf_section_by_name(const ae_elf *elf, const char *name);
/* The section's bytes (size bytes), or NULL for SHT_NOBITS and empty sections. */
const uint8_t *ae_elf_section_data(const ae_elf *elf, const ae_elf_section *sec);

size_t ae_elf_segment_count(const ae_elf *elf);
const ae_elf_segment *ae_elf_segment_at(const ae_elf *elf, size_t i);
/* The segment's file bytes (filesz bytes), or NULL when filesz is 0. */
const uint8_t *ae_elf_segment_data(const ae_elf *elf, const ae_elf_segment *seg);

/* Symbols of .symtab followed by those of .dynsym, without the null symbol of each. */
size_t ae_elf_symbol_count(const ae_elf *elf);
const ae_elf_symbol *ae_elf_symbol_at(const ae_elf *elf, size_t i);
/* A defined symbol of that name, preferring functions; NULL if none. */
const ae_elf_symbol *ae_elf_symbol_by_name(const ae_elf *elf, const char *name);

#ifdef __cplusplus
}
#endif
#endif
