/* tests/unit/journal_test.c: jbd2 journal recovery at mount, against
 * e2fsprogs.
 *
 * Layer: host unit test of services/fs/jbd2/recovery.c with
 * the real ext2 driver and block cache over image files. Images are made
 * by mkfs.ext3 (1 and 4 KiB blocks; the journal file uses indirect
 * blocks), and dirty journals by debugfs's journal writer: `jo` opens the
 * journal (`-c`: checksums v3, `-v 2`: v2), `jw -b B file` logs a
 * transaction writing file's bytes to blocks B, `jw -r B` one revoking
 * B, `jw -c` leaves its transaction uncommitted, `jc` closes, leaving
 * needs_recovery set. The test mounts through ext2_mount, unmounts, and
 * checks the raw image: committed blocks replayed, revoked and
 * uncommitted ones not, needs_recovery cleared, `e2fsck -fn` clean, and
 * every byte equal to what e2fsprogs's own recovery (`debugfs -w -R jr`)
 * makes of a copy, outside the superblock (whose counters and times
 * debugfs rewrites on close). Lying journals (bad superblock fields,
 * tags outside the file system, huge revoke counts, holes, a log that
 * goes round, bad checksums, random damage) must fail cleanly or stop
 * where Linux stops, under ASan/UBSan, and never write outside the file
 * system.
 *
 * unit-sources: -Iservices services/fs/ext2/super.c services/fs/ext2/balloc.c services/fs/ext2/inode.c services/fs/ext2/bmap.c services/fs/ext2/dir.c services/fs/ext4/htree.c services/fs/ext2/namei.c services/fs/ext2/orphan.c services/fs/ext2/file.c services/fs/ext4/csum.c services/fs/ext4/extent.c services/fs/jbd2/recovery.c services/fs/jbd2/journal.c services/fs/jbd2/commit.c services/fs/cache/pagecache.c services/fs/vfs/llseek.c services/fs/vfs/limits.c services/block/bcache.c framework/bytes/bytes.c tests/unit/fw_host_ext2.c tests/unit/fw_host_disk.c */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include "fs/ext2/ext2.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "fw_host_ext2.h"

#define TMP "build/unit/journal"

static char cmd[2048];

static int sh(const char *fmt, ...) FW_PRINTF(1, 2);
static int sh(const char *fmt, ...)
{
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st == -1)
		return -1;
	return (st >> 8) & 0xff;
}

/* The first number a command prints, or -1. */
static long sh_num(const char *fmt, ...) FW_PRINTF(1, 2);
static long sh_num(const char *fmt, ...)
{
	va_list ap;
	FILE *p;
	long v = -1;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fscanf(p, "%ld", &v) != 1)
		v = -1;
	pclose(p);
	return v;
}

static void patch(const char *img, uint64_t off, const void *b, size_t len)
{
	FILE *f = fopen(img, "r+b");

	if (!f || fseek(f, (long)off, SEEK_SET) || fwrite(b, 1, len, f) != len)
		abort();
	fclose(f);
}

static void peek(const char *img, uint64_t off, void *b, size_t len)
{
	FILE *f = fopen(img, "rb");

	if (!f || fseek(f, (long)off, SEEK_SET) || fread(b, 1, len, f) != len)
		abort();
	fclose(f);
}

static void poke_be32(const char *img, uint64_t off, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	patch(img, off, b, 4);
}

static uint32_t peek_be32(const char *img, uint64_t off)
{
	uint8_t b[4];

	peek(img, off, b, 4);
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint32_t peek_le32(const char *img, uint64_t off)
{
	uint8_t b[4];

	peek(img, off, b, 4);
	return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

/* Is every byte of block blk equal to v? */
static bool block_is(const char *img, unsigned bs, uint64_t blk, uint8_t v)
{
	uint8_t b[4096];

	peek(img, blk * bs, b, bs);
	for (unsigned i = 0; i < bs; i++)
		if (b[i] != v)
			return false;
	return true;
}

/* A data file of n blocks of bs bytes of v; with magic, the last block
 * begins with the jbd2 magic number instead (debugfs logs it escaped). */
static void data_file(const char *path, uint8_t v, unsigned n, unsigned bs,
		      bool magic)
{
	static const uint8_t m[4] = { 0xC0, 0x3B, 0x39, 0x98 };
	FILE *f = fopen(path, "wb");

	if (!f)
		abort();
	for (unsigned i = 0; i < n * bs; i++)
		fputc(magic && i >= (n - 1) * bs && i - (n - 1) * bs < 4 ? m[i % 4] : v, f);
	fclose(f);
}

static int mkimg(const char *img, unsigned bs, const char *extra)
{
	return sh("rm -f %s && mkfs.ext3 -q -F -b %u %s %s 8M >/dev/null 2>&1", img, bs,
		  extra ? extra : "", img);
}

/* Run debugfs journal commands (separated by ';') on img. */
static int jcmds(const char *img, const char *cmds)
{
	char c[1024];

	snprintf(c, sizeof(c), "%s", cmds);
	for (char *p = c; *p; p++)
		if (*p == ';')
			*p = '\n';
	return sh("printf '%s\\n' | debugfs -w -f - %s >/dev/null 2>&1", c, img);
}

/* The physical block of journal block n. */
static long jblk(const char *img, unsigned n)
{
	return sh_num("debugfs -R 'bmap <8> %u' %s 2>/dev/null", n, img);
}

static bool needs_recovery(const char *img)
{
	return sh("dumpe2fs -h %s 2>/dev/null | grep -q 'features:.*needs_recovery'", img) == 0;
}

static int fsck(const char *img)
{
	int st = sh("e2fsck -fn %s >%s.fsck 2>&1", img, img);

	if (st != 0)
		sh("cat %s.fsck >&2", img);
	return st;
}

static struct blkdev disks[64];
static int ndisks;

/* Mount img (read-only unless rw), then unmount. The mount's result. */
static int mount_cycle(const char *img, bool rw, bool dev_ro)
{
	struct blkdev *d = &disks[ndisks++ % 64];
	struct superblock *sb = NULL;
	int err;

	memset(d, 0, sizeof(*d));
	if (host_disk_open(d, img, "img"))
		abort();
	d->read_only = dev_ro;
	err = ext2_mount(d, !rw, &sb);
	if (!err)
		sb->sops->umount(sb);
	bcache_drop_clean(d);
	host_disk_close(d);
	if (host_live_inodes != 0) {
		printf("FAIL journal.umount: %ld inodes left after unmount\n", host_live_inodes);
		harness_failed = 1;
		host_live_inodes = 0;
	}
	return err;
}

/* Every byte of a and b equal outside the primary superblock. */
static bool same_but_super(const char *a, const char *b)
{
	return sh("cmp -l %s %s | awk '$1 < 1025 || $1 > 2048 { bad = 1; print } END { exit bad }' >&2",
		  a, b) == 0;
}

/* ---- checksums ----------------------------------------------------------- */

/* csum.c's crc32c is the raw one jbd2 uses (jbd2_chksum): no inversions.
 * (recovery.c's crc32_be is checked by the v1 cases against e2fsprogs.) */
static void t_crc(void)
{
	static const uint8_t check[] = "123456789";
	static uint8_t zeros[32];
	static const uint8_t ones[32] = { [0 ... 31] = 0xff };
	uint8_t asc[32];
	struct fw_bytes b = fw__bytes_make(check, 9);

	ext2_init(); /* the tables */
	/* CRC-32C's check value 0xE3069283 is ~crc32c(~0, "123456789") */
	CHECK(ext2_crc32c(~0u, b) == ~0xE3069283u);
	/* iSCSI test vectors (RFC 3720 B.4): 32 bytes of zeros, of ones,
	 * 0..31 (eight bytes at a time and the bytes after) */
	CHECK(ext2_crc32c(~0u, FW_BYTES_OF_ARRAY(zeros)) == ~0x8A9136AAu);
	CHECK(ext2_crc32c(~0u, FW_BYTES_OF_ARRAY(ones)) == ~0x62A8AB43u);
	for (unsigned i = 0; i < 32; i++)
		asc[i] = (uint8_t)i;
	CHECK(ext2_crc32c(~0u, FW_BYTES_OF_ARRAY(asc)) == ~0x46DD794Eu);
	/* a split run gives the same as the whole (seeds chain) */
	CHECK(ext2_crc32c(ext2_crc32c(~0u, fw__bytes_make(asc, 13)), fw__bytes_make(asc + 13, 19)) ==
	      ~0x46DD794Eu);
}

/* ---- replay against e2fsprogs ------------------------------------------- */

/* A file system with transactions: T1 writes blocks A,A+1 (0x11), T2
 * revokes A, T3 writes A+2 (0x22) and A+3 (a block beginning with the
 * jbd2 magic: logged escaped), T4 writes A+1 again (0x44), T5 writes A+4
 * and is not committed. jo_opts: debugfs jo options: -c gives v3
 * checksums on a metadata_csum file system (-v 2: v2), else v1 (compat
 * crc32); jinc: journal incompat features to set first (64bit). */
static const char *dirty_img(const char *name, unsigned bs, const char *mkfs_extra,
			     const char *jo_opts, uint32_t jinc, long *a)
{
	static char img[128];
	char c[1024];

	snprintf(img, sizeof(img), TMP "/%s.img", name);
	if (mkimg(img, bs, mkfs_extra))
		return NULL;
	if (jinc) {
		/* journal features debugfs then writes with (64bit) */
		long j0 = jblk(img, 0);
		uint64_t off = (uint64_t)j0 * bs + 0x28;

		if (j0 <= 0)
			return NULL;
		poke_be32(img, off, peek_be32(img, off) | jinc);
	}
	*a = sh_num("debugfs -R 'ffb 8 %u' %s 2>/dev/null | sed 's/.*found: //'",
		    bs == 1024 ? 5000 : 1500, img);
	if (*a < 0)
		return NULL;
	data_file(TMP "/d11", 0x11, 2, bs, false);
	data_file(TMP "/d22m", 0x22, 2, bs, true);
	data_file(TMP "/d44", 0x44, 1, bs, false);
	data_file(TMP "/d55", 0x55, 1, bs, false);
	snprintf(c, sizeof(c),
		 "jo %s;jw -b %ld,%ld " TMP "/d11;jw -r %ld;jw -b %ld,%ld " TMP "/d22m;"
		 "jw -b %ld " TMP "/d44;jw -b %ld -c " TMP "/d55;jc",
		 jo_opts, *a, *a + 1, *a, *a + 2, *a + 3, *a + 1, *a + 4);
	if (jcmds(img, c) || !needs_recovery(img))
		return NULL;
	return img;
}

/* v1: debugfs's v1 (compat crc32) commit checksum covers a transaction's
 * revoke blocks, the kernel's (and so recovery's, Linux's and
 * e2fsprogs's alike) does not: T2 (a revoke alone) fails its check and
 * the log ends after T1, for e2fsprogs as for us. */
static void check_replay(const char *name, unsigned bs, const char *mkfs_extra,
			 const char *jo_opts, uint32_t jinc, bool rw, bool v1)
{
	char ref[160], orig[160];
	const char *img;
	long a = 0, j0;
	uint8_t magic[4];

	img = dirty_img(name, bs, mkfs_extra, jo_opts, jinc, &a);
	CHECK(img);
	snprintf(ref, sizeof(ref), "%s.ref", img);
	snprintf(orig, sizeof(orig), "%s.orig", img);
	CHECK(sh("cp %s %s && cp %s %s", img, ref, img, orig) == 0);
	CHECK(sh("debugfs -w -R jr %s >/dev/null 2>&1", ref) == 0);
	CHECK(!needs_recovery(ref));

	host_log_clear();
	CHECK(mount_cycle(img, rw, false) == 0);
	CHECK(strstr(host_log, "jbd2: recovery complete"));
	CHECK(!needs_recovery(img));
	if (v1) {
		CHECK(strstr(host_log, "bad commit block checksum in transaction 2"));
		CHECK(block_is(img, bs, a, 0x11) && block_is(img, bs, a + 1, 0x11));
		CHECK(block_is(img, bs, a + 2, 0) && block_is(img, bs, a + 4, 0));
	} else {
		CHECK(block_is(img, bs, a, 0));		/* revoked by T2 */
		CHECK(block_is(img, bs, a + 1, 0x44));	/* T1, then T4 */
		CHECK(block_is(img, bs, a + 2, 0x22));
		peek(img, (uint64_t)(a + 3) * bs, magic, 4);	/* un-escaped */
		CHECK(magic[0] == 0xC0 && magic[1] == 0x3B && magic[2] == 0x39 &&
		      magic[3] == 0x98);
		CHECK(block_is(img, bs, a + 4, 0));	/* T5 never committed */
	}
	CHECK(fsck(img) == 0);
	if (!rw)
		CHECK(same_but_super(img, ref));
	/* The journal is empty, its next transaction after the last one
	 * seen (Linux: ++end_transaction), as e2fsprogs leaves it. */
	j0 = jblk(img, 0);
	CHECK(j0 > 0);
	CHECK(peek_be32(img, (uint64_t)j0 * bs + 0x1C) == 0);
	/* (a read-write mount journals its own changes from there: one
	 * commit at least, at unmount) */
	CHECK(rw ? peek_be32(img, (uint64_t)j0 * bs + 0x18) > (v1 ? 3u : 6u)
		 : peek_be32(img, (uint64_t)j0 * bs + 0x18) == (v1 ? 3u : 6u));
	CHECK(peek_be32(ref, (uint64_t)j0 * bs + 0x18) == (v1 ? 3u : 6u));
	/* a second mount has nothing to do */
	host_log_clear();
	CHECK(mount_cycle(img, true, false) == 0);
	CHECK(!strstr(host_log, "jbd2: recovery"));
	CHECK(fsck(img) == 0);
}

static void t_replay_1k(void) { check_replay("r1k", 1024, NULL, "", 0, false, false); }
static void t_replay_4k(void) { check_replay("r4k", 4096, NULL, "", 0, false, false); }
static void t_replay_1k_rw(void) { check_replay("r1krw", 1024, NULL, "", 0, true, false); }
static void t_replay_csum1(void) { check_replay("rc1", 1024, NULL, "-c", 0, false, true); }
/* v2/v3 need metadata_csum; the superblock's checksum is then
 * recomputed when needs_recovery goes (e2fsck checks it) */
static void t_replay_csum3(void)
{
	check_replay("rc3", 1024, "-O metadata_csum", "-c", 0, false, false);
}

static void t_replay_csum3_4k(void)
{
	check_replay("rc3k", 4096, "-O metadata_csum", "-c", 0, false, false);
}

static void t_replay_csum2(void)
{
	check_replay("rc2", 1024, "-O metadata_csum", "-c -v 2", 0, false, false);
}

/* 64-bit tags (12 bytes) and revoke records (8 bytes). */
static void t_replay_64bit(void)
{
	check_replay("r64", 4096, NULL, "", 0x2, false, false);
}

/* ext4: the journal file is mapped by an extent tree; 64-bit tags. */
static void t_replay_ext4(void)
{
	check_replay("rext4", 4096, "-O extent,flex_bg,64bit,metadata_csum", "-c", 0, true, false);
}

static void t_replay_64bit_csum1(void)
{
	check_replay("r64c", 1024, NULL, "-c", 0x2, false, true);
}

/* Only needs_recovery to clear: a journal with an empty log. */
static void t_clean_log(void)
{
	const char *img = TMP "/clean.img";
	uint8_t b[1] = { 0 };
	uint32_t inc;

	CHECK(mkimg(img, 1024, NULL) == 0);
	inc = peek_le32(img, 1024 + SB_FEATURE_INCOMPAT);
	inc |= EXT3_FEATURE_INCOMPAT_RECOVER;
	b[0] = (uint8_t)inc;
	patch(img, 1024 + SB_FEATURE_INCOMPAT, b, 1);
	CHECK(needs_recovery(img));
	CHECK(mount_cycle(img, false, false) == 0);
	CHECK(!needs_recovery(img));
	CHECK(fsck(img) == 0);
}

/* A read-only device cannot be recovered: the mount is refused. */
static void t_readonly_device(void)
{
	long a;
	const char *img = dirty_img("rodev", 1024, NULL, "", 0, &a);

	CHECK(img);
	CHECK(sh("cp %s %s.orig", img, img) == 0);
	host_log_clear();
	CHECK(mount_cycle(img, false, true) == -EROFS);
	CHECK(strstr(host_log, "write access unavailable, cannot proceed"));
	CHECK(sh("cmp -s %s %s.orig", img, img) == 0);
}

/* ---- lying journals ------------------------------------------------------ */

/* Make a dirty 1 KiB image, damage it with fn, and mount: the result;
 * *unchanged: the image is as before the mount. */
static int damaged(const char *name, void (*fn)(const char *img, long a),
		   const char *jo_opts, bool *unchanged)
{
	/* "-c": v3 checksums, which need metadata_csum; "v1": v1 ones */
	bool v1 = strcmp(jo_opts, "v1") == 0;
	const char *extra = jo_opts[0] && !v1 ? "-O metadata_csum" : NULL;
	char orig[160];
	const char *img;
	long a = 0;
	int err;

	img = dirty_img(name, 1024, extra, v1 ? "-c" : jo_opts, 0, &a);
	if (!img)
		return 1000;
	fn(img, a);
	snprintf(orig, sizeof(orig), "%s.orig", img);
	sh("cp %s %s", img, orig);
	host_log_clear();
	err = mount_cycle(img, false, false);
	*unchanged = sh("cmp -s %s %s", img, orig) == 0;
	return err;
}

static void bad_jsb_magic(const char *img, long a)
{
	(void)a;
	poke_be32(img, (uint64_t)jblk(img, 0) * 1024, 0x12345678);
}

static void bad_maxlen(const char *img, long a)
{
	(void)a;
	poke_be32(img, (uint64_t)jblk(img, 0) * 1024 + 0x10, 5000);
}

static void bad_start(const char *img, long a)
{
	(void)a;
	poke_be32(img, (uint64_t)jblk(img, 0) * 1024 + 0x1C, 1024);
}

static void bad_first(const char *img, long a)
{
	(void)a;
	poke_be32(img, (uint64_t)jblk(img, 0) * 1024 + 0x14, 0);
}

static void bad_blocksize(const char *img, long a)
{
	(void)a;
	poke_be32(img, (uint64_t)jblk(img, 0) * 1024 + 0x0C, 4096);
}

static void fast_commit(const char *img, long a)
{
	(void)a;
	poke_be32(img, (uint64_t)jblk(img, 0) * 1024 + 0x28, 0x21);
}

/* T1's descriptor (journal block 1): first tag's block past the end */
static void tag_past_end(const char *img, long a)
{
	(void)a;
	poke_be32(img, (uint64_t)jblk(img, 1) * 1024 + 12, 0x7fffffff);
}

/* T2's revoke block (journal block 5): r_count past the block */
static void huge_rcount(const char *img, long a)
{
	(void)a;
	poke_be32(img, (uint64_t)jblk(img, 5) * 1024 + 12, 0xfffffff0);
}

/* T1's commit block (journal block 4) loses its magic: the log ends
 * after nothing */
static void no_commit(const char *img, long a)
{
	(void)a;
	poke_be32(img, (uint64_t)jblk(img, 4) * 1024, 0);
}

/* a hole in the journal file at its block 3 (T1's second data block) */
static void hole(const char *img, long a)
{
	(void)a;
	sh("debugfs -w -R 'sif <8> block[3] 0' %s >/dev/null 2>&1", img);
}

/* Every log block a descriptor of transaction 1 with one tag: no commit,
 * and the walk would go round the journal for ever. */
static void loop(const char *img, long a)
{
	uint8_t d[1024];
	uint32_t maxlen = peek_be32(img, (uint64_t)jblk(img, 0) * 1024 + 0x10);

	memset(d, 0, sizeof(d));
	d[0] = 0xC0, d[1] = 0x3B, d[2] = 0x39, d[3] = 0x98;
	d[7] = 1;	/* descriptor */
	d[11] = 1;	/* sequence 1 */
	d[12 + 0] = 0, d[12 + 1] = 0, d[12 + 2] = (uint8_t)(a >> 8), d[12 + 3] = (uint8_t)a;
	d[12 + 7] = 2 | 8; /* SAME_UUID | LAST_TAG */
	for (uint32_t i = 1; i < maxlen; i++)
		patch(img, (uint64_t)jblk(img, i) * 1024, d, sizeof(d));
}

/* s_nr_users changed: a v3 superblock's checksum no longer matches */
static void bad_jsb_csum(const char *img, long a)
{
	(void)a;
	poke_be32(img, (uint64_t)jblk(img, 0) * 1024 + 0x40, 7);
}

static void t_bad_superblock(void)
{
	bool same;

	CHECK(damaged("jmagic", bad_jsb_magic, "", &same) == -EINVAL && same);
	CHECK(strstr(host_log, "no valid journal superblock"));
	CHECK(damaged("jmaxlen", bad_maxlen, "", &same) == -EINVAL && same);
	CHECK(strstr(host_log, "journal file too short"));
	CHECK(damaged("jstart", bad_start, "", &same) == -EINVAL && same);
	CHECK(strstr(host_log, "invalid start block"));
	CHECK(damaged("jfirst", bad_first, "", &same) == -EINVAL && same);
	CHECK(damaged("jbs", bad_blocksize, "", &same) == -EINVAL && same);
	CHECK(damaged("jfc", fast_commit, "", &same) == -EINVAL && same);
	CHECK(strstr(host_log, "fast commit"));
	CHECK(damaged("jcsum", bad_jsb_csum, "-c", &same) == -EIO && same);
	CHECK(strstr(host_log, "journal checksum error"));
}

static void t_bad_log(void)
{
	bool same;

	CHECK(damaged("tagend", tag_past_end, "", &same) == -EIO && same);
	CHECK(strstr(host_log, "outside the file system"));
	CHECK(damaged("rcount", huge_rcount, "", &same) == -EINVAL && same);
	CHECK(strstr(host_log, "count 4294967280 past the block"));
	CHECK(damaged("hole", hole, "", &same) == -EIO);
	CHECK(strstr(host_log, "bad block at offset 3"));
	CHECK(damaged("loop", loop, "", &same) == -EIO && same);
	CHECK(strstr(host_log, "log longer than the journal"));
}

/* Linux's answers to a missing or bad commit: the log ends there. */
static void t_log_ends(void)
{
	const char *img = TMP "/nocommit.img";
	bool same;

	CHECK(damaged("nocommit", no_commit, "", &same) == 0 && !same);
	CHECK(!needs_recovery(img));
	CHECK(fsck(img) == 0);
}

/* v3 checksums: a damaged data block is skipped and fails the mount
 * (Linux: "Invalid checksum recovering data block", -EFSBADCRC); a
 * damaged commit block ends the log (nothing after it replayed); a
 * damaged descriptor in a committed transaction fails the scan. */
static void flip_data(const char *img, long a)
{
	uint8_t b = 0x5a;

	(void)a;
	patch(img, (uint64_t)jblk(img, 8) * 1024 + 100, &b, 1); /* T3's first block */
}

static void flip_commit(const char *img, long a)
{
	uint8_t b = 0x5a;

	(void)a;
	patch(img, (uint64_t)jblk(img, 4) * 1024 + 40, &b, 1); /* T1's commit header */
}

static void flip_commit_tail(const char *img, long a)
{
	uint8_t b = 0x5a;

	(void)a;
	patch(img, (uint64_t)jblk(img, 4) * 1024 + 200, &b, 1);
}

/* v1: T1's second data block (journal block 3) */
static void flip_data1(const char *img, long a)
{
	uint8_t b = 0x5a;

	(void)a;
	patch(img, (uint64_t)jblk(img, 3) * 1024 + 100, &b, 1);
}

static void flip_descriptor(const char *img, long a)
{
	uint8_t b = 0x5a;

	(void)a;
	patch(img, (uint64_t)jblk(img, 1) * 1024 + 500, &b, 1); /* T1's descriptor */
}

static void t_csum_damage(void)
{
	bool same;
	const char *img;

	CHECK(damaged("cdata", flip_data, "-c", &same) == -EIO && !same);
	CHECK(strstr(host_log, "invalid checksum recovering data block"));
	img = TMP "/cdata.img";
	CHECK(needs_recovery(img)); /* Linux leaves it for e2fsck */

	CHECK(damaged("ccommit", flip_commit, "-c", &same) == 0);
	CHECK(strstr(host_log, "bad commit block checksum in transaction 1"));
	img = TMP "/ccommit.img";
	CHECK(!needs_recovery(img));
	CHECK(fsck(img) == 0);

	CHECK(damaged("cdesc", flip_descriptor, "-c", &same) == -EIO && same);
	CHECK(strstr(host_log, "invalid checksum found in transaction 1"));

	/* Damage past a commit block's header: Linux 6.x takes a checksum
	 * of the header alone (the rest as zeros) as an incomplete but
	 * valid commit block, so the whole log is replayed. */
	CHECK(damaged("cpartial", flip_commit_tail, "-c", &same) == 0 && !same);
	CHECK(strstr(host_log, "incomplete commit block in transaction 1"));
	CHECK(block_is(TMP "/cpartial.img", 1024, sh_num("debugfs -R 'ffb 8 5000' %s 2>/dev/null | sed 's/.*found: //'",
						       TMP "/cpartial.img.orig") + 2, 0x22));
}

/* v1 (compat crc32): a damaged data block fails T1's commit checksum,
 * so the log ends before T1 and nothing is replayed. */
static void t_csum1_damage(void)
{
	bool same;

	CHECK(damaged("c1data", flip_data1, "v1", &same) == 0 && !same);
	CHECK(strstr(host_log, "bad commit block checksum in transaction 1"));
	CHECK(strstr(host_log, "replayed 0 blocks"));
	CHECK(fsck(TMP "/c1data.img") == 0);
}

/* Random bytes anywhere in the log: the mount may fail, never crash,
 * and nothing is written past the file system's end. */
static uint64_t rng = 0x1234567887654321ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void t_random_damage(void)
{
	long a = 0;
	const char *base = dirty_img("rand", 1024, "-O metadata_csum", "-c", 0, &a);
	const char *img = TMP "/rand1.img";

	CHECK(base);
	for (int round = 0; round < 60; round++) {
		CHECK(sh("cp %s %s", base, img) == 0);
		for (int k = 0; k < 4; k++) {
			unsigned jb = (unsigned)(rnd() % 14);
			long p = jblk(img, jb);
			uint8_t v = (uint8_t)rnd();

			CHECK(p > 0);
			patch(img, (uint64_t)p * 1024 + rnd() % 1024, &v, 1);
		}
		(void)mount_cycle(img, round & 1, false);
		CHECK(sh("test $(stat -c %%s %s) = $(stat -c %%s %s)", img, base) == 0);
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	TEST_SUITE("journal");
	setenv("PATH", "/usr/sbin:/sbin:/usr/bin:/bin", 1);
	if (sh("command -v mkfs.ext3 >/dev/null && command -v debugfs >/dev/null") != 0) {
		printf("FAIL journal.setup: e2fsprogs (mkfs.ext3, debugfs) not installed\n");
		return 1;
	}
	sh("mkdir -p " TMP);
	host_verbose = getenv("EXT2_VERBOSE") != NULL;
	if (bcache_init() || pcache_init())
		return 1;
	RUN(t_crc);
	RUN(t_replay_1k);
	RUN(t_replay_4k);
	RUN(t_replay_1k_rw);
	RUN(t_replay_csum1);
	RUN(t_replay_csum3);
	RUN(t_replay_csum3_4k);
	RUN(t_replay_csum2);
	RUN(t_replay_64bit);
	RUN(t_replay_64bit_csum1);
	RUN(t_replay_ext4);
	RUN(t_clean_log);
	RUN(t_readonly_device);
	RUN(t_bad_superblock);
	RUN(t_bad_log);
	RUN(t_log_ends);
	RUN(t_csum_damage);
	RUN(t_csum1_damage);
	RUN(t_random_damage);
	HARNESS_EXIT();
}
