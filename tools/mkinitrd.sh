#!/usr/bin/env bash
# tools/mkinitrd.sh: build the default initramfs (a newc cpio archive).
#
# For now the archive carries /etc/issue, and the kernel reports its size;
# the userland issue fills it with busybox and /init.
set -euo pipefail
out=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/etc"
echo "framekernel initramfs" > "$tmp/etc/issue"
(cd "$tmp" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$out"
