# tools/linux-modules.sh: sourced by bench.sh and stress.sh, which boot
# Debian's Linux from an initramfs: its virtio-pci, virtio-blk and ext4
# (which serves ext2) are modules, copied with their dependencies into
# DIR, their names in load order in DIR/order (the initramfs's /init
# insmods them).
# Usage: linux_modules KVER DIR
linux_modules() {
	local kver=$1 dir=$2
	rm -rf "$dir" && mkdir -p "$dir"
	for m in virtio_pci virtio_blk ext4; do
		modprobe --show-depends -S "$kver" "$m" | awk '$1 == "insmod" {print $2}'
	done | awk '!seen[$0]++' | while read -r ko; do
		cp "$ko" "$dir/"
		basename "$ko" >>"$dir/order"
	done
}
