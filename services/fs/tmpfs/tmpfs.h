/* services/fs/tmpfs/tmpfs.h: the in-memory file system (root, /dev, /tmp).
 *
 * Layer: services (safe C), a file system under the VFS. Directories are
 * lists of entries; regular file data lives in user-mappable frames, one
 * per 4 KiB page, in a two-level table (holes are absent pages and read as
 * zeros), so file pages can later be mapped into processes as they are.
 *
 * Folder services/fs/tmpfs: tmpfs (/, /dev as devtmpfs, mount -t
 * tmpfs), directories and page-backed files; FIFOs hang pipe/ off an
 * inode. Calls the VFS core. */
#ifndef SERVICES_FS_TMPFS_H
#define SERVICES_FS_TMPFS_H

#include <fw/frame.h>

#include "fs/vfs/vfs.h"

#define TMPFS_LEAF_PAGES 512
#define TMPFS_LEAVES 512
/* 512 * 512 pages of 4 KiB: 1 GiB per file. */
#define TMPFS_MAX_FILE_SIZE ((uint64_t)TMPFS_LEAF_PAGES * TMPFS_LEAVES * FW_PAGE_SIZE)

struct tmpfs_leaf {
	struct fw_frame *pg[TMPFS_LEAF_PAGES];	/* page i of this leaf, or NULL */
};

struct tmpfs_pages {
	struct tmpfs_leaf *leaf[TMPFS_LEAVES];	/* leaf j, or NULL */
};

struct tmpfs_dirent {
	struct fw_list node;		/* on dir->dirents, in cookie order */
	struct kname name;		/* the entry's name */
	uint32_t hash;			/* kname_hash(&name), compared first */
	struct inode *inode;		/* what it names; one reference */
	uint64_t cookie;		/* readdir position (stable, unique) */
	struct fw_list hnode;		/* on the directory's index, if any */
};

/* dindex.c: a directory past TMPFS_DINDEX_MIN entries gets a hash index
 * of them (tmpfs's own directories; vfs_ns_lock held). */
#define TMPFS_DINDEX_MIN 32
#define TMPFS_DINDEX_BUCKETS 1024
/* The entry named name (hash: kname_hash of it) of an indexed dir. */
struct tmpfs_dirent *tmpfs_dindex_find(struct inode *dir,
				       const struct kname *name, uint32_t hash);
/* Index dir's entries; without memory it stays unindexed. */
void tmpfs_dindex_build(struct inode *dir);
/* d was added to dir's list / is leaving its directory's list. */
void tmpfs_dindex_add(struct inode *dir, struct tmpfs_dirent *d);
void tmpfs_dindex_del(struct tmpfs_dirent *d);
void tmpfs_dindex_free(struct inode *dir);

extern const struct inode_ops tmpfs_iops;
extern const struct file_ops tmpfs_file_ops;
extern const struct file_ops tmpfs_dir_ops;

/* A new tmpfs superblock whose root directory has the given mode; NULL
 * if out of memory. dev is its st_dev. */
struct superblock *tmpfs_create(uint32_t dev, uint32_t root_mode);
/* mount(2) data for a tmpfs ("size=10%,mode=755"): parsed first (0 or
 * -EINVAL), applied to the new file system once it exists. */
struct mount_data;
struct tmpfs_opts {
	bool has_size, has_mode, has_uid, has_gid;
	uint64_t pages;
	uint32_t mode, uid, gid;
};
int tmpfs_parse_options(const struct mount_data *d, struct tmpfs_opts *o);
void tmpfs_apply_options(struct superblock *sb, const struct tmpfs_opts *o);
/* An inode of dir's file system that no directory names (memfd_create):
 * one reference, nlink 0; NULL if out of memory. */
struct cred;
struct inode *tmpfs_new_unlinked(struct inode *dir, uint32_t mode,
				 const struct cred *c);
/* memfd.c: Linux's shmem_zero_setup: the file behind a shared anonymous
 * mapping, an unlinked tmpfs file of `size` bytes shown as "/dev/zero
 * (deleted)", whose pages are made on first touch and shared through
 * fork by the file. 0 or -ENOMEM. */
FW_MUST_CHECK int tmpfs_shmem_file(uint64_t size, struct file **out);
/* memfd.c: the seals of a tmpfs file (fcntl F_GET_SEALS) or -EINVAL for
 * another file; add seals (F_ADD_SEALS): 0 or -errno. */
long tmpfs_get_seals(struct file *f);
long tmpfs_add_seals(struct file *f, uint64_t seals);
/* Free an inode's private parts (pages, link, parent ref, pipe). */
void tmpfs_evict(struct inode *ino);
/* export.c: file handles. Enter a new inode in the index (and give it a
 * generation); take it out (tmpfs_evict); find sb's inode nr with
 * generation gen, referenced: 0, or -ESTALE if it is gone. */
void tmpfs_export_add(struct inode *ino);
void tmpfs_export_del(struct inode *ino);
FW_MUST_CHECK int tmpfs_export_find(struct superblock *sb, uint64_t nr,
				    uint32_t gen, struct inode **out);
/* Set the file operations a new inode of this mode gets. */
void tmpfs_set_fops(struct inode *ino);
int tmpfs_name_of(struct inode *dir, struct inode *child, struct kname *out);

/* The directory entry list (inode->dirents) as tmpfs keeps it, for other
 * in-memory trees (sysfs): look a name up (a new reference in *out, or
 * -ENOENT), list the entries (iops->iterate), link ino into dir under name
 * (the entry takes a new reference; 0 or -ENOMEM). */
int tmpfs_dir_lookup(struct inode *dir, const struct kname *name,
		     struct inode **out);
int tmpfs_dir_iterate(struct inode *dir, uint64_t *pos, struct dir_ctx *ctx);
FW_MUST_CHECK int tmpfs_dir_add(struct inode *dir, const struct kname *name,
				struct inode *ino);

/* Data access for the VFS entry points (tmpfs_file.c). */
long tmpfs_read_kernel(struct inode *ino, uint64_t off, struct fw_buf dst);
FW_MUST_CHECK int tmpfs_write_kernel(struct inode *ino, uint64_t off,
				     struct fw_bytes src);
FW_MUST_CHECK int tmpfs_get_page(struct inode *ino, uint64_t pgoff,
				 bool alloc, struct fw_frame **out);
/* The page pgoff if it exists and the inode is not busy (never waits:
 * callable under mm->lock), referenced; else -ENOENT. */
FW_MUST_CHECK int tmpfs_page_peek(struct inode *ino, uint64_t pgoff,
				  struct fw_frame **out);
int tmpfs_truncate(struct inode *ino, uint64_t size);
FW_MUST_CHECK int tmpfs_fallocate(struct inode *ino, int mode, uint64_t off,
				  uint64_t len);

#endif
