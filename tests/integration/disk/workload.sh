#!/bin/sh
# workload.sh DIR: the file-system workload of the disk tests. Run by
# busybox sh twice: on the host in a plain directory (the expected tree)
# and in the guest on ext2 (the tree under test); the runner compares the
# two. Everything it writes is deterministic.
set -eu
cd "$1"
seq 1 300000 > /tmp/seq.txt   # 2 MB of known text to cut files from

mkdir -p tree/a/b/c tree/empty tree/many tree/moved
cd tree
# Files of many sizes: around block, indirect and double-indirect edges
# (1 KiB blocks: 12 direct, 256 per indirect block).
for n in 0 1 511 512 1023 1024 1025 4095 4096 4097 12287 12288 12289 \
	 65536 70000 269312 270000 1100000 2000000; do
	head -c "$n" /tmp/seq.txt > "size_$n"
done
# A directory that grows over several blocks, then loses half its entries.
i=0
while [ $i -lt 300 ]; do
	echo "entry $i" > "many/file_with_a_longish_name_$i"
	i=$((i + 1))
done
i=0
while [ $i -lt 300 ]; do
	rm "many/file_with_a_longish_name_$i"
	i=$((i + 2))
done
# Renames: in place, across directories, over an existing file, and a
# directory moved under another one.
echo one > a/one
echo two > a/b/two
mv a/one a/uno
mv a/b/two moved/two
echo target > moved/victim
echo winner > a/winner
mv a/winner moved/victim
mkdir a/dir_to_move && echo inside > a/dir_to_move/f
mv a/dir_to_move a/b/c/
# Links: hard, fast symlink (target in the inode), slow symlink (a block).
echo linked > a/hard_src
ln a/hard_src a/b/hard_dst
ln -s uno a/fast_link
ln -s ../../../this/is/a/long/symlink/target/that/does/not/fit/in/sixty/bytes/at/all a/b/c/slow_link
# Unlinks and rmdir.
echo gone > a/gone && rm a/gone
mkdir a/gone_dir && rmdir a/gone_dir
# Truncate down (frees blocks, indirect ones too) and up (a hole).
head -c 1100000 /tmp/seq.txt > trunc_down && truncate -s 5000 trunc_down
echo start > trunc_up && truncate -s 300000 trunc_up
# Overwrite in the middle of a file.
head -c 70000 /tmp/seq.txt > patched
printf 'PATCH' | dd of=patched bs=1 seek=30000 conv=notrunc 2>/dev/null
# From another file system: cp (sendfile, or its read/write fallback)
# and mv (rename gives EXDEV, so mv copies and unlinks).
cp /tmp/seq.txt copied_from_tmp
head -c 5000 /tmp/seq.txt > /tmp/fk_mv_src && mv /tmp/fk_mv_src moved_from_tmp
# Modes.
echo secret > private && chmod 600 private
chmod 750 a/b
rm /tmp/seq.txt
