/* services/fs/tmpfs/export.c: tmpfs file handles (Linux mm/shmem.c's
 * shmem_encode_fh / shmem_fh_to_dentry).
 *
 * Layer: services (safe C), a file system under the VFS.
 *
 * A tmpfs inode lives only in memory, so a handle can only name one that
 * still exists: an index from (superblock, inode number) to the inode
 * finds it, as Linux's ilookup5 on the inode hash does. Every inode of a
 * tmpfs instance is entered when it is created (tmpfs_create, new_inode)
 * and taken out when its last reference goes (tmpfs_evict): after that,
 * its handle is stale. Inode numbers come from the superblock's 64-bit
 * counter and are never reused within an instance; the random generation
 * (Linux's i_generation) tells apart an instance's inodes from another
 * boot's or another instance's with the same number.
 *
 * Lock: export_lock, a spinlock, a leaf lock (taken by tmpfs_evict from
 * any inode_put, never while sleeping). */
#include <fw/cpu.h>
#include <fw/time.h>

#include "fs/tmpfs/tmpfs.h"

#define EXPORT_BUCKETS 1024u

static struct fw_spinlock export_lock = FW_SPINLOCK_INIT("tmpfs-export");
/* export_lock */
static struct fw_list export_hash[EXPORT_BUCKETS];
static bool export_ready;
static uint64_t export_seed;

static unsigned bucket_of(const struct superblock *sb, uint64_t ino)
{
	uint64_t h = (ino ^ ((uint64_t)sb->dev << 40)) * 0x9E3779B97F4A7C15ull;

	return (unsigned)(h >> 54) % EXPORT_BUCKETS;
}

static void export_init_locked(void) FW_REQUIRES(&export_lock)
{
	if (export_ready)
		return;
	for (unsigned i = 0; i < EXPORT_BUCKETS; i++)
		fw_list_init(&export_hash[i]);
	if (fw_cpu_random(&export_seed))
		export_seed = fw_time_ns();
	export_ready = true;
}

/* A new generation: splitmix64 over a seed taken once from the CPU's
 * random numbers (or the clock), cheap enough for every inode creation
 * under the spinlock. Only a guard against stale handles, not a secret. */
static uint32_t new_generation(void) FW_REQUIRES(&export_lock)
{
	uint64_t z;

	export_seed += 0x9E3779B97F4A7C15ull;
	z = export_seed;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return (uint32_t)(z ^ (z >> 31));
}

void tmpfs_export_add(struct inode *ino)
{
	fw_spin_lock(&export_lock);
	export_init_locked();
	ino->generation = new_generation();
	fw_list_add_tail(&export_hash[bucket_of(ino->sb, ino->ino)],
			 &ino->export_node);
	fw_spin_unlock(&export_lock);
}

void tmpfs_export_del(struct inode *ino)
{
	fw_spin_lock(&export_lock);
	if (!fw_list_empty(&ino->export_node)) {
		fw_list_del(&ino->export_node);
		fw_list_init(&ino->export_node);
	}
	fw_spin_unlock(&export_lock);
}

int tmpfs_export_find(struct superblock *sb, uint64_t nr, uint32_t gen,
		      struct inode **out)
{
	struct inode *ino;
	int err = -ESTALE;

	fw_spin_lock(&export_lock);
	export_init_locked();
	FW_LIST_FOR_EACH(ino, &export_hash[bucket_of(sb, nr)], export_node) {
		int refs;

		if (ino->sb != sb || ino->ino != nr || ino->generation != gen)
			continue;
		/* Take a reference unless the last one is already gone (the
		 * inode is on its way to tmpfs_evict, which will unhash it). */
		refs = atomic_load(&ino->refs);
		while (refs > 0 &&
		       !atomic_compare_exchange_weak(&ino->refs, &refs, refs + 1))
			;
		if (refs > 0) {
			*out = ino;
			err = 0;
		}
		break;
	}
	fw_spin_unlock(&export_lock);
	return err;
}
