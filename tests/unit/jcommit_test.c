/* tests/unit/jcommit_test.c: the jbd2 journal's writer: lazy checkpoints
 * and revoke records.
 *
 * Layer: host unit test of services/fs/jbd2 (journal.c, commit.c) with
 * the real ext2/ext4 driver and block cache over mkfs.ext4 images. Each
 * case runs a workload in a child process that mounts the image, commits
 * with fsync (which commits without checkpointing) and then exits as a
 * machine loses power, with nothing unmounted. The parent reads the log
 * with `debugfs logdump` (what the crash left), mounts (replays), checks
 * the files, unmounts and runs `e2fsck -fn`:
 *  - several transactions stay in the log after their fsyncs and are all
 *    replayed;
 *  - directory blocks logged, then freed and reused (as file data, and as
 *    another directory's blocks, in the freeing transaction or a later
 *    one) are revoked, so replay writes no old copy over them;
 *  - a log that fills up is checkpointed and starts again at its first
 *    block, without journaling ever stopping.
 * With 1 KiB and 4 KiB blocks.
 *
 * unit-sources: -Iservices services/fs/ext2/super.c services/fs/ext2/balloc.c services/fs/ext2/inode.c services/fs/ext2/bmap.c services/fs/ext2/dir.c services/fs/ext4/htree.c services/fs/ext2/namei.c services/fs/ext2/orphan.c services/fs/ext2/file.c services/fs/ext4/csum.c services/fs/ext4/extent.c services/fs/jbd2/recovery.c services/fs/jbd2/journal.c services/fs/jbd2/commit.c services/fs/cache/pagecache.c services/fs/vfs/llseek.c services/fs/vfs/limits.c services/block/bcache.c framework/bytes/bytes.c tests/unit/fw_host_ext2.c tests/unit/fw_host_disk.c */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include "fs/ext2/ext2.h"
#include "fs/cache/pagecache.h"
#include "current/current.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "fw_host_ext2.h"

#define TMP "build/unit/jcommit"

static const struct cred root_cred;
static char cmd[1024];

static int sh(const char *fmt, ...) FW_PRINTF(1, 2);
static int sh(const char *fmt, ...)
{
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st == -1 ? -1 : (st >> 8) & 0xff;
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

static struct kname kn(const char *s)
{
	struct kname n;

	memset(&n, 0, sizeof(n));
	snprintf(n.s, sizeof(n.s), "%s", s);
	return n;
}

static uint8_t pat(uint64_t i, unsigned seed)
{
	return (uint8_t)((i * 7 + (i >> 10) * 13 + seed * 31) & 0xff);
}

static int wr_pat(struct inode *ino, uint64_t off, size_t len, unsigned seed)
{
	uint8_t *b = malloc(len);
	struct file f;
	uint64_t pos = off;
	long n;

	for (size_t i = 0; i < len; i++)
		b[i] = pat(off + i, seed);
	memset(&f, 0, sizeof(f));
	f.path.inode = ino;
	n = ino->fops->write(&f, fw_uptr((uint64_t)(uintptr_t)b), len, &pos);
	free(b);
	return n < 0 ? (int)n : n == (long)len ? 0 : -ENOSPC;
}

/* Does the file hold exactly len pattern bytes? */
static bool rd_pat(struct inode *ino, size_t len, unsigned seed)
{
	uint8_t *b = malloc(len + 1);
	struct file f;
	uint64_t pos = 0;
	bool ok;

	memset(&f, 0, sizeof(f));
	f.path.inode = ino;
	ok = ino->size == len &&
	     ino->fops->read(&f, fw_uptr((uint64_t)(uintptr_t)b), len, &pos) == (long)len;
	for (size_t i = 0; ok && i < len; i++)
		ok = b[i] == pat(i, seed);
	free(b);
	return ok;
}

static int lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct kname n = kn(name);

	return dir->iops->lookup(dir, &n, out);
}

/* fsync: the file's pages, then a commit (no checkpoint). */
static int fsync_ino(struct superblock *sb, struct inode *ino)
{
	int err = ino && S_ISREG(ino->mode) ? pcache_writeback(ino) : 0;

	return err ? err : sb->sops->sync(sb);
}

/* A file of len pattern bytes, fsynced. */
static int mkfile(struct superblock *sb, struct inode *dir, const char *name, size_t len,
		  unsigned seed)
{
	struct kname n = kn(name);
	struct inode *f;
	int err = dir->iops->create(dir, &n, S_IFREG | 0644, 0, &root_cred, &f);

	if (err)
		return err;
	err = wr_pat(f, 0, len, seed);
	if (!err)
		err = fsync_ino(sb, f);
	inode_put(f);
	return err;
}

static int mkimg(const char *img, unsigned bs, const char *extra)
{
	return sh("rm -f %s && mkfs.ext4 -q -F -b %u %s %s 8M >/dev/null 2>&1", img, bs,
		  extra, img);
}

/* Run fn on img mounted in a child that then dies without unmounting.
 * The child's exit status: 0, or fn's failure. */
static int crash_run(const char *img, int (*fn)(struct superblock *sb))
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct blkdev d;
		struct superblock *sb;
		int err;

		memset(&d, 0, sizeof(d));
		if (host_disk_open(&d, img, "img") || ext2_mount(&d, false, &sb))
			_exit(100);
		err = fn(sb);
		if (strstr(host_log, "journaling stops") || strstr(host_log, "commit failed"))
			_exit(101);
		_exit(err ? 102 : 0); /* the power is gone */
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Committed transactions in img's log (debugfs reads it, no replay). */
static long log_commits(const char *img)
{
	return sh_num("debugfs -c -R logdump %s 2>/dev/null | grep -c 'commit block'", img);
}

static long log_revoke_blocks(const char *img)
{
	return sh_num("debugfs -c -R logdump %s 2>/dev/null | grep -c 'revoke table'", img);
}

/* The log's first transaction (the journal superblock's s_sequence). */
static long log_first_seq(const char *img)
{
	return sh_num("debugfs -c -R logdump %s 2>/dev/null | "
		      "sed -n 's/^Journal starts at block [0-9]*, transaction //p'", img);
}

static struct blkdev pdisk;

/* Mount img in this process (the replay): *sb, or NULL on failure. */
static struct superblock *mount_img(const char *img)
{
	struct superblock *sb;

	memset(&pdisk, 0, sizeof(pdisk));
	if (host_disk_open(&pdisk, img, "img"))
		return NULL;
	host_log_clear();
	if (ext2_mount(&pdisk, false, &sb)) {
		printf("    mount: %s\n", host_log);
		host_disk_close(&pdisk);
		return NULL;
	}
	return sb;
}

static void umount_img(struct superblock *sb)
{
	sb->sops->umount(sb);
	bcache_drop_clean(&pdisk);
	host_disk_close(&pdisk);
}

static int fsck(const char *img)
{
	int st = sh("e2fsck -fn %s >%s.fsck 2>&1", img, img);

	if (st != 0)
		sh("grep -v '^Pass\\|^e2fsck' %s.fsck | head -n 12 | sed 's/^/    /' >&2", img);
	return st;
}

/* ---- several transactions in the log ------------------------------------- */

#define NTX 6

static int many_tx(struct superblock *sb)
{
	char name[16];
	int err = 0;

	for (unsigned i = 0; i < NTX && !err; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		err = mkfile(sb, sb->root, name, 3000 + i * 1500, i);
	}
	return err;
}

static void check_many_tx(unsigned bs)
{
	char img[64], name[16];
	struct superblock *sb;

	snprintf(img, sizeof(img), TMP "/many%u.img", bs);
	CHECK(mkimg(img, bs, "") == 0);
	CHECK(crash_run(img, many_tx) == 0);
	/* every fsync left its transaction in the log (none checkpointed) */
	CHECK(log_commits(img) >= NTX);
	sb = mount_img(img);
	CHECK(sb != NULL);
	if (!sb)
		return;
	CHECK(strstr(host_log, "recovery") != NULL || strstr(host_log, "replay") != NULL);
	for (unsigned i = 0; i < NTX; i++) {
		struct inode *f;

		snprintf(name, sizeof(name), "f%u", i);
		CHECK(lookup(sb->root, name, &f) == 0);
		if (!f)
			continue;
		CHECK(rd_pat(f, 3000 + i * 1500, i));
		inode_put(f);
		f = NULL;
	}
	umount_img(sb);
	CHECK(log_commits(img) == 0);	/* the unmount's checkpoint */
	CHECK(fsck(img) == 0);
}

static void t_many_tx_1k(void) { check_many_tx(1024); }
static void t_many_tx_4k(void) { check_many_tx(4096); }

/* ---- revoked blocks ------------------------------------------------------- */

#define NENT 120	/* entries: several directory blocks */
#define FILL_SEED 5

/* What d's freed blocks become: file data (big), or the blocks of
 * directory e, made in the freeing transaction or the next one. */
enum reuse { AS_DATA, AS_DIR_LATER, AS_DIR_SAME };
static enum reuse reuse;

static int fill_dir(struct inode *dir, const char *prefix)
{
	char name[64];
	int err = 0;

	for (unsigned i = 0; i < NENT && !err; i++) {
		struct kname n;
		struct inode *f;

		snprintf(name, sizeof(name), "%s-a-rather-long-name-%03u", prefix, i);
		n = kn(name);
		err = dir->iops->create(dir, &n, S_IFREG | 0644, 0, &root_cred, &f);
		if (!err)
			inode_put(f);
	}
	return err;
}

static int empty_dir(struct inode *dir, const char *prefix)
{
	char name[64];
	int err = 0;

	for (unsigned i = 0; i < NENT && !err; i++) {
		struct kname n;

		snprintf(name, sizeof(name), "%s-a-rather-long-name-%03u", prefix, i);
		n = kn(name);
		err = dir->iops->unlink(dir, &n);
	}
	return err;
}

/* Fill the disk with file name (as much as fits, in 64 KiB pieces),
 * fsynced; its size to TMP/bigsize. */
static int fill_disk(struct superblock *sb, const char *name)
{
	struct kname n = kn(name);
	struct inode *big;
	FILE *t;
	uint64_t len = 0;
	int err = sb->root->iops->create(sb->root, &n, S_IFREG | 0644, 0, &root_cred, &big);

	if (err)
		return err;
	while (wr_pat(big, len, 65536, FILL_SEED) == 0)
		len += 65536;
	err = big->iops->truncate(big, len);
	if (!err)
		err = fsync_ino(sb, big);
	inode_put(big);
	t = fopen(TMP "/bigsize", "w");
	if (!t || fprintf(t, "%llu\n", (unsigned long long)len) < 0 || fclose(t))
		err = -EIO;
	return err;
}

/* T1: directory d with several blocks, logged. AS_DIR_*: the disk is
 * filled. T2: d emptied and removed, its blocks freed (revoked).
 * AS_DIR_*: directory e takes them (nothing else is free) in T2 itself
 * or in T3, and the power goes right after that commit, with e's blocks
 * only in the log. AS_DATA: a file fills what is left of the disk, d's
 * freed blocks among its data, fsynced. */
static int revoke_work(struct superblock *sb)
{
	struct inode *d, *e;
	struct kname n = kn("d");
	int err = sb->root->iops->create(sb->root, &n, S_IFDIR | 0755, 0, &root_cred, &d);

	if (err)
		return err;
	err = fill_dir(d, "x");
	if (!err)
		err = fsync_ino(sb, d);
	if (!err && reuse != AS_DATA)
		err = fill_disk(sb, "filler");
	if (!err)
		err = empty_dir(d, "x");
	inode_put(d);
	if (!err)
		err = sb->root->iops->unlink(sb->root, &n);
	if (!err && reuse != AS_DIR_SAME)
		err = fsync_ino(sb, NULL);
	n = kn("e");
	if (!err && reuse != AS_DATA) {
		err = sb->root->iops->create(sb->root, &n, S_IFDIR | 0755, 0, &root_cred, &e);
		if (err)
			return err;
		err = fill_dir(e, "y");
		if (!err)
			err = fsync_ino(sb, e);
		inode_put(e);
		return err;
	}
	return err ? err : fill_disk(sb, "big");
}

static void check_revoke(unsigned bs, enum reuse how)
{
	char img[64];
	struct superblock *sb;
	struct inode *f;
	long len;

	snprintf(img, sizeof(img), TMP "/revoke%u-%d.img", bs, (int)how);
	/* mkfs's 1024-block journal: the log stays under half full */
	CHECK(mkimg(img, bs, "") == 0);
	reuse = how;
	CHECK(crash_run(img, revoke_work) == 0);
	len = sh_num("cat " TMP "/bigsize");
	CHECK(len > 1024 * 1024);
	CHECK(log_commits(img) >= (how == AS_DIR_SAME ? 2 : 3)); sh("cp %s %s.pre", img, img);
	/* (reused as e's blocks within T2, d's blocks need no revoke) */
	CHECK(how == AS_DIR_SAME || log_revoke_blocks(img) >= 1);
	sb = mount_img(img);
	CHECK(sb != NULL);
	if (!sb)
		return;
	f = NULL;
	CHECK(lookup(sb->root, how == AS_DATA ? "big" : "filler", &f) == 0);
	if (f) {
		/* d's old blocks, replayed over the data, would show here */
		CHECK(rd_pat(f, (size_t)len, FILL_SEED));
		inode_put(f);
	}
	f = NULL;
	CHECK(lookup(sb->root, "d", &f) == -ENOENT);
	CHECK(lookup(sb->root, "e", &f) == (how == AS_DATA ? -ENOENT : 0));
	if (how != AS_DATA && f) {
		struct inode *x;
		char name[64];
		unsigned found = 0;

		for (unsigned i = 0; i < NENT; i++) {
			snprintf(name, sizeof(name), "y-a-rather-long-name-%03u", i);
			if (lookup(f, name, &x) == 0) {
				found++;
				inode_put(x);
			}
		}
		CHECK(found == NENT);
		inode_put(f);
	}
	umount_img(sb);
	CHECK(fsck(img) == 0);
}

static void t_revoke_data_1k(void) { check_revoke(1024, AS_DATA); }
static void t_revoke_data_4k(void) { check_revoke(4096, AS_DATA); }
static void t_revoke_dir_1k(void) { check_revoke(1024, AS_DIR_LATER); }
static void t_revoke_dir_same_tx_1k(void) { check_revoke(1024, AS_DIR_SAME); }
static void t_revoke_dir_same_tx_4k(void) { check_revoke(4096, AS_DIR_SAME); }

/* ---- a full log ------------------------------------------------------------ */

#define NFULL 150

static int fill_log(struct superblock *sb)
{
	char name[16];
	int err = 0;

	for (unsigned i = 0; i < NFULL && !err; i++) {
		snprintf(name, sizeof(name), "g%u", i);
		err = mkfile(sb, sb->root, name, 100 + i, i);
	}
	return err;
}

static void check_log_fills(unsigned bs)
{
	char img[64], name[16];
	struct superblock *sb;
	long commits, first;

	snprintf(img, sizeof(img), TMP "/full%u.img", bs);
	/* the smallest journal mkfs makes: 1024 blocks */
	CHECK(mkimg(img, bs, bs == 1024 ? "-J size=1" : "") == 0);
	CHECK(crash_run(img, fill_log) == 0);	/* journaling never stopped */
	commits = log_commits(img);
	first = log_first_seq(img);
	/* checkpointed on the way: the log holds only the last few, from a
	 * later transaction than the first */
	CHECK(commits >= 1 && commits < NFULL);
	CHECK(first > 1);
	sb = mount_img(img);
	CHECK(sb != NULL);
	if (!sb)
		return;
	for (unsigned i = 0; i < NFULL; i++) {
		struct inode *f = NULL;

		snprintf(name, sizeof(name), "g%u", i);
		CHECK(lookup(sb->root, name, &f) == 0);
		if (f) {
			CHECK(rd_pat(f, 100 + i, i));
			inode_put(f);
		}
	}
	umount_img(sb);
	CHECK(fsck(img) == 0);
}

static void t_log_fills_1k(void) { check_log_fills(1024); }
static void t_log_fills_4k(void) { check_log_fills(4096); }

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	TEST_SUITE("jcommit");
	setenv("PATH", "/usr/sbin:/sbin:/usr/bin:/bin", 1);
	sh("mkdir -p " TMP);
	host_verbose = getenv("EXT2_VERBOSE") != NULL;
	if (bcache_init() || pcache_init())
		return 1;
	RUN(t_many_tx_1k);
	RUN(t_many_tx_4k);
	RUN(t_revoke_data_1k);
	RUN(t_revoke_data_4k);
	RUN(t_revoke_dir_1k);
	RUN(t_revoke_dir_same_tx_1k);
	RUN(t_revoke_dir_same_tx_4k);
	RUN(t_log_fills_1k);
	RUN(t_log_fills_4k);
	HARNESS_EXIT();
}
