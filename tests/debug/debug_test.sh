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
	port=$((20000 + $$ % 20000))
	"$apxemu" run --gdb $port "$prog" >"$dir/out" 2>"$dir/err" &
	pid=$!
	i=0
	until grep -q 'waiting for gdb' "$dir/err" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || { kill $pid; fail "apxemu does not listen"; }
		sleep 0.1
	done
	cat >"$dir/cmds" <<GDB
set pagination off
set confirm off
target remote 127.0.0.1:$port
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
	timeout 120 gdb -nx -batch -x "$dir/cmds" "$prog" >"$dir/gdb.out" 2>&1
	rc_gdb=$?
	wait $pid
	rc=$?
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
	grep -q '^work = ' "$dir/out" || fail "program output"
	echo "ok: gdb session"
	;;
*)
	fail "unknown test"
	;;
esac
