/* services/fs/jbd2/journal.c: journaling ext3/ext4's metadata through its
 * jbd2 journal, so a power cut at any instant leaves a file system that
 * the next mount's replay (recovery.c) makes consistent.
 *
 * Layer: services (safe C), a helper of ext2 (sees only ext2.h).
 *
 * The model is Linux jbd2's in ordered mode, kept simple:
 *  - Every operation that changes metadata runs inside a handle
 *    (ext2_jstart/ext2_jstop, nestable per task). A metadata block is
 *    taken for writing with ext2_mget, which puts it in the running
 *    transaction and pins its cache unit: write-back leaves it alone, so
 *    the disk never sees a half-done operation at the block's home.
 *  - A commit (every JOURNAL_COMMIT_NS, when the transaction grows past a
 *    quarter of the log, on fsync/sync/unmount) waits until no handle is
 *    open, then, holding s->lock: writes a descriptor block and a copy of
 *    every transaction block to the log, with all other dirty blocks
 *    (file data: ordered mode), and flushes; writes the commit block and
 *    flushes (the transaction is durable now);
 *    unpins the blocks, writes them home and flushes; and marks the log
 *    empty again in the journal superblock. Checkpointing every commit
 *    this way means the log never holds an old transaction whose blocks
 *    may since have become file data, so no revoke records are needed.
 *  - The file system says needs_recovery while mounted read-write, as
 *    Linux's does; a crash leaves at most one committed transaction in
 *    the log, which recovery.c replays.
 * With blocks smaller than the cache's 4 KiB unit, file data in a unit
 * that also holds a pinned metadata block reaches the disk with the
 * checkpoint rather than before the commit (ordering is per unit).
 *
 * Locking: j->lock guards the handle count, the holders and the
 * transaction list; it is taken inside s->lock (ext2_mget runs under it)
 * and never held while waiting. A handle must be started after the
 * caller's vfs_ns_lock or inode->lock, never before (Linux: i_rwsem
 * before the journal), since a commit waits for every open handle. */
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/task.h>
#include <fw/time.h>

#include "fs/ext2/ext2.h"
#include "fs/jbd2/jbd2.h"

#define JOURNAL_COMMIT_NS (5ull * 1000000000ull)	/* Linux's commit=5 */
#define JOURNAL_RUNS 32		/* extents of the journal file we map */
#define JOURNAL_HOLDERS 64	/* tasks inside a handle at once */
#define JTX_BUCKETS 64

/* A run of the journal file: journal blocks [lblk, lblk+len) at pblk. */
struct jrun {
	uint32_t lblk, pblk, len;
};

/* A task inside a handle, and how deeply nested. */
struct jholder {
	struct fw_task *task;
	unsigned depth;
};

/* A block of the running transaction: pinned, referenced. */
struct jblock {
	struct fw_list node;		/* j->tx, in order of first use */
	struct fw_list hnode;		/* j->hash[blk % JTX_BUCKETS] */
	uint32_t blk;
	struct bref r;
};

struct ext2_journal {
	struct ext2_sb *s;
	struct jrun run[JOURNAL_RUNS];
	unsigned nruns;
	uint32_t jsb_blk;		/* physical block of the superblock */
	uint32_t first, maxlen;		/* the log: [first, maxlen) */
	uint32_t seq;			/* the next transaction's ID */
	bool csum;			/* CSUM_V3 */
	bool b64;			/* 64BIT tags */
	uint32_t csum_seed;		/* crc32c(~0, journal UUID) */
	uint8_t uuid[16];
	unsigned tag_bytes;

	struct fw_mutex lock;
	struct fw_waitq wq;		/* handles draining, commits ending */
	unsigned handles;		/* open handles (nested ones count once) */
	bool committing;
	struct jholder holder[JOURNAL_HOLDERS];
	struct fw_list tx;		/* the running transaction */
	struct fw_list hash[JTX_BUCKETS];
	unsigned ntx;
	struct fw_list ctx;		/* the committing one (the committer's) */
	unsigned nctx;
	unsigned max_tx;		/* commit past this many blocks */
	bool aborted;			/* an I/O error: no more journaling */

	struct fw_task *task;		/* the commit timer (kjournald2) */
	bool stop;
};

/* ---- journal blocks ------------------------------------------------------ */

static int jmap(const struct ext2_journal *j, uint32_t lblk, uint32_t *pblk)
{
	for (unsigned i = 0; i < j->nruns; i++)
		if (lblk >= j->run[i].lblk && lblk - j->run[i].lblk < j->run[i].len) {
			*pblk = j->run[i].pblk + (lblk - j->run[i].lblk);
			return 0;
		}
	return -EIO;
}

/* Reference journal block lblk to overwrite it whole. */
static int jget(struct ext2_journal *j, uint32_t lblk, struct bref *r)
{
	uint32_t p = 0;
	int err = jmap(j, lblk, &p);

	if (err)
		return err;
	err = bcache_get_data(j->s->dev, p, j->s->bs, false, r);
	if (err)
		return err;
	if (fw_buf_fill(r->data, 0, j->s->bs, 0)) {
		bref_put(r);
		return -EIO;
	}
	return 0;
}

static int put_header(struct fw_buf b, uint32_t type, uint32_t seq)
{
	return fw_buf_put_u32_be(b, JH_MAGIC, JBD2_MAGIC) |
	       fw_buf_put_u32_be(b, JH_BLOCKTYPE, type) |
	       fw_buf_put_u32_be(b, JH_SEQUENCE, seq);
}

/* crc32c of a whole block whose checksum field (4 bytes at off) is 0. */
static uint32_t csum_block(const struct ext2_journal *j, struct fw_buf b, size_t off)
{
	if (fw_buf_put_u32_be(b, off, 0))
		return 0;
	return ext2_crc32c(j->csum_seed, fw_buf_as_bytes(b));
}

/* ---- the journal superblock ---------------------------------------------- */

/* Write the superblock's s_start and s_sequence (and features at open). */
static int jsb_update(struct ext2_journal *j, uint32_t start, bool features)
{
	struct bref r;
	int err = bcache_get(j->s->dev, j->jsb_blk, j->s->bs, true, &r);

	if (err)
		return err;
	err = fw_buf_put_u32_be(r.data, JSB_START, start) |
	      fw_buf_put_u32_be(r.data, JSB_SEQUENCE, j->seq);
	if (features) {
		/* Linux ext4 at mount: v3 checksums with metadata_csum,
		 * 64-bit tags on a 64bit file system, nothing else. */
		uint32_t incompat = JBD2_FEATURE_INCOMPAT_REVOKE;

		if (j->csum)
			incompat |= JBD2_FEATURE_INCOMPAT_CSUM_V3;
		if (j->b64)
			incompat |= JBD2_FEATURE_INCOMPAT_64BIT;
		err |= fw_buf_put_u32_be(r.data, JSB_FEATURE_COMPAT, 0) |
		       fw_buf_put_u32_be(r.data, JSB_FEATURE_INCOMPAT, incompat);
		if (j->csum)
			err |= fw_buf_put_u8(r.data, JSB_CHECKSUM_TYPE, JBD2_CRC32C_CHKSUM);
	}
	if (!err && j->csum) {
		struct fw_buf sb;

		err = fw_buf_sub(r.data, 0, JSB_SIZE, &sb);
		if (!err)
			err = fw_buf_put_u32_be(sb, JSB_CHECKSUM, 0);
		if (!err)
			err = fw_buf_put_u32_be(sb, JSB_CHECKSUM,
						ext2_crc32c(~0u, fw_buf_as_bytes(sb)));
	}
	if (!err)
		bref_dirty(&r);
	bref_put(&r);
	return err ? -EIO : 0;
}

/* ---- handles ------------------------------------------------------------- */

static struct jholder *holder_of(struct ext2_journal *j, struct fw_task *t)
{
	for (unsigned i = 0; i < JOURNAL_HOLDERS; i++)
		if (j->holder[i].task == t)
			return &j->holder[i];
	return NULL;
}

/* May the caller open an outermost handle now (j->lock taken here)? */
static bool may_start(struct ext2_journal *j)
{
	bool ok;

	fw_mutex_lock(&j->lock);
	ok = !j->committing && holder_of(j, NULL);
	fw_mutex_unlock(&j->lock);
	return ok;
}

void ext2_jstart(struct ext2_sb *s)
{
	struct ext2_journal *j = s->journal;
	struct fw_task *me = fw_task_current();
	struct jholder *h;

	if (!j)
		return;
	for (;;) {
		fw_mutex_lock(&j->lock);
		h = holder_of(j, me);
		if (h) { /* nested: never waits (the commit waits for us) */
			h->depth++;
			fw_mutex_unlock(&j->lock);
			return;
		}
		h = holder_of(j, NULL);
		if (h && !j->committing) {
			h->task = me;
			h->depth = 1;
			j->handles++;
			fw_mutex_unlock(&j->lock);
			return;
		}
		fw_mutex_unlock(&j->lock);
		FW_WAIT_EVENT(&j->wq, may_start(j));
	}
}

void ext2_jstop(struct ext2_sb *s)
{
	struct ext2_journal *j = s->journal;
	struct jholder *h;
	bool commit = false;

	if (!j)
		return;
	fw_mutex_lock(&j->lock);
	h = holder_of(j, fw_task_current());
	if (h && --h->depth == 0) {
		h->task = NULL;
		j->handles--;
		commit = j->ntx > j->max_tx && !j->committing;
	}
	fw_mutex_unlock(&j->lock);
	fw_waitq_wake_all(&j->wq);
	if (commit && ext2_jcommit(s))
		fw_warn("ext2 (%s): jbd2: commit failed", s->dev->name);
}

/* ---- the running transaction --------------------------------------------- */

int ext2_mget(struct ext2_sb *s, uint32_t blk, bool fill, struct bref *r)
{
	struct ext2_journal *j = s->journal;
	struct jblock *b;
	int err = bcache_get(s->dev, blk, s->bs, fill, r);

	if (err || !j)
		return err;
	fw_mutex_lock(&j->lock);
	if (j->aborted) { /* written back as without a journal */
		fw_mutex_unlock(&j->lock);
		return 0;
	}
	FW_LIST_FOR_EACH(b, &j->hash[blk % JTX_BUCKETS], hnode)
		if (b->blk == blk) {
			fw_mutex_unlock(&j->lock);
			return 0; /* pinned already */
		}
	b = FW_NEW(struct jblock);
	if (!b) {
		fw_mutex_unlock(&j->lock);
		bref_put(r);
		return -ENOMEM;
	}
	/* The transaction's own reference keeps the unit cached. */
	err = bcache_get(s->dev, blk, s->bs, true, &b->r);
	if (err) {
		fw_mutex_unlock(&j->lock);
		fw_free(b);
		bref_put(r);
		return err;
	}
	bref_pin(&b->r);
	b->blk = blk;
	fw_list_add_tail(&j->tx, &b->node);
	fw_list_add_tail(&j->hash[blk % JTX_BUCKETS], &b->hnode);
	j->ntx++;
	fw_mutex_unlock(&j->lock);
	return 0;
}

int ext2_sb_get(struct ext2_sb *s, struct bref *r)
{
	int err;

	if (s->journal) {
		err = ext2_mget(s, EXT2_SB_OFFSET / s->bs, true, r);
		if (err)
			return err;
		bref_put(r); /* the transaction holds it */
	}
	return bcache_get(s->dev, 1, EXT2_SB_SIZE, true, r);
}

/* ---- commit -------------------------------------------------------------- */

static unsigned tags_per_desc(const struct ext2_journal *j)
{
	return (j->s->bs - JH_SIZE - TAG_UUID_SIZE - (j->csum ? JBD2_TAIL_SIZE : 0)) /
	       j->tag_bytes;
}

/* Log blocks a transaction of n blocks takes: descriptors, copies, commit. */
static uint32_t log_blocks(const struct ext2_journal *j, unsigned n)
{
	unsigned per = tags_per_desc(j);

	return (n + per - 1) / per + n + 1;
}

/* Copy transaction block b into journal block lblk (escaping a leading
 * magic number); its tag goes at off of the descriptor d. */
static int log_block(struct ext2_journal *j, const struct jblock *b, uint32_t lblk,
		     struct fw_buf d, size_t off, uint32_t flags)
{
	struct bref r;
	uint32_t magic = 0;
	int err = jget(j, lblk, &r);

	if (err)
		return err;
	err = fw_buf_copy_from(r.data, 0, fw_buf_as_bytes(b->r.data));
	if (!err && !fw_bytes_get_u32_be(fw_buf_as_bytes(r.data), 0, &magic) &&
	    magic == JBD2_MAGIC) {
		flags |= JBD2_FLAG_ESCAPE;
		err = fw_buf_put_u32_be(r.data, 0, 0);
	}
	err |= fw_buf_put_u32_be(d, off + TAG_BLOCKNR, b->blk);
	if (j->csum) {
		uint8_t seq[4] = { (uint8_t)(j->seq >> 24), (uint8_t)(j->seq >> 16),
				   (uint8_t)(j->seq >> 8), (uint8_t)j->seq };
		uint32_t c = ext2_crc32c(ext2_crc32c(j->csum_seed, FW_BYTES_OF_ARRAY(seq)),
					 fw_buf_as_bytes(r.data));

		err |= fw_buf_put_u32_be(d, off + 4, flags) |
		       fw_buf_put_u32_be(d, off + TAG_BLOCKNR_HIGH, 0) |
		       fw_buf_put_u32_be(d, off + TAG3_CSUM, c);
	} else {
		err |= fw_buf_put_u16_be(d, off + TAG_CSUM16, 0) |
		       fw_buf_put_u16_be(d, off + TAG_FLAGS, (uint16_t)flags);
		if (j->b64)
			err |= fw_buf_put_u32_be(d, off + TAG_BLOCKNR_HIGH, 0);
	}
	if (!err)
		bref_dirty(&r);
	bref_put(&r);
	return err ? -EIO : 0;
}

/* Set the flags of the tag at off (the last of its descriptor). */
static int tag_flags_or(const struct ext2_journal *j, struct fw_buf d, size_t off,
			uint32_t more)
{
	uint16_t f = 0;

	if (fw_bytes_get_u16_be(fw_buf_as_bytes(d), off + TAG_FLAGS, &f))
		return -EIO;
	(void)j;
	return fw_buf_put_u16_be(d, off + TAG_FLAGS, (uint16_t)(f | more)) ? -EIO : 0;
}

/* A descriptor is full: flag its last tag, checksum it, let it go. */
static int finish_desc(struct ext2_journal *j, struct bref *d, size_t last)
{
	int err = tag_flags_or(j, d->data, last, JBD2_FLAG_LAST_TAG);

	if (!err && j->csum)
		err = fw_buf_put_u32_be(d->data, j->s->bs - JBD2_TAIL_SIZE,
					csum_block(j, d->data, j->s->bs - JBD2_TAIL_SIZE)) ? -EIO : 0;
	if (!err)
		bref_dirty(d);
	bref_put(d);
	return err;
}

/* Descriptors and copies of the transaction from j->first on; *end is
 * the next log block (the commit block's). */
static int write_log(struct ext2_journal *j, uint32_t *end)
{
	unsigned per = tags_per_desc(j), i = 0;
	uint32_t pos = j->first;
	struct jblock *b;
	struct bref d = { 0 };
	size_t off = 0, last = 0;
	bool held = false;
	int err = 0;

	FW_LIST_FOR_EACH(b, &j->ctx, node) {
		if (i == 0) {
			err = jget(j, pos++, &d);
			if (err)
				break;
			held = true;
			err = put_header(d.data, JBD2_DESCRIPTOR_BLOCK, j->seq) ? -EIO : 0;
			off = JH_SIZE;
		}
		last = off;
		if (!err)
			err = log_block(j, b, pos++, d.data, off,
					i == 0 ? 0 : JBD2_FLAG_SAME_UUID);
		off += j->tag_bytes;
		if (!err && i == 0) {
			err = fw_buf_copy_from(d.data, off, FW_BYTES_OF_ARRAY(j->uuid)) ? -EIO : 0;
			off += TAG_UUID_SIZE;
		}
		if (err)
			break;
		if (++i == per) {
			held = false;
			i = 0;
			err = finish_desc(j, &d, last);
			if (err)
				break;
		}
	}
	if (held) {
		if (err)
			bref_put(&d);
		else
			err = finish_desc(j, &d, last);
	}
	*end = pos;
	return err;
}

static int write_commit(struct ext2_journal *j, uint32_t lblk)
{
	struct fs_time now = fs_now();
	struct bref r;
	int err = jget(j, lblk, &r);

	if (err)
		return err;
	err = put_header(r.data, JBD2_COMMIT_BLOCK, j->seq) |
	      fw_buf_put_u64_be(r.data, JC_COMMIT_SEC, (uint64_t)now.sec) |
	      fw_buf_put_u32_be(r.data, JC_COMMIT_SEC + 8, now.nsec);
	if (!err && j->csum)
		err = fw_buf_put_u32_be(r.data, JC_CHKSUM, csum_block(j, r.data, JC_CHKSUM));
	if (!err)
		bref_dirty(&r);
	bref_put(&r);
	return err ? -EIO : 0;
}

/* The running transaction becomes the committing one; a change made
 * meanwhile (outside a handle: only the superblock's error state) starts
 * the next. j->lock held. */
static void detach_tx(struct ext2_journal *j)
{
	struct jblock *b, *tmp;

	FW_LIST_FOR_EACH_SAFE(b, tmp, &j->tx, node) {
		fw_list_del(&b->node);
		fw_list_del(&b->hnode);
		fw_list_add_tail(&j->ctx, &b->node);
	}
	j->nctx = j->ntx;
	j->ntx = 0;
}

/* Unpin and forget the committing transaction's blocks (their bytes stay
 * dirty in the cache, for the checkpoint's write-back). */
static void release_tx(struct ext2_journal *j)
{
	struct jblock *b, *tmp;

	FW_LIST_FOR_EACH_SAFE(b, tmp, &j->ctx, node) {
		fw_list_del(&b->node);
		bref_unpin(&b->r);
		bref_put(&b->r);
		fw_free(b);
	}
	j->nctx = 0;
}

/* The commit and checkpoint (no handle open, s->lock held). */
static int do_commit(struct ext2_journal *j)
{
	struct blkdev *d = j->s->dev;
	uint32_t end = 0;
	int err;

	if (!j->nctx)
		return 0;
	if (j->aborted || log_blocks(j, j->nctx) > j->maxlen - j->first) {
		if (!j->aborted)
			fw_err("ext2 (%s): jbd2: a transaction of %u blocks does not fit the journal: journaling stops",
			       d->name, j->nctx);
		fw_mutex_lock(&j->lock);
		j->aborted = true;
		fw_mutex_unlock(&j->lock);
		release_tx(j);
		return -EIO;
	}
	/* Ordered: the file data goes out with the log (one flush), both
	 * before the commit block. */
	err = jsb_update(j, j->first, false);
	if (!err)
		err = write_log(j, &end);
	if (!err)
		err = bcache_sync(d);
	if (!err)
		err = write_commit(j, end);
	if (!err)
		err = bcache_sync(d);		/* durable from here */
	release_tx(j);
	if (!err)
		err = bcache_sync(d);		/* checkpoint: blocks home */
	if (!err) {
		j->seq++;
		err = jsb_update(j, 0, false);	/* the log is empty again */
	}
	if (!err)
		err = bcache_sync(d);
	if (err) {
		fw_err("ext2 (%s): jbd2: commit %u failed (%d): journaling stops",
		       d->name, j->seq, err);
		fw_mutex_lock(&j->lock);
		j->aborted = true;
		fw_mutex_unlock(&j->lock);
	}
	return err;
}

static bool not_committing(struct ext2_journal *j)
{
	bool ok;

	fw_mutex_lock(&j->lock);
	ok = !j->committing;
	fw_mutex_unlock(&j->lock);
	return ok;
}

static bool drained(struct ext2_journal *j)
{
	bool ok;

	fw_mutex_lock(&j->lock);
	ok = j->handles == 0;
	fw_mutex_unlock(&j->lock);
	return ok;
}

int ext2_jcommit(struct ext2_sb *s)
{
	struct ext2_journal *j = s->journal;
	int err;

	if (!j)
		return 0;
	for (;;) {
		fw_mutex_lock(&j->lock);
		/* Inside a handle a commit would wait for itself: the
		 * changes go with the next one. */
		if (holder_of(j, fw_task_current())) {
			fw_mutex_unlock(&j->lock);
			return 0;
		}
		if (!j->committing)
			break;
		fw_mutex_unlock(&j->lock);
		FW_WAIT_EVENT(&j->wq, not_committing(j));
	}
	j->committing = true;
	fw_mutex_unlock(&j->lock);
	FW_WAIT_EVENT(&j->wq, drained(j));
	fw_mutex_lock(&s->lock);
	/* the deferred counts and checksums join this transaction */
	err = ext2_meta_flush(s);
	fw_mutex_lock(&j->lock);
	detach_tx(j);
	fw_mutex_unlock(&j->lock);
	{
		int e = do_commit(j); /* (it also lets the blocks go) */

		if (!err)
			err = e;
	}
	fw_mutex_unlock(&s->lock);
	fw_mutex_lock(&j->lock);
	j->committing = false;
	fw_mutex_unlock(&j->lock);
	fw_waitq_wake_all(&j->wq);
	return err;
}

/* kjournald2: commit what the running transaction holds every
 * JOURNAL_COMMIT_NS, until the journal closes. */
static bool stopping(struct ext2_journal *j)
{
	bool stop;

	fw_mutex_lock(&j->lock);
	stop = j->stop;
	fw_mutex_unlock(&j->lock);
	return stop;
}

static void commit_main(struct ext2_journal *j)
{
	while (!stopping(j)) {
		int ret;

		FW_WAIT_EVENT_DEADLINE(&j->wq, stopping(j),
				       fw_time_ns() + JOURNAL_COMMIT_NS, ret);
		(void)ret;
		if (!stopping(j) && ext2_jcommit(j->s))
			fw_warn("ext2 (%s): jbd2: commit failed", j->s->dev->name);
	}
}

/* ---- open and close ------------------------------------------------------ */

/* Map the journal file's blocks into j->run. */
static int map_journal(struct ext2_journal *j, uint32_t jino, uint32_t *blocks)
{
	struct ext2_sb *s = j->s;
	struct inode *ino;
	uint32_t lblk = 0;
	int err;

	s->journal_ino = jino;
	err = ext2_iget(s, jino, &ino);
	s->journal_ino = 0;
	if (err)
		return err;
	*blocks = (uint32_t)(ino->size / s->bs);
	fw_mutex_lock(&ino->lock);
	while (!err && lblk < *blocks) {
		uint32_t p = 0;
		unsigned n = 0;

		err = ext2_bmap_run(ino, lblk, *blocks - lblk, &p, &n);
		if (!err && (!p || n == 0))
			err = -EIO; /* a hole */
		if (err)
			break;
		if (j->nruns && j->run[j->nruns - 1].pblk + j->run[j->nruns - 1].len == p &&
		    j->run[j->nruns - 1].lblk + j->run[j->nruns - 1].len == lblk) {
			j->run[j->nruns - 1].len += n;
		} else if (j->nruns == JOURNAL_RUNS) {
			err = -E2BIG;
		} else {
			j->run[j->nruns++] = (struct jrun){ lblk, p, n };
		}
		lblk += n;
	}
	fw_mutex_unlock(&ino->lock);
	inode_put(ino);
	return err;
}

/* Read and check the journal superblock (replay left the log empty). */
static int load_jsb(struct ext2_journal *j, uint32_t blocks)
{
	struct bref r;
	uint32_t magic = 0, type = 0, bs = 0, maxlen = 0, first = 0, seq = 0, start = 0;
	struct fw_bytes uuid;
	int err = jmap(j, 0, &j->jsb_blk);

	if (!err)
		err = bcache_get(j->s->dev, j->jsb_blk, j->s->bs, true, &r);
	if (err)
		return err;
	err = fw_bytes_get_u32_be(fw_buf_as_bytes(r.data), JH_MAGIC, &magic) |
	      fw_bytes_get_u32_be(fw_buf_as_bytes(r.data), JH_BLOCKTYPE, &type) |
	      fw_bytes_get_u32_be(fw_buf_as_bytes(r.data), JSB_BLOCKSIZE, &bs) |
	      fw_bytes_get_u32_be(fw_buf_as_bytes(r.data), JSB_MAXLEN, &maxlen) |
	      fw_bytes_get_u32_be(fw_buf_as_bytes(r.data), JSB_FIRST, &first) |
	      fw_bytes_get_u32_be(fw_buf_as_bytes(r.data), JSB_SEQUENCE, &seq) |
	      fw_bytes_get_u32_be(fw_buf_as_bytes(r.data), JSB_START, &start) |
	      fw_bytes_sub(fw_buf_as_bytes(r.data), JSB_UUID, sizeof(j->uuid), &uuid);
	if (!err)
		err = fw_buf_copy_from(FW_BUF_OF_ARRAY(j->uuid), 0, uuid);
	bref_put(&r);
	if (err || magic != JBD2_MAGIC || type != JBD2_SUPERBLOCK_V2 ||
	    bs != j->s->bs || maxlen > blocks || first == 0 || first >= maxlen ||
	    maxlen - first < 32 || start != 0)
		return -EINVAL;
	j->first = first;
	j->maxlen = maxlen;
	j->seq = seq;
	return 0;
}

/* Set or clear needs_recovery in the file system's superblock. */
static int set_recover(struct ext2_sb *s, bool on)
{
	struct bref r;
	uint32_t inc = 0;
	int err = bcache_get(s->dev, 1, EXT2_SB_SIZE, true, &r);

	if (err)
		return err;
	err = fw_bytes_get_u32_le(fw_buf_as_bytes(r.data), SB_FEATURE_INCOMPAT, &inc);
	if (on)
		inc |= EXT3_FEATURE_INCOMPAT_RECOVER;
	else
		inc &= ~(uint32_t)EXT3_FEATURE_INCOMPAT_RECOVER;
	if (!err)
		err = fw_buf_put_u32_le(r.data, SB_FEATURE_INCOMPAT, inc);
	if (!err)
		ext2_sb_dirty(s, &r);
	bref_put(&r);
	return err ? -EIO : bcache_sync(s->dev);
}

int ext2_journal_open(struct ext2_sb *s)
{
	struct ext2_journal *j;
	uint32_t jino = s->journal_inum, blocks = 0;
	int err;

	if (s->rdonly || !(s->feat_compat & EXT3_FEATURE_COMPAT_HAS_JOURNAL) || s->journal)
		return 0;
	j = FW_NEW(struct ext2_journal);
	if (!j)
		return -ENOMEM;
	j->s = s;
	fw_mutex_init(&j->lock, "jbd2");
	fw_waitq_init(&j->wq, "jbd2");
	fw_list_init(&j->tx);
	fw_list_init(&j->ctx);
	for (unsigned i = 0; i < JTX_BUCKETS; i++)
		fw_list_init(&j->hash[i]);
	j->csum = s->has_csum;
	j->b64 = s->feat_incompat & EXT4_FEATURE_INCOMPAT_64BIT;
	j->tag_bytes = j->csum ? 16 : j->b64 ? 12 : 8;
	err = jino ? map_journal(j, jino, &blocks) : -EINVAL;
	if (!err)
		err = load_jsb(j, blocks);
	if (err) {
		/* Linux refuses such a mount; writing without the journal
		 * is what this driver did before it journaled. */
		fw_warn("ext2 (%s): jbd2: journal unusable (%d): metadata is written without journaling",
			s->dev->name, err);
		fw_free(j);
		return 0;
	}
	j->csum_seed = ext2_crc32c(~0u, FW_BYTES_OF_ARRAY(j->uuid));
	j->max_tx = (j->maxlen - j->first) / 4;
	err = jsb_update(j, 0, true);
	if (!err)
		err = set_recover(s, true);
	if (!err)
		err = FW_TASK_SPAWN("jbd2", commit_main, j, -1, &j->task);
	if (err) {
		fw_free(j);
		return err;
	}
	s->journal = j;
	fw_info("ext2 (%s): jbd2: journaling metadata (ordered data), %u-block log",
		s->dev->name, j->maxlen - j->first);
	return 0;
}

int ext2_journal_close(struct ext2_sb *s)
{
	struct ext2_journal *j = s->journal;
	int err, e;

	if (!j)
		return 0;
	err = ext2_jcommit(s);
	fw_mutex_lock(&j->lock);
	j->stop = true;
	fw_mutex_unlock(&j->lock);
	fw_waitq_wake_all(&j->wq);
	if (fw_task_join(j->task, NULL))
		fw_warn("ext2 (%s): jbd2: commit task not joined", s->dev->name);
	/* A transaction that came after the last commit (none should) */
	e = ext2_jcommit(s);
	if (!err)
		err = e;
	s->journal = NULL;
	detach_tx(j);
	release_tx(j);
	fw_free(j);
	e = set_recover(s, false);
	return err ? err : e;
}
