#!/bin/sh
# tests/redteam/static.sh: the static half of the red-team corpus (issue 10).
#
# Every tests/redteam/static/*.c is a would-be service file that tries to
# corrupt memory, or to get past a gate rule, in one way. Its first line says
# what the attack would do at run time and what must stop it:
#
#   /* redteam: <what it would do>. expect: <gate rule> */
#   /* redteam: <what it would do>. expect: cc:<part of gcc's error> */
#
# A gate rule is checked by running tools/gate/check_services.py with the real
# services flags (make -s print-services-cflags) over the file (and over the
# peer file named by "redteam-with: <path>", for rules that compare files);
# the rule must be reported (other rules may fire too). A cc: expectation is
# checked by compiling the file with gcc and the services flags, which must
# fail with that text in its diagnostics. peers/ holds the peers; they are not
# attacks themselves.
#
# Prints one "PASS redteam.static.<name>" or "FAIL redteam.static.<name>: why"
# line per file; exits 1 if any failed. Run from anywhere.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2
PY=/usr/bin/python3
CC=${CC:-gcc}
CFLAGS=$(make -s print-services-cflags) || {
	echo "FAIL redteam.static: make print-services-cflags failed"
	exit 1
}

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
count=0
pass() { echo "PASS redteam.static.$1"; }
fail() { echo "FAIL redteam.static.$1: $2"; fails=$((fails + 1)); }
snip() { head -c 300 "$@" | tr '\n' ' '; }

for f in tests/redteam/static/*.c; do
	[ -e "$f" ] || continue
	count=$((count + 1))
	name=$(basename "$f" .c)
	first=$(head -n 1 "$f")
	case "$first" in
	"/* redteam: "*) ;;
	*)
		fail "$name" "first line is not '/* redteam: ... expect: ... */'"
		continue
		;;
	esac
	expect=$(printf '%s\n' "$first" | sed -n 's/.*expect: *\(.*[^ ]\) *\*\/ *$/\1/p')
	if [ -z "$expect" ]; then
		fail "$name" "no 'expect:' on the first line"
		continue
	fi
	peers=$(printf '%s\n' "$first" | sed -n 's/.*redteam-with: *\([^ ]*\.c\).*/\1/p')
	case "$expect" in
	cc:*)
		want=${expect#cc:}
		# shellcheck disable=SC2086 # CFLAGS is a list of flags
		if $CC $CFLAGS -c -o /dev/null "$f" >"$tmp/out" 2>&1; then
			fail "$name" "gcc compiled it; want an error containing '$want'"
		elif grep -qF -- "$want" "$tmp/out"; then
			pass "$name"
		else
			fail "$name" "gcc failed without '$want': $(snip "$tmp/out")"
		fi
		;;
	*)
		# shellcheck disable=SC2086 # peers: plain paths
		$PY tools/gate/check_services.py --cflags "$CFLAGS" $peers "$f" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		if [ $rc -eq 0 ]; then
			fail "$name" "the gate accepted it; want rule '$expect'"
		elif grep -q ": $expect: " "$tmp/out"; then
			pass "$name"
		else
			fail "$name" "rule '$expect' not reported (exit $rc): $(snip "$tmp/out" "$tmp/err")"
		fi
		;;
	esac
done

if [ $count -eq 0 ]; then
	fail corpus "no files in tests/redteam/static/"
fi
[ $fails -eq 0 ]
