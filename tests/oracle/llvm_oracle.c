/* LLVM 19's x86-64 disassembler through its C API, as an oracle (see oracle.h). */
#include "oracle.h"

#include <llvm-c/Disassembler.h>
#include <llvm-c/Target.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ou_llvm {
	LLVMDisasmContextRef dc;
};

ou_llvm *ou_llvm_new(bool apx, bool intel)
{
	static bool init;
	if (!init) {
		LLVMInitializeX86TargetInfo();
		LLVMInitializeX86TargetMC();
		LLVMInitializeX86Disassembler();
		init = true;
	}
	const char *feat = apx ? "+egpr,+ndd,+nf,+ccmp,+cf,+zu,+push2pop2,+ppx" : "";
	LLVMDisasmContextRef dc =
		LLVMCreateDisasmCPUFeatures("x86_64-unknown-linux-gnu", "", feat, NULL, 0, NULL, NULL);
	if (!dc) {
		fprintf(stderr, "cannot create LLVM's x86-64 disassembler\n");
		exit(2);
	}
	if (intel)
		LLVMSetDisasmOptions(dc, LLVMDisassembler_Option_AsmPrinterVariant);
	ou_llvm *l = calloc(1, sizeof *l);
	l->dc = dc;
	return l;
}

void ou_llvm_free(ou_llvm *l)
{
	if (!l)
		return;
	LLVMDisasmDispose(l->dc);
	free(l);
}

size_t ou_llvm_decode1(ou_llvm *l, const uint8_t *b, size_t n, char *text, size_t textlen)
{
	text[0] = 0;
	size_t len = LLVMDisasmInstruction(l->dc, (uint8_t *)b, n, 0, text, textlen);
	if (!len)
		text[0] = 0;
	ou_normalize(text);
	return len;
}

/* A piece of text made only of prefix names: what LLVM prints for a prefix that it did not
 * fold into the instruction that follows. */
static bool prefix_only(const char *t)
{
	static const char *const words[] = {
		"lock", "rep", "repe", "repz", "repne", "repnz", "data16", "data32", "addr32",
		"addr16", "xacquire", "xrelease", "rex64", "rex", "notrack", "bnd",
		"cs", "ds", "es", "fs", "gs", "ss", "{vex}", "{vex2}", "{vex3}", "{evex}",
	};
	if (!*t)
		return false;
	while (*t) {
		size_t w = strcspn(t, " ");
		bool found = false;
		for (size_t i = 0; i < sizeof words / sizeof words[0] && !found; i++)
			found = strlen(words[i]) == w && !strncmp(words[i], t, w);
		if (!found)
			return false;
		t += w;
		while (*t == ' ')
			t++;
	}
	return true;
}

size_t ou_llvm_decode(ou_llvm *l, const uint8_t *b, size_t n, char *text, size_t textlen,
		      int *joined)
{
	size_t len = ou_llvm_decode1(l, b, n, text, textlen);
	if (joined)
		*joined = 0;
	while (len && len < n && prefix_only(text)) {
		char rest[256];
		size_t more = ou_llvm_decode1(l, b + len, n - len, rest, sizeof rest);
		if (!more)
			return 0;
		size_t used = strlen(text);
		snprintf(text + used, textlen - used, " %s", rest);
		len += more;
		if (joined)
			++*joined;
	}
	return len;
}
