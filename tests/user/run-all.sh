#!/bin/sh
# run-all.sh [DIR [NAME...]]: run every DIR/t_* test binary (default
# DIR=/tests), or only the NAMEs given,
# passing their PASS/FAIL/DONE lines through.  A binary that exits with
# anything but 0 (all passed) or 1 (some case failed, already reported)
# crashed or was killed: that is reported as a FAIL line of its own.
# Ends with a summary line and USER-TESTS-DONE.  Plain POSIX sh (busybox).
# With FAIL_TESTS set, each test runs marked make-it-fail, so that the
# kernel's fault injection (fail_task_filter) fails its calls only.
dir=${1:-/tests}
[ $# -gt 0 ] && shift
total_bad=0
nprog=0
named=$#
if [ $# -gt 0 ]; then
    set -- $(for n in "$@"; do echo "$dir/$n"; done)
else
    set -- "$dir"/t_*
fi
for t in "$@"; do
    if ! [ -f "$t" ] || ! [ -x "$t" ]; then
        if [ "$named" -gt 0 ]; then
            echo "FAIL ${t##*/}.missing: no such test program in $dir"
            total_bad=$((total_bad + 1))
        fi
        continue
    fi
    case "$t" in *.sh|*.c|*.h) continue ;; esac
    name=${t##*/}
    nprog=$((nprog + 1))
    echo "RUN $name"
    if [ -n "${FAIL_TESTS:-}" ]; then
        # Fault injection for the test only (fail_task_filter): it marks
        # itself make-it-fail and becomes the test.
        sh -c 'echo 1 >/proc/self/make-it-fail && exec "$0"' "$t" </dev/null
    else
        "$t" </dev/null
    fi
    rc=$?
    case $rc in
        0) ;;
        1) total_bad=$((total_bad + 1)) ;;
        *) echo "FAIL ${name#t_}.process: exit status $rc (crashed or killed?)"
           total_bad=$((total_bad + 1)) ;;
    esac
done
echo "USER-TESTS-SUMMARY programs=$nprog failing=$total_bad"
echo "USER-TESTS-DONE"
