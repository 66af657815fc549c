#!/usr/bin/env bash
# tests/integration/powercut.sh: pull the plug in the middle of an ext4
# workload, again and again.
#
# Each cut: a fresh mkfs.ext4 disk; the guest (disk/init, phase churn)
# runs rounds of creates, a 2 MiB copy, renames, symlinks, deletes and
# appends, and says on the console what it made durable: "SYNCED n" after
# sync(2) of round n, "FSYNCED applog n" after fsync(2) of an appended
# file, "FSYNCED big n" after fdatasync(2) of the copy. The host kills
# QEMU (SIGKILL) at an instant drawn from POWERCUT_SEED (default 1), 3 to
# 12 s after the boot began. The next boot (phase recover) mounts the
# disk, which replays the journal, and checks that every round, append and
# copy the console reported is intact; then e2fsck -fn must find nothing.
#
# Sourced by devices.sh (POWERCUTS=3 in `make test`: its helpers and disk
# initramfs), or run alone with POWERCUTS cuts (default 30: `make
# powercut`), ending with "N passed, N failed".

# powercut_series: POWERCUTS cuts (default 3), judged.
powercut_series() {
	local cut ms log synced applog big
	RANDOM=${POWERCUT_SEED:-1}
	make -s ISO="$out/disk-churn.iso" APPEND="fw.exit=isa disktest=churn diskfs=ext4" \
		INITRD="$dsk/initrd.cpio" "$out/disk-churn.iso" >"$out/disk-churn.build.log" 2>&1 ||
		fail "disk.powercut.build" "see $out/disk-churn.build.log"
	for cut in $(seq 1 "${POWERCUTS:-3}"); do
		"$(e2bin mkfs.ext4)" -q -F "$dsk/cut.img" 64M >/dev/null 2>&1
		ms=$((3000 + RANDOM % 9000))
		log=$out/disk-churn-$cut.log
		# (a subshell: the shell's "Killed" goes to /dev/null too)
		(timeout -s KILL "$((ms / 1000)).$(printf %03d $((ms % 1000)))" \
			qemu-system-x86_64 -machine q35 -cpu max -m 512 -smp 2 \
			-no-reboot -display none -serial "file:$log" \
			-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
			-cdrom "$out/disk-churn.iso" -boot d \
			-drive file="$dsk/cut.img",if=none,format=raw,id=d0 \
			-device virtio-blk-pci,drive=d0 >/dev/null 2>&1) 2>/dev/null
		synced=$(reported "$log" 'SYNCED')
		applog=$(reported "$log" 'FSYNCED applog')
		big=$(reported "$log" 'FSYNCED big')
		echo "    (power cut $cut after ${ms} ms: $synced rounds synced, append $applog and copy $big fsynced)"
		if grep -q PANIC "$log"; then
			fail "disk.powercut-$cut.churn" "kernel panic before the cut"
		fi
		DISK_FS=ext4 DISK_APPEND="synced=$synced applog=$applog big=$big cut=$cut" \
			disk_boot "disk-recover-$cut" recover "$dsk/cut.img"
		fsck_clean "powercut-$cut-e2fsck-clean" "$dsk/cut.img"
	done
}

# reported LOG WHAT: the last n of the console's "WHAT n" lines, 0 if none.
reported() {
	local n
	n=$(tr -d '\r' <"$1" | sed -n "s/^$2 \([0-9]*\)\$/\1/p" | tail -n 1)
	echo "${n:-0}"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	cd "$(dirname "$0")/../.."
	out=build/powercut
	dsk=$out
	status=0
	rm -rf "$out" && mkdir -p "$out/initrd"
	. tests/integration/lib.sh
	cp tests/integration/disk/init "$out/initrd/init"
	if ! tools/mkinitrd.sh "$dsk/initrd.cpio" "$out/initrd" >"$out/initrd.log" 2>&1; then
		echo "powercut: the initramfs did not build (see $out/initrd.log)" >&2
		exit 1
	fi
	POWERCUTS=${POWERCUTS:-30} powercut_series | tee "$out/results"
	echo "$(grep -c '^PASS ' "$out/results") passed, $(grep -c '^FAIL ' "$out/results") failed"
	! grep -q '^FAIL ' "$out/results"
fi
