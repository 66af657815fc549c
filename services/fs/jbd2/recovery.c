/* services/fs/jbd2/recovery.c: replaying an ext3/ext4 (jbd2) journal at
 * mount, as Linux's fs/jbd2/recovery.c does.
 *
 * Layer: services (safe C), a helper of ext2 (its own folder, as Linux's
 * fs/jbd2, because ext2's is full; it sees only ext2.h). The journal is
 * an ordinary file (the superblock's s_journal_inum, inode 8 in
 * practice) reached through ext2_iget and ext2_bmap_run only, so a
 * journal mapped by extents (ext4) is read the same way. Journal blocks and their
 * home locations are both reached through the block cache; every on-disk
 * structure is read with bounded byte views. jbd2 is big-endian
 * throughout (Documentation/filesystems/ext4/journal.rst).
 *
 * This driver does not journal its own writes: a file system whose
 * needs_recovery flag is set (an ext3/ext4 that was not unmounted
 * cleanly) has its log replayed once, at mount, and the flag is then
 * cleared, exactly what Linux leaves on disk after mounting and
 * unmounting it. Recovery is Linux's three passes over the log:
 *   PASS_SCAN    find the end of the log: the first block that is not a
 *                header with the next expected sequence number, or the
 *                first transaction whose commit block fails its checksum;
 *   PASS_REVOKE  collect revoke records (block -> newest revoking
 *                transaction) in a hash table;
 *   PASS_REPLAY  copy each tagged block of every committed transaction
 *                to its home location unless a transaction at least as
 *                new revoked it.
 * Checksums (v1 compat crc32, v2/v3 crc32c of descriptor tails, commit
 * blocks and data blocks) are checked where Linux checks them, with its
 * outcome: a bad descriptor or revoke block in PASS_SCAN ends the log if
 * its transaction's commit looks stale, a bad commit block ends the log
 * (with async_commit the log is still walked), a bad data block is
 * skipped and the recovery then fails (the mount is refused).
 *
 * A journal that lies must not crash the kernel or make it write outside
 * the file system: the superblock's geometry is checked against the
 * journal file, every walk of the log is bounded by the journal's length,
 * a hole in the journal file is an error, and a committed tag naming a
 * block outside the file system refuses the mount before anything is
 * written (PASS_SCAN checks every tag). Such journals give -EIO or
 * -EINVAL and a log line; e2fsck can then repair the file system.
 *
 * Not supported (refused with a log line): external journals, fast
 * commits (INCOMPAT_FAST_COMMIT: ext4-specific replay of logical
 * records), and a read-only device (Linux: "write access unavailable,
 * cannot proceed"). */
#include <fw/heap.h>
#include <fw/log.h>

#include "fs/ext2/ext2.h"
#include "fs/jbd2/jbd2.h"

/* What this replay understands (Linux's known set minus fast commits). */
#define JBD2_INCOMPAT_SUPP                                                    \
	(JBD2_FEATURE_INCOMPAT_REVOKE | JBD2_FEATURE_INCOMPAT_64BIT |         \
	 JBD2_FEATURE_INCOMPAT_ASYNC_COMMIT | JBD2_FEATURE_INCOMPAT_CSUM_V2 | \
	 JBD2_FEATURE_INCOMPAT_CSUM_V3)

/* ---- in-memory state ----------------------------------------------------- */

enum jpass { PASS_SCAN, PASS_REVOKE, PASS_REPLAY };

#define JREVOKE_BUCKETS 256

/* A revoked block and the newest transaction that revoked it. */
struct jrevoke {
	struct fw_list node;		/* on a journal.revoked chain */
	uint64_t blk;			/* file system block */
	uint32_t seq;			/* revoking transaction */
};

/* One recovery, from mount's thread alone (nothing else runs on the
 * file system yet), so nothing here is locked. */
struct journal {
	struct ext2_sb *s;
	struct inode *ino;		/* the journal file */
	uint32_t bs;			/* journal block = fs block size */
	uint32_t first;			/* log area [first, last) */
	uint32_t last;			/* s_maxlen */
	uint32_t sequence;		/* s_sequence */
	uint32_t start;			/* s_start */
	uint32_t compat;		/* v2 features (0 for a v1 sb) */
	uint32_t incompat;
	unsigned tag_bytes;		/* journal_tag_bytes() */
	bool csum;			/* CSUM_V2 or CSUM_V3 */
	uint32_t csum_seed;		/* crc32c(~0, s_uuid) */

	/* the journal file's last mapped run (bmap calls are not free) */
	uint32_t run_lblk;
	uint32_t run_pblk;
	unsigned run_len;

	/* found by PASS_SCAN */
	uint32_t end;			/* first transaction not replayed */
	bool end_set;
	bool bad_tag;			/* a tag named a block outside the fs */
	uint32_t bad_tid;		/* ...in this transaction */
	uint64_t bad_blk;
	uint64_t nr_revokes;

	/* PASS_REPLAY */
	unsigned nr_replays;
	unsigned nr_revoke_hits;

	struct fw_list revoked[JREVOKE_BUCKETS];
};

/* ---- checksums ----------------------------------------------------------- */

/* crc32c (csum.c's ext2_crc32c, Linux's raw crc32c) over len zero bytes:
 * a field counted as zeros, a partial commit block's tail. */
static uint32_t crc32c_zeros(uint32_t crc, size_t len)
{
	static const uint8_t zeros[64];

	while (len) {
		size_t n = len < sizeof(zeros) ? len : sizeof(zeros);
		struct fw_bytes z = { 0 };

		if (fw_bytes_sub(FW_BYTES_OF_ARRAY(zeros), 0, n, &z))
			break;
		crc = ext2_crc32c(crc, z);
		len -= n;
	}
	return crc;
}

/* Linux's crc32_be (polynomial 0x04C11DB7, most significant bit first,
 * no inversion), used only by jbd2's old compat (v1) commit checksums.
 * Bit by bit: it runs only during recovery, where reads dominate. */
static uint32_t crc32_be(uint32_t crc, struct fw_bytes b)
{
	struct fw_reader r;
	uint8_t c;

	fw_reader_init(&r, b);
	while (!fw_reader_u8(&r, &c)) {
		crc ^= (uint32_t)c << 24;
		for (unsigned i = 0; i < 8; i++)
			crc = crc & 0x80000000u ? crc << 1 ^ 0x04C11DB7u : crc << 1;
	}
	return crc;
}

/* ---- helpers ------------------------------------------------------------- */

/* Transaction IDs wrap: compare them as Linux's tid_gt/tid_geq do. */
static bool tid_gt(uint32_t x, uint32_t y)
{
	return (int32_t)(x - y) > 0;
}

static bool tid_geq(uint32_t x, uint32_t y)
{
	return (int32_t)(x - y) >= 0;
}

/* Fields at fixed offsets of a whole block (>= 1 KiB): an out-of-range
 * read cannot happen, and would read as 0. */
static uint32_t be32(struct fw_bytes b, size_t off)
{
	uint32_t v = 0;

	if (fw_bytes_get_u32_be(b, off, &v))
		return 0;
	return v;
}

static uint16_t be16(struct fw_bytes b, size_t off)
{
	uint16_t v = 0;

	if (fw_bytes_get_u16_be(b, off, &v))
		return 0;
	return v;
}

static uint8_t u8at(struct fw_bytes b, size_t off)
{
	uint8_t v = 0;

	if (fw_bytes_get_u8(b, off, &v))
		return 0;
	return v;
}

static const char *dname(const struct journal *j)
{
	return j->s->dev->name;
}

/* The next log block after blk (the log wraps from s_maxlen to s_first). */
static uint32_t wrap_next(const struct journal *j, uint32_t blk)
{
	blk++;
	if (blk >= j->last)
		blk -= j->last - j->first;
	return blk;
}

/* Physical block of journal block lblk. A hole is corruption (Linux
 * jbd2_journal_bmap: "bad block at offset"). */
static int jmap(struct journal *j, uint32_t lblk, uint32_t *pblk)
{
	uint32_t p = 0;
	unsigned n = 0;
	int err;

	if (lblk >= j->last)
		return -EIO; /* wrap_next and the sb checks keep us below */
	if (j->run_len && lblk >= j->run_lblk && lblk - j->run_lblk < j->run_len) {
		*pblk = j->run_pblk + (lblk - j->run_lblk);
		return 0;
	}
	fw_mutex_lock(&j->ino->lock);
	err = ext2_bmap_run(j->ino, lblk, j->last - lblk, &p, &n);
	fw_mutex_unlock(&j->ino->lock);
	if (!err && !p)
		err = -EIO;
	if (err) {
		fw_warn("ext2 (%s): jbd2: bad block at offset %u of the journal (%d)",
			dname(j), lblk, err);
		return err == -ENOMEM ? err : -EIO;
	}
	j->run_lblk = lblk;
	j->run_pblk = p;
	j->run_len = n ? n : 1;
	*pblk = p;
	return 0;
}

/* Reference journal block lblk. */
static int jread(struct journal *j, uint32_t lblk, struct bref *r)
{
	uint32_t p = 0;
	int err = jmap(j, lblk, &p);

	if (err)
		return err;
	err = bcache_get(j->s->dev, p, j->bs, true, r);
	if (err)
		fw_warn("ext2 (%s): jbd2: cannot read journal block %u (%d)",
			dname(j), lblk, err);
	return err;
}

/* crc32c(seed, b) with the 4 bytes at off counted as zeros: how jbd2
 * checksums a block whose checksum field lies inside it. */
static uint32_t crc_skip(uint32_t seed, struct fw_bytes b, size_t off)
{
	struct fw_bytes head = { 0 }, tail = { 0 };
	size_t len = fw_bytes_len(b);

	if (off > len || len - off < 4 ||
	    fw_bytes_sub(b, 0, off, &head) ||
	    fw_bytes_sub(b, off + 4, len - off - 4, &tail))
		return ~seed; /* cannot match what callers compare it with */
	return ext2_crc32c(crc32c_zeros(ext2_crc32c(seed, head), 4), tail);
}

/* v2/v3: the checksum in a descriptor or revoke block's tail. */
static bool tail_csum_ok(const struct journal *j, struct fw_bytes b)
{
	if (!j->csum)
		return true;
	return be32(b, j->bs - JBD2_TAIL_SIZE) ==
	       crc_skip(j->csum_seed, b, j->bs - JBD2_TAIL_SIZE);
}

/* v2/v3: a commit block's checksum (h_chksum[0]). */
static bool commit_csum_ok(const struct journal *j, struct fw_bytes b)
{
	if (!j->csum)
		return true;
	return be32(b, JC_CHKSUM) == crc_skip(j->csum_seed, b, JC_CHKSUM);
}

/* Linux 6.x jbd2_commit_block_csum_verify_partial: a commit block whose
 * checksum covers only the header (the rest as zeros), as some kernels
 * wrote it. */
static bool commit_csum_partial_ok(const struct journal *j, struct fw_bytes b)
{
	struct fw_bytes hdr;
	uint32_t c;

	if (fw_bytes_sub(b, 0, JC_SIZE, &hdr))
		return false;
	c = crc_skip(j->csum_seed, hdr, JC_CHKSUM);
	return be32(b, JC_CHKSUM) == crc32c_zeros(c, j->bs - JC_SIZE);
}

/* v2/v3: a data block against its tag: crc32c(seed, be32 seq, data). */
static bool tag_csum_ok(const struct journal *j, struct fw_bytes tag,
			struct fw_bytes data, uint32_t seq)
{
	uint8_t sb[4] = { (uint8_t)(seq >> 24), (uint8_t)(seq >> 16),
			  (uint8_t)(seq >> 8), (uint8_t)seq };
	uint32_t c;

	if (!j->csum)
		return true;
	c = ext2_crc32c(ext2_crc32c(j->csum_seed, FW_BYTES_OF_ARRAY(sb)), data);
	if (j->incompat & JBD2_FEATURE_INCOMPAT_CSUM_V3)
		return be32(tag, TAG3_CSUM) == c;
	return be16(tag, TAG_CSUM16) == (uint16_t)c;
}

/* ---- descriptor tags ----------------------------------------------------- */

/* A cursor over a descriptor block's tags (Linux count_tags and the
 * replay loop walk them the same way). */
struct tagwalk {
	struct fw_bytes blk;		/* the descriptor block */
	size_t off;			/* next tag */
	bool done;			/* LAST_TAG seen */
};

/* The next tag: its bytes, block number and flags. false when no more
 * tags fit before the block's end (or its v2/v3 tail). */
static bool next_tag(const struct journal *j, struct tagwalk *w,
		     struct fw_bytes *tag, uint64_t *blk, uint16_t *flags)
{
	size_t limit = j->bs - (j->csum ? JBD2_TAIL_SIZE : 0);

	if (w->done || w->off > limit || limit - w->off < j->tag_bytes ||
	    fw_bytes_sub(w->blk, w->off, j->tag_bytes, tag))
		return false;
	*flags = be16(*tag, TAG_FLAGS);
	*blk = be32(*tag, TAG_BLOCKNR);
	if (j->incompat & JBD2_FEATURE_INCOMPAT_64BIT)
		*blk |= (uint64_t)be32(*tag, TAG_BLOCKNR_HIGH) << 32;
	w->off += j->tag_bytes;
	if (!(*flags & JBD2_FLAG_SAME_UUID))
		w->off += TAG_UUID_SIZE;
	if (*flags & JBD2_FLAG_LAST_TAG)
		w->done = true;
	return true;
}

/* ---- revoke table -------------------------------------------------------- */

static struct fw_list *revoke_bucket(struct journal *j, uint64_t blk)
{
	uint64_t h = (blk ^ (blk >> 32)) * 0x9E3779B97F4A7C15ull;

	return &j->revoked[(h >> 56) % JREVOKE_BUCKETS];
}

static struct jrevoke *revoke_find(struct journal *j, uint64_t blk)
{
	struct jrevoke *r;

	FW_LIST_FOR_EACH(r, revoke_bucket(j, blk), node)
		if (r->blk == blk)
			return r;
	return NULL;
}

/* Linux jbd2_journal_set_revoke: keep the newest revoking transaction. */
static int revoke_set(struct journal *j, uint64_t blk, uint32_t seq)
{
	struct jrevoke *r = revoke_find(j, blk);

	if (r) {
		if (tid_gt(seq, r->seq))
			r->seq = seq;
		return 0;
	}
	r = FW_NEW(struct jrevoke);
	if (!r)
		return -ENOMEM;
	r->blk = blk;
	r->seq = seq;
	fw_list_add_tail(revoke_bucket(j, blk), &r->node);
	return 0;
}

/* Linux jbd2_journal_test_revoke: is blk, logged by transaction seq,
 * revoked by that transaction or a later one? */
static bool revoke_test(struct journal *j, uint64_t blk, uint32_t seq)
{
	struct jrevoke *r = revoke_find(j, blk);

	return r && !tid_gt(seq, r->seq);
}

static void revoke_clear(struct journal *j)
{
	struct jrevoke *r, *t;

	for (unsigned i = 0; i < JREVOKE_BUCKETS; i++) {
		FW_LIST_FOR_EACH_SAFE(r, t, &j->revoked[i], node) {
			fw_list_del(&r->node);
			fw_free(r);
		}
	}
}

/* Linux scan_revoke_records. */
static int revoke_records(struct journal *j, enum jpass pass,
			  struct fw_bytes b, uint32_t seq)
{
	uint32_t count = be32(b, JR_COUNT);
	unsigned rec = j->incompat & JBD2_FEATURE_INCOMPAT_64BIT ? 8 : 4;

	if (count > j->bs - (j->csum ? JBD2_TAIL_SIZE : 0)) {
		fw_warn("ext2 (%s): jbd2: revoke block of transaction %u: count %u past the block",
			dname(j), seq, count);
		return -EINVAL;
	}
	if (pass == PASS_SCAN) {
		if (count > JR_SIZE)
			j->nr_revokes += (count - JR_SIZE) / rec;
		return 0;
	}
	for (uint32_t off = JR_SIZE; off + rec <= count; off += rec) {
		uint64_t blk = rec == 8 ? (uint64_t)be32(b, off) << 32 | be32(b, off + 4)
					: be32(b, off);
		int err;

		/* Blocks outside the file system are never replayed (the
		 * scan refuses such tags), so their revokes need no room. */
		if (blk >= j->s->blocks_count)
			continue;
		err = revoke_set(j, blk, seq);
		if (err)
			return err;
	}
	return 0;
}

/* ---- the passes ---------------------------------------------------------- */

/* Where a pass is in the log; walked counts every block it has stepped
 * over, so no pass goes round the journal more than once. */
struct logpos {
	uint32_t blk;			/* next log block */
	uint64_t walked;		/* blocks stepped over */
	uint64_t limit;			/* last - first */
};

/* Step over the block at pos; its number in *io. -EIO if the log would
 * be longer than the journal (a corrupt log that goes round). */
static int step(struct journal *j, struct logpos *pos, uint32_t *io)
{
	if (pos->walked >= pos->limit) {
		fw_warn("ext2 (%s): jbd2: log longer than the journal (%llu blocks): corrupt",
			dname(j), (unsigned long long)pos->limit);
		return -EIO;
	}
	*io = pos->blk;
	pos->blk = wrap_next(j, pos->blk);
	pos->walked++;
	return 0;
}

/* PASS_SCAN of a descriptor: step over its data blocks, note tags that
 * name blocks outside the file system, and (v1 compat checksums) add
 * the descriptor and its blocks to *crc (Linux calc_chksums). */
static int scan_descriptor(struct journal *j, struct fw_bytes b,
			   uint32_t seq, struct logpos *pos, uint32_t *crc)
{
	struct tagwalk w = { .blk = b, .off = JH_SIZE, .done = false };
	struct fw_bytes tag;
	uint64_t blk;
	uint16_t flags;

	if (crc)
		*crc = crc32_be(*crc, b);
	while (next_tag(j, &w, &tag, &blk, &flags)) {
		uint32_t io;
		int err = step(j, pos, &io);

		if (err)
			return err;
		if (blk >= j->s->blocks_count && !j->bad_tag) {
			j->bad_tag = true;
			j->bad_tid = seq;
			j->bad_blk = blk;
		}
		if (crc) {
			struct bref r;

			err = jread(j, io, &r);
			if (err)
				return err;
			*crc = crc32_be(*crc, fw_buf_as_bytes(r.data));
			bref_put(&r);
		}
	}
	return 0;
}

/* PASS_REVOKE: step over a descriptor's data blocks. */
static int skip_descriptor(struct journal *j, struct fw_bytes b,
			   struct logpos *pos)
{
	struct tagwalk w = { .blk = b, .off = JH_SIZE, .done = false };
	struct fw_bytes tag;
	uint64_t blk;
	uint16_t flags;

	while (next_tag(j, &w, &tag, &blk, &flags)) {
		uint32_t io;
		int err = step(j, pos, &io);

		if (err)
			return err;
	}
	return 0;
}

/* Copy journal block data to file system block blk (un-escaping it). */
static int write_home(struct journal *j, uint64_t blk, struct fw_bytes data,
		      uint16_t flags)
{
	struct bref r;
	int err;

	if (blk >= j->s->blocks_count)
		return -EIO; /* refused by the scan already; never written */
	/* fill = false: the whole block is overwritten. */
	err = bcache_get(j->s->dev, blk, j->bs, false, &r);
	if (err)
		return err;
	err = fw_buf_copy_from(r.data, 0, data);
	if (!err && (flags & JBD2_FLAG_ESCAPE))
		err = fw_buf_put_u32_be(r.data, 0, JBD2_MAGIC);
	if (!err)
		bref_dirty(&r);
	bref_put(&r);
	return err;
}

/* PASS_REPLAY of a descriptor (Linux jbd2_do_replay): write each
 * unrevoked block home. A block that cannot be read or fails its
 * checksum is skipped, and the recovery fails at the end. */
static int replay_descriptor(struct journal *j, struct fw_bytes b,
			     uint32_t seq, struct logpos *pos)
{
	struct tagwalk w = { .blk = b, .off = JH_SIZE, .done = false };
	struct fw_bytes tag;
	uint64_t blk;
	uint16_t flags;
	int ret = 0;

	while (next_tag(j, &w, &tag, &blk, &flags)) {
		struct bref r;
		uint32_t io;
		int err = step(j, pos, &io);

		if (err)
			return err;
		err = jread(j, io, &r);
		if (err) {
			ret = err;
			continue;
		}
		if (revoke_test(j, blk, seq)) {
			j->nr_revoke_hits++;
		} else if (!tag_csum_ok(j, tag, fw_buf_as_bytes(r.data), seq)) {
			fw_warn("ext2 (%s): jbd2: invalid checksum recovering data block %llu in journal block %u",
				dname(j), (unsigned long long)blk, io);
			ret = -EIO;
		} else {
			err = write_home(j, blk, fw_buf_as_bytes(r.data), flags);
			if (err) {
				fw_warn("ext2 (%s): jbd2: cannot write block %llu (%d)",
					dname(j), (unsigned long long)blk, err);
				if (err == -ENOMEM) {
					bref_put(&r);
					return err;
				}
				ret = err;
			} else {
				j->nr_replays++;
			}
		}
		bref_put(&r);
	}
	return ret;
}

/* What a commit block tells PASS_SCAN. */
enum commit_verdict { COMMIT_OK, COMMIT_END, COMMIT_FAIL };

/* PASS_SCAN of the commit block of transaction seq (Linux do_one_pass,
 * JBD2_COMMIT_BLOCK). */
static enum commit_verdict scan_commit(struct journal *j, struct fw_bytes b,
				       uint32_t seq, bool need_check_time,
				       uint64_t *last_time, uint32_t *crc)
{
	uint64_t t = (uint64_t)be32(b, JC_COMMIT_SEC) << 32 | be32(b, JC_COMMIT_SEC + 4);

	if (need_check_time) {
		/* A descriptor or revoke block of this transaction failed its
		 * checksum: a commit no older than the last one means real
		 * corruption; an older one is a stale block from an earlier
		 * use of the journal, where the log ends. */
		if (t >= *last_time) {
			fw_warn("ext2 (%s): jbd2: invalid checksum found in transaction %u",
				dname(j), seq);
			return COMMIT_FAIL;
		}
		return COMMIT_END;
	}
	if (j->compat & JBD2_FEATURE_COMPAT_CHECKSUM) {
		uint32_t found = be32(b, JC_CHKSUM);
		uint8_t type = u8at(b, JC_CHKSUM_TYPE), size = u8at(b, JC_CHKSUM_SIZE);
		bool ok = (*crc == found && type == JBD2_CRC32_CHKSUM &&
			   size == JBD2_CRC32_CHKSUM_SIZE) ||
			  (type == 0 && size == 0 && found == 0);

		if (j->end_set)
			return COMMIT_END;
		*crc = ~0u;
		if (ok)
			goto ok;
	} else if (commit_csum_ok(j, b)) {
		goto ok;
	} else if (commit_csum_partial_ok(j, b)) {
		fw_info("ext2 (%s): jbd2: incomplete commit block in transaction %u",
			dname(j), seq);
		goto ok;
	}
	/* A bad commit block. */
	if (t < *last_time)
		return COMMIT_END; /* stale: the log ends before it */
	fw_warn("ext2 (%s): jbd2: bad commit block checksum in transaction %u: log ends there",
		dname(j), seq);
	j->end = seq;
	j->end_set = true;
	if (!(j->incompat & JBD2_FEATURE_INCOMPAT_ASYNC_COMMIT))
		return COMMIT_END;
ok:
	*last_time = t;
	return COMMIT_OK;
}

/* One pass over the log (Linux do_one_pass). */
static int do_pass(struct journal *j, enum jpass pass)
{
	struct logpos pos = { .blk = j->start, .walked = 0,
			      .limit = j->last - j->first };
	uint32_t next_id = j->sequence;
	uint32_t crc = ~0u;		/* v1 compat checksum of a transaction */
	bool need_check_time = false;
	uint64_t last_time = 0;
	int success = 0, err = 0;

	for (;;) {
		struct fw_bytes b;
		struct bref r;
		uint32_t io;

		if (pass != PASS_SCAN && tid_geq(next_id, j->end))
			break;
		err = step(j, &pos, &io);
		if (!err)
			err = jread(j, io, &r);
		if (err)
			return err;
		b = fw_buf_as_bytes(r.data);
		if (be32(b, JH_MAGIC) != JBD2_MAGIC || be32(b, JH_SEQUENCE) != next_id) {
			bref_put(&r);
			break;
		}
		switch (be32(b, JH_BLOCKTYPE)) {
		case JBD2_DESCRIPTOR_BLOCK:
			if (!tail_csum_ok(j, b)) {
				/* PASS_SCAN may meet stale blocks: the commit
				 * decides. Later passes stop before them. */
				if (pass != PASS_SCAN) {
					fw_warn("ext2 (%s): jbd2: invalid checksum recovering block %u in log",
						dname(j), io);
					err = -EIO;
					break;
				}
				need_check_time = true;
			}
			if (pass == PASS_SCAN)
				err = scan_descriptor(j, b, next_id, &pos,
						      (j->compat & JBD2_FEATURE_COMPAT_CHECKSUM) &&
						      !j->end_set ? &crc : NULL);
			else if (pass == PASS_REVOKE)
				err = skip_descriptor(j, b, &pos);
			else if ((err = replay_descriptor(j, b, next_id, &pos)) != 0 &&
				 err != -ENOMEM) {
				success = err; /* replay the rest, fail at the end */
				err = 0;
			}
			bref_put(&r);
			if (err)
				return err;
			continue;
		case JBD2_COMMIT_BLOCK:
			if (pass == PASS_SCAN) {
				enum commit_verdict v = scan_commit(j, b, next_id, need_check_time,
								    &last_time, &crc);

				bref_put(&r);
				if (v == COMMIT_FAIL)
					return -EIO;
				if (v == COMMIT_END)
					goto done;
			} else {
				bref_put(&r);
			}
			next_id++;
			continue;
		case JBD2_REVOKE_BLOCK:
			if (pass == PASS_SCAN && !tail_csum_ok(j, b))
				need_check_time = true;
			if (pass != PASS_REPLAY)
				err = revoke_records(j, pass, b, next_id);
			bref_put(&r);
			if (err)
				return err;
			continue;
		default:
			bref_put(&r);
			goto done;
		}
		/* only a descriptor checksum failure in a later pass */
		bref_put(&r);
		return err;
	}
done:
	if (pass == PASS_SCAN) {
		if (!j->end_set) {
			j->end = next_id;
			j->end_set = true;
		}
	} else if (j->end != next_id) {
		/* The passes disagree: the replay rewrote the log itself. */
		fw_warn("ext2 (%s): jbd2: recovery pass %d ended at transaction %u, expected %u",
			dname(j), pass, next_id, j->end);
		if (!success)
			success = -EIO;
	}
	return success;
}

/* ---- superblocks --------------------------------------------------------- */

/* Read and check the journal superblock (Linux journal_load,
 * load_superblock). size_blocks: the journal file's length. */
static int load_jsb(struct journal *j, uint64_t size_blocks)
{
	struct bref r;
	struct fw_bytes b, sb;
	uint32_t type, maxlen;
	int err;

	/* Until s_maxlen is known, block 0 is all jmap may read. */
	j->last = size_blocks ? 1 : 0;
	err = jread(j, 0, &r);
	if (err)
		return err;
	b = fw_buf_as_bytes(r.data);
	err = -EINVAL;
	type = be32(b, JH_BLOCKTYPE);
	maxlen = be32(b, JSB_MAXLEN);
	if (be32(b, JH_MAGIC) != JBD2_MAGIC ||
	    (type != JBD2_SUPERBLOCK_V1 && type != JBD2_SUPERBLOCK_V2) ||
	    be32(b, JSB_BLOCKSIZE) != j->bs) {
		fw_warn("ext2 (%s): jbd2: no valid journal superblock found", dname(j));
		goto out;
	}
	if (maxlen > size_blocks || maxlen < 2) {
		fw_warn("ext2 (%s): jbd2: journal file too short (%u blocks, file has %llu)",
			dname(j), maxlen, (unsigned long long)size_blocks);
		goto out;
	}
	j->last = maxlen;
	j->first = be32(b, JSB_FIRST);
	j->sequence = be32(b, JSB_SEQUENCE);
	j->start = be32(b, JSB_START);
	if (j->first == 0 || j->first >= j->last ||
	    (j->start && (j->start < j->first || j->start >= j->last))) {
		fw_warn("ext2 (%s): jbd2: invalid start block of journal (first %u, start %u, length %u)",
			dname(j), j->first, j->start, j->last);
		goto out;
	}
	if (type == JBD2_SUPERBLOCK_V2) {
		j->compat = be32(b, JSB_FEATURE_COMPAT);
		j->incompat = be32(b, JSB_FEATURE_INCOMPAT);
	}
	if (j->incompat & ~(uint32_t)JBD2_INCOMPAT_SUPP) {
		fw_warn("ext2 (%s): jbd2: unsupported journal features %x%s", dname(j),
			j->incompat & ~(uint32_t)JBD2_INCOMPAT_SUPP,
			j->incompat & JBD2_FEATURE_INCOMPAT_FAST_COMMIT ? " (fast commit)" : "");
		goto out;
	}
	j->csum = j->incompat & (JBD2_FEATURE_INCOMPAT_CSUM_V2 | JBD2_FEATURE_INCOMPAT_CSUM_V3);
	if ((j->incompat & JBD2_FEATURE_INCOMPAT_CSUM_V2) &&
	    (j->incompat & JBD2_FEATURE_INCOMPAT_CSUM_V3)) {
		fw_warn("ext2 (%s): jbd2: can't enable checksumming v2 and v3 at the same time",
			dname(j));
		goto out;
	}
	if (j->csum && (j->compat & JBD2_FEATURE_COMPAT_CHECKSUM)) {
		fw_warn("ext2 (%s): jbd2: can't enable checksumming v1 and v2/3 at the same time",
			dname(j));
		goto out;
	}
	if (j->csum) {
		struct fw_bytes uuid;

		if (u8at(b, JSB_CHECKSUM_TYPE) != JBD2_CRC32C_CHKSUM) {
			fw_warn("ext2 (%s): jbd2: unknown checksum type", dname(j));
			goto out;
		}
		if (fw_bytes_sub(b, 0, JSB_SIZE, &sb) ||
		    be32(b, JSB_CHECKSUM) != crc_skip(~0u, sb, JSB_CHECKSUM)) {
			fw_warn("ext2 (%s): jbd2: journal checksum error", dname(j));
			err = -EIO;
			goto out;
		}
		if (fw_bytes_sub(b, JSB_UUID, 16, &uuid))
			goto out;
		j->csum_seed = ext2_crc32c(~0u, uuid);
	}
	/* journal_tag_bytes() */
	if (j->incompat & JBD2_FEATURE_INCOMPAT_CSUM_V3) {
		j->tag_bytes = 16;
	} else {
		j->tag_bytes = 12 + (j->incompat & JBD2_FEATURE_INCOMPAT_CSUM_V2 ? 2 : 0);
		if (!(j->incompat & JBD2_FEATURE_INCOMPAT_64BIT))
			j->tag_bytes -= 4;
	}
	if (be32(b, JSB_ERRNO))
		fw_warn("ext2 (%s): jbd2: the journal recorded error %d",
			dname(j), (int32_t)be32(b, JSB_ERRNO));
	err = 0;
out:
	bref_put(&r);
	return err;
}

/* After a replay: the log is empty (s_start 0) and the next transaction
 * is the one after the last seen, so stale commit blocks can never match
 * (Linux: j_transaction_sequence = ++end_transaction, then
 * jbd2_mark_journal_empty; e2fsck writes the same). s_errno is cleared
 * once the file system carries the error (see clear_recover). */
static int jsb_mark_empty(struct journal *j, bool replayed)
{
	struct bref r;
	struct fw_bytes sb;
	int err = jread(j, 0, &r);

	if (err)
		return err;
	if (replayed)
		err = fw_buf_put_u32_be(r.data, JSB_SEQUENCE, j->end + 1) |
		      fw_buf_put_u32_be(r.data, JSB_START, 0);
	err |= fw_buf_put_u32_be(r.data, JSB_ERRNO, 0);
	if (!err && j->csum) {
		if (fw_bytes_sub(fw_buf_as_bytes(r.data), 0, JSB_SIZE, &sb))
			err = -EIO;
		else
			err = fw_buf_put_u32_be(r.data, JSB_CHECKSUM,
						crc_skip(~0u, sb, JSB_CHECKSUM));
	}
	if (!err)
		bref_dirty(&r);
	bref_put(&r);
	return err ? -EIO : 0;
}

/* Clear needs_recovery in the (replayed) file system superblock, mark it
 * with errors if the journal recorded one (Linux
 * ext4_clear_journal_err), and refresh its metadata_csum checksum. */
static int clear_recover(struct ext2_sb *s, bool fs_error)
{
	struct bref r;
	struct fw_bytes head;
	uint32_t inc = 0, ro = 0;
	uint16_t state = 0;
	int err = bcache_get(s->dev, 1, EXT2_SB_SIZE, true, &r);

	if (err)
		return err;
	err = fw_bytes_get_u32_le(fw_buf_as_bytes(r.data), SB_FEATURE_INCOMPAT, &inc) |
	      fw_bytes_get_u32_le(fw_buf_as_bytes(r.data), SB_FEATURE_RO_COMPAT, &ro) |
	      fw_bytes_get_u16_le(fw_buf_as_bytes(r.data), SB_STATE, &state);
	if (!err)
		err = fw_buf_put_u32_le(r.data, SB_FEATURE_INCOMPAT,
					inc & ~(uint32_t)EXT3_FEATURE_INCOMPAT_RECOVER);
	if (!err && fs_error)
		err = fw_buf_put_u16_le(r.data, SB_STATE, (uint16_t)(state | EXT2_ERROR_FS));
	if (!err && (ro & EXT4_FEATURE_RO_COMPAT_METADATA_CSUM)) {
		/* ext4_superblock_csum: crc32c(~0) of what precedes s_checksum */
		err = fw_bytes_sub(fw_buf_as_bytes(r.data), 0, SB_CHECKSUM, &head);
		if (!err)
			err = fw_buf_put_u32_le(r.data, SB_CHECKSUM, ext2_crc32c(~0u, head));
	}
	if (!err) {
		bref_dirty(&r);
		s->feat_incompat &= ~(uint32_t)EXT3_FEATURE_INCOMPAT_RECOVER;
	}
	bref_put(&r);
	return err ? -EIO : 0;
}

/* ---- the entry point ----------------------------------------------------- */

/* The three passes, if the log is not empty. */
static int recover_log(struct journal *j)
{
	int err;

	if (!j->start)
		return 0; /* clean journal: nothing to replay */
	err = do_pass(j, PASS_SCAN);
	if (!err && j->bad_tag && tid_gt(j->end, j->bad_tid)) {
		fw_warn("ext2 (%s): jbd2: transaction %u logs block %llu, outside the file system",
			dname(j), j->bad_tid, (unsigned long long)j->bad_blk);
		err = -EIO;
	}
	if (!err)
		err = do_pass(j, PASS_REVOKE);
	if (!err)
		err = do_pass(j, PASS_REPLAY);
	fw_info("ext2 (%s): jbd2: recovery %s: transactions %u to %u, replayed %u blocks, revoked %u of %llu",
		dname(j), err ? "failed" : "complete", j->sequence, j->end,
		j->nr_replays, j->nr_revoke_hits, (unsigned long long)j->nr_revokes);
	return err;
}

/* Look up the journal inode (a reserved inode ext2_iget otherwise
 * refuses) and recover its log. */
static int recover(struct journal *j, uint32_t jino)
{
	struct ext2_sb *s = j->s;
	bool fs_error = false;
	struct bref r;
	int err, err2;

	s->journal_ino = jino;
	err = ext2_iget(s, jino, &j->ino);
	s->journal_ino = 0;
	if (err)
		return err;
	if (!S_ISREG(j->ino->mode)) {
		fw_warn("ext2 (%s): jbd2: invalid journal inode %u", s->dev->name, jino);
		return -EINVAL;
	}
	err = load_jsb(j, j->ino->size >> s->log_bs);
	if (err)
		return err;
	if (!jread(j, 0, &r)) {
		fs_error = be32(fw_buf_as_bytes(r.data), JSB_ERRNO) != 0;
		bref_put(&r);
	}
	err = recover_log(j);
	/* Linux syncs what was replayed even when the replay failed. */
	err2 = bcache_sync(s->dev);
	if (err)
		return err;
	if (err2)
		return err2;
	/* The replayed blocks are on the disk before the journal says it is
	 * empty and the superblock that it needs no recovery. */
	if (j->start || fs_error)
		err = jsb_mark_empty(j, j->start != 0);
	if (!err)
		err = clear_recover(s, fs_error);
	if (!err)
		err = bcache_sync(s->dev);
	return err;
}

int ext2_journal_recover(struct ext2_sb *s)
{
	struct superblock *vsb;
	struct journal *j;
	uint32_t jino = s->journal_inum;
	int err;

	if (!(s->feat_compat & EXT3_FEATURE_COMPAT_HAS_JOURNAL) || jino == 0) {
		fw_warn("ext2 (%s): needs_recovery set without an internal journal (external journals are not supported)",
			s->dev->name);
		return -EINVAL;
	}
	if (s->dev->read_only) {
		fw_warn("ext2 (%s): journal needs recovery: write access unavailable, cannot proceed",
			s->dev->name);
		return -EROFS;
	}
	if (s->rdonly)
		fw_info("ext2 (%s): recovery required on readonly filesystem: write access will be enabled during recovery",
			s->dev->name);
	j = FW_NEW(struct journal);
	/* The VFS superblock does not exist yet (mount makes it once the
	 * file system has been read): the journal inode gets a private one
	 * for its short life, and is dropped from the inode cache after. */
	vsb = FW_NEW(struct superblock);
	if (!j || !vsb) {
		fw_free(j);
		fw_free(vsb);
		return -ENOMEM;
	}
	vsb->dev = s->dev->rdev;
	vsb->magic = EXT2_MAGIC;
	vsb->fstype = "ext2";
	vsb->sops = &ext2_super_ops;
	vsb->ext2 = s;
	vsb->rdonly = true; /* nothing writes through the journal inode */
	s->vsb = vsb;
	j->s = s;
	j->bs = s->bs;
	for (unsigned i = 0; i < JREVOKE_BUCKETS; i++)
		fw_list_init(&j->revoked[i]);
	err = recover(j, jino);
	revoke_clear(j);
	if (j->ino) {
		/* Its inode-table block may just have been replayed: do not
		 * keep this copy cached. */
		if (j->ino->ext2)
			j->ino->ext2->bad = true;
		inode_put(j->ino);
	}
	s->vsb = NULL;
	fw_free(vsb);
	fw_free(j);
	return err;
}
