#!/usr/bin/env bash
# tools/profile.sh: where the kernel spends its instructions in a benchmark.
#
#   tools/profile.sh stat open_close     (names as `make bench` prints them)
#
# Boots the bench initramfs twice under QEMU with tools/profile/insn-count.c
# loaded as a TCG plugin: once running nothing (boot and power-off only),
# once running the named benchmarks. The difference, by kernel function, is
# the benchmarks' own kernel work; divided by the iterations the benchmark
# reports it is instructions per operation. TOP= sets how many functions
# are listed (default 30). MACHINE= sets the QEMU machine and CPU (default
# "-machine q35 -cpu max"; MACHINE="-machine pc" is QEMU's default qemu64
# CPU, without SMAP). The kernel is built as `make bench` builds it
# (DEBUG=0), in build/profile.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: tools/profile.sh BENCH..." >&2; exit 2; }
out=build/profile
mkdir -p "$out/root/bench"
gcc -shared -fPIC -O2 -Wall -Wextra -Werror -fvisibility=hidden \
	-o "$out/insn-count.so" tools/profile/insn-count.c
musl-gcc -static -O2 -Wall -Wextra -Werror -o "$out/root/bench/bench" bench/bench.c

QEMU="qemu-system-x86_64 ${MACHINE:--machine q35 -cpu max} -m 512 -smp 2 -no-reboot -display none"
run() { # run NAME ARGS...: boot with /bench/bench ARGS, counts to $out/NAME.txt
	local name=$1
	shift
	sed "s|^/bench/bench\$|/bench/bench $*|" bench/init >"$out/root/init"
	chmod +x "$out/root/init"
	tools/mkinitrd.sh "$out/$name.cpio" "$out/root"
	make -s BUILD="$out/kbuild" DEBUG=0 ISO="$out/$name.iso" \
		INITRD="$out/$name.cpio" APPEND="quiet fw.exit=isa" "$out/$name.iso"
	PATH="$PATH:/sbin:/usr/sbin" mkfs.ext2 -q -F -b 1024 "$out/disk.img" 64M >/dev/null
	PATH="$PATH:/sbin:/usr/sbin" mkfs.ext4 -q -F "$out/disk4.img" 64M >/dev/null
	timeout 900 $QEMU -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-serial file:"$out/$name.log" -cdrom "$out/$name.iso" -boot d \
		-drive file="$out/disk.img",if=none,format=raw,id=vda \
		-device virtio-blk-pci,drive=vda \
		-drive file="$out/disk4.img",if=none,format=raw,id=vdb \
		-device virtio-blk-pci,drive=vdb \
		-plugin "$out/insn-count.so,out=$out/$name.txt" || true
}
run base none
run run "$@"
nm -n --defined-only "$out/kbuild/kernel.elf" >"$out/kernel.syms"

/usr/bin/python3 - "$out" "${TOP:-30}" <<'PY'
import bisect, collections, re, sys
out, top = sys.argv[1], int(sys.argv[2])
syms = []
for line in open(f"{out}/kernel.syms"):
    f = line.split()
    if len(f) == 3 and f[1] in "tTwW":
        syms.append((int(f[0], 16), f[2]))
addrs = [a for a, _ in syms]
def load(name):
    per, user = collections.Counter(), 0
    for line in open(f"{out}/{name}.txt"):
        a, *rest = line.split()
        if a == "user":
            user = int(rest[0])
            continue
        i = bisect.bisect_right(addrs, int(a, 16)) - 1
        per[syms[i][1] if i >= 0 else a] += int(rest[0]) * int(rest[1])
    return per, user
base, ubase = load("base")
run, urun = load("run")
log = open(f"{out}/run.log", errors="replace").read()
iters = sum(int(n) for n in re.findall(r"^BENCH-ITERS \S+ (\d+)", log, re.M))
for m in re.finditer(r"^BENCH.*$", log, re.M):
    print(m.group(0), "(timed under the plugin: slow)" if m.group(0).startswith("BENCH ") else "")
diff = {k: run[k] - base.get(k, 0) for k in run}
total = sum(v for v in diff.values() if v > 0)
print(f"\nkernel instructions: {total:,}  user: {urun - ubase:,}"
      + (f"  per iteration ({iters:,}): kernel {total / iters:,.0f}, user {(urun - ubase) / iters:,.0f}" if iters else ""))
print(f"\n{'function':40} {'instructions':>15} {'%':>6}" + ("  per iteration" if iters else ""))
for k, v in sorted(diff.items(), key=lambda kv: -kv[1])[:top]:
    print(f"{k[:40]:40} {v:15,} {100 * v / total:6.1f}" + (f"  {v / iters:12,.1f}" if iters else ""))
PY
