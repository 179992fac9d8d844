#!/usr/bin/env bash
# The executor's speed benchmark (`make bench`, after the decoder benchmark).
#
# Builds bench/exec_int.c (sieve, hashing, sorting, a hash table) with clang-19 -O2 -static
# twice, with -mapxf and without, and runs
#   native       the build without APX, on the host
#   qemu         the build without APX, under qemu-x86_64 (package qemu-user)
#   apxemu       the -mapxf build, under `apxemu run --stats --require-apx`
#   apxemu-plain the build without APX under `apxemu run` (the same binary as qemu runs)
# RUNS times each (interleaved), checks that every run prints the same output with status 0,
# and prints the best wall time and the best user time of each (taken separately), the
# ratios apxemu/native and apxemu/qemu, and apxemu's MIPS: the figure --stats prints (guest
# instructions over wall time, best run) and the same count over the best user time.
# Timings on a shared machine are noisy: the load average is printed with the table.
#
# usage: run_exec_bench.sh [APXEMU [WORKDIR]]
#   APXEMU   default build/release/apxemu
#   WORKDIR  where the programs and outputs go (default build/release/bench-exec)
# environment: BENCH_RUNS (default 3), BENCH_ROUNDS (the program's argument, default 4),
#   CLANG (default clang-19), QEMU (default qemu-x86_64; set to "none" to skip it),
#   BENCH_PLAIN (default 1; 0 skips the apxemu-plain row)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
apxemu=${1:-$here/../build/release/apxemu}
dir=${2:-$here/../build/release/bench-exec}
runs=${BENCH_RUNS:-3}
rounds=${BENCH_ROUNDS:-4}
cc=${CLANG:-clang-19}
qemu=${QEMU:-qemu-x86_64}
plain_row=${BENCH_PLAIN:-1}
src=$here/exec_int.c

die() {
	echo "run_exec_bench: $*" >&2
	exit 1
}
[ -x "$apxemu" ] || die "no apxemu binary at $apxemu (make release)"
command -v "$cc" >/dev/null || die "$cc not found (package clang-19)"
if [ "$qemu" != none ] && ! command -v "$qemu" >/dev/null; then
	echo "run_exec_bench: $qemu not found (package qemu-user): its column is skipped" >&2
	qemu=none
fi

mkdir -p "$dir"
plain=$dir/exec_int
apx=$dir/exec_int.apx
"$cc" -O2 -static -w "$src" -o "$plain" || die "build without -mapxf failed"
"$cc" -O2 -static -w -mapxf "$src" -o "$apx" || die "build with -mapxf failed"

kinds="native"
[ "$qemu" = none ] || kinds="$kinds qemu"
[ "$plain_row" = 0 ] || kinds="$kinds apxemu-plain"
kinds="$kinds apxemu"

# run KIND OUTFILE: runs one configuration; stdout to OUTFILE, stderr to OUTFILE.err,
# "wall user" of the run to OUTFILE.time; returns the program's status.
run() {
	local kind=$1 out=$2 rc
	local -a cmd
	case $kind in
	native) cmd=("$plain" "$rounds") ;;
	qemu) cmd=("$qemu" "$plain" "$rounds") ;;
	apxemu-plain) cmd=("$apxemu" run -q "$plain" "$rounds") ;;
	apxemu) cmd=("$apxemu" run -q --stats --require-apx "$apx" "$rounds") ;;
	esac
	local TIMEFORMAT='%R %U'
	set +e
	{ time "${cmd[@]}" >"$out" 2>"$out.err"; } 2>"$out.time"
	rc=$?
	set -e
	return $rc
}

declare -A best_wall best_user
best_mips=0
insns=0
apx_insns=0
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
echo "== executor benchmark: bench/exec_int.c, argument $rounds, best of $runs runs =="
for ((i = 1; i <= runs; i++)); do
	for kind in $kinds; do
		out=$dir/out.$kind.$i
		run "$kind" "$out" || die "$kind run $i exited with status $? (stderr: $(head -c 300 "$out.err"))"
		if [ "$kind" = native ] && [ "$i" = 1 ]; then
			cp "$out" "$dir/out.expected"
		elif ! cmp -s "$dir/out.expected" "$out"; then
			diff "$dir/out.expected" "$out" | head -10 >&2
			die "$kind run $i: output differs from the native run"
		fi
		read -r wall user <"$out.time"
		for v in wall user; do
			declare -n b=best_$v
			if [ -z "${b[$kind]:-}" ] || awk -v a="${!v}" -v c="${b[$kind]}" 'BEGIN { exit !(a < c) }'; then
				b[$kind]=${!v}
			fi
			unset -n b
		done
		if [ "$kind" = apxemu ]; then
			line=$(grep '^apxemu: [0-9]* instructions' "$out.err" || true)
			[ -n "$line" ] || die "no --stats line from apxemu"
			insns=$(echo "$line" | sed 's/^apxemu: \([0-9]*\) instructions.*/\1/')
			apx_insns=$(echo "$line" | sed -n 's/.*; APX: \([0-9]*\).*/\1/p')
			mips=$(echo "$line" | sed 's/.*(\([0-9.]*\) MIPS).*/\1/')
			if awk -v a="$mips" -v c="$best_mips" 'BEGIN { exit !(a > c) }'; then
				best_mips=$mips
			fi
		fi
		printf '  run %d %-12s wall %7.3f s  user %7.3f s\n' "$i" "$kind" "$wall" "$user"
	done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

label() {
	case $1 in
	native) echo "native (no APX)" ;;
	qemu) echo "qemu-x86_64 (no APX)" ;;
	apxemu-plain) echo "apxemu run (no APX)" ;;
	apxemu) echo "apxemu run (-mapxf)" ;;
	esac
}
echo
echo "output: identical in all $((runs * $(echo $kinds | wc -w))) runs ($(wc -l <"$dir/out.expected") lines; $(tail -n 1 "$dir/out.expected"))"
echo "load average: $load before, $load_end after ($(nproc 2>/dev/null || echo '?') CPUs; shared machine, times are noisy)"
echo
printf '%-22s %10s %10s %14s %14s\n' "" "wall (s)" "user (s)" "wall/native" "user/native"
for kind in $kinds; do
	printf '%-22s %10.3f %10.3f %13.1fx %13.1fx\n' "$(label $kind)" "${best_wall[$kind]}" \
		"${best_user[$kind]}" \
		"$(awk -v a="${best_wall[$kind]}" -v b="${best_wall[native]}" 'BEGIN { r = 0; if (b > 0) r = a / b; print r }')" \
		"$(awk -v a="${best_user[$kind]}" -v b="${best_user[native]}" 'BEGIN { r = 0; if (b > 0) r = a / b; print r }')"
done
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }'; }
printf 'apxemu / native : wall %s, user %s\n' "$(ratio "${best_wall[apxemu]}" "${best_wall[native]}")" \
	"$(ratio "${best_user[apxemu]}" "${best_user[native]}")"
if [ "$qemu" != none ]; then
	printf 'apxemu / qemu   : wall %s, user %s\n' "$(ratio "${best_wall[apxemu]}" "${best_wall[qemu]}")" \
		"$(ratio "${best_user[apxemu]}" "${best_user[qemu]}")"
	if [ "$plain_row" != 0 ]; then
		printf 'apxemu / qemu, same binary without APX: wall %s, user %s\n' \
			"$(ratio "${best_wall[apxemu-plain]}" "${best_wall[qemu]}")" \
			"$(ratio "${best_user[apxemu-plain]}" "${best_user[qemu]}")"
	fi
fi
awk -v n="$insns" -v apx="$apx_insns" -v m="$best_mips" -v u="${best_user[apxemu]}" 'BEGIN {
	um = 0; if (u > 0) um = n / u / 1e6
	share = 0; if (n > 0) share = 100 * apx / n
	printf "apxemu MIPS     : %.1f (--stats, wall clock, best run); %.1f (instructions / best user time)\n", m, um
	printf "guest instructions: %.0f, of which APX %.0f (%.1f%%)\n", n, apx, share
}'
