#!/bin/sh
# soak_check.sh SECONDS: a mixed load on the kernel for SECONDS, in the
# Debian system (`make soak`: tests/integration/soak.sh; a short sample
# in debian/login.session), then the kernel is judged.
#
# Three loads run at once until the time is up:
#   - stress-ng with --verify, in rounds: a CPU/memory/IPC mix (fork,
#     pipe, futex, vm, sem, timer, dir, rename, hdd) on /dev/shm, sized
#     for the test's 512 MiB machine (64 MiB of vm, 16 MiB of hdd);
#   - trinity as nobody (debian/trinity_check.sh), in rounds of 20,000
#     calls, each judged as in `make test`;
#   - file copies on the ext4 root: a 16 MiB file of random bytes copied,
#     renamed, synced and compared with its checksum, again and again.
# Judged at the end: every load ended by itself when the time was up (no
# hang), each round of each passed, and the kernel heap (Slab, after the
# caches are dropped) is back within 2 MiB of where it was. The disk is
# e2fsck'd by the host after poweroff.
#
# Prints "ok soak: ..." or "fail soak: why".
secs=$1
work=/root/soak
fail() { echo "fail soak: $*"; exit 1; }
heap() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '$1 == "Slab:" { print $2 }' /proc/meminfo
}
until_end() { [ "$(date +%s)" -lt "$end" ]; }

rm -rf "$work" && mkdir -p "$work" || fail "no $work"
before=$(heap)
end=$(($(date +%s) + secs))

(
	n=0
	while until_end; do
		(cd /dev/shm && stress-ng --fork 1 --pipe 1 --futex 1 --vm 1 \
			--vm-bytes 64m --sem 1 --timer 1 --dir 1 --rename 1 --hdd 1 \
			--hdd-bytes 16m --timeout 10 --verify) >"$work/stress.last" 2>&1 ||
			{ echo "stress-ng round $n: $(grep -E 'fail|error' "$work/stress.last" | head -n 1)"; exit 1; }
		n=$((n + 1))
	done
	echo "stress-ng: $n rounds"
) >"$work/stress.out" 2>&1 &
stress=$!

(
	n=0
	while until_end; do
		r=$(HEAP_CHECK=no sh /root/tests/trinity_check.sh nobody 20000 $((n + 1)))
		case $r in ok*) ;; *) echo "trinity round $n: $r"; exit 1 ;; esac
		n=$((n + 1))
	done
	echo "trinity: $n rounds"
) >"$work/trinity.out" 2>&1 &
trinity=$!

(
	head -c 16777216 /dev/urandom >"$work/orig" || exit 1
	sum=$(md5sum <"$work/orig")
	n=0
	while until_end; do
		cp "$work/orig" "$work/copy.tmp" && mv "$work/copy.tmp" "$work/copy" && sync ||
			{ echo "copy round $n failed"; exit 1; }
		[ "$(md5sum <"$work/copy")" = "$sum" ] || { echo "copy round $n: checksum differs"; exit 1; }
		rm -f "$work/copy"
		n=$((n + 1))
	done
	echo "copies: $n rounds of 16 MiB"
) >"$work/copy.out" 2>&1 &
copy=$!

# Each load stops at its first round after the end; one round of any is
# at most a few minutes (trinity's is bounded by its own gone() wait).
rc=0
for p in $stress $trinity $copy; do
	wait $p || rc=1
done
what="$(cat "$work/stress.out" "$work/trinity.out" "$work/copy.out" | tr '\n' ';')"
[ $rc = 0 ] || fail "$what"
rm -rf "$work"
after=$(heap)
[ $((after - before)) -le 2048 ] || fail "kernel heap grew from $before kB to $after kB ($what)"
echo "ok soak ${secs}s: $what heap $before kB -> $after kB"
