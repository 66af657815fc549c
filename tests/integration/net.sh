# tests/integration/net.sh: the network link layer in the guest, judged
# from the serial log. Sourced by run.sh (uses its boot/pass/fail and $out).
#
# Boots tests/integration/net/init with `-device virtio-net-pci` on QEMU's
# user network (slirp: the guest is 10.0.2.15/24, the gateway and DHCP
# server 10.0.2.2), on q35/max with 2 CPUs (two NICs and slirp on one QEMU
# hub, so eth1's kernel ARP answers eth0) and on pc/qemu64 with 1 CPU:
# t_packet (interface ioctls, AF_PACKET sockets, BPF, an ARP exchange with
# the gateway), then busybox udhcpc, whose script sets the leased address,
# a ping to the gateway and a TCP transfer from the host (QEMU's
# guestfwd) over eth0 through the IPv4 side, busybox ip, /proc/net/dev
# and /proc/net/arp, and the link state: a
# helper (net-linkctl.py) takes eth0's link down and up through QEMU's
# monitor when the guest asks, and IFF_RUNNING must follow. Then boots
# with ip=dhcp and a static ip= (the kernel's own configuration). Boots without a NIC are the ordinary
# user-test boots above (t_packet skips what needs the device there).
net=$out/net
rm -rf "$net" && mkdir -p "$net/initrd/tests"
if musl-gcc -static -O2 -Wall -Wextra -Werror -o "$net/initrd/tests/t_packet" \
	tests/user/t_packet.c -lpthread >"$net/build.log" 2>&1 &&
	musl-gcc -static -O2 -Wall -Wextra -Werror -o "$net/initrd/tests/t_ipfrag" \
	tests/user/t_ipfrag.c -lpthread >>"$net/build.log" 2>&1 &&
	cp tests/user/run-all.sh "$net/initrd/tests/" &&
	cp -a tests/integration/net/. "$net/initrd/" &&
	tools/mkinitrd.sh "$net/initrd.cpio" "$net/initrd" >>"$net/build.log" 2>&1; then
	# What the guest's TCP connection to 10.0.2.100:1234 reaches (a
	# script: QEMU's argument may hold no spaces here).
	fwd=$net/fwd.sh
	printf '#!/bin/sh\nexec head -c 300000 /dev/zero\n' >"$fwd"
	chmod +x "$fwd"
	for cfg in "net-q35 2" "net-pc 1"; do
		set -- $cfg
		if [ "$1" = net-pc ]; then
			rm -f "$out/$1.log" "$net/$1.mon"
			/usr/bin/python3 tests/integration/net-linkctl.py "$out/$1.log" "$net/$1.mon" &
			linkctl=$!
			BOOT_MACHINE="-machine pc" BOOT_QEMU_ARGS="-netdev user,id=n0,guestfwd=tcp:10.0.2.100:1234-cmd:$fwd
				-device virtio-net-pci,netdev=n0,id=nic0
				-monitor unix:$net/$1.mon,server=on,wait=off" \
				boot "$1" "$2" "fw.exit=isa" 300 "$net/initrd.cpio"
			kill "$linkctl" 2>/dev/null; wait "$linkctl" 2>/dev/null
		else
			# Two NICs and slirp on one hub: eth1 answers eth0's
			# ARP requests (t_packet.kernel_arp_two_nics).
			rm -f "$out/$1.log" "$net/$1.mon"
			/usr/bin/python3 tests/integration/net-linkctl.py "$out/$1.log" "$net/$1.mon" &
			linkctl=$!
			BOOT_QEMU_ARGS="-netdev user,id=n0,guestfwd=tcp:10.0.2.100:1234-cmd:$fwd
				-netdev hubport,id=p0,hubid=0,netdev=n0
				-netdev hubport,id=p1,hubid=0 -device virtio-net-pci,netdev=p1,id=nic0
				-netdev hubport,id=p2,hubid=0 -device virtio-net-pci,netdev=p2
				-monitor unix:$net/$1.mon,server=on,wait=off" \
				boot "$1" "$2" "fw.exit=isa" 300 "$net/initrd.cpio"
			kill "$linkctl" 2>/dev/null; wait "$linkctl" 2>/dev/null
		fi
		log=$out/$1.log
		sed -n "s/^\(PASS\|FAIL\) /\1 $1./p" "$log" | tr -d '\r'
		if grep -q "PANIC" "$log"; then
			fail "integration.$1" "kernel panic:"
			sed -n '/PANIC/,/end kernel panic/p' "$log" | sed 's/^/    /'
		elif ! grep -q "^NET-TESTS-DONE" "$log"; then
			fail "integration.$1" "the network tests did not finish (QEMU status $rc); tail:"
			tail -n 5 "$log" | sed 's/^/    /'
		elif ! grep -q "eth0, 52:54:00:12:34:56" "$log"; then
			fail "integration.$1" "the driver did not register eth0 with QEMU's MAC"
		elif [ "$rc" -ne 1 ]; then
			fail "integration.$1" "QEMU status $rc after poweroff -f (expected 1)"
		else
			pass "integration.$1"
		fi
	done
else
	fail "integration.net.build" "see $net/build.log"
fi

# ip= (issue 13): the kernel configures eth0 itself before /init, by
# DHCP from slirp and statically (the same values, slirp's DNS server as
# dns0); tests/integration/ipconfig/init checks the address, the default
# route, a ping to the gateway and /proc/net/pnp. Then once without a
# DHCP server.
ipc=$net/ipconfig
mkdir -p "$ipc/initrd"
if cp -a tests/integration/ipconfig/. "$ipc/initrd/" &&
	tools/mkinitrd.sh "$ipc/initrd.cpio" "$ipc/initrd" >"$ipc/build.log" 2>&1; then
	for cfg in "ipconfig-dhcp ip=dhcp" \
		"ipconfig-static ip=10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0::eth0:off:10.0.2.3"; do
		set -- $cfg
		BOOT_QEMU_ARGS="-netdev user,id=n0 -device virtio-net-pci,netdev=n0" \
			boot "$1" 2 "fw.exit=isa $2" 300 "$ipc/initrd.cpio"
		log=$out/$1.log
		sed -n "s/^\(PASS\|FAIL\) /\1 $1./p" "$log" | tr -d '\r'
		if grep -q "PANIC" "$log"; then
			fail "integration.$1" "kernel panic:"
			sed -n '/PANIC/,/end kernel panic/p' "$log" | sed 's/^/    /'
		elif ! grep -q "^IPCONFIG-TESTS-DONE" "$log"; then
			fail "integration.$1" "the ip= checks did not finish (QEMU status $rc); tail:"
			tail -n 5 "$log" | sed 's/^/    /'
		elif ! grep -q "IP-Config: Complete:" "$log"; then
			fail "integration.$1" "the kernel did not log its configuration"
		else
			pass "integration.$1"
		fi
	done
	# No DHCP server (a NIC on a hub without slirp): the kernel gives
	# up after its bounded tries (about 71 s), says so, and /init runs.
	BOOT_QEMU_ARGS="-netdev hubport,id=p1,hubid=0 -device virtio-net-pci,netdev=p1" \
		boot ipconfig-nodhcp 2 "fw.exit=isa ip=dhcp" 300 "$ipc/initrd.cpio"
	log=$out/ipconfig-nodhcp.log
	if grep -q "PANIC" "$log"; then
		fail "integration.ipconfig-nodhcp" "kernel panic"
	elif ! grep -q "IP-Config: Auto-configuration of network failed." "$log"; then
		fail "integration.ipconfig-nodhcp" "no failure line from the kernel"
	elif ! grep -q "^IPCONFIG-TESTS-DONE" "$log"; then
		fail "integration.ipconfig-nodhcp" "/init did not run after the failure"
	else
		pass "integration.ipconfig-nodhcp"
	fi
else
	fail "integration.ipconfig.build" "see $ipc/build.log"
fi
