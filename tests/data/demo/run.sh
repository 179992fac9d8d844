#!/usr/bin/env bash
# The demo behind `make demo`: builds apx_demo.c for APX with clang-19, shows what the apxemu
# disassembler makes of it, and runs it under the emulator.
# Usage: run.sh APXEMU_BINARY OUTPUT_DIR
set -euo pipefail

apxemu=${1:?usage: run.sh APXEMU_BINARY OUTPUT_DIR}
out=${2:?usage: run.sh APXEMU_BINARY OUTPUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
cc=${CLANG:-clang-19}
mkdir -p "$out"
bin=$out/apx_demo
plain=$out/apx_demo_noapx

show() {
	printf '\n$ %s\n' "$*"
	"$@"
}

echo "== apxemu demo =="
echo "Building $here/apx_demo.c twice with $cc -O2: with -mapxf (Intel APX) and without."
"$cc" -O2 -static -mapxf -o "$bin" "$here/apx_demo.c"
"$cc" -O2 -static -o "$plain" "$here/apx_demo.c"

echo
echo "1. A recursive function: its prologue and epilogue save callee-saved registers in"
echo "   pairs with PUSH2/POP2 (the 'p' forms carry the balanced push/pop hint, PPX)."
show "$apxemu" disasm --symbol tree "$bin"

echo
echo "2. A loop with sixteen live sums: the APX instructions of 'mix' use r16-r31 (REX2"
echo "   and EVEX payload bits), new data destinations (three-operand add, sub, shl...)"
echo "   and {nf} forms that leave the flags alone. The first of them:"
printf '\n$ %s\n' "$apxemu disasm --symbol mix --apx-only $bin | head -n 30"
"$apxemu" disasm --symbol mix --apx-only "$bin" | head -n 30 || true

echo "3. One of them, field by field:"
insn=$("$apxemu" disasm --symbol mix --apx-only "$bin" |
	awk -F'\t' '/: 62 /{ sub(/^[^:]*: /, "", $1); print $1; exit }' || true)
if [ -n "$insn" ]; then
	show "$apxemu" explain $insn
fi

echo
echo "4. The whole program (with the static C library, which has no APX code), counted:"
printf '\n$ %s\n' "$apxemu disasm --stats $bin | tail -n 1"
"$apxemu" disasm --stats "$bin" | tail -n 1

echo
echo "5. Running it. Directly on a CPU without APX it dies with SIGILL:"
printf '\n$ %s\n' "$bin"
set +e
bash -c '"$0"' "$bin" >/dev/null 2>&1
status=$?
set -e
if [ "$status" -eq 132 ]; then
	echo "(killed by SIGILL, status 132)"
else
	echo "(status $status: this CPU runs APX natively)"
fi
echo
echo "Under apxemu, with the count of APX instructions executed by kind:"
show "$apxemu" run --stats --require-apx "$bin"
echo
echo "The same source built without -mapxf, run natively, prints the same:"
show "$plain"
