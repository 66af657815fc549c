#!/usr/bin/env bash
# tools/syscall-list.sh: the README's list of supported system calls.
#
# The list is generated from the syscall tables in services/ (every
# `{ __NR_x, "x", sys_x }` entry), so it cannot drift from the code:
#   tools/syscall-list.sh           print the list (markdown)
#   tools/syscall-list.sh --update  rewrite it between the README markers
#   tools/syscall-list.sh --check   PASS/FAIL line: is the README current?
set -euo pipefail
cd "$(dirname "$0")/.."
list() {
	local names
	# Two spellings: { __NR_x, "x", sys_x } and, in tables that define
	# a shorthand E(x) for exactly that, E(x).
	names=$( {
		grep -rhoE '\{ *__NR_[a-z0-9_]+, *"[a-z0-9_]+"' services --include='*.c' |
			sed -E 's/.*"([a-z0-9_]+)"/\1/'
		for f in $(grep -rl '^#define E(' services --include='*.c'); do
			grep -oE '^[[:space:]]*E\([a-z0-9_]+\)' "$f" | sed -E 's/.*E\(([a-z0-9_]+)\)/\1/'
		done
	} | LC_ALL=C sort -u)
	echo "$(echo "$names" | wc -l) system calls, by Linux x86-64 name:"
	echo
	echo "$names" | awk '{ printf "%s`%s`", (NR > 1 ? ", " : ""), $0 } END { print "" }' | fold -s -w 76 | sed 's/ *$//'
}
begin='<!-- syscalls:begin -->'
end='<!-- syscalls:end -->'
case "${1:-}" in
--update)
	body=$(list)
	awk -v b="$begin" -v e="$end" -v body="$body" '
		$0 == b { print; print body; skip = 1; next }
		$0 == e { skip = 0 }
		!skip { print }' README.md > README.md.new && mv README.md.new README.md ;;
--check)
	want=$(list)
	have=$(awk -v b="$begin" -v e="$end" '$0 == e { p = 0 } p { print } $0 == b { p = 1 }' README.md)
	if [ "$want" = "$have" ]; then
		echo "PASS readme.syscall-list"
	else
		echo "FAIL readme.syscall-list: README.md is out of date; run tools/syscall-list.sh --update"
		exit 1
	fi ;;
*) list ;;
esac
