#!/bin/sh
# The xstate.exec.* guest programs.
#
#   run_exec.sh apx    APXEMU SOURCE WORKDIR   build SOURCE with clang-19 -O2 -static -mapxf and
#                                              run it under `apxemu run --require-apx`; it checks
#                                              itself (exit 0, "0 failed")
#   run_exec.sh native APXEMU SOURCE WORKDIR N build SOURCE without -mapxf; run it natively and
#                                              under `apxemu run` with N rounds; the outputs must
#                                              be identical (and so must the -mapxf build's)
# Exit 77 (skipped) when clang-19 is missing or, for native, the host has no XSAVEC/AVX.
set -u
mode=$1
apxemu=$2
src=$3
dir=$4
name=$(basename "$src" .c)
mkdir -p "$dir"
out=$dir/$name
command -v clang-19 >/dev/null 2>&1 || { echo "SKIP: clang-19 not found"; exit 77; }
fail() {
	echo "FAIL $name: $*"
	exit 1
}

case $mode in
apx)
	clang-19 -O2 -static -w -mapxf "$src" -o "$out.apx" || fail "build with -mapxf"
	"$apxemu" run -q --require-apx "$out.apx" >"$out.out" 2>&1
	rc=$?
	cat "$out.out"
	[ $rc -eq 0 ] || fail "exit status $rc"
	grep -q ' 0 failed$' "$out.out" || fail "checks failed"
	;;
native)
	rounds=$5
	for f in xsavec avx xsaveopt; do
		grep -qw "$f" /proc/cpuinfo || { echo "SKIP: host has no $f"; exit 77; }
	done
	clang-19 -O2 -static -w "$src" -o "$out" || fail "build"
	clang-19 -O2 -static -w -mapxf "$src" -o "$out.apx" || fail "build with -mapxf"
	"$out" "$rounds" >"$out.native" || fail "native run"
	"$apxemu" run -q "$out" "$rounds" >"$out.emu" || fail "run under apxemu"
	"$apxemu" run -q "$out.apx" "$rounds" >"$out.apxemu" || fail "-mapxf build under apxemu"
	cmp -s "$out.native" "$out.emu" ||
		{ diff "$out.native" "$out.emu" | head -20; fail "native and apxemu differ"; }
	cmp -s "$out.native" "$out.apxemu" ||
		{ diff "$out.native" "$out.apxemu" | head -20; fail "native and apxemu (-mapxf build) differ"; }
	echo "$name: $(wc -l <"$out.native") cases, native = apxemu = apxemu (-mapxf build)"
	;;
*)
	echo "usage: run_exec.sh apx|native APXEMU SOURCE WORKDIR [ROUNDS]"
	exit 2
	;;
esac
