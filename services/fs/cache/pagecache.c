/* services/fs/cache/pagecache.c: the page cache of disk files.
 *
 * Layer: services (safe C), fs. The policy and the locking are described
 * in pagecache.h. A file's pages hang off a radix tree of 64-way nodes
 * whose height grows with the highest page cached: a file of up to 256 KiB
 * costs one 512-byte leaf, a 1 GiB file three levels. */
#include <stdatomic.h>

#include <fw/heap.h>
#include <fw/log.h>
#include <fw/sync.h>
#include <fw/task.h>
#include <fw/time.h>

#include "block/bcache.h"
#include "fs/cache/pagecache.h"
#include "fs/vfs/vfs.h"

#define FAN_SHIFT 6u
#define FAN (1u << FAN_SHIFT)
#define MAX_HEIGHT 6u			/* 2^36 pages: 256 TiB */
#define EXPIRE_NS (30ull * FW_NSEC_PER_SEC)
#define FLUSH_PERIOD_NS (5ull * FW_NSEC_PER_SEC)
#define RECLAIM_BATCH 64u
#define SCAN_PER 8u			/* LRU entries looked at per page wanted */

struct pc_page {
	struct fw_frame *fr;		/* one reference, the cache's */
	struct inode *ino;		/* the file (for the reclaimer) */
	uint64_t idx;
	struct fw_list lru;		/* lru_list (pcache_lock) */
	struct fw_list mnode;		/* page_cache.marked (inode->lock) */
	bool marked;			/* inode->lock */
	_Atomic bool referenced;	/* read since the last reclaim scan */
};

struct pc_leaf {
	struct pc_page *page[FAN];
};

/* Height 2 nodes point to leaves, higher ones to nodes below. */
struct pc_node {
	struct pc_node *node[FAN];
	struct pc_leaf *leaf[FAN];
};

struct page_cache {
	struct inode *ino;		/* whose pages these are */
	/* inode->lock */
	unsigned height;		/* 1: root is leaf; more: root is node */
	struct pc_leaf *leaf;
	struct pc_node *node;
	uint64_t nr;			/* pages cached */
	struct fw_list marked;		/* struct pc_page.mnode */
	int wb_err;			/* first unreported write-back error */
	/* pcache_lock */
	bool on_wb;			/* on wb_list, holding an inode ref */
	uint64_t marked_ns;		/* when it went on wb_list */
	struct fw_list wb_node;
};

static struct fw_mutex pcache_lock;
static struct fw_list lru_list = FW_LIST_HEAD_INIT(lru_list);	/* pcache_lock */
static struct fw_list wb_list = FW_LIST_HEAD_INIT(wb_list);	/* ditto */
static uint64_t nr_pages, nr_marked;				/* ditto */
static uint64_t low_water;	/* free frames below which adding reclaims */
static uint64_t dirty_limit;	/* marked pages above which writers write */

/* ---- the tree ------------------------------------------------------------ */

static unsigned slot(uint64_t idx, unsigned level)
{
	return (unsigned)(idx >> (FAN_SHIFT * level)) & (FAN - 1);
}

static bool fits(unsigned height, uint64_t idx)
{
	return height >= MAX_HEIGHT || (idx >> (FAN_SHIFT * height)) == 0;
}

/* The leaf holding idx, or NULL; with create, made (and the tree grown)
 * as needed, NULL then meaning out of memory. */
static struct pc_leaf *leaf_of(struct page_cache *pc, uint64_t idx,
			       bool create)
{
	struct pc_node *n;

	if (idx >> (FAN_SHIFT * MAX_HEIGHT))
		return NULL;
	if (!pc->height) {
		if (!create)
			return NULL;
		pc->leaf = FW_NEW(struct pc_leaf);
		if (!pc->leaf)
			return NULL;
		pc->height = 1;
	}
	while (!fits(pc->height, idx)) {
		struct pc_node *up;

		if (!create)
			return NULL;
		up = FW_NEW(struct pc_node);
		if (!up)
			return NULL;
		if (pc->height == 1)
			up->leaf[0] = pc->leaf;
		else
			up->node[0] = pc->node;
		pc->leaf = NULL;
		pc->node = up;
		pc->height++;
	}
	if (pc->height == 1)
		return pc->leaf;
	n = pc->node;
	for (unsigned level = pc->height - 1; level > 1; level--) {
		struct pc_node **next = &n->node[slot(idx, level)];

		if (!*next && create)
			*next = FW_NEW(struct pc_node);
		if (!*next)
			return NULL;
		n = *next;
	}
	if (!n->leaf[slot(idx, 1)] && create)
		n->leaf[slot(idx, 1)] = FW_NEW(struct pc_leaf);
	return n->leaf[slot(idx, 1)];
}

static struct pc_page *page_of(struct page_cache *pc, uint64_t idx)
{
	struct pc_leaf *l = pc ? leaf_of(pc, idx, false) : NULL;

	return l ? l->page[slot(idx, 0)] : NULL;
}

static void free_node(struct pc_node *n, unsigned height)
{
	for (unsigned i = 0; i < FAN; i++) {
		if (height > 2 && n->node[i])
			free_node(n->node[i], height - 1);
		fw_free(n->leaf[i]);
	}
	fw_free(n);
}

/* The first cached page at or after idx, or NULL. */
static struct pc_page *next_in_leaf(struct pc_leaf *l, uint64_t base,
				    uint64_t from)
{
	for (unsigned i = from > base ? (unsigned)(from - base) : 0; i < FAN; i++)
		if (l->page[i])
			return l->page[i];
	return NULL;
}

static struct pc_page *next_in_node(struct pc_node *n, unsigned height,
				    uint64_t base, uint64_t from)
{
	unsigned shift = FAN_SHIFT * (height - 1);

	for (unsigned i = 0; i < FAN; i++) {
		uint64_t sub = base + ((uint64_t)i << shift);
		struct pc_page *p = NULL;

		if (from >= sub + (1ull << shift))
			continue;
		if (height == 2 && n->leaf[i])
			p = next_in_leaf(n->leaf[i], sub, from);
		else if (height > 2 && n->node[i])
			p = next_in_node(n->node[i], height - 1, sub, from);
		if (p)
			return p;
	}
	return NULL;
}

static struct pc_page *next_page(struct page_cache *pc, uint64_t from)
{
	if (!pc || !pc->nr)
		return NULL;
	if (pc->height == 1)
		return next_in_leaf(pc->leaf, 0, from);
	return next_in_node(pc->node, pc->height, 0, from);
}

/* ---- pages --------------------------------------------------------------- */

static void unmark(struct pc_page *p)
{
	if (!p->marked)
		return;
	p->marked = false;
	fw_list_del(&p->mnode);
	fw_mutex_lock(&pcache_lock);
	nr_marked--;
	fw_mutex_unlock(&pcache_lock);
}

/* Take p out of its tree and the LRU and free it. inode->lock and
 * pcache_lock held. */
static void drop_locked(struct page_cache *pc, struct pc_page *p)
{
	struct pc_leaf *l = leaf_of(pc, p->idx, false);

	if (l)
		l->page[slot(p->idx, 0)] = NULL;
	if (p->marked) {
		p->marked = false;
		fw_list_del(&p->mnode);
		nr_marked--;
	}
	fw_list_del(&p->lru);
	nr_pages--;
	pc->nr--;
	fw_frame_put(p->fr);
	fw_free(p);
}

struct fw_frame *pcache_lookup(struct inode *ino, uint64_t idx)
{
	struct pc_page *p = page_of(ino->pcache, idx);

	if (!p)
		return NULL;
	atomic_store_explicit(&p->referenced, true, memory_order_relaxed);
	fw_frame_get(p->fr);
	return p->fr;
}

int pcache_add(struct inode *ino, uint64_t idx, struct fw_frame *fr)
{
	struct page_cache *pc = ino->pcache;
	struct pc_leaf *l;
	struct pc_page *p;

	if (!pc) {
		pc = FW_NEW(struct page_cache);
		if (!pc)
			return -ENOMEM;
		fw_list_init(&pc->marked);
		fw_list_init(&pc->wb_node);
		pc->ino = ino;
		ino->pcache = pc;
	}
	l = leaf_of(pc, idx, true);
	if (!l)
		return -ENOMEM;
	if (l->page[slot(idx, 0)])
		return -EEXIST;
	p = FW_NEW(struct pc_page);
	if (!p)
		return -ENOMEM;
	fw_frame_get(fr);
	p->fr = fr;
	p->ino = ino;
	p->idx = idx;
	/* Just read for someone: it survives the next pass of the hand
	 * (the fault that is about to map it must find it). */
	atomic_init(&p->referenced, true);
	fw_list_init(&p->mnode);
	l->page[slot(idx, 0)] = p;
	pc->nr++;
	fw_mutex_lock(&pcache_lock);
	fw_list_add_tail(&lru_list, &p->lru);
	nr_pages++;
	fw_mutex_unlock(&pcache_lock);
	return 0;
}

/* Zero the bytes of the page holding off from off to the page's end. */
static void zero_from(struct page_cache *pc, uint64_t off)
{
	static const uint8_t zeros[512];
	struct pc_page *p = page_of(pc, off / FW_PAGE_SIZE);
	size_t at = (size_t)(off % FW_PAGE_SIZE);

	while (p && at && at < FW_PAGE_SIZE) {
		size_t n = FW_PAGE_SIZE - at < sizeof(zeros) ?
				   FW_PAGE_SIZE - at : sizeof(zeros);
		struct fw_bytes z;

		if (fw_bytes_sub(FW_BYTES_OF_ARRAY(zeros), 0, n, &z) ||
		    fw_frame_write(p->fr, at, z))
			return;
		at += n;
	}
}

void pcache_resize(struct inode *ino, uint64_t old, uint64_t new)
{
	struct page_cache *pc = ino->pcache;
	uint64_t first = (new + FW_PAGE_SIZE - 1) / FW_PAGE_SIZE;
	struct pc_page *p;

	if (!pc)
		return;
	zero_from(pc, old < new ? old : new);
	if (new >= old)
		return;
	fw_mutex_lock(&pcache_lock);
	while ((p = next_page(pc, first)) != NULL) {
		first = p->idx + 1; /* the walk goes on from here, not 0 */
		drop_locked(pc, p);
	}
	fw_mutex_unlock(&pcache_lock);
}

void pcache_mark_mapped_write(struct inode *ino, uint64_t idx)
{
	struct page_cache *pc = ino->pcache;
	struct pc_page *p = page_of(pc, idx);
	bool take_ref = false;

	if (!p || p->marked)
		return;
	p->marked = true;
	fw_list_add_tail(&pc->marked, &p->mnode);
	fw_mutex_lock(&pcache_lock);
	nr_marked++;
	/* A file without a name is written only by fsync: when its last
	 * user goes, its pages go unwritten (Linux truncates the pages of
	 * an unlinked inode at eviction), so nothing may keep it alive. */
	if (!pc->on_wb && ino->nlink > 0) {
		pc->on_wb = true;
		pc->marked_ns = fw_time_ns();
		fw_list_add_tail(&wb_list, &pc->wb_node);
		take_ref = true;
	}
	fw_mutex_unlock(&pcache_lock);
	/* The mapping's file holds a reference, so this is never 0 -> 1. */
	if (take_ref)
		inode_get(ino);
}

/* ---- write-back ---------------------------------------------------------- */

/* Write ino's marked pages; for_sync: fsync and msync, which write a
 * file even without a name (the flusher and sync(2) only let such an
 * inode go: its marked pages stay in memory, unreclaimable, until it is
 * evicted and they are dropped). */
static int writeback(struct inode *ino, bool for_sync)
{
	struct page_cache *pc;
	struct pc_page *p, *tmp;
	bool drop_ref = false;
	unsigned written = 0;
	int err;

	fw_mutex_lock(&ino->lock);
	pc = ino->pcache;
	if (!pc) {
		fw_mutex_unlock(&ino->lock);
		return 0;
	}
	if (!for_sync && ino->nlink == 0) {
		fw_mutex_lock(&pcache_lock);
		if (pc->on_wb) {
			pc->on_wb = false;
			fw_list_del(&pc->wb_node);
			drop_ref = true;
		}
		fw_mutex_unlock(&pcache_lock);
		fw_mutex_unlock(&ino->lock);
		if (drop_ref)
			inode_put(ino);
		return 0;
	}
	FW_LIST_FOR_EACH_SAFE(p, tmp, &pc->marked, mnode) {
		int e = -EIO;

		/* A big file fills the block cache with dirty units: send
		 * them on as we go (it takes no inode lock). */
		if (++written % RECLAIM_BATCH == 0)
			bcache_balance();
		/* Out of the page tables first (Linux write-protects them),
		 * so a write after this point faults and marks the page
		 * again instead of landing unseen in a page counted clean.
		 * Holding inode->lock keeps faults from fetching it. */
		if (fw_frame_mapcount(p->fr))
			vfs_unmap_page(ino, p->idx, p->fr);
		if (ino->iops && ino->iops->writepage)
			e = ino->iops->writepage(ino, p->idx, p->fr);
		if (e && !pc->wb_err)
			pc->wb_err = e;
		/* A failed page is let go too, as Linux marks it clean with
		 * the error kept for fsync: retrying forever would pin the
		 * inode and its memory. */
		if (fw_frame_mapcount(p->fr) == 0)
			unmark(p);
	}
	err = pc->wb_err;
	pc->wb_err = 0;
	fw_mutex_lock(&pcache_lock);
	if (pc->on_wb) {
		if (fw_list_empty(&pc->marked)) {
			pc->on_wb = false;
			fw_list_del(&pc->wb_node);
			drop_ref = true;
		} else {
			pc->marked_ns = fw_time_ns();
		}
	}
	fw_mutex_unlock(&pcache_lock);
	fw_mutex_unlock(&ino->lock);
	if (drop_ref)
		inode_put(ino);
	return err;
}

int pcache_writeback(struct inode *ino)
{
	return writeback(ino, true);
}

/* The first inode on wb_list marked before `before`, referenced, or
 * NULL. */
static struct inode *next_expired(uint64_t before)
{
	struct page_cache *pc;
	struct inode *ino = NULL;

	fw_mutex_lock(&pcache_lock);
	FW_LIST_FOR_EACH(pc, &wb_list, wb_node) {
		if (pc->marked_ns > before)
			continue;
		ino = pc->ino;
		inode_get(ino); /* the list's reference keeps it above 0 */
		break;
	}
	fw_mutex_unlock(&pcache_lock);
	return ino;
}

/* Write back everything marked before `before`; 0 or the first error. */
static int writeback_before(uint64_t before)
{
	int err = 0;
	struct inode *ino;

	/* Each write-back takes the inode off the list or stamps it with a
	 * time after `before`, so this ends. */
	while ((ino = next_expired(before)) != NULL) {
		int e = writeback(ino, false);

		if (e && !err)
			err = e;
		inode_put(ino);
	}
	return err;
}

int pcache_sync_all(void)
{
	return writeback_before(fw_time_ns());
}

static void flusher_main(struct fw_list *unused)
{
	(void)unused; /* FW_TASK_SPAWN wants a typed argument */
	for (;;) {
		uint64_t now;

		fw_sleep_ns(FLUSH_PERIOD_NS);
		now = fw_time_ns();
		if (now > EXPIRE_NS && writeback_before(now - EXPIRE_NS))
			fw_warn("pagecache: write-back of a mapped page failed");
	}
}

void pcache_drop_range(struct inode *ino, uint64_t first, uint64_t last)
{
	struct page_cache *pc;
	struct pc_page *p;
	uint64_t idx = first;

	fw_mutex_lock(&ino->lock);
	pc = ino->pcache;
	fw_mutex_lock(&pcache_lock);
	while (idx <= last && (p = next_page(pc, idx)) != NULL && p->idx <= last) {
		idx = p->idx + 1;
		if (!p->marked && fw_frame_mapcount(p->fr) == 0)
			drop_locked(pc, p);
	}
	fw_mutex_unlock(&pcache_lock);
	fw_mutex_unlock(&ino->lock);
}

void pcache_evict(struct inode *ino)
{
	struct page_cache *pc;
	struct pc_page *p;

	fw_mutex_lock(&ino->lock);
	pc = ino->pcache;
	ino->pcache = NULL;
	if (pc) {
		uint64_t from = 0;

		fw_mutex_lock(&pcache_lock);
		while ((p = next_page(pc, from)) != NULL) {
			from = p->idx + 1;
			drop_locked(pc, p);
		}
		if (pc->on_wb) /* cannot be: the list holds a reference */
			fw_list_del(&pc->wb_node);
		fw_mutex_unlock(&pcache_lock);
		if (pc->height == 1)
			fw_free(pc->leaf);
		else if (pc->height > 1)
			free_node(pc->node, pc->height);
		fw_free(pc);
	}
	fw_mutex_unlock(&ino->lock);
}

/* ---- reclaim ------------------------------------------------------------- */

uint64_t pcache_reclaim(uint64_t want)
{
	uint64_t freed = 0, budget;

	fw_mutex_lock(&pcache_lock);
	/* A clock hand: at most SCAN_PER pages looked at per page wanted
	 * (the ones it passes go to the tail), so a list full of mapped
	 * pages costs each call a bounded scan, and the next call goes on
	 * where this one stopped. */
	budget = want > nr_pages ? 2 * nr_pages : SCAN_PER * want;
	while (freed < want && budget-- && !fw_list_empty(&lru_list)) {
		struct pc_page *p = FW_LIST_FIRST(&lru_list, struct pc_page, lru);
		struct inode *ino = p->ino;
		bool busy;

		fw_list_del(&p->lru);
		fw_list_add_tail(&lru_list, &p->lru);
		if (atomic_exchange_explicit(&p->referenced, false,
					     memory_order_relaxed))
			continue;
		/* The inode cannot go while its page is on the LRU: its
		 * eviction takes pcache_lock, which we hold. */
		if (!fw_mutex_trylock(&ino->lock))
			continue;
		busy = p->marked || fw_frame_mapcount(p->fr) != 0;
		if (!busy) {
			drop_locked(ino->pcache, p);
			freed++;
		}
		fw_mutex_unlock(&ino->lock);
	}
	fw_mutex_unlock(&pcache_lock);
	return freed;
}

/* A reference on ino unless its last one is gone (it is being evicted,
 * or is an unused cached inode: neither is mapped). */
static bool inode_get_live(struct inode *ino)
{
	int r = atomic_load(&ino->refs);

	while (r > 0)
		if (atomic_compare_exchange_weak(&ino->refs, &r, r + 1))
			return true;
	return false;
}

/* Pages some process maps or that are marked, picked on the LRU. */
#define MAPPED_BATCH 16u
struct victims {
	struct inode *ino[MAPPED_BATCH];	/* referenced */
	uint64_t idx[MAPPED_BATCH];
	unsigned n;
};

static void pick_mapped(struct victims *vs, bool marked_only)
{
	uint64_t budget;

	vs->n = 0;
	fw_mutex_lock(&pcache_lock);
	budget = SCAN_PER * MAPPED_BATCH;
	while (vs->n < MAPPED_BATCH && budget-- && !fw_list_empty(&lru_list)) {
		struct pc_page *p = FW_LIST_FIRST(&lru_list, struct pc_page, lru);

		fw_list_del(&p->lru);
		fw_list_add_tail(&lru_list, &p->lru);
		if (atomic_exchange_explicit(&p->referenced, false,
					     memory_order_relaxed) ||
		    (!p->marked && (marked_only || fw_frame_mapcount(p->fr) == 0)) ||
		    !inode_get_live(p->ino))
			continue;
		vs->ino[vs->n] = p->ino;
		vs->idx[vs->n++] = p->idx;
	}
	fw_mutex_unlock(&pcache_lock);
}

/* Take page idx of ino out of every mapping, write it if it is marked,
 * and drop it. Holding inode->lock keeps new faults from fetching it
 * (and a fault that fetched it before re-checks it: vfs_file_page_current)
 * while the mappings go; the reference keeps the inode. */
static bool evict_mapped(struct inode *ino, uint64_t idx)
{
	struct page_cache *pc;
	struct pc_page *p;
	bool gone = false;

	fw_mutex_lock(&ino->lock);
	pc = ino->pcache;
	p = page_of(pc, idx);
	if (p) {
		vfs_unmap_page(ino, idx, p->fr);
		if (fw_frame_mapcount(p->fr) == 0 && p->marked &&
		    ino->iops && ino->iops->writepage &&
		    ino->iops->writepage(ino, idx, p->fr) == 0)
			unmark(p);
		if (fw_frame_mapcount(p->fr) == 0 && !p->marked) {
			fw_mutex_lock(&pcache_lock);
			drop_locked(pc, p);
			fw_mutex_unlock(&pcache_lock);
			gone = true;
		}
	}
	fw_mutex_unlock(&ino->lock);
	return gone;
}

void pcache_balance(void)
{
	struct victims vs;

	if (fw_frames_free() >= low_water ||
	    pcache_reclaim(RECLAIM_BATCH) >= RECLAIM_BATCH)
		return;
	/* Not enough unmapped clean pages: mapped ones go too (Linux's
	 * page reclaim unmaps them through its reverse map). */
	pick_mapped(&vs, false);
	for (unsigned i = 0; i < vs.n; i++) {
		(void)evict_mapped(vs.ino[i], vs.idx[i]);
		inode_put(vs.ino[i]);
	}
	/* What the marked pages wrote is dirty in the block cache now: get
	 * it to the disk too, or memory fills with dirty units instead. */
	bcache_balance();
}

static uint64_t reclaim_hook(uint64_t want)
{
	return pcache_reclaim(want);
}

void pcache_throttle(void)
{
	/* Linux's balance_dirty_pages: the task that dirties pages past
	 * dirty_ratio (20 % of memory) writes some back itself; a page
	 * written back and unmapped can then be reclaimed like any other. */
	for (unsigned round = 0; round < 64 && nr_marked > dirty_limit; round++) {
		struct victims vs;

		pick_mapped(&vs, true);
		for (unsigned i = 0; i < vs.n; i++) {
			(void)evict_mapped(vs.ino[i], vs.idx[i]);
			inode_put(vs.ino[i]);
		}
		bcache_balance();
		if (!vs.n)
			break;
	}
}

uint64_t pcache_pages(void)
{
	return nr_pages;
}

uint64_t pcache_marked_pages(void)
{
	return nr_marked;
}

int pcache_init(void)
{
	struct fw_task *t;
	int err;

	fw_mutex_init(&pcache_lock, "pagecache");
	/* Keep 1/64 of memory (at least 4 MiB) free for everyone else, as
	 * Linux's low watermark does: the kernel heap grows under a spin
	 * lock, where the reclaim hook cannot run, so it lives on this. */
	dirty_limit = fw_frames_total() / 5;
	low_water = fw_frames_total() / 64;
	if (low_water < 1024)
		low_water = 1024;
	fw_frame_set_reclaim(reclaim_hook);
	err = FW_TASK_SPAWN("pagecache-flush", flusher_main, &wb_list, -1, &t);
	if (err)
		return err;
	fw_task_detach(t);
	return 0;
}
