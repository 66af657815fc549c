/* tests/unit/ext2_test.c: the ext2 file system against e2fsprogs.
 *
 * Layer: host unit test of services/fs/ext2 with the real block cache
 * (services/block/bcache.c) over an image file. Images are made by
 * mkfs.ext2 -d from a directory written here (1, 2 and 4 KiB blocks,
 * Debian's default features: ext_attr, resize_inode, dir_index, filetype,
 * sparse_super, large_file); the test mounts them through ext2_mount,
 * checks what it reads against what it wrote, changes them through the
 * inode_ops and file ops the VFS calls, unmounts (write-back), and runs
 * `e2fsck -fn`, which must find nothing (exit status 0). Corrupt images
 * (bad magic, unsupported features, bad rec_len, block and inode numbers
 * out of range, deleted inodes referenced, random damage) must fail
 * cleanly with -EIO/-EINVAL and a log line, never crash (ASan/UBSan).
 *
 * unit-sources: -Iservices services/fs/ext2/super.c services/fs/ext2/balloc.c services/fs/ext2/inode.c services/fs/ext2/bmap.c services/fs/ext2/dir.c services/fs/ext4/htree.c services/fs/ext2/namei.c services/fs/ext2/orphan.c services/fs/ext2/file.c services/fs/ext4/csum.c services/fs/ext4/extent.c services/fs/jbd2/recovery.c services/fs/jbd2/journal.c services/fs/jbd2/commit.c services/fs/cache/pagecache.c services/fs/vfs/llseek.c services/fs/vfs/limits.c services/block/bcache.c framework/bytes/bytes.c tests/unit/fw_host_ext2.c tests/unit/fw_host_disk.c */
#pragma GCC diagnostic ignored "-Wformat-truncation"
/* The kernel's uapi.h first: the host's headers then keep their own
 * definitions of the names both have (FD_SETSIZE...) quietly. */
#include "fs/ext2/ext2.h"
#include "current/current.h" /* struct cred */
#include <fw/frame.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "fw_host_ext2.h"

#define TMP "build/unit/ext2"
#define GIB (1024ull * 1024 * 1024)

static struct blkdev disks[128];
static int ndisks;
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
	if (st == -1)
		return -1;
	return (st >> 8) & 0xff;
}

static uint8_t pat(uint64_t i, unsigned seed)
{
	return (uint8_t)((i * 7 + (i >> 12) * 13 + seed) & 0xff);
}

/* Write a pattern file of len bytes on the host. */
static void host_file(const char *path, size_t len, unsigned seed)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		abort();
	for (size_t i = 0; i < len; i++)
		fputc(pat(i, seed), f);
	fclose(f);
}

/* The mkfs the image helpers run: ext2, or ext4 with Debian's defaults
 * (extents, 64bit, flex_bg, metadata_csum, huge_file, dir_nlink,
 * extra_isize, a journal). */
static const char *fstype = "ext2";

static int mkimg(const char *img, unsigned bs, const char *src, unsigned kb)
{
	return sh("rm -f %s && mkfs.%s -q -F -b %u %s%s %s %uk >/dev/null 2>&1",
		  img, fstype, bs, src ? "-d " : "", src ? src : "", img, kb);
}

static int fsck(const char *img)
{
	int st = sh("e2fsck -fn %s >%s.fsck 2>&1", img, img);

	if (st != 0)
		sh("cat %s.fsck >&2", img);
	return st;
}

static struct blkdev *disk(const char *img)
{
	struct blkdev *d = &disks[ndisks++];

	if (host_disk_open(d, img, "img"))
		abort();
	return d;
}

/* Unmount: write back and forget; the test must hold no inodes. */
static void umount_fs(struct superblock *sb)
{
	struct blkdev *d = sb->ext2->dev;

	sb->sops->umount(sb);
	bcache_drop_clean(d);
	host_disk_close(d);
	if (host_live_inodes != 0) {
		printf("FAIL ext2.umount: %ld inodes left after unmount\n", host_live_inodes);
		harness_failed = 1;
		host_live_inodes = 0;
	}
}

static struct kname kn(const char *s)
{
	struct kname n;

	memset(&n, 0, sizeof(n));
	snprintf(n.s, sizeof(n.s), "%s", s);
	return n;
}

/* Walk a relative path from the root; referenced inode or NULL and *err. */
static struct inode *walk(struct superblock *sb, const char *path, int *err)
{
	struct inode *cur = sb->root;
	char buf[512], *save = NULL, *tok;

	inode_get(cur);
	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		struct kname n = kn(tok);
		struct inode *next;
		int e = cur->iops->lookup(cur, &n, &next);

		inode_put(cur);
		if (e) {
			*err = e;
			return NULL;
		}
		cur = next;
	}
	*err = 0;
	return cur;
}

static long rd(struct inode *ino, uint64_t off, void *buf, size_t len)
{
	struct file f;

	memset(&f, 0, sizeof(f));
	f.path.inode = ino;
	return ino->fops->read(&f, fw_uptr((uint64_t)(uintptr_t)buf), len, &off);
}

static long wr(struct inode *ino, uint64_t off, const void *buf, size_t len)
{
	struct file f;

	memset(&f, 0, sizeof(f));
	f.path.inode = ino;
	return ino->fops->write(&f, fw_uptr((uint64_t)(uintptr_t)buf), len, &off);
}

/* Write len pattern bytes at off in chunks of step. */
static int wr_pat(struct inode *ino, uint64_t off, size_t len, unsigned seed,
		  size_t step)
{
	uint8_t *b = malloc(step);

	for (size_t done = 0; done < len; done += step) {
		size_t n = len - done < step ? len - done : step;

		for (size_t i = 0; i < n; i++)
			b[i] = pat(done + i, seed);
		if (wr(ino, off + done, b, n) != (long)n) {
			free(b);
			return -1;
		}
	}
	free(b);
	return 0;
}

/* Does the file hold the pattern at [off, off+len)? */
static bool rd_pat(struct inode *ino, uint64_t off, size_t len, unsigned seed)
{
	uint8_t *b = malloc(len + 1);
	bool ok = rd(ino, off, b, len) == (long)len;

	for (size_t i = 0; ok && i < len; i++)
		ok = b[i] == pat(i, seed);
	free(b);
	return ok;
}

static bool rd_zero(struct inode *ino, uint64_t off, size_t len)
{
	uint8_t *b = malloc(len);
	bool ok = rd(ino, off, b, len) == (long)len;

	for (size_t i = 0; ok && i < len; i++)
		ok = b[i] == 0;
	free(b);
	return ok;
}

static int mk(struct inode *dir, const char *name, uint32_t mode,
	      struct inode **out)
{
	struct kname n = kn(name);

	return dir->iops->create(dir, &n, mode, 0, &root_cred, out);
}

static int rm(struct inode *dir, const char *name)
{
	struct kname n = kn(name);

	return dir->iops->unlink(dir, &n);
}

struct names {
	int count;
	char seen[64][64];
	bool ok;
};

static bool collect(struct dir_ctx *ctx, const struct kname *name,
		    uint64_t ino, unsigned dtype, uint64_t next)
{
	struct names *n = (struct names *)(uintptr_t)ctx->buf.addr;

	(void)ino;
	(void)dtype;
	(void)next;
	if (n->count < 64)
		snprintf(n->seen[n->count], 64, "%s", name->s);
	n->count++;
	return true;
}

static int list(struct inode *dir, struct names *n)
{
	struct dir_ctx ctx = { .emit = collect };
	uint64_t pos = 0;

	memset(n, 0, sizeof(*n));
	ctx.buf = fw_uptr((uint64_t)(uintptr_t)n);
	return dir->iops->iterate(dir, &pos, &ctx);
}

static bool listed(const struct names *n, const char *name)
{
	for (int i = 0; i < n->count && i < 64; i++)
		if (!strcmp(n->seen[i], name))
			return true;
	return false;
}

static char long_target[200];
static struct kpath kpath_buf;

/* The source tree for the read tests. */
static void make_src(const char *dir)
{
	char p[256];

	sh("rm -rf %s && mkdir -p %s/sub/deeper", dir, dir);
	snprintf(p, sizeof(p), "%s/hello", dir);
	host_file(p, 0, 0);
	sh("printf 'hello\\n' > %s/hello", dir);
	snprintf(p, sizeof(p), "%s/big", dir);
	host_file(p, 300000, 1);
	snprintf(p, sizeof(p), "%s/sub/deeper/x", dir);
	host_file(p, 5000, 2);
	sh("ln -s hello %s/fastlink && ln -s %s %s/slowlink && ln %s/hello %s/sub/h2 && : > %s/empty",
	   dir, long_target, dir, dir, dir, dir);
	sh("truncate -s 3221225472 %s/sparse && printf END | dd of=%s/sparse bs=1 seek=3221225469 conv=notrunc 2>/dev/null",
	   dir, dir);
	sh("chmod 0751 %s/sub && chmod 0600 %s/big", dir, dir);
}

static void check_read(unsigned bs)
{
	char img[64], src[64], buf[64];
	struct superblock *sb;
	struct inode *ino;
	struct kpath *kp = &kpath_buf;
	struct names n;
	int err;

	snprintf(img, sizeof(img), TMP "/read%u.img", bs);
	snprintf(src, sizeof(src), TMP "/src%u", bs);
	make_src(src);
	CHECK(mkimg(img, bs, src, 8192) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	CHECK(sb->ext2->bs == bs);

	ino = walk(sb, "hello", &err);
	CHECK(ino && ino->size == 6 && ino->nlink == 2 && S_ISREG(ino->mode));
	CHECK(rd(ino, 0, buf, sizeof(buf)) == 6 && !memcmp(buf, "hello\n", 6));
	inode_put(ino);
	ino = walk(sb, "sub/h2", &err);
	CHECK(ino && ino->size == 6);
	inode_put(ino);
	ino = walk(sb, "big", &err);
	CHECK(ino && ino->size == 300000 && (ino->mode & 07777) == 0600);
	CHECK(rd_pat(ino, 0, 300000, 1));
	inode_put(ino);
	ino = walk(sb, "sub/deeper/x", &err);
	CHECK(ino && rd_pat(ino, 0, 5000, 2));
	CHECK(ino->parent == NULL); /* regular files have none */
	inode_put(ino);
	ino = walk(sb, "sub", &err);
	CHECK(ino && S_ISDIR(ino->mode) && (ino->mode & 07777) == 0751 && ino->nlink == 3);
	inode_put(ino);
	ino = walk(sb, "fastlink", &err);
	CHECK(ino && S_ISLNK(ino->mode) && ino->iops->readlink(ino, kp) == 0 &&
	      !strcmp(kp->s, "hello"));
	inode_put(ino);
	ino = walk(sb, "slowlink", &err);
	CHECK(ino && ino->iops->readlink(ino, kp) == 0 && !strcmp(kp->s, long_target));
	inode_put(ino);
	ino = walk(sb, "sparse", &err);
	CHECK(ino && ino->size == 3221225472ull);
	CHECK(rd(ino, 3221225469ull, buf, 10) == 3 && !memcmp(buf, "END", 3));
	CHECK(rd_zero(ino, 1000000000ull, 10000));
	inode_put(ino);
	ino = walk(sb, "nothere", &err);
	CHECK(!ino && err == -ENOENT);
	CHECK(list(sb->root, &n) == 0);
	CHECK(listed(&n, ".") && listed(&n, "..") && listed(&n, "hello") &&
	      listed(&n, "lost+found") && listed(&n, "sparse") && listed(&n, "sub"));
	CHECK(n.count == 10);
	{
		struct linux_statfs st;
		unsigned long long fb = 0, ic = 0, fi = 0;
		FILE *f;

		memset(&st, 0, sizeof(st));
		CHECK(sb->sops->statfs(sb, &st) == 0);
		sh("dumpe2fs -h %s 2>/dev/null | grep -E '^(Free blocks|Inode count|Free inodes):' | awk -F: '{print $2}' > %s.df",
		   img, img);
		snprintf(buf, sizeof(buf), "%s.df", img);
		f = fopen(buf, "r");
		CHECK(f && fscanf(f, "%llu %llu %llu", &ic, &fb, &fi) == 3);
		fclose(f);
		CHECKF(st.f_bfree == fb && st.f_files == ic && st.f_ffree == fi,
		       "statfs %llu %llu %llu vs dumpe2fs %llu %llu %llu",
		       (unsigned long long)st.f_bfree, (unsigned long long)st.f_files,
		       (unsigned long long)st.f_ffree, fb, ic, fi);
		CHECK(st.f_type == 0xEF53 && st.f_bsize == bs && st.f_namelen == 255);
		CHECK(st.f_bavail <= st.f_bfree && st.f_blocks < 8192u * 1024 / bs);
	}
	umount_fs(sb);
	CHECK(fsck(img) == 0);
}

static void t_read_1k(void) { check_read(1024); }
static void t_read_2k(void) { check_read(2048); }
static void t_read_4k(void) { check_read(4096); }

static void check_write(unsigned bs)
{
	char img[64];
	struct superblock *sb;
	struct inode *root, *a, *b, *big, *huge, *d1, *d2, *x, *e, *t, *ino;
	struct kpath *kp = &kpath_buf;
	struct kname n1, n2;
	struct names n;
	uint32_t nr;
	uint64_t free0;
	int err;
	uint64_t far = 5 * GIB + 100;

	snprintf(img, sizeof(img), TMP "/write%u.img", bs);
	CHECK(mkimg(img, bs, NULL, 16384) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	root = sb->root;
	free0 = sb->ext2->free_blocks;

	/* small, medium (indirect) and sparse huge (triple indirect) files */
	CHECK(mk(root, "a", S_IFREG | 0644, &a) == 0);
	CHECK(wr_pat(a, 0, 10000, 3, 999) == 0 && a->size == 10000);
	CHECK(rd_pat(a, 0, 10000, 3));
	CHECK(mk(root, "a", S_IFREG | 0644, &ino) == -EEXIST);
	CHECK(mk(root, "big", S_IFREG | 0644, &big) == 0);
	CHECK(wr_pat(big, 0, 1048576 + 123, 4, 7000) == 0);
	CHECK(rd_pat(big, 0, 1048576 + 123, 4));
	CHECK(mk(root, "huge", S_IFREG | 0644, &huge) == 0);
	CHECK(wr_pat(huge, far, 4096, 5, 4096) == 0);
	CHECK(wr_pat(huge, 70ull << 20, 10, 6, 10) == 0);
	CHECK(huge->size == far + 4096);
	CHECK(rd_pat(huge, far, 4096, 5) && rd_pat(huge, 70ull << 20, 10, 6));
	CHECK(rd_zero(huge, 4 * GIB, 8192) && rd_zero(huge, 0, 4096));
	/* truncate down through the indirect levels, then up again */
	CHECK(huge->iops->truncate(huge, 80ull << 20) == 0);
	CHECK(rd_pat(huge, 70ull << 20, 10, 6) && rd_zero(huge, (80ull << 20) - 100, 100));
	CHECK(huge->iops->truncate(huge, 1000) == 0 && huge->size == 1000);
	CHECK(huge->ext2->blocks == 0); /* nothing was below 1000 */
	CHECK(huge->iops->truncate(huge, 3 * GIB) == 0 && rd_zero(huge, 0, 10000));
	CHECK(big->iops->truncate(big, 5000) == 0 && big->size == 5000);
	CHECK(rd_pat(big, 0, 5000, 4) && big->iops->truncate(big, 9000) == 0);
	CHECK(rd_zero(big, 5000, 4000)); /* the old bytes past 5000 are gone */
	CHECK(big->ext2->blocks == (uint64_t)((9000 + bs - 1) / bs) * (bs / 512) ||
	      big->ext2->blocks == (uint64_t)((5000 + bs - 1) / bs) * (bs / 512));

	/* directories, rename across directories, ".." */
	CHECK(mk(root, "d1", S_IFDIR | 0755, &d1) == 0 && root->nlink == 4);
	CHECK(mk(d1, "d2", S_IFDIR | 0700, &d2) == 0 && d1->nlink == 3);
	CHECK(mk(d2, "x", S_IFREG | 0644, &x) == 0 && wr_pat(x, 0, 100, 7, 100) == 0);
	n1 = kn("d2");
	n2 = kn("d2moved");
	CHECK(root->iops->rename(d1, &n1, root, &n2, 0) == 0);
	CHECK(d1->nlink == 2 && root->nlink == 5 && d2->parent == root);
	n1 = kn("..");
	CHECK(ext2_dir_find(d2, &n1, &nr, NULL) == 0 && nr == EXT2_ROOT_INO);
	ino = walk(sb, "d2moved/x", &err);
	CHECK(ino == x);
	inode_put(ino);
	/* rename a file over another: the old target goes */
	CHECK(mk(root, "b", S_IFREG | 0644, &b) == 0 && wr_pat(b, 0, 3000, 8, 3000) == 0);
	n1 = kn("a");
	n2 = kn("b");
	CHECK(root->iops->rename(root, &n1, root, &n2, RENAME_NOREPLACE) == -EEXIST);
	CHECK(root->iops->rename(root, &n1, root, &n2, RENAME_EXCHANGE) == -EINVAL);
	CHECK(root->iops->rename(root, &n1, root, &n2, 0) == 0 && b->nlink == 0);
	inode_put(b);
	ino = walk(sb, "b", &err);
	CHECK(ino == a && rd_pat(ino, 0, 10000, 3));
	inode_put(ino);
	ino = walk(sb, "a", &err);
	CHECK(!ino && err == -ENOENT);
	/* rename a directory over an empty one in another directory */
	CHECK(mk(d1, "empty", S_IFDIR | 0755, &e) == 0 && d1->nlink == 3);
	n1 = kn("d2moved");
	n2 = kn("empty");
	CHECK(root->iops->rename(root, &n1, d1, &n2, 0) == 0);
	CHECK(e->nlink == 0 && d1->nlink == 3 && root->nlink == 4 && d2->parent == d1);
	inode_put(e);
	n1 = kn("..");
	CHECK(ext2_dir_find(d2, &n1, &nr, NULL) == 0 && nr == d1->ino);
	/* hard links */
	n1 = kn("alink");
	CHECK(root->iops->link(d1, &n1, a) == 0 && a->nlink == 2);
	CHECK(rm(root, "b") == 0 && a->nlink == 1);
	ino = walk(sb, "d1/alink", &err);
	CHECK(ino == a);
	inode_put(ino);
	/* symlinks */
	snprintf(kp->s, sizeof(kp->s), "d1/alink");
	n1 = kn("fast");
	CHECK(root->iops->symlink(root, &n1, kp, &root_cred, &ino) == 0);
	inode_put(ino);
	snprintf(kp->s, sizeof(kp->s), "%s", long_target);
	n1 = kn("slow");
	CHECK(root->iops->symlink(root, &n1, kp, &root_cred, &ino) == 0);
	inode_put(ino);
	/* many entries: several directory blocks, holes in them, reuse */
	for (int i = 0; i < 300; i++) {
		char nm[64];

		snprintf(nm, sizeof(nm), "a_rather_long_file_name_number_%04d", i);
		CHECK(mk(d1, nm, S_IFREG | 0644, &ino) == 0);
		if (i % 10 == 5)
			CHECK(wr_pat(ino, 0, 100 + (size_t)i, 9, 50) == 0);
		inode_put(ino);
	}
	CHECK(d1->size > bs);
	for (int i = 0; i < 300; i += 2) {
		char nm[64];

		snprintf(nm, sizeof(nm), "a_rather_long_file_name_number_%04d", i);
		CHECK(rm(d1, nm) == 0);
	}
	for (int i = 0; i < 300; i += 4) {
		char nm[64];

		snprintf(nm, sizeof(nm), "new_%d", i);
		CHECK(mk(d1, nm, S_IFREG | 0644, &ino) == 0);
		inode_put(ino);
	}
	CHECK(list(d1, &n) == 0 && n.count == 2 + 2 + 150 + 75);
	/* rmdir */
	CHECK(mk(root, "e", S_IFDIR | 0755, &e) == 0 && mk(e, "f", S_IFREG, &ino) == 0);
	inode_put(ino);
	CHECK(rm(root, "e") == -ENOTEMPTY && rm(e, "f") == 0 && rm(root, "e") == 0);
	CHECK(e->nlink == 0);
	CHECK(mk(e, "late", S_IFREG | 0644, &ino) == -ENOENT); /* removed dir */
	inode_put(e);
	/* metadata written by the VFS (chmod, chown, utimes) */
	a->mode = S_IFREG | 04750;
	a->uid = 1000;
	a->gid = 70000;
	a->mtime.sec = 1234567890;
	CHECK(sb->sops->write_inode(a) == 0);
	/* an open file survives its unlink until the last reference */
	CHECK(mk(root, "tmpf", S_IFREG | 0644, &t) == 0 && wr_pat(t, 0, 50000, 10, 4096) == 0);
	CHECK(rm(root, "tmpf") == 0 && t->nlink == 0 && rd_pat(t, 0, 50000, 10));
	inode_put(t);
	/* special files */
	CHECK(root->iops->create(root, &(struct kname){ "null" }, S_IFCHR | 0666,
				 (1u << 8) | 3, &root_cred, &ino) == 0);
	inode_put(ino);
	CHECK(mk(root, "fifo", S_IFIFO | 0644, &ino) == 0);
	inode_put(ino);
	CHECK(root->iops->create(root, &(struct kname){ "bigdev" }, S_IFBLK | 0600,
				 (259u << 8) | 0x12345u << 12, &root_cred, &ino) == 0);
	inode_put(ino);

	inode_put(a);
	inode_put(big);
	inode_put(huge);
	inode_put(x);
	inode_put(d2);
	inode_put(d1);
	CHECK(sb->sops->sync(sb) == 0);
	CHECK(sb->ext2->free_blocks < free0);
	umount_fs(sb);
	CHECK(fsck(img) == 0);

	/* everything is on the disk: mount again and look */
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	ino = walk(sb, "d1/alink", &err);
	CHECK(ino && ino->mode == (S_IFREG | 04750) && ino->uid == 1000 &&
	      ino->gid == 70000 && ino->mtime.sec == 1234567890 && rd_pat(ino, 0, 10000, 3));
	inode_put(ino);
	ino = walk(sb, "huge", &err);
	CHECK(ino && ino->size == 3 * GIB && rd_zero(ino, 3 * GIB - 10, 10));
	inode_put(ino);
	ino = walk(sb, "big", &err);
	CHECK(ino && ino->size == 9000 && rd_pat(ino, 0, 5000, 4) && rd_zero(ino, 5000, 4000));
	inode_put(ino);
	ino = walk(sb, "d1/empty/x", &err);
	CHECK(ino && rd_pat(ino, 0, 100, 7));
	inode_put(ino);
	ino = walk(sb, "slow", &err);
	CHECK(ino && ino->iops->readlink(ino, kp) == 0 && !strcmp(kp->s, long_target));
	inode_put(ino);
	ino = walk(sb, "fast", &err);
	CHECK(ino && ino->iops->readlink(ino, kp) == 0 && !strcmp(kp->s, "d1/alink"));
	inode_put(ino);
	ino = walk(sb, "null", &err);
	CHECK(ino && S_ISCHR(ino->mode) && ino->rdev == ((1u << 8) | 3));
	inode_put(ino);
	ino = walk(sb, "bigdev", &err);
	CHECK(ino && S_ISBLK(ino->mode) && ino->rdev == ((259u << 8) | 0x12345u << 12));
	inode_put(ino);
	ino = walk(sb, "d1/a_rather_long_file_name_number_0015", &err);
	CHECK(ino && ino->size == 115 && rd_pat(ino, 0, 115, 9));
	inode_put(ino);
	/* remove almost everything; the counts must come back */
	CHECK(rm(sb->root, "huge") == 0 && rm(sb->root, "big") == 0);
	umount_fs(sb);
	CHECK(fsck(img) == 0);
	CHECK(sh("dumpe2fs -h %s 2>/dev/null | grep -q 'state: *clean$'", img) == 0);
}

static void t_write_1k(void) { check_write(1024); }
static void t_write_2k(void) { check_write(2048); }
static void t_write_4k(void) { check_write(4096); }

/* The same checks on images mkfs.ext4 made. */
static void as_ext4(void (*check)(unsigned), unsigned bs)
{
	fstype = "ext4";
	check(bs);
	fstype = "ext2";
}

/* One block of file f at lblk, a pattern of seed lblk. */
static int wr_blk(struct inode *f, unsigned bs, uint64_t lblk)
{
	return wr_pat(f, lblk * bs, bs, (unsigned)lblk, bs);
}

/* Many one-block extents: every other block, then the gaps backwards
 * (middle inserts), so the tree grows to depth 2 with 1 KiB blocks (84
 * extents a leaf) and nodes split; truncation frees it level by level.
 * e2fsck checks the tree's shape, keys and checksums. */
static void t_ext4_tree(void)
{
	const char *img = TMP "/tree.img";
	const unsigned bs = 1024, n = 1200;
	struct superblock *sb;
	struct inode *f, *g;
	uint64_t free0;
	bool ok = true;

	fstype = "ext4";
	CHECK(mkimg(img, bs, NULL, 16384) == 0);
	fstype = "ext2";
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	free0 = sb->ext2->free_blocks;
	CHECK(mk(sb->root, "f", S_IFREG | 0644, &f) == 0);
	CHECK(mk(sb->root, "g", S_IFREG | 0644, &g) == 0);
	CHECK(f->ext2->flags & EXT4_EXTENTS_FL);
	for (uint64_t i = 0; i < n && ok; i += 2) {
		ok = wr_blk(f, bs, i) == 0;
		/* g's blocks keep f's apart on disk too */
		ok = ok && wr_blk(g, bs, i / 2) == 0;
	}
	CHECK(ok);
	for (uint64_t i = n - 1; i < n && ok; i -= 2)
		ok = wr_blk(f, bs, i) == 0;
	CHECK(ok);
	CHECK((f->ext2->block[1] >> 16) == 2); /* the root's eh_depth */
	for (uint64_t i = 0; i < n && ok; i++)
		ok = rd_pat(f, i * bs, bs, (unsigned)i);
	CHECK(ok);
	CHECK(f->iops->truncate(f, 700 * bs + 10) == 0);
	for (uint64_t i = 0; i < 700 && ok; i++)
		ok = rd_pat(f, i * bs, bs, (unsigned)i);
	CHECK(ok && rd_pat(f, 700 * bs, 10, 700));
	CHECK(rd(f, 700 * bs + 10, &ok, 1) == 0);
	CHECK(f->iops->truncate(f, 0) == 0 && f->ext2->blocks == 0);
	CHECK(rm(sb->root, "g") == 0);
	inode_put(f);
	inode_put(g);
	CHECK(rm(sb->root, "f") == 0);
	CHECK(sb->ext2->free_blocks == free0);
	umount_fs(sb);
	CHECK(fsck(img) == 0);
}

/* Unwritten extents (fallocate by debugfs) read as zeros; writes into
 * them split them, and a sequential write joins the written part. */
static void t_ext4_unwritten(void)
{
	const char *img = TMP "/unwritten.img";
	const unsigned bs = 4096;
	struct superblock *sb;
	struct inode *f;
	int err;

	fstype = "ext4";
	CHECK(mkimg(img, bs, NULL, 16384) == 0);
	fstype = "ext2";
	CHECK(sh("printf x > " TMP "/one && debugfs -w -R 'write " TMP "/one f' %s >/dev/null 2>&1 && "
		 "debugfs -w -R 'fallocate /f 1 99' %s >/dev/null 2>&1 && "
		 "debugfs -w -R 'sif /f size 409600' %s >/dev/null 2>&1 && "
		 "debugfs -R 'ex /f' %s 2>/dev/null | grep -q Uninit", img, img, img, img) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	f = walk(sb, "f", &err);
	CHECK(f && f->size == 409600);
	if (!f)
		return;
	CHECK(rd_zero(f, bs, 99 * bs));
	CHECK(wr_pat(f, 50 * bs + 100, 10, 5, 10) == 0);	/* a middle split */
	CHECK(wr_pat(f, 1 * bs, 3 * bs, 6, bs) == 0);		/* from the front */
	CHECK(wr_pat(f, 99 * bs, bs, 7, bs) == 0);		/* the last block */
	CHECK(rd_pat(f, 50 * bs + 100, 10, 5) && rd_zero(f, 50 * bs, 100) &&
	      rd_zero(f, 50 * bs + 110, bs - 110));
	CHECK(rd_pat(f, 1 * bs, 3 * bs, 6) && rd_pat(f, 99 * bs, bs, 7));
	CHECK(rd_zero(f, 4 * bs, 46 * bs) && rd_zero(f, 51 * bs, 48 * bs));
	inode_put(f);
	umount_fs(sb);
	CHECK(fsck(img) == 0);
}

static void t_ext4_read_1k(void) { as_ext4(check_read, 1024); }
static void t_ext4_read_4k(void) { as_ext4(check_read, 4096); }
static void t_ext4_write_1k(void) { as_ext4(check_write, 1024); }
static void t_ext4_write_4k(void) { as_ext4(check_write, 4096); }

/* A file system filled up: -ENOSPC, and still consistent. */
static void t_enospc(void)
{
	const char *img = TMP "/full.img";
	struct superblock *sb;
	struct inode *f;
	long n;
	uint8_t *buf = calloc(1, 65536);

	CHECK(mkimg(img, 1024, NULL, 2048) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	CHECK(mk(sb->root, "fill", S_IFREG | 0644, &f) == 0);
	host_cred.fsuid = 1000;
	host_cred.fsgid = 1000;
	for (uint64_t off = 0;; off += 65536) {
		n = wr(f, off, buf, 65536);
		if (n != 65536)
			break;
	}
	CHECK(n == -ENOSPC || (n >= 0 && n < 65536));
	/* users stop at the root reserve, root goes on to the end */
	host_cred.fsuid = 0;
	host_cred.fsgid = 0;
	CHECKF(sb->ext2->free_blocks == sb->ext2->r_blocks && sb->ext2->r_blocks > 0,
	       "free %u reserved %u", sb->ext2->free_blocks, sb->ext2->r_blocks);
	CHECK(wr(f, f->size, buf, 65536) > 0 || sb->ext2->free_blocks == 0);
	for (uint64_t off = f->size;; off += 65536)
		if (wr(f, off, buf, 65536) != 65536)
			break;
	CHECK(sb->ext2->free_blocks == 0);
	inode_put(f);
	umount_fs(sb);
	CHECK(fsck(img) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	CHECK(rm(sb->root, "fill") == 0);
	umount_fs(sb);
	CHECK(fsck(img) == 0);
	free(buf);
}

/* Revision 0 file systems (no features, 128-byte inodes). */
static void t_rev0(void)
{
	const char *img = TMP "/rev0.img";
	struct superblock *sb;
	struct inode *f;

	CHECK(sh("rm -f %s && mkfs.ext2 -q -F -r 0 -b 1024 %s 4096k >/dev/null 2>&1", img, img) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	CHECK(sb->ext2->rev == 0 && sb->ext2->inode_size == 128);
	CHECK(mk(sb->root, "x", S_IFREG | 0644, &f) == 0 && wr_pat(f, 0, 70000, 11, 5000) == 0);
	CHECK(wr(f, 3 * GIB, "x", 1) == -EFBIG && f->iops->truncate(f, 3 * GIB) == -EFBIG);
	inode_put(f);
	CHECK(mk(sb->root, "dir", S_IFDIR | 0755, &f) == 0);
	inode_put(f);
	umount_fs(sb);
	CHECK(fsck(img) == 0);
}

static const char *base_img(void);

/* CHECK that does not return (so the case can still unmount). */
static bool check_ok(bool ok, int line, const char *what)
{
	if (!ok && !harness_case_failed)
		harness_fail(__FILE__, line, what);
	return ok;
}
#define CHECK_OK(c) check_ok((c), __LINE__, #c)

/* Revision 1 with every optional feature off (no filetype in directory
 * records, superblock copies in every group). */
static void t_no_features(void)
{
	const char *img = TMP "/nofeat.img";
	struct superblock *sb;
	struct inode *f, *d;
	struct names n;

	CHECK(sh("rm -f %s && mkfs.ext2 -q -F -b 1024 -g 1024 -O none %s 4096k >/dev/null 2>&1", img, img) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	CHECK(sb->ext2->rev == 1 && sb->ext2->feat_incompat == 0 && sb->ext2->groups == 4);
	CHECK(mk(sb->root, "dir", S_IFDIR | 0755, &d) == 0);
	CHECK(mk(d, "x", S_IFREG | 0644, &f) == 0 && wr_pat(f, 0, 300000, 4, 7000) == 0);
	inode_put(f);
	CHECK(list(d, &n) == 0 && n.count == 3);
	inode_put(d);
	{
		struct linux_statfs st;

		memset(&st, 0, sizeof(st));
		CHECK(sb->sops->statfs(sb, &st) == 0);
		/* every group: superblock, 1 descriptor block, 2 bitmaps and
		 * the inode table (Linux ext2_statfs's overhead) */
		CHECK(st.f_blocks == 4096 - 1 - 4 * (2 + 2 + sb->ext2->itb_per_group));
	}
	umount_fs(sb);
	CHECK(fsck(img) == 0);
}

/* A file over 2 GiB turns the large_file feature on if it was off. */
static void t_large_file_feature(void)
{
	const char *img = TMP "/nolarge.img";
	struct superblock *sb;
	struct inode *f;

	CHECK(mkimg(img, 4096, NULL, 8192) == 0);
	CHECK(sh("debugfs -w -R 'feature -large_file' %s >/dev/null 2>&1", img) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	if (!CHECK_OK(!(sb->ext2->feat_ro & EXT2_FEATURE_RO_COMPAT_LARGE_FILE)))
		goto out;
	if (CHECK_OK(mk(sb->root, "l", S_IFREG | 0644, &f) == 0)) {
		CHECK_OK(wr_pat(f, 3 * GIB, 100, 1, 100) == 0);
		inode_put(f);
	}
out:
	umount_fs(sb);
	CHECK(fsck(img) == 0);
	CHECK(sh("dumpe2fs -h %s 2>/dev/null | grep -q 'features:.*large_file'", img) == 0);
}

/* Corruption found while mounted marks the superblock (errors=continue). */
static void t_error_state(void)
{
	const char *img = TMP "/errstate.img";
	struct superblock *sb;
	struct inode *f;
	char buf[4];
	int err;

	sh("cp %s %s", base_img(), img);
	CHECK(sh("debugfs -w -R 'sif /hello block[0] 0x7fffff0' %s >/dev/null 2>&1", img) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	f = walk(sb, "hello", &err);
	CHECK(f && rd(f, 0, buf, 4) == -EIO);
	inode_put(f);
	umount_fs(sb);
	CHECK(sh("dumpe2fs -h %s 2>/dev/null | grep -q 'Filesystem state:.*with errors'", img) == 0);
}

static void t_readonly(void)
{
	const char *img = TMP "/ro.img";
	struct superblock *sb;
	struct inode *f;
	int err;

	make_src(TMP "/srcro");
	CHECK(mkimg(img, 4096, TMP "/srcro", 8192) == 0);
	CHECK(sh("cp %s %s.orig", img, img) == 0);
	CHECK(ext2_mount(disk(img), true, &sb) == 0 && sb->rdonly);
	CHECK(mk(sb->root, "new", S_IFREG | 0644, &f) == -EROFS);
	CHECK(rm(sb->root, "hello") == -EROFS);
	f = walk(sb, "big", &err);
	CHECK(f && wr(f, 0, "x", 1) == -EROFS && f->iops->truncate(f, 0) == -EROFS);
	CHECK(rd_pat(f, 0, 300000, 1));
	inode_put(f);
	umount_fs(sb);
	CHECK(sh("cmp -s %s %s.orig", img, img) == 0);
}

/* Patch len bytes at off of the image. */
static void patch(const char *img, uint64_t off, const void *b, size_t len)
{
	FILE *f = fopen(img, "r+b");

	if (!f || fseek(f, (long)off, SEEK_SET) || fwrite(b, 1, len, f) != len)
		abort();
	fclose(f);
}

static uint32_t peek32(const char *img, uint64_t off)
{
	FILE *f = fopen(img, "rb");
	uint8_t b[4] = { 0 };

	if (!f || fseek(f, (long)off, SEEK_SET) || fread(b, 1, 4, f) != 4)
		abort();
	fclose(f);
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static void poke32(const char *img, uint64_t off, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	patch(img, off, b, 4);
}

static void poke16(const char *img, uint64_t off, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	patch(img, off, b, 2);
}

static const char *base_img(void)
{
	static bool made;
	const char *img = TMP "/base.img";

	if (!made) {
		make_src(TMP "/srcbase");
		if (mkimg(img, 1024, TMP "/srcbase", 4096) == 0)
			made = true;
	}
	return img;
}

static const char *copy_base(const char *name)
{
	static char img[128];

	snprintf(img, sizeof(img), TMP "/%s.img", name);
	sh("cp %s %s", base_img(), img);
	return img;
}

/* A fresh copy of an ext4 image with /hello and a file /frag of 100
 * one-block extents (so it has an extent block); *etb is that block. */
static const char *ext4_img(const char *name, uint32_t *etb)
{
	static char img[128];
	const char *master = TMP "/ext4base.img";
	static bool made;

	if (!made) {
		struct superblock *sb;
		struct inode *f, *g;

		fstype = "ext4";
		sh("rm -rf " TMP "/ext4src && mkdir -p " TMP "/ext4src && printf 'hello\\n' > " TMP "/ext4src/hello && "
		   "mkdir " TMP "/ext4src/sub && echo x > " TMP "/ext4src/sub/x");
		if (mkimg(master, 1024, TMP "/ext4src", 8192) || ext2_mount(disk(master), false, &sb))
			abort();
		fstype = "ext2";
		if (mk(sb->root, "frag", S_IFREG | 0644, &f) || mk(sb->root, "pad", S_IFREG | 0644, &g))
			abort();
		for (uint64_t i = 0; i < 100; i++)
			if (wr_blk(f, 1024, 2 * i) || wr_blk(g, 1024, i))
				abort();
		inode_put(f);
		inode_put(g);
		umount_fs(sb);
		made = true;
	}
	if (etb) {
		FILE *p;

		sh("debugfs -R 'ex /frag' %s 2>/dev/null | awk '$1 == \"0/\" { print $8; exit }' > " TMP "/etb", master);
		p = fopen(TMP "/etb", "r");
		if (!p || fscanf(p, "%u", etb) != 1)
			*etb = 0;
		if (p)
			fclose(p);
	}
	snprintf(img, sizeof(img), TMP "/%s.img", name);
	sh("cp %s %s", master, img);
	return img;
}

/* The first block of a file (from debugfs blocks). */
static unsigned first_block(const char *img, const char *path)
{
	unsigned blk = 0;
	FILE *p;

	sh("debugfs -R 'blocks %s' %s 2>/dev/null > " TMP "/blocks", path, img);
	p = fopen(TMP "/blocks", "r");
	if (!p || fscanf(p, "%u", &blk) != 1)
		abort();
	fclose(p);
	return blk;
}

/* Byte off of inode ino's record in img (from debugfs imap). */
static uint64_t inode_off(const char *img, const char *path)
{
	unsigned blk = 0, off = 0;
	FILE *p;

	sh("debugfs -R 'imap %s' %s 2>/dev/null | sed -n 's/.*block \\([0-9]*\\), offset 0x\\([0-9a-f]*\\).*/\\1 \\2/p' > " TMP "/imap",
	   path, img);
	p = fopen(TMP "/imap", "r");
	if (!p || fscanf(p, "%u %x", &blk, &off) != 2)
		abort();
	fclose(p);
	return (uint64_t)blk * 1024 + off;
}

/* metadata_csum: each kind of damaged structure is refused with a log
 * line (superblock: no mount; descriptor: no read-write mount; inode,
 * directory and extent blocks: -EIO for that file), never used. */
static void t_ext4_bad_csum(void)
{
	struct superblock *sb;
	struct inode *ino;
	uint32_t etb = 0;
	const char *img = ext4_img("csum-sb", &etb);
	struct blkdev *d;
	char buf[16];
	int err;

	CHECK(etb != 0);
	/* the superblock: its volume name is covered */
	poke16(img, 1024 + 120, 0x4141);
	d = disk(img);
	host_log_clear();
	CHECK(ext2_mount(d, false, &sb) == -EINVAL && strstr(host_log, "superblock checksum"));
	bcache_drop_clean(d);
	host_disk_close(d);

	/* a group descriptor (its free-blocks count) */
	img = ext4_img("csum-gd", NULL);
	poke16(img, 2048 + GD_FREE_BLOCKS, 1);
	d = disk(img);
	host_log_clear();
	CHECK(ext2_mount(d, false, &sb) == -EINVAL && strstr(host_log, "checksum invalid"));
	bcache_drop_clean(d);
	host_disk_close(d);
	CHECK(ext2_mount(disk(img), true, &sb) == 0);
	umount_fs(sb);

	/* an inode (its uid), a directory block (a name in /sub), the
	 * extent block of /frag */
	img = ext4_img("csum-files", &etb);
	poke16(img, inode_off(img, "/hello") + I_UID, 77);
	poke16(img, (uint64_t)first_block(img, "/sub") * 1024 + 24 + EXT2_DIRENT_HDR, 0x5858);
	poke16(img, (uint64_t)etb * 1024 + 12 + 4, 9);	/* first extent's length */
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	host_log_clear();
	CHECK(walk(sb, "hello", &err) == NULL && err == -EIO);
	CHECK(strstr(host_log, "inode checksum invalid"));
	host_log_clear();
	CHECK(walk(sb, "sub/x", &err) == NULL && err == -EIO);
	CHECK(strstr(host_log, "directory block checksum invalid"));
	ino = walk(sb, "frag", &err);
	host_log_clear();
	CHECK(ino && rd(ino, 0, buf, sizeof(buf)) == -EIO &&
	      strstr(host_log, "extent block checksum invalid"));
	if (ino)
		inode_put(ino);
	umount_fs(sb);
}

static void t_bad_magic(void)
{
	const char *img = copy_base("badmagic");
	struct superblock *sb;
	struct blkdev *d = disk(img);

	poke16(img, 1024 + SB_MAGIC, 0x1234);
	host_log_clear();
	CHECK(ext2_mount(d, false, &sb) == -EINVAL);
	CHECK(strstr(host_log, "ext2 (img): bad magic"));
	bcache_drop_clean(d);
	host_disk_close(d);
}

static void t_bad_features(void)
{
	const char *img = copy_base("badfeat");
	struct superblock *sb;
	struct inode *f;
	struct blkdev *d = disk(img);
	uint32_t inc = peek32(img, 1024 + SB_FEATURE_INCOMPAT);
	uint32_t ro = peek32(img, 1024 + SB_FEATURE_RO_COMPAT);

	poke32(img, 1024 + SB_FEATURE_INCOMPAT, inc | 0x8000); /* inline_data */
	host_log_clear();
	CHECK(ext2_mount(d, false, &sb) == -EINVAL);
	CHECK(strstr(host_log, "unsupported optional features"));
	bcache_drop_clean(d);
	host_disk_close(d);
	poke32(img, 1024 + SB_FEATURE_INCOMPAT, inc);
	poke32(img, 1024 + SB_FEATURE_RO_COMPAT, ro | 0x1000); /* unknown */
	d = disk(img);
	CHECK(ext2_mount(d, false, &sb) == 0 && sb->rdonly);
	CHECK(mk(sb->root, "new", S_IFREG | 0644, &f) == -EROFS);
	umount_fs(sb);
}

/* The root directory's first block (mounted once to read i_block[0]). */
static uint64_t root_block_off(const char *img)
{
	struct superblock *sb;
	uint64_t off;

	if (ext2_mount(disk(img), true, &sb))
		abort();
	off = (uint64_t)sb->root->ext2->block[0] * sb->ext2->bs;
	umount_fs(sb);
	return off;
}

static void bad_dir(const char *name, unsigned rec_off, uint32_t val, bool is16,
		    const char *why)
{
	const char *img = copy_base(name);
	uint64_t blk = root_block_off(img);
	struct superblock *sb;
	struct inode *f;
	struct names n;
	int err;

	if (is16)
		poke16(img, blk + rec_off, (uint16_t)val);
	else
		poke32(img, blk + rec_off, val);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	host_log_clear();
	f = walk(sb, "hello", &err);
	CHECKF(!f && err == -EIO, "%s: lookup gave %d", name, err);
	CHECKF(strstr(host_log, "bad entry in directory #2") && strstr(host_log, why),
	       "%s: log: %s", name, host_log);
	CHECK(list(sb->root, &n) == -EIO);
	CHECK(mk(sb->root, "new", S_IFREG | 0644, &f) == -EIO);
	umount_fs(sb);
}

static void t_bad_rec_len(void)
{
	bad_dir("rec_small", 12 + 4, 8, true, "smaller than minimal");
	if (harness_case_failed)
		return;
	bad_dir("rec_unaligned", 12 + 4, 14, true, "unaligned");
	if (harness_case_failed)
		return;
	bad_dir("rec_past", 12 + 4, 2000, true, "across blocks");
	if (harness_case_failed)
		return;
	bad_dir("rec_name", 6, 200, false, "too small for name_len"); /* "." name_len */
	if (harness_case_failed)
		return;
	bad_dir("rec_ino", 12, 0x7fffffff, false, "inode out of bounds");
}

static void t_bad_block_ptr(void)
{
	const char *img = copy_base("badptr");
	struct superblock *sb;
	struct inode *f;
	char buf[16];
	int err;

	CHECK(sh("debugfs -w -R 'sif /hello block[0] 0x7fffff0' %s >/dev/null 2>&1", img) == 0);
	CHECK(sh("debugfs -w -R 'sif /big block[IND] 0x7fffff0' %s >/dev/null 2>&1", img) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	host_log_clear();
	f = walk(sb, "hello", &err);
	CHECK(f && rd(f, 0, buf, sizeof(buf)) == -EIO);
	CHECKF(strstr(host_log, "ext2 (img): inode") && strstr(host_log, "block pointer out of range"),
	       "log: %s", host_log);
	CHECK(wr(f, 0, "x", 1) == -EIO);
	inode_put(f);
	f = walk(sb, "big", &err);
	CHECK(f && rd_pat(f, 0, 12 * 1024, 1) && rd(f, 12 * 1024, buf, 4) == -EIO);
	CHECK(f->iops->truncate(f, 0) == -EIO); /* nothing freed through it */
	inode_put(f);
	CHECK(rm(sb->root, "big") == 0); /* evicted: logged, not freed twice */
	umount_fs(sb);
}

static void t_bad_inode(void)
{
	const char *img = copy_base("badino");
	struct superblock *sb;
	struct inode *f;
	int err;

	CHECK(sh("debugfs -w -R 'sif /hello links_count 0' %s >/dev/null 2>&1", img) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	host_log_clear();
	f = walk(sb, "hello", &err);
	CHECK(!f && err == -EIO && strstr(host_log, "deleted inode referenced"));
	f = walk(sb, "sub/h2", &err);
	CHECK(!f && err == -EIO);
	CHECK(ext2_iget(sb->ext2, 5000000, &f) == -EIO);
	CHECK(ext2_iget(sb->ext2, 3, &f) == -EIO); /* reserved */
	umount_fs(sb);
}

/* Visit every name under dir (bounded depth), reading what can be read. */
static void explore(struct inode *dir, int depth, struct kpath *kp)
{
	struct names n;
	uint8_t buf[4096];

	if (depth > 6 || list(dir, &n))
		return;
	for (int i = 0; i < n.count && i < 64; i++) {
		struct kname nm = kn(n.seen[i]);
		struct inode *c;

		if (!strcmp(nm.s, ".") || !strcmp(nm.s, "..") || nm.s[0] == 0)
			continue;
		if (dir->iops->lookup(dir, &nm, &c))
			continue;
		if (S_ISREG(c->mode)) {
			for (uint64_t off = 0; off < c->size && off < 400000; off += 4096)
				if (rd(c, off, buf, sizeof(buf)) < 0)
					break;
		} else if (S_ISLNK(c->mode)) {
			(void)c->iops->readlink(c, kp);
		} else if (S_ISDIR(c->mode) && c != dir) {
			explore(c, depth + 1, kp);
		}
		inode_put(c);
	}
}

static uint64_t rng_state = 0x5EED5EED1234ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

/* Random damage to the metadata area: whatever happens must be an error
 * code, never a crash, a sanitizer report or a hang. */
static void t_random_damage(void)
{
	const char *img = TMP "/damage.img";
	struct kpath *kp = &kpath_buf;
	int mounted = 0;

	for (int round = 0; round < 150; round++) {
		struct superblock *sb;
		struct blkdev *d;
		struct inode *f;
		int nflip = 1 + (int)(rnd() % 40);

		sh("cp %s %s", base_img(), img);
		for (int i = 0; i < nflip; i++) {
			uint8_t v = (uint8_t)rnd();
			/* superblock, descriptors, bitmaps, inode table,
			 * first directory blocks: the first ~300 KiB */
			uint64_t off = 1024 + rnd() % (300 * 1024);

			patch(img, off, &v, 1);
		}
		d = disk(img);
		if (ext2_mount(d, false, &sb)) {
			bcache_drop_clean(d);
			host_disk_close(d);
			continue;
		}
		mounted++;
		explore(sb->root, 0, kp);
		if (mk(sb->root, "newfile", S_IFREG | 0644, &f) == 0) {
			(void)wr_pat(f, 0, 20000, 1, 4096);
			inode_put(f);
			(void)rm(sb->root, "newfile");
		}
		(void)rm(sb->root, "big");
		(void)rm(sb->root, "sub");
		if (ndisks > 120)
			ndisks = 40; /* every earlier disk is closed */
		umount_fs(sb);
	}
	CHECK(mounted > 10);
}


/* An inode's i_flags as debugfs stat shows them (0 if it cannot). */
static uint32_t disk_flags(const char *img, const char *path)
{
	unsigned v = 0;
	FILE *f;

	sh("debugfs -R 'stat %s' %s 2>/dev/null | sed -n 's/.*Flags: 0x\\([0-9a-f]*\\).*/\\1/p' > " TMP "/flags",
	   path, img);
	f = fopen(TMP "/flags", "r");
	if (!f)
		return 0;
	if (fscanf(f, "%x", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* A directory that e2fsck -D indexed: lookups and inserts go through
 * its index, which stays (flag, e2fsck, debugfs htree). */
static void t_htree(void)
{
	const char *img = TMP "/htree.img";
	const char *src = TMP "/srchtree";
	struct superblock *sb;
	struct inode *dir, *f;
	struct names n;
	int err;

	CHECK(sh("rm -rf %s && mkdir -p %s/big && cd %s/big && for i in $(seq 1 400); do echo $i > entry_with_a_long_name_$i; done",
		 src, src, src) == 0);
	CHECK(mkimg(img, 1024, src, 8192) == 0);
	CHECK(sh("e2fsck -fyD %s >/dev/null 2>&1; debugfs -R 'stat /big' %s 2>/dev/null | grep -q 'Flags: 0x1000'",
		 img, img) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	dir = walk(sb, "big", &err);
	CHECK(dir && (dir->ext2->flags & EXT2_INDEX_FL));
	for (int i = 1; i <= 400; i++) {
		char nm[64];

		snprintf(nm, sizeof(nm), "big/entry_with_a_long_name_%d", i);
		f = walk(sb, nm, &err);
		CHECK(f && f->size == (i < 10 ? 2u : i < 100 ? 3u : 4u));
		inode_put(f);
	}
	CHECK(walk(sb, "big/entry_with_a_long_name_401", &err) == NULL && err == -ENOENT);
	CHECK(list(dir, &n) == 0 && n.count == 402);
	CHECK(rm(dir, "entry_with_a_long_name_5") == 0);
	for (int i = 0; i < 300; i++) {
		char nm[64];

		snprintf(nm, sizeof(nm), "newcomer_%d", i);
		CHECK(mk(dir, nm, S_IFREG | 0644, &f) == 0);
		inode_put(f);
	}
	CHECK(dir->ext2->flags & EXT2_INDEX_FL);
	f = walk(sb, "big/newcomer_123", &err);
	CHECK(f);
	inode_put(f);
	CHECK(walk(sb, "big/entry_with_a_long_name_5", &err) == NULL && err == -ENOENT);
	inode_put(dir);
	umount_fs(sb);
	CHECK(fsck(img) == 0);
	CHECK(disk_flags(img, "/big") & EXT2_INDEX_FL);
	CHECK(sh("debugfs -R 'htree /big' %s 2>/dev/null | grep -q 'Indirect levels'", img) == 0);
}

/* ext2_dx_hash against debugfs dx_hash: legacy, half_md4, tea, signed
 * and unsigned chars, no seed and a seed, names of 1 to 255 bytes with
 * bytes over 0x7f (where the char variants differ). */
static void t_dx_hash(void)
{
	const char *img = TMP "/hash.img";
	static const char *seeds[2] = { "00000000-0000-0000-0000-000000000000",
					"0fddc3fb-af8f-4470-9e33-37147a6a8f7a" };
	static char names[5][256] = { "a", "hello", "entry_with_a_long_name_377",
				      "h\xc3\xa9llo_w\xc3\xb6rld_with_a_rather_long_name_over_32" };
	struct ext2_dx_seed sd[2];
	FILE *cmds, *out;
	unsigned want, got;
	int checked = 0;

	for (int i = 0; i < 255; i++)
		names[4][i] = (char)(i % 3 ? 'A' + i * 7 % 26 : 0x80 + i * 13 % 127);
	for (int k = 0; k < 2; k++)
		for (int w = 0; w < 4; w++) {
			unsigned b[4];
			const char *p = seeds[k] + (w == 0 ? 0 : w == 1 ? 9 : w == 2 ? 19 : 28);

			if (w == 1) /* 0fddc3fb-af8f-4470-... : bytes 4-7 span a dash */
				sscanf(seeds[k] + 9, "%2x%2x-%2x%2x", &b[0], &b[1], &b[2], &b[3]);
			else if (w == 2)
				sscanf(seeds[k] + 19, "%2x%2x-%2x%2x", &b[0], &b[1], &b[2], &b[3]);
			else
				sscanf(p, "%2x%2x%2x%2x", &b[0], &b[1], &b[2], &b[3]);
			sd[k].w[w] = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
		}
	CHECK(mkimg(img, 1024, NULL, 1024) == 0);
	cmds = fopen(TMP "/hash.cmds", "w");
	CHECK(cmds);
	for (int k = 0; k < 2; k++)
		for (int v = 0; v < 6; v++)
			for (int i = 0; i < 5; i++)
				fprintf(cmds, "dx_hash -h %d -s %s %s\n", v, seeds[k], names[i]);
	fclose(cmds);
	CHECK(sh("debugfs -f " TMP "/hash.cmds %s 2>/dev/null | LC_ALL=C sed -n 's/^Hash of .* is 0x\\([0-9a-f]*\\) .*/\\1/p' > " TMP "/hash.out",
		 img) == 0);
	out = fopen(TMP "/hash.out", "r");
	CHECK(out);
	for (int k = 0; k < 2; k++)
		for (int v = 0; v < 6; v++)
			for (int i = 0; i < 5; i++) {
				struct fw_bytes nm = fw__bytes_make(names[i], strlen(names[i]));

				if (fscanf(out, "%x", &want) != 1)
					break;
				got = ext2_dx_hash((unsigned)v, &sd[k], nm);
				checked++;
				if (got != want)
					fclose(out);
				CHECKF(got == want, "version %d seed %d name %d: %#x, debugfs %#x",
				       v, k, i, got, want);
			}
	fclose(out);
	CHECK(checked == 60);
}

struct seen {
	unsigned char hit[2][40000];	/* 'f' and 'r' names by number */
	int total;
	bool ok;
};

static bool count_seen(struct dir_ctx *ctx, const struct kname *name,
		       uint64_t ino, unsigned dtype, uint64_t next)
{
	struct seen *s = (struct seen *)(uintptr_t)ctx->buf.addr;
	int i = atoi(name->s + 1);

	(void)ino;
	(void)dtype;
	(void)next;
	s->total++;
	if ((name->s[0] == 'f' || name->s[0] == 'r') && i >= 0 && i < 40000) {
		if (s->hit[name->s[0] == 'r'][i]++)
			s->ok = false;
	} else if (strcmp(name->s, ".") && strcmp(name->s, "..")) {
		s->ok = false;
	}
	return true;
}

static char *hname(char c, int i, int pad)
{
	static char buf[300];

	snprintf(buf, sizeof(buf), "%c%06d_%.*s", c, i, pad,
		 "ppppppppppqqqqqqqqqqrrrrrrrrrrssssssssssttttttttttuuuuuuuuuuvvvvvvvvvvwwwwwwwwwwxxxxxxxxxxyyyyyyyyyy"
		 "ppppppppppqqqqqqqqqqrrrrrrrrrrssssssssssttttttttttuuuuuuuuuuvvvvvvvvvvwwwwwwwwwwxxxxxxxxxxyyyyyyyyyy"
		 "ppppppppppqqqqqqqqqqrrrrrrrrrrssssssssssttttttttttuuuuuuuuuu");
	return buf;
}

static int lookup_name(struct inode *dir, const char *name)
{
	struct kname n = kn(name);
	struct inode *c;
	int err = dir->iops->lookup(dir, &n, &c);

	if (!err)
		inode_put(c);
	return err;
}

/* Thousands of names in a new directory: it gets an index when its first
 * block fills, which grows to two levels (1 KiB blocks; 4 KiB with long
 * names); every name is found, half are removed, some renamed, readdir
 * sees each once; e2fsck is clean and the index is still there. */
static void check_htree(unsigned bs, int n, int pad)
{
	char img[128];
	struct superblock *sb;
	struct inode *dir, *f;
	static struct seen seen_buf;
	struct seen *seen = &seen_buf;
	struct dir_ctx ctx = { .emit = count_seen };
	uint64_t pos = 0;
	int want = 2;

	snprintf(img, sizeof(img), TMP "/htree-%s-%u.img", fstype, bs);
	memset(seen, 0, sizeof(*seen));
	CHECK(sh("rm -f %s && mkfs.%s -q -F -b %u -N %d %s %uk >/dev/null 2>&1", img, fstype,
		 bs, n + 200, img, bs == 1024 ? 32768 : 65536) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	CHECK(mk(sb->root, "d", S_IFDIR | 0755, &dir) == 0);
	for (int i = 0; i < n; i++) {
		CHECKF(mk(dir, hname('f', i, pad), S_IFREG | 0644, &f) == 0, "create %d", i);
		inode_put(f);
	}
	CHECK(dir->ext2->flags & EXT2_INDEX_FL);
	for (int i = 0; i < n; i++)
		CHECKF(lookup_name(dir, hname('f', i, pad)) == 0, "lookup %d", i);
	CHECK(lookup_name(dir, hname('f', n, pad)) == -ENOENT);
	for (int i = 0; i < n; i += 2)
		CHECKF(rm(dir, hname('f', i, pad)) == 0, "unlink %d", i);
	for (int i = 1; i < n; i += 6) {
		struct kname o = kn(hname('f', i, pad)), nn = kn(hname('r', i, pad));

		CHECKF(dir->iops->rename(dir, &o, dir, &nn, 0) == 0, "rename %d", i);
	}
	for (int i = 0; i < n; i++) {
		bool gone = i % 2 == 0, moved = i % 6 == 1;

		CHECKF(lookup_name(dir, hname('f', i, pad)) == (gone || moved ? -ENOENT : 0), "f %d", i);
		CHECKF(lookup_name(dir, hname('r', i, pad)) == (moved ? 0 : -ENOENT), "r %d", i);
		want += !gone;
	}
	seen->ok = true;
	ctx.buf = fw_uptr((uint64_t)(uintptr_t)seen);
	CHECK(dir->iops->iterate(dir, &pos, &ctx) == 0);
	CHECKF(seen->ok && seen->total == want, "readdir: %d of %d names", seen->total, want);
	CHECK(dir->ext2->flags & EXT2_INDEX_FL);
	inode_put(dir);
	umount_fs(sb);
	CHECK(fsck(img) == 0);
	CHECK(disk_flags(img, "/d") & EXT2_INDEX_FL);
	CHECK(sh("debugfs -R 'htree /d' %s 2>/dev/null | grep -q 'Indirect levels: 1'", img) == 0);
	/* again after a remount: the index on disk is what is used */
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	dir = walk(sb, "d", &want);
	CHECK(dir);
	for (int i = 1; i < n; i += 2)
		CHECKF(lookup_name(dir, hname(i % 6 == 1 ? 'r' : 'f', i, pad)) == 0, "remount %d", i);
	for (int i = 0; i < n; i += 4) {
		CHECKF(mk(dir, hname('f', i, pad), S_IFREG | 0644, &f) == 0, "re-create %d", i);
		inode_put(f);
	}
	for (int i = 0; i < n; i += 4)
		CHECK(lookup_name(dir, hname('f', i, pad)) == 0);
	inode_put(dir);
	umount_fs(sb);
	CHECK(fsck(img) == 0);
}

static void t_htree_ext2_1k(void) { check_htree(1024, 6000, 16); }
static void t_htree_ext2_4k(void) { check_htree(4096, 8000, 190); }
static void t_htree_ext4_1k(void) { fstype = "ext4"; check_htree(1024, 6000, 16); fstype = "ext2"; }
static void t_htree_ext4_4k(void) { fstype = "ext4"; check_htree(4096, 8000, 190); fstype = "ext2"; }

/* Damaged index blocks: -EIO and a "dx_probe" log line on lookup and
 * create, never a crash (ASan/UBSan) or a walk off the block. */
static void htree_damage(const char *fs, unsigned off, uint32_t val, bool is16,
			 bool one, const char *why)
{
	const char *img = TMP "/htree-bad.img";
	const char *src = TMP "/srchtree";
	struct superblock *sb;
	struct inode *dir, *f;
	uint64_t blk;
	int err;

	fstype = fs;
	CHECK(sh("rm -rf %s && mkdir -p %s/big && cd %s/big && for i in $(seq 1 400); do : > entry_with_a_long_name_$i; done",
		 src, src, src) == 0);
	CHECK(mkimg(img, 1024, src, 8192) == 0);
	fstype = "ext2";
	CHECK(sh("e2fsck -fyD %s >/dev/null 2>&1; true", img) == 0);
	blk = first_block(img, "/big");
	CHECK(blk);
	if (is16)
		poke16(img, blk * 1024 + off, (uint16_t)val);
	else
		poke32(img, blk * 1024 + off, val);
	if (one) /* one entry: every name goes through entry 0 */
		poke16(img, blk * 1024 + 34, 1);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	dir = walk(sb, "big", &err);
	CHECK(dir);
	host_log_clear();
	err = lookup_name(dir, "entry_with_a_long_name_7");
	CHECKF(err == -EIO && strstr(host_log, why), "%s: %d, log: %s", why, err, host_log);
	CHECK(mk(dir, "another", S_IFREG | 0644, &f) == -EIO);
	inode_put(dir);
	umount_fs(sb);
}

/* Damage to the second level (the nodes) of the two-level indexes the
 * check_htree runs left behind: every node of the root gets it. */
static void htree_node_damage(const char *from, unsigned off, bool flip,
			      uint32_t val, const char *why)
{
	const char *img = TMP "/htree-node.img";
	struct superblock *sb;
	struct inode *dir;
	uint64_t root;
	int err;

	CHECK(sh("cp %s %s", from, img) == 0);
	root = first_block(img, "/d");
	for (unsigned i = 0, n = peek32(img, root * 1024 + 32) >> 16; i < n; i++) {
		unsigned node = 0;
		FILE *p;

		sh("debugfs -R 'bmap /d %u' %s 2>/dev/null > " TMP "/bmap",
		   peek32(img, root * 1024 + 36 + 8 * i) & 0x0fffffff, img);
		p = fopen(TMP "/bmap", "r");
		CHECK(p && fscanf(p, "%u", &node) == 1 && node);
		fclose(p);
		poke32(img, node * 1024ull + off,
		       flip ? peek32(img, node * 1024ull + off) ^ 1 : val);
		if (off == 12) /* one entry: every name goes through entry 0 */
			poke32(img, node * 1024ull + 8, 1 << 16 | 127);
	}
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	dir = walk(sb, "d", &err);
	CHECK(dir);
	host_log_clear();
	err = lookup_name(dir, hname('f', 1, 16));
	CHECKF(err == -EIO && strstr(host_log, why), "%s: %d, log: %s", why, err, host_log);
	inode_put(dir);
	umount_fs(sb);
}

static void t_htree_node_damage(void)
{
	htree_node_damage(TMP "/htree-ext2-1024.img", 8, false, 0x00010005, "bad limit");
	htree_node_damage(TMP "/htree-ext2-1024.img", 12, false, 0x0ffffff, "past the end");
	htree_node_damage(TMP "/htree-ext2-1024.img", 0, false, 7, "leaf block found");
	htree_node_damage(TMP "/htree-ext4-1024.img", 20, true, 0, "checksum");
}

/* Informative: lookups in a 20,000-entry directory through its index,
 * then (debugfs clears the flag) by the linear scan every directory had
 * before. (mkfs -d makes such a directory in ~25 s: the driver, ~2 s.) */
static void t_htree_perf(void)
{
	const char *img = TMP "/perf.img";
	struct superblock *sb;
	struct inode *dir, *f;
	double ms[2];
	char nm[64];
	int err;

	CHECK(sh("rm -f %s && mkfs.ext2 -q -F -b 1024 -N 20100 %s 65536k >/dev/null 2>&1", img, img) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	CHECK(mk(sb->root, "big", S_IFDIR | 0755, &dir) == 0);
	for (int i = 1; i <= 20000; i++) {
		snprintf(nm, sizeof(nm), "file_number_%06d", i);
		CHECK(mk(dir, nm, S_IFREG | 0644, &f) == 0);
		inode_put(f);
	}
	inode_put(dir);
	umount_fs(sb);
	for (int idx = 1; idx >= 0; idx--) {
		struct timespec t0, t1;

		if (!idx)
			CHECK(sh("debugfs -w -R 'sif /big flags 0' %s >/dev/null 2>&1", img) == 0);
		CHECK(ext2_mount(disk(img), false, &sb) == 0);
		dir = walk(sb, "big", &err);
		CHECK(dir && !(dir->ext2->flags & EXT2_INDEX_FL) == !idx);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (int k = 0; k < 500; k++) {
			snprintf(nm, sizeof(nm), "file_number_%06d", k * 7919 % 20000 + 1);
			CHECK(lookup_name(dir, nm) == 0);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms[idx] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		inode_put(dir);
		umount_fs(sb);
	}
	printf("INFO ext2.t_htree_perf: 500 lookups in a 20000-entry directory (-O1, ASan): linear %.1f ms, indexed %.1f ms\n",
	       ms[0], ms[1]);
}

static void t_htree_damage(void)
{
	htree_damage("ext2", 32, 77, true, false, "bad limit");	/* root limit */
	htree_damage("ext2", 34, 0, true, false, "count beyond limit");
	htree_damage("ext2", 34, 125, true, false, "count beyond limit");
	htree_damage("ext2", 28, 9, false, false, "hash code");	/* hash version */
	htree_damage("ext2", 29, 12, true, false, "info length");
	htree_damage("ext2", 30, 3, true, false, "depth");
	htree_damage("ext2", 40, 0xffffffff, false, false, "out of order"); /* entry 1 */
	htree_damage("ext2", 36, 0x0ffffff, false, true, "past the end"); /* entry 0 */
	htree_damage("ext2", 36, 0, false, true, "cycle");
	htree_damage("ext4", 40, 0x1234, false, false, "checksum");	/* entry 1 hash */
	htree_damage("ext4", 32, 124, true, false, "bad limit");	/* no room for the tail */
}

/* mmap's page copies: file bytes, zeros in holes and past the end. */
static void t_get_page(void)
{
	const char *img = TMP "/page.img";
	struct superblock *sb;
	struct inode *f;
	struct fw_frame *fr;
	const uint8_t *b;
	bool ok = true;

	CHECK(mkimg(img, 1024, NULL, 4096) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	CHECK(mk(sb->root, "m", S_IFREG | 0755, &f) == 0);
	CHECK(wr_pat(f, 0, 5000, 12, 5000) == 0);
	CHECK(wr_pat(f, 3 * 4096 + 1024, 100, 13, 100) == 0); /* page 3, after a hole */
	CHECK(ext2_get_page(f, 0, false, &fr) == 0);
	b = host_frame_bytes(fr);
	for (int i = 0; i < 4096; i++)
		ok = ok && b[i] == pat((uint64_t)i, 12);
	fw_frame_put(fr);
	CHECK(ok);
	CHECK(ext2_get_page(f, 1, false, &fr) == 0);
	b = host_frame_bytes(fr);
	for (int i = 0; i < 4096; i++)
		ok = ok && b[i] == (i < 5000 - 4096 ? pat((uint64_t)i + 4096, 12) : 0);
	fw_frame_put(fr);
	CHECK(ok);
	CHECK(ext2_get_page(f, 3, false, &fr) == 0);
	b = host_frame_bytes(fr);
	for (int i = 0; i < 4096; i++)
		ok = ok && b[i] == (i >= 1024 && i < 1124 ? pat((uint64_t)i - 1024, 13) : 0);
	fw_frame_put(fr);
	CHECK(ok);
	CHECK(ext2_get_page(f, 4, false, &fr) == -ENXIO);
	{
		uint8_t buf[300];

		CHECK(ext2_read_kernel(f, 4900, FW_BUF_OF_ARRAY(buf)) == 300);
		for (int i = 0; i < 100; i++)
			ok = ok && buf[i] == pat((uint64_t)i + 4900, 12);
		for (int i = 100; i < 300; i++)
			ok = ok && buf[i] == 0;
		CHECK(ok);
	}
	inode_put(f);
	umount_fs(sb);
	CHECK(fsck(img) == 0);
}

/* The page cache (fs/cache/pagecache.c) over ext2: write(2) updates a
 * cached page; a page mapped for writing reaches the blocks at write-back
 * and at unmount; the reclaimer drops only clean pages nobody maps;
 * truncation drops the pages past the end and unmaps them. */
/* A read() that misses reads the pages it wants straight into the page
 * cache with one request (read_batch): the bytes come right, from the
 * disk without passing through the block cache, and from the block cache
 * where it holds bytes newer than the disk (whole pages written, not yet
 * written back), with holes reading as zeros. A sequential reader gets
 * a request's worth at a miss, a random one only what it asks for. */
static void check_read_batch(unsigned bs)
{
	const char *img = TMP "/batch.img";
	static uint8_t buf[4096];
	struct superblock *sb;
	struct inode *f;
	uint64_t units;

	CHECK(mkimg(img, bs, NULL, 8192) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	CHECK(mk(sb->root, "b", S_IFREG | 0644, &f) == 0);
	/* Regions of pages, each its own pattern (rd_pat reads one from
	 * its start): 0-31, 32-39, 40-47, 48-63, a hole of two, 66-73. */
	CHECK(wr_pat(f, 0, 32 * 4096, 31, 4096) == 0);
	CHECK(wr_pat(f, 32 * 4096, 8 * 4096, 34, 4096) == 0);
	CHECK(wr_pat(f, 40 * 4096, 8 * 4096, 35, 4096) == 0);
	CHECK(wr_pat(f, 48 * 4096, 16 * 4096, 36, 4096) == 0);
	CHECK(wr_pat(f, 66 * 4096, 8 * 4096, 32, 4096) == 0);
	CHECK(bcache_sync(sb->ext2->dev) == 0);
	bcache_drop_clean(sb->ext2->dev);
	(void)pcache_reclaim(100000);
	CHECK(pcache_pages() == 0);
	units = bcache_units();
	CHECK(rd_pat(f, 0, 32 * 4096, 31));
	CHECK(pcache_pages() == 32);
	/* The data did not pass through the block cache (the block map's
	 * blocks, and a unit they share with data, may have). */
	CHECKF(bcache_units() < units + 8, "%llu units more",
	       (unsigned long long)(bcache_units() - units));
	/* Pages 40-47 written whole: not cached, newer in the block cache
	 * than on the disk. */
	CHECK(wr_pat(f, 40 * 4096, 8 * 4096, 33, 4096) == 0);
	CHECK(pcache_pages() == 32);
	CHECK(rd_pat(f, 32 * 4096, 8 * 4096, 34));
	CHECK(rd_pat(f, 40 * 4096, 8 * 4096, 33));
	CHECK(rd_pat(f, 48 * 4096, 16 * 4096, 36));
	CHECK(rd_zero(f, 64 * 4096, 2 * 4096));
	CHECK(rd_pat(f, 66 * 4096, 8 * 4096, 32));
	/* Again from a cold cache, the hole in the middle of a read. */
	CHECK(bcache_sync(sb->ext2->dev) == 0);
	(void)pcache_reclaim(100000);
	CHECK(pcache_pages() == 0);
	bcache_drop_clean(sb->ext2->dev);
	CHECK(rd_zero(f, 64 * 4096, 2 * 4096));
	CHECK(rd_pat(f, 40 * 4096, 8 * 4096, 33));
	CHECK(rd_pat(f, 66 * 4096, 8 * 4096, 32));
	/* A reader of a page at a time: the first read takes its page, the
	 * next, sequential, up to a request's worth (as far as the blocks
	 * are one run); a random one its page. */
	(void)pcache_reclaim(100000);
	CHECK(pcache_pages() == 0);
	CHECK(rd_pat(f, 0, 4096, 31) && pcache_pages() == 1);
	CHECK(rd(f, 4096, buf, 4096) == 4096 && buf[0] == pat(4096, 31));
	CHECKF(pcache_pages() > 2, "%llu pages", (unsigned long long)pcache_pages());
	for (unsigned i = 2; i < 32; i++)
		CHECK(rd(f, i * 4096, buf, 4096) == 4096 && buf[1] == pat(i * 4096 + 1, 31));
	units = pcache_pages();
	CHECK(units >= 32 && units <= 64);
	CHECK(rd(f, 56 * 4096, buf, 4096) == 4096 && buf[0] == pat(8 * 4096, 36));
	CHECK(pcache_pages() == units + 1);
	inode_put(f);
	umount_fs(sb);
	CHECK(fsck(img) == 0);
}

static void t_read_batch_1k(void) { check_read_batch(1024); }
static void t_read_batch_4k(void) { check_read_batch(4096); }
static void t_ext4_read_batch(void) { as_ext4(check_read_batch, 4096); }

static void t_pagecache(void)
{
	const char *img = TMP "/pcache.img";
	struct superblock *sb;
	struct inode *f;
	struct fw_frame *fr;
	uint8_t buf[8];
	unsigned calls;
	uint64_t units;
	int err;

	CHECK(mkimg(img, 1024, NULL, 8192) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	/* Pages a write covers whole are not cached, those it writes in
	 * part are; the blocks leave the block cache once written back
	 * (not the same bytes twice). */
	CHECK(mk(sb->root, "q", S_IFREG | 0644, &f) == 0);
	units = bcache_units();
	CHECK(wr_pat(f, 0, 512 * 4096, 22, 4096) == 0);
	CHECK(pcache_pages() == 0);
	CHECK(bcache_units() >= units + 512);
	CHECK(bcache_sync(sb->ext2->dev) == 0);
	/* Left: the metadata it changed, the last units of file data (for
	 * the next blocks of a unit), and what the read-ahead of the last
	 * units read (a 1 KiB block is a quarter of a unit: writing it
	 * reads the unit) brought in past the end, unclaimed. */
	CHECK(bcache_units() < units + 16 + BCACHE_PARKED + BLK_MAX_SEGS);
	CHECK(wr(f, 512 * 4096, "tail", 4) == 4);
	CHECK(pcache_pages() == 1 && pcache_marked_pages() == 0);
	CHECK(bcache_sync(sb->ext2->dev) == 0);
	units = bcache_units();
	/* A kernel read (no atime to write) is served by the page. */
	CHECK(ext2_read_kernel(f, 512 * 4096, FW_BUF_OF_ARRAY(buf)) == 4 &&
	      memcmp(buf, "tail", 4) == 0);
	CHECK(bcache_units() == units);
	/* Appending to it: the page and the blocks stay in step. */
	CHECK(wr(f, 512 * 4096 + 4, "more", 4) == 4);
	CHECK(ext2_read_kernel(f, 512 * 4096, FW_BUF_OF_ARRAY(buf)) == 8 &&
	      memcmp(buf, "tailmore", 8) == 0);
	CHECK(rd(f, 7 * 4096, buf, 8) == 8 && buf[0] == pat(7 * 4096, 22));
	CHECK(pcache_pages() == 2);
	inode_put(f);
	CHECK(pcache_reclaim(1000) == 2 && pcache_pages() == 0);

	CHECK(mk(sb->root, "p", S_IFREG | 0644, &f) == 0);
	CHECK(wr_pat(f, 0, 3 * 4096, 21, 4096) == 0);
	CHECK(pcache_pages() == 0);
	CHECK(ext2_get_page(f, 1, false, &fr) == 0);
	CHECK(pcache_pages() == 1);
	CHECK(wr(f, 4096 + 10, "WRITE", 5) == 5);
	CHECK(memcmp(host_frame_bytes(fr) + 10, "WRITE", 5) == 0);
	fw_frame_put(fr);

	CHECK(ext2_get_page(f, 2, true, &fr) == 0);
	CHECK(pcache_marked_pages() == 1);
	memcpy(host_frame_bytes_rw(fr) + 100, "MAPPED", 6);
	CHECK(rd(f, 2 * 4096 + 100, buf, 6) == 6 && memcmp(buf, "MAPPED", 6) == 0);
	host_frame_mapcount = 1; /* still mapped: written, stays marked */
	CHECK(pcache_writeback(f) == 0);
	CHECK(pcache_marked_pages() == 1);
	CHECK(pcache_reclaim(1000) == 0);
	host_frame_mapcount = 0;
	CHECK(pcache_writeback(f) == 0);
	CHECK(pcache_marked_pages() == 0);
	fw_frame_put(fr);
	CHECK(pcache_reclaim(1000) == 2);
	CHECK(pcache_pages() == 0);
	/* Read back from the blocks. */
	CHECK(rd(f, 2 * 4096 + 100, buf, 6) == 6 && memcmp(buf, "MAPPED", 6) == 0);
	CHECK(rd(f, 4096 + 10, buf, 5) == 5 && memcmp(buf, "WRITE", 5) == 0);

	/* Truncation: pages past the end go, marks with them; the page
	 * holding the end reads zero past it. */
	CHECK(ext2_get_page(f, 2, true, &fr) == 0);
	fw_frame_put(fr);
	CHECK(ext2_get_page(f, 0, false, &fr) == 0);
	calls = host_unmap_calls;
	CHECK(ext2_truncate(f, 100) == 0);
	CHECK(host_unmap_calls == calls + 1);
	CHECK(pcache_marked_pages() == 0);
	CHECK(host_frame_bytes(fr)[99] == pat(99, 21) && host_frame_bytes(fr)[100] == 0);
	fw_frame_put(fr);
	CHECK(pcache_writeback(f) == 0); /* drops the write-back reference */

	/* A hole mapped for writing gets a block; left marked, unmount
	 * writes it. */
	CHECK(ext2_truncate(f, 64 * 1024) == 0);
	CHECK(ext2_get_page(f, 10, true, &fr) == 0);
	host_frame_bytes_rw(fr)[7] = 'H';
	fw_frame_put(fr);
	inode_put(f);
	umount_fs(sb);
	CHECK(fsck(img) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	f = walk(sb, "p", &err);
	CHECK(f && rd(f, 10 * 4096 + 7, buf, 1) == 1 && buf[0] == 'H');
	CHECK(f && rd(f, 3 * 4096, buf, 8) == 8 && buf[0] == 0);
	inode_put(f);
	umount_fs(sb);
	CHECK(fsck(img) == 0);
}

/* More inodes than the cache keeps: the unused ones are pruned, and
 * everything still works and is written back. */
static void t_prune(void)
{
	const char *img = TMP "/prune.img";
	struct superblock *sb;
	struct inode *d, *f;
	char nm[32];
	int err;

	CHECK(sh("rm -f %s && mkfs.ext2 -q -F -b 1024 -N 4096 %s 8192k >/dev/null 2>&1", img, img) == 0);
	CHECK(ext2_mount(disk(img), false, &sb) == 0);
	CHECK(mk(sb->root, "d", S_IFDIR | 0755, &d) == 0);
	for (int i = 0; i < 3000; i++) {
		snprintf(nm, sizeof(nm), "f%d", i);
		CHECK(mk(d, nm, S_IFREG | 0644, &f) == 0);
		if (i % 100 == 0)
			CHECK(wr_pat(f, 0, 10, (unsigned)i, 10) == 0);
		inode_put(f);
	}
	CHECK(sb->ext2->nr_unused <= EXT2_UNUSED_MAX);
	inode_put(d);
	f = walk(sb, "d/f2900", &err);
	CHECK(f && f->size == 10 && rd_pat(f, 0, 10, 2900));
	inode_put(f);
	umount_fs(sb);
	CHECK(fsck(img) == 0);
}

/* remount read-only and back; two mounts share one superblock; a
 * directory cannot move below itself; a failing disk makes sync fail. */
static void t_misc(void)
{
	const char *img = TMP "/misc.img";
	struct superblock *sb, *sb2;
	struct inode *a, *b, *f;
	struct kname n1, n2;
	struct blkdev *d;

	CHECK(mkimg(img, 2048, NULL, 4096) == 0);
	d = disk(img);
	CHECK(ext2_mount(d, false, &sb) == 0);
	CHECK(ext2_mount(d, false, &sb2) == 0 && sb2 == sb);
	CHECK(ext2_mount(d, true, &sb2) == -EBUSY);
	sb->sops->umount(sb); /* the first of two mounts: nothing happens */
	CHECK(sb->root && sb->ext2->mounts == 1);
	CHECK(mk(sb->root, "a", S_IFDIR | 0755, &a) == 0 && mk(a, "b", S_IFDIR | 0755, &b) == 0);
	n1 = kn("a");
	n2 = kn("inside");
	CHECK(sb->root->iops->rename(sb->root, &n1, b, &n2, 0) == -EINVAL);
	CHECK(sb->sops->remount(sb, true) == 0 && sb->rdonly);
	CHECK(mk(sb->root, "x", S_IFREG | 0644, &f) == -EROFS);
	CHECK(sb->sops->remount(sb, false) == 0 && !sb->rdonly);
	CHECK(mk(sb->root, "x", S_IFREG | 0644, &f) == 0 && wr_pat(f, 0, 9000, 3, 9000) == 0);
	inode_put(f);
	inode_put(b);
	inode_put(a);
	CHECK(sb->sops->sync(sb) == 0);
	CHECK(fsck(img) == 0); /* synced while mounted is enough */
	CHECK(sh("dumpe2fs -h %s 2>/dev/null | grep -q 'state: *not clean$'", img) == 0);
	/* A failed write is reported once (bcache drops the data, as
	 * Linux marks the page clean with an error). */
	CHECK(mk(sb->root, "y", S_IFREG | 0644, &f) == 0);
	inode_put(f);
	host_disk_fail_writes(d, 1);
	host_log_clear();
	CHECK(sb->sops->sync(sb) == -EIO);
	host_disk_fail_writes(d, 0);
	CHECK(sb->sops->sync(sb) == 0);
	umount_fs(sb);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	TEST_SUITE("ext2");
	if (sh("command -v mkfs.ext2 >/dev/null && command -v e2fsck >/dev/null") != 0 &&
	    sh("test -x /usr/sbin/mkfs.ext2") != 0) {
		printf("FAIL ext2.setup: e2fsprogs (mkfs.ext2, e2fsck) not installed\n");
		return 1;
	}
	setenv("PATH", "/usr/sbin:/sbin:/usr/bin:/bin", 1);
	sh("mkdir -p " TMP);
	memset(long_target, 'l', 100);
	memcpy(long_target + 96, "/tgt", 4);
	host_verbose = getenv("EXT2_VERBOSE") != NULL;
	if (bcache_init() || pcache_init())
		return 1;
	RUN(t_read_1k);
	RUN(t_read_2k);
	RUN(t_read_4k);
	RUN(t_write_1k);
	RUN(t_write_2k);
	RUN(t_write_4k);
	RUN(t_ext4_read_1k);
	RUN(t_ext4_read_4k);
	RUN(t_ext4_write_1k);
	RUN(t_ext4_write_4k);
	RUN(t_ext4_tree);
	RUN(t_ext4_unwritten);
	RUN(t_ext4_bad_csum);
	RUN(t_enospc);
	RUN(t_rev0);
	RUN(t_no_features);
	RUN(t_readonly);
	RUN(t_large_file_feature);
	RUN(t_error_state);
	RUN(t_bad_magic);
	RUN(t_bad_features);
	RUN(t_bad_rec_len);
	RUN(t_bad_block_ptr);
	RUN(t_bad_inode);
	RUN(t_htree);
	RUN(t_dx_hash);
	RUN(t_htree_ext2_1k);
	RUN(t_htree_ext2_4k);
	RUN(t_htree_ext4_1k);
	RUN(t_htree_ext4_4k);
	RUN(t_htree_damage);
	RUN(t_htree_node_damage);
	RUN(t_htree_perf);
	RUN(t_get_page);
	RUN(t_pagecache);
	RUN(t_read_batch_1k);
	RUN(t_read_batch_4k);
	RUN(t_ext4_read_batch);
	RUN(t_prune);
	RUN(t_misc);
	RUN(t_random_damage);
	HARNESS_EXIT();
}
