#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS]: build and run the ext2 libFuzzer target for
# a bounded time (default 30 s) from a seed corpus of small mkfs.ext2 and
# mkfs.ext4 images (1, 2 and 4 KiB blocks, rev 0 and 1, files, links,
# symlinks, a hash-indexed directory).
# Prints "PASS fuzz.ext2" or "FAIL fuzz.ext2: ..." (crash inputs are left
# in build/fuzz/). Needs clang with libFuzzer.
set -u
cd "$(dirname "$0")/../.."
secs=${1:-30}
out=build/fuzz
mkdir -p "$out/corpus" "$out/src/d/e"
PATH="$PATH:/sbin:/usr/sbin"
srcs="services/fs/ext2/super.c services/fs/ext2/balloc.c services/fs/ext2/inode.c
 services/fs/ext2/bmap.c services/fs/ext2/dir.c services/fs/ext4/htree.c services/fs/ext2/namei.c services/fs/ext2/orphan.c
 services/fs/ext2/file.c services/fs/ext4/csum.c services/fs/ext4/extent.c services/fs/jbd2/recovery.c services/fs/jbd2/journal.c services/fs/jbd2/commit.c services/fs/cache/pagecache.c services/fs/vfs/llseek.c services/fs/vfs/limits.c services/block/bcache.c framework/bytes/bytes.c
 tests/unit/fw_host_ext2.c tests/unit/fw_host_disk.c tests/fuzz/ext2_fuzz.c"
if ! clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -DFW_HOST_TEST -Wno-unused-command-line-argument \
	-Iframework/include -Iframework -Itests/unit -Iservices -o "$out/ext2_fuzz" $srcs \
	>"$out/build.log" 2>&1; then
	echo "FAIL fuzz.ext2.build: see $out/build.log"
	exit 1
fi
printf 'hello\n' >"$out/src/hello"
head -c 20000 /dev/zero | tr '\0' 'x' >"$out/src/d/big"
ln -sf hello "$out/src/fast"
ln -sf "$(printf 'p%.0s' $(seq 1 80))" "$out/src/slow"
ln -f "$out/src/hello" "$out/src/d/e/hard"
for bs in 1024 2048 4096; do
	mkfs.ext2 -q -F -b $bs -N 32 -d "$out/src" "$out/corpus/seed$bs" 256k >/dev/null 2>&1
done
mkfs.ext2 -q -F -r 0 -b 1024 -N 32 "$out/corpus/seed-rev0" 128k >/dev/null 2>&1
# ext4: extents, 64bit, flex_bg; with metadata_csum (most mutations then
# fail a checksum, which is the point of those checks), without it (the
# parsers behind them get the mutations) and with uninit_bg's crc16.
for opt in ^has_journal ^has_journal,^metadata_csum ^has_journal,^metadata_csum,uninit_bg; do
	mkfs.ext4 -q -F -b 1024 -N 32 -O "$opt" -d "$out/src" "$out/corpus/seed-ext4-${opt//[^a-z]/}" 256k >/dev/null 2>&1
done
# a hash-indexed directory (e2fsck -D builds the index), ext2 and ext4
mkdir -p "$out/srcdx/big"
for i in $(seq 1 120); do : >"$out/srcdx/big/entry_with_a_long_name_$i"; done
for t in ext2 ext4; do
	mkfs.$t -q -F -b 1024 -N 160 -O ^has_journal -d "$out/srcdx" "$out/corpus/seed-dx-$t" 256k >/dev/null 2>&1
	e2fsck -fyD "$out/corpus/seed-dx-$t" >/dev/null 2>&1
done
if (cd "$out" && ASAN_OPTIONS=detect_leaks=1 ./ext2_fuzz -max_total_time="$secs" \
	-max_len=262144 -timeout=20 -rss_limit_mb=2048 corpus >fuzz.log 2>&1); then
	echo "PASS fuzz.ext2 ($(grep -o 'Done [0-9]* runs' "$out/fuzz.log"))"
else
	echo "FAIL fuzz.ext2: see $out/fuzz.log"
	grep -m 5 'ERROR\|SUMMARY\|fuzz:' "$out/fuzz.log" | sed 's/^/    /'
	exit 1
fi
