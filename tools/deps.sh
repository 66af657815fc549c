#!/usr/bin/env bash
# tools/deps.sh: make sure the build and test tools are installed.
#
# Called by the Makefile before anything is built. On Debian/Ubuntu, as root
# (or with sudo), installs what is missing; otherwise says exactly what to
# install and fails.
set -u
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have qemu-system-x86_64 || need+=(qemu-system-x86)
have grub-mkrescue      || need+=(grub-common)
[ -d /usr/lib/grub/i386-pc ] || need+=(grub-pc-bin)
[ -d /usr/lib/grub/x86_64-efi ] || need+=(grub-efi-amd64-bin)
[ -f /usr/share/OVMF/OVMF_CODE.fd ] || need+=(ovmf)
have xorriso            || need+=(xorriso)
have mformat            || need+=(mtools)
have nasm               || need+=(nasm)
have gcc                || need+=(gcc)
have ld                 || need+=(binutils)
have cpio               || need+=(cpio)
have musl-gcc           || need+=(musl-tools)
{ [ -x /bin/busybox ] && file -L /bin/busybox | grep -q "statically linked"; } || need+=(busybox-static)
have file               || need+=(file)
have mmdebstrap         || need+=(mmdebstrap)
have ssh-keygen         || need+=(openssh-client) # ssh, scp, ssh-keygen: the Debian ssh test
{ [ -x /sbin/mke2fs ] || [ -x /usr/sbin/mke2fs ]; } || need+=(e2fsprogs)
have clang              || need+=(clang)
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
/usr/bin/python3 -c 'import clang.cindex' >/dev/null 2>&1 || need+=(python3-clang-14 libclang-14-dev)
[ ${#need[@]} -eq 0 ] && exit 0

echo "deps: missing packages: ${need[*]}"
if have apt-get; then
	if [ "$(id -u)" -eq 0 ]; then sudo=""; elif have sudo && sudo -n true 2>/dev/null; then sudo="sudo"; else sudo="none"; fi
	if [ "$sudo" != none ]; then
		echo "deps: installing them with apt-get"
		export DEBIAN_FRONTEND=noninteractive
		$sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null && exit 0
		echo "deps: apt-get failed" >&2
		exit 1
	fi
fi
echo "deps: please install them, e.g.: sudo apt-get install ${need[*]}" >&2
exit 1
