/* apxemu xsave: the XSAVE area of a profile (layout, as text or SVG) and a decoder for saved
 * XSAVE / KVM_GET_XSAVE2 buffers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apxemu/xstate.h"
#include "cli.h"

void cmd_xsave_help(FILE *out)
{
	fprintf(out,
		"Usage: apxemu xsave layout [--cpu NAME] [--compacted --rfbm MASK] [--svg FILE]\n"
		"       apxemu xsave decode FILE [--cpu NAME] [--xcr0 MASK] [--xss MASK]\n"
		"                               [--format auto|standard|compacted|kvm]\n\n"
		"layout   the XSAVE area of a CPU profile: each component's offset, size and\n"
		"         alignment. Standard form by default (offsets from CPUID.(0xD,i).EBX); with\n"
		"         --compacted, the XSAVEC/XSAVES form for the components of --rfbm (default:\n"
		"         all the profile supports). --svg FILE also draws it; the standard picture\n"
		"         shows every component of the table, so the MPX/APX overlap at 960 shows.\n"
		"decode   pretty-prints a saved buffer: the header, every component's registers by\n"
		"         name (r16-r31 for APX), and every rule XRSTOR (or KVM_SET_XSAVE with\n"
		"         --format kvm) would refuse it for, under the profile and --xcr0 (default:\n"
		"         every component the profile supports).\n\n"
		"  --cpu NAME   apx (default), spr, skx, host\n\n"
		"Examples:\n"
		"  apxemu xsave layout --cpu apx --svg apx.svg\n"
		"  apxemu xsave layout --compacted --rfbm 0xe02e7\n"
		"  apxemu xsave decode vcpu0.xsave --format kvm\n\n"
		"Exit status: 0 success (rule violations are reported, not an error), 1 unreadable\n"
		"or malformed file, 2 bad usage.\n");
}

typedef struct lay_row {
	unsigned comp; /* AE_XS_NCOMP: legacy region, +1: header */
	uint32_t off, size;
	bool present;
} lay_row;

static int row_cmp(const void *a, const void *b)
{
	const lay_row *x = a, *y = b;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->comp < y->comp ? -1 : x->comp > y->comp;
}

static const char *row_name(const lay_row *r)
{
	if (r->comp == AE_XS_NCOMP)
		return "legacy (x87, SSE)";
	if (r->comp == AE_XS_NCOMP + 1)
		return "XSAVE header";
	return ae_xs_component(r->comp)->name;
}

static void write_svg(FILE *f, const ae_xs_profile *p, const lay_row *rows, int n, bool compacted,
		      uint64_t rfbm)
{
	uint32_t end = 0;
	for (int i = 0; i < n; i++)
		if (rows[i].comp != AE_XS_TILEDATA && rows[i].off + rows[i].size > end)
			end = rows[i].off + rows[i].size;
	end = end < 1200 ? 1200 : end + 64;
	const double x0 = 190, W = 860, scale = W / end;
	const int rh = 26, top = 70;
	int h = top + rh * n + 60;
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"font-family=\"monospace\" font-size=\"12\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		"<text x=\"10\" y=\"22\" font-size=\"16\">XSAVE %s layout, profile %s",
		(int)(x0 + W + 170), h, compacted ? "compacted" : "standard", p->name);
	if (compacted)
		fprintf(f, ", RFBM %#llx", (unsigned long long)rfbm);
	fprintf(f, "</text>\n<text x=\"10\" y=\"40\" fill=\"#555\">bytes from the area's base; "
		   "grey: components this profile does not support%s</text>\n",
		compacted ? "" : "; red band: MPX and APX share bytes 960-1087");
	if (!compacted) {
		double bx = x0 + 960 * scale, bw = 128 * scale;
		fprintf(f,
			"<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#f3c0c0\" "
			"opacity=\"0.6\"/>\n<text x=\"%.1f\" y=\"%d\" fill=\"#b00\">960</text>\n",
			bx, top - 6, bw, rh * n + 8, bx - 8, top + rh * n + 16);
	}
	for (uint32_t t = 0; t <= end; t += 256) {
		double x = x0 + t * scale;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", x,
			top - 8, x, top + rh * n);
		if (t % 512 == 0)
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" fill=\"#888\" font-size=\"10\">%u</text>\n",
				x - 8, top - 12, t);
	}
	for (int i = 0; i < n; i++) {
		const lay_row *r = &rows[i];
		int y = top + rh * i;
		bool overlap = !compacted && r->comp < AE_XS_NCOMP &&
			       (r->comp == AE_XS_BNDREGS || r->comp == AE_XS_BNDCSR || r->comp == AE_XS_APX);
		const char *fill = !r->present ? "#d8d8d8" : overlap ? "#d9534f" : r->comp >= AE_XS_NCOMP ? "#9db4d0" : "#5b8bd0";
		uint32_t size = r->size;
		bool cut = r->off + size > end;
		if (cut)
			size = end - r->off;
		fprintf(f, "<text x=\"10\" y=\"%d\">%s%s</text>\n", y + 17,
			r->comp < AE_XS_NCOMP ? "" : "", row_name(r));
		if (r->comp < AE_XS_NCOMP)
			fprintf(f, "<text x=\"150\" y=\"%d\" fill=\"#888\">%u</text>\n", y + 17, r->comp);
		fprintf(f,
			"<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
			"stroke=\"#333\" stroke-width=\"0.5\"/>\n",
			x0 + r->off * scale, y + 3, size * scale < 2 ? 2 : size * scale, rh - 6, fill);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\">%u +%u%s</text>\n",
			x0 + (r->off + size) * scale + 4, y + 17, r->off, r->size, cut ? " (cut)" : "");
	}
	fprintf(f, "</svg>\n");
}

static int cmd_layout(int argc, char **argv)
{
	const char *cpu = "apx", *rfbms = NULL, *svg = NULL, *v;
	bool compacted = false;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			cmd_xsave_help(stdout);
			return CLI_EXIT_OK;
		} else if (cli_opt_value(argc, argv, &i, "--cpu", &v))
			cpu = v;
		else if (cli_opt_value(argc, argv, &i, "--rfbm", &v))
			rfbms = v;
		else if (cli_opt_value(argc, argv, &i, "--svg", &v))
			svg = v;
		else if (!strcmp(argv[i], "--compacted"))
			compacted = true;
		else {
			cli_error("xsave layout: unknown argument '%s'", argv[i]);
			return CLI_EXIT_USAGE;
		}
	}
	const ae_xs_profile *p = ae_xs_profile_find(cpu);
	if (!p) {
		cli_error("xsave layout: unknown CPU profile '%s' (apx, spr, skx, host)", cpu);
		return CLI_EXIT_USAGE;
	}
	if (rfbms && !compacted) {
		cli_error("xsave layout: --rfbm needs --compacted");
		return CLI_EXIT_USAGE;
	}
	uint64_t supported = p->xcr0_mask | p->xss_mask;
	uint64_t rfbm = rfbms ? cli_parse_u64("--rfbm", rfbms) : supported;
	if (compacted && (rfbm & ~supported & ((1ull << AE_XS_NCOMP) - 1) & ~3ull)) {
		cli_error("xsave layout: RFBM %#llx has components profile %s does not support (%#llx)",
			  (unsigned long long)rfbm, p->name, (unsigned long long)supported);
		return CLI_EXIT_INPUT;
	}
	lay_row rows[AE_XS_NCOMP + 2];
	int n = 0;
	rows[n++] = (lay_row){AE_XS_NCOMP, 0, 512, true};
	rows[n++] = (lay_row){AE_XS_NCOMP + 1, 512, 64, true};
	uint32_t off[AE_XS_NCOMP];
	uint32_t total;
	if (compacted) {
		total = ae_xs_compacted_layout(p, rfbm & supported, off);
		for (unsigned i = 2; i < AE_XS_NCOMP; i++)
			if (rfbm & supported & (1ull << i))
				rows[n++] = (lay_row){i, off[i], ae_xs_component(i)->size, true};
	} else {
		total = ae_xs_std_size(p, p->xcr0_mask);
		for (unsigned i = 2; i < AE_XS_NCOMP; i++) {
			const ae_xs_comp *c = ae_xs_component(i);
			if (c->supervisor)
				continue;
			bool has = p->xcr0_mask & (1ull << i);
			uint32_t o = has ? ae_xs_offset(p, i) : c->offset;
			rows[n++] = (lay_row){i, o, c->size, has};
		}
		qsort(rows, (size_t)n, sizeof rows[0], row_cmp);
	}
	printf("XSAVE %s layout, profile %s%s", compacted ? "compacted" : "standard", p->name,
	       compacted ? "" : " (components it lacks in brackets, at the table's offset)");
	if (compacted)
		printf(", RFBM %#llx", (unsigned long long)(rfbm & supported));
	printf("\n comp  name        offset        size  align64  kind\n");
	for (int i = 0; i < n; i++) {
		const lay_row *r = &rows[i];
		if (r->comp >= AE_XS_NCOMP) {
			printf("    -  %-10s %5u-%-5u %6u\n", r->comp == AE_XS_NCOMP ? "legacy" : "header",
			       r->off, r->off + r->size - 1, r->size);
			continue;
		}
		const ae_xs_comp *c = ae_xs_component(r->comp);
		char nm[24];
		snprintf(nm, sizeof nm, r->present ? "%s" : "[%s]", c->name);
		printf("   %2u  %-10s %5u-%-5u %6u  %-7s  %s%s\n", r->comp, nm, r->off,
		       r->off + r->size - 1, r->size, c->align64 ? "yes" : "no",
		       c->supervisor ? "supervisor" : "user",
		       !compacted && r->off < 1088 && r->off + r->size > 960 ? "  (bytes 960-1087)" : "");
	}
	printf("size: %u bytes\n", total);
	if (svg) {
		FILE *f = fopen(svg, "w");
		if (!f) {
			cli_error("xsave layout: cannot write '%s'", svg);
			return CLI_EXIT_INPUT;
		}
		write_svg(f, p, rows, n, compacted, rfbm & supported);
		if (fclose(f)) {
			cli_error("xsave layout: cannot write '%s'", svg);
			return CLI_EXIT_INPUT;
		}
	}
	return CLI_EXIT_OK;
}

/* ---- decode ------------------------------------------------------------------------- */

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static void hexbytes(const uint8_t *p, size_t n)
{
	for (size_t i = n; i-- > 0;)
		printf("%02x", p[i]);
}

static void print_mask(uint64_t m)
{
	printf("%#llx", (unsigned long long)m);
	const char *sep = " (";
	for (unsigned i = 0; i < 64; i++)
		if (m & (1ull << i)) {
			if (i < AE_XS_NCOMP)
				printf("%s%s", sep, ae_xs_component(i)->name);
			else if (i == 63)
				printf("%scompacted", sep);
			else
				printf("%sbit%u", sep, i);
			sep = " ";
		}
	printf("%s\n", *sep == ' ' && sep[1] == '(' ? "" : ")");
}

static bool zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void print_regs(const char *fmt, const uint8_t *p, unsigned count, unsigned width, unsigned first)
{
	for (unsigned r = 0; r < count; r++) {
		char nm[16];
		snprintf(nm, sizeof nm, fmt, first + r);
		printf("    %-8s ", nm);
		hexbytes(p + r * width, width);
		printf("\n");
	}
}

static void print_comp(unsigned i, const uint8_t *p)
{
	switch (i) {
	case AE_XS_AVX:
		print_regs("ymm%u_h", p, 16, 16, 0);
		break;
	case AE_XS_BNDREGS:
		for (unsigned r = 0; r < 4; r++)
			printf("    bnd%u     lb %016llx ub %016llx\n", r,
			       (unsigned long long)rd64(p + 16 * r), (unsigned long long)rd64(p + 16 * r + 8));
		break;
	case AE_XS_BNDCSR:
		printf("    bndcfgu  %016llx\n    bndstatus %016llx\n", (unsigned long long)rd64(p),
		       (unsigned long long)rd64(p + 8));
		break;
	case AE_XS_OPMASK:
		print_regs("k%u", p, 8, 8, 0);
		break;
	case AE_XS_ZMM_HI256:
		print_regs("zmm%u_h", p, 16, 32, 0);
		break;
	case AE_XS_HI16_ZMM:
		print_regs("zmm%u", p, 16, 64, 16);
		break;
	case AE_XS_PKRU:
		printf("    pkru     %08x\n", (unsigned)rd64(p));
		break;
	case AE_XS_APX:
		print_regs("r%u", p, 16, 8, 16);
		break;
	case AE_XS_TILEDATA:
		for (unsigned t = 0; t < 8; t++)
			printf("    tmm%u     %s\n", t, zero(p + 1024 * t, 1024) ? "all zero" : "non-zero");
		break;
	default: {
		unsigned sz = ae_xs_component(i)->size;
		for (unsigned o = 0; o < sz; o += 32) {
			printf("    +%-4u    ", o);
			for (unsigned b = o; b < sz && b < o + 32; b++)
				printf("%02x", p[b]);
			printf("\n");
		}
	}
	}
}

static int cmd_decode(int argc, char **argv)
{
	const char *cpu = "apx", *file = NULL, *xcr0s = NULL, *xsss = NULL, *fmts = "auto", *v;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			cmd_xsave_help(stdout);
			return CLI_EXIT_OK;
		} else if (cli_opt_value(argc, argv, &i, "--cpu", &v))
			cpu = v;
		else if (cli_opt_value(argc, argv, &i, "--xcr0", &v))
			xcr0s = v;
		else if (cli_opt_value(argc, argv, &i, "--xss", &v))
			xsss = v;
		else if (cli_opt_value(argc, argv, &i, "--format", &v))
			fmts = v;
		else if (argv[i][0] == '-' && argv[i][1]) {
			cli_error("xsave decode: unknown option '%s'", argv[i]);
			return CLI_EXIT_USAGE;
		} else if (file) {
			cli_error("xsave decode: one FILE only");
			return CLI_EXIT_USAGE;
		} else
			file = argv[i];
	}
	if (!file) {
		cli_error("xsave decode: no FILE (see 'apxemu help xsave')");
		return CLI_EXIT_USAGE;
	}
	const ae_xs_profile *p = ae_xs_profile_find(cpu);
	if (!p) {
		cli_error("xsave decode: unknown CPU profile '%s' (apx, spr, skx, host)", cpu);
		return CLI_EXIT_USAGE;
	}
	ae_xs_format fmt;
	if (!strcmp(fmts, "auto"))
		fmt = AE_XS_FMT_AUTO;
	else if (!strcmp(fmts, "standard"))
		fmt = AE_XS_FMT_STANDARD;
	else if (!strcmp(fmts, "compacted"))
		fmt = AE_XS_FMT_COMPACTED;
	else if (!strcmp(fmts, "kvm"))
		fmt = AE_XS_FMT_KVM;
	else {
		cli_error("xsave decode: --format must be auto, standard, compacted or kvm");
		return CLI_EXIT_USAGE;
	}
	uint64_t xcr0 = xcr0s ? cli_parse_u64("--xcr0", xcr0s) : p->xcr0_mask;
	uint64_t xss = xsss ? cli_parse_u64("--xss", xsss) : 0;
	uint8_t *buf;
	size_t len;
	if (cli_read_file(file, &buf, &len))
		return CLI_EXIT_INPUT;
	if (len < AE_XS_EXT) {
		cli_error("xsave decode: '%s' has %zu bytes; an XSAVE area has at least 576 (legacy "
			  "region and header)", file, len);
		free(buf);
		return CLI_EXIT_INPUT;
	}
	uint64_t bv = rd64(buf + 512), xc = rd64(buf + 520);
	bool compact = fmt == AE_XS_FMT_COMPACTED || (fmt == AE_XS_FMT_AUTO && (xc >> 63));
	printf("%s: %zu bytes, %s form, profile %s, XCR0 %#llx\n", file, len,
	       fmt == AE_XS_FMT_KVM ? "KVM uABI (standard)" : compact ? "compacted" : "standard",
	       p->name, (unsigned long long)xcr0);
	printf("header\n  XSTATE_BV  ");
	print_mask(bv);
	printf("  XCOMP_BV   ");
	print_mask(xc);
	uint16_t fsw = (uint16_t)(buf[2] | buf[3] << 8);
	printf("x87 (legacy bytes 0-23, 32-159)%s\n", bv & 1 ? "" : "  [XSTATE_BV[0] = 0: XRSTOR loads the initial configuration]");
	printf("    fcw %04x  fsw %04x (top %u, es %u)  ftw %02x (abridged)  fop %03x\n",
	       buf[0] | buf[1] << 8, fsw, (fsw >> 11) & 7, (fsw >> 7) & 1, buf[4],
	       (buf[6] | buf[7] << 8) & 0x7FF);
	printf("    fip %016llx  fdp %016llx\n", (unsigned long long)rd64(buf + 8),
	       (unsigned long long)rd64(buf + 16));
	for (unsigned k = 0; k < 8; k++) {
		printf("    st%u      ", k);
		hexbytes(buf + 32 + 16 * k, 10);
		printf("\n");
	}
	printf("SSE (legacy bytes 24-31, 160-415)%s\n", bv & 2 ? "" : "  [XSTATE_BV[1] = 0]");
	printf("    mxcsr %08x  mxcsr_mask %08x\n", (unsigned)rd64(buf + 24) & 0xFFFFFFFFu,
	       (unsigned)(rd64(buf + 24) >> 32));
	print_regs("xmm%u", buf + 160, 16, 16, 0);
	uint32_t off[AE_XS_NCOMP];
	if (compact)
		ae_xs_compacted_layout(p, xc & ((1ull << AE_XS_NCOMP) - 1), off);
	for (unsigned i = 2; i < AE_XS_NCOMP; i++) {
		uint64_t b = 1ull << i;
		if (!(bv & b))
			continue;
		uint32_t o = compact ? off[i] : ae_xs_offset(p, i);
		const ae_xs_comp *c = ae_xs_component(i);
		if (compact && !(xc & b)) {
			printf("%s (component %u): not in XCOMP_BV, no location\n", c->name, i);
			continue;
		}
		if (!compact && c->supervisor) {
			printf("%s (component %u): supervisor state has no standard location\n", c->name, i);
			continue;
		}
		if (!compact && !(p->xcr0_mask & b))
			o = c->offset;
		printf("%s (component %u) at %u, %u bytes\n", c->name, i, o, c->size);
		if (o + c->size > len) {
			printf("    (past the end of the buffer)\n");
			continue;
		}
		print_comp(i, buf + o);
	}
	ae_xs_issue is[32];
	size_t n = ae_xs_check_buffer(p, xcr0, xss, buf, len, fmt, is, 32);
	if (n == 0)
		printf("rules: none broken; %s accepts this buffer\n",
		       fmt == AE_XS_FMT_KVM ? "KVM_SET_XSAVE" : "XRSTOR");
	else {
		printf("rules broken (%zu): %s would give %s\n", n,
		       fmt == AE_XS_FMT_KVM ? "KVM_SET_XSAVE" : "XRSTOR",
		       fmt == AE_XS_FMT_KVM ? "-EINVAL" : "#GP(0) or #PF");
		for (size_t k = 0; k < n && k < 32; k++)
			printf("  %-10s %s\n", is[k].rule, is[k].text);
	}
	free(buf);
	return CLI_EXIT_OK;
}

int cmd_xsave(int argc, char **argv)
{
	if (argc < 2) {
		cli_error("xsave: need a subcommand: layout or decode (see 'apxemu help xsave')");
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cmd_xsave_help(stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "layout"))
		return cmd_layout(argc, argv);
	if (!strcmp(argv[1], "decode"))
		return cmd_decode(argc, argv);
	cli_error("xsave: unknown subcommand '%s' (layout, decode)", argv[1]);
	return CLI_EXIT_USAGE;
}
