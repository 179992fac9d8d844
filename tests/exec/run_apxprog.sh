#!/bin/sh
# Builds one self-checking C program with clang-19 -O2 -static -mapxf (it uses r16-r31 in
# inline assembly, so it cannot run natively here) and runs it under
# `apxemu run --require-apx`: it must exit 0 and print no "FAIL" line.
#
# usage: run_apxprog.sh APXEMU SOURCE.c WORKDIR
set -u
apxemu=$1
src=$2
dir=$3
name=$(basename "$src" .c)
mkdir -p "$dir"
out=$dir/$name
clang-19 -O2 -static -w -mapxf "$src" -o "$out" || { echo "FAIL $name: build"; exit 1; }
"$apxemu" run -q --require-apx "$out" >"$out.out" 2>"$out.err"
rc=$?
cat "$out.out" "$out.err"
[ "$rc" = 0 ] || { echo "FAIL $name: exit status $rc"; exit 1; }
if grep -q '^FAIL' "$out.out"; then echo "FAIL $name"; exit 1; fi
echo "ok $name"
