#!/bin/sh
# Every policy except the reference must be caught (a verdict other than pass, matching the
# scenario's expectation) by at least one scenario; the reference must pass all of them.
APXEMU=$1 GUESTS=$2 DIR=$3
out=$("$APXEMU" vmx run "$DIR"/*.vmx --policy all --guests "$GUESTS" -q) || { echo "$out"; exit 1; }
status=0
for p in $("$APXEMU" vmx list-policies | awk '{print $1}'); do
	caught=$(echo "$out" | awk -v p="$p" '$2 == p && $3 != "pass" && $NF == "ok" {print $1 ":" $3}')
	if [ "$p" = v4-asm ]; then
		[ -z "$caught" ] || { echo "reference v4-asm fails: $caught"; status=1; }
	elif [ -z "$caught" ]; then
		echo "policy $p is caught by no scenario"; status=1
	else
		echo "$p: $(echo $caught | tr '\n' ' ')"
	fi
done
exit $status
