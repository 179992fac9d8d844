#!/bin/bash
# csmith differential campaign: for each seed, generate a random C program with csmith, build it
# with clang-19 -static at one optimization level, with and without -mapxf, run the plain build
# natively and both builds under `apxemu run`, and compare stdout and exit status.
#
# usage: run_csmith.sh --apxemu PATH [--seeds "S1 S2 ..." | --first N --count M]
#                      [--opt "LEVELS"] [--workdir DIR] [--report FILE] [--jobs J]
#                      [--native-timeout SEC] [--emu-timeout SEC] [--keep]
#                      [--csmith-opts "OPTIONS"]
#
#   --opt "0 1 2 3"  optimization levels; seed S uses level number (S mod count) of the list
#                    (default "2")
#   --native-timeout a program whose native run takes longer is skipped (default 2 s)
#   --emu-timeout    limit for each run under apxemu (default 300 s); exceeding it is an
#                    emulator error ("timeout")
#   --keep           keep the files of agreeing seeds (default: only the others are kept)
#   --csmith-opts "OPTIONS"  replace the csmith options (default below)
#
# One line per seed, in seed order:
#   seed N -Ox: agree CHECKSUM
#   seed N -Ox: differ (plain|apx) ...        output or status differs from the native run
#   seed N -Ox: emu-error (plain|apx) MESSAGE  apxemu's own line (a fault, a timeout)
#   seed N -Ox: skipped (native timeout | csmith failed | build failed ...)
# then a summary with the counts, the APX instructions the -mapxf builds executed (--stats)
# and the instructions apxemu reported as unimplemented. Files of seeds that did not agree stay
# in WORKDIR/sN (p.c, p, p.apx, native.out, plain.out/err, apx.out/err).
# Exit status: 0 when every program that ran agrees, 1 otherwise, 2 on usage errors.
set -u

apxemu=
seeds=
first=1
count=10
opts="2"
work=${TMPDIR:-/tmp}/apxemu-csmith
report=
jobs=1
native_to=2
emu_to=300
keep=0
csmith_inc=/usr/include/csmith
# csmith options: no packed structs (unaligned accesses through them are undefined); smaller
# programs than the defaults so that most run in milliseconds natively.
csmith_opts="--no-packed-struct --max-funcs 6 --max-block-depth 4 --max-array-len-per-dim 8"

usage() {
	sed -n '2,29p' "$0" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--apxemu) apxemu=$2; shift ;;
	--seeds) seeds=$2; shift ;;
	--first) first=$2; shift ;;
	--count) count=$2; shift ;;
	--opt) opts=$2; shift ;;
	--workdir) work=$2; shift ;;
	--report) report=$2; shift ;;
	--jobs) jobs=$2; shift ;;
	--native-timeout) native_to=$2; shift ;;
	--emu-timeout) emu_to=$2; shift ;;
	--keep) keep=1 ;;
	--csmith-opts) csmith_opts=$2; shift ;;
	-h | --help) usage ;;
	*) echo "run_csmith.sh: unknown argument '$1'" >&2; usage ;;
	esac
	shift
done
[ -n "$apxemu" ] || usage
for tool in csmith clang-19 timeout; do
	command -v $tool >/dev/null || { echo "run_csmith.sh: $tool not found" >&2; exit 2; }
done
[ -z "$seeds" ] && seeds=$(seq "$first" $((first + count - 1)))
read -r -a levels <<<"$opts"
mkdir -p "$work"
apxemu=$(cd "$(dirname "$apxemu")" && pwd)/$(basename "$apxemu")

# First line of apxemu's own messages (a fault, an unimplemented instruction) in FILE.
emu_message() {
	grep '^apxemu: ' "$1" | grep -v ' MIPS); APX: ' | head -n1 | cut -c1-200
}

# Runs one seed; writes its result line to $work/N.result.
one_seed() {
	local s=$1 lvl=${levels[$(($1 % ${#levels[@]}))]}
	local d=$work/s$s src prog res=
	src=$d/p.c
	prog=$d/p
	rm -rf "$d"
	mkdir -p "$d"
	result() {
		echo "seed $s -O$lvl: $*" >"$work/$s.result"
	}
	if ! csmith -s "$s" $csmith_opts -o "$src" >/dev/null 2>&1; then
		result "skipped (csmith failed)"
		return
	fi
	if ! clang-19 -O"$lvl" -static -w -I"$csmith_inc" "$src" -o "$prog" 2>"$d/build.err"; then
		result "skipped (build failed: $(head -n1 "$d/build.err" | cut -c1-120))"
		return
	fi
	if ! clang-19 -O"$lvl" -static -w -mapxf -I"$csmith_inc" "$src" -o "$prog.apx" \
		2>"$d/build.err"; then
		result "skipped (-mapxf build failed: $(head -n1 "$d/build.err" | cut -c1-120))"
		return
	fi
	timeout -k 1 "$native_to" "$prog" >"$d/native.out" 2>/dev/null
	local rc_n=$?
	if [ $rc_n = 124 ] || [ $rc_n = 137 ]; then
		result "skipped (native timeout)"
		rm -rf "$d"
		return
	fi
	local kind rc
	for kind in plain apx; do
		local bin=$prog stats=
		[ $kind = apx ] && bin=$prog.apx stats=--stats
		local try
		for try in 1 2 3; do
			timeout -k 5 "$emu_to" "$apxemu" run $stats "$bin" >"$d/$kind.out" 2>"$d/$kind.err"
			rc=$?
			# 126/127: apxemu could not be started (being rebuilt): try again
			{ [ $rc = 126 ] || [ $rc = 127 ]; } || break
			sleep 5
		done
		grep -o "unimplemented instruction '[^']*'" "$d/$kind.err" |
			sed "s/.*'\(.*\)'/\1/" >>"$d/unimpl"
		if [ $rc = 124 ] || [ $rc = 137 ]; then
			res="emu-error ($kind) timeout after ${emu_to} s"
			break
		fi
		if [ $rc != $rc_n ] || ! cmp -s "$d/native.out" "$d/$kind.out"; then
			local msg
			msg=$(emu_message "$d/$kind.err")
			if [ -n "$msg" ] && [ $rc != $rc_n ]; then
				res="emu-error ($kind) $msg"
			else
				res="differ ($kind): status $rc (native $rc_n), stdout $(tail -n1 "$d/$kind.out" | cut -c1-60) (native $(tail -n1 "$d/native.out" | cut -c1-60))"
			fi
			break
		fi
	done
	[ -s "$d/unimpl" ] && sort -u "$d/unimpl" >"$work/$s.unimpl"
	sed -n 's/.* MIPS); APX: \([0-9]*\) .*/\1/p' "$d/apx.err" 2>/dev/null >"$work/$s.apx"
	if [ -z "$res" ]; then
		result "agree $(sed -n 's/^checksum = //p' "$d/native.out")"
		[ $keep = 1 ] || rm -rf "$d"
	else
		result "$res"
	fi
}

start=$(date +%s)
running=0
for s in $seeds; do
	rm -f "$work/$s.result" "$work/$s.unimpl" "$work/$s.apx"
	one_seed "$s" &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

out=$work/summary.txt
: >"$out"
n_apx=0 n_noapx=0 n_agree=0 n_differ=0 n_err=0 n_skip=0 n_to=0
for s in $seeds; do
	line=$(cat "$work/$s.result" 2>/dev/null || echo "seed $s: no result")
	echo "$line" >>"$out"
	case $line in
	*": agree"*)
		n_agree=$((n_agree + 1))
		a=$(cat "$work/$s.apx" 2>/dev/null)
		n_apx=$((n_apx + ${a:-0}))
		[ "${a:-0}" = 0 ] && n_noapx=$((n_noapx + 1))
		;;
	*": differ"*) n_differ=$((n_differ + 1)) ;;
	*": emu-error"*) n_err=$((n_err + 1)) ;;
	*"native timeout"*) n_skip=$((n_skip + 1)) n_to=$((n_to + 1)) ;;
	*) n_skip=$((n_skip + 1)) ;;
	esac
done
total=$(echo $seeds | wc -w)
unimpl=$(cat "$work"/*.unimpl 2>/dev/null | sort | uniq -c | sort -rn |
	awk '{ printf "%s%s (%d)", sep, $2, $1; sep = ", " }')
{
	echo "csmith: $total seeds, -O levels \"$opts\", $(($(date +%s) - start)) s"
	echo "  agree $n_agree, differ $n_differ, emulator error $n_err, skipped $n_skip ($n_to native timeouts)"
	echo "  APX instructions executed by the agreeing -mapxf builds: $n_apx ($n_noapx of them executed none)"
	echo "  unimplemented instructions reported by apxemu: ${unimpl:-none}"
} >>"$out"
cat "$out"
[ -n "$report" ] && cp "$out" "$report"
[ $n_differ = 0 ] && [ $n_err = 0 ]
