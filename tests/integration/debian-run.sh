# tests/integration/debian-run.sh: one long session in the Debian system,
# for `make fuzz` and `make soak` (tests/integration/fuzz.sh, soak.sh).
#
# debian_run NAME SESSION SECONDS: boot Debian (tools/mkdebian.sh's image,
# a fresh copy) with root=/dev/vda, log in as root, run the session file
# SESSION (tools/serial-session.py: its cases print PASS/FAIL
# NAME.<case>) within SECONDS, power off through sysvinit; then the host's
# e2fsck -fn must find the disk clean. Uses lib.sh's pass/fail and $out.
debian_run() {
	local name=$1 session=$2 secs=$3
	if ! tools/mkdebian.sh >"$out/mkdebian.log" 2>&1; then
		fail "$name.image" "tools/mkdebian.sh failed (see $out/mkdebian.log)"
		return
	fi
	if ! make -s ISO="$out/debian.iso" APPEND="root=/dev/vda" INITRD= "$out/debian.iso" \
		>"$out/build.log" 2>&1; then
		fail "$name.build" "see $out/build.log"
		return
	fi
	cp --sparse=always build/debian/debian-ext4.img "$out/disk.img"
	SESSION_PREFIX=$name SESSION_LOG=$out/session.log SESSION_LOGIN=root:debian \
		SESSION_BOOT_S=400 SESSION_POWEROFF_S=180 timeout "$secs" \
		/usr/bin/python3 tools/serial-session.py "$session" -- \
		qemu-system-x86_64 -machine q35 -cpu max -m 1024 -smp 2 -no-reboot \
		-nographic -cdrom "$out/debian.iso" -boot d \
		-drive file="$out/disk.img",if=none,format=raw,id=vda \
		-device virtio-blk-pci,drive=vda
	if grep -q "reboot: Power down" "$out/session.log"; then
		pass "$name.halted_by_sysvinit"
	else
		fail "$name.halted_by_sysvinit" "no 'reboot: Power down' (see $out/session.log)"
	fi
	if "$(e2bin e2fsck)" -fn "$out/disk.img" >"$out/fsck.log" 2>&1; then
		pass "$name.e2fsck_clean"
	else
		fail "$name.e2fsck_clean" "e2fsck -fn found problems:"
		tail -n 5 "$out/fsck.log" | sed 's/^/    /'
	fi
}
