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
 *    open, then, holding s->lock (commit.c): writes the transaction's
 *    revoke blocks, descriptors and a copy of every block at the log's
 *    head, with all other dirty blocks (file data: ordered mode), and
 *    flushes; writes the commit block and flushes (durable from here);
 *    and unpins the blocks. They stay dirty in the cache, and write-back
 *    may take them home at any time from then on, never before.
 *  - Transactions accumulate in the log, [j->first, j->head); the
 *    journal superblock's s_start/s_sequence name the oldest, written
 *    when the first goes into an empty log. The log is linear: it does
 *    not wrap. A checkpoint writes every dirty block home, flushes,
 *    marks the log empty (s_start 0, flushed before the log is reused)
 *    and starts again at j->first. It happens after a commit that left
 *    less than half the log free (a transaction commits past a quarter,
 *    so the next one fits), on sync(2) and unmount (ext2_jcheckpoint,
 *    not fsync/syncfs, which share a handler), and when a commit
 *    interval passed with nothing to commit (idle). It needs no
 *    transaction to pin a unit holding a logged block (such a unit holds
 *    uncommitted bytes); right after a commit none does, but a
 *    transaction too big for the rest of the log, if that rule does not
 *    hold, stops journaling with an error, as one bigger than the log.
 *  - Revoke records (Linux's): a freed block (ext2_free_block) that the
 *    log or the running transaction holds a copy of is revoked by the
 *    running transaction (ext2_jrevoke), so replay writes no copy from a
 *    transaction up to the revoking one over what the block became (file
 *    data, say). A block freed while in the running transaction stays in
 *    it, logged and covered by its own revoke. Taken as metadata again
 *    (ext2_mget) in the same transaction, its revoke is cancelled; in a
 *    later transaction, replay copies that newer copy (revokes apply to
 *    transactions at most as new). j->logged, the set of blocks the log
 *    holds copies of, is what keeps frees of file data free of records.
 *  - The file system says needs_recovery while mounted read-write, as
 *    Linux's does; a crash leaves the committed transactions since the
 *    last checkpoint in the log, which recovery.c replays.
 * With blocks smaller than the cache's 4 KiB unit, write-back skips a
 * unit if any block of it is pinned: the commit writes the unit's other
 * blocks (file data among them) and log blocks sharing a unit with other
 * blocks alone (bcache_write_blocks), so each reaches the disk before the
 * commit block.
 *
 * Locking: j->lock guards the handle count, the holders, the running
 * transaction, its revokes and the logged set; it is taken inside
 * s->lock (ext2_mget and ext2_jrevoke run under it) and never held while
 * waiting. The committer (j->committing, with s->lock) alone changes the
 * committing transaction, j->seq and j->head; it moves blocks between
 * the transactions, j->chash and j->logged under j->lock. A handle must
 * be started after the caller's vfs_ns_lock or inode->lock, never before
 * (Linux: i_rwsem before the journal), since a commit waits for every
 * open handle. */
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/task.h>
#include <fw/time.h>

#include "fs/ext2/ext2.h"
#include "fs/jbd2/jbd2.h"
#include "fs/jbd2/journal.h"

#define JOURNAL_COMMIT_NS (5ull * 1000000000ull)	/* Linux's commit=5 */

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
		commit = jbd2_log_blocks(j, j->ntx, j->nrev) > j->max_tx && !j->committing;
	}
	fw_mutex_unlock(&j->lock);
	fw_waitq_wake_all(&j->wq);
	if (commit && ext2_jcommit(s))
		fw_warn("ext2 (%s): jbd2: commit failed", s->dev->name);
}

/* ---- the running transaction --------------------------------------------- */

static struct jrev *revoke_find(struct ext2_journal *j, uint32_t blk)
{
	struct jrev *rv;

	FW_LIST_FOR_EACH(rv, &j->revoked[blk % JTX_BUCKETS], hnode)
		if (rv->blk == blk)
			return rv;
	return NULL;
}

static bool in_tx(struct ext2_journal *j, uint32_t blk)
{
	struct jblock *b;

	FW_LIST_FOR_EACH(b, &j->hash[blk % JTX_BUCKETS], hnode)
		if (b->blk == blk)
			return true;
	return false;
}

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
	if (j->nrev) {
		/* Freed and now metadata again within this transaction: its
		 * new copy must be replayed (jbd2_journal_cancel_revoke);
		 * older copies are overwritten by it in replay order. */
		struct jrev *rv = revoke_find(j, blk);

		if (rv) {
			fw_list_del(&rv->hnode);
			fw_free(rv);
			j->nrev--;
		}
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

void ext2_jrevoke(struct ext2_sb *s, uint32_t blk)
{
	struct ext2_journal *j = s->journal;
	struct jrev *rv;

	if (!j)
		return;
	fw_mutex_lock(&j->lock);
	/* Only a block the log (or this transaction) holds a copy of could
	 * be replayed over what the block becomes; file data freed is
	 * neither, so a big truncation adds no records. */
	if (j->aborted || revoke_find(j, blk) || (!in_tx(j, blk) && !jbd2_logged(j, blk))) {
		fw_mutex_unlock(&j->lock);
		return;
	}
	rv = FW_NEW(struct jrev);
	if (!rv) {
		/* Without the record a replay could write the old copy over
		 * the block's next contents: stop journaling instead. */
		j->aborted = true;
		fw_mutex_unlock(&j->lock);
		fw_err("ext2 (%s): jbd2: no memory for a revoke record: journaling stops",
		       s->dev->name);
		return;
	}
	rv->blk = blk;
	fw_list_add_tail(&j->revoked[blk % JTX_BUCKETS], &rv->hnode);
	j->nrev++;
	fw_mutex_unlock(&j->lock);
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

/* The running transaction becomes the committing one; a change made
 * meanwhile (outside a handle: only the superblock's error state) starts
 * the next. j->lock held. */
static void detach_tx(struct ext2_journal *j)
{
	struct jblock *b, *tmp;
	struct jrev *rv, *rtmp;

	FW_LIST_FOR_EACH_SAFE(b, tmp, &j->tx, node) {
		fw_list_del(&b->node);
		fw_list_del(&b->hnode);
		fw_list_add_tail(&j->ctx, &b->node);
		fw_list_add_tail(&j->chash[b->blk % JTX_BUCKETS], &b->hnode);
	}
	j->nctx = j->ntx;
	j->ntx = 0;
	for (unsigned i = 0; i < JTX_BUCKETS; i++)
		FW_LIST_FOR_EACH_SAFE(rv, rtmp, &j->revoked[i], hnode) {
			fw_list_del(&rv->hnode);
			fw_list_add_tail(&j->crev, &rv->hnode);
		}
	j->ncrev = j->nrev;
	j->nrev = 0;
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

/* Commit the running transaction; `checkpoint`: then empty the log.
 * `durable` (fsync, sync): with nothing to commit, what is dirty (file
 * data) is still written and flushed; a commit flushes it anyway. */
static int commit(struct ext2_sb *s, bool checkpoint, bool durable)
{
	struct ext2_journal *j = s->journal;
	bool empty;
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
	empty = !j->nctx && !j->ncrev;
	fw_mutex_unlock(&j->lock);
	{
		int e = jbd2_do_commit(j, checkpoint); /* (it also lets the blocks go) */

		if (!err)
			err = e;
	}
	if (!err && empty && durable)
		err = bcache_sync(s->dev);
	fw_mutex_unlock(&s->lock);
	fw_mutex_lock(&j->lock);
	j->committing = false;
	fw_mutex_unlock(&j->lock);
	fw_waitq_wake_all(&j->wq);
	return err;
}

int ext2_jcommit(struct ext2_sb *s)
{
	return commit(s, false, true);
}

int ext2_jcheckpoint(struct ext2_sb *s)
{
	return commit(s, true, true);
}

/* Is the running transaction empty while the log is not (j->lock taken
 * here)? Then the file system has been idle for a commit interval. */
static bool idle_log(struct ext2_journal *j)
{
	bool idle;

	fw_mutex_lock(&j->lock);
	idle = !j->ntx && !j->nrev && j->nlogged;
	fw_mutex_unlock(&j->lock);
	return idle;
}

/* kjournald2: commit what the running transaction holds every
 * JOURNAL_COMMIT_NS, until the journal closes; after an interval with
 * nothing to commit, checkpoint, so an idle file system's log is empty
 * (a crash then replays nothing) and its blocks are home. */
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
		if (!stopping(j) && commit(j->s, idle_log(j), false))
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
	int err = jbd2_jmap(j, 0, &j->jsb_blk);

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
	fw_list_init(&j->crev);
	for (unsigned i = 0; i < JTX_BUCKETS; i++) {
		fw_list_init(&j->hash[i]);
		fw_list_init(&j->chash[i]);
		fw_list_init(&j->revoked[i]);
	}
	for (unsigned i = 0; i < JLOG_BUCKETS; i++)
		fw_list_init(&j->logged[i]);
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
	j->head = j->first;
	err = jbd2_jsb_update(j, 0, true);
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
	err = ext2_jcheckpoint(s);
	fw_mutex_lock(&j->lock);
	j->stop = true;
	fw_mutex_unlock(&j->lock);
	fw_waitq_wake_all(&j->wq);
	if (fw_task_join(j->task, NULL))
		fw_warn("ext2 (%s): jbd2: commit task not joined", s->dev->name);
	/* A transaction that came after the last commit (none should) */
	e = ext2_jcheckpoint(s);
	if (!err)
		err = e;
	s->journal = NULL;
	detach_tx(j);
	jbd2_release_tx(j);
	/* With journaling stopped by an error the log may still hold
	 * transactions: everything goes home unjournaled, then the log is
	 * marked empty, so needs_recovery cleared below matches it. */
	if (j->head != j->first) {
		e = bcache_sync(s->dev);
		if (!e)
			e = jbd2_jsb_update(j, 0, false);
		if (!err)
			err = e;
	}
	jbd2_logged_clear(j);
	fw_free(j);
	e = set_recover(s, false);
	return err ? err : e;
}
