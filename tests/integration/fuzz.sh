#!/usr/bin/env bash
# tests/integration/fuzz.sh: `make fuzz`, the long syscall-fuzzing run
# (issue 16).
#
# The Debian system (tools/mkdebian.sh, as the Debian test boots it) runs
# Debian's trinity through debian/trinity_check.sh: FUZZ_CALLS random
# calls as `nobody` (default 1,000,000), then FUZZ_ROOT_CALLS as root
# with --dangerous (default 200,000; reboot, kexec, umount, swapoff and
# module loading left out, and no descriptors of /dev, /proc or /sys),
# each seeded with FUZZ_SEED (default 1). Each is judged as in `make
# test` (the shell answers, every trinity process goes on SIGKILL, its
# tmpfs unmounts, the kernel heap is back within 512 KiB); then the
# system powers off through sysvinit and the disk must be e2fsck-clean.
# `make test` runs the same with 20,000 and 10,000 calls. About 30
# minutes for the defaults here. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
out=build/fuzz
status=0
rm -rf "$out" && mkdir -p "$out"
. tests/integration/lib.sh
. tests/integration/debian-run.sh
calls=${FUZZ_CALLS:-1000000}
root_calls=${FUZZ_ROOT_CALLS:-200000}
seed=${FUZZ_SEED:-1}
# The session's deadline per step: trinity makes about 700 calls a
# second here; four times that, and at least 10 minutes.
deadline() { local s=$(($1 * 4 / 700)); echo $((s < 600 ? 600 : s)); }

cat >"$out/fuzz.session" <<EOF
@trinity_nobody
+ $(deadline "$calls")
> sh /root/tests/trinity_check.sh nobody $calls $seed
~ (^|\n)ok trinity nobody
@trinity_root_dangerous
+ $(deadline "$root_calls")
> sh /root/tests/trinity_check.sh root $root_calls $seed --dangerous
~ (^|\n)ok trinity root
EOF
{
	debian_run fuzz "$out/fuzz.session" $(($(deadline "$calls") + $(deadline "$root_calls") + 900))
	tr -d '\r' <"$out/session.log" | grep -o "\(ok\|fail\) trinity .*" | sed 's/^/    /'
} | tee "$out/results"
echo "$(grep -c '^PASS ' "$out/results") passed, $(grep -c '^FAIL ' "$out/results") failed"
! grep -q '^FAIL ' "$out/results"
