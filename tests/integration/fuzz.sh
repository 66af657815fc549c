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
calls=${FUZZ_CALLS:-1000000}
root_calls=${FUZZ_ROOT_CALLS:-200000}
seed=${FUZZ_SEED:-1}
# The session's deadline per step: trinity makes about 700 calls a
# second here; four times that, and at least 10 minutes.
deadline() { local s=$(($1 * 4 / 700)); echo $((s < 600 ? 600 : s)); }

{
	if ! tools/mkdebian.sh >"$out/mkdebian.log" 2>&1; then
		fail "fuzz.image" "tools/mkdebian.sh failed (see $out/mkdebian.log)"
	elif ! make -s ISO="$out/debian.iso" APPEND="root=/dev/vda" INITRD= "$out/debian.iso" \
		>"$out/build.log" 2>&1; then
		fail "fuzz.build" "see $out/build.log"
	else
		cat >"$out/fuzz.session" <<-EOF
			@trinity_nobody
			+ $(deadline "$calls")
			> sh /root/tests/trinity_check.sh nobody $calls $seed
			~ (^|\n)ok trinity nobody
			@trinity_root_dangerous
			+ $(deadline "$root_calls")
			> sh /root/tests/trinity_check.sh root $root_calls $seed --dangerous
			~ (^|\n)ok trinity root
		EOF
		cp --sparse=always build/debian/debian-ext4.img "$out/disk.img"
		total=$(($(deadline "$calls") + $(deadline "$root_calls") + 900))
		SESSION_PREFIX=fuzz SESSION_LOG=$out/session.log SESSION_LOGIN=root:debian \
			SESSION_BOOT_S=400 SESSION_POWEROFF_S=180 timeout "$total" \
			/usr/bin/python3 tools/serial-session.py "$out/fuzz.session" -- \
			qemu-system-x86_64 -machine q35 -cpu max -m 1024 -smp 2 -no-reboot \
			-nographic -cdrom "$out/debian.iso" -boot d \
			-drive file="$out/disk.img",if=none,format=raw,id=vda \
			-device virtio-blk-pci,drive=vda
		tr -d '\r' <"$out/session.log" | grep "^ok trinity\|^fail trinity" | sed 's/^/    /'
		if grep -q "reboot: Power down" "$out/session.log"; then
			pass "fuzz.halted_by_sysvinit"
		else
			fail "fuzz.halted_by_sysvinit" "no 'reboot: Power down' (see $out/session.log)"
		fi
		if "$(e2bin e2fsck)" -fn "$out/disk.img" >"$out/fsck.log" 2>&1; then
			pass "fuzz.e2fsck_clean"
		else
			fail "fuzz.e2fsck_clean" "e2fsck -fn found problems:"
			tail -n 5 "$out/fsck.log" | sed 's/^/    /'
		fi
	fi
} | tee "$out/results"
echo "$(grep -c '^PASS ' "$out/results") passed, $(grep -c '^FAIL ' "$out/results") failed"
! grep -q '^FAIL ' "$out/results"
