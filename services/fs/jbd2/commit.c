/* services/fs/jbd2/commit.c: writing a transaction to the jbd2 log (its
 * revoke blocks, descriptors, block copies and commit block) and the
 * checkpoint that writes the logged blocks home and empties the log.
 * When each happens, and why, is described at the top of journal.c.
 *
 * Layer: services (safe C), a helper of ext2 (sees only ext2.h). The
 * on-disk format is Linux's (jbd2.h; Documentation/filesystems/ext4/
 * journal.rst). */
#include <fw/heap.h>
#include <fw/log.h>

#include "fs/ext2/ext2.h"
#include "fs/jbd2/jbd2.h"
#include "fs/jbd2/journal.h"

/* ---- journal blocks ------------------------------------------------------ */

int jbd2_jmap(const struct ext2_journal *j, uint32_t lblk, uint32_t *pblk)
{
	for (unsigned i = 0; i < j->nruns; i++)
		if (lblk >= j->run[i].lblk && lblk - j->run[i].lblk < j->run[i].len) {
			*pblk = j->run[i].pblk + (lblk - j->run[i].lblk);
			return 0;
		}
	return -EIO;
}

/* Reference journal block lblk (at *pblk) to overwrite it whole. */
static int jget(struct ext2_journal *j, uint32_t lblk, struct bref *r, uint32_t *pblk)
{
	uint32_t p = 0;
	int err = jbd2_jmap(j, lblk, &p);

	if (err)
		return err;
	*pblk = p;
	err = bcache_get_data(j->s->dev, p, j->s->bs, false, r);
	if (err)
		return err;
	if (fw_buf_fill(r->data, 0, j->s->bs, 0)) {
		bref_put(r);
		return -EIO;
	}
	return 0;
}

/* Does physical block pblk share its cache unit with a block outside
 * the journal? With blocks smaller than the unit, a journal file's run
 * can end mid-unit, next to metadata that a transaction pins. */
static bool unit_shared(const struct ext2_journal *j, uint32_t pblk)
{
	uint32_t per = BCACHE_UNIT / j->s->bs, base = pblk - pblk % (per ? per : 1);

	for (uint32_t k = 0; k < per; k++) {
		bool in = false;

		for (unsigned i = 0; i < j->nruns && !in; i++)
			in = base + k >= j->run[i].pblk && base + k - j->run[i].pblk < j->run[i].len;
		if (!in)
			return true;
	}
	return false;
}

/* A journal block (at pblk) is written in the cache (`ok`): dirty it and
 * let it go. If its unit may be pinned, write-back could hold it back
 * past the commit block, so it goes to the disk now, alone. */
static int jdone(struct ext2_journal *j, uint32_t pblk, struct bref *r, bool ok)
{
	int err = ok ? 0 : -EIO;

	if (ok) {
		bref_dirty(r);
		if (unit_shared(j, pblk))
			err = bcache_write_blocks(r, 1);
	}
	bref_put(r);
	return err;
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

int jbd2_jsb_update(struct ext2_journal *j, uint32_t start, bool features)
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
	return jdone(j, j->jsb_blk, &r, !err);
}

/* ---- writing a transaction ----------------------------------------------- */

static unsigned tags_per_desc(const struct ext2_journal *j)
{
	return (j->s->bs - JH_SIZE - TAG_UUID_SIZE - (j->csum ? JBD2_TAIL_SIZE : 0)) /
	       j->tag_bytes;
}

/* Revoke records a revoke block holds (4 bytes each, 8 with 64BIT). */
static unsigned revokes_per_block(const struct ext2_journal *j)
{
	return (j->s->bs - JR_SIZE - (j->csum ? JBD2_TAIL_SIZE : 0)) / (j->b64 ? 8u : 4u);
}

/* Revoke blocks, descriptors, copies, the commit block. */
uint32_t jbd2_log_blocks(const struct ext2_journal *j, unsigned n, unsigned nrev)
{
	unsigned per = tags_per_desc(j), rper = revokes_per_block(j);

	return (nrev + rper - 1) / rper + (n + per - 1) / per + n + 1;
}

/* Copy transaction block b into journal block lblk (escaping a leading
 * magic number); its tag goes at off of the descriptor d. */
static int log_block(struct ext2_journal *j, const struct jblock *b, uint32_t lblk,
		     struct fw_buf d, size_t off, uint32_t flags)
{
	struct bref r;
	uint32_t magic = 0, p = 0;
	int err = jget(j, lblk, &r, &p);

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
	return jdone(j, p, &r, !err);
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

/* A descriptor (at pblk) is full: flag its last tag, checksum it, let
 * it go. */
static int finish_desc(struct ext2_journal *j, struct bref *d, uint32_t pblk, size_t last)
{
	int err = tag_flags_or(j, d->data, last, JBD2_FLAG_LAST_TAG);

	if (!err && j->csum)
		err = fw_buf_put_u32_be(d->data, j->s->bs - JBD2_TAIL_SIZE,
					csum_block(j, d->data, j->s->bs - JBD2_TAIL_SIZE)) ? -EIO : 0;
	return jdone(j, pblk, d, !err);
}

/* Descriptors and copies of the transaction from *pos on; *pos ends at
 * the next log block. */
static int write_log(struct ext2_journal *j, uint32_t *end)
{
	unsigned per = tags_per_desc(j), i = 0;
	uint32_t pos = *end, dp = 0;
	struct jblock *b;
	struct bref d = { 0 };
	size_t off = 0, last = 0;
	bool held = false;
	int err = 0;

	FW_LIST_FOR_EACH(b, &j->ctx, node) {
		if (i == 0) {
			err = jget(j, pos++, &d, &dp);
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
			err = finish_desc(j, &d, dp, last);
			if (err)
				break;
		}
	}
	if (held) {
		if (err)
			bref_put(&d);
		else
			err = finish_desc(j, &d, dp, last);
	}
	*end = pos;
	return err;
}

static int write_commit(struct ext2_journal *j, uint32_t lblk)
{
	struct fs_time now = fs_now();
	struct bref r;
	uint32_t p = 0;
	int err = jget(j, lblk, &r, &p);

	if (err)
		return err;
	err = put_header(r.data, JBD2_COMMIT_BLOCK, j->seq) |
	      fw_buf_put_u64_be(r.data, JC_COMMIT_SEC, (uint64_t)now.sec) |
	      fw_buf_put_u32_be(r.data, JC_COMMIT_SEC + 8, now.nsec);
	if (!err && j->csum)
		err = fw_buf_put_u32_be(r.data, JC_CHKSUM, csum_block(j, r.data, JC_CHKSUM));
	return jdone(j, p, &r, !err);
}

/* Revoke blocks for the committing transaction's revokes, from *pos on
 * (jbd2_journal_write_revoke_records): a header, r_count (bytes used,
 * header included), the block numbers, and with v3 the tail checksum. */
static int write_revokes(struct ext2_journal *j, uint32_t *pos)
{
	unsigned rec = j->b64 ? 8 : 4, per = revokes_per_block(j), i = 0, done = 0;
	struct jrev *rv;
	struct bref r = { 0 };
	uint32_t p = 0;
	bool held = false;
	int err = 0;

	FW_LIST_FOR_EACH(rv, &j->crev, hnode) {
		if (i == 0) {
			err = jget(j, (*pos)++, &r, &p);
			if (err)
				return err;
			held = true;
			err = put_header(r.data, JBD2_REVOKE_BLOCK, j->seq) ? -EIO : 0;
		}
		if (!err)
			err = (rec == 8 ? fw_buf_put_u64_be(r.data, JR_SIZE + i * rec, rv->blk)
					: fw_buf_put_u32_be(r.data, JR_SIZE + i * rec, rv->blk))
				      ? -EIO : 0;
		i++;
		done++;
		if (!err && (i == per || done == j->ncrev)) {
			held = false;
			err = fw_buf_put_u32_be(r.data, JR_COUNT, JR_SIZE + i * rec) ? -EIO : 0;
			if (!err && j->csum)
				err = fw_buf_put_u32_be(r.data, j->s->bs - JBD2_TAIL_SIZE,
							csum_block(j, r.data,
								   j->s->bs - JBD2_TAIL_SIZE))
					      ? -EIO : 0;
			err = jdone(j, p, &r, !err);
			i = 0;
		}
		if (err)
			break;
	}
	if (held)
		bref_put(&r);
	return err;
}

/* ---- the blocks the log holds -------------------------------------------- */

static struct fw_list *logged_bucket(struct ext2_journal *j, uint32_t blk)
{
	return &j->logged[blk % JLOG_BUCKETS];
}

bool jbd2_logged(struct ext2_journal *j, uint32_t blk)
{
	struct jblock *b;

	FW_LIST_FOR_EACH(b, logged_bucket(j, blk), hnode)
		if (b->blk == blk)
			return true;
	return false;
}

void jbd2_logged_clear(struct ext2_journal *j)
{
	struct jblock *b, *tmp;

	for (unsigned i = 0; i < JLOG_BUCKETS; i++)
		FW_LIST_FOR_EACH_SAFE(b, tmp, &j->logged[i], hnode) {
			fw_list_del(&b->hnode);
			fw_free(b);
		}
	j->nlogged = 0;
}

/* Unpin the committing transaction's blocks (their bytes stay dirty in
 * the cache: write-back may take them home from now on) and free its
 * revokes. Committed blocks move to j->logged; `committed` false (a
 * failed commit): they are forgotten. */
static void release(struct ext2_journal *j, bool committed)
{
	struct jblock *b, *tmp;
	struct jrev *rv, *rtmp;

	fw_mutex_lock(&j->lock);
	FW_LIST_FOR_EACH_SAFE(b, tmp, &j->ctx, node) {
		fw_list_del(&b->node);
		fw_list_del(&b->hnode);
		bref_unpin(&b->r);
		bref_put(&b->r);
		if (committed && !jbd2_logged(j, b->blk)) {
			fw_list_add_tail(logged_bucket(j, b->blk), &b->hnode);
			j->nlogged++;
		} else {
			fw_free(b);
		}
	}
	j->nctx = 0;
	FW_LIST_FOR_EACH_SAFE(rv, rtmp, &j->crev, hnode) {
		fw_list_del(&rv->hnode);
		fw_free(rv);
	}
	j->ncrev = 0;
	fw_mutex_unlock(&j->lock);
}

void jbd2_release_tx(struct ext2_journal *j)
{
	release(j, false);
}

/* ---- checkpoint ---------------------------------------------------------- */

/* Would a write-back now take every logged block home? Not while a unit
 * holding one is pinned by the running or committing transaction: the
 * unit then holds newer, uncommitted bytes (or a logged block's
 * neighbour's), and the logged version is only in the log. j->lock held. */
static bool logged_unpinned(struct ext2_journal *j, struct fw_list *tx)
{
	uint32_t per = j->s->bs < BCACHE_UNIT ? BCACHE_UNIT / j->s->bs : 1;
	struct jblock *b;

	FW_LIST_FOR_EACH(b, tx, node) {
		uint32_t base = b->blk - b->blk % per;

		for (uint32_t k = 0; k < per; k++)
			if (jbd2_logged(j, base + k))
				return false;
	}
	return true;
}

static bool may_checkpoint(struct ext2_journal *j)
{
	bool ok;

	fw_mutex_lock(&j->lock);
	ok = !j->nlogged || (logged_unpinned(j, &j->tx) && logged_unpinned(j, &j->ctx));
	fw_mutex_unlock(&j->lock);
	return ok;
}

/* Write every logged block home, flush, and mark the log empty: the
 * superblock's s_start is 0 and the next transaction starts at j->first.
 * The superblock is flushed before the log is written again: an old
 * s_start over a half-rewritten log would replay new copies to old
 * homes (Linux writes the new tail with REQ_FUA). */
static int checkpoint(struct ext2_journal *j)
{
	struct blkdev *d = j->s->dev;
	int err;

	if (j->head == j->first)
		return 0;
	err = bcache_sync(d);
	if (!err)
		err = jbd2_jsb_update(j, 0, false);
	if (!err)
		err = bcache_sync(d);
	if (err)
		return err;
	fw_mutex_lock(&j->lock);
	jbd2_logged_clear(j);
	fw_mutex_unlock(&j->lock);
	j->head = j->first;
	return 0;
}

/* ---- commit -------------------------------------------------------------- */

/* Journaling has stopped (j->aborted): blocks now go home unjournaled,
 * so no replay may write the log's older copies over them. Write
 * everything home and mark the log empty, as far as the disk lets us. */
static void abandon_log(struct ext2_journal *j)
{
	if (checkpoint(j))
		fw_err("ext2 (%s): jbd2: the log could not be emptied: a replay may undo later changes",
		       j->s->dev->name);
}

/* Is blk pinned by the committing or the running transaction? */
static bool pinned(struct ext2_journal *j, uint32_t blk)
{
	struct jblock *b;
	bool found = false;

	fw_mutex_lock(&j->lock);
	FW_LIST_FOR_EACH(b, &j->chash[blk % JTX_BUCKETS], hnode)
		found = found || b->blk == blk;
	FW_LIST_FOR_EACH(b, &j->hash[blk % JTX_BUCKETS], hnode)
		found = found || b->blk == blk;
	fw_mutex_unlock(&j->lock);
	return found;
}

/* With blocks smaller than the cache unit, write-back skips a whole unit
 * if the commit pinned one of its blocks; the unit's other blocks (file
 * data among them: ordered mode; the rest clean, log blocks, or
 * committed earlier) are written now, alone, a run at a time, so the
 * flush before the commit block covers them. */
static int write_beside_pinned(struct ext2_journal *j)
{
	uint32_t per = BCACHE_UNIT / j->s->bs;
	struct jblock *b;
	int err = 0;

	if (per <= 1)
		return 0;
	FW_LIST_FOR_EACH(b, &j->ctx, node) {
		uint32_t base = b->blk - b->blk % per, k = 0;

		/* each unit once: from its first pinned block */
		while (k < b->blk - base && !pinned(j, base + k))
			k++;
		if (base + k != b->blk)
			continue;
		for (k = 0; k < per && !err; ) {
			struct bref r;
			unsigned n = 0;

			while (k + n < per && !pinned(j, base + k + n))
				n++;
			if (n && !bcache_get(j->s->dev, base + k, j->s->bs, true, &r)) {
				err = bcache_write_blocks(&r, n);
				bref_put(&r);
			}
			k += n + 1;
		}
		if (err)
			break;
	}
	return err;
}

/* Write the transaction from j->head on: revoke blocks, descriptors and
 * copies, with all other dirty blocks (file data: ordered mode), one
 * flush; then the commit block and a flush (durable from here). The
 * first transaction of an empty log also sets s_start, before its
 * commit block. */
static int write_tx(struct ext2_journal *j)
{
	struct blkdev *d = j->s->dev;
	uint32_t need = jbd2_log_blocks(j, j->nctx, j->ncrev), pos;
	int err = 0;

	if (need > j->maxlen - j->first) {
		fw_err("ext2 (%s): jbd2: a transaction of %u blocks does not fit the journal: journaling stops",
		       d->name, j->nctx);
		return -EIO;
	}
	if (need > j->maxlen - j->head) {
		/* Full: only the policy below kept this from happening. */
		if (!may_checkpoint(j)) {
			fw_err("ext2 (%s): jbd2: a transaction of %u blocks does not fit the log's %u free blocks, and the log cannot be emptied first: journaling stops",
			       d->name, j->nctx, j->maxlen - j->head);
			return -EIO;
		}
		err = checkpoint(j);
	}
	if (!err && j->head == j->first)
		err = jbd2_jsb_update(j, j->first, false);
	pos = j->head;
	if (!err)
		err = write_revokes(j, &pos);
	if (!err)
		err = write_log(j, &pos);
	if (!err)
		err = write_beside_pinned(j);
	if (!err)
		err = bcache_sync(d);
	if (!err)
		err = write_commit(j, pos);
	if (!err)
		err = bcache_sync(d);
	if (!err) {
		j->head = pos + 1;
		j->seq++;
	}
	return err;
}

int jbd2_do_commit(struct ext2_journal *j, bool want_checkpoint)
{
	struct blkdev *d = j->s->dev;
	bool aborted;
	int err = 0;

	fw_mutex_lock(&j->lock);
	aborted = j->aborted;
	fw_mutex_unlock(&j->lock);
	if (aborted) { /* by ext2_jrevoke, or at an earlier commit */
		bool had = j->nctx || j->ncrev;

		release(j, false);
		abandon_log(j);
		return had ? -EIO : 0;
	}
	if (j->nctx || j->ncrev) {
		err = write_tx(j);
		release(j, !err);
	}
	/* Keep at least half the log free for the next transaction (which
	 * commits past a quarter), so the checkpoint happens here, with the
	 * committed blocks unpinned, rather than in write_tx. */
	if (!err && (want_checkpoint || j->maxlen - j->head < (j->maxlen - j->first) / 2) &&
	    may_checkpoint(j))
		err = checkpoint(j);
	if (err) {
		fw_err("ext2 (%s): jbd2: commit %u failed (%d): journaling stops",
		       d->name, j->seq, err);
		fw_mutex_lock(&j->lock);
		j->aborted = true;
		fw_mutex_unlock(&j->lock);
		abandon_log(j);
		return -EIO;
	}
	return 0;
}
