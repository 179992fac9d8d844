#!/bin/sh
# The debug.* tests. usage: debug_test.sh TEST APXEMU PROGS_DIR WORKDIR
set -u
test=$1
apxemu=$2
progs=$3
dir=$4/$test
mkdir -p "$dir"
fail() {
	echo "FAIL debug.$test: $*"
	exit 1
}
prog=$dir/apxwork
clang-19 -O2 -g -static -w -mapxf "$progs/apxwork.c" -o "$prog" || fail "build"
# Serves PROG under --gdb and runs gdb on it with the commands in CMDS_FILE (where PORT
# stands for the port); gdb's output goes to OUT. Sets rc_gdb and rc (apxemu's status).
# usage: gdb_session PROG CMDS_FILE OUT
gdb_session() {
	port=$((20000 + ($$ + ${session:-0}) % 20000))
	session=$((${session:-0} + 1))
	sed "s/PORT/$port/" "$2" >"$2.run"
	"$apxemu" run --gdb $port "$1" >"$3.prog" 2>"$3.err" &
	pid=$!
	i=0
	until grep -q 'waiting for gdb' "$3.err" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || { kill $pid; fail "apxemu does not listen"; }
		sleep 0.1
	done
	timeout 120 gdb -nx -batch -x "$2.run" "$1" >"$3" 2>&1
	rc_gdb=$?
	wait $pid
	rc=$?
}
# The address range of work(), from the symbol table.
range=$(nm -S "$prog" | python3 -c '
import sys
for l in sys.stdin:
    f = l.split()
    if len(f) == 4 and f[3] == "work":
        print("0x%x:0x%x" % (int(f[0], 16), int(f[0], 16) + int(f[1], 16)))')

case $test in
trace)
	"$apxemu" run -q --deterministic --trace="$dir/t.txt" "$prog" >"$dir/out" 2>&1
	[ $? = 3 ] || fail "status (text)"
	grep -q '^work = ' "$dir/out" || fail "program output"
	n=$(wc -l <"$dir/t.txt")
	[ "$n" -gt 1000 ] || fail "only $n text lines"
	# the REX2 mov that writes r16 in work(), with its bytes and its effect
	grep -q 'd5 10 b8 12 00 00 00 *movl \$18, %r16d *| r16=0x12$' "$dir/t.txt" ||
		fail "no r16 write in the text trace"
	grep -q ' \[0x7ff[0-9a-f]*\]:8=0x' "$dir/t.txt" || fail "no stack write in the text trace"
	grep -q 'rflags=0x' "$dir/t.txt" || fail "no rflags in the text trace"

	"$apxemu" run -q --deterministic --trace="$dir/t.sde" --trace-format=sde "$prog" >"$dir/out2" 2>&1
	grep -q '^INS 0x0000000000[0-9a-f]\{6\} APXLEGACY  mov r16d, 18 | r16 = 0x12$' "$dir/t.sde" ||
		fail "no r16 line in the sde trace"
	grep -q '^Write \*(UINT64\*)0x00007ff[0-9a-f]* = 0x' "$dir/t.sde" || fail "no Write line"
	[ "$(grep -c '^INS ' "$dir/t.sde")" = "$n" ] || fail "sde and text traces differ in length"

	"$apxemu" run -q --trace="$dir/t.jsonl" --trace-format=jsonl "$prog" >/dev/null 2>&1
	python3 - "$dir/t.jsonl" <<'PY' || fail "jsonl"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert all(r["n"] == i for i, r in enumerate(rows)), "n is the instruction count"
r16 = [r for r in rows if "r16" in r["regs"]]
assert r16 and r16[0]["regs"]["r16"] == "0x12" and r16[0]["ext"] == "APXLEGACY", r16[:1]
assert any(m["size"] == 8 for r in rows for m in r["mem"]), "memory writes"
print("jsonl:", len(rows), "instructions,", len(r16), "write r16")
PY

	"$apxemu" run -q --trace="$dir/max.txt" --trace-max 10 --trace-after 5 "$prog" >/dev/null 2>&1
	[ "$(wc -l <"$dir/max.txt")" = 10 ] || fail "--trace-max 10"
	[ "$(head -1 "$dir/max.txt" | cut -d' ' -f1)" = 5 ] || fail "--trace-after 5"
	"$apxemu" run -q --trace="$dir/range.txt" --trace-range "$range" "$prog" >/dev/null 2>&1
	lo=${range%:*}
	hi=${range#*:}
	python3 - "$dir/range.txt" "$lo" "$hi" <<'PY' || fail "--trace-range $range"
import sys
lo, hi = int(sys.argv[2], 16), int(sys.argv[3], 16)
rips = [int(l.split()[1].rstrip(":"), 16) for l in open(sys.argv[1])]
assert len(rips) > 100 and all(lo <= r < hi for r in rips), (len(rips), lo, hi)
PY
	echo "ok: $n instructions traced; range $range: $(wc -l <"$dir/range.txt") lines"
	;;
mix)
	"$apxemu" run -q --mix --mix-json "$dir/mix.json" "$prog" >"$dir/out" 2>"$dir/err"
	[ $? = 3 ] || fail "status"
	grep -q '^# by mnemonic' "$dir/err" || fail "no mnemonic table"
	grep -q '^APX.EGPR ' "$dir/err" || fail "no APX.EGPR row"
	grep -q '^evex.map4 01 add r64,r64,r64 ' "$dir/err" || fail "no NDD add form"
	python3 - "$dir/mix.json" <<'PY' || fail "mix json"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["total"] > 1000
assert sum(m["mnemonics"].values()) == m["total"]
assert sum(f["count"] for f in m["forms"]) == m["total"]
assert m["apx"]["any"] > 0 and m["apx"]["EGPR"] > 0, m["apx"]
assert "BASE" in m["extensions"]
print("mix:", m["total"], "instructions,", m["apx"]["any"], "APX,", len(m["forms"]), "forms")
PY
	;;
deterministic)
	for k in 1 2; do
		"$apxemu" run -q --deterministic --trace="$dir/t$k.jsonl" --trace-format=jsonl \
			"$prog" >"$dir/out$k" 2>&1
		[ $? = 3 ] || fail "status"
	done
	cmp -s "$dir/out1" "$dir/out2" || fail "outputs differ"
	cmp -s "$dir/t1.jsonl" "$dir/t2.jsonl" || fail "traces differ"
	grep -q '^time = 1704067200\.' "$dir/out1" || fail "the clock is not the fixed one"
	"$apxemu" run -q "$prog" >"$dir/out3" 2>&1
	cmp -s "$dir/out1" "$dir/out3" && fail "a normal run gives the deterministic output"
	echo "ok: identical traces of $(wc -l <"$dir/t1.jsonl") instructions"
	;;
gdb)
	cat >"$dir/cmds" <<GDB
set pagination off
set confirm off
target remote 127.0.0.1:PORT
watch arr[5]
continue
delete
break work
continue
set \$n = 0
while \$r16 == 0 && \$n < 200
  stepi
  set \$n = \$n + 1
end
info symbol \$pc
p \$r16
p/x \$r17
info registers
continue
GDB
	gdb_session "$prog" "$dir/cmds" "$dir/gdb.out"
	cat "$dir/gdb.out" | head -120
	[ $rc_gdb = 0 ] || fail "gdb status $rc_gdb"
	[ $rc = 3 ] || fail "apxemu status $rc"
	grep -q '^Breakpoint 2, .*work' "$dir/gdb.out" || fail "no stop at work"
	grep -q '^work + [0-9]* in section .text' "$dir/gdb.out" || fail "stepped out of work"
	grep -q '^\$1 = 18$' "$dir/gdb.out" || fail "p \$r16 is not 18"
	for r in rax rip eflags r16 r23 r31; do
		grep -q "^$r  *0x" "$dir/gdb.out" || fail "info registers lacks $r"
	done
	grep -q 'Hardware watchpoint 1: arr\[5\]' "$dir/gdb.out" || fail "no watchpoint"
	grep -q 'New value = ' "$dir/gdb.out" || fail "the watchpoint did not trigger"
	grep -q 'exited with code 03' "$dir/gdb.out" || fail "no exit status"
	grep -q '^work = ' "$dir/gdb.out.prog" || fail "program output"
	echo "ok: gdb session"
	;;
gdb_signal)
	sprog=$dir/sigs
	clang-19 -O2 -g -static -w -mapxf "$progs/sigs.c" -o "$sprog" || fail "build sigs"
	# 1. gdb's defaults: SIGUSR1 and SIGSEGV stop and pass. The handler runs (a breakpoint
	# in it, the signal frame in the backtrace); SIGSEGV without a handler ends the guest.
	# ymm0 holds the pattern vec_loaded() sees; ymm1 is written through gdb.
	cat >"$dir/cmds1" <<'GDB'
set pagination off
set confirm off
target remote 127.0.0.1:PORT
break vec_loaded
break on_usr1
continue
p $ymm0.v8_int32
set $ymm1.v8_int32[7] = 77
p $ymm1.v8_int32[7]
p/x $ymm0.v4_int64[3]
info registers system
continue
continue
bt
continue
continue
GDB
	gdb_session "$sprog" "$dir/cmds1" "$dir/gdb1.out"
	cat "$dir/gdb1.out"
	[ $rc_gdb = 0 ] || fail "gdb status $rc_gdb (1)"
	[ $rc = 139 ] || fail "apxemu status $rc (1)"
	grep -q '^\$1 = {1, 2, 3, 4, 5, 6, 7, 8}$' "$dir/gdb1.out" || fail "p \$ymm0"
	grep -q '^\$2 = 77$' "$dir/gdb1.out" || fail "setting \$ymm1"
	grep -q '^\$3 = 0x800000007$' "$dir/gdb1.out" || fail "p/x \$ymm0.v4_int64[3]"
	grep -q '^fs_base  *0x[1-9a-f]' "$dir/gdb1.out" || fail "info registers system: fs_base"
	grep -q '^gs_base  *0x' "$dir/gdb1.out" || fail "info registers system: gs_base"
	grep -q '^Program received signal SIGUSR1' "$dir/gdb1.out" || fail "no SIGUSR1 stop"
	grep -q '^Breakpoint 2, on_usr1 (sig=10)' "$dir/gdb1.out" || fail "the handler did not run"
	grep -q '^#1  <signal handler called>' "$dir/gdb1.out" || fail "no signal frame in bt"
	grep -q '^Program received signal SIGSEGV' "$dir/gdb1.out" || fail "no SIGSEGV stop"
	grep -q '^Program terminated with signal SIGSEGV' "$dir/gdb1.out" || fail "no SIGSEGV death"
	grep -q '^usr1 handled: 10$' "$dir/gdb1.out.prog" || fail "program output (1)"
	# 2. handle SIGUSR1 nopass: it stops but is discarded; `signal 0` discards SIGSEGV.
	cat >"$dir/cmds2" <<'GDB'
set pagination off
set confirm off
target remote 127.0.0.1:PORT
handle SIGUSR1 nopass
continue
continue
signal 0
GDB
	gdb_session "$sprog" "$dir/cmds2" "$dir/gdb2.out"
	cat "$dir/gdb2.out"
	[ $rc_gdb = 0 ] || fail "gdb status $rc_gdb (2)"
	[ $rc = 5 ] || fail "apxemu status $rc (2)"
	grep -q '^Program received signal SIGUSR1' "$dir/gdb2.out" || fail "no SIGUSR1 stop (2)"
	grep -q '^Program received signal SIGSEGV' "$dir/gdb2.out" || fail "no SIGSEGV stop (2)"
	grep -q 'exited with code 05' "$dir/gdb2.out" || fail "no exit status (2)"
	grep -q '^usr1 handled: 0$' "$dir/gdb2.out.prog" || fail "SIGUSR1 was not discarded"
	grep -q '^SIGSEGV discarded$' "$dir/gdb2.out.prog" || fail "SIGSEGV was not discarded"
	# 3. nostop noprint: gdb passes both through QPassSignals, without stops.
	cat >"$dir/cmds3" <<'GDB'
set pagination off
set confirm off
target remote 127.0.0.1:PORT
handle SIGUSR1 nostop noprint
handle SIGSEGV nostop noprint
continue
GDB
	gdb_session "$sprog" "$dir/cmds3" "$dir/gdb3.out"
	cat "$dir/gdb3.out"
	[ $rc = 139 ] || fail "apxemu status $rc (3)"
	grep -q '^Program received' "$dir/gdb3.out" && fail "a stop despite nostop"
	grep -q '^Program terminated with signal SIGSEGV' "$dir/gdb3.out" || fail "no SIGSEGV death (3)"
	grep -q '^usr1 handled: 10$' "$dir/gdb3.out.prog" || fail "program output (3)"
	echo "ok: signal stops, pass/nopass/signal 0, ymm, fs_base"
	;;
gdb_dynamic)
	# A dynamically linked -mapxf PIE: gdb reads the auxiliary vector (qXfer:auxv:read),
	# relocates the program, finds ld.so and, through its r_debug list, libc, so a breakpoint
	# in libc's printf is hit and the backtrace reaches main.
	dprog=$dir/apxwork_dyn
	clang-19 -O2 -g -w -mapxf "$progs/apxwork.c" -o "$dprog" || fail "build (dynamic)"
	cat >"$dir/cmds" <<GDB
set pagination off
set confirm off
target remote 127.0.0.1:PORT
tbreak main
continue
info sharedlibrary
break printf
continue
bt
delete
continue
GDB
	gdb_session "$dprog" "$dir/cmds" "$dir/gdb.out"
	cat "$dir/gdb.out" | head -60
	[ $rc_gdb = 0 ] || fail "gdb status $rc_gdb"
	grep -q "^Temporary breakpoint 1, main" "$dir/gdb.out" || fail "no stop at main (PIE relocation)"
	grep -q 'libc\.so\.6' "$dir/gdb.out" || fail "libc is not in info sharedlibrary"
	grep -q '^Breakpoint 2, .*printf' "$dir/gdb.out" || fail "no stop in libc's printf"
	grep -q '^#1 .* main ' "$dir/gdb.out" || fail "the backtrace does not reach main"
	grep -q 'exited with code 03' "$dir/gdb.out" || fail "no exit status"
	echo "ok: dynamic program, breakpoint in libc"
	;;
*)
	fail "unknown test"
	;;
esac
