#!/bin/sh
# Runs as the first program of an ext2 root (root=/dev/vda): / must be
# the disk, the initramfs gone, and the disk writable.
mount -t proc proc /proc 2>/dev/null
ok() { echo "PASS disk.root.$1"; }
no() { echo "FAIL disk.root.$1: $2"; }
if grep -q '^/dev/root / ext2\|^ext2 / ext2\| / ext2 ' /proc/mounts; then ok root-is-ext2; else no root-is-ext2 "$(cat /proc/mounts | tr '\n' ';')"; fi
if [ -f /on-the-disk ] && [ ! -e /init ]; then ok initramfs-gone; else no initramfs-gone "/on-the-disk or /init wrong"; fi
if [ "$(cat /proc/1/comm 2>/dev/null)" = init ]; then ok pid1-is-init; else no pid1-is-init "pid 1 is $(cat /proc/1/comm)"; fi
if echo written > /written && sync && [ "$(cat /written)" = written ]; then ok writable; else no writable "cannot write /written"; fi
echo "DISK-TESTS-DONE root"
poweroff -f
