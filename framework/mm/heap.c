/* framework/mm/heap.c: the kernel heap: slab.c on kernel frames, one heap
 * for the framework's own objects and one partition per service type.
 *
 * Layer: framework. Everything is behind one IRQ-safe lock (per-CPU caches
 * are a later optimisation, to be measured first). Corruption found by the
 * slab checks is a panic naming the object.
 *
 * Why partitions (SOUNDNESS.md, "the heap"): C cannot stop a service from
 * keeping a pointer past fw_free. What the framework can decide is what
 * that pointer may then meet. Here it only ever meets memory of the same
 * partition:
 *  - the framework's handle objects (tasks, timers, MMIO and DMA handles,
 *    address spaces: KHEAP_NEW) are partitioned by type the same way, on
 *    partitions of their own, so a stale handle meets its own type or a
 *    dead one (each checks a magic number on every use: internal/handle.h);
 *    the framework's few untyped allocations come from a plain heap on
 *    FRAME_KERNEL pages;
 *  - each service type T (named at its FW_NEW call site) has a slab heap
 *    of its own, so a freed T's slot is only ever reused for another T;
 *  - byte buffers (fw_buf_alloc) have two partitions, slab-sized and
 *    page runs, and hold no pointers by construction (fw/bytes.h);
 *  - pages a partition was given are tagged FRAME_HEAP with its index
 *    and are never given back to the frame allocator: an empty slab page
 *    or page run returns to its partition's own pool. A run is reused only
 *    for a run of the same order, and slab pages only as slab pages of the
 *    same class, so in-band headers sit where no stale pointer of the
 *    partition reaches (before its first object).
 * The price is memory that a partition used at its peak stays with it;
 * the kernel_memory benchmark row shows it.
 *
 * fw_free also checks what the CPU may still do to the object: a live user
 * context inside it (the lazy FPU switch would later save 512 bytes there)
 * panics instead. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/panic.h>
#include <fw/string.h>
#include <fw/sync.h>
#include "internal/failinject.h"
#include "internal/frame.h"
#include "internal/heap.h"
#include "internal/mem.h"
#include "internal/percpu.h"
#include "mm/slab.h"

#define HEAP_MAX_PARTS 192  /* service types; about 50 today */
#define HEAP_POOL_ORDERS 15 /* page runs up to 2^14 pages: 64 MiB */
#define HEAP_BUF_MAX (64u << 20)

/* One partition: a type of the services or of the framework. */
struct partition {
	const char *name;  /* the type as spelled, or "bytes" */
	uint32_t size;     /* its size; 0 for the byte partitions */
	uint32_t req;      /* what is asked of the slab heap per object: the
			    * size, or for a type aligned beyond SLAB_ALIGN
			    * enough to get a page run (SLAB_LARGE_ALIGN) */
	bool framework;    /* a framework type (KHEAP_NEW), not a service's */
	struct fw_list refs; /* struct heap_ref.node: framework pointers
			      * into this partition's objects */
	struct slab_heap heap;
	/* Free page runs given back by the slab heap, by order, linked
	 * through their second word (the first keeps the slab's DEAD
	 * magic, so a late free into one is still recognised). */
	void *pool[HEAP_POOL_ORDERS];
};

static struct fw_spinlock heap_lock = FW_SPINLOCK_INIT("heap");
static struct slab_heap fw_heap;                   /* framework objects */
static struct partition parts[HEAP_MAX_PARTS];    /* guarded by heap_lock */
static unsigned nparts;                            /* guarded by heap_lock */
#define PART_BYTES 0       /* fw_buf_alloc up to SLAB_MAX_SMALL */
#define PART_BYTES_LARGE 1 /* larger fw_buf_alloc */

static unsigned order_for(size_t npages)
{
	unsigned order = 0;
	while ((1ull << order) < npages)
		order++;
	return order;
}

/* ---- page sources ------------------------------------------------------ */

static void *fw_alloc_pages(void *ctx, size_t npages)
{
	uint64_t phys = kframe_alloc(order_for(npages));
	(void)ctx;
	return phys ? phys_to_virt(phys) : 0;
}

static void fw_free_pages(void *ctx, void *p, size_t npages)
{
	(void)ctx;
	kframe_free(virt_to_phys(p), order_for(npages));
}

static void *part_alloc_pages(void *ctx, size_t npages)
{
	struct partition *pt = ctx;
	unsigned order = order_for(npages);
	uint64_t phys;
	void **run;

	if (order >= HEAP_POOL_ORDERS)
		return 0;
	run = pt->pool[order];
	if (run) {
		pt->pool[order] = run[1];
		run[1] = 0;
		return run;
	}
	phys = kframe_alloc_heap(order, (uint32_t)(pt - parts));
	return phys ? phys_to_virt(phys) : 0;
}

static void part_free_pages(void *ctx, void *p, size_t npages)
{
	struct partition *pt = ctx;
	unsigned order = order_for(npages);
	void **run = p;

	run[1] = pt->pool[order];
	pt->pool[order] = run;
}

static void heap_corruption(void *ctx, const char *what, const void *addr)
{
	(void)ctx;
	fw_panic("heap: %s at %p", what, addr);
}

static const struct slab_page_ops fw_ops = {
	.alloc_pages = fw_alloc_pages,
	.free_pages = fw_free_pages,
	.corruption = heap_corruption,
};

static const struct slab_page_ops part_ops = {
	.alloc_pages = part_alloc_pages,
	.free_pages = part_free_pages,
	.corruption = heap_corruption,
};

/* Caller holds heap_lock. */
static struct partition *part_new(const char *name, uint32_t size,
				   uint32_t align, bool framework)
{
	struct partition *pt;

	if (nparts == HEAP_MAX_PARTS)
		fw_panic("heap: more than %u service types", HEAP_MAX_PARTS);
	if (align > SLAB_LARGE_ALIGN)
		fw_panic("heap: '%s' asks for %u-byte alignment; at most %u",
			 name, align, SLAB_LARGE_ALIGN);
	pt = &parts[nparts++];
	pt->name = name;
	pt->size = size;
	pt->req = align > SLAB_ALIGN && size <= SLAB_MAX_SMALL ? SLAB_MAX_SMALL + 1
							       : size;
	pt->framework = framework;
	fw_list_init(&pt->refs);
	slab_heap_init(&pt->heap, &part_ops, pt, FW_DEBUG);
	return pt;
}

void heap_init(void)
{
	slab_heap_init(&fw_heap, &fw_ops, 0, FW_DEBUG);
	(void)part_new("bytes", 0, SLAB_ALIGN, false);
	(void)part_new("bytes (page runs)", 0, SLAB_ALIGN, false);
}

/* ---- the framework's untyped allocations (sizes known only at run time) */

void *kheap_alloc(size_t size)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&heap_lock);
	void *p = slab_zalloc(&fw_heap, size);
	fw_spin_unlock_irqrestore(&heap_lock, fl);
	return p;
}

void kheap_free(void *obj)
{
	if (!obj)
		return;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&heap_lock);
	slab_free(&fw_heap, obj);
	fw_spin_unlock_irqrestore(&heap_lock, fl);
}

/* ---- services ----------------------------------------------------------- */

/* The partition of the type a call site names, found once per call site;
 * framework and service types never share one, even if named alike.
 * Caller holds heap_lock. */
static struct partition *part_of_key(struct fw__type_key *key, bool framework)
{
	uint32_t part = key->part;

	if (FW_LIKELY(part)) {
		if (FW_UNLIKELY(part > nparts || parts[part - 1].size != key->size ||
				parts[part - 1].framework != framework))
			fw_panic("heap: FW_NEW key of '%s' is corrupt", key->name);
		return &parts[part - 1];
	}
	for (unsigned i = 2; i < nparts; i++) {
		if (parts[i].size == key->size && parts[i].framework == framework &&
		    !strcmp(parts[i].name, key->name)) {
			key->part = i + 1;
			return &parts[i];
		}
	}
	if (key->size == 0)
		fw_panic("heap: FW_NEW of the empty type '%s'", key->name);
	part_new(key->name, key->size, key->align, framework);
	key->part = nparts;
	return &parts[nparts - 1];
}

static void *alloc_typed(struct fw__type_key *key, bool framework)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&heap_lock);
	struct partition *pt = part_of_key(key, framework);
	void *p = slab_zalloc(&pt->heap, pt->req);
	fw_spin_unlock_irqrestore(&heap_lock, fl);
	return p;
}

void *fw__alloc_typed(struct fw__type_key *key)
{
	if (FW_UNLIKELY(failinject_should_fail(FAIL_SLAB, key->size, key->name)))
		return NULL;
	return alloc_typed(key, false);
}

/* Failed on purpose too: the framework objects a system call makes for a
 * service (a task, a timer, an address space) are part of its work. */
void *kheap_alloc_typed(struct fw__type_key *key)
{
	if (FW_UNLIKELY(failinject_should_fail(FAIL_SLAB, key->size, key->name)))
		return NULL;
	return alloc_typed(key, true);
}

/* The partition obj lives in, if it is on a partition's page at all;
 * NULL for anything else (the stack, data, the untyped heap). */
static struct partition *part_of_obj(const void *obj)
{
	uint64_t v = (uint64_t)(uintptr_t)obj;
	uint32_t owner;

	if (v < PHYS_WINDOW || v - PHYS_WINDOW >= frame_max_phys() ||
	    !kframe_heap_owner(v - PHYS_WINDOW, &owner) || owner >= nparts)
		return 0;
	return &parts[owner];
}

/* A user context whose state a CPU's FPU registers still hold must not be
 * freed: the lazy FPU switch would later save 512 bytes into whatever
 * reuses the memory. (A CPU running the context in user mode holds it as
 * its FPU owner too.) Caller holds heap_lock. */
static void check_no_live_context(const void *obj, size_t len)
{
	uint64_t lo = (uint64_t)(uintptr_t)obj, hi = lo + len;

	for (unsigned i = 0; i < percpu_online; i++) {
		const struct percpu *c = cpu_data(i);
		uint64_t fpu = (uint64_t)(uintptr_t)__atomic_load_n(
			&c->fpu_owner, __ATOMIC_RELAXED);

		if (fpu >= lo && fpu < hi)
			fw_panic("fw_free: object %p holds a user context that "
				 "cpu %u still uses (call "
				 "fw_user_context_release first)",
				 obj, i);
	}
}

/* Nothing the framework keeps may point into the object being freed.
 * Caller holds heap_lock. */
static void check_no_ref(struct partition *pt, const void *obj)
{
	/* Byte partitions have no fixed size: only the start counts. */
	uint64_t lo = (uint64_t)(uintptr_t)obj, hi = lo + (pt->size ? pt->size : 1);
	struct heap_ref *r;

	FW_LIST_FOR_EACH(r, &pt->refs, node) {
		uint64_t t = (uint64_t)(uintptr_t)r->target;

		if (t >= lo && t < hi)
			fw_panic("fw_free: %s still points to object %p (destroy "
				 "or detach it first)", r->what, obj);
	}
}

void heap_ref_add(struct heap_ref *r, const void *target, const char *what)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&heap_lock);
	struct partition *pt = part_of_obj(target);

	r->target = target;
	r->what = what;
	r->on = pt && !pt->framework;
	if (r->on)
		fw_list_add_tail(&pt->refs, &r->node);
	fw_spin_unlock_irqrestore(&heap_lock, fl);
}

void heap_ref_del(struct heap_ref *r)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&heap_lock);

	if (r->on)
		fw_list_del(&r->node);
	r->on = false;
	fw_spin_unlock_irqrestore(&heap_lock, fl);
}

static void free_typed(void *obj, bool framework, const char *who)
{
	struct partition *pt;
	fw_irqflags_t fl;

	if (!obj)
		return;
	fl = fw_spin_lock_irqsave(&heap_lock);
	pt = part_of_obj(obj);
	if (FW_UNLIKELY(!pt || pt->framework != framework))
		fw_panic("%s: %p is not a %s heap object", who, obj,
			 framework ? "framework" : "service");
	/* Only a typed object can hold a user context (byte buffers hold
	 * plain bytes), and its size is its partition's. */
	if (pt->size)
		check_no_live_context(obj, pt->size);
	if (FW_UNLIKELY(!fw_list_empty(&pt->refs)))
		check_no_ref(pt, obj);
	slab_free(&pt->heap, obj);
	fw_spin_unlock_irqrestore(&heap_lock, fl);
}

void fw_free(void *obj)
{
	free_typed(obj, false, "fw_free");
}

void kheap_free_typed(void *obj)
{
	free_typed(obj, true, "kheap_free_typed");
}

static int buf_alloc(size_t len, bool zero, struct fw_buf *out)
{
	struct partition *pt;
	fw_irqflags_t fl;
	void *p;

	if (len == 0 || len > HEAP_BUF_MAX)
		return -EINVAL;
	if (FW_UNLIKELY(failinject_should_fail(FAIL_SLAB, len, "bytes")))
		return -ENOMEM;
	fl = fw_spin_lock_irqsave(&heap_lock);
	pt = &parts[len <= SLAB_MAX_SMALL ? PART_BYTES : PART_BYTES_LARGE];
	p = slab_alloc(&pt->heap, len);
	fw_spin_unlock_irqrestore(&heap_lock, fl);
	if (!p)
		return -ENOMEM;
	if (zero)
		memset(p, 0, len);
	/* SAFETY: len bytes at p are ours until fw_buf_free, and the byte
	 * partitions hold no pointers: whatever bytes an unzeroed buffer
	 * starts with are some earlier buffer's, never framework state. */
	*out = fw__buf_make(p, len);
	return 0;
}

int fw_buf_alloc(size_t len, struct fw_buf *out)
{
	return buf_alloc(len, true, out);
}

int fw_buf_alloc_uninit(size_t len, struct fw_buf *out)
{
	return buf_alloc(len, false, out);
}

void fw_buf_free(struct fw_buf *buf)
{
	free_typed(fw__buf_ptr(*buf), false, "fw_buf_free");
	*buf = fw__buf_make(0, 0);
}

size_t fw_heap_used(void)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&heap_lock);
	size_t n = slab_heap_stats(&fw_heap).bytes_in_use;

	for (unsigned i = 0; i < nparts; i++)
		n += slab_heap_stats(&parts[i].heap).bytes_in_use;
	fw_spin_unlock_irqrestore(&heap_lock, fl);
	return n;
}
