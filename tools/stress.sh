#!/usr/bin/env bash
# tools/stress.sh: `make stress`: every stress-ng stressor, with --verify,
# on this kernel and on Debian's Linux, side by side in the same QEMU
# (QEMU's default machine and CPU, STRESS_SMP=2 CPUs, 1 GiB, TCG), from
# the same Debian system (build/debian, stress-ng 0.15 from bookworm).
#
# Each kernel boots bench/stress/init from an initramfs, mounts a fresh
# copy of the Debian disk and runs the stressors one by one in a chroot
# into it (STRESS_WORKERS=2 instances, STRESS_SECONDS=3 each, temporary
# files on a tmpfs). A kernel that stops answering (no result for a few
# minutes) or dies is booted again for the rest of the list, and the
# stressor it was running is recorded as `hang`. The table (verdict and
# bogo ops per second of each, and their ratio) goes to
# bench/results/stress-<date>.md. STRESSORS="a b c" runs only those;
# STRESS_KERNELS=framekernel (or linux) runs one kernel; STRESS_LOCKSTAT=1
# adds this kernel's most contended lock classes during each stressor
# (/proc/lock_stat) to build/stress/framekernel.results; STRESS_APPEND=1
# keeps the previous run's results for the stressors not run again.
# STRESS_OUT= (default build/stress) and STRESS_RESULT= (the table's
# file) let make bench run a few stressors without touching these.
#
# Left out: stressors that act on the machine rather than the kernel
# under test (reboot, offlining CPUs, memory hotplug, the watchdog, EFI
# variables, SMIs, raw I/O ports).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${STRESS_SECONDS:-3}
WORKERS=${STRESS_WORKERS:-2}
SMP=${STRESS_SMP:-2}
KERNELS=${STRESS_KERNELS:-framekernel linux}
EXCLUDE=" reboot cpu-online memhotplug watchdog efivar smi ioport "
out=${STRESS_OUT:-build/stress}
mkdir -p "$out/root/lib/modules" bench/results

tools/mkdebian.sh
tar=$(ls build/debian/rootfs-*.tar | head -n 1)
if [ -n "${STRESSORS:-}" ]; then
	all=$STRESSORS
else
	# The list stress-ng itself gives, from the image's own binary.
	rm -rf "$out/sng" && mkdir -p "$out/sng"
	tar -xf "$tar" -C "$out/sng"
	all=$(chroot "$out/sng" /usr/bin/stress-ng --stressors)
	rm -rf "$out/sng"
fi
list=""
for s in $all; do
	case "$EXCLUDE" in *" $s "*) ;; *) list="$list $s" ;; esac
done

vmlinuz=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$vmlinuz" ] || { echo "stress: no Linux kernel in /boot (sudo apt-get install linux-image-amd64)" >&2; exit 1; }
kver=$(basename "$vmlinuz" | sed 's/^vmlinuz-//')
. tools/linux-modules.sh
linux_modules "$kver" "$out/root/lib/modules"
cp bench/stress/init "$out/root/init"
tools/mkinitrd.sh "$out/stress.cpio" "$out/root"
make -s BUILD="$out/kbuild" DEBUG=0 ISO="$out/fk.iso" INITRD="$out/stress.cpio" \
	APPEND="quiet fw.exit=isa" "$out/fk.iso"

QEMU="qemu-system-x86_64 -machine pc -m 1024 -smp $SMP -no-reboot -display none"
# Boot one kernel on what is left of the list until every stressor has a
# result; a boot that ends (or goes quiet for too long) mid-stressor
# marks that one `hang`.
run_kernel() {
	local k=$1 todo=$2 boot=0 log res=$out/$1.results.new
	: >"$res"
	while [ -n "$todo" ]; do
		boot=$((boot + 1))
		log=$out/$k.$boot.log
		{ echo "$SECS $WORKERS ${STRESS_LOCKSTAT:-0}"; for s in $todo; do echo "$s"; done; } >"$out/list.txt"
		truncate -s 1M "$out/list.txt"
		cp --sparse=always build/debian/debian-ext4.img "$out/disk.img"
		local disks="-drive file=$out/disk.img,if=none,format=raw,id=vda -device virtio-blk-pci,drive=vda
			-drive file=$out/list.txt,if=none,format=raw,id=vdb -device virtio-blk-pci,drive=vdb"
		echo "stress: $k: boot $boot, $(echo $todo | wc -w) stressors to go"
		if [ "$k" = linux ]; then
			$QEMU -serial file:"$log" -kernel "$vmlinuz" -initrd "$out/stress.cpio" \
				-append "console=ttyS0 quiet rdinit=/init panic=-1" $disks &
		else
			$QEMU -serial file:"$log" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
				-cdrom "$out/fk.iso" -boot d $disks &
		fi
		local qpid=$! last=0 quiet=0
		# A stressor runs at most SECS*6+90 s inside; twice that with no
		# line at all means the kernel is not answering.
		while kill -0 $qpid 2>/dev/null; do
			sleep 5
			local n
			n=$(grep -ac '^STRESS' "$log" 2>/dev/null || true)
			if [ "$n" != "$last" ]; then last=$n quiet=0; else quiet=$((quiet + 5)); fi
			if [ $quiet -ge $((SECS * 12 + 300)) ]; then
				echo "stress: $k: no answer for ${quiet}s, stopping this boot"
				kill $qpid 2>/dev/null || true
			fi
		done
		wait $qpid 2>/dev/null || true
		tr -d '\r' <"$log" | grep -a '^STRESS \|^STRESS-MSG \|^STRESS-LOCK ' >>"$res" || true
		local current
		current=$(tr -d '\r' <"$log" | grep -a '^STRESS-BEGIN \|^STRESS ' | tail -n 1 |
			awk '$1 == "STRESS-BEGIN" {print $2}')
		if [ -n "$current" ]; then
			echo "STRESS $current hang - -" >>"$res"
			tr -d '\r' <"$log" | sed -n "/^STRESS-BEGIN $current\$/,\$p" | grep -av '^STRESS' |
				tail -n 3 | sed "s/^/STRESS-MSG $current /" >>"$res"
		elif ! grep -aq '^STRESS-READY' "$log"; then
			echo "stress: $k: did not reach the stressors (see $log)" >&2
			return 1
		fi
		local done_list next=""
		done_list=" $(awk '$1 == "STRESS" {print $2}' "$res" | tr '\n' ' ') "
		for s in $todo; do
			case "$done_list" in *" $s "*) ;; *) next="$next $s" ;; esac
		done
		todo=$next
		[ "$boot" -lt 40 ] || { echo "stress: $k: giving up after 40 boots" >&2; return 1; }
	done
	# STRESS_APPEND=1: these results replace only their own stressors'.
	if [ -n "${STRESS_APPEND:-}" ] && [ -f "$out/$k.results" ]; then
		cat "$res" >>"$out/$k.results"
		rm -f "$res"
	else
		mv "$res" "$out/$k.results"
	fi
}
for k in $KERNELS; do run_kernel "$k" "$list"; done

result=${STRESS_RESULT:-bench/results/stress-$(date +%Y-%m-%d).md}
/usr/bin/python3 tools/stress-report.py "$out" "$SECS" "$WORKERS" "$SMP" \
	"$(qemu-system-x86_64 --version | head -n 1)" "$kver" >"$result"
cat "$result"
echo "stress: written to $result"
