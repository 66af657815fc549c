#!/usr/bin/env bash
# tools/bench.sh: `make bench`: this kernel against Debian's Linux, side by
# side in the same QEMU (512 MiB, 2 CPUs, TCG), running the same static
# benchmark binary (bench/bench.c) from the same initramfs, on two machine
# configurations: QEMU's default (the headline: Linux is fastest there)
# and q35 with -cpu max (BENCH_CONFIGS= picks one).
#
# Rounds alternate between the two kernels; each table shows each
# benchmark's median and min-max and the ratio this kernel / Linux. Boot
# time is /proc/uptime when /init starts, i.e. from the kernel's own start:
# GRUB (this kernel) and QEMU's -kernel loader (Linux) are excluded.
#
# Then many processes at once: stress-ng's bogo-ops per second for the
# stressors that stress process creation, memory, futexes, pipes,
# directories and timers, two instances each on 2 CPUs, on both kernels
# (tools/stress.sh, from the Debian system it builds once; BENCH_STRESS=0
# leaves this part out).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
out=build/bench
mkdir -p "$out/root/bench" bench/results

vmlinuz=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$vmlinuz" ]; then
	echo "bench: installing Debian's kernel (linux-image-amd64) for the comparison"
	if [ "$(id -u)" -eq 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends linux-image-amd64 >/dev/null
	else
		echo "bench: run: sudo apt-get install linux-image-amd64" >&2
		exit 1
	fi
	vmlinuz=$(ls /boot/vmlinuz-* | sort -V | tail -n 1)
fi

musl-gcc -static -O2 -Wall -Wextra -Werror -o "$out/root/bench/bench" bench/bench.c
cp bench/init "$out/root/init"
kver=$(basename "$vmlinuz" | sed 's/^vmlinuz-//')
. tools/linux-modules.sh
linux_modules "$kver" "$out/root/lib/modules"
# The disks both kernels benchmark on: an empty ext2 with 1 KiB blocks,
# an empty ext4 as Debian's mkfs.ext4 makes it.
mkdisk() {
	PATH="$PATH:/sbin:/usr/sbin" mkfs.ext2 -q -F -b 1024 "$1" 64M >/dev/null
	PATH="$PATH:/sbin:/usr/sbin" mkfs.ext4 -q -F "$out/disk4.img" 64M >/dev/null
}
tools/mkinitrd.sh "$out/bench.cpio" "$out/root"
# The kernel is measured as it would ship: DEBUG=0 (no heap poisoning,
# lock-order or assertion checks), built in its own directory so the
# default debug build is left alone. BENCH_DEBUG=1 measures the debug one.
make -s BUILD="$out/kbuild" DEBUG="${BENCH_DEBUG:-0}" ISO="$out/fk.iso" \
	INITRD="$out/bench.cpio" APPEND="quiet fw.exit=isa" "$out/fk.iso"

# Two configurations, each kernel in each. The headline is the one in
# which Linux is fastest under TCG: QEMU's default machine and CPU (with
# -cpu max Linux copies with rep movsb, which TCG runs a byte per loop
# pass, and is 2-7x slower). The second shows -cpu max on q35, where this
# kernel also gets SMAP/SMEP/UMIP. BENCH_CONFIGS=default or =max runs one.
declare -A MACHINE_OF=([default]="-machine pc" [max]="-machine q35 -cpu max")
CONFIGS=${BENCH_CONFIGS:-default max}
DISK_ARGS="-drive file=$out/disk.img,if=none,format=raw,id=vda -device virtio-blk-pci,drive=vda
 -drive file=$out/disk4.img,if=none,format=raw,id=vdb -device virtio-blk-pci,drive=vdb"
for cfg in $CONFIGS; do
	QEMU="qemu-system-x86_64 ${MACHINE_OF[$cfg]} -m 512 -smp 2 -no-reboot -display none"
	for r in $(seq 1 "$ROUNDS"); do
		echo "bench: $cfg: round $r/$ROUNDS: framekernel"
		mkdisk "$out/disk.img"
		timeout 600 $QEMU -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
			-serial file:"$out/$cfg.fk.$r.log" -cdrom "$out/fk.iso" -boot d $DISK_ARGS || true
		echo "bench: $cfg: round $r/$ROUNDS: linux $(basename "$vmlinuz")"
		mkdisk "$out/disk.img"
		timeout 600 $QEMU -serial file:"$out/$cfg.linux.$r.log" -kernel "$vmlinuz" $DISK_ARGS \
			-initrd "$out/bench.cpio" \
			-append "console=ttyS0 quiet rdinit=/init panic=-1" || true
	done
done

qemu_version=$(qemu-system-x86_64 --version | head -n 1)
result="bench/results/$(date +%Y-%m-%d).md"
/usr/bin/python3 - "$out" "$ROUNDS" "$qemu_version" "$(basename "$vmlinuz")" $CONFIGS > "$result" <<'PY'
import re, statistics, sys
out, rounds, qemu, linux = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
configs = sys.argv[5:]
DESC = {"default": "QEMU's default machine and CPU, Linux's fastest "
                   "configuration under TCG (`qemu-system-x86_64 -machine pc "
                   "-m 512 -smp 2`, qemu64 CPU)",
        "max": "`qemu-system-x86_64 -machine q35 -cpu max -m 512 -smp 2` "
               "(Linux copies with rep movsb here, which TCG runs slowly)"}
def parse(cfg, kind):
    runs = []
    for r in range(1, rounds + 1):
        vals = {}
        try:
            text = open(f"{out}/{cfg}.{kind}.{r}.log", errors="replace").read()
        except OSError:
            continue
        for m in re.finditer(r"^BENCH (\S+) ([0-9.]+) (\S+)", text, re.M):
            vals[m.group(1)] = (float(m.group(2)), m.group(3))
        m = re.search(r"^BOOT-UPTIME ([0-9.]+)", text, re.M)
        if m:
            vals["boot_to_init"] = (float(m.group(1)) * 1000, "ms")
        runs.append(vals)
    return runs
def table(cfg):
    fk, lx = parse(cfg, "fk"), parse(cfg, "linux")
    names = []
    for runs in (fk, lx):
        for v in runs:
            for n in v:
                if n not in names:
                    names.append(n)
    print(f"## {DESC.get(cfg, cfg)}\n")
    print("| benchmark | unit | framekernel | Linux | ratio | better |")
    print("|---|---|---|---|---|---|")
    for n in names:
        unit = next((v[n][1] for v in fk + lx if n in v), "")
        a, sa = col(fk, n)
        b, sb = col(lx, n)
        ratio, who = "-", "-"
        if a is not None and b:
            ratio = f"{a / b:.2f}"
            higher_better = unit == "MB/s"
            who = "framekernel" if (a > b) == higher_better else "Linux"
        print(f"| {n} | {unit} | {sa} | {sb} | {ratio} | {who} |")
    print()
def col(runs, n):
    xs = [v[n][0] for v in runs if n in v]
    if not xs:
        return None, "missing"
    med = statistics.median(xs)
    return med, f"{med:.1f} [{min(xs):.1f}-{max(xs):.1f}]"
print(f"# Benchmarks: framekernel vs Linux\n")
print(f"{qemu}; Linux `{linux}`; 512 MiB, 2 CPUs, TCG; {rounds} alternating "
      f"rounds per configuration; median [min-max].\n")
print("Ratio = framekernel / Linux. For ns, ms and kB lower is better, so a "
      "ratio below 1.0 means framekernel wins; for MB/s higher is better, so "
      "a ratio above 1.0 means framekernel wins.\n")
for cfg in configs:
    table(cfg)
PY

if [ "${BENCH_STRESS:-1}" = 1 ]; then
	STRESS_OUT="$out/stress" STRESS_RESULT="$out/stress.md" STRESS_SECONDS=5 \
		STRESSORS="fork clone exec vm futex pipe dir link rename fault timer" \
		tools/stress.sh >"$out/stress.out"
	{
		echo "## Many processes: stress-ng bogo-ops per second, 2 instances for 5 s each"
		echo
		echo "QEMU's default machine and CPU, 2 CPUs, 1 GiB, from the Debian system"
		echo "(tools/stress.sh); higher is better, so a ratio above 1.0 means"
		echo "framekernel wins. One run each: read the large differences."
		echo
		sed -n '/^| stressor |/,/^$/p' "$out/stress.md"
	} >>"$result"
fi
cat "$result"
echo "bench: written to $result"
