/* libFuzzer target for the ELF reader: ae_elf_parse() on arbitrary bytes, then every
 * section, segment and symbol it reports is read in full; the code of executable sections
 * is decoded, as `apxemu disasm` does. */
#include <apxemu/decoder.h>
#include <apxemu/elf.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void touch(const uint8_t *p, uint64_t n)
{
	uint8_t x = 0;
	for (uint64_t i = 0; i < n; i++)
		x ^= p[i];
	sink = x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ae_elf *elf = NULL;
	char err[256];
	if (ae_elf_parse(data, size, &elf, err, sizeof err)) {
		if (!memchr(err, 0, sizeof err))
			__builtin_trap(); /* the message must be terminated */
		return 0;
	}
	ae_decode_ctx ctx;
	ae_decode_ctx_default(&ctx);
	size_t image_size = 0;
	touch(ae_elf_image(elf, &image_size), image_size);
	(void)ae_elf_type(elf);
	(void)ae_elf_entry(elf);
	for (size_t i = 0; i < ae_elf_section_count(elf); i++) {
		const ae_elf_section *s = ae_elf_section_at(elf, i);
		if (!s)
			__builtin_trap();
		touch((const uint8_t *)s->name, strlen(s->name));
		const uint8_t *d = ae_elf_section_data(elf, s);
		if (!d)
			continue;
		touch(d, s->size);
		if (s->flags & AE_ELF_SHF_EXECINSTR) {
			size_t n = s->size < 4096 ? (size_t)s->size : 4096;
			for (size_t off = 0; off < n;) {
				ae_insn in;
				off += ae_decode(&ctx, d + off, n - off, &in) == AE_OK ? in.len : 1;
			}
		}
	}
	(void)ae_elf_section_at(elf, ae_elf_section_count(elf));
	for (size_t i = 0; i < ae_elf_segment_count(elf); i++) {
		const ae_elf_segment *g = ae_elf_segment_at(elf, i);
		const uint8_t *d = g ? ae_elf_segment_data(elf, g) : NULL;
		if (d)
			touch(d, g->filesz);
	}
	for (size_t i = 0; i < ae_elf_symbol_count(elf); i++) {
		const ae_elf_symbol *y = ae_elf_symbol_at(elf, i);
		if (y && y->name)
			touch((const uint8_t *)y->name, strlen(y->name));
	}
	(void)ae_elf_symbol_by_name(elf, "main");
	(void)ae_elf_section_by_name(elf, ".text");
	ae_elf_close(elf);
	return 0;
}
