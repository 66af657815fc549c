# tests/integration/debian.sh: Debian's own system on this kernel. Sourced
# by run.sh (uses its pass/fail and $out).
#
# tools/mkdebian.sh makes a Debian bookworm root file system with
# mmdebstrap (once, cached in build/debian/) on an ext4 disk; the kernel
# boots it with root=/dev/vda: sysvinit's rc scripts run, getty asks for a
# login on the serial console, root logs in with a password (PAM,
# /etc/shadow), a session of Debian programs runs, and `poweroff` halts
# the machine through sysvinit's runlevel 0. The disk is e2fsck-clean
# afterwards. Each boot starts from a fresh copy of the image.
#
# The network comes up by the kernel's DHCP client (ip=dhcp) on QEMU's
# user network, with the guest's port 22 forwarded to a free port of the
# host's 127.0.0.1: OpenSSH's sshd, started by its rc script, lets the
# host's ssh and scp in with the key mkdebian.sh made
# (debian/ssh-host.sh, while the session waits for it).
deb=$out/debian
mkdir -p "$deb"
if ! tools/mkdebian.sh >"$deb/mkdebian.log" 2>&1; then
	fail "debian.image" "tools/mkdebian.sh failed (see $deb/mkdebian.log):"
	tail -n 5 "$deb/mkdebian.log" | sed 's/^/    /'
elif ! make -s ISO="$out/debian.iso" APPEND="root=/dev/vda ip=dhcp" INITRD= "$out/debian.iso" \
	>"$deb/build.log" 2>&1; then
	fail "debian.build" "see $deb/build.log"
else
	pass "debian.image"
	cp --sparse=always build/debian/debian-ext4.img "$deb/disk.img"
	rm -f "$deb/session.log"
	# A port of the host free now (its kernel picks one).
	sshport=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	timeout 1500 tests/integration/debian/ssh-host.sh "$sshport" build/debian/ssh_key \
		"$deb/session.log" "$deb" >"$deb/ssh-host.out" 2>"$deb/ssh-host.err" &
	ssh_host_pid=$!
	SESSION_PREFIX=debian SESSION_LOG=$deb/session.log SESSION_LOGIN=root:debian \
		SESSION_BOOT_S=400 SESSION_POWEROFF_S=180 timeout 1400 \
		/usr/bin/python3 tools/serial-session.py tests/integration/debian/login.session -- \
		qemu-system-x86_64 -machine q35 -cpu max -m 512 -smp 2 -no-reboot \
		-nographic -cdrom "$out/debian.iso" -boot d \
		-drive file="$deb/disk.img",if=none,format=raw,id=vda \
		-device virtio-blk-pci,drive=vda \
		-netdev user,id=n0,hostfwd=tcp:127.0.0.1:$sshport-:22 \
		-device virtio-net-pci,netdev=n0 || status=1
	kill "$ssh_host_pid" 2>/dev/null
	wait "$ssh_host_pid" 2>/dev/null
	cat "$deb/ssh-host.out"
	! grep -q "^FAIL" "$deb/ssh-host.out" || status=1
	for c in command_output pty_session scp_up_intact scp_down_intact; do
		grep -q "^\(PASS\|FAIL\) debian\.ssh\.$c\b" "$deb/ssh-host.out" ||
			fail "debian.ssh.$c" "the host's side did not get this far (see $deb/ssh-host.err)"
	done
	# Debian's checkroot.sh ran fsck.ext4 on the root at boot (fstab
	# pass 1), and it found the file system clean.
	if tr -d '\r' <"$deb/session.log" | grep -q "^Checking root file system\.\.\.debian: clean,"; then
		pass "debian.fsck_at_boot_clean"
	else
		fail "debian.fsck_at_boot_clean" "no 'Checking root file system...debian: clean' (see $deb/session.log)"
	fi
	if grep -q "reboot: Power down" "$deb/session.log"; then
		pass "debian.halted_by_sysvinit"
	else
		fail "debian.halted_by_sysvinit" "no 'reboot: Power down' (see $deb/session.log)"
	fi
	if "$(e2bin e2fsck)" -fn "$deb/disk.img" >"$deb/fsck.log" 2>&1; then
		pass "debian.e2fsck_clean"
	else
		fail "debian.e2fsck_clean" "e2fsck -fn found problems:"
		tail -n 5 "$deb/fsck.log" | sed 's/^/    /'
	fi
fi
