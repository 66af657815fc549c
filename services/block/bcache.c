/* services/block/bcache.c: the block cache.
 *
 * Layer: services (safe C), block layer. Units are found through a hash
 * table of (device, unit number); every unit is also on the LRU list
 * (least recently released first), and dirty ones on the dirty list in
 * the order they were first dirtied, which is also the order their
 * expiry comes. A unit being read has `reading` set; others who want it
 * wait on bcache_wq until the reader has filled it (or failed).
 *
 * Locking: bcache_lock (a mutex) guards the index, the lists, the flags
 * and reference counts. Device I/O runs with it dropped, holding a
 * reference on the unit instead. */
#include <fw/dma.h>
#include <fw/frame.h>
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/sync.h>
#include <fw/task.h>
#include <fw/time.h>

#include "block/bcache.h"

#define HASH_BUCKETS 1024u
#define FLUSH_PERIOD_NS (5ull * FW_NSEC_PER_SEC)

struct bbuf {
	/* bcache_lock */
	struct blkdev *dev;
	uint64_t unit;			/* device offset / BCACHE_UNIT */
	int refs;
	bool uptodate;			/* holds the device's bytes */
	bool reading;			/* a task is filling it */
	bool dirty;
	bool writing;			/* a write-back of it is in flight */
	bool newer;			/* its last write failed: the disk's
					   bytes are older */
	int pins;			/* journaled: not written back while > 0 */
	bool transit;			/* file data only (bcache_get_data) */
	bool parked;			/* on parked_list, not lru_list */
	uint8_t checked;		/* 512-byte slices a file system verified */
	uint64_t dirtied_ns;		/* when it became dirty */
	struct bbuf *hnext;		/* hash chain */
	struct fw_list lru;		/* lru_list or parked_list */
	struct fw_list dnode;		/* dirty_list, if dirty */
	/* set at creation */
	struct fw_dma *data;
	size_t len;			/* BCACHE_UNIT, less at the disk end */
};

static struct fw_mutex bcache_lock;
static struct fw_waitq bcache_wq;
static struct bbuf *hash[HASH_BUCKETS];			/* bcache_lock */
static struct fw_list lru_list = FW_LIST_HEAD_INIT(lru_list);	/* ditto */
/* Clean, unused units of file data, oldest first: at most BCACHE_PARKED
 * of them, so a file system reading the blocks of one unit one by one,
 * or a page's blocks from two units, does not read a unit once per
 * block; past that the oldest goes. */
static struct fw_list parked_list = FW_LIST_HEAD_INIT(parked_list); /* ditto */
static unsigned nr_parked;					/* ditto */
static struct fw_list dirty_list = FW_LIST_HEAD_INIT(dirty_list); /* ditto */
static uint64_t nr_units, nr_dirty;				/* ditto */
static uint64_t max_units;

static unsigned bucket(const struct blkdev *d, uint64_t unit)
{
	return (unsigned)((unit * 0x9E3779B97F4A7C15ull + d->rdev) >> 54) %
	       HASH_BUCKETS;
}

static struct bbuf *find(struct blkdev *d, uint64_t unit)
{
	for (struct bbuf *b = hash[bucket(d, unit)]; b; b = b->hnext)
		if (b->dev == d && b->unit == unit)
			return b;
	return NULL;
}

static void unhash(struct bbuf *b)
{
	struct bbuf **pp = &hash[bucket(b->dev, b->unit)];

	while (*pp != b)
		pp = &(*pp)->hnext;
	*pp = b->hnext;
}

/* Units given back, kept for reuse (at most SPARE_MAX, on their hnext):
 * file data passes through the cache, and a unit per 4 KiB moved would
 * otherwise cost an allocation, a zeroing and a free each time. */
#define SPARE_MAX 64u
static struct bbuf *spare_units;		/* bcache_lock */
static unsigned nr_spare;			/* ditto */

/* Free a unit that is out of the index and the LRU already. */
static void bbuf_release(struct bbuf *b)
{
	nr_units--;
	if (nr_spare < SPARE_MAX && b->len == BCACHE_UNIT) {
		b->hnext = spare_units;
		spare_units = b;
		nr_spare++;
		return;
	}
	fw_dma_free(b->data);
	fw_free(b);
}

/* Take b off lru_list or parked_list. */
static void unlist(struct bbuf *b)
{
	fw_list_del(&b->lru);
	if (b->parked) {
		b->parked = false;
		nr_parked--;
	}
}

static void bbuf_free(struct bbuf *b)
{
	unhash(b);
	unlist(b);
	bbuf_release(b);
}

static bool idle(const struct bbuf *b)
{
	return b->refs == 0 && !b->dirty && !b->reading && !b->writing &&
	       !b->pins;
}

/* b is file data nobody uses: park it, and let the oldest parked go
 * (one in use again meanwhile goes back to the LRU: it parks again when
 * its user is done). */
static void park(struct bbuf *b)
{
	fw_list_add_tail(&parked_list, &b->lru);
	b->parked = true;
	nr_parked++;
	while (nr_parked > BCACHE_PARKED) {
		struct bbuf *old = FW_LIST_FIRST(&parked_list, struct bbuf, lru);

		if (idle(old)) {
			bbuf_free(old);
		} else {
			unlist(old);
			fw_list_add_tail(&lru_list, &old->lru);
		}
	}
}

/* Over the limit: free clean units nobody holds, oldest first. */
static void shrink(void)
{
	struct bbuf *b, *tmp;

	FW_LIST_FOR_EACH_SAFE(b, tmp, &lru_list, lru) {
		if (nr_units <= max_units)
			return;
		if (idle(b))
			bbuf_free(b);
	}
}

/* A new unit of d, indexed, on the LRU, one reference: its bytes zero
 * if zero is set, else about to be read. */
static int bbuf_new(struct blkdev *d, uint64_t unit, bool zero,
		    struct bbuf **out)
{
	uint64_t off = unit * BCACHE_UNIT, end = blkdev_bytes(d);
	size_t len = end - off < BCACHE_UNIT ? end - off : BCACHE_UNIT;
	struct bbuf *b = spare_units;

	if (b && len == BCACHE_UNIT) {
		struct fw_dma *data = b->data;

		spare_units = b->hnext;
		nr_spare--;
		*b = (struct bbuf){ .data = data, .len = len };
		if (zero && fw_buf_fill(fw_dma_buf(data), 0, len, 0)) {
			fw_dma_free(data);
			fw_free(b);
			return -ENOMEM;
		}
	} else {
		b = FW_NEW(struct bbuf);
		if (!b)
			return -ENOMEM;
		b->len = len;
		if (fw_dma_alloc(b->len, &b->data)) {
			fw_free(b);
			return -ENOMEM;
		}
	}
	b->dev = d;
	b->unit = unit;
	b->refs = 1;
	b->hnext = hash[bucket(d, unit)];
	hash[bucket(d, unit)] = b;
	fw_list_add_tail(&lru_list, &b->lru);
	fw_list_init(&b->dnode);
	nr_units++;
	*out = b;
	return 0;
}

/* Drop a reference, bcache_lock held. A unit whose read failed is out of
 * the index and the LRU already, and goes with its last reference. */
static void put_locked(struct bbuf *b)
{
	b->refs--;
	if (!b->uptodate) {
		if (b->refs == 0)
			bbuf_release(b);
		return;
	}
	unlist(b);
	if (b->transit && idle(b)) {
		park(b); /* the page cache holds these bytes */
		return;
	}
	fw_list_add_tail(&lru_list, &b->lru);
	if (nr_units > max_units)
		shrink();
}

static bool fill_settled(struct bbuf *b)
{
	bool settled;

	fw_mutex_lock(&bcache_lock);
	settled = !b->reading;
	fw_mutex_unlock(&bcache_lock);
	return settled;
}

static unsigned max_segs(const struct blkdev *d)
{
	return d->max_segs == 0 || d->max_segs > BLK_MAX_SEGS ? 1
							       : d->max_segs;
}

/* How many units to read for a miss at unit: a reader that keeps asking
 * for the unit after the last read-ahead doubles the window, up to one
 * request's worth; any other miss reads just its unit (metadata and
 * random reads do not drag in neighbours). bcache_lock held. */
static unsigned ra_window(struct blkdev *d, uint64_t unit)
{
	if (unit == d->ra_next && d->ra_win) {
		d->ra_win *= 2;
		if (d->ra_win > max_segs(d))
			d->ra_win = max_segs(d);
	} else {
		d->ra_win = 1;
	}
	return d->ra_win;
}

/* Consecutive units moved by one request. */
struct bbuf_run {
	struct bbuf *b[BLK_MAX_SEGS];
	unsigned n;
};

static struct blk_req req_of(const struct bbuf_run *r)
{
	struct blk_req req = { .sector = r->b[0]->unit *
					 (BCACHE_UNIT / BLKDEV_SECTOR),
			       .n = r->n };

	for (unsigned i = 0; i < r->n; i++)
		req.seg[i] = (struct blk_seg){ r->b[i]->data, 0, (uint32_t)r->b[i]->len,
					       NULL };
	return req;
}

/* A miss at unit (bcache_lock held, dropped on return): create it and,
 * for a sequential reader, the uncached units after it, and fill them
 * with one request. The caller gets a reference on the first. */
static int fill_run(struct blkdev *d, uint64_t unit, bool fill, bool data,
		    struct bbuf **out)
{
	struct bbuf_run run = { .n = 0 };
	unsigned want = fill ? ra_window(d, unit) : 1;
	uint64_t units = (blkdev_bytes(d) + BCACHE_UNIT - 1) / BCACHE_UNIT;
	struct blk_req req;
	int err;

	err = bbuf_new(d, unit, !fill, &run.b[0]);
	if (err) {
		fw_mutex_unlock(&bcache_lock);
		return err;
	}
	run.b[0]->transit = data;
	run.b[run.n++]->reading = true;
	while (run.n < want && unit + run.n < units &&
	       !find(d, unit + run.n) &&
	       bbuf_new(d, unit + run.n, false, &run.b[run.n]) == 0) {
		/* Read-ahead: nobody holds it yet, and what it holds is
		 * not known: file data until something else claims it. */
		run.b[run.n]->refs = 0;
		run.b[run.n]->transit = true;
		run.b[run.n++]->reading = true;
	}
	if (fill)
		d->ra_next = unit + run.n;
	if (nr_units > max_units)
		shrink();
	fw_mutex_unlock(&bcache_lock);

	req = req_of(&run);
	err = fill ? d->ops->rw(d, false, &req) : 0;

	fw_mutex_lock(&bcache_lock);
	for (unsigned i = 0; i < run.n; i++) {
		struct bbuf *b = run.b[i];

		b->reading = false;
		if (!err) {
			b->uptodate = true;
			continue;
		}
		/* Out of the index; the last reference frees it (waiters
		 * that found it meanwhile drop theirs). */
		unhash(b);
		unlist(b);
		if (i == 0)
			put_locked(b);
		else if (b->refs == 0)
			bbuf_release(b);
	}
	fw_mutex_unlock(&bcache_lock);
	fw_waitq_wake_all(&bcache_wq);
	if (err)
		return err;
	*out = run.b[0];
	return 0;
}

/* A referenced, filled unit. A unit wanted for anything but file data
 * stays cached from then on. */
static int unit_get(struct blkdev *d, uint64_t unit, bool fill, bool data,
		    struct bbuf **out)
{
	struct bbuf *b;

	for (;;) {
		fw_mutex_lock(&bcache_lock);
		b = find(d, unit);
		if (!b)
			break;
		b->refs++;
		b->transit = b->transit && data;
		if (b->uptodate) {
			fw_mutex_unlock(&bcache_lock);
			*out = b;
			return 0;
		}
		fw_mutex_unlock(&bcache_lock);
		/* Another task is reading it: wait, then look again (its
		 * read may have failed and dropped the unit). */
		FW_WAIT_EVENT(&bcache_wq, fill_settled(b));
		fw_mutex_lock(&bcache_lock);
		if (b->uptodate) {
			fw_mutex_unlock(&bcache_lock);
			*out = b;
			return 0;
		}
		put_locked(b);
		fw_mutex_unlock(&bcache_lock);
	}
	/* bcache_lock held, not cached. */
	return fill_run(d, unit, fill, data, out);
}

static int get(struct blkdev *d, uint64_t blockno, unsigned blksize,
	       bool fill, bool data, struct bref *out)
{
	uint64_t off, unit;
	struct bbuf *b;
	int err;

	if (blksize != 512 && blksize != 1024 && blksize != 2048 &&
	    blksize != 4096)
		return -EINVAL;
	if (blockno >= blkdev_bytes(d) / blksize)
		return -EINVAL;
	off = blockno * blksize;
	unit = off / BCACHE_UNIT;
	/* A partial overwrite must still read the rest of the unit. */
	err = unit_get(d, unit, fill || blksize < BCACHE_UNIT, data, &b);
	if (err)
		return err;
	if (fw_buf_sub(fw_dma_buf(b->data), off % BCACHE_UNIT, blksize,
		       &out->data)) {
		fw_mutex_lock(&bcache_lock);
		put_locked(b);
		fw_mutex_unlock(&bcache_lock);
		return -EINVAL; /* the block runs past the disk's end */
	}
	out->b = b;
	out->off = (uint32_t)(off % BCACHE_UNIT);
	return 0;
}

unsigned bcache_max_frames(const struct blkdev *d)
{
	return max_segs(d);
}

/* Does the unit of d at byte at hold bytes the disk may not have yet?
 * A clean unit holds the disk's (or is being filled with them).
 * bcache_lock held. */
static bool ahead_of_disk(struct blkdev *d, uint64_t at)
{
	struct bbuf *b = find(d, at / BCACHE_UNIT);

	return b && (b->dirty || b->writing || b->pins || b->newer);
}

int bcache_read_frames(struct blkdev *d, uint64_t off,
		       const struct bcache_frames *f, unsigned n)
{
	struct blk_req req = { .sector = off / BLKDEV_SECTOR, .n = 0 };
	uint64_t len = (uint64_t)n * FW_PAGE_SIZE;
	int err;

	if (n == 0 || n > f->n || n > max_segs(d) || off % BLKDEV_SECTOR ||
	    off > blkdev_bytes(d) || len > blkdev_bytes(d) - off)
		return -EINVAL;
	/* The pages before the first that a unit ahead of the disk
	 * overlaps. */
	fw_mutex_lock(&bcache_lock);
	while (req.n < n) {
		uint64_t at = off + (uint64_t)req.n * FW_PAGE_SIZE;

		if (ahead_of_disk(d, at) || ahead_of_disk(d, at + FW_PAGE_SIZE - 1))
			break;
		req.seg[req.n] = (struct blk_seg){ .off = 0, .len = FW_PAGE_SIZE,
						   .frame = f->fr[req.n] };
		req.n++;
	}
	fw_mutex_unlock(&bcache_lock);
	if (!req.n)
		return -EAGAIN;
	/* Devices reach only DMA buffers, and frames mapped for them. */
	for (unsigned i = 0; i < req.n; i++) {
		err = fw_frame_dma_map(f->fr[i]);
		if (err) {
			while (i--)
				fw_frame_dma_unmap(f->fr[i]);
			return err;
		}
	}
	err = d->ops->rw(d, false, &req);
	for (unsigned i = 0; i < req.n; i++)
		fw_frame_dma_unmap(f->fr[i]);
	return err ? err : (int)req.n;
}

bool bcache_has(struct blkdev *d, uint64_t blockno, unsigned blksize)
{
	struct bbuf *b;
	bool has;

	fw_mutex_lock(&bcache_lock);
	b = find(d, blockno * blksize / BCACHE_UNIT);
	has = b && b->uptodate;
	fw_mutex_unlock(&bcache_lock);
	return has;
}

int bcache_get(struct blkdev *d, uint64_t blockno, unsigned blksize,
	       bool fill, struct bref *out)
{
	return get(d, blockno, blksize, fill, false, out);
}

int bcache_get_data(struct blkdev *d, uint64_t blockno, unsigned blksize,
		    bool fill, struct bref *out)
{
	return get(d, blockno, blksize, fill, true, out);
}

void bref_dirty(struct bref *r)
{
	struct bbuf *b = r->b;

	fw_mutex_lock(&bcache_lock);
	if (!b->dirty) {
		b->dirty = true;
		b->dirtied_ns = fw_time_ns();
		fw_list_add_tail(&dirty_list, &b->dnode);
		nr_dirty++;
	}
	fw_mutex_unlock(&bcache_lock);
}

static bool not_writing(struct bbuf *b)
{
	bool idle;

	fw_mutex_lock(&bcache_lock);
	idle = !b->writing;
	fw_mutex_unlock(&bcache_lock);
	return idle;
}

void bref_pin(struct bref *r)
{
	struct bbuf *b = r->b;

	for (;;) {
		fw_mutex_lock(&bcache_lock);
		if (!b->writing) {
			b->pins++;
			fw_mutex_unlock(&bcache_lock);
			return;
		}
		fw_mutex_unlock(&bcache_lock);
		/* A write of the old bytes is in flight: changing them now
		 * could put a mix of old and new on the disk. */
		FW_WAIT_EVENT(&bcache_wq, not_writing(b));
	}
}

void bref_unpin(struct bref *r)
{
	fw_mutex_lock(&bcache_lock);
	r->b->pins--;
	fw_mutex_unlock(&bcache_lock);
}

/* The slice bits of r's block in its unit. */
static uint8_t slice_mask(const struct bref *r)
{
	unsigned first = r->off / 512, n = (unsigned)(fw_buf_len(r->data) / 512);

	return (uint8_t)(((1u << n) - 1) << first);
}

bool bref_checked(const struct bref *r)
{
	uint8_t m = slice_mask(r);

	return (__atomic_load_n(&r->b->checked, __ATOMIC_ACQUIRE) & m) == m;
}

void bref_set_checked(struct bref *r)
{
	__atomic_fetch_or(&r->b->checked, slice_mask(r), __ATOMIC_RELEASE);
}

void bref_clear_checked(struct bref *r)
{
	__atomic_fetch_and(&r->b->checked, (uint8_t)~slice_mask(r), __ATOMIC_RELEASE);
}

void bref_put(struct bref *r)
{
	struct bbuf *b = r->b;

	if (!b)
		return;
	r->b = NULL;
	fw_mutex_lock(&bcache_lock);
	put_locked(b);
	fw_mutex_unlock(&bcache_lock);
}

static bool dirty_idle(const struct bbuf *b)
{
	return b && b->dirty && !b->reading && !b->pins;
}

/* The dirty neighbours of first, in unit order, as one run for a single
 * request (first among them). bcache_lock held. */
static void gather(struct bbuf *first, struct bbuf_run *run)
{
	unsigned max = max_segs(first->dev);
	uint64_t lo = first->unit;

	while (lo > 0 && first->unit - lo + 1 < max &&
	       dirty_idle(find(first->dev, lo - 1)))
		lo--;
	run->n = 0;
	for (uint64_t u = lo; run->n < max; u++) {
		struct bbuf *b = find(first->dev, u);

		if (!dirty_idle(b))
			break;
		run->b[run->n++] = b;
	}
}

/* Write back d's dirty units (every device's if d is NULL) that were
 * dirtied before `before` ns, neighbours merged into one request.
 * Returns the first error seen. */
static int writeback(struct blkdev *d, uint64_t before)
{
	int first_err = 0;

	for (;;) {
		struct bbuf *first = NULL, *it;
		struct bbuf_run run;
		struct blk_req req;
		int err;

		fw_mutex_lock(&bcache_lock);
		FW_LIST_FOR_EACH(it, &dirty_list, dnode)
			if ((!d || it->dev == d) && it->dirtied_ns < before &&
			    dirty_idle(it)) {
				first = it;
				break;
			}
		if (!first) {
			fw_mutex_unlock(&bcache_lock);
			return first_err;
		}
		gather(first, &run);
		/* Clean before the write: a change made meanwhile dirties
		 * it again and is not lost. */
		for (unsigned i = 0; i < run.n; i++) {
			struct bbuf *b = run.b[i];

			b->dirty = false;
			b->writing = true;
			fw_list_del(&b->dnode);
			fw_list_init(&b->dnode);
			nr_dirty--;
			b->refs++;
		}
		fw_mutex_unlock(&bcache_lock);

		req = req_of(&run);
		err = first->dev->ops->rw(first->dev, true, &req);

		fw_mutex_lock(&bcache_lock);
		first->dev->unflushed = true;
		if (err) {
			if (!first->dev->wb_err)
				first->dev->wb_err = err;
			if (!first_err)
				first_err = err;
			fw_err("bcache: %s: writing units %llu-%llu failed (%d); "
			       "the data is dropped",
			       first->dev->name,
			       (unsigned long long)run.b[0]->unit,
			       (unsigned long long)run.b[run.n - 1]->unit, err);
		}
		for (unsigned i = 0; i < run.n; i++) {
			run.b[i]->writing = false;
			run.b[i]->newer = err != 0;
			put_locked(run.b[i]);
		}
		fw_mutex_unlock(&bcache_lock);
		fw_waitq_wake_all(&bcache_wq);
	}
}

/* A flush makes every write that ended before it durable; with none since
 * the last one it has nothing to do, and costs the host an fdatasync (a
 * journal commit syncs twice, sync(2) every disk after the file
 * systems). */
int bcache_sync(struct blkdev *d)
{
	int err = writeback(d, UINT64_MAX), ferr = 0;
	bool unflushed;

	fw_mutex_lock(&bcache_lock);
	unflushed = d->unflushed;
	d->unflushed = false;
	fw_mutex_unlock(&bcache_lock);
	if (unflushed)
		ferr = d->ops->flush(d);
	fw_mutex_lock(&bcache_lock);
	if (ferr)
		d->unflushed = true; /* the next sync tries again */
	if (!err)
		err = d->wb_err;
	d->wb_err = 0;
	fw_mutex_unlock(&bcache_lock);
	return err ? err : ferr;
}

int bcache_write_blocks(struct bref *r, unsigned n)
{
	struct bbuf *b = r->b;
	struct blk_req req = { .sector = (b->unit * BCACHE_UNIT + r->off) / BLKDEV_SECTOR,
			       .n = 1 };
	size_t len = fw_buf_len(r->data) * n;
	int err;

	if (n == 0 || len > b->len - r->off)
		return -EINVAL;
	/* A write-back of the whole unit in flight may hold older bytes of
	 * the blocks: it lands first. */
	FW_WAIT_EVENT(&bcache_wq, not_writing(b));
	req.seg[0] = (struct blk_seg){ .dma = b->data, .off = (uint32_t)r->off,
					.len = (uint32_t)len };
	err = b->dev->ops->rw(b->dev, true, &req);
	fw_mutex_lock(&bcache_lock);
	b->dev->unflushed = true;
	if (err && !b->dev->wb_err)
		b->dev->wb_err = err;
	fw_mutex_unlock(&bcache_lock);
	return err;
}

int bcache_write_out(struct blkdev *d)
{
	return writeback(d, UINT64_MAX);
}

void bcache_balance(void)
{
	uint64_t dirty;

	fw_mutex_lock(&bcache_lock);
	dirty = nr_dirty;
	fw_mutex_unlock(&bcache_lock);
	/* Errors are kept in each device's wb_err for its next sync. */
	if (dirty > max_units / 2)
		(void)writeback(NULL, UINT64_MAX);
}

void bcache_sync_all(void)
{
	struct blkdev *d;

	for (unsigned i = 0; (d = blkdev_nth(i)); i++) {
		int err = bcache_sync(d);

		if (err)
			fw_err("bcache: %s: sync failed (%d)", d->name, err);
	}
}

void bcache_drop_clean(struct blkdev *d)
{
	struct bbuf *b, *tmp;

	fw_mutex_lock(&bcache_lock);
	FW_LIST_FOR_EACH_SAFE(b, tmp, &lru_list, lru)
		if (b->dev == d && idle(b))
			bbuf_free(b);
	FW_LIST_FOR_EACH_SAFE(b, tmp, &parked_list, lru)
		if (b->dev == d && idle(b))
			bbuf_free(b);
	fw_mutex_unlock(&bcache_lock);
}

uint64_t bcache_units(void)
{
	return __atomic_load_n(&nr_units, __ATOMIC_RELAXED);
}

uint64_t bcache_dirty_units(void)
{
	return __atomic_load_n(&nr_dirty, __ATOMIC_RELAXED);
}

/* The flusher: every FLUSH_PERIOD_NS, write what has been dirty for
 * longer than BCACHE_EXPIRE_NS (Linux's writeback threads do the same
 * with dirty_writeback_centisecs and dirty_expire_centisecs). */
static void flusher_main(struct fw_waitq *unused)
{
	(void)unused; /* FW_TASK_SPAWN wants a typed argument */
	for (;;) {
		uint64_t now;

		fw_sleep_ns(FLUSH_PERIOD_NS);
		now = fw_time_ns();
		if (now > BCACHE_EXPIRE_NS)
			(void)writeback(NULL, now - BCACHE_EXPIRE_NS);
	}
}

int bcache_init(void)
{
	struct fw_task *t;
	int err;

	fw_mutex_init(&bcache_lock, "bcache");
	fw_waitq_init(&bcache_wq, "bcache");
	/* An eighth of memory, as 4 KiB units. */
	max_units = fw_frames_total() / 8;
	if (max_units < 256)
		max_units = 256;
	err = FW_TASK_SPAWN("bcache-flush", flusher_main, &bcache_wq, -1, &t);
	if (err)
		return err;
	fw_task_detach(t);
	return 0;
}
