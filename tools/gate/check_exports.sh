#!/bin/sh
# tools/gate/check_exports.sh: the symbol gate.
#
# Layer: build tooling (host side). Every undefined symbol of a services object
# must be exported by the framework (framework/exports.txt, like Unikraft's
# exportsyms.uk) or defined by another services object on the command line, so
# a service cannot `extern`-declare its way into framework internals.
#
# Usage: tools/gate/check_exports.sh framework/exports.txt obj1.o obj2.o ...
# exports file: one symbol per line; '#' comments and blank lines are allowed.
# Exit: 0 clean, 1 a symbol is not exported, 2 usage/tool error.
set -u
NM=${NM:-nm}
if [ $# -lt 1 ]; then
	echo "usage: $0 exports.txt obj.o ..." >&2
	exit 2
fi
exports=$1
shift
if [ ! -r "$exports" ]; then
	echo "$0: cannot read export list '$exports'" >&2
	exit 2
fi
[ $# -eq 0 ] && exit 0

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# Export list: strip comments and whitespace.
sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$exports" | sort -u >"$tmp/exports"

# Symbols defined (globally or weakly) by any of the services objects.
: >"$tmp/defined"
for o in "$@"; do
	if [ ! -r "$o" ]; then
		echo "$0: cannot read object '$o'" >&2
		exit 2
	fi
	"$NM" --defined-only -P "$o" >"$tmp/nm" 2>"$tmp/err" || {
		cat "$tmp/err" >&2
		exit 2
	}
	awk '$2 ~ /^[A-Z]$/ || $2 == "u" || $2 == "i" { print $1 }' "$tmp/nm" >>"$tmp/defined"
done
sort -u "$tmp/defined" -o "$tmp/defined"
cat "$tmp/exports" "$tmp/defined" | sort -u >"$tmp/allowed"

status=0
for o in "$@"; do
	"$NM" -u -P "$o" >"$tmp/nm" 2>"$tmp/err" || {
		cat "$tmp/err" >&2
		exit 2
	}
	awk '{ print $1 }' "$tmp/nm" | sort -u >"$tmp/undef"
	# undefined symbols not in the allowed set
	comm -23 "$tmp/undef" "$tmp/allowed" >"$tmp/bad"
	while IFS= read -r sym; do
		[ -n "$sym" ] || continue
		echo "$o: undefined symbol '$sym' is not exported by the framework ($exports)"
		status=1
	done <"$tmp/bad"
done
exit $status
