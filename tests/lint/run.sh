#!/bin/sh
# tests/lint/run.sh: the gate's own tests. A gate that cannot fail proves
# nothing, so every rule has a reject_<rule>*.c fixture that must be rejected
# with that rule's name, accept_*.c must pass with no output, and the symbol
# gate gets one rejected and one accepted object. peer_*.c files are only
# checked together with the fixture that names them on a "lint-with:" line.
#
# Prints one "PASS lint.<fixture>" or "FAIL lint.<fixture>: why" line each;
# exits 1 if any failed. Run from anywhere.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2
PY=/usr/bin/python3
GATE="$PY tools/gate/check_services.py"
CFLAGS="-std=gnu11 -O2 -ffreestanding -nostdinc -fno-pic -mno-red-zone -mcmodel=kernel -mno-sse -mno-sse2 -mno-mmx -mno-80387 -fno-stack-protector -Wall -Wextra -Werror -Iframework/include -Itests/lint/include"
RULES="void-ptr-conversion pointer-conversion pointer-cast pointer-arith inline-asm attribute volatile union-pointer raw-mem private-name private-field builtin vla computed-goto extern-decl include no-prototype flexible-array thread-local init-framework framework-type type-conflict typed-copy pragma redefine address-space atomic-pointer token-paste local-escape"

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
pass() { echo "PASS lint.$1"; }
fail() { echo "FAIL lint.$1: $2"; fails=$((fails + 1)); }

# Expected rule of reject_<rule>[_variant].c: the longest rule name that the
# fixture name starts with.
expected_rule() {
	n=$(echo "$1" | sed -e 's/^reject_//' -e 's/\.c$//' | tr _ -)
	best=
	for r in $RULES; do
		case "$n" in
		"$r" | "$r"-*) [ ${#r} -gt ${#best} ] && best=$r ;;
		esac
	done
	echo "$best"
}

# Files a fixture names on a "lint-with: path ..." line are checked in the
# same gate run (rules that compare files, such as type-conflict).
peers() { sed -n 's/.*lint-with: *\([^*]*\).*/\1/p' "$1"; }

# One gate run over all fixtures would mix their output; run each (libclang
# parses a fixture in a few tens of milliseconds, so this stays fast).
for f in tests/lint/reject_*.c; do
	name=$(basename "$f" .c)
	# shellcheck disable=SC2046 # peers are plain paths, one word each
	$GATE --cflags "$CFLAGS" $(peers "$f") "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$name" = reject_parse_error ]; then
		if [ $rc -eq 2 ]; then pass "$name"; else fail "$name" "exit $rc, want 2 (parse error)"; fi
		continue
	fi
	rule=$(expected_rule "$name.c")
	if [ -z "$rule" ]; then
		fail "$name" "fixture name names no known rule"
	elif [ $rc -eq 0 ]; then
		fail "$name" "accepted, want rule '$rule'"
	elif ! grep -q ": $rule: " "$tmp/out"; then
		fail "$name" "rule '$rule' not reported (exit $rc): $(head -c 300 "$tmp/out" "$tmp/err" | tr '\n' ' ')"
	else
		pass "$name"
	fi
done

for f in tests/lint/accept_*.c; do
	name=$(basename "$f" .c)
	# shellcheck disable=SC2046
	$GATE --cflags "$CFLAGS" $(peers "$f") "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ] || [ -s "$tmp/out" ]; then
		fail "$name" "exit $rc: $(head -c 300 "$tmp/out" "$tmp/err" | tr '\n' ' ')"
	else
		pass "$name"
	fi
done

# Symbol gate, with a temporary export list.
printf '# test exports\nfw_log_write\n\nmemcpy # compiler may emit it\n' >"$tmp/exports.txt"
ok=1
for s in sym_accept sym_accept_other sym_reject; do
	gcc -c -O2 -ffreestanding -fno-pic -o "$tmp/$s.o" "tests/lint/$s.c" 2>"$tmp/err" || {
		fail "$s" "gcc -c failed: $(head -c 300 "$tmp/err")"
		ok=0
	}
done
if [ $ok -eq 1 ]; then
	tools/gate/check_exports.sh "$tmp/exports.txt" "$tmp/sym_accept.o" "$tmp/sym_accept_other.o" >"$tmp/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && [ ! -s "$tmp/out" ]; then pass sym_accept
	else fail sym_accept "exit $rc: $(head -c 300 "$tmp/out" | tr '\n' ' ')"; fi

	tools/gate/check_exports.sh "$tmp/exports.txt" "$tmp/sym_accept.o" >"$tmp/out" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && grep -q "undefined symbol 'svc_other'" "$tmp/out"; then pass sym_reject_missing_peer
	else fail sym_reject_missing_peer "exit $rc: $(head -c 300 "$tmp/out" | tr '\n' ' ')"; fi

	tools/gate/check_exports.sh "$tmp/exports.txt" "$tmp/sym_reject.o" "$tmp/sym_accept_other.o" >"$tmp/out" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && grep -q "sym_reject.o: undefined symbol 'fw_mm_pte_write_raw' is not exported by the framework" "$tmp/out"; then
		pass sym_reject
	else fail sym_reject "exit $rc: $(head -c 300 "$tmp/out" | tr '\n' ' ')"; fi
fi

[ $fails -eq 0 ]
