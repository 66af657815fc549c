#!/usr/bin/env bash
# tools/run-tests.sh: `make test`: every test layer, one summary line.
#
# Unit tests (host, ASan+UBSan), the gate's fixtures, the red-team corpus,
# the gate over the real services/, the integration boots and a profiler
# run. Each layer prints PASS/FAIL lines;
# this counts them and ends with "N passed, N failed". Exit 1 if anything
# failed, including a layer that crashed without printing its lines.
set -u
cd "$(dirname "$0")/.."
mkdir -p build
log=build/test.log
: >"$log"
layer_failed=0

run_layer() {
	local name=$1; shift
	echo "== $name"
	if ! "$@" 2>&1 | tee -a "$log"; then
		layer_failed=1
	fi
	[ "${PIPESTATUS[0]}" -eq 0 ] || layer_failed=1
}

run_layer "unit tests (host, ASan+UBSan)" tools/run-unit.sh
run_layer "fuzzing the ext2 parsers (libFuzzer, ${FUZZ_SECS:-60} s; longer: tests/fuzz/run.sh SECS)" tests/fuzz/run.sh "${FUZZ_SECS:-60}"
run_layer "fuzzing the network stack (libFuzzer, ${NET_FUZZ_SECS:-30} s after a ~20 s build; longer: tests/fuzz/run-net.sh SECS)" tests/fuzz/run-net.sh "${NET_FUZZ_SECS:-30}"
run_layer "gate fixtures (tests/lint)" tests/lint/run.sh
run_layer "red-team corpus (tests/redteam: refused at build time, or stopped at run time)" tests/redteam/run.sh
echo "== the gate over services/"
if make -s check >build/check.log 2>&1; then
	echo "PASS gate.services" | tee -a "$log"
else
	echo "FAIL gate.services: make check failed:" | tee -a "$log"
	sed 's/^/    /' build/check.log | tail -n 20
fi
run_layer "README syscall list" tools/syscall-list.sh --check
run_layer "integration (QEMU)" tests/integration/run.sh
# The profiler still works: the benchmark's own system call shows up in
# the kernel functions it attributes to it.
echo "== the profiler (tools/profile.sh)"
if TOP=40 tools/profile.sh null_syscall >build/profile.log 2>&1 &&
	grep -q "per iteration ([0-9,]*): kernel [0-9,]*" build/profile.log &&
	grep -q "^sys_getpid " build/profile.log; then
	echo "PASS profile.null_syscall_attributed" | tee -a "$log"
else
	echo "FAIL profile.null_syscall_attributed: see build/profile.log" | tee -a "$log"
	tail -n 5 build/profile.log | sed 's/^/    /'
fi

passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
if [ "$layer_failed" -ne 0 ] && [ "$failed" -eq 0 ]; then
	echo "FAIL tests.harness: a test layer failed without a FAIL line" | tee -a "$log"
	failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
