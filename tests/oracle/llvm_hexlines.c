/* Oracle: LLVM 19's x86-64 disassembler through its C API.
 * Reads one instruction per line as hex bytes; prints "LENGTH<TAB>TEXT" or "0<TAB>#UD".
 * Options: --intel for Intel syntax; --no-apx to disable the APX features. */
#include <llvm-c/Disassembler.h>
#include <llvm-c/Target.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_hex(const char *s, unsigned char *out, int max)
{
	int n = 0, hi = -1;
	for (; *s && *s != '#'; s++) {
		int v;
		if (isspace((unsigned char)*s) || *s == ',')
			continue;
		if (*s >= '0' && *s <= '9') v = *s - '0';
		else if (*s >= 'a' && *s <= 'f') v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F') v = *s - 'A' + 10;
		else return -1;
		if (hi < 0) hi = v;
		else {
			if (n >= max) return -1;
			out[n++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	return hi < 0 ? n : -1;
}

int main(int argc, char **argv)
{
	int intel = 0, apx = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--intel")) intel = 1;
		else if (!strcmp(argv[i], "--no-apx")) apx = 0;
	}
	LLVMInitializeX86TargetInfo();
	LLVMInitializeX86TargetMC();
	LLVMInitializeX86Disassembler();
	const char *feat = apx ? "+egpr,+ndd,+nf,+ccmp,+cf,+zu,+push2pop2,+ppx" : "";
	LLVMDisasmContextRef dc = LLVMCreateDisasmCPUFeatures("x86_64-unknown-linux-gnu", "", feat, NULL, 0, NULL, NULL);
	if (!dc) { fprintf(stderr, "cannot create LLVM disassembler\n"); return 2; }
	LLVMSetDisasmOptions(dc, LLVMDisassembler_Option_AsmPrinterVariant * 0);
	if (intel) LLVMSetDisasmOptions(dc, LLVMDisassembler_Option_AsmPrinterVariant);
	char line[4096], text[512];
	unsigned char buf[64];
	while (fgets(line, sizeof line, stdin)) {
		int n = parse_hex(line, buf, sizeof buf);
		if (n <= 0) { printf("0\t#bad-input\n"); continue; }
		size_t len = LLVMDisasmInstruction(dc, buf, (uint64_t)n, 0, text, sizeof text);
		if (!len) { printf("0\t#UD\n"); continue; }
		char *t = text;
		while (*t == ' ' || *t == '\t') t++;
		for (char *p = t; *p; p++) if (*p == '\t') *p = ' ';
		printf("%zu\t%s\n", len, t);
	}
	LLVMDisasmDispose(dc);
	return 0;
}
