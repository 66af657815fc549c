/* tests/unit/powercut_test.c: ext4's journal against power cuts.
 *
 * Layer: host unit test of services/fs/ext2 with its jbd2 journal
 * (services/fs/jbd2) over an image file. A workload of rounds (each in its
 * own directory: files of several sizes, an append, a rename, an unlink,
 * a truncation, a symlink, a subdirectory, a file unlinked while still
 * open and written (an orphan: the next mount deletes it), then syncfs:
 * the pages and a journal commit, no checkpoint) runs in a child
 * process on a fresh mkfs.ext4 image whose disk stops taking writes after
 * N requests, the power cut (fw_host_disk.c drops every later write); the
 * child then exits as a machine would lose power, with nothing unmounted.
 * The parent mounts the image (the journal is replayed), checks that every
 * round whose sync had returned before the cut is intact, unmounts, and
 * runs `e2fsck -fn`, which must find nothing. N walks the whole run, one
 * cut every few requests (every one with POWERCUT_STEP=1: `make
 * powercut`), so cuts land inside commits, between rounds (with several
 * transactions in the log), and in the unmount's checkpoint. With 1 KiB
 * and 4 KiB blocks.
 *
 * unit-sources: -Iservices services/fs/ext2/super.c services/fs/ext2/balloc.c services/fs/ext2/inode.c services/fs/ext2/bmap.c services/fs/ext2/dir.c services/fs/ext4/htree.c services/fs/ext2/namei.c services/fs/ext2/orphan.c services/fs/ext2/file.c services/fs/ext4/csum.c services/fs/ext4/extent.c services/fs/jbd2/recovery.c services/fs/jbd2/journal.c services/fs/jbd2/commit.c services/fs/cache/pagecache.c services/fs/vfs/llseek.c services/fs/vfs/limits.c services/block/bcache.c framework/bytes/bytes.c tests/unit/fw_host_ext2.c tests/unit/fw_host_disk.c */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include "fs/ext2/ext2.h"
#include "current/current.h"
#include "fs/cache/pagecache.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "fw_host_ext2.h"

#define TMP "build/unit/powercut"
#define ROUNDS 6
#define FILES 4

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

static size_t file_len(unsigned r, unsigned i)
{
	return 700 + (size_t)i * 9000 + (size_t)r * 1300;
}

static long wr(struct inode *ino, uint64_t off, const void *buf, size_t len)
{
	struct file f;

	memset(&f, 0, sizeof(f));
	f.path.inode = ino;
	return ino->fops->write(&f, fw_uptr((uint64_t)(uintptr_t)buf), len, &off);
}

static long rd(struct inode *ino, uint64_t off, void *buf, size_t len)
{
	struct file f;

	memset(&f, 0, sizeof(f));
	f.path.inode = ino;
	return ino->fops->read(&f, fw_uptr((uint64_t)(uintptr_t)buf), len, &off);
}

static int wr_pat(struct inode *ino, uint64_t off, size_t len, unsigned seed)
{
	uint8_t *b = malloc(len);
	long n;

	for (size_t i = 0; i < len; i++)
		b[i] = pat(off + i, seed);
	n = wr(ino, off, b, len);
	free(b);
	return n == (long)len ? 0 : -1;
}

/* Does the file start with len pattern bytes? */
static bool rd_pat(struct inode *ino, size_t len, unsigned seed)
{
	uint8_t *b = malloc(len + 1);
	bool ok = ino->size >= len && rd(ino, 0, b, len) == (long)len;

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

/* A file per round kept open after its unlink (orphans across the cut). */
static struct inode *held[ROUNDS];

/* Round r: everything in directory dR. 0, or the first error. */
static int round_run(struct superblock *sb, unsigned r)
{
	struct inode *d, *f, *sub;
	char name[32];
	struct kname n;
	struct kpath tgt;
	int err;

	snprintf(name, sizeof(name), "d%u", r);
	n = kn(name);
	err = sb->root->iops->create(sb->root, &n, S_IFDIR | 0755, 0, &root_cred, &d);
	if (err)
		return err;
	for (unsigned i = 0; i < FILES && !err; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		n = kn(name);
		err = d->iops->create(d, &n, S_IFREG | 0644, 0, &root_cred, &f);
		if (!err) {
			err = wr_pat(f, 0, file_len(r, i), r * 10 + i);
			inode_put(f);
		}
	}
	/* an append to the previous round's first file changes old blocks */
	if (!err && r > 0) {
		struct inode *old, *pf;

		snprintf(name, sizeof(name), "d%u", r - 1);
		err = lookup(sb->root, name, &old);
		if (!err) {
			err = lookup(old, "f0", &pf);
			inode_put(old);
		}
		if (!err) {
			err = wr_pat(pf, pf->size, 3000, 99);
			inode_put(pf);
		}
	}
	if (!err) {
		struct kname a = kn("f1"), b = kn("moved");

		err = d->iops->rename(d, &a, d, &b, 0);
	}
	if (!err) {
		n = kn("f2");
		err = d->iops->unlink(d, &n);
	}
	if (!err) {
		err = lookup(d, "f3", &f);
		if (!err) {
			err = f->iops->truncate(f, 1000);
			inode_put(f);
		}
	}
	if (!err) {
		n = kn("link");
		memset(&tgt, 0, sizeof(tgt));
		snprintf(tgt.s, sizeof(tgt.s), "f0");
		err = d->iops->symlink(d, &n, &tgt, &root_cred, &f);
		if (!err)
			inode_put(f);
	}
	if (!err) {
		n = kn("sub");
		err = d->iops->create(d, &n, S_IFDIR | 0700, 0, &root_cred, &sub);
		if (!err)
			inode_put(sub);
	}
	/* open, unlinked, still written: an orphan the next mount deletes */
	if (!err) {
		n = kn("held");
		err = d->iops->create(d, &n, S_IFREG | 0600, 0, &root_cred, &held[r]);
		if (!err)
			err = wr_pat(held[r], 0, 20000, 77);
		if (!err)
			err = d->iops->unlink(d, &n);
		if (!err)
			err = wr_pat(held[r], 20000, 5000, 78);
	}
	inode_put(d);
	return err;
}

/* Is round r intact (its sync returned before the cut)? */
static bool round_ok(struct superblock *sb, unsigned r, unsigned rounds)
{
	struct inode *d, *f;
	char name[32];
	bool ok;

	snprintf(name, sizeof(name), "d%u", r);
	if (lookup(sb->root, name, &d))
		return false;
	ok = lookup(d, "f0", &f) == 0;
	if (ok) {
		/* the next round appended 3000 bytes if it synced too */
		size_t len = file_len(r, 0);

		ok = (f->size == len || (r + 1 == rounds && f->size == len + 3000) ||
		      (r + 1 < rounds && f->size == len + 3000)) &&
		     (r + 1 == rounds || f->size == len + 3000) && rd_pat(f, len, r * 10);
		inode_put(f);
	}
	ok = ok && lookup(d, "moved", &f) == 0 && f->size == file_len(r, 1) &&
	     rd_pat(f, file_len(r, 1), r * 10 + 1);
	if (ok)
		inode_put(f);
	ok = ok && lookup(d, "f2", &f) == -ENOENT;
	ok = ok && lookup(d, "f3", &f) == 0 && f->size == 1000;
	if (ok)
		inode_put(f);
	inode_put(d);
	return ok;
}

/* The child: mount, run the rounds with a sync after each, and report in
 * the exit status how many rounds were synced before the cut. */
static void child(const char *img, long budget)
{
	struct blkdev d;
	struct superblock *sb;
	unsigned synced = 0;

	if (host_disk_open(&d, img, "img") || ext2_mount(&d, false, &sb))
		_exit(100);
	host_disk_write_budget = budget;
	for (unsigned r = 0; r < ROUNDS; r++) {
		/* syncfs(2): the pages, then a commit (which leaves the
		 * transactions in the log: no checkpoint) */
		if (round_run(sb, r) || pcache_sync_all() || sb->sops->sync(sb))
			break;
		if (host_disk_write_budget == 0)
			break; /* the cut came during this round's sync */
		synced = r + 1;
	}
	if (budget < 0) {
		FILE *t = fopen(TMP "/total", "w");

		for (unsigned r = 0; r < ROUNDS; r++)
			if (held[r])
				inode_put(held[r]); /* closed: deleted now */
		sb->sops->umount(sb);
		if (!t || fprintf(t, "%ld\n", host_disk_writes) < 0 || fclose(t))
			_exit(101);
		_exit(0);
	}
	_exit((int)synced); /* the power is gone: nothing more happens */
}

static int run_child(const char *img, long budget)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		child(img, budget);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* One cut after budget writes: recovery, the synced rounds, e2fsck. */
static bool cut_at(const char *master, unsigned bs, long budget)
{
	char img[128];
	struct blkdev d;
	struct superblock *sb;
	int synced;
	bool ok = true;

	snprintf(img, sizeof(img), TMP "/cut%u.img", bs);
	if (sh("cp %s %s", master, img))
		return false;
	synced = run_child(img, budget);
	if (synced < 0 || synced > ROUNDS) {
		printf("FAIL powercut.child: bs %u budget %ld: status %d\n", bs, budget, synced);
		return false;
	}
	if (host_disk_open(&d, img, "img"))
		return false;
	host_log_clear();
	if (ext2_mount(&d, false, &sb)) {
		printf("FAIL powercut.mount: bs %u, cut after %ld writes: %s\n", bs, budget, host_log);
		host_disk_close(&d);
		return false;
	}
	/* the files held open at the cut were deleted by this mount */
	if (synced > 0 && !strstr(host_log, "orphan cleanup")) {
		printf("FAIL powercut.orphans: bs %u, cut after %ld writes: no orphan cleanup at mount\n",
		       bs, budget);
		ok = false;
	}
	for (int r = 0; r < synced; r++)
		if (!round_ok(sb, (unsigned)r, (unsigned)synced)) {
			printf("FAIL powercut.synced: bs %u, cut after %ld writes: round %d of %d lost\n",
			       bs, budget, r, synced);
			ok = false;
		}
	sb->sops->umount(sb);
	bcache_drop_clean(&d);
	host_disk_close(&d);
	if (sh("e2fsck -fn %s >%s.fsck 2>&1", img, img) != 0) {
		printf("FAIL powercut.e2fsck: bs %u, cut after %ld writes:\n", bs, budget);
		sh("grep -v '^Pass\\|^e2fsck' %s.fsck | head -n 12 | sed 's/^/    /'", img);
		ok = false;
	}
	return ok;
}

static void series(unsigned bs)
{
	char master[128];
	int total;
	unsigned failed = 0, cuts = 0;
	long step;

	snprintf(master, sizeof(master), TMP "/master%u.img", bs);
	CHECK(sh("rm -f %s && mkfs.ext4 -q -F -b %u %s 8M >/dev/null 2>&1", master, bs, master) == 0);
	{
		FILE *t;

		CHECK(run_child(master, -1) == 0);
		t = fopen(TMP "/total", "r");
		if (!t || fscanf(t, "%d", &total) != 1)
			total = 0;
		if (t)
			fclose(t);
	}
	printf("    (%d write requests in the whole run, %u-byte blocks)\n", total, bs);
	CHECK(total > 20);
	/* about 60 cuts in make test; POWERCUT_STEP=1 (make powercut) cuts
	 * after every single write request */
	step = getenv("POWERCUT_STEP") ? atol(getenv("POWERCUT_STEP")) : 1 + total / 60;
	if (step < 1)
		step = 1;
	/* the whole run itself leaves a clean file system */
	CHECK(sh("e2fsck -fn %s >/dev/null 2>&1", master) == 0);
	CHECK(sh("rm -f %s && mkfs.ext4 -q -F -b %u %s 8M >/dev/null 2>&1", master, bs, master) == 0);
	for (long cut = 0; cut < total; cut += step, cuts++)
		if (!cut_at(master, bs, cut))
			failed++;
	printf("    (%u cuts with %u-byte blocks, %u failed)\n", cuts, bs, failed);
	CHECK(failed == 0);
}

static void t_powercut_1k(void) { series(1024); }
static void t_powercut_4k(void) { series(4096); }

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	TEST_SUITE("powercut");
	setenv("PATH", "/usr/sbin:/sbin:/usr/bin:/bin", 1);
	sh("mkdir -p " TMP);
	if (bcache_init() || pcache_init())
		return 1;
	RUN(t_powercut_1k);
	RUN(t_powercut_4k);
	HARNESS_EXIT();
}
