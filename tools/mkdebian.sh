#!/usr/bin/env bash
# tools/mkdebian.sh: a Debian bookworm system on an ext4 disk image, for
# `make run-debian` and the Debian boot test.
#
# mmdebstrap (a Debian package; tools/deps.sh installs it) makes the root
# file system from this machine's apt sources once, cached as
# build/debian/rootfs-<hash of the package list>.tar; the image is rebuilt
# from the cache when this script changes. Debian's own sysvinit is PID 1,
# with a getty on the serial console (ttyS0); root's password is "debian".
# OpenSSH's sshd starts from its own rc script (/etc/init.d/ssh); its host
# keys are made by the package's postinst (in the cached tar), and a client
# key pair made once here (build/debian/ssh_key, ssh_key.pub) is root's
# authorized key, so the host's ssh logs in without a password.
#
# The disk is what a Debian installer makes: mkfs.ext4 with the features
# /etc/mke2fs.conf gives ext4 (has_journal, extent, 64bit, flex_bg,
# metadata_csum, ...), and an fstab that says ext4 with fsck pass 1, so
# Debian's checkroot.sh runs fsck.ext4 on the root at every boot. The
# image's name says its file system: an image made by an older version of
# this script (ext2, build/debian/debian.img) is never taken for it, and
# one that is not ext4 (say, copied over it) is made again.
#
# Usage: tools/mkdebian.sh [IMAGE]   (default build/debian/debian-ext4.img)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/debian
img=${1:-$dir/debian-ext4.img}
# What the image holds beyond minbase: the init system, login, and the
# tools a person (and the tests) expect on a Debian machine.
packages=sysvinit-core,systemd-sysv-,login,passwd,procps,iproute2,less,vim-tiny,strace,python3,stress-ng,trinity,tmux,openssh-server,gcc,libc6-dev,git,gdb,sqlite3
# The cache is named after the package list, so changing it rebuilds.
tar=$dir/rootfs-$(echo "$packages" | md5sum | cut -c1-8).tar
mkdir -p "$dir"
export PATH="$PATH:/usr/sbin:/sbin"
if [ ! -s "$tar" ]; then
	echo "mkdebian: building the Debian root file system (once, about a minute)" >&2
	mmdebstrap --quiet --format=tar --variant=minbase --include="$packages" \
		--customize-hook='echo root:debian | chroot "$1" chpasswd' \
		bookworm "$tar.part"
	rm -f "$dir"/rootfs-*.tar
	mv "$tar.part" "$tar"
fi
# The client key for `ssh -i build/debian/ssh_key` (and the test), once.
key=$dir/ssh_key
if [ ! -s "$key" ] || [ ! -s "$key.pub" ]; then
	rm -f "$key" "$key.pub"
	ssh-keygen -q -t ed25519 -N '' -C framekernel-debian-test -f "$key"
fi
# The test's own scripts go into /root/tests.
checks="tests/integration/debian/net_check.py tests/integration/debian/db_check.py tests/integration/debian/fs_check.py tests/integration/debian/trinity_check.sh tests/integration/debian/soak_check.sh tests/integration/debian/dev_check.sh"
fresh=true
for f in "$tar" "$0" $checks "$key.pub"; do
	[ -s "$img" ] && [ "$img" -nt "$f" ] || fresh=false
done
# ext4 (extents and a journal), not an ext2 image of the same name.
if $fresh && ! dumpe2fs -h "$img" 2>/dev/null |
	grep -q '^Filesystem features:.*has_journal.*extent'; then
	fresh=false
fi
if $fresh; then
	exit 0
fi
root=$dir/root
rm -rf "$root" && mkdir -p "$root"
tar -C "$root" -xf "$tar"
# The serial console is the terminal: one getty there, none on VTs.
sed -i '/^[1-6]:[0-9]*:respawn:\/sbin\/getty/d' "$root/etc/inittab"
echo 'T0:2345:respawn:/sbin/getty -L 115200 ttyS0 vt100' >>"$root/etc/inittab"
echo framekernel-debian >"$root/etc/hostname"
for f in $checks; do
	install -D -m 755 "$f" "$root/root/tests/$(basename "$f")"
done
printf '127.0.0.1\tlocalhost\n127.0.1.1\tframekernel-debian\n' >"$root/etc/hosts"
printf '/dev/vda\t/\text4\tdefaults\t0\t1\n' >"$root/etc/fstab"
# ssh: root logs in with the key above, or with its password (a person at
# `make run-debian`; Debian's default "prohibit-password" would refuse it).
install -d -m 700 "$root/root/.ssh"
install -m 600 "$key.pub" "$root/root/.ssh/authorized_keys"
printf '%s\n' '# framekernel: root may log in with a password too (root:debian).' \
	'PermitRootLogin yes' >"$root/etc/ssh/sshd_config.d/framekernel.conf"
mkfs.ext4 -q -F -L debian -d "$root" "$img.part" 2G >/dev/null
rm -rf "$root"
mv "$img.part" "$img"
echo "mkdebian: $img ready (root password: debian)" >&2
