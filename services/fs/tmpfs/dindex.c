/* services/fs/tmpfs/dindex.c: the name index of a large tmpfs directory.
 *
 * Layer: services (safe C), tmpfs name space; vfs_ns_lock held. A
 * directory's entries are a list in creation order, which is readdir's
 * order. Looking a name up walked that list, so in a directory of n
 * entries every lookup, create, unlink and rename compared up to n names:
 * stress-ng's chdir stressor (8,192 directories side by side) spent 60 %
 * of its kernel time there. A directory that grows past TMPFS_DINDEX_MIN
 * entries gets an index of them hashed by name, as Linux hashes names in
 * its dentry cache (one index per directory here, so it goes with the
 * directory). Without memory for one, the directory stays a list. */
#include <fw/heap.h>
#include <fw/string.h>

#include "fs/tmpfs/tmpfs.h"

struct tmpfs_dindex {
	struct fw_list bucket[TMPFS_DINDEX_BUCKETS];
};

static struct fw_list *bucket_of(struct tmpfs_dindex *x, uint32_t hash)
{
	return &x->bucket[hash % TMPFS_DINDEX_BUCKETS];
}

struct tmpfs_dirent *tmpfs_dindex_find(struct inode *dir,
				       const struct kname *name, uint32_t hash)
{
	struct tmpfs_dirent *d;

	FW_LIST_FOR_EACH(d, bucket_of(dir->dindex, hash), hnode)
		if (d->hash == hash && strcmp(d->name.s, name->s) == 0)
			return d;
	return NULL;
}

void tmpfs_dindex_build(struct inode *dir)
{
	struct tmpfs_dindex *x = FW_NEW(struct tmpfs_dindex);
	struct tmpfs_dirent *d;

	if (!x)
		return;
	for (unsigned i = 0; i < TMPFS_DINDEX_BUCKETS; i++)
		fw_list_init(&x->bucket[i]);
	FW_LIST_FOR_EACH(d, &dir->dirents, node)
		fw_list_add_tail(bucket_of(x, d->hash), &d->hnode);
	dir->dindex = x;
}

void tmpfs_dindex_add(struct inode *dir, struct tmpfs_dirent *d)
{
	if (dir->dindex)
		fw_list_add_tail(bucket_of(dir->dindex, d->hash), &d->hnode);
}

void tmpfs_dindex_del(struct tmpfs_dirent *d)
{
	if (d->hnode.next)
		fw_list_del(&d->hnode);
}

void tmpfs_dindex_free(struct inode *dir)
{
	fw_free(dir->dindex);
	dir->dindex = NULL;
}
