/* framework/mm/frame.c: the physical frame allocator and frame handles.
 *
 * Layer: framework. One buddy zone (buddy.c) covers RAM from pfn 0 to the
 * highest usable frame; holes and firmware ranges stay reserved. Next to the
 * buddy metadata sits a frame table (struct fw_frame per pfn: refcount and
 * kind), so a handle is simply a pointer into that table and is validated by
 * range before use. Memory below 1 MiB is never allocated: it holds the BIOS
 * data and the AP start-up trampoline.
 *
 * Boot order: paging_init() builds the physical window before this
 * allocator exists, taking its table pages from frame_early_alloc() (below
 * the 1 GiB the boot tables map); frame_init() then places the metadata
 * anywhere in RAM, since the window covers all of it, and donates every
 * usable frame not taken by then. So any memory size boots, the metadata
 * and the window sized from the memory map. */
#include <fw/cpu.h>
#include <fw/errno.h>
#include <fw/frame.h>
#include <fw/log.h>
#include <fw/panic.h>
#include <fw/string.h>
#include <fw/sync.h>
#include "internal/boot.h"
#include "internal/failinject.h"
#include "internal/frame.h"
#include "internal/handle.h"
#include "internal/iommu.h"
#include "internal/mem.h"
#include "internal/percpu.h"
#include <arch/x86.h>
#include "mm/buddy.h"

struct fw_frame {
	uint32_t refcount; /* user frames: references; heap-partition frames:
			    * the owning partition; others: 0 */
	uint8_t kind;      /* enum frame_kind */
	uint8_t order;     /* kernel runs: order of the run at its head */
	uint16_t mapcount; /* user frames: how many of the references are
			    * user mappings' (vmspace.c); never more than
			    * refcount */
	uint32_t gen;      /* user frames: bumped at each allocation, and
			    * carried in the handle (handle_of) */
	uint32_t spare;
};

static struct fw_spinlock zone_lock = FW_SPINLOCK_INIT("frames");
static struct buddy zone;         /* guarded by zone_lock */
static struct fw_frame *frame_db; /* one per pfn in the zone */
static uint64_t zone_frames;
static uint64_t total_usable_frames;

static void reserve(uint64_t *lo, uint64_t *hi, uint64_t rlo, uint64_t rhi)
{
	/* Clip [lo, hi) against a reserved range that overlaps its start or
	 * end; a range inside is handled by the caller splitting. */
	if (rhi <= *lo || rlo >= *hi)
		return;
	if (rlo <= *lo)
		*lo = rhi < *hi ? rhi : *hi;
	else
		*hi = rlo;
}

struct range {
	uint64_t lo, hi;
};

/* Boot-time allocations made before the buddy allocator exists (the kernel
 * page tables, the frame metadata), merged when adjacent; they stay
 * reserved for good. */
#define EARLY_MAX 16
static struct range early_used[EARLY_MAX];
static unsigned nearly_used;
static bool frames_ready; /* frame_init() done: early allocation is over */

/* Ranges that are usable RAM by the map but already taken. */
#define TAKEN_MAX (3 + BOOT_MAX_MODULES + EARLY_MAX)
static unsigned taken_ranges(struct range *out)
{
	unsigned n = 0;
	out[n++] = (struct range){ 0, 0x100000 };
	out[n++] = (struct range){ (uint64_t)(uintptr_t)__kernel_phys_start,
				   (uint64_t)(uintptr_t)__kernel_phys_end };
	out[n++] = (struct range){ boot_info.mbi_phys,
				   boot_info.mbi_phys + boot_info.mbi_len };
	for (unsigned i = 0; i < boot_info.nmodules; i++)
		out[n++] = (struct range){ boot_info.modules[i].start,
					   boot_info.modules[i].end };
	for (unsigned i = 0; i < nearly_used; i++)
		out[n++] = early_used[i];
	return n;
}

/* The highest usable address + 1 the physical window can hold. */
static uint64_t usable_end(void)
{
	uint64_t max_phys = 0;

	for (unsigned i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.mmap[i];
		if (r->type == MEM_USABLE && r->base + r->len > max_phys)
			max_phys = r->base + r->len;
	}
	return max_phys > PHYS_WINDOW_SIZE ? PHYS_WINDOW_SIZE : max_phys;
}

uint64_t frame_early_alloc(uint64_t bytes, uint64_t below)
{
	struct range taken[TAKEN_MAX];
	unsigned ntaken;

	if (frames_ready)
		fw_panic("frames: early allocation after frame_init()");
	bytes = PAGE_ALIGN_UP(bytes);
	ntaken = taken_ranges(taken);
	for (unsigned i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.mmap[i];
		uint64_t lo = PAGE_ALIGN_UP(r->base);
		uint64_t hi = PAGE_ALIGN_DOWN(r->base + r->len);
		bool moved;

		if (r->type != MEM_USABLE)
			continue;
		if (hi > below)
			hi = PAGE_ALIGN_DOWN(below);
		do { /* move past every taken range it overlaps */
			moved = false;
			for (unsigned k = 0; k < ntaken; k++) {
				uint64_t tlo = PAGE_ALIGN_DOWN(taken[k].lo);
				uint64_t thi = PAGE_ALIGN_UP(taken[k].hi);
				if (tlo < lo + bytes && thi > lo) {
					lo = thi;
					moved = true;
				}
			}
		} while (moved && lo + bytes <= hi);
		if (lo >= hi || hi - lo < bytes)
			continue;
		/* Extend an adjacent record, or start a new one. */
		for (unsigned k = 0; k < nearly_used; k++)
			if (early_used[k].hi == lo) {
				early_used[k].hi = lo + bytes;
				return lo;
			}
		if (nearly_used == EARLY_MAX)
			fw_panic("frames: too many early allocations");
		early_used[nearly_used++] = (struct range){ lo, lo + bytes };
		return lo;
	}
	return 0;
}

/* Donate [lo, hi) minus every taken range, recursively splitting. */
static void donate(uint64_t lo, uint64_t hi, const struct range *taken,
		   unsigned ntaken)
{
	lo = PAGE_ALIGN_UP(lo);
	hi = PAGE_ALIGN_DOWN(hi);
	for (unsigned i = 0; i < ntaken && lo < hi; i++) {
		uint64_t rlo = PAGE_ALIGN_DOWN(taken[i].lo);
		uint64_t rhi = PAGE_ALIGN_UP(taken[i].hi);
		if (rlo > lo && rhi < hi) { /* strictly inside: split */
			donate(lo, rlo, taken + i + 1, ntaken - i - 1);
			lo = rhi;
			continue;
		}
		reserve(&lo, &hi, rlo, rhi);
	}
	if (lo >= hi)
		return;
	buddy_free_range(&zone, lo >> PAGE_SHIFT, (hi - lo) >> PAGE_SHIFT);
	total_usable_frames += (hi - lo) >> PAGE_SHIFT;
}

void frame_init(void)
{
	uint64_t meta_bytes, meta_phys;
	struct range taken[TAKEN_MAX];
	unsigned ntaken;

	/* One flat zone from pfn 0 to the end of the highest usable region:
	 * holes (the PCI hole below 4 GiB, firmware ranges) get metadata too
	 * and stay reserved, 20 bytes per 4 KiB frame of hole. */
	zone_frames = usable_end() >> PAGE_SHIFT;
	if (zone_frames > BUDDY_MAX_FRAMES)
		zone_frames = BUDDY_MAX_FRAMES;
	meta_bytes = PAGE_ALIGN_UP(zone_frames * (sizeof(struct buddy_frame) +
						  sizeof(struct fw_frame)));

	/* paging_init() has mapped all RAM in the window, so the metadata
	 * may live anywhere in it, clear of everything already in memory. */
	meta_phys = frame_early_alloc(meta_bytes, UINT64_MAX);
	if (!meta_phys)
		fw_panic("frames: no room for %llu KiB of frame metadata",
			 (unsigned long long)(meta_bytes >> 10));

	struct buddy_frame *meta = phys_to_virt(meta_phys);
	frame_db = phys_to_virt(meta_phys + zone_frames * sizeof *meta);
	memset(frame_db, 0, zone_frames * sizeof *frame_db);
	buddy_init(&zone, meta, 0, zone_frames);

	frames_ready = true;
	ntaken = taken_ranges(taken);
	for (unsigned i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.mmap[i];
		uint64_t hi = r->base + r->len;
		if (r->type != MEM_USABLE)
			continue;
		if (hi > (zone_frames << PAGE_SHIFT))
			hi = zone_frames << PAGE_SHIFT;
		if (r->base < hi)
			donate(r->base, hi, taken, ntaken);
	}
	for (uint64_t pfn = 0; pfn < zone_frames; pfn++)
		frame_db[pfn].kind = buddy_is_free(&zone, pfn) ? FRAME_FREE
							       : FRAME_RESERVED;
	fw_info("frames: %llu MiB usable up to %#llx, %llu KiB metadata at %#llx",
		(unsigned long long)(total_usable_frames >> 8),
		(unsigned long long)(zone_frames << PAGE_SHIFT),
		(unsigned long long)(meta_bytes >> 10),
		(unsigned long long)meta_phys);
}

uint64_t frame_max_phys(void)
{
	return zone_frames << PAGE_SHIFT;
}

/* Each CPU keeps a few free frames of its own (Linux's per-CPU page
 * lists): most single-frame allocations and frees then take no shared
 * lock (zone_lock was the most contended lock under fork and page-fault
 * load, /proc/lock_stat). Refilled and drained PCP_BATCH at a time; its
 * frames count as free and are marked FRAME_FREE, so a double free is
 * still caught. At most PCP_HIGH frames per other CPU are out of reach of
 * a CPU that finds the zone empty. */
#define PCP_HIGH 48u
#define PCP_BATCH 16u

struct pcp {
	uint32_t n;              /* frames held; only its CPU, IRQs off */
	uint64_t pfn[PCP_HIGH];
};

static struct pcp pcp[FW_MAX_CPUS];
static uint64_t pcp_frames; /* in every CPU's list (atomic, for stats) */

static void pcp_refill(struct pcp *c)
{
	unsigned got = 0;

	fw_spin_lock(&zone_lock);
	while (got < PCP_BATCH) {
		int64_t pfn = buddy_alloc(&zone, 0);
		if (pfn < 0)
			break;
		c->pfn[c->n++] = (uint64_t)pfn;
		got++;
	}
	fw_spin_unlock(&zone_lock);
	__atomic_add_fetch(&pcp_frames, got, __ATOMIC_RELAXED);
}

static void pcp_drain(struct pcp *c)
{
	int err = 0;

	fw_spin_lock(&zone_lock);
	for (unsigned i = 0; i < PCP_BATCH; i++)
		err |= buddy_free(&zone, c->pfn[--c->n], 0);
	fw_spin_unlock(&zone_lock);
	__atomic_sub_fetch(&pcp_frames, PCP_BATCH, __ATOMIC_RELAXED);
	if (err)
		fw_panic("frames: bad free from a CPU's list (double free?)");
}

static int64_t zone_alloc(unsigned order, enum frame_kind kind)
{
	fw_irqflags_t fl;
	int64_t pfn = -1;

	if (order == 0) {
		fl = fw_irq_save(); /* this CPU's list: no interrupt, no move */
		struct pcp *c = &pcp[this_cpu_id()];
		if (!c->n)
			pcp_refill(c);
		if (c->n) {
			pfn = (int64_t)c->pfn[--c->n];
			__atomic_sub_fetch(&pcp_frames, 1, __ATOMIC_RELAXED);
			frame_db[pfn].kind = kind;
			frame_db[pfn].order = 0;
		}
		fw_irq_restore(fl);
		return pfn;
	}
	fl = fw_spin_lock_irqsave(&zone_lock);
	pfn = buddy_alloc(&zone, order);
	if (pfn >= 0) {
		for (uint64_t i = 0; i < (1ull << order); i++)
			frame_db[pfn + i].kind = kind;
		frame_db[pfn].order = order;
	}
	fw_spin_unlock_irqrestore(&zone_lock, fl);
	return pfn;
}

static void bad_free(uint64_t pfn, unsigned order)
{
	fw_panic("frames: bad free of pfn %#llx order %u (double free?)",
		 (unsigned long long)pfn, order);
}

static void zone_free(uint64_t pfn, unsigned order)
{
	fw_irqflags_t fl;
	int err;

	if (order == 0) {
		fl = fw_irq_save();
		struct pcp *c = &pcp[this_cpu_id()];
		if (frame_db[pfn].kind == FRAME_FREE) {
			fw_irq_restore(fl);
			bad_free(pfn, 0);
		}
		frame_db[pfn].kind = FRAME_FREE;
		if (c->n == PCP_HIGH)
			pcp_drain(c);
		c->pfn[c->n++] = pfn;
		__atomic_add_fetch(&pcp_frames, 1, __ATOMIC_RELAXED);
		fw_irq_restore(fl);
		return;
	}
	fl = fw_spin_lock_irqsave(&zone_lock);
	for (uint64_t i = 0; i < (1ull << order); i++)
		frame_db[pfn + i].kind = FRAME_FREE;
	err = buddy_free(&zone, pfn, order);
	fw_spin_unlock_irqrestore(&zone_lock, fl);
	if (err)
		bad_free(pfn, order);
}

static fw_frame_reclaim_fn reclaim_fn;

void fw_frame_set_reclaim(fw_frame_reclaim_fn fn)
{
	__atomic_store_n(&reclaim_fn, fn, __ATOMIC_RELEASE);
}

/* The reclaimer sleeps on mutexes: only where the caller could. */
static bool may_reclaim(void)
{
	fw_irqflags_t fl = fw_irq_save();
	bool ok = (fl & X86_RFLAGS_IF) && this_cpu()->preempt_count == 0;

	fw_irq_restore(fl);
	return ok;
}

/* zone_alloc, and on failure, where the caller may sleep, once more after
 * the service's reclaimer freed what it could. */
static int64_t zone_alloc_reclaim(unsigned order, enum frame_kind kind)
{
	int64_t pfn = zone_alloc(order, kind);
	fw_frame_reclaim_fn fn;

	if (pfn >= 0)
		return pfn;
	fn = __atomic_load_n(&reclaim_fn, __ATOMIC_ACQUIRE);
	if (!fn || !may_reclaim() || fn(32ull << order) == 0)
		return -1;
	return zone_alloc(order, kind);
}

uint64_t kframe_alloc(unsigned order)
{
	int64_t pfn = zone_alloc_reclaim(order, FRAME_KERNEL);
	return pfn < 0 ? 0 : (uint64_t)pfn << PAGE_SHIFT;
}

void kframe_free(uint64_t phys, unsigned order)
{
	uint64_t pfn = phys >> PAGE_SHIFT;
	if (pfn >= zone_frames || frame_db[pfn].kind != FRAME_KERNEL)
		fw_panic("frames: kframe_free(%#llx) of a frame that is not a kernel frame",
			 (unsigned long long)phys);
	zone_free(pfn, order);
}

uint64_t kframe_alloc_heap(unsigned order, uint32_t owner)
{
	int64_t pfn = zone_alloc_reclaim(order, FRAME_HEAP);

	if (pfn < 0)
		return 0;
	for (uint64_t i = 0; i < (1ull << order); i++)
		frame_db[pfn + i].refcount = owner;
	return (uint64_t)pfn << PAGE_SHIFT;
}

bool kframe_heap_owner(uint64_t phys, uint32_t *owner)
{
	uint64_t pfn = phys >> PAGE_SHIFT;

	if (pfn >= zone_frames || frame_db[pfn].kind != FRAME_HEAP)
		return false;
	*owner = frame_db[pfn].refcount;
	return true;
}

enum frame_kind frame_kind_of(uint64_t phys)
{
	uint64_t pfn = phys >> PAGE_SHIFT;
	return pfn < zone_frames ? (enum frame_kind)frame_db[pfn].kind
				 : FRAME_RESERVED;
}

/* What a service holds for frame pfn: its entry's address with the
 * entry's generation in bits 48..62, as every framework handle
 * (internal/handle.h). The generation moves on each time the frame is
 * allocated, so a handle kept past the last put does not reach the
 * frame's next owner (another process's page, say). */
static struct fw_frame *handle_of(uint64_t pfn)
{
	return (struct fw_frame *)(uintptr_t)handle_pack(&frame_db[pfn],
							 frame_db[pfn].gen);
}

/* The entry behind a service's handle: a live user frame of the handle's
 * generation, else a panic naming the caller. */
static struct fw_frame *entry_of(const struct fw_frame *h, uint64_t *pfn_out,
				 const void *caller)
{
	uint64_t v = (uint64_t)(uintptr_t)h;
	uint32_t gen;
	struct fw_frame *f = (struct fw_frame *)(uintptr_t)handle_unpack(v, &gen);
	uint64_t pfn = (uint64_t)(f - frame_db);

	if (FW_UNLIKELY(!handle_unpack_ok(v) || f < frame_db ||
			pfn >= zone_frames || f->kind != FRAME_USER ||
			f->refcount == 0 || f->gen != gen))
		fw_panic("frames: frame handle %p is not live (put for the "
			 "last time, or never one) in a call from %p",
			 (const void *)h, caller);
	*pfn_out = pfn;
	return f;
}
#define ENTRY(h, pfnp) entry_of((h), (pfnp), __builtin_return_address(0))

struct fw_frame *frame_from_phys(uint64_t phys)
{
	uint64_t pfn = phys >> PAGE_SHIFT, check;

	(void)ENTRY(handle_of(pfn), &check);
	return handle_of(pfn);
}

uint64_t frame_phys(const struct fw_frame *f)
{
	uint64_t pfn;

	(void)ENTRY(f, &pfn);
	return pfn << PAGE_SHIFT;
}

static uint8_t *frame_ptr(const struct fw_frame *f, const void *caller)
{
	uint64_t pfn;

	(void)entry_of(f, &pfn, caller);
	return phys_to_virt(pfn << PAGE_SHIFT);
}

int fw_frame_alloc(unsigned flags, struct fw_frame **out)
{
	int64_t pfn;

	if (FW_UNLIKELY(failinject_should_fail(FAIL_PAGE, PAGE_SIZE, "a frame")))
		return -ENOMEM;
	pfn = zone_alloc_reclaim(0, FRAME_USER);
	if (pfn < 0)
		return -ENOMEM;
	frame_db[pfn].refcount = 1;
	frame_db[pfn].mapcount = 0;
	frame_db[pfn].gen = (frame_db[pfn].gen + 1) & HANDLE_GEN_MASK;
	if (flags & FW_FRAME_ZERO)
		memset(phys_to_virt((uint64_t)pfn << PAGE_SHIFT), 0, PAGE_SIZE);
	*out = handle_of((uint64_t)pfn);
	return 0;
}

void fw_frame_get(struct fw_frame *h)
{
	uint64_t pfn;
	struct fw_frame *f = ENTRY(h, &pfn);

	__atomic_add_fetch(&f->refcount, 1, __ATOMIC_RELAXED);
}

/* A service's put may drop only references a service holds: the ones
 * user mappings hold are the page tables', and only unmapping drops them.
 * One put too many would otherwise free a frame still mapped into a
 * process, to be reused for someone else's data. */
void fw_frame_put(struct fw_frame *h)
{
	uint64_t pfn;
	struct fw_frame *f = ENTRY(h, &pfn);
	uint32_t left = __atomic_sub_fetch(&f->refcount, 1, __ATOMIC_ACQ_REL);

	if (FW_UNLIKELY(left < __atomic_load_n(&f->mapcount, __ATOMIC_ACQUIRE)))
		fw_panic("frames: fw_frame_put of pfn %#llx drops a reference a "
			 "user mapping holds (one put too many), from %p",
			 (unsigned long long)pfn, __builtin_return_address(0));
	if (left == 0)
		zone_free(pfn, 0);
}

/* The mapping count and reference of frame pfn, for the page tables:
 * a leaf holds one of each. */
static bool map_get(uint64_t pfn)
{
	struct fw_frame *f = &frame_db[pfn];

	if (__atomic_load_n(&f->mapcount, __ATOMIC_RELAXED) == UINT16_MAX)
		return false;
	__atomic_add_fetch(&f->refcount, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&f->mapcount, 1, __ATOMIC_RELEASE);
	return true;
}

static void map_put(uint64_t pfn)
{
	struct fw_frame *f = &frame_db[pfn];

	if (__atomic_load_n(&f->mapcount, __ATOMIC_RELAXED) == 0)
		fw_panic("frames: unmapping pfn %#llx, which no mapping holds",
			 (unsigned long long)pfn);
	__atomic_sub_fetch(&f->mapcount, 1, __ATOMIC_RELEASE);
	if (__atomic_sub_fetch(&f->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		zone_free(pfn, 0);
}

bool frame_map_get(struct fw_frame *h)
{
	uint64_t pfn;

	(void)ENTRY(h, &pfn);
	return map_get(pfn);
}

void frame_map_put(struct fw_frame *h)
{
	uint64_t pfn;

	(void)ENTRY(h, &pfn);
	map_put(pfn);
}

/* A leaf's frame is known good (it was checked when mapped, and the
 * mapping's reference keeps it live), so fork and teardown, which touch
 * every leaf, skip the handle check. */
bool frame_map_get_phys(uint64_t phys)
{
	return map_get(phys >> PAGE_SHIFT);
}

void frame_map_put_phys(uint64_t phys)
{
	map_put(phys >> PAGE_SHIFT);
}

unsigned fw_frame_mapcount(const struct fw_frame *h)
{
	uint64_t pfn;
	struct fw_frame *f = ENTRY(h, &pfn);

	return __atomic_load_n(&f->mapcount, __ATOMIC_RELAXED);
}

uint64_t fw_frame_pfn(const struct fw_frame *h)
{
	uint64_t pfn;

	(void)ENTRY(h, &pfn);
	return pfn;
}

int fw_frame_dma_map(struct fw_frame *h)
{
	uint64_t pfn;
	struct fw_frame *f = ENTRY(h, &pfn);

	int err;

	if (__atomic_load_n(&f->mapcount, __ATOMIC_ACQUIRE))
		return -EBUSY;
	/* The mapping holds its own reference: whatever the caller does
	 * with its own, the frame is not freed and reused while a device
	 * may write it. */
	err = iommu_map(pfn << PAGE_SHIFT, 1);
	if (!err)
		__atomic_add_fetch(&f->refcount, 1, __ATOMIC_RELAXED);
	return err;
}

void fw_frame_dma_unmap(struct fw_frame *h)
{
	uint64_t pfn;

	(void)ENTRY(h, &pfn);
	iommu_unmap(pfn << PAGE_SHIFT, 1);
	fw_frame_put(h); /* the mapping's reference */
}

uint64_t fw_frame_dma_addr(const struct fw_frame *h, size_t off)
{
	uint64_t pfn;

	(void)ENTRY(h, &pfn);
	if (off >= PAGE_SIZE)
		fw_panic("frames: device address of offset %zu in a page, from %p",
			 off, __builtin_return_address(0));
	/* Device addresses are physical ones (fw_dma_addr: d->phys + off). */
	return (pfn << PAGE_SHIFT) + off;
}

unsigned fw_frame_refcount(const struct fw_frame *h)
{
	uint64_t pfn;
	struct fw_frame *f = ENTRY(h, &pfn);

	return __atomic_load_n(&f->refcount, __ATOMIC_RELAXED);
}

int fw_frame_read(const struct fw_frame *f, size_t off, struct fw_buf dst)
{
	size_t len = fw_buf_len(dst);
	if (off > PAGE_SIZE || len > PAGE_SIZE - off)
		return -EINVAL;
	memcpy(fw__buf_ptr(dst), frame_ptr(f, __builtin_return_address(0)) + off, len);
	return 0;
}

int fw_frame_write(struct fw_frame *f, size_t off, struct fw_bytes src)
{
	size_t len = fw_bytes_len(src);
	if (off > PAGE_SIZE || len > PAGE_SIZE - off)
		return -EINVAL;
	memcpy(frame_ptr(f, __builtin_return_address(0)) + off, fw__bytes_ptr(src), len);
	return 0;
}

void fw_frame_zero(struct fw_frame *f)
{
	memset(frame_ptr(f, __builtin_return_address(0)), 0, PAGE_SIZE);
}

void fw_frame_copy(struct fw_frame *dst, const struct fw_frame *src)
{
	memcpy(frame_ptr(dst, __builtin_return_address(0)), frame_ptr(src, __builtin_return_address(0)), PAGE_SIZE);
}

uint64_t fw_frames_total(void)
{
	return total_usable_frames;
}

uint64_t fw_frames_free(void)
{
	return buddy_free_frames(&zone) +
	       __atomic_load_n(&pcp_frames, __ATOMIC_RELAXED);
}
