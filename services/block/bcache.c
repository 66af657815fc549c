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
	uint64_t dirtied_ns;		/* when it became dirty */
	struct bbuf *hnext;		/* hash chain */
	struct fw_list lru;		/* lru_list */
	struct fw_list dnode;		/* dirty_list, if dirty */
	/* set at creation */
	struct fw_dma *data;
	size_t len;			/* BCACHE_UNIT, less at the disk end */
};

static struct fw_mutex bcache_lock;
static struct fw_waitq bcache_wq;
static struct bbuf *hash[HASH_BUCKETS];			/* bcache_lock */
static struct fw_list lru_list = FW_LIST_HEAD_INIT(lru_list);	/* ditto */
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

static void bbuf_free(struct bbuf *b)
{
	unhash(b);
	fw_list_del(&b->lru);
	nr_units--;
	fw_dma_free(b->data);
	fw_free(b);
}

/* Over the limit: free clean units nobody holds, oldest first. */
static void shrink(void)
{
	struct bbuf *b, *tmp;

	FW_LIST_FOR_EACH_SAFE(b, tmp, &lru_list, lru) {
		if (nr_units <= max_units)
			return;
		if (b->refs == 0 && !b->dirty && !b->reading)
			bbuf_free(b);
	}
}

static int bbuf_new(struct blkdev *d, uint64_t unit, struct bbuf **out)
{
	uint64_t off = unit * BCACHE_UNIT, end = blkdev_bytes(d);
	struct bbuf *b = FW_NEW(struct bbuf);

	if (!b)
		return -ENOMEM;
	b->len = end - off < BCACHE_UNIT ? end - off : BCACHE_UNIT;
	if (fw_dma_alloc(b->len, &b->data)) {
		fw_free(b);
		return -ENOMEM;
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
		if (b->refs == 0) {
			nr_units--;
			fw_dma_free(b->data);
			fw_free(b);
		}
		return;
	}
	fw_list_del(&b->lru);
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

/* A referenced, filled unit. */
static int unit_get(struct blkdev *d, uint64_t unit, bool fill,
		    struct bbuf **out)
{
	struct bbuf *b;
	int err;

	for (;;) {
		fw_mutex_lock(&bcache_lock);
		b = find(d, unit);
		if (!b)
			break;
		b->refs++;
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
	err = bbuf_new(d, unit, &b);
	if (err) {
		fw_mutex_unlock(&bcache_lock);
		return err;
	}
	if (nr_units > max_units)
		shrink();
	b->reading = true;
	fw_mutex_unlock(&bcache_lock);

	err = fill ? d->ops->rw(d, false, unit * (BCACHE_UNIT / BLKDEV_SECTOR),
				b->data, 0, b->len)
		   : 0;

	fw_mutex_lock(&bcache_lock);
	b->reading = false;
	if (err) {
		/* Out of the index now; waiters drop their references. */
		unhash(b);
		fw_list_del(&b->lru);
		put_locked(b);
	} else {
		b->uptodate = true;
	}
	fw_mutex_unlock(&bcache_lock);
	fw_waitq_wake_all(&bcache_wq);
	if (err)
		return err;
	*out = b;
	return 0;
}

int bcache_get(struct blkdev *d, uint64_t blockno, unsigned blksize,
	       bool fill, struct bref *out)
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
	err = unit_get(d, unit, fill || blksize < BCACHE_UNIT, &b);
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
	return 0;
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

/* Write back d's dirty units (every device's if d is NULL) that were
 * dirtied before `before` ns. Returns the first error seen. */
static int writeback(struct blkdev *d, uint64_t before)
{
	int first_err = 0;

	for (;;) {
		struct bbuf *b = NULL, *it;
		int err;

		fw_mutex_lock(&bcache_lock);
		FW_LIST_FOR_EACH(it, &dirty_list, dnode)
			if ((!d || it->dev == d) && it->dirtied_ns < before) {
				b = it;
				break;
			}
		if (!b) {
			fw_mutex_unlock(&bcache_lock);
			return first_err;
		}
		/* Clean before the write: a change made meanwhile dirties
		 * it again and is not lost. */
		b->dirty = false;
		fw_list_del(&b->dnode);
		fw_list_init(&b->dnode);
		nr_dirty--;
		b->refs++;
		fw_mutex_unlock(&bcache_lock);

		err = b->dev->ops->rw(b->dev, true,
				      b->unit * (BCACHE_UNIT / BLKDEV_SECTOR),
				      b->data, 0, b->len);

		fw_mutex_lock(&bcache_lock);
		if (err) {
			if (!b->dev->wb_err)
				b->dev->wb_err = err;
			if (!first_err)
				first_err = err;
			fw_err("bcache: %s: writing unit %llu failed (%d); the "
			       "data is dropped",
			       b->dev->name, (unsigned long long)b->unit, err);
		}
		put_locked(b);
		fw_mutex_unlock(&bcache_lock);
	}
}

int bcache_sync(struct blkdev *d)
{
	int err = writeback(d, UINT64_MAX), ferr;

	ferr = d->ops->flush(d);
	fw_mutex_lock(&bcache_lock);
	if (!err)
		err = d->wb_err;
	d->wb_err = 0;
	fw_mutex_unlock(&bcache_lock);
	return err ? err : ferr;
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
		if (b->dev == d && b->refs == 0 && !b->dirty && !b->reading)
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
