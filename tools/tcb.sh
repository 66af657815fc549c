#!/bin/sh
# tools/tcb.sh: measure the trusted computing base (`make tcb`).
#
# Layer: build tooling. Counts non-blank, non-comment lines of *.c *.h *.asm
# *.S *.ld in framework/ + arch/x86_64/ (the TCB) and in services/, and prints
# the TCB share, the way Asterinas reports OSTD's share of the kernel, then
# the lines of each service folder.
# Comments stripped: C /* */ and // (also in .S and .ld, which go through cpp),
# NASM ';' in .asm. String and character literals are tracked so "/*" or ";"
# inside them is not a comment. Lines continued inside a comment count only if
# they also hold code. Not exact for every corner (trigraphs, // inside a
# multi-line macro continuation are counted as comments), but honest.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2

depth= # "-maxdepth 1" below: count a folder's own files, not its subfolders
count() {
	# $@: directories
	dirs=
	for d in "$@"; do [ -d "$d" ] && dirs="$dirs $d"; done
	if [ -z "$dirs" ]; then echo 0; return; fi
	# shellcheck disable=SC2086
	find $dirs $depth -type f \( -name '*.c' -o -name '*.h' -o -name '*.asm' -o -name '*.S' -o -name '*.ld' \) -print |
	LC_ALL=C sort | while IFS= read -r f; do
		case "$f" in
		*.asm) mode=asm ;;
		*) mode=c ;;
		esac
		awk -v mode="$mode" '
		BEGIN { incomment = 0; n = 0 }
		{
			line = $0; code = 0; i = 1; L = length(line); instr = ""
			while (i <= L) {
				c = substr(line, i, 1); c2 = substr(line, i, 2)
				if (incomment) {
					if (c2 == "*/") { incomment = 0; i += 2; continue }
					i++; continue
				}
				if (instr != "") {
					code = 1
					if (c == "\\") { i += 2; continue }
					if (c == instr) instr = ""
					i++; continue
				}
				if (mode == "asm") {
					if (c == ";") break
					if (c == "\"" || c == "'"'"'" || c == "`") { instr = c; code = 1; i++; continue }
					if (c !~ /[ \t\r\f]/) code = 1
					i++; continue
				}
				if (c2 == "/*") { incomment = 1; i += 2; continue }
				if (c2 == "//") break
				if (c == "\"" || c == "'"'"'") { instr = c; code = 1; i++; continue }
				if (c !~ /[ \t\r\f\\]/) code = 1
				i++
			}
			if (code) n++
		}
		END { print n }' "$f"
	done | awk '{ s += $1 } END { print s + 0 }'
}

tcb=$(count framework arch/x86_64)
svc=$(count services)
echo "framework+arch (TCB): $tcb lines"
echo "services: $svc lines"
awk -v t="$tcb" -v s="$svc" 'BEGIN {
	if (t + s == 0) print "TCB share: n/a (no code yet)"
	else printf "TCB share: %.1f%%\n", 100.0 * t / (t + s)
}'
# Each folder of services/ on its own (its files, not its subfolders'):
# where the service code is; tools/check-layout.py keeps each one small.
depth="-maxdepth 1"
echo "services, by folder:"
find services -type d | LC_ALL=C sort | while IFS= read -r d; do
	n=$(count "$d")
	[ "$n" -gt 0 ] && printf '  %-24s %6d lines\n' "$d/" "$n"
done
