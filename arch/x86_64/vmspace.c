/* arch/x86_64/vmspace.c: user address spaces on 4-level page tables.
 *
 * Layer: arch (framework TCB). Each space has its own PML4 whose upper half
 * is a copy of the kernel's (paging.c pre-populates every upper slot, so
 * the copy never goes stale). Lower-half tables are kernel frames; leaves
 * point at user-mappable frames only (frame_phys() refuses any other kind),
 * each holding one reference. A mapping change is flushed from the TLB of
 * every CPU that has the space loaded right now; without PCIDs a CPU that
 * loads the space later starts with no stale entries. */
#include <arch/x86.h>
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/panic.h>
#include <fw/string.h>
#include <fw/sync.h>
#include <fw/task.h>
#include <fw/uaccess.h>
#include <fw/vmspace.h>
#include "internal/frame.h"
#include "internal/mem.h"
#include "internal/paging.h"
#include "internal/percpu.h"
#include "internal/vmspace.h"
#include "internal/handle.h"
#include "internal/heap.h"

struct fw_vmspace {
	struct handle hdl;        /* HANDLE_VMSPACE until destroyed */
	uint64_t pml4_phys;       /* the top table (a kernel frame) */
	uint64_t tasks;           /* tasks that would load it (atomic):
				   * destroy refuses while any is left */
	struct fw_spinlock lock;  /* guards the lower-half tables */
	uint64_t active_cpus;     /* bit per CPU with it in CR3 (atomic) */
	uint64_t npages;          /* leaves mapped (lock) */
};

FW_STATIC_ASSERT(__builtin_offsetof(struct fw_vmspace, hdl) == 0,
		 "handles start with their struct handle");
static uint32_t vmspace_gens; /* generations handed out */
static fw_vmspace_fault_fn fault_handler;

/* A PROT_NONE page stays mapped (frame held, contents kept) but is not
 * present to the CPU: the entry keeps its address, P is clear, and this
 * software-available bit says the slot is in use. */
#define PTE_PROTNONE (1ull << 9)

static bool in_use(uint64_t e)
{
	return e & (PTE_P | PTE_PROTNONE);
}

static uint64_t *tbl(uint64_t entry)
{
	return phys_to_virt(entry & PTE_ADDR_MASK);
}

static uint64_t pte_flags(unsigned prot)
{
	uint64_t f = PTE_P | PTE_U;

	if (!(prot & (FW_PROT_READ | FW_PROT_WRITE | FW_PROT_EXEC)))
		return PTE_PROTNONE;
	if (prot & FW_PROT_WRITE)
		f |= PTE_W;
	if (!(prot & FW_PROT_EXEC))
		f |= PTE_NX;
	return f;
}

static unsigned pte_prot(uint64_t e)
{
	if (!(e & PTE_P))
		return 0;
	return FW_PROT_READ | (e & PTE_W ? FW_PROT_WRITE : 0) |
	       (e & PTE_NX ? 0 : FW_PROT_EXEC);
}

int fw_vmspace_create(struct fw_vmspace **out)
{
	struct fw_vmspace *vs = KHEAP_NEW(struct fw_vmspace);
	uint64_t phys;
	uint64_t *pml4;

	if (!vs)
		return -ENOMEM;
	phys = kframe_alloc(0);
	if (!phys) {
		kheap_free_typed(vs);
		return -ENOMEM;
	}
	pml4 = phys_to_virt(phys);
	memset(pml4, 0, PAGE_SIZE / 2);
	memcpy(&pml4[256], phys_to_virt(paging_kernel_cr3() + PAGE_SIZE / 2),
	       PAGE_SIZE / 2);
	handle_init_gen(&vs->hdl, HANDLE_VMSPACE, &vmspace_gens);
	vs->pml4_phys = phys;
	fw_spin_init(&vs->lock, "vmspace");
	*out = HANDLE_OUT(vs);
	return 0;
}

/* Free a lower-level table and everything below it. */
static void free_level(uint64_t *t, int level)
{
	for (unsigned i = 0; i < 512; i++) {
		uint64_t e = t[i];
		if (level == 1 ? !in_use(e) : !(e & PTE_P))
			continue;
		if (level == 1)
			frame_map_put_phys(e & PTE_ADDR_MASK);
		else
			free_level(tbl(e), level - 1);
	}
	kframe_free(virt_to_phys(t), 0);
}

void fw_vmspace_destroy(struct fw_vmspace *vs)
{
	vs = HANDLE_IN(vs, HANDLE_VMSPACE, "fw_vmspace");
	uint64_t *pml4 = phys_to_virt(vs->pml4_phys);

	if (__atomic_load_n(&vs->active_cpus, __ATOMIC_ACQUIRE))
		fw_panic("vmspace: destroying a space still loaded on cpus %#llx",
			 (unsigned long long)vs->active_cpus);
	if (__atomic_load_n(&vs->tasks, __ATOMIC_ACQUIRE))
		fw_panic("vmspace: destroying a space %llu task(s) would still "
			 "load (fw_task_set_vmspace them to another first)",
			 (unsigned long long)vs->tasks);
	for (unsigned i = 0; i < 256; i++)
		if (pml4[i] & PTE_P)
			free_level(tbl(pml4[i]), 3);
	kframe_free(vs->pml4_phys, 0);
	handle_kill(&vs->hdl);
	kheap_free_typed(vs);
}

static bool user_page(uint64_t va)
{
	return va < FW_USER_TOP && !(va & (PAGE_SIZE - 1));
}

/* The leaf table covering va, creating tables if asked. Caller holds the
 * lock. */
static uint64_t *leaf_table_of(struct fw_vmspace *vs, uint64_t va, bool create)
{
	uint64_t *t = phys_to_virt(vs->pml4_phys);

	for (int level = 4; level > 1; level--) {
		uint64_t *e = &t[(va >> (12 + 9 * (level - 1))) & 511];
		if (!(*e & PTE_P)) {
			uint64_t phys;
			if (!create || !(phys = kframe_alloc(0)))
				return 0;
			memset(phys_to_virt(phys), 0, PAGE_SIZE);
			*e = phys | PTE_P | PTE_W | PTE_U;
		}
		t = tbl(*e);
	}
	return t;
}

/* The leaf slot for va, creating tables if asked. Caller holds the lock. */
static uint64_t *leaf(struct fw_vmspace *vs, uint64_t va, bool create)
{
	uint64_t *t = leaf_table_of(vs, va, create);

	return t ? &t[(va >> 12) & 511] : 0;
}

/* The leaf table covering va in vs, or NULL with *skip_to set past the
 * empty subtree va lies in. Caller holds the lock. */
static uint64_t *leaf_table(struct fw_vmspace *vs, uint64_t va,
			    uint64_t *skip_to)
{
	uint64_t *t = phys_to_virt(vs->pml4_phys);

	for (int level = 4; level > 1; level--) {
		uint64_t e = t[(va >> (12 + 9 * (level - 1))) & 511];
		if (!(e & PTE_P)) {
			uint64_t span = 1ull << (12 + 9 * (level - 1));
			*skip_to = (va & ~(span - 1)) + span;
			return 0;
		}
		t = tbl(e);
	}
	return t;
}

/* Invalidate va on every CPU that has vs loaded. */
static void flush(struct fw_vmspace *vs, uint64_t va)
{
	uint64_t mask = __atomic_load_n(&vs->active_cpus, __ATOMIC_SEQ_CST);
	tlb_flush_cpus(mask, va, PAGE_SIZE);
}

int fw_vmspace_map(struct fw_vmspace *vs, uint64_t va, struct fw_frame *f,
		   unsigned prot)
{
	vs = HANDLE_IN(vs, HANDLE_VMSPACE, "fw_vmspace");
	uint64_t phys = frame_phys(f); /* panics on a non-user frame */
	uint64_t *e;
	int err = 0;

	if (!user_page(va))
		return -EINVAL;
	fw_spin_lock(&vs->lock);
	e = leaf(vs, va, true);
	if (!e) {
		err = -ENOMEM;
	} else if (in_use(*e)) {
		err = -EEXIST;
	} else if (!frame_map_get(f)) {
		err = -ENOMEM;
	} else {
		*e = phys | pte_flags(prot);
		vs->npages++;
	}
	fw_spin_unlock(&vs->lock);
	return err;
}

int fw_vmspace_unmap(struct fw_vmspace *vs, uint64_t va)
{
	vs = HANDLE_IN(vs, HANDLE_VMSPACE, "fw_vmspace");
	uint64_t *e, old;

	if (!user_page(va))
		return -EINVAL;
	fw_spin_lock(&vs->lock);
	e = leaf(vs, va, false);
	if (!e || !in_use(*e)) {
		fw_spin_unlock(&vs->lock);
		return -ENOENT;
	}
	old = *e;
	*e = 0;
	vs->npages--;
	fw_spin_unlock(&vs->lock);
	/* Only after no CPU can reach it through a stale TLB entry may the
	 * frame go back to the allocator. */
	flush(vs, va);
	frame_map_put_phys(old & PTE_ADDR_MASK);
	return 0;
}

#define UNMAP_BATCH 64u /* pages unmapped per TLB flush */

int fw_vmspace_unmap_range(struct fw_vmspace *vs, uint64_t start,
			   uint64_t end)
{
	vs = HANDLE_IN(vs, HANDLE_VMSPACE, "fw_vmspace");
	uint64_t phys[UNMAP_BATCH]; /* to put once no TLB can reach them */
	uint64_t va = start;

	if (!user_page(start) || end > FW_USER_TOP || (end & (PAGE_SIZE - 1)) ||
	    end < start)
		return -EINVAL;
	while (va < end) {
		uint64_t lo = va, skip = end, stop;
		unsigned n = 0;
		uint64_t *t;

		fw_spin_lock(&vs->lock);
		t = leaf_table(vs, va, &skip);
		if (!t) {
			fw_spin_unlock(&vs->lock);
			va = skip;
			continue;
		}
		stop = (va | (512 * PAGE_SIZE - 1)) + 1;
		if (stop > end)
			stop = end;
		for (; va < stop && n < UNMAP_BATCH; va += PAGE_SIZE) {
			uint64_t *e = &t[(va >> 12) & 511];

			if (!in_use(*e))
				continue;
			phys[n++] = *e & PTE_ADDR_MASK;
			*e = 0;
			vs->npages--;
		}
		fw_spin_unlock(&vs->lock);
		if (!n)
			continue;
		tlb_flush_cpus(__atomic_load_n(&vs->active_cpus, __ATOMIC_SEQ_CST),
			       lo, va - lo);
		for (unsigned i = 0; i < n; i++)
			frame_map_put_phys(phys[i]);
	}
	return 0;
}

int fw_vmspace_protect(struct fw_vmspace *vs, uint64_t va, unsigned prot)
{
	vs = HANDLE_IN(vs, HANDLE_VMSPACE, "fw_vmspace");
	uint64_t *e;

	if (!user_page(va))
		return -EINVAL;
	fw_spin_lock(&vs->lock);
	e = leaf(vs, va, false);
	if (!e || !in_use(*e)) {
		fw_spin_unlock(&vs->lock);
		return -ENOENT;
	}
	*e = (*e & PTE_ADDR_MASK) | pte_flags(prot);
	fw_spin_unlock(&vs->lock);
	flush(vs, va);
	return 0;
}

int fw_vmspace_query(struct fw_vmspace *vs, uint64_t va, struct fw_frame **f,
		     unsigned *prot)
{
	vs = HANDLE_IN(vs, HANDLE_VMSPACE, "fw_vmspace");
	uint64_t *e;
	int err = 0;

	if (!user_page(va))
		return -EINVAL;
	fw_spin_lock(&vs->lock);
	e = leaf(vs, va, false);
	if (!e || !in_use(*e)) {
		err = -ENOENT;
	} else {
		if (f)
			*f = frame_from_phys(*e & PTE_ADDR_MASK);
		if (prot)
			*prot = pte_prot(*e);
	}
	fw_spin_unlock(&vs->lock);
	return err;
}

int fw_vmspace_next_mapped(struct fw_vmspace *vs, uint64_t va, uint64_t end,
			   uint64_t *found)
{
	vs = HANDLE_IN(vs, HANDLE_VMSPACE, "fw_vmspace");
	int err = -ENOENT;

	if (end > FW_USER_TOP)
		end = FW_USER_TOP;
	va &= ~(PAGE_SIZE - 1);
	fw_spin_lock(&vs->lock);
	while (va < end) {
		uint64_t *t = phys_to_virt(vs->pml4_phys);
		int level;
		for (level = 4; level > 1; level--) {
			uint64_t e = t[(va >> (12 + 9 * (level - 1))) & 511];
			if (!(e & PTE_P))
				break;
			t = tbl(e);
		}
		if (level > 1) { /* skip the whole empty subtree */
			uint64_t span = 1ull << (12 + 9 * (level - 1));
			va = (va & ~(span - 1)) + span;
			continue;
		}
		if (in_use(t[(va >> 12) & 511])) {
			*found = va;
			err = 0;
			break;
		}
		va += PAGE_SIZE;
	}
	fw_spin_unlock(&vs->lock);
	return err;
}

/* Lock two spaces in address order, so two copies between the same pair
 * in opposite directions cannot deadlock. */
static void lock_pair(struct fw_vmspace *a, struct fw_vmspace *b)
{
	if (a < b) {
		fw_spin_lock(&a->lock);
		fw_spin_lock(&b->lock);
	} else {
		fw_spin_lock(&b->lock);
		fw_spin_lock(&a->lock);
	}
}

static void unlock_pair(struct fw_vmspace *a, struct fw_vmspace *b)
{
	fw_spin_unlock(&a->lock);
	fw_spin_unlock(&b->lock);
}

/* Copy the used slots of one leaf table of the source, src, in [va,
 * stop), into `to`. Both spaces' locks held. 0 or a negative errno; the
 * range [cow_lo, cow_hi) widens to cover every source page made
 * read-only. */
static int copy_leaves(struct fw_vmspace *to, uint64_t *src, uint64_t va, uint64_t stop, bool cow,
		       uint64_t *cow_lo, uint64_t *cow_hi)
{
	uint64_t *dst = 0;

	for (; va < stop; va += PAGE_SIZE) {
		uint64_t *s = &src[(va >> 12) & 511];
		uint64_t e = *s;

		if (!in_use(e))
			continue;
		if (!dst && !(dst = leaf_table_of(to, va, true)))
			return -ENOMEM;
		uint64_t *d = &dst[(va >> 12) & 511];
		if (in_use(*d))
			return -EEXIST;
		if (!frame_map_get_phys(e & PTE_ADDR_MASK))
			return -ENOMEM;
		if (cow && (e & PTE_W)) {
			e &= ~PTE_W;
			*s = e;
			*cow_lo = va < *cow_lo ? va : *cow_lo;
			*cow_hi = va + PAGE_SIZE > *cow_hi ? va + PAGE_SIZE : *cow_hi;
		}
		*d = e;
		to->npages++;
	}
	return 0;
}

int fw_vmspace_copy_range(struct fw_vmspace *from, struct fw_vmspace *to,
			  uint64_t start, uint64_t end, bool cow)
{
	from = HANDLE_IN(from, HANDLE_VMSPACE, "fw_vmspace");
	to = HANDLE_IN(to, HANDLE_VMSPACE, "fw_vmspace");
	uint64_t va = start, cow_lo = UINT64_MAX, cow_hi = 0;
	int err = 0;

	if (from == to || !user_page(start) || end > FW_USER_TOP ||
	    (end & (PAGE_SIZE - 1)) || end < start)
		return -EINVAL;
	/* One leaf table (2 MiB) per lock hold: a large space is copied
	 * without keeping preemption off for all of it. */
	while (va < end && !err) {
		uint64_t stop = (va | (512 * PAGE_SIZE - 1)) + 1;
		uint64_t skip = end;
		uint64_t *src;

		if (stop > end)
			stop = end;
		lock_pair(from, to);
		src = leaf_table(from, va, &skip);
		if (src)
			err = copy_leaves(to, src, va, stop, cow, &cow_lo,
					  &cow_hi);
		unlock_pair(from, to);
		va = src ? stop : skip;
	}
	/* The pages made read-only may still be writable in a TLB. */
	if (cow_lo < cow_hi)
		tlb_flush_cpus(__atomic_load_n(&from->active_cpus, __ATOMIC_SEQ_CST),
			       cow_lo, cow_hi - cow_lo);
	return err;
}

void vmspace_switch(struct fw_vmspace *vs)
{
	if (vs)
		HANDLE_CHECK(vs, HANDLE_VMSPACE, "fw_vmspace");
	struct percpu *c = this_cpu();
	uint64_t bit = 1ull << c->id;

	if (c->vmspace == vs)
		return;
	if (c->vmspace)
		__atomic_and_fetch(&c->vmspace->active_cpus, ~bit, __ATOMIC_SEQ_CST);
	if (vs)
		__atomic_or_fetch(&vs->active_cpus, bit, __ATOMIC_SEQ_CST);
	c->vmspace = vs;
	x86_write_cr3(vs ? vs->pml4_phys : paging_kernel_cr3());
}

void fw_vmspace_activate(struct fw_vmspace *vs)
{
	fw_task_set_vmspace(fw_task_current(), vs);
}

struct fw_vmspace *fw_vmspace_current(void)
{
	struct fw_vmspace *vs = this_cpu()->vmspace;

	return vs ? HANDLE_OUT(vs) : 0;
}

struct fw_vmspace *vmspace_of_handle(struct fw_vmspace *vs)
{
	return vs ? HANDLE_IN(vs, HANDLE_VMSPACE, "fw_vmspace") : 0;
}

void fw_vmspace_set_fault_handler(fw_vmspace_fault_fn fn)
{
	fault_handler = fn;
}

void vmspace_task_ref(struct fw_vmspace *vs, int delta)
{
	if (!vs)
		return;
	HANDLE_CHECK(vs, HANDLE_VMSPACE, "fw_vmspace");
	__atomic_add_fetch(&vs->tasks, (uint64_t)(int64_t)delta, __ATOMIC_ACQ_REL);
}

fw_vmspace_fault_fn vmspace_fault_handler(void)
{
	return fault_handler;
}

uint64_t fw_vmspace_mapped_pages(const struct fw_vmspace *vs)
{
	vs = HANDLE_IN(vs, HANDLE_VMSPACE, "fw_vmspace");
	return vs->npages;
}
