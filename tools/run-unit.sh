#!/usr/bin/env bash
# tools/run-unit.sh: build and run every host unit test under ASan+UBSan.
#
# Each tests/unit/<name>_test.c names the sources it tests on a line
#   /* unit-sources: framework/lib/string.c framework/lib/format.c */
# and is built with them, -DFW_HOST_TEST, and the sanitizers. A test that does
# not build counts as one failure, so a broken build cannot hide cases.
# Each runs for at most UNIT_TIMEOUT seconds (300; make powercut, whose
# cut-after-every-write series is long, gives more).
set -u
cd "$(dirname "$0")/.."
out=build/unit
mkdir -p "$out"
CC=${CC:-cc}
CFLAGS="-std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-function \
 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
 -DFW_HOST_TEST -Iframework/include -Iframework -Iservices -Itests/unit"
only=${1:-}
status=0
for t in tests/unit/*_test.c; do
	name=$(basename "$t" .c)
	[ -n "$only" ] && [ "$name" != "$only" ] && continue
	srcs=$(sed -n 's@.*unit-sources:\(.*\)\*/.*@\1@p' "$t" | head -n 1)
	if ! $CC $CFLAGS -o "$out/$name" "$t" $srcs 2>"$out/$name.build.log"; then
		echo "FAIL unit.$name.build: compiler errors, see $out/$name.build.log"
		sed 's/^/    /' "$out/$name.build.log" | head -n 20
		status=1
		continue
	fi
	if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		timeout "${UNIT_TIMEOUT:-300}" "$out/$name"; then
		# The binary printed its own FAIL lines unless a sanitizer or
		# the timeout killed it; say so in a line the counter sees.
		echo "FAIL unit.$name.exit: exited non-zero (sanitizer report or failed case above)"
		status=1
	fi
done
exit $status
