/* framework/mm/slab.c: size-class kernel heap on top of a page source.
 *
 * Layer: framework internal (mm). Pure logic over pages the caller supplies;
 * see slab.h for the layout and the checks. The caller holds the heap lock.
 *
 * Small object slot (stride `slot`), debug mode:
 *
 *   | object: size bytes      | red zone: 8 x 0xbb | req (u32) | ~req (u32) |
 *     ^ 16-aligned              ^ overflow lands here or in [req, size)
 *
 * Without debug the slot is just the object. A free object holds the next
 * freelist pointer in its first 8 bytes; in debug mode the rest of it is
 * SLAB_POISON_FREE and its red zone is all SLAB_REDZONE.
 *
 * Why a bitmap as well as a freelist: the freelist alone cannot tell a double
 * free from a free (pushing the same object twice makes a cycle that later
 * hands it out twice). One bit per object costs 32 bytes per slab and makes
 * the check O(1) in every build.
 */
#include <fw/string.h>
#include "mm/slab.h"

#define SLAB_MAGIC_SMALL 0x534c4142u /* "SLAB" */
#define SLAB_MAGIC_LARGE 0x4c415247u /* "LARG" */
#define SLAB_MAGIC_DEAD 0x44454144u  /* "DEAD": page given back */

#define SLAB_REDZONE_BYTES 16
#define SLAB_BITMAP_WORDS 4
#define SLAB_ON_PARTIAL 0x1

/* Header at the start of every slab page. */
struct slab_page {
	uint32_t magic;            /* SLAB_MAGIC_SMALL */
	uint32_t check;            /* hdr_check() of the fixed fields */
	struct slab_heap *heap;    /* owner: frees into another heap bounce */
	void *freelist;            /* first free object, or NULL */
	struct slab_page *prev;    /* class partial list */
	struct slab_page *next;    /* class partial list */
	uint16_t cls;              /* index into heap->classes */
	uint16_t nobj;             /* objects in this slab */
	uint16_t nfree;            /* objects not allocated (incl. on freelist) */
	uint16_t flags;            /* SLAB_ON_PARTIAL */
	uint32_t epoch;            /* class epoch when put on the partial list */
	uint32_t pad;              /* keeps used[] 8-aligned; 0 */
	uint64_t used[SLAB_BITMAP_WORDS]; /* bit set: object allocated */
};

/* Header at the start of every large (page-run) object. */
struct slab_large {
	uint32_t magic;         /* SLAB_MAGIC_LARGE */
	uint32_t check;         /* hdr_check() of the fields below */
	struct slab_heap *heap; /* owner */
	uint64_t npages;        /* length of the run */
	uint64_t req;           /* requested size */
};

#define SLAB_OBJ_OFF 96   /* first object of a slab page */
#define SLAB_LARGE_OFF SLAB_LARGE_ALIGN /* the object of a page run */

FW_STATIC_ASSERT(sizeof(struct slab_page) <= SLAB_OBJ_OFF &&
			 SLAB_OBJ_OFF % SLAB_ALIGN == 0,
		 "slab header must fit before the first object");
FW_STATIC_ASSERT(sizeof(struct slab_large) <= SLAB_LARGE_OFF &&
			 SLAB_LARGE_OFF % SLAB_ALIGN == 0,
		 "large header must fit before the object");
FW_STATIC_ASSERT((SLAB_PAGE_SIZE - SLAB_OBJ_OFF) / 16 <= SLAB_BITMAP_WORDS * 64,
		 "the bitmap must cover the smallest class");
FW_STATIC_ASSERT((SLAB_PAGE_SIZE - SLAB_OBJ_OFF) / SLAB_MAX_SMALL >= 2,
		 "the largest class must fit twice in a page");

/* Object sizes; multiples of SLAB_ALIGN, ascending, last == SLAB_MAX_SMALL.
 * 992 and 2000 are the largest sizes that fit 4 and 2 per page. */
static const uint16_t slab_sizes[SLAB_NR_CLASSES] = {
	16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 992, 2000,
};

static inline uintptr_t addr_of(const void *p)
{
	return (uintptr_t)p;
}

static inline void *ptr_of(uintptr_t a)
{
	return (void *)a;
}

static inline uintptr_t page_of(const void *p)
{
	return addr_of(p) & ~(uintptr_t)(SLAB_PAGE_SIZE - 1);
}

/* Mix the header's address, owner and fixed fields. Not cryptographic: it
 * catches stray writes and headers that belong to somebody else. */
static uint32_t hdr_check(const void *hdr, const struct slab_heap *h,
			  uint64_t a, uint64_t b)
{
	uint64_t x = addr_of(hdr) ^ (addr_of(h) << 1) ^ (a << 40) ^ (b << 8) ^
		     0x9e3779b97f4a7c15ull;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return (uint32_t)x;
}

static void report(struct slab_heap *h, const char *what, const void *addr)
{
	h->stats.corruptions++;
	if (!h->ops->corruption)
		__builtin_trap();
	h->ops->corruption(h->ctx, what, addr);
}

static bool mem_is(const void *p, uint8_t v, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}

static inline uint8_t *slab_objs(struct slab_page *s)
{
	return (uint8_t *)s + SLAB_OBJ_OFF;
}

static inline bool bit_test(const struct slab_page *s, unsigned i)
{
	return (s->used[i / 64] >> (i % 64)) & 1;
}

static inline void bit_set(struct slab_page *s, unsigned i)
{
	s->used[i / 64] |= (uint64_t)1 << (i % 64);
}

static inline void bit_clear(struct slab_page *s, unsigned i)
{
	s->used[i / 64] &= ~((uint64_t)1 << (i % 64));
}

/* Index of the object starting at @p in slab @s, or -1 if @p is not an
 * object start of @s. The reciprocal is exact because off * slot < 2^32. */
static inline int obj_index(const struct slab_class *c, struct slab_page *s,
			    const void *p)
{
	uintptr_t base = addr_of(slab_objs(s)), a = addr_of(p);
	uint32_t off, idx;

	if (FW_UNLIKELY(a < base || a - base >= SLAB_PAGE_SIZE))
		return -1;
	off = (uint32_t)(a - base);
	idx = (uint32_t)(((uint64_t)off * c->recip) >> 32);
	if (FW_UNLIKELY(idx * c->slot != off || idx >= s->nobj))
		return -1;
	return (int)idx;
}

void slab_heap_init(struct slab_heap *h, const struct slab_page_ops *ops,
		    void *ctx, bool debug)
{
	unsigned i, c = 0;

	memset(h, 0, sizeof(*h));
	h->ops = ops;
	h->ctx = ctx;
	h->debug = debug;
	for (i = 0; i < SLAB_NR_CLASSES; i++) {
		struct slab_class *k = &h->classes[i];

		k->size = slab_sizes[i];
		k->slot = k->size + (debug ? SLAB_REDZONE_BYTES : 0);
		k->recip = (uint32_t)((1ull << 32) / k->slot + 1);
		k->nobj = (SLAB_PAGE_SIZE - SLAB_OBJ_OFF) / k->slot;
		if (k->nobj > SLAB_BITMAP_WORDS * 64)
			k->nobj = SLAB_BITMAP_WORDS * 64;
	}
	for (i = 0; i < FW_ARRAY_LEN(h->class_of); i++) {
		while (c < SLAB_NR_CLASSES - 1 &&
		       slab_sizes[c] < i * SLAB_ALIGN)
			c++;
		h->class_of[i] = (uint8_t)c;
	}
}

/* --- partial list ------------------------------------------------------ */

static bool on_partial(const struct slab_class *c, const struct slab_page *s)
{
	return (s->flags & SLAB_ON_PARTIAL) && s->epoch == c->epoch;
}

static void partial_push(struct slab_class *c, struct slab_page *s)
{
	s->prev = NULL;
	s->next = c->partial;
	if (c->partial)
		c->partial->prev = s;
	c->partial = s;
	s->flags |= SLAB_ON_PARTIAL;
	s->epoch = c->epoch;
}

static void partial_del(struct slab_class *c, struct slab_page *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		c->partial = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
	s->flags &= (uint16_t)~SLAB_ON_PARTIAL;
}

/* --- slab pages --------------------------------------------------------- */

/* Header sound enough to trust its fields? The magic, owner and class are
 * always checked (cls indexes an array); the checksum in debug mode. */
static bool slab_hdr_ok(struct slab_heap *h, const struct slab_page *s)
{
	if (s->magic != SLAB_MAGIC_SMALL || s->heap != h ||
	    s->cls >= SLAB_NR_CLASSES ||
	    s->nobj != h->classes[s->cls].nobj)
		return false;
	return !h->debug || s->check == hdr_check(s, h, s->cls, s->nobj);
}

/* Build the freelist of @s from its bitmap, lowest address first. Used for a
 * new slab and to recover from a scribbled freelist. */
static void slab_rebuild_freelist(struct slab_heap *h, struct slab_page *s)
{
	const struct slab_class *c = &h->classes[s->cls];
	void *head = NULL;
	unsigned n = 0;
	int i;

	for (i = (int)s->nobj - 1; i >= 0; i--) {
		uint8_t *obj = slab_objs(s) + (size_t)i * c->slot;

		if (bit_test(s, (unsigned)i))
			continue;
		if (h->debug) {
			memset(obj, SLAB_POISON_FREE, c->size);
			memset(obj + c->size, SLAB_REDZONE,
					 SLAB_REDZONE_BYTES);
		}
		memcpy(obj, &head, sizeof(head));
		head = obj;
		n++;
	}
	s->freelist = head;
	s->nfree = (uint16_t)n;
}

static struct slab_page *slab_new(struct slab_heap *h, unsigned cls)
{
	struct slab_page *s = h->ops->alloc_pages(h->ctx, 1);

	if (!s)
		return NULL;
	if (FW_UNLIKELY(page_of(s) != addr_of(s))) {
		report(h, "slab: page source returned unaligned memory", s);
		h->ops->free_pages(h->ctx, s, 1);
		return NULL;
	}
	memset(s, 0, SLAB_OBJ_OFF);
	s->magic = SLAB_MAGIC_SMALL;
	s->heap = h;
	s->cls = (uint16_t)cls;
	s->nobj = (uint16_t)h->classes[cls].nobj;
	s->check = hdr_check(s, h, s->cls, s->nobj);
	slab_rebuild_freelist(h, s);
	h->stats.pages_held++;
	return s;
}

static void slab_release(struct slab_heap *h, struct slab_page *s)
{
	/* A stale pointer into this page now fails the magic check for as
	 * long as nobody reuses the page. */
	s->magic = SLAB_MAGIC_DEAD;
	h->ops->free_pages(h->ctx, s, 1);
	h->stats.pages_held--;
}

/* A slab of class @c to allocate from, or NULL if out of memory. */
static struct slab_page *class_slab(struct slab_heap *h, unsigned cls)
{
	struct slab_class *c = &h->classes[cls];
	struct slab_page *s;

	while ((s = c->partial) != NULL) {
		if (FW_LIKELY(slab_hdr_ok(h, s) && s->cls == cls && s->nfree))
			return s;
		report(h, "slab: corrupted slab header on partial list", s);
		/* Its links cannot be trusted, so drop the whole list: the
		 * epoch bump orphans every slab on it; healthy ones rejoin
		 * when one of their objects is freed. */
		c->partial = NULL;
		c->epoch++;
		h->stats.quarantined++;
	}
	s = c->cached;
	if (s) {
		c->cached = NULL;
		if (FW_UNLIKELY(!slab_hdr_ok(h, s) || s->cls != cls ||
				s->nfree != s->nobj)) {
			report(h, "slab: corrupted cached slab header", s);
			h->stats.quarantined++;
			s = NULL;
		}
	}
	if (!s)
		s = slab_new(h, cls);
	if (s)
		partial_push(c, s);
	return s;
}

/* Pop one object from @s (on the partial list, header checked). Returns
 * NULL, having quarantined something, if corruption was found: the caller
 * retries. */
static void *slab_pop(struct slab_heap *h, struct slab_class *c,
		      struct slab_page *s)
{
	uint8_t *obj = s->freelist;
	void *next;
	int idx, nidx = -1;

	if (FW_UNLIKELY(!obj)) {
		/* nfree > 0 but no list: the header was scribbled. */
		report(h, "slab: freelist lost", s);
		goto rebuild;
	}
	memcpy(&next, obj, sizeof(next));
	idx = obj_index(c, s, obj);
	if (next)
		nidx = obj_index(c, s, next);
	if (FW_UNLIKELY(idx < 0 || bit_test(s, (unsigned)idx) ||
			(next && (nidx < 0 || (h->debug &&
					       bit_test(s, (unsigned)nidx)))))) {
		report(h, "slab: corrupted freelist (write after free?)", obj);
		/* Withhold the object whose link was smashed; everything else
		 * still free per the bitmap goes back on a fresh list. */
		if (idx >= 0 && !bit_test(s, (unsigned)idx)) {
			bit_set(s, (unsigned)idx);
			h->stats.quarantined++;
		}
		goto rebuild;
	}
	s->freelist = next;
	bit_set(s, (unsigned)idx);
	s->nfree--;
	if (!s->nfree)
		partial_del(c, s);
	if (h->debug &&
	    FW_UNLIKELY(!mem_is(obj + sizeof(void *), SLAB_POISON_FREE,
				c->size - sizeof(void *)) ||
			!mem_is(obj + c->size, SLAB_REDZONE,
				SLAB_REDZONE_BYTES))) {
		report(h, "slab: write after free", obj);
		h->stats.quarantined++; /* stays marked allocated */
		return NULL;
	}
	return obj;

rebuild:
	slab_rebuild_freelist(h, s);
	if (!s->nfree)
		partial_del(c, s);
	return NULL;
}

/* --- large objects ------------------------------------------------------ */

static void *large_alloc(struct slab_heap *h, size_t size)
{
	size_t rz = h->debug ? SLAB_REDZONE_BYTES : 0, npages;
	struct slab_large *l;
	uint8_t *obj;

	if (size > SIZE_MAX - SLAB_LARGE_OFF - rz - (SLAB_PAGE_SIZE - 1))
		return NULL;
	npages = (SLAB_LARGE_OFF + size + rz + SLAB_PAGE_SIZE - 1) /
		 SLAB_PAGE_SIZE;
	l = h->ops->alloc_pages(h->ctx, npages);
	if (!l)
		return NULL;
	if (FW_UNLIKELY(page_of(l) != addr_of(l))) {
		report(h, "slab: page source returned unaligned memory", l);
		h->ops->free_pages(h->ctx, l, npages);
		return NULL;
	}
	l->magic = SLAB_MAGIC_LARGE;
	l->heap = h;
	l->npages = npages;
	l->req = size;
	l->check = hdr_check(l, h, npages, size);
	obj = (uint8_t *)l + SLAB_LARGE_OFF;
	if (h->debug) {
		memset(obj, SLAB_POISON_ALLOC, size);
		memset(obj + size, SLAB_REDZONE,
				 npages * SLAB_PAGE_SIZE - SLAB_LARGE_OFF - size);
	}
	h->stats.pages_held += npages;
	h->stats.bytes_in_use += npages * SLAB_PAGE_SIZE - SLAB_LARGE_OFF;
	h->stats.objects_in_use++;
	h->stats.large_allocs++;
	return obj;
}

static bool large_hdr_ok(struct slab_heap *h, const struct slab_large *l)
{
	return l->magic == SLAB_MAGIC_LARGE && l->heap == h &&
	       l->check == hdr_check(l, h, l->npages, l->req);
}

static void large_free(struct slab_heap *h, struct slab_large *l, void *p)
{
	uint8_t *obj = (uint8_t *)l + SLAB_LARGE_OFF;
	size_t npages = l->npages;

	if (FW_UNLIKELY(!large_hdr_ok(h, l))) {
		report(h, "slab: corrupted large object header", p);
		return;
	}
	if (FW_UNLIKELY(addr_of(p) != addr_of(obj))) {
		report(h, "slab: free of a pointer inside a large object", p);
		return;
	}
	if (h->debug &&
	    FW_UNLIKELY(!mem_is(obj + l->req, SLAB_REDZONE,
				npages * SLAB_PAGE_SIZE - SLAB_LARGE_OFF -
					l->req))) {
		report(h, "slab: heap overflow past a large object", p);
		h->stats.quarantined++;
		return;
	}
	l->magic = SLAB_MAGIC_DEAD;
	h->ops->free_pages(h->ctx, l, npages);
	h->stats.pages_held -= npages;
	h->stats.bytes_in_use -= npages * SLAB_PAGE_SIZE - SLAB_LARGE_OFF;
	h->stats.objects_in_use--;
	h->stats.large_allocs--;
}

/* --- public entry points ------------------------------------------------ */

void *slab_alloc(struct slab_heap *h, size_t size)
{
	unsigned cls;
	struct slab_class *c;
	uint8_t *obj;

	if (FW_UNLIKELY(size == 0))
		return NULL;
	if (size > SLAB_MAX_SMALL)
		return large_alloc(h, size);
	cls = h->class_of[(size + SLAB_ALIGN - 1) / SLAB_ALIGN];
	c = &h->classes[cls];
	for (;;) {
		struct slab_page *s = class_slab(h, cls);

		if (!s)
			return NULL;
		obj = slab_pop(h, c, s);
		if (FW_LIKELY(obj != NULL))
			break;
	}
	if (h->debug) {
		uint32_t word[2] = { (uint32_t)size, ~(uint32_t)size };

		memset(obj, SLAB_POISON_ALLOC, size);
		memset(obj + size, SLAB_REDZONE,
				 c->size + SLAB_REDZONE_BYTES / 2 - size);
		memcpy(obj + c->size + SLAB_REDZONE_BYTES / 2, word,
				 sizeof(word));
	}
	h->stats.bytes_in_use += c->size;
	h->stats.objects_in_use++;
	return obj;
}

void *slab_zalloc(struct slab_heap *h, size_t size)
{
	void *p = slab_alloc(h, size);

	if (p)
		memset(p, 0, size);
	return p;
}

/* The live small object at @p: its slab and index, after every check that
 * applies. Returns false (having reported) if @p is not one. */
static bool small_lookup(struct slab_heap *h, const void *p,
			 struct slab_page **sp, int *idxp)
{
	struct slab_page *s = ptr_of(page_of(p));
	int idx;

	if (FW_UNLIKELY(!slab_hdr_ok(h, s))) {
		report(h, "slab: corrupted slab header", p);
		return false;
	}
	idx = obj_index(&h->classes[s->cls], s, p);
	if (FW_UNLIKELY(idx < 0)) {
		report(h, "slab: free of a pointer that is not an object start",
		       p);
		return false;
	}
	if (FW_UNLIKELY(!bit_test(s, (unsigned)idx))) {
		report(h, "slab: double free", p);
		return false;
	}
	*sp = s;
	*idxp = idx;
	return true;
}

/* Debug: requested size from the red zone word, or -1 if it was smashed. */
static int64_t redzone_req(const struct slab_class *c, const uint8_t *obj)
{
	uint32_t word[2];

	memcpy(word, obj + c->size + SLAB_REDZONE_BYTES / 2,
			 sizeof(word));
	if (word[1] != ~word[0] || word[0] == 0 || word[0] > c->size)
		return -1;
	return word[0];
}

void slab_free(struct slab_heap *h, void *p)
{
	struct slab_page *s;
	struct slab_class *c;
	uint8_t *obj = p;
	uint32_t magic;
	int idx;
	uint16_t was_free;

	if (!p)
		return;
	memcpy(&magic, ptr_of(page_of(p)), sizeof(magic));
	if (magic == SLAB_MAGIC_LARGE) {
		large_free(h, ptr_of(page_of(p)), p);
		return;
	}
	if (magic == SLAB_MAGIC_DEAD) {
		report(h, "slab: free into a page already given back "
			  "(double free?)", p);
		return;
	}
	if (FW_UNLIKELY(!small_lookup(h, p, &s, &idx)))
		return;
	c = &h->classes[s->cls];
	if (h->debug) {
		int64_t req = redzone_req(c, obj);

		if (FW_UNLIKELY(req < 0 ||
				!mem_is(obj + req, SLAB_REDZONE,
					c->size + SLAB_REDZONE_BYTES / 2 -
						(size_t)req))) {
			report(h, "slab: heap overflow (red zone overwritten)",
			       p);
			h->stats.quarantined++; /* stays allocated */
			return;
		}
		memset(obj, SLAB_POISON_FREE, c->size);
		memset(obj + c->size, SLAB_REDZONE,
				 SLAB_REDZONE_BYTES);
	}
	memcpy(obj, &s->freelist, sizeof(void *));
	s->freelist = obj;
	bit_clear(s, (unsigned)idx);
	was_free = s->nfree++;
	h->stats.bytes_in_use -= c->size;
	h->stats.objects_in_use--;

	if (s->nfree == s->nobj) {
		/* Empty: keep one per class, give the rest back. */
		if (on_partial(c, s))
			partial_del(c, s);
		if (!c->cached) {
			c->cached = s;
			s->flags &= (uint16_t)~SLAB_ON_PARTIAL;
		} else {
			slab_release(h, s);
		}
	} else if (!was_free || !on_partial(c, s)) {
		/* Was full (or orphaned by a dropped list): allocatable
		 * again. */
		partial_push(c, s);
	}
}

size_t slab_usable_size(struct slab_heap *h, const void *p)
{
	struct slab_page *s;
	struct slab_large *l;
	const struct slab_class *c;
	uint32_t magic;
	int idx;

	if (!p)
		return 0;
	l = ptr_of(page_of(p));
	memcpy(&magic, l, sizeof(magic));
	if (magic == SLAB_MAGIC_LARGE) {
		if (!large_hdr_ok(h, l) ||
		    addr_of(p) != addr_of(l) + SLAB_LARGE_OFF) {
			report(h, "slab: usable_size of a bad large pointer", p);
			return 0;
		}
		return h->debug ? l->req
				: l->npages * SLAB_PAGE_SIZE - SLAB_LARGE_OFF;
	}
	if (!small_lookup(h, p, &s, &idx))
		return 0;
	c = &h->classes[s->cls];
	if (h->debug) {
		int64_t req = redzone_req(c, p);

		if (req < 0) {
			report(h, "slab: heap overflow (red zone overwritten)",
			       p);
			return 0;
		}
		return (size_t)req;
	}
	return c->size;
}

size_t slab_heap_trim(struct slab_heap *h)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < SLAB_NR_CLASSES; i++) {
		struct slab_page *s = h->classes[i].cached;

		if (!s)
			continue;
		h->classes[i].cached = NULL;
		if (!slab_hdr_ok(h, s) || s->nfree != s->nobj) {
			report(h, "slab: corrupted cached slab header", s);
			h->stats.quarantined++;
			continue;
		}
		slab_release(h, s);
		n++;
	}
	return n;
}
