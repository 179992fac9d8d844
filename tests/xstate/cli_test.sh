#!/bin/sh
# xstate.cli: the cpuid and xsave commands. $APXEMU is the binary, $1 a scratch directory.
set -u
A=${APXEMU:?}
D=${1:-.}
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
expect_rc() { # want-rc description command...
	want=$1; what=$2; shift 2
	"$@" >"$D/out.txt" 2>"$D/err.txt"; rc=$?
	if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"; else bad "$what: exit $rc, want $want"; cat "$D/err.txt"; fi
}
has() { # pattern description
	if grep -q -- "$1" "$D/out.txt"; then ok "$2"; else bad "$2: no '$1' in output"; fi
}

expect_rc 0 "cpuid" "$A" cpuid
has "0000000d  19   00000080 000003c0 00000000 00000000" "CPUID.(0xD,19) = 128 at 960"
has "00000007   1   .*00200000" "leaf 7.1 EDX[21] APX_F"
expect_rc 0 "cpuid --json" "$A" cpuid --cpu skx --json
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert any(l['leaf']=='0xd' and l['subleaf']==3 for l in d['leaves'])" "$D/out.txt" \
	&& ok "cpuid --json parses, skx has MPX sub-leaf 3" || bad "cpuid --json"
expect_rc 2 "cpuid bad profile" "$A" cpuid --cpu nope
expect_rc 2 "cpuid bad option" "$A" cpuid --bogus
expect_rc 0 "cpuid --help" "$A" cpuid --help
expect_rc 0 "xsave layout" "$A" xsave layout --svg "$D/layout.svg"
has "19  APX          960-1087" "APX at 960 in the standard layout"
python3 -c "import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])" "$D/layout.svg" \
	&& ok "the SVG is well-formed XML" || bad "SVG not XML"
grep -q "MPX and APX share bytes 960-1087" "$D/layout.svg" && ok "SVG marks the overlap" || bad "SVG overlap"
expect_rc 0 "xsave layout --compacted" "$A" xsave layout --compacted --rfbm 0xe02e7
has "19  APX        10752-10879" "compacted APX after TILEDATA"
expect_rc 2 "--rfbm without --compacted" "$A" xsave layout --rfbm 3
expect_rc 1 "--rfbm with unsupported components" "$A" xsave layout --cpu apx --compacted --rfbm 0x18
expect_rc 2 "xsave without subcommand" "$A" xsave
expect_rc 0 "xsave --help" "$A" xsave --help

# A KVM_GET_XSAVE2-like buffer: x87 init, MXCSR 1F80h, XSTATE_BV = x87|SSE|APX, r16..r31.
python3 - "$D" <<'PY'
import struct, sys
d = sys.argv[1]
b = bytearray(11008)
struct.pack_into("<HH", b, 0, 0x37F, 0)
struct.pack_into("<II", b, 24, 0x1F80, 0xFFFF)
struct.pack_into("<Q", b, 512, 0x80003)
for i in range(16):
    struct.pack_into("<Q", b, 960 + 8 * i, 0x1000 + 16 + i)
open(d + "/good.xsave", "wb").write(b)
b2 = bytearray(b)
struct.pack_into("<Q", b2, 520, 5)          # XCOMP_BV != 0
b2[540] = 1                                  # reserved header byte
struct.pack_into("<I", b2, 24, 0x40000)     # MXCSR reserved bit
struct.pack_into("<Q", b2, 512, 0x8001F)    # MPX bits with APX
open(d + "/bad.xsave", "wb").write(b2)
open(d + "/short.xsave", "wb").write(b[:100])
PY
expect_rc 0 "decode a KVM buffer" "$A" xsave decode "$D/good.xsave" --format kvm
has "r16      0000000000001010" "r16 by name"
has "r31      000000000000101f" "r31 by name"
has "rules: none broken" "a good buffer breaks no rule"
expect_rc 0 "decode a bad buffer" "$A" xsave decode "$D/bad.xsave"
has "X-RST-3" "XSTATE_BV outside XCR0 / header bytes reported"
has "X-RST-5" "bad MXCSR reported"
expect_rc 0 "decode a bad buffer as KVM" "$A" xsave decode "$D/bad.xsave" --format kvm
has "KVM-3.2/4 *XCOMP_BV" "KVM: XCOMP_BV reported"
has "-EINVAL" "KVM verdict"
expect_rc 1 "decode a short file" "$A" xsave decode "$D/short.xsave"
expect_rc 1 "decode a missing file" "$A" xsave decode "$D/does-not-exist"
expect_rc 2 "decode without FILE" "$A" xsave decode
expect_rc 2 "decode bad --format" "$A" xsave decode "$D/good.xsave" --format nope
exit $fail
