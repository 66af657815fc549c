/* framework/mm/slab.h: size-class kernel heap on top of a page source.
 *
 * Layer: framework internal (mm). Pure logic: no hardware, no globals, no
 * locking. The kernel heap module wraps one `struct slab_heap` in a spinlock
 * and feeds it pages from the frame allocator; tests/unit/slab_test.c feeds it
 * aligned_alloc() pages. The caller holds the heap lock around every call,
 * including while ops->corruption runs.
 *
 * Layout. Requests of up to SLAB_MAX_SMALL bytes come from one-page slabs of
 * SLAB_NR_CLASSES size classes. Each slab page starts with a header, so
 * slab_free() finds it by masking the pointer with ~4095 and needs no size
 * argument and no side table. The classes are chosen to fill a page after the
 * 96-byte header: the two largest are 992 (4 per page) and 2000 (2 per page)
 * rather than 1024 and 2048, which would fit only 3 and 1. Larger requests
 * get their own page run from the page source: a header in the first 64
 * bytes of the run, the object right after it (so it, too, is found by
 * masking, and is 64-byte aligned).
 * Page-sized or page-aligned buffers should come from the frame allocator,
 * not from here: a 4096-byte request costs two pages.
 *
 * Every object is 16-byte aligned, those in page runs 64-byte aligned.
 * Empty slabs are given back to the page source, except one cached per
 * class so a class that oscillates around a page boundary does not thrash
 * the page source.
 *
 * Checking. Always, at O(1) cost: the header magic and owner of every freed
 * pointer, that it is an object start, a per-slab allocated bitmap (double
 * free), and that a popped freelist link points at an object start inside the
 * same slab (scribbled freelist). With debug=true also: a header checksum on
 * every alloc and free, a 16-byte red zone after each object holding the
 * requested size (overflow past the *requested* size, even by one byte, is
 * caught at free), poisoning of freed objects checked when they are handed
 * out again (write after free), and a poison pattern in fresh objects so
 * reads of uninitialised memory stand out. Whatever is detected goes to
 * ops->corruption; if that returns (tests), the allocator quarantines the
 * damaged object or slab (never hands it out, never returns it to the page
 * source) and carries on.
 */
#ifndef FW_MM_SLAB_H
#define FW_MM_SLAB_H

#include <fw/compiler.h>

#define SLAB_PAGE_SIZE 4096
/* Number of small size classes. */
#define SLAB_NR_CLASSES 13
/* Largest request served from a slab; larger ones get their own page run. */
#define SLAB_MAX_SMALL 2000
/* Alignment guaranteed for every object. */
#define SLAB_ALIGN 16
/* Alignment of an object with a page run of its own (larger than
 * SLAB_MAX_SMALL): a cache line, which XSAVE images need. */
#define SLAB_LARGE_ALIGN 64

/* Debug fill patterns, as in Linux's poison.h, so they are recognisable in
 * a crash dump. */
#define SLAB_POISON_FREE 0x6b  /* freed object */
#define SLAB_POISON_ALLOC 0xa5 /* fresh object, not yet written */
#define SLAB_REDZONE 0xbb      /* bytes past the requested size */

/* The page source and the corruption sink. */
struct slab_page_ops {
	/* Return @npages contiguous, SLAB_PAGE_SIZE-aligned, mapped pages,
	 * or NULL. */
	void *(*alloc_pages)(void *ctx, size_t npages);
	/* Take back @npages pages at @p, as returned by alloc_pages. */
	void (*free_pages)(void *ctx, void *p, size_t npages);
	/* Heap corruption or a bad free was detected at @addr; @what says
	 * which. The kernel panics here. If it returns, the heap quarantines
	 * the damage and goes on. NULL means __builtin_trap(). */
	void (*corruption)(void *ctx, const char *what, const void *addr);
};

struct slab_page; /* per-slab header, private to slab.c */

/* One size class. */
struct slab_class {
	struct slab_page *partial; /* slabs with free objects, in use */
	struct slab_page *cached;  /* at most one empty slab, kept warm */
	uint32_t size;             /* object size handed out */
	uint32_t slot;             /* object stride: size + red zone (debug) */
	uint32_t recip;            /* 2^32 / slot + 1: offset to index, no div */
	uint32_t nobj;             /* objects per slab */
	uint32_t epoch;            /* bumped when the partial list is dropped */
};

/* Counters; read them under the heap lock. */
struct slab_stats {
	size_t bytes_in_use;   /* live objects, rounded to class or page run */
	size_t objects_in_use; /* live objects (small and large) */
	size_t pages_held;     /* pages taken from the page source, not given back */
	size_t large_allocs;   /* live page-run objects */
	size_t corruptions;    /* reports sent to ops->corruption */
	size_t quarantined;    /* objects or slabs withheld after a report */
};

/* One heap. All fields are guarded by the caller's heap lock. */
struct slab_heap {
	const struct slab_page_ops *ops; /* page source and corruption sink */
	void *ctx;                       /* passed to every op */
	bool debug;                      /* red zones, poison, checksums */
	uint8_t class_of[SLAB_MAX_SMALL / SLAB_ALIGN + 2]; /* (size+15)/16 -> class */
	struct slab_class classes[SLAB_NR_CLASSES];
	struct slab_stats stats;
};

/* slab_heap_init - set up an empty heap.
 * @h: the heap.
 * @ops: page source and corruption sink; must outlive the heap, and
 *       alloc_pages/free_pages must be non-NULL.
 * @ctx: passed to every op.
 * @debug: enable red zones, poisoning and header checksums.
 * Takes no pages until the first allocation.
 */
void slab_heap_init(struct slab_heap *h, const struct slab_page_ops *ops,
		    void *ctx, bool debug);

/* slab_alloc - allocate @size bytes, 16-byte aligned, contents undefined
 * (SLAB_POISON_ALLOC bytes in debug mode).
 * Returns NULL if @size is 0, too large to represent, or the page source is
 * out of memory.
 */
void *slab_alloc(struct slab_heap *h, size_t size);

/* slab_zalloc - slab_alloc() and clear the @size bytes. Same errors. */
void *slab_zalloc(struct slab_heap *h, size_t size);

/* slab_free - give back an object from slab_alloc(). NULL is a no-op.
 * A pointer that is not a live object of this heap (double free, interior or
 * foreign pointer, scribbled header) or an object whose red zone was
 * overwritten is reported to ops->corruption and otherwise left alone.
 */
void slab_free(struct slab_heap *h, void *p);

/* slab_usable_size - bytes the caller may use at @p: the class or page-run
 * size, or in debug mode exactly the requested size (so that writes past it
 * are still caught). Returns 0 for NULL; a bad pointer is reported as by
 * slab_free() and gives 0.
 */
size_t slab_usable_size(struct slab_heap *h, const void *p);

/* slab_heap_trim - give every cached empty slab back to the page source
 * (memory pressure, or tests checking for leaks). Returns pages released.
 */
size_t slab_heap_trim(struct slab_heap *h);

/* slab_heap_stats - the current counters. */
static inline struct slab_stats slab_heap_stats(const struct slab_heap *h)
{
	return h->stats;
}

#endif
