#!/usr/bin/env bash
# tests/fuzz/run-net.sh [SECONDS]: build and run the network stack's
# libFuzzer target (tests/fuzz/net_fuzz.c) for a bounded time (default
# 30 s), after replaying every input in tests/fuzz/net-regress/ (inputs
# that once crashed it). The seed corpus (real frames: a TCP handshake,
# data and FIN, ARP, ICMP echo, UDP, fragments, netlink dumps) is written
# by tests/fuzz/net_seeds.py. Prints "PASS fuzz.net..." or "FAIL
# fuzz.net...: ..." (crash inputs are left in build/fuzz-net/). Needs
# clang with libFuzzer.
set -u
cd "$(dirname "$0")/../.."
secs=${1:-30}
out=build/fuzz-net
mkdir -p "$out/corpus"
srcs="$(ls services/net/*.c services/net/link/*.c services/net/inet/*.c services/net/tcp/*.c |
	grep -v 'sys_socket.c\|procnet.c')
 framework/bytes/bytes.c tests/unit/fw_host_net.c tests/fuzz/net_fuzz.c"
if ! clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -DFW_HOST_TEST -Wno-unused-command-line-argument \
	-Iframework/include -Iframework -Itests/unit -Iservices -o "$out/net_fuzz" $srcs \
	>"$out/build.log" 2>&1; then
	echo "FAIL fuzz.net.build: see $out/build.log"
	exit 1
fi
status=0
if ls tests/fuzz/net-regress/* >/dev/null 2>&1; then
	if ASAN_OPTIONS=detect_leaks=1 "$out/net_fuzz" -runs=1 \
		tests/fuzz/net-regress/* >"$out/regress.log" 2>&1; then
		echo "PASS fuzz.net.regress ($(ls tests/fuzz/net-regress | wc -l) inputs)"
	else
		echo "FAIL fuzz.net.regress: see $out/regress.log"
		grep -m 5 'ERROR\|SUMMARY\|fuzz:\|host:\|Running:' "$out/regress.log" | sed 's/^/    /'
		status=1
	fi
fi
python3 tests/fuzz/net_seeds.py "$out/corpus" || { echo "FAIL fuzz.net.seeds"; exit 1; }
if (cd "$out" && ASAN_OPTIONS=detect_leaks=1 ./net_fuzz -max_total_time="$secs" \
	-max_len=16384 -timeout=20 -rss_limit_mb=2048 corpus >fuzz.log 2>&1); then
	echo "PASS fuzz.net ($(grep -o 'Done [0-9]* runs' "$out/fuzz.log"))"
else
	echo "FAIL fuzz.net: see $out/fuzz.log"
	grep -m 5 'ERROR\|SUMMARY\|fuzz:\|host:' "$out/fuzz.log" | sed 's/^/    /'
	status=1
fi
exit $status
