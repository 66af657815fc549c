#!/usr/bin/env bash
# tests/integration/soak.sh: `make soak`, a long mixed load (issue 16).
#
# The Debian system runs debian/soak_check.sh for SOAK_SECONDS (default
# 3600): stress-ng with --verify, trinity as nobody and 16 MiB file copies
# with checksums on the ext4 root, all at once. Judged: every load ended
# when the time was up and every round passed, the kernel heap is back
# within 2 MiB; then poweroff through sysvinit and e2fsck -fn clean.
# `make test` runs a 60 s sample. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
out=build/soak
status=0
rm -rf "$out" && mkdir -p "$out"
. tests/integration/lib.sh
. tests/integration/debian-run.sh
secs=${SOAK_SECONDS:-3600}
cat >"$out/soak.session" <<EOF
@soak
+ $((secs + 900))
> sh /root/tests/soak_check.sh $secs
~ (^|\n)ok soak
EOF
{
	debian_run soak "$out/soak.session" $((secs + 2400))
	tr -d '\r' <"$out/session.log" | grep -o "\(ok\|fail\) soak .*" | sed 's/^/    /'
} | tee "$out/results"
echo "$(grep -c '^PASS ' "$out/results") passed, $(grep -c '^FAIL ' "$out/results") failed"
! grep -q '^FAIL ' "$out/results"
