#!/usr/bin/env bash
# tests/redteam/run.sh: the red-team corpus (SOUNDNESS.md): service code
# written to corrupt memory it was not given, and the proof that it cannot.
#
#   static/*.c    must be refused at build time, by the gate rule or the
#                 compiler error its first line names (tests/redteam/static.sh)
#   runtime/*.c   legal service code: it must pass the gate, and then be
#                 stopped at run time. Linked into a kernel of their own
#                 (make REDTEAM=1), each trap_NAME.c is booted alone with
#                 `ktest=redteam_trap_NAME`: the kernel must panic with the
#                 message its first line names, and never print
#                 REDTEAM-REACHED (the line after the attack). The ok_*.c
#                 cases are attacks an API must refuse with an error while
#                 the kernel goes on: they run in one boot and must PASS.
#
# One PASS/FAIL line per case, as every layer. Exit 1 if any failed.
set -u
cd "$(dirname "$0")/../.."
out=build/redteam
mkdir -p "$out"
status=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; status=1; }
expect_of() { sed -n '1s/.*expect: \(.*\) \*\/.*/\1/p' "$1"; }

# 1. The static corpus.
bash tests/redteam/static.sh || status=1

# 2. Every run-time case is code the gate accepts.
cflags=$(make -s print-services-cflags)
if /usr/bin/python3 tools/gate/check_services.py --cflags "$cflags" \
	tests/redteam/runtime/*.c >"$out/gate.log" 2>&1; then
	pass "redteam.runtime.passes_the_gate"
else
	fail "redteam.runtime.passes_the_gate" "the gate refused a run-time case (see $out/gate.log):"
	head -n 5 "$out/gate.log" | sed 's/^/    /'
fi

# boot NAME APPEND [QEMU ARGS...]: the red-team kernel with that command
# line; the serial log in $out/NAME.log, QEMU's status in $rc.
boot() {
	local name=$1 append=$2 iso=$out/$1.iso
	shift 2
	rc=255
	if ! make -s BUILD="$out/kbuild" REDTEAM=1 ISO="$iso" APPEND="$append" \
		"$iso" >"$out/$name.build.log" 2>&1; then
		fail "redteam.$name" "the kernel did not build (see $out/$name.build.log)"
		return 1
	fi
	timeout 120 qemu-system-x86_64 -machine q35 -cpu max -m 512 -smp 2 \
		-no-reboot -display none -serial "file:$out/$name.log" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$iso" \
		-boot d "$@" >"$out/$name.qemu.log" 2>&1
	rc=$?
	rm -f "$iso"
	return 0
}

# 3. Each trap, in a boot of its own: stopped, with its message.
for f in tests/redteam/runtime/trap_*.c; do
	name=$(basename "$f" .c)
	want=$(expect_of "$f")
	if [ -z "$want" ]; then
		fail "redteam.$name" "no 'expect:' on its first line"
		continue
	fi
	boot "$name" "ktest=redteam_$name fw.exit=isa" || continue
	log=$out/$name.log
	if grep -aq "REDTEAM-REACHED" "$log"; then
		fail "redteam.$name" "the attack ran to the end: not stopped"
	elif [ "$rc" -eq 124 ]; then
		fail "redteam.$name" "timed out (hung instead of stopping); tail:"
		tail -n 3 "$log" | sed 's/^/    /'
	elif ! grep -aq "PANIC" "$log"; then
		fail "redteam.$name" "no panic (QEMU status $rc)"
	elif ! grep -aqF -- "$want" "$log"; then
		fail "redteam.$name" "stopped, but not with '$want':"
		grep -a -A1 "PANIC" "$log" | head -n 2 | sed 's/^/    /'
	elif [ "$rc" -ne 7 ]; then
		fail "redteam.$name" "QEMU status $rc, expected 7 (panic power-off)"
	else
		pass "redteam.$name"
	fi
done

# 4. The refusals, all in one boot, on a machine with an IOMMU and a
# virtio-rng device behind it (ok_dma_confined drives that device as a
# hostile driver would).
if boot ok "ktest=redteam_ok_ fw.exit=isa" -device intel-iommu \
	-device virtio-rng-pci,iommu_platform=on,disable-legacy=on; then
	log=$out/ok.log
	if grep -aq "iommu: blocked a DMA write by" "$log"; then
		pass "redteam.ok_dma_confined.fault_logged"
	else
		fail "redteam.ok_dma_confined.fault_logged" "no 'iommu: blocked a DMA write' line"
	fi
	for f in tests/redteam/runtime/ok_*.c; do
		name=$(basename "$f" .c)
		if grep -aq "^PASS ktest.redteam_$name\b" "$log"; then
			pass "redteam.$name"
		else
			why=$(grep -a "^FAIL ktest.redteam_$name" "$log" | head -n 1)
			fail "redteam.$name" "${why:-no PASS line (QEMU status $rc)}"
		fi
	done
	if grep -aq "PANIC" "$log" || [ "$rc" -ne 1 ]; then
		fail "redteam.ok_boot" "the refusals' boot did not end cleanly (status $rc)"
	fi
fi
exit $status
