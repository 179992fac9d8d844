#!/bin/sh
# Builds one C program twice with clang-19 -O2 -static (or, with the argument "dynamic", linked
# against the host's shared glibc and run through its ld.so), with and without -mapxf, checks that
# the -mapxf build holds APX instructions (REX2 or EVEX map 4, counted in llvm-objdump's
# output; EVEX map 4 is P0[2:0] = 4), and compares three runs: the plain build natively, the plain build under
# `apxemu run`, and the APX build under `apxemu run --require-apx`. stdout, stderr and the
# exit status must all be identical. A line "LINK: flags" in the source adds link flags.
#
# usage: run_prog.sh APXEMU SOURCE.c WORKDIR [static|dynamic]
set -u
apxemu=$1
src=$2
dir=$3
link=${4:-static}
name=$(basename "$src" .c)
libs=$(sed -n 's/^.*LINK: *\([-a-z0-9 ]*\).*/\1/p' "$src" | head -n 1)
if [ "$link" = dynamic ]; then
	mode=
	dir=$dir/dynamic
else
	mode=-static
fi
mkdir -p "$dir"
out=$dir/$name
fail() {
	echo "FAIL $name: $*"
	exit 1
}

clang-19 -O2 $mode -w "$src" -o "$out" $libs 2>/dev/null || fail "build without -mapxf"
clang-19 -O2 $mode -w -mapxf "$src" -o "$out.apx" $libs 2>/dev/null || fail "build with -mapxf"

n=$(llvm-objdump-19 -d \
	--mattr=+egpr,+ndd,+nf,+ccmp,+cf,+zu,+push2pop2,+ppx "$out.apx" 2>/dev/null |
	awk -F'\t' 'NF >= 2 && $1 ~ /^ *[0-9a-f]+:/ {
		sub(/^[^:]*:/, "", $1)
		split($1, b, " ")
		if (b[1] == "d5") n++
		else if (b[1] == "62" && substr(b[2], 2, 1) ~ /^[4cC]$/) n++
	} END { print n + 0 }')
[ "$n" -gt 0 ] || fail "the -mapxf build holds no APX instruction"

# The native run happens in a subshell so that a fatal signal is reported as 128+N.
("$out") >"$out.native.out" 2>"$out.native.err"
rc_native=$?
"$apxemu" run -q "$out" >"$out.emu.out" 2>"$out.emu.err"
rc_emu=$?
"$apxemu" run -q --require-apx "$out.apx" >"$out.apx.out" 2>"$out.apx.err"
rc_apx=$?

# apxemu's own lines (the signal that ended the program) are not the program's output.
for kind in emu apx; do
	grep -v '^apxemu: ' "$out.$kind.err" >"$out.$kind.err2"
	mv "$out.$kind.err2" "$out.$kind.err"
done
for kind in emu apx; do
	cmp -s "$out.native.out" "$out.$kind.out" ||
		{ diff "$out.native.out" "$out.$kind.out" | head -20; fail "stdout differs ($kind)"; }
	cmp -s "$out.native.err" "$out.$kind.err" ||
		{ diff "$out.native.err" "$out.$kind.err" | head -20; fail "stderr differs ($kind)"; }
done
[ "$rc_native" = "$rc_emu" ] || fail "exit status $rc_emu under apxemu, $rc_native natively"
[ "$rc_native" = "$rc_apx" ] || fail "exit status $rc_apx for the APX build, $rc_native natively"
echo "ok $name ($link): $n APX instructions in the -mapxf build; identical output and status $rc_native"
