# tests/integration/devices.sh: virtio-blk, ext2 and the virtio console in
# the guest, judged from the host. Sourced by run.sh (uses its boot/pass/fail
# and $out).
#
#   raw     dd reads known patterns from /dev/vda and /dev/vdb and writes
#           new ones; the host finds them at the right offsets.
#   write   a workload (disk/workload.sh) on a fresh 1 KiB-block ext2,
#           then sync and umount; the host runs e2fsck -fn and compares
#           every file, mode and size with the same workload run on the
#           host.
#   verify  a second boot mounts read-only, checks every file's checksum,
#           links, modes, the sparse file past 4 GiB, and EROFS on writes.
#           Run on the image the guest wrote and on a 4 KiB-block image
#           that mkfs.ext2 -d built from the expected tree.
#   root    root=/dev/vda: the initramfs switches to an ext2 root.
#   hvc     a shell on the virtio console, typed into through a pipe.
#   vi      `make run`'s demo disk: a file edited with vi over the serial
#           console is there after a power-off and a second boot.
dsk=$out/disk
rm -rf "$dsk" && mkdir -p "$dsk/initrd/disk" "$dsk/expected"
# The expected tree: the same workload, run by busybox on the host.
busybox sh tests/integration/disk/workload.sh "$dsk/expected" >"$dsk/workload.host.log" 2>&1 ||
	fail "disk.host-workload" "see $dsk/workload.host.log"
mkdir -p "$dsk/expected/sparse"
printf far | dd of="$dsk/expected/sparse/big" bs=1 seek=5000000000 2>/dev/null
(cd "$dsk/expected" && find tree -type f | LC_ALL=C sort | xargs md5sum) >"$dsk/initrd/disk/expected.md5"
cp tests/integration/disk/workload.sh tests/integration/disk/init "$dsk/initrd/disk/"
musl-gcc -static -O2 -Wall -Wextra -Werror -o "$dsk/initrd/disk/mmap_check" \
	tests/integration/disk/mmap_check.c || fail "disk.mmap-check.build" "musl-gcc failed"
musl-gcc -static -O2 -Wall -Wextra -Werror -o "$dsk/initrd/disk/direct_check" \
	tests/integration/disk/direct_check.c || fail "disk.direct-check.build" "musl-gcc failed"
musl-gcc -static -O2 -Wall -Wextra -Werror -o "$dsk/initrd/disk/t_failinject" \
	tests/user/t_failinject.c -lpthread || fail "disk.t_failinject.build" "musl-gcc failed"
# O_DIRECT as the host's Linux does it (its ext4), where that can be seen.
mkdir -p "$dsk/direct-host"
if "$dsk/initrd/disk/direct_check" "$dsk/direct-host" host >"$dsk/direct-host.log" 2>&1; then
	pass "disk.host.direct-check-on-linux"
else
	fail "disk.host.direct-check-on-linux" "$(cat "$dsk/direct-host.log")"
fi
rm -rf "$dsk/direct-host"
# The mapping checks hold on the host's Linux too, and leave there the
# files the verify boots read back (the 4 KiB image is made from this).
mkdir -p "$dsk/expected/mmap"
if "$dsk/initrd/disk/mmap_check" write "$dsk/expected/mmap" "$dsk/expected/tree/size_70000" >"$dsk/mmap-host.log" 2>&1; then
	pass "disk.host.mmap-check-on-linux"
else
	fail "disk.host.mmap-check-on-linux" "$(cat "$dsk/mmap-host.log")"
fi
cp tests/integration/disk/init "$dsk/initrd/init"
head -c 8192 /dev/urandom >"$dsk/initrd/disk/pattern"

# Raw block devices: vda 16 MiB and vdb 8 MiB of host-made data.
head -c 16777216 /dev/urandom >"$dsk/vda.raw"
head -c 8388608 /dev/urandom >"$dsk/vdb.raw"
dd if="$dsk/vda.raw" bs=4096 skip=3 count=1 2>/dev/null | md5sum | cut -d' ' -f1 >"$dsk/initrd/disk/vda-block3.md5"
dd if="$dsk/vdb.raw" bs=512 count=100 2>/dev/null | md5sum | cut -d' ' -f1 >"$dsk/initrd/disk/vdb-head.md5"
cp "$dsk/vda.raw" "$dsk/vda.orig" && cp "$dsk/vdb.raw" "$dsk/vdb.orig"

if ! tools/mkinitrd.sh "$dsk/initrd.cpio" "$dsk/initrd" >"$dsk/initrd.log" 2>&1; then
	fail "disk.initrd" "see $dsk/initrd.log"
	return 0 2>/dev/null || exit 1
fi

# Raw devices.
disk_boot disk-raw raw "$dsk/vda.raw" "$dsk/vdb.raw"
if cmp -s <(dd if="$dsk/vdb.raw" bs=512 skip=777 count=16 2>/dev/null) "$dsk/initrd/disk/pattern" &&
	cmp -s <(dd if="$dsk/vda.raw" bs=4096 skip=10 count=2 2>/dev/null) "$dsk/initrd/disk/pattern"; then
	pass "disk.host.raw-writes-landed"
else
	fail "disk.host.raw-writes-landed" "the patterns dd wrote are not at their offsets"
fi
# Nothing else changed: compare outside the two written ranges.
if cmp -s <(head -c 397824 "$dsk/vdb.raw") <(head -c 397824 "$dsk/vdb.orig") &&
	cmp -s <(tail -c +406017 "$dsk/vdb.raw") <(tail -c +406017 "$dsk/vdb.orig") &&
	cmp -s <(head -c 40960 "$dsk/vda.raw") <(head -c 40960 "$dsk/vda.orig") &&
	cmp -s <(tail -c +49153 "$dsk/vda.raw") <(tail -c +49153 "$dsk/vda.orig"); then
	pass "disk.host.raw-rest-intact"
else
	fail "disk.host.raw-rest-intact" "bytes outside the written ranges changed"
fi

# ext2, 1 KiB blocks, written by the guest.
"$(e2bin mkfs.ext2)" -q -F -b 1024 "$dsk/ext2-1k.img" 64M >/dev/null 2>&1
disk_boot disk-write write "$dsk/ext2-1k.img"
fsck_clean e2fsck-clean "$dsk/ext2-1k.img"
# compare_tree SUFFIX IMAGE: the guest's tree on IMAGE is the host's.
compare_tree() {
	rm -rf "$dsk/got" && mkdir -p "$dsk/got"
	"$(e2bin debugfs)" -R "rdump /tree $dsk/got" "$2" >/dev/null 2>&1
	if diff -r --no-dereference "$dsk/expected/tree" "$dsk/got/tree" >"$dsk/diff.log" 2>&1; then
		pass "disk.host.contents-match$1"
	else
		fail "disk.host.contents-match$1" "the guest's files differ:"
		head -n 10 "$dsk/diff.log" | sed 's/^/    /'
	fi
	if diff <(manifest "$dsk/expected") <(manifest "$dsk/got") >"$dsk/manifest.diff" 2>&1; then
		pass "disk.host.modes-sizes-match$1"
	else
		fail "disk.host.modes-sizes-match$1" "types, modes or sizes differ:"
		head -n 10 "$dsk/manifest.diff" | sed 's/^/    /'
	fi
	if "$(e2bin debugfs)" -R "stat /sparse/big" "$2" 2>/dev/null | grep -q "Size: 5000000004"; then
		pass "disk.host.sparse-size$1"
	else
		fail "disk.host.sparse-size$1" "debugfs does not see a 5000000004-byte /sparse/big"
	fi
}
manifest() { (cd "$1" && find tree -printf '%p %y %m %s\n' | LC_ALL=C sort | awk '$2 == "d" { $4 = "-" } { print }'); }
compare_tree "" "$dsk/ext2-1k.img"

# A second boot reads it back, read-only.
disk_boot disk-verify-1k verify "$dsk/ext2-1k.img"
# Memory pressure: 256 MiB read a 1 GiB file on it, map it, and write
# 384 MiB through a mapping on a second disk.
rm -f "$dsk/big.img" && truncate -s 1G "$dsk/big.img"
"$(e2bin mkfs.ext2)" -q -F -b 4096 "$dsk/big.img" >/dev/null 2>&1
BOOT_MEM=256 disk_boot disk-pressure pressure "$dsk/ext2-1k.img" "$dsk/big.img"
fsck_clean pressure-e2fsck-clean "$dsk/ext2-1k.img"
fsck_clean pressure-big-e2fsck-clean "$dsk/big.img"
rm -f "$dsk/big.img"
# The same checks on a 4 KiB-block image made by mkfs.ext2 -d.
"$(e2bin mkfs.ext2)" -q -F -b 4096 -d "$dsk/expected" "$dsk/ext2-4k.img" 64M >/dev/null 2>&1
disk_boot disk-verify-4k verify "$dsk/ext2-4k.img"

# ext4 as Debian's mkfs.ext4 makes it (4 KiB blocks, extents, 64bit,
# flex_bg, metadata_csum, a journal): the same workload, the host's checks
# and a read-only second boot.
"$(e2bin mkfs.ext4)" -q -F "$dsk/ext4.img" 64M >/dev/null 2>&1
DISK_FS=ext4 disk_boot disk-write-ext4 write "$dsk/ext4.img"
fsck_clean ext4-e2fsck-clean "$dsk/ext4.img"
compare_tree -ext4 "$dsk/ext4.img"
DISK_FS=ext4 disk_boot disk-verify-ext4 verify "$dsk/ext4.img"
# Forced allocation failures in file calls on ext4 (issue 16): the
# journal and the bitmaps must stay right whatever failed.
"$(e2bin mkfs.ext4)" -q -F "$dsk/ext4-fi.img" 64M >/dev/null 2>&1
DISK_FS=ext4 disk_boot disk-failinject-ext4 failinject "$dsk/ext4-fi.img"
fsck_clean failinject-ext4-e2fsck-clean "$dsk/ext4-fi.img"
rm -f "$dsk/ext4-fi.img"

# Power cuts in the middle of an ext4 workload (tests/integration/powercut.sh;
# `make powercut` runs a longer series).
. tests/integration/powercut.sh
powercut_series

# Boot with root=/dev/vda: the default initramfs /init mounts the disk and
# switch_root's to it; the disk's init runs the checks (disk/rootfs).
rm -rf "$dsk/rootfs" && mkdir -p "$dsk/rootfs"
tools/mkinitrd.sh "$dsk/default.cpio" >/dev/null 2>&1
(cd "$dsk/rootfs" && cpio -idm --quiet) <"$dsk/default.cpio"
rm -f "$dsk/rootfs/init"
cp -a tests/integration/disk/rootfs/. "$dsk/rootfs/"
touch "$dsk/rootfs/on-the-disk"
"$(e2bin mkfs.ext2)" -q -F -b 4096 -d "$dsk/rootfs" "$dsk/root.img" 32M >/dev/null 2>&1
BOOT_QEMU_ARGS="-drive file=$dsk/root.img,if=none,format=raw,id=d0 -device virtio-blk-pci,drive=d0" \
	boot disk-root 2 "root=/dev/vda fw.exit=isa" 120
sed -n 's/^\(PASS\|FAIL\) /\1 /p' "$out/disk-root.log" | tr -d '\r'
if grep -q "^DISK-TESTS-DONE root" "$out/disk-root.log"; then
	pass "integration.disk-root"
else
	fail "integration.disk-root" "the disk's init did not run (QEMU status $rc); tail:"
	tail -n 5 "$out/disk-root.log" | sed 's/^/    /'
fi
fsck_clean root-e2fsck-clean "$dsk/root.img"

# A virtio console is a second terminal with its own shell (/dev/hvc0):
# commands typed into it from the host run, and the output comes back,
# all of it (3000 lines, many times its 16 transmit slots: writers wait
# for room).
rm -f "$dsk/hvc.in" "$dsk/hvc.out" "$dsk/hvc.log"
mkfifo "$dsk/hvc.in" "$dsk/hvc.out"
cat "$dsk/hvc.out" >"$dsk/hvc.log" &
hvc_reader=$!
(
	for _ in $(seq 120); do grep -q '# ' "$dsk/hvc.log" 2>/dev/null && break; sleep 0.5; done
	printf 'echo HVC-$((6 * 7)) $(tty)\n'
	for _ in $(seq 120); do grep -q 'HVC-42' "$dsk/hvc.log" 2>/dev/null && break; sleep 0.5; done
	printf 'seq 1 3000; echo HVC-""END\n'
	for _ in $(seq 120); do grep -q 'HVC-END' "$dsk/hvc.log" 2>/dev/null && break; sleep 0.5; done
	printf 'poweroff\n'
) >"$dsk/hvc.in" &
BOOT_QEMU_ARGS="-chardev pipe,id=hvc,path=$dsk/hvc -device virtio-serial-pci -device virtconsole,chardev=hvc" \
	boot virtio-console 2 "" 120
# QEMU is gone: the reader sees the end of the pipe and exits by itself.
for _ in $(seq 40); do kill -0 "$hvc_reader" 2>/dev/null || break; sleep 0.25; done
kill "$hvc_reader" 2>/dev/null
if grep -q "HVC-42 /dev/hvc0" "$dsk/hvc.log"; then
	pass "disk.virtio-console-shell"
else
	fail "disk.virtio-console-shell" "no answer on hvc0 (QEMU status $rc); it said: $(tr -d '\r' <"$dsk/hvc.log" | tail -n 3 | tr '\n' '|')"
fi
if seq 1 3000 | cmp -s - <(tr -d '\r' <"$dsk/hvc.log" | grep -xE '[0-9]+'); then
	pass "disk.virtio-console-bulk-output"
else
	fail "disk.virtio-console-bulk-output" "of seq 1 3000 on hvc0, $(tr -d '\r' <"$dsk/hvc.log" | grep -cxE '[0-9]+') lines arrived, not all in order"
fi

# What a person does with `make run`: the demo disk (disk/ through
# mkfs.ext2 -d) on /mnt, a file edited with vi, power off, boot again, and
# the edit is there; e2fsck is happy in between.
"$(e2bin mkfs.ext2)" -q -F -b 1024 -d disk "$dsk/demo.img" 32M >/dev/null 2>&1
if make -s ISO="$out/vi.iso" APPEND="" INITRD= "$out/vi.iso" >"$out/vi.build.log" 2>&1; then
	for s in vi-edit vi-reboot; do
		SESSION_PREFIX=disk.$s SESSION_LOG=$out/$s.log timeout 300 /usr/bin/python3 tools/serial-session.py \
			tests/integration/disk/$s.session -- \
			qemu-system-x86_64 -machine q35 -cpu max -m 512 -smp 2 -no-reboot \
			-nographic -cdrom "$out/vi.iso" -boot d \
			-drive file="$dsk/demo.img",if=none,format=raw,id=vda \
			-device virtio-blk-pci,drive=vda || status=1
		[ $s = vi-edit ] && fsck_clean vi-edit-e2fsck-clean "$dsk/demo.img"
	done
else
	fail "disk.vi.build" "see $out/vi.build.log"
fi

# Dynamically linked Debian programs from an ext2 disk: this host's (Debian
# 12) cat, ls, bash, sort, md5sum, df, ps and Python (the one the tools
# run on, with its standard library and extension modules), with the
# loader and the libraries ldd names, run under chroot /mnt.
dyn=$dsk/dynroot
rm -rf "$dyn" && mkdir -p "$dyn/bin" "$dyn/etc" "$dyn/tmp" "$dyn/usr/bin" "$dyn/proc"
pylib=$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
mkdir -p "$dyn$(dirname "$pylib")"
(cd "$(dirname "$pylib")" && tar cf - --exclude=test --exclude=__pycache__ --exclude=idlelib \
	--exclude=tkinter --exclude=lib2to3 "$(basename "$pylib")") | tar xf - -C "$dyn$(dirname "$pylib")"
cp "$(readlink -f /usr/bin/python3)" "$dyn/usr/bin/python3"
for p in cat ls bash sort md5sum df ps; do
	cp "$(command -v "$p")" "$dyn/bin/$p"
done
for elf in "$dyn"/bin/* "$dyn/usr/bin/python3" "$dyn$pylib"/lib-dynload/*.so; do
	ldd "$elf" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
done | sort -u | while read -r lib; do
	mkdir -p "$dyn$(dirname "$lib")" && cp -L "$lib" "$dyn$lib"
done
echo dynhost >"$dyn/etc/hostname"
md5sum <"$dyn/bin/ls" | cut -d' ' -f1 >"$dyn/etc/ls.md5"
"$(e2bin mkfs.ext2)" -q -F -b 4096 -d "$dyn" "$dsk/dyn.img" 160M >/dev/null 2>&1
if [ -f "$out/vi.iso" ]; then
	SESSION_PREFIX=disk.dynamic SESSION_LOG=$out/dynamic.log timeout 300 /usr/bin/python3 tools/serial-session.py \
		tests/integration/disk/dynamic.session -- \
		qemu-system-x86_64 -machine q35 -cpu max -m 512 -smp 2 -no-reboot \
		-nographic -cdrom "$out/vi.iso" -boot d \
		-drive file="$dsk/dyn.img",if=none,format=raw,id=vda \
		-device virtio-blk-pci,drive=vda || status=1
fi
