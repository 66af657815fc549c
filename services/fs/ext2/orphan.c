/* services/fs/ext2/orphan.c: the orphan list: files that lost their last
 * name while still open.
 *
 * Layer: services (safe C), ext2. Such a file keeps its blocks until its
 * last user closes it (POSIX); if the machine stops first, nothing names
 * it any more and its blocks would be lost (e2fsck: "deleted inode has
 * zero dtime"). As Linux ext3/ext4 do, the superblock's s_last_orphan
 * names the first such inode and each one's i_dtime the next, so the next
 * read-write mount deletes them (ext4_orphan_cleanup). With a journal
 * the list changes in the same transaction as the unlink and the delete,
 * so it is right after any power cut. The list is kept in memory too,
 * in the disk's order (every orphan is in use, so cached), for unlinking
 * from the middle.
 *
 * Locking: s->orphan_lock guards the list and s_last_orphan; it is taken
 * before s->lock (ext2_write_inode) and inside the caller's handle. */
#include <fw/log.h>

#include "fs/ext2/ext2.h"

/* Point s_last_orphan at ino (0: the list is empty). orphan_lock held. */
static int set_head(struct ext2_sb *s, uint32_t ino)
{
	struct bref r;
	int err;

	fw_mutex_lock(&s->lock);
	err = ext2_sb_get(s, &r);
	if (!err) {
		err = fw_buf_put_u32_le(r.data, SB_LAST_ORPHAN, ino) ? -EIO : 0;
		if (!err)
			ext2_sb_dirty(s, &r);
		bref_put(&r);
	}
	fw_mutex_unlock(&s->lock);
	return err;
}

void ext2_orphan_add(struct inode *ino)
{
	struct ext2_sb *s = EXT2_SB(ino);
	struct ext2_inode_info *ei = ino->ext2, *first;

	/* The last user is the caller itself: the inode goes at once. */
	if (ei->on_orphan || ino->nlink || atomic_load(&ino->refs) <= 1)
		return;
	fw_mutex_lock(&s->orphan_lock);
	first = fw_list_empty(&s->orphans) ? NULL
		: FW_LIST_FIRST(&s->orphans, struct ext2_inode_info, orphan);
	ei->dtime = first ? (uint32_t)first->vfs->ino : 0;
	if (set_head(s, (uint32_t)ino->ino) == 0) {
		fw_list_add_head(&s->orphans, &ei->orphan);
		ei->on_orphan = true;
	} else {
		ei->dtime = 0;
		fw_warn("ext2 (%s): inode %llu: not put on the orphan list",
			s->dev->name, (unsigned long long)ino->ino);
	}
	fw_mutex_unlock(&s->orphan_lock);
}

void ext2_orphan_del(struct inode *ino)
{
	struct ext2_sb *s = EXT2_SB(ino);
	struct ext2_inode_info *ei = ino->ext2, *it, *prev = NULL;
	int err = 0;

	if (!ei->on_orphan)
		return;
	fw_mutex_lock(&s->orphan_lock);
	FW_LIST_FOR_EACH(it, &s->orphans, orphan) {
		if (it == ei)
			break;
		prev = it;
	}
	if (prev) {
		prev->dtime = ei->dtime;
		err = ext2_write_inode(prev->vfs);
	} else {
		err = set_head(s, ei->dtime);
	}
	if (err)
		fw_warn("ext2 (%s): inode %llu: orphan list not updated (%d)",
			s->dev->name, (unsigned long long)ino->ino, err);
	fw_list_del(&ei->orphan);
	ei->on_orphan = false;
	ei->dtime = 0;
	fw_mutex_unlock(&s->orphan_lock);
}

int ext2_orphan_cleanup(struct ext2_sb *s)
{
	uint32_t head = 0, done = 0;
	struct bref r;
	int err;

	if (s->rdonly)
		return 0; /* left for a read-write mount (or e2fsck) */
	err = bcache_get(s->dev, 1, EXT2_SB_SIZE, true, &r);
	if (err)
		return err;
	if (fw_bytes_get_u32_le(fw_buf_as_bytes(r.data), SB_LAST_ORPHAN, &head))
		head = 0;
	bref_put(&r);
	/* Bounded: a chain longer than the inode table loops. */
	while (head && done < s->inodes_count) {
		struct inode *ino;
		uint32_t next;

		ext2_jstart(s);
		s->orphan_cleanup = true;
		err = ext2_iget(s, head, &ino);
		s->orphan_cleanup = false;
		if (err) {
			ext2_jstop(s);
			break;
		}
		next = ino->ext2->dtime;
		fw_mutex_lock(&s->orphan_lock);
		err = set_head(s, next);
		fw_mutex_unlock(&s->orphan_lock);
		if (ino->nlink) {
			/* not deleted after all (Linux would finish a
			 * truncation here; this driver orphans only
			 * unlinked files): just off the list */
			ino->ext2->dtime = 0;
			err = ext2_write_inode(ino);
		}
		inode_put(ino); /* no links: deleted now */
		ext2_jstop(s);
		if (err)
			break;
		head = next;
		done++;
	}
	if (done)
		fw_info("ext2 (%s): orphan cleanup: %u inodes deleted or released",
			s->dev->name, done);
	if (head && !err)
		return ext2_corrupt(s, head, "orphan list loops", done);
	return err;
}
