#!/usr/bin/env bash
# tools/mkinitrd.sh: build the default initramfs (a newc cpio archive).
#
# Usage: mkinitrd.sh OUT.cpio [EXTRA_DIR...]
# Contents: Debian's busybox-static as /bin/busybox with a link for every
# applet, the files under initramfs/ (/init, /etc), the usual empty
# directories, and each EXTRA_DIR's contents on top (the tests use this).
set -euo pipefail
out=$1; shift
top=$(cd "$(dirname "$0")/.." && pwd)
bb=$(command -v busybox || true)
for cand in /bin/busybox /usr/bin/busybox; do
	[ -x "$cand" ] && file -L "$cand" 2>/dev/null | grep -q "statically linked" && bb=$cand
done
if [ -z "$bb" ] || ! "$bb" --list >/dev/null 2>&1; then
	echo "mkinitrd: busybox-static is missing (sudo apt-get install busybox-static)" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,etc,proc,dev,tmp,root,mnt,sys,var,run}
cp "$bb" "$tmp/bin/busybox"
"$bb" --list-full | while read -r applet; do
	[ -e "$tmp/$applet" ] || ln -s /bin/busybox "$tmp/$applet"
done
cp -a "$top/initramfs/." "$tmp/"
for extra in "$@"; do
	cp -a "$extra/." "$tmp/"
done
(cd "$tmp" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$out"
