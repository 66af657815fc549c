/* tests/fuzz/ext2_fuzz.c: libFuzzer target for the ext2 parsers.
 *
 * Layer: host fuzzing of services/fs/ext2 (superblock and descriptor
 * checks, inode parsing, block maps, directory records, symlinks) with the
 * real block cache over a disk in memory. The input is a whole disk image
 * (seeded by tests/fuzz/run.sh with small mkfs.ext2 images); each run
 * mounts it, walks the tree reading every file, directory and symlink,
 * then creates, writes and removes a file and a directory, renames, and
 * unmounts. Any crash, sanitizer report, leak or hang is a bug: a corrupt
 * image may only give errors. Built and run by tests/fuzz/run.sh. */
#include "fs/ext2/ext2.h"
#include "current/current.h" /* struct cred */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/fw_host_ext2.h"

static const struct cred root_cred;
static struct blkdev disk;
static struct kpath kp;

struct seen {
	int count;
	struct kname names[32];
};

static bool collect(struct dir_ctx *ctx, const struct kname *name,
		    uint64_t ino, unsigned dtype, uint64_t next)
{
	struct seen *s = (struct seen *)(uintptr_t)ctx->buf.addr;

	(void)ino;
	(void)dtype;
	(void)next;
	if (s->count < 32)
		s->names[s->count++] = *name;
	return s->count < 32;
}

static void explore(struct inode *dir, int depth)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct dir_ctx ctx = { .emit = collect };
	uint64_t pos = 0;
	uint8_t buf[1024];

	ctx.buf = fw_uptr((uint64_t)(uintptr_t)s);
	if (depth > 4 || dir->iops->iterate(dir, &pos, &ctx)) {
		free(s);
		return;
	}
	for (int i = 0; i < s->count; i++) {
		struct inode *c;
		struct file f;
		uint64_t off = 0;

		if (!strcmp(s->names[i].s, ".") || !strcmp(s->names[i].s, "..") ||
		    !s->names[i].s[0])
			continue;
		if (dir->iops->lookup(dir, &s->names[i], &c))
			continue;
		memset(&f, 0, sizeof(f));
		f.path.inode = c;
		if (S_ISREG(c->mode)) {
			for (int k = 0; k < 8 && off < c->size; k++)
				if (c->fops->read(&f, fw_uptr((uint64_t)(uintptr_t)buf),
						  sizeof(buf), &off) <= 0)
					break;
		} else if (S_ISLNK(c->mode)) {
			(void)c->iops->readlink(c, &kp);
		} else if (S_ISDIR(c->mode) && c != dir) {
			explore(c, depth + 1);
		}
		inode_put(c);
	}
	free(s);
	/* Names added to and removed from every subdirectory: an indexed
	 * one (the seed-dx images) splits leaves and nodes of a mutated index. */
	for (int k = 0; depth > 0 && k < 48; k++) {
		struct kname n;
		struct inode *c;

		memset(&n, 0, sizeof(n));
		snprintf(n.s, sizeof(n.s), "fuzz_added_name_number_%d", k);
		if (dir->iops->create(dir, &n, S_IFREG | 0644, 0, &root_cred, &c))
			break;
		inode_put(c);
		if (k % 3 == 0)
			(void)dir->iops->unlink(dir, &n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static bool ready;
	struct superblock *sb;
	struct inode *f, *d;
	uint8_t *img;
	size_t n = len / 512 * 512;

	if (!ready) {
		if (bcache_init() || pcache_init())
			abort();
		ready = true;
	}
	if (n < 4096 || n > (4u << 20))
		return 0;
	img = malloc(n);
	memcpy(img, data, n);
	if (host_disk_open_mem(&disk, img, n, "fuzz"))
		abort();
	if (ext2_mount(&disk, false, &sb) == 0) {
		struct kname a = { "fuzz_file" }, b = { "fuzz_dir" }, c = { "renamed" };
		struct file fl;
		uint64_t off = 0;

		explore(sb->root, 0);
		if (sb->root->iops->create(sb->root, &a, S_IFREG | 0644, 0, &root_cred, &f) == 0) {
			memset(&fl, 0, sizeof(fl));
			fl.path.inode = f;
			(void)f->fops->write(&fl, fw_uptr((uint64_t)(uintptr_t)data), len < 20000 ? len : 20000, &off);
			/* A page written through a shared mapping: write-back
			 * now, and the one left marked at unmount. */
			for (uint64_t pg = 0; pg < 2; pg++) {
				struct fw_frame *fr;

				if (f->iops->get_page(f, pg, true, &fr) == 0) {
					host_frame_bytes_rw(fr)[7] ^= 0x5a;
					fw_frame_put(fr);
				}
				if (pg == 0)
					(void)pcache_writeback(f);
			}
			(void)f->iops->truncate(f, 100);
			inode_put(f);
		}
		if (sb->root->iops->create(sb->root, &b, S_IFDIR | 0755, 0, &root_cred, &d) == 0) {
			(void)sb->root->iops->rename(sb->root, &a, d, &c, 0);
			(void)d->iops->unlink(d, &c);
			inode_put(d);
			(void)sb->root->iops->unlink(sb->root, &b);
		}
		(void)sb->root->iops->unlink(sb->root, &a);
		sb->sops->umount(sb);
		if (host_live_inodes != 0) {
			fprintf(stderr, "fuzz: %ld inodes left after unmount\n", host_live_inodes);
			abort();
		}
	}
	bcache_drop_clean(&disk);
	host_disk_close(&disk);
	free(img);
	return 0;
}
