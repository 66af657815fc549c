#!/usr/bin/env bash
# tools/test-matrix.sh: the in-kernel tests across virtual machines (issue 11).
#
#   tools/test-matrix.sh            a sample of the cross product (below)
#   MATRIX=full tools/test-matrix.sh   every combination (288 boots, hours)
#   ONLY=EPYC tools/test-matrix.sh     only configurations whose name has it
#   SUITE=user tools/test-matrix.sh    the Linux-ABI test programs
#                                      (tests/user) instead of the ktests
#
# Dimensions: QEMU CPU models qemu64 (QEMU's default), Nehalem, SandyBridge,
# Skylake-Client, EPYC and max; machines pc (i440fx) and q35; 1, 2, 4 and 8
# CPUs; 128 MiB to 8 GiB of RAM. The sample boots every CPU model on both
# machines (12 boots, the SAMPLE table below), each CPU count three times
# and each memory size twice, every one of them on both machines. Each boot runs
# `ktest fw.exit=isa` from one ISO with a timeout: the guest powers itself
# off through isa-debug-exit (status 1 = all passed), and a panic powers
# off too (status 7). Every configuration prints one PASS/FAIL line, named
# machine-cpu-smpN-memM, and the script ends with "N passed, N failed".
# On pc an e1000e NIC is added: the MSI-X ktest needs a device with MSI-X
# (q35 has one built in). Logs are in build/matrix/.
set -u
cd "$(dirname "$0")/.."
out=build/matrix
mkdir -p "$out"

CPUS=(qemu64 Nehalem SandyBridge Skylake-Client EPYC max)
MACHINES=(pc q35)
SMPS=(1 2 4 8)
MEMS=(128 512 1536 3072 4096 8192)

SUITE=${SUITE:-ktest}
build_iso() {
	if [ "$SUITE" = user ]; then
		rm -rf "$out/utest" && mkdir -p "$out/utest/tests" &&
			tests/user/build.sh "$out/utest/tests" &&
			cp tests/integration/userinit/init "$out/utest/init" &&
			tools/mkinitrd.sh "$out/utest.cpio" "$out/utest" &&
			make -s ISO="$iso" APPEND="fw.exit=isa" INITRD="$out/utest.cpio" "$iso"
	else
		make -s ISO="$iso" APPEND="ktest fw.exit=isa" INITRD= "$iso"
	fi
}
iso=$out/$SUITE.iso
if ! build_iso >"$out/build.log" 2>&1; then
	echo "FAIL matrix.build: see $out/build.log"
	echo "0 passed, 1 failed"
	exit 1
fi

# The sample: each CPU model on both machines; each CPU count three times
# and each memory size twice, and every CPU count and memory size on both
# machines. "machine cpu smp mem(MiB)":
SAMPLE=(
	"pc qemu64 1 512"       "q35 qemu64 2 8192"
	"pc Nehalem 2 128"      "q35 Nehalem 4 1536"
	"pc SandyBridge 4 3072" "q35 SandyBridge 8 4096"
	"pc Skylake-Client 8 8192" "q35 Skylake-Client 1 128"
	"pc EPYC 1 4096"        "q35 EPYC 2 3072"
	"pc max 4 1536"         "q35 max 8 512"
)
configs=()
if [ "${MATRIX:-sample}" = full ]; then
	for cpu in "${CPUS[@]}"; do
		for machine in "${MACHINES[@]}"; do
			for smp in "${SMPS[@]}"; do
				for mem in "${MEMS[@]}"; do
					configs+=("$machine $cpu $smp $mem")
				done
			done
		done
	done
else
	configs=("${SAMPLE[@]}")
fi

npass=0
nfail=0
for c in "${configs[@]}"; do
	set -- $c
	machine=$1 cpu=$2 smp=$3 mem=$4
	name=$machine-$cpu-smp$smp-mem${mem}M
	case "$name" in *"${ONLY:-}"*) ;; *) continue ;; esac
	extra=
	[ "$machine" = pc ] && extra="-device e1000e"
	log=$out/$SUITE-$name.log
	# shellcheck disable=SC2086
	timeout 600 qemu-system-x86_64 -machine "$machine" -cpu "$cpu" -m "$mem" \
		-smp "$smp" -no-reboot -display none -serial "file:$log" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 $extra \
		-cdrom "$iso" -boot d >"$out/$name.qemu.log" 2>&1
	rc=$?
	if [ "$SUITE" = user ]; then
		summary=$(grep -a "^USER-TESTS-SUMMARY" "$log" | tr -d '\r')
		ok=false
		grep -q "^USER-TESTS-DONE" "$log" && ! grep -q "^FAIL" "$log" && ok=true
	else
		summary=$(grep -a "^ktest: " "$log" | tr -d '\r')
		ok=false
		grep -q "^ktest: [0-9]* passed, 0 failed" "$log" && ok=true
	fi
	if [ "$rc" -eq 1 ] && $ok && grep -q "smp: $smp CPUs online" "$log"; then
		echo "PASS matrix.$name"
		npass=$((npass + 1))
	else
		why="QEMU status $rc, '${summary:-no summary}'"
		grep -q "PANIC" "$log" && why="$why, $(grep -a -m1 PANIC "$log" | tr -d '\r')"
		echo "FAIL matrix.$name: $why"
		grep -a "^FAIL" "$log" | tr -d '\r' | sed 's/^/    /'
		nfail=$((nfail + 1))
	fi
	# What the kernel found and used on this CPU (for the README table).
	grep -a -m1 "cpu: " "$log" | tr -d '\r' | sed 's/^\[[ 0-9.]*\] /    /'
done
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
