# tests/integration/lib.sh: what every integration script shares (sourced
# with the repository as the working directory and $out set): the PASS/FAIL
# lines and one QEMU boot.
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; status=1; }

# boot NAME SMP APPEND TIMEOUT [INITRD]: builds an ISO with APPEND (and
# INITRD, else the default busybox image), boots it, leaves the serial log
# in $out/NAME.log and QEMU's exit status in $rc. BOOT_MACHINE (default
# "-machine q35 -cpu max") and BOOT_MEM (MiB, default 512) pick the
# virtual machine.
boot() {
	local name=$1 smp=$2 append=$3 secs=$4 initrd=${5:-} iso=$out/$1.iso
	if ! make -s ISO="$iso" APPEND="$append" INITRD="$initrd" "$iso" >"$out/$name.build.log" 2>&1; then
		fail "integration.$name.build" "the ISO did not build (see $out/$name.build.log)"
		rc=255
		return 1
	fi
	# shellcheck disable=SC2086
	timeout "$secs" qemu-system-x86_64 ${BOOT_MACHINE:--machine q35 -cpu max} \
		-m "${BOOT_MEM:-512}" -smp "$smp" \
		-no-reboot -display none -serial "file:$out/$name.log" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$iso" \
		-boot d ${BOOT_QEMU_ARGS:-} >"$out/$name.qemu.log" 2>&1
	rc=$?
	return 0
}

# e2bin NAME: e2fsprogs' programs live in /sbin, not always on PATH.
e2bin() { PATH="$PATH:/sbin:/usr/sbin" command -v "$1"; }

# fsck_clean NAME IMAGE: e2fsck -fn on the host must find nothing.
fsck_clean() {
	if "$(e2bin e2fsck)" -fn "$2" >"$out/$1.fsck.log" 2>&1; then
		pass "disk.host.$1"
	else
		fail "disk.host.$1" "e2fsck -fn found problems:"
		grep -v '^Pass\|^e2fsck' "$out/$1.fsck.log" | head -n 15 | sed 's/^/    /'
	fi
}

# disk_boot NAME PHASE DRIVE...: boot the disk-test initramfs ($dsk/initrd.cpio,
# tests/integration/disk/init) in PHASE with the drives (raw images).
disk_boot() {
	local name=$1 phase=$2 drives="" i=0
	shift 2
	for img in "$@"; do
		drives="$drives -drive file=$img,if=none,format=raw,id=d$i -device virtio-blk-pci,drive=d$i,iommu_platform=on,disable-legacy=on"
		i=$((i + 1))
	done
	# Behind the VT-d IOMMU: every disk test also checks that the
	# drivers' DMA stays inside their DMA buffers (arch/x86_64/vtd.c).
	BOOT_QEMU_ARGS="-device intel-iommu $drives" boot "$name" 2 "fw.exit=isa disktest=$phase diskfs=${DISK_FS:-ext2} ${DISK_APPEND:-}" 300 "$dsk/initrd.cpio"
	local log=$out/$name.log
	sed -n 's/^\(PASS\|FAIL\) /\1 /p' "$log" | tr -d '\r'
	if grep -q PANIC "$log"; then
		fail "integration.$name" "kernel panic:"
		sed -n '/PANIC/,/end kernel panic/p' "$log" | sed 's/^/    /'
	elif ! grep -q "iommu: VT-d .* all devices reach only DMA buffers" "$log"; then
		fail "integration.$name" "the IOMMU was not turned on"
	elif grep -q "iommu: blocked" "$log"; then
		fail "integration.$name" "the IOMMU blocked a DMA:"
		grep "iommu: blocked" "$log" | head -n 3 | sed 's/^/    /'
	elif ! grep -q "^DISK-TESTS-DONE $phase" "$log"; then
		fail "integration.$name" "did not finish (QEMU status $rc); tail:"
		tail -n 5 "$log" | sed 's/^/    /'
	else
		pass "integration.$name"
	fi
}

