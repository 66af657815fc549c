/* services/fs/ext2/dir.c: directory records.
 *
 * Layer: services (safe C), ext2, called with vfs_ns_lock held. A
 * directory is a file of blocks, each a chain of records (inode u32,
 * rec_len u16, name_len u8, file_type u8, name) whose rec_lens add up to
 * the block size; a deleted record is merged into its predecessor, or has
 * inode 0 when it is the first of its block (Linux fs/ext2/dir.c).
 * Every block is checked as a whole before it is used, as Linux's
 * ext2_check_page does: a rec_len that is too small, unaligned, too short
 * for its name or running past the block, or an inode number past the
 * end, makes the directory unreadable (-EIO, logged) instead of letting a
 * walk run off the block.
 *
 * Hash-indexed (dir_index) directories are searched and grown through
 * their index (htree.c); everything else reads them linearly, where index
 * blocks look like one empty record. With metadata_csum every leaf block
 * ends in a 12-byte tail record that holds its crc32c (checked on every
 * read, set on every change); index blocks carry their own (htree.c).
 *
 * readdir positions are byte offsets into the directory (Linux's f_pos);
 * a position inside a block after the block changed resumes at the first
 * record at or after it. */
#include <fw/log.h>
#include <fw/string.h>

#include "fs/ext2/ext2.h"

struct rec {
	uint32_t ino;
	uint32_t rec_len;
	uint32_t name_len;
	uint8_t type;
};

/* The record header at off, as it is (check_block judges it). */
static int rec_raw(struct fw_bytes b, size_t off, struct rec *r)
{
	uint16_t rl = 0;
	uint8_t nl = 0;

	if (fw_bytes_get_u32_le(b, off, &r->ino) ||
	    fw_bytes_get_u16_le(b, off + 4, &rl) ||
	    fw_bytes_get_u8(b, off + 6, &nl) ||
	    fw_bytes_get_u8(b, off + 7, &r->type))
		return -EINVAL;
	r->rec_len = rl;
	r->name_len = nl;
	return 0;
}

/* The record at off, for a walk: -EINVAL unless its rec_len moves the
 * walk forward inside the block. Every walk relies on this, not only on
 * check_block having passed when the block was read (a block's checked
 * mark outlives changes the driver did not make: writes to the raw
 * device), so a walk always ends. */
static int rec_at(struct fw_bytes b, size_t off, struct rec *r)
{
	if (rec_raw(b, off, r) || r->rec_len < EXT2_DIR_REC_LEN(1) || r->rec_len % 4 ||
	    r->rec_len > fw_bytes_len(b) - off)
		return -EINVAL;
	return 0;
}

/* Linux ext2_check_page for one block. */
static int check_block(struct inode *dir, uint64_t lblk, struct fw_bytes b)
{
	struct ext2_sb *s = EXT2_SB(dir);
	const char *why = NULL;
	size_t off = 0;
	struct rec r = { 0 };

	while (off < s->bs) {
		if (rec_raw(b, off, &r)) {
			why = "directory entry header past the block";
			break;
		}
		if (r.rec_len < EXT2_DIR_REC_LEN(1))
			why = "rec_len is smaller than minimal";
		else if (r.rec_len % 4)
			why = "unaligned directory entry";
		else if (r.rec_len < EXT2_DIR_REC_LEN(r.name_len))
			why = "rec_len is too small for name_len";
		else if (r.rec_len > s->bs - off)
			why = "directory entry across blocks";
		else if (r.ino > s->inodes_count)
			why = "inode out of bounds";
		if (why)
			break;
		off += r.rec_len;
	}
	if (!why)
		return 0;
	fw_warn("ext2 (%s): bad entry in directory #%llu: %s - offset=%llu, inode=%u, rec_len=%u, name_len=%u",
		s->dev->name, (unsigned long long)dir->ino, why,
		(unsigned long long)(lblk * s->bs + off), r.ino, r.rec_len,
		r.name_len);
	return -EIO;
}

/* Where the records of a block end (the checksum tail after them). */
static size_t dir_end(const struct ext2_sb *s)
{
	return s->has_csum ? s->bs - EXT2_DIR_TAIL : s->bs;
}

/* Is block lblk an htree index block (Linux __ext4_read_dirblock)? */
static bool is_dx_block(struct inode *dir, uint64_t lblk, struct fw_bytes b)
{
	struct rec r;

	if (!(dir->ext2->flags & EXT2_INDEX_FL))
		return false;
	return lblk == 0 ||
	       (!rec_at(b, 0, &r) && r.ino == 0 && r.rec_len == EXT2_SB(dir)->bs);
}

/* Does a leaf block end in a tail record with the right checksum? */
static bool tail_ok(struct inode *dir, struct fw_bytes b)
{
	struct ext2_sb *s = EXT2_SB(dir);
	struct rec r;

	if (rec_at(b, s->bs - EXT2_DIR_TAIL, &r) || r.ino != 0 ||
	    r.rec_len != EXT2_DIR_TAIL || r.name_len != 0 || r.type != EXT2_DIR_TAIL_FT)
		return false;
	return ext2_csum_tail_ok(dir->ext2->csum_seed, b, s->bs - EXT2_DIR_TAIL,
				 s->bs - EXT2_DIR_TAIL + 8);
}

/* Write the tail record of a block (metadata_csum) and mark it dirty. */
static void dir_dirty(struct inode *dir, struct bref *r)
{
	struct ext2_sb *s = EXT2_SB(dir);
	size_t t = s->bs - EXT2_DIR_TAIL;

	if (s->has_csum &&
	    !(fw_buf_put_u32_le(r->data, t, 0) | fw_buf_put_u16_le(r->data, t + 4, EXT2_DIR_TAIL) |
	      fw_buf_put_u8(r->data, t + 6, 0) | fw_buf_put_u8(r->data, t + 7, EXT2_DIR_TAIL_FT)))
		(void)ext2_csum_tail_set(dir->ext2->csum_seed, r->data, t, t + 8);
	bref_dirty(r);
}

/* Reference directory block lblk, checked (write: to change it). */
static int dir_get(struct inode *dir, uint64_t lblk, bool write, struct bref *r)
{
	struct ext2_sb *s = EXT2_SB(dir);
	uint32_t blk;
	int err = ext2_bmap(dir, lblk, false, &blk, NULL);

	if (err)
		return err;
	if (!blk)
		return ext2_corrupt(s, dir->ino, "hole in directory at block", lblk);
	err = write ? ext2_mget(s, blk, true, r) : bcache_get(s->dev, blk, s->bs, true, r);
	if (err)
		return err;
	if (bref_checked(r))
		return 0; /* checked whole since it was read */
	err = check_block(dir, lblk, fw_buf_as_bytes(r->data));
	if (!err && s->has_csum && !is_dx_block(dir, lblk, fw_buf_as_bytes(r->data)) &&
	    !tail_ok(dir, fw_buf_as_bytes(r->data)))
		err = ext2_corrupt(s, dir->ino, "directory block checksum invalid, block", lblk);
	if (!err && !is_dx_block(dir, lblk, fw_buf_as_bytes(r->data)))
		bref_set_checked(r);
	if (err)
		bref_put(r);
	return err;
}

/* Directory block lblk is about to change (a scan found room in it). */
static int dir_join(struct inode *dir, uint64_t lblk)
{
	struct ext2_sb *s = EXT2_SB(dir);
	uint32_t blk;
	struct bref r;
	int err = ext2_bmap(dir, lblk, false, &blk, NULL);

	if (!err && s->journal && blk && !(err = ext2_mget(s, blk, true, &r)))
		bref_put(&r); /* the transaction holds it */
	return err;
}

static uint64_t nblocks(struct inode *dir)
{
	return dir->size / EXT2_SB(dir)->bs;
}

static bool name_eq(struct fw_bytes b, size_t off, const struct rec *r,
		    const struct kname *name, size_t len)
{
	struct fw_bytes have, want;

	if (r->name_len != len)
		return false;
	if (fw_bytes_sub(b, off + EXT2_DIRENT_HDR, len, &have) ||
	    fw_bytes_sub(FW_BYTES_OF_ARRAY(name->s), 0, len, &want))
		return false;
	return fw_bytes_eq(have, want);
}

static uint8_t ftype(const struct ext2_sb *s, uint32_t mode)
{
	if (!(s->feat_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE))
		return EXT2_FT_UNKNOWN;
	switch (mode & S_IFMT) {
	case S_IFREG: return EXT2_FT_REG;
	case S_IFDIR: return EXT2_FT_DIR;
	case S_IFCHR: return EXT2_FT_CHR;
	case S_IFBLK: return EXT2_FT_BLK;
	case S_IFIFO: return EXT2_FT_FIFO;
	case S_IFSOCK: return EXT2_FT_SOCK;
	case S_IFLNK: return EXT2_FT_LNK;
	default: return EXT2_FT_UNKNOWN;
	}
}

static unsigned dtype(const struct ext2_sb *s, uint8_t ft)
{
	static const uint8_t map[8] = {
		DT_UNKNOWN, DT_REG, DT_DIR, DT_CHR, DT_BLK, DT_FIFO, DT_SOCK, DT_LNK,
	};

	if (!(s->feat_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE) || ft >= 8)
		return DT_UNKNOWN;
	return map[ft];
}

/* A change to the directory: times, inode written. Without dir_index an
 * index flag means nothing (e2fsck clears it): drop it. */
static int dir_changed(struct inode *dir)
{
	inode_touch(dir, false, true, true);
	if (!(EXT2_SB(dir)->feat_compat & EXT2_FEATURE_COMPAT_DIR_INDEX))
		dir->ext2->flags &= ~(uint32_t)EXT2_INDEX_FL;
	return ext2_write_inode(dir);
}

/* Look for name in block lb: 0 (and *ino, *loc), -ENOENT or -errno. */
int ext2_dir_find_in(struct inode *dir, uint64_t lb, const struct kname *name,
		     uint32_t *ino, struct ext2_dirloc *loc)
{
	struct ext2_sb *s = EXT2_SB(dir);
	size_t len = strnlen(name->s, sizeof(name->s)), prev = 0;
	struct bref r;
	struct rec rc;
	int err = dir_get(dir, lb, false, &r);

	if (err)
		return err;
	for (size_t off = 0; off < s->bs; prev = off, off += rc.rec_len) {
		if (rec_at(fw_buf_as_bytes(r.data), off, &rc))
			break;
		if (rc.ino && name_eq(fw_buf_as_bytes(r.data), off, &rc, name, len)) {
			*ino = rc.ino;
			if (loc) {
				loc->lblk = lb;
				loc->off = (uint32_t)off;
				loc->prev = (uint32_t)prev;
			}
			bref_put(&r);
			return 0;
		}
	}
	bref_put(&r);
	return -ENOENT;
}

int ext2_dir_find(struct inode *dir, const struct kname *name, uint32_t *ino,
		  struct ext2_dirloc *loc)
{
	/* "." and ".." live in the root block of an index, unhashed */
	bool dots = !strcmp(name->s, ".") || !strcmp(name->s, "..");

	if (ext2_dx_active(dir) && !dots)
		return ext2_dx_find(dir, name, ino, loc);
	for (uint64_t lb = 0; lb < nblocks(dir); lb++) {
		int err = ext2_dir_find_in(dir, lb, name, ino, loc);

		if (err != -ENOENT || dots)
			return err;
	}
	return -ENOENT;
}

static int put_rec(struct fw_buf b, size_t off, uint32_t ino, size_t rec_len,
		   const struct kname *name, size_t len, uint8_t ft)
{
	struct fw_bytes nm;
	int err = fw_buf_put_u32_le(b, off, ino) |
		  fw_buf_put_u16_le(b, off + 4, (uint16_t)rec_len) |
		  fw_buf_put_u8(b, off + 6, (uint8_t)len) |
		  fw_buf_put_u8(b, off + 7, ft);

	if (err)
		return -EIO;
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(name->s), 0, len, &nm) ||
	    fw_buf_copy_from(b, off + EXT2_DIRENT_HDR, nm))
		return -EIO;
	/* zero the padding after the name */
	if (fw_buf_fill(b, off + EXT2_DIRENT_HDR + len,
			EXT2_DIR_REC_LEN(len) - EXT2_DIRENT_HDR - len, 0))
		return -EIO;
	return 0;
}

/* Add a record to block lb if it has room: 0, -ENOSPC or -errno. */
int ext2_dir_add_in(struct inode *dir, uint64_t lb, const struct kname *name,
		    uint32_t ino, uint32_t mode)
{
	struct ext2_sb *s = EXT2_SB(dir);
	size_t len = strnlen(name->s, sizeof(name->s));
	size_t need = EXT2_DIR_REC_LEN(len);
	uint8_t ft = ftype(s, mode);
	struct bref r;
	struct rec rc;
	int err = dir_get(dir, lb, false, &r);

	if (err)
		return err;
	for (size_t off = 0; off < dir_end(s); off += rc.rec_len) {
		size_t used;

		if (rec_at(fw_buf_as_bytes(r.data), off, &rc))
			break;
		used = rc.ino ? EXT2_DIR_REC_LEN(rc.name_len) : 0;
		if (rc.rec_len < used + need)
			continue;
		/* the block joins the journal's transaction before it
		 * changes */
		err = dir_join(dir, lb);
		if (err) {
			bref_put(&r);
			return err;
		}
		if (used) {
			/* split: shrink this record, add after it */
			if (fw_buf_put_u16_le(r.data, off + 4, (uint16_t)used)) {
				err = -EIO;
			} else {
				err = put_rec(r.data, off + used, ino,
					      rc.rec_len - used, name, len, ft);
			}
		} else {
			err = put_rec(r.data, off, ino, rc.rec_len, name, len, ft);
		}
		dir_dirty(dir, &r);
		bref_put(&r);
		return err;
	}
	bref_put(&r);
	return -ENOSPC;
}

int ext2_dir_add(struct inode *dir, const struct kname *name, uint32_t ino,
		 uint32_t mode)
{
	struct ext2_sb *s = EXT2_SB(dir);
	size_t len = strnlen(name->s, sizeof(name->s));
	uint64_t lb;
	uint32_t blk;
	struct bref r;
	int err;

	if (len == 0 || len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	if (ext2_dx_active(dir)) {
		err = ext2_dx_add(dir, name, ino, mode);
		goto out_changed;
	}
	for (lb = 0; lb < nblocks(dir); lb++) {
		err = ext2_dir_add_in(dir, lb, name, ino, mode);
		if (err != -ENOSPC)
			return err ? err : dir_changed(dir);
		/* Linux ext4_add_entry: a full one-block directory gets an
		 * index instead of a second block */
		if (nblocks(dir) == 1 && (s->feat_compat & EXT2_FEATURE_COMPAT_DIR_INDEX)) {
			err = ext2_dx_make(dir);
			if (!err)
				err = ext2_dx_add(dir, name, ino, mode);
			goto out_changed;
		}
	}
	/* No room: a new block at the end. */
	err = ext2_bmap(dir, lb, true, &blk, NULL);
	if (err)
		return err;
	err = ext2_mget(s, blk, true, &r);
	if (err)
		return err;
	err = fw_buf_fill(r.data, 0, s->bs, 0);
	if (!err)
		err = put_rec(r.data, 0, ino, dir_end(s), name, len, ftype(s, mode));
	dir_dirty(dir, &r);
	bref_put(&r);
	if (err)
		return err;
	dir->size += s->bs;
	return dir_changed(dir);
out_changed:
	/* the index code may have grown the directory before failing */
	len = (size_t)dir_changed(dir);
	return err ? err : (int)len;
}

int ext2_dir_del(struct inode *dir, const struct ext2_dirloc *loc)
{
	struct bref r;
	struct rec prev, rc;
	int err = dir_get(dir, loc->lblk, true, &r);

	if (err)
		return err;
	err = rec_at(fw_buf_as_bytes(r.data), loc->off, &rc);
	if (!err && loc->prev != loc->off) {
		err = rec_at(fw_buf_as_bytes(r.data), loc->prev, &prev);
		if (!err && loc->prev + prev.rec_len != loc->off)
			err = -EIO;
		if (!err)
			err = fw_buf_put_u16_le(r.data, loc->prev + 4,
						(uint16_t)(prev.rec_len + rc.rec_len));
	}
	if (!err)
		err = fw_buf_put_u32_le(r.data, loc->off, 0);
	if (!err)
		dir_dirty(dir, &r);
	bref_put(&r);
	if (err)
		return -EIO;
	return dir_changed(dir);
}

int ext2_dir_set(struct inode *dir, const struct ext2_dirloc *loc,
		 uint32_t ino, uint32_t mode)
{
	struct ext2_sb *s = EXT2_SB(dir);
	struct bref r;
	int err = dir_get(dir, loc->lblk, true, &r);

	if (err)
		return err;
	err = fw_buf_put_u32_le(r.data, loc->off, ino) |
	      fw_buf_put_u8(r.data, loc->off + 7, ftype(s, mode));
	if (!err)
		dir_dirty(dir, &r);
	bref_put(&r);
	if (err)
		return -EIO;
	return dir_changed(dir);
}

int ext2_dir_init(struct inode *dir, uint32_t parent)
{
	struct ext2_sb *s = EXT2_SB(dir);
	static const struct kname dot = { "." }, dotdot = { ".." };
	uint32_t blk;
	struct bref r;
	int err = ext2_bmap(dir, 0, true, &blk, NULL);

	if (err)
		return err;
	err = ext2_mget(s, blk, true, &r);
	if (err)
		return err;
	err = fw_buf_fill(r.data, 0, s->bs, 0);
	if (!err)
		err = put_rec(r.data, 0, (uint32_t)dir->ino, 12, &dot, 1,
			      ftype(s, S_IFDIR));
	if (!err)
		err = put_rec(r.data, 12, parent, dir_end(s) - 12, &dotdot, 2,
			      ftype(s, S_IFDIR));
	dir_dirty(dir, &r);
	bref_put(&r);
	if (err)
		return err;
	dir->size = s->bs;
	return ext2_write_inode(dir);
}

int ext2_dir_set_dotdot(struct inode *dir, uint32_t parent)
{
	static const struct kname dotdot = { ".." };
	struct ext2_sb *s = EXT2_SB(dir);
	struct ext2_dirloc loc = { 0, 0, 0 };
	struct bref r;
	struct rec rc;
	int err = dir_get(dir, 0, false, &r);

	if (err)
		return err;
	err = rec_at(fw_buf_as_bytes(r.data), 0, &rc);
	if (!err) {
		loc.off = rc.rec_len;
		loc.prev = 0;
		err = rec_at(fw_buf_as_bytes(r.data), loc.off, &rc);
	}
	if (!err && !name_eq(fw_buf_as_bytes(r.data), loc.off, &rc, &dotdot, 2))
		err = ext2_corrupt(s, dir->ino, "directory has no \"..\" entry", 0);
	bref_put(&r);
	if (err)
		return err;
	return ext2_dir_set(dir, &loc, parent, S_IFDIR);
}

bool ext2_dir_empty(struct inode *dir)
{
	struct ext2_sb *s = EXT2_SB(dir);

	for (uint64_t lb = 0; lb < nblocks(dir); lb++) {
		struct bref r;
		struct rec rc;

		if (dir_get(dir, lb, false, &r))
			return false;
		for (size_t off = 0; off < s->bs; off += rc.rec_len) {
			if (rec_at(fw_buf_as_bytes(r.data), off, &rc))
				break;
			if (!rc.ino)
				continue;
			if (rc.name_len > 2 || rc.name_len == 0 ||
			    (rc.name_len == 1 && rc.ino != dir->ino)) {
				bref_put(&r);
				return false;
			}
			if (rc.name_len <= 2) {
				uint8_t c0 = 0, c1 = '.';

				if (fw_bytes_get_u8(fw_buf_as_bytes(r.data), off + 8, &c0) ||
				    (rc.name_len == 2 &&
				     fw_bytes_get_u8(fw_buf_as_bytes(r.data), off + 9, &c1)) ||
				    c0 != '.' || c1 != '.') {
					bref_put(&r);
					return false;
				}
			}
		}
		bref_put(&r);
	}
	return true;
}

static void rec_name(struct fw_bytes b, size_t off, const struct rec *rc,
		     struct kname *out)
{
	struct fw_bytes nm;

	out->s[0] = 0;
	if (fw_bytes_sub(b, off + EXT2_DIRENT_HDR, rc->name_len, &nm) ||
	    fw_buf_copy_from(FW_BUF_OF_ARRAY(out->s), 0, nm))
		return;
	out->s[rc->name_len] = 0;
}

int ext2_iterate(struct inode *dir, uint64_t *pos, struct dir_ctx *ctx)
{
	struct ext2_sb *s = EXT2_SB(dir);

	while (*pos < dir->size) {
		uint64_t lb = *pos / s->bs;
		size_t start = (size_t)(*pos % s->bs);
		struct bref r;
		struct rec rc;
		struct kname name;
		int err = dir_get(dir, lb, false, &r);

		if (err)
			return err;
		for (size_t off = 0; off < s->bs; off += rc.rec_len) {
			if (rec_at(fw_buf_as_bytes(r.data), off, &rc))
				break;
			if (off < start || !rc.ino)
				continue;
			rec_name(fw_buf_as_bytes(r.data), off, &rc, &name);
			if (!ctx->emit(ctx, &name, rc.ino, dtype(s, rc.type),
				       lb * s->bs + off + rc.rec_len)) {
				*pos = lb * s->bs + off;
				bref_put(&r);
				return ctx->err;
			}
		}
		bref_put(&r);
		*pos = (lb + 1) * s->bs;
	}
	return 0;
}

int ext2_name_of(struct inode *dir, struct inode *child, struct kname *out)
{
	struct ext2_sb *s = EXT2_SB(dir);

	for (uint64_t lb = 0; lb < nblocks(dir); lb++) {
		struct bref r;
		struct rec rc;

		if (dir_get(dir, lb, false, &r))
			return -EIO;
		for (size_t off = 0; off < s->bs; off += rc.rec_len) {
			if (rec_at(fw_buf_as_bytes(r.data), off, &rc))
				break;
			if (rc.ino != child->ino || rc.ino == dir->ino)
				continue;
			rec_name(fw_buf_as_bytes(r.data), off, &rc, out);
			if (strcmp(out->s, "..") == 0 || strcmp(out->s, ".") == 0)
				continue;
			bref_put(&r);
			return 0;
		}
		bref_put(&r);
	}
	return -ENOENT;
}

/* For htree.c, which reads and changes the same blocks. */
int ext2_dir_get(struct inode *dir, uint64_t lblk, bool write, struct bref *r)
{
	return dir_get(dir, lblk, write, r);
}

void ext2_dir_dirty(struct inode *dir, struct bref *r)
{
	dir_dirty(dir, r);
}
