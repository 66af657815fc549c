#!/bin/sh
# trinity_check.sh USER CALLS SEED [--dangerous]: Debian's syscall fuzzer
# against the kernel, in the Debian system (tests/integration/debian/
# login.session, and `make fuzz`: tests/integration/fuzz.sh).
#
# trinity makes CALLS random system calls with arguments of the right
# kinds (file descriptors of many types, addresses of its own mappings,
# paths under /proc, /sys and /dev) from 4 child processes, as USER. What
# is judged is the kernel, not trinity: afterwards every trinity process
# must go when killed (nothing stuck in the kernel), and the kernel's heap
# must be back to what it was before (after the page and block caches
# are dropped, and the System V IPC objects trinity made and left, as on
# Linux, are removed). The shell running this is the proof that the
# kernel still answers.
#
# Prints "ok trinity USER: ..." or "fail trinity USER: why". Whether
# trinity itself got through its CALLS is said on the ok line (its main
# process stopped short now and then before the prlimit64 and /proc
# fixes; see the README).
#
# trinity works (creates, renames, deletes) in a tmpfs of its own, which
# must unmount afterwards: nothing it did may leave a reference behind.
# The session's step deadline bounds the run.
#
# -P INET: with no -P, trinity 1.9 fills its socket pool from random
# families and, on a kernel with few of them, indexes one past its table
# of families and crashes itself (net_protocols[45], a value of 1).
# --dangerous lets trinity run as root (it refuses otherwise); the calls
# that would end the test rather than judge the kernel stay out: reboot,
# kexec, and the ones that take the machine's devices and mounts away
# (swapoff, umount, pivot_root, module loading); its descriptors and
# paths come from its own tmpfs (-V) and the kinds it makes itself, not
# from /dev, /proc and /sys (--disable-fds=pseudo), or root's trinity
# would write at random to the disk and to /proc/sysrq-trigger.
user=$1 calls=$2 seed=$3 mode=${4:-}
dir=/tmp/trinity-$user
fail() { echo "fail trinity $user: $*"; exit 1; }

heap() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '$1 == "Slab:" { print $2 }' /proc/meminfo
}

# No trinity process left after a SIGKILL to all of them, within 120 s.
gone() {
	pkill -KILL -f '^trinity' 2>/dev/null
	i=0
	while pgrep -f '^trinity' >/dev/null; do
		i=$((i + 1))
		[ $i -le 120 ] || return 1
		sleep 1
	done
}

umount "$dir" 2>/dev/null
rm -rf "$dir" && mkdir -p "$dir" || fail "no $dir"
mount -t tmpfs -o size=64m,mode=1777 trinity "$dir" || fail "no tmpfs on $dir"
before=$(heap)
cd "$dir" || fail "no $dir"
# su gives trinity the user's identity; it makes its CALLS in about a
# minute here.
opts="-q -l off -N $calls -a 64 -s $seed -C 4 -P INET"
if [ "$mode" = --dangerous ]; then
	opts="$opts --dangerous --disable-fds=pseudo -V $dir -x reboot -x kexec_load -x kexec_file_load -x umount -x pivot_root -x swapoff -x init_module -x delete_module"
fi
su "$user" -s /bin/sh -c "trinity $opts" >"$dir.out" 2>&1
rc=$?
cd / || exit 1
ran=$(sed -n 's/.*Ran \([0-9]*\) syscalls.*/\1/p' "$dir.out" | tail -n 1)
if [ -n "$ran" ]; then
	how="ran $ran calls"
else
	how="stopped short (exit $rc: $(grep -v '^\[' "$dir.out" | tail -n 1))"
fi
gone || fail "trinity processes left after SIGKILL: $(pgrep -a -f '^trinity' | tr '\n' ' ')"
rm -rf "$dir.out"
umount "$dir" || fail "its tmpfs stays busy after it ($how)"
rmdir "$dir"
ipcrm -a 2>/dev/null
after=$(heap)
# 512 KiB of slack for what the system's own daemons and caches hold from
# moment to moment (runs here grew it by 9 to 173 kB). HEAP_CHECK=no when
# other loads run meanwhile (debian/soak_check.sh judges the heap then).
[ "${HEAP_CHECK:-}" = no ] || [ $((after - before)) -le 512 ] ||
	fail "kernel heap grew from $before kB to $after kB ($how)"
echo "ok trinity $user: $how, heap $before kB -> $after kB"
