/* arch/x86_64/paging.c: 4-level kernel page tables, W^X, TLB shootdown.
 *
 * Layer: arch (framework TCB). Replaces boot.asm's 1 GiB throw-away tables:
 *   - kernel text read-only+executable, rodata read-only, data/bss NX, so no
 *     kernel page is both writable and executable (W^X);
 *   - all RAM (and ACPI tables) in the physical window, NX, 2 MiB pages,
 *     however much there is: the tables are built before the frame
 *     allocator, from frame_early_alloc() pages below the 1 GiB the boot
 *     tables map, so a table never lands in memory not yet mapped;
 *   - the page below the boot stack left unmapped (a guard page);
 *   - every upper-half PML4 slot pre-populated, so later user page tables
 *     can share the kernel half by copying 256 entries.
 * Later table pages come from kernel frames; all are reached through the
 * window. The optional CR4 bits follow cpu_features (SMEP, SMAP, UMIP, PGE
 * only where the CPU has them). */
#include <arch/x86.h>
#include <fw/errno.h>
#include <fw/log.h>
#include <fw/panic.h>
#include <fw/string.h>
#include <fw/sync.h>
#include "internal/boot.h"
#include "internal/cpufeature.h"
#include "internal/frame.h"
#include "internal/lapic.h"
#include "internal/mem.h"
#include "internal/paging.h"
#include "internal/percpu.h"
#include "internal/trap.h"

#define GIB (1ull << 30)

static uint64_t kernel_pml4[512] __attribute__((aligned(4096)));
static uint64_t pte_global;           /* PTE_G if the CPU has PGE */
static uint64_t cr4_features;         /* SMEP, SMAP, UMIP, PGE if present */
static bool tables_early = true;      /* paging_init(): frame_early_alloc */
static struct fw_spinlock kmap_lock = FW_SPINLOCK_INIT("kmap");
extern char boot_stack_guard[];

static uint64_t *table_of(uint64_t entry)
{
	return phys_to_virt(entry & PTE_ADDR_MASK);
}

static uint64_t *new_table(void)
{
	/* Before frame_init() there is no buddy allocator, and only what the
	 * boot tables map (below BOOT_WINDOW_END) can be cleared. */
	uint64_t phys = tables_early ? frame_early_alloc(PAGE_SIZE, BOOT_WINDOW_END)
				     : kframe_alloc(0);
	if (!phys)
		return 0;
	memset(phys_to_virt(phys), 0, PAGE_SIZE);
	return phys_to_virt(phys);
}

/* The entry slot for va at `level` (1 = PTE ... 4 = PML4E), creating
 * intermediate tables. NULL if out of memory or a large page is in the
 * way of a finer mapping. */
static uint64_t *walk(uint64_t va, int level, bool create)
{
	uint64_t *t = kernel_pml4;

	for (int l = 4; l > level; l--) {
		uint64_t *e = &t[(va >> (12 + 9 * (l - 1))) & 511];
		if (!(*e & PTE_P)) {
			uint64_t *nt;
			if (!create || !(nt = new_table()))
				return 0;
			/* Upper levels permissive; the leaf decides. */
			*e = virt_to_phys(nt) | PTE_P | PTE_W;
		} else if (*e & PTE_PS) {
			return 0;
		}
		t = table_of(*e);
	}
	return &t[(va >> (12 + 9 * (level - 1))) & 511];
}

static uint64_t leaf_flags(uint64_t flags)
{
	return flags | pte_global;
}

/* The size of the large page (1 GiB or 2 MiB) that maps va, or 0 if none
 * does (unmapped, or 4 KiB pages). */
static uint64_t large_page_at(uint64_t va)
{
	uint64_t *e3 = walk(va, 3, false), *e2;

	if (!e3 || !(*e3 & PTE_P))
		return 0;
	if (*e3 & PTE_PS)
		return GIB;
	e2 = walk(va, 2, false);
	return e2 && (*e2 & PTE_P) && (*e2 & PTE_PS) ? 0x200000 : 0;
}

uint64_t kpage_size(uint64_t va)
{
	uint64_t large = large_page_at(va), *e;

	if (large)
		return large;
	e = walk(va, 1, false);
	return e && (*e & PTE_P) ? PAGE_SIZE : 0;
}

/* Boot-time mapping of [va, va+len) -> pa: 1 GiB pages where both are
 * aligned to one and the CPU has them, else 2 MiB pages where aligned.
 * The caller passes one memory-map region at a time, so a large page
 * never covers a hole (MMIO must not sit in the cached direct map). */
static void map_range(uint64_t va, uint64_t pa, uint64_t len, uint64_t flags)
{
	while (len) {
		uint64_t *e;
		if (cpu_features.pdpe1gb && !(va & (GIB - 1)) &&
		    !(pa & (GIB - 1)) && len >= GIB &&
		    (e = walk(va, 3, true)) && !(*e & PTE_P)) {
			*e = pa | leaf_flags(flags) | PTE_PS;
			va += GIB, pa += GIB, len -= GIB;
			continue;
		}
		if (!(va & 0x1FFFFF) && !(pa & 0x1FFFFF) && len >= 0x200000 &&
		    (e = walk(va, 2, true)) && !(*e & PTE_P)) {
			*e = pa | leaf_flags(flags) | PTE_PS;
			va += 0x200000, pa += 0x200000, len -= 0x200000;
			continue;
		}
		e = walk(va, 1, true);
		if (!e)
			fw_panic("paging: out of memory building kernel tables");
		*e = pa | leaf_flags(flags);
		va += PAGE_SIZE, pa += PAGE_SIZE, len -= PAGE_SIZE;
	}
}

static void map_image(void)
{
	uint64_t t0 = (uint64_t)(uintptr_t)__text_start;
	uint64_t t1 = (uint64_t)(uintptr_t)__text_end;
	uint64_t r1 = (uint64_t)(uintptr_t)__rodata_end;
	uint64_t d1 = (uint64_t)(uintptr_t)__data_end;
	uint64_t guard = (uint64_t)(uintptr_t)boot_stack_guard;

	map_range(t0, t0 - KERNEL_VIRT, t1 - t0, KMAP_RX);
	map_range(t1, t1 - KERNEL_VIRT, r1 - t1, KMAP_RO);
	map_range(r1, r1 - KERNEL_VIRT, guard - r1, KMAP_RW);
	map_range(guard + PAGE_SIZE, guard + PAGE_SIZE - KERNEL_VIRT,
		  d1 - guard - PAGE_SIZE, KMAP_RW);
}

static void choose_features(void)
{
	/* NX is required (boot.asm and cpu_features_init refuse without). */
	if (cpu_features.pge)
		cr4_features |= CR4_PGE, pte_global = PTE_G;
	if (cpu_features.smep)
		cr4_features |= CR4_SMEP;
	if (cpu_features.smap)
		cr4_features |= CR4_SMAP;
	if (cpu_features.umip)
		cr4_features |= CR4_UMIP;
}

void paging_init(void)
{
	choose_features();
	map_image();
	/* The physical window: all RAM and ACPI ranges, plus the first MiB
	 * (BIOS data area, EBDA, where the RSDP may live). */
	map_range(PHYS_WINDOW, 0, 0x100000, KMAP_RW);
	for (unsigned i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.mmap[i];
		uint64_t lo = PAGE_ALIGN_DOWN(r->base);
		uint64_t hi = PAGE_ALIGN_UP(r->base + r->len);
		if (r->type != MEM_USABLE && r->type != MEM_ACPI &&
		    r->type != MEM_NVS)
			continue;
		if (lo < 0x100000)
			lo = 0x100000;
		if (hi > PHYS_WINDOW_SIZE)
			hi = PHYS_WINDOW_SIZE;
		for (uint64_t a = lo; a < hi;) {
			/* Skip pages mapped by an earlier, overlapping region. */
			uint64_t large = large_page_at(PHYS_WINDOW + a);
			if (large) {
				a = (a | (large - 1)) + 1;
				continue;
			}
			uint64_t *e1 = walk(PHYS_WINDOW + a, 1, false);
			if (e1 && (*e1 & PTE_P)) {
				a += PAGE_SIZE;
				continue;
			}
			uint64_t end = hi;
			uint64_t len = end - a;
			if (!(a & 0x1FFFFF) && len >= 0x200000)
				len &= ~0x1FFFFFull;
			else if (len > 0x200000 - (a & 0x1FFFFF))
				len = 0x200000 - (a & 0x1FFFFF);
			map_range(PHYS_WINDOW + a, a, len, KMAP_RW);
			a += len;
		}
	}
	/* Pre-populate every upper-half slot so user spaces can share them. */
	for (unsigned i = 256; i < 512; i++)
		if (!(kernel_pml4[i] & PTE_P)) {
			uint64_t *t = new_table();
			if (!t)
				fw_panic("paging: out of memory for PML4 slots");
			kernel_pml4[i] = virt_to_phys(t) | PTE_P | PTE_W;
		}
	paging_init_ap();
	tables_early = false;
	fw_info("paging: W^X kernel image, NX %s%s%s%s; direct map in %s pages",
		cr4_features & CR4_SMEP ? "SMEP " : "",
		cr4_features & CR4_SMAP ? "SMAP " : "",
		cr4_features & CR4_UMIP ? "UMIP " : "",
		cr4_features & CR4_PGE ? "PGE" : "",
		cpu_features.pdpe1gb ? "1 GiB and 2 MiB" : "2 MiB");
}

void paging_init_ap(void)
{
	x86_write_cr4(x86_read_cr4() | cr4_features);
	x86_write_cr0(x86_read_cr0() | CR0_WP);
	x86_write_cr3(virt_to_phys(kernel_pml4));
}

uint64_t paging_kernel_cr3(void)
{
	return virt_to_phys(kernel_pml4);
}

void paging_identity_low(bool on)
{
	static uint64_t low_pdpt[512] __attribute__((aligned(4096)));
	static uint64_t low_pd[512] __attribute__((aligned(4096)));

	if (on) {
		low_pd[0] = 0 | PTE_P | PTE_W | PTE_PS;
		low_pdpt[0] = virt_to_phys(low_pd) | PTE_P | PTE_W;
		kernel_pml4[0] = virt_to_phys(low_pdpt) | PTE_P | PTE_W;
	} else {
		kernel_pml4[0] = 0;
	}
	x86_write_cr3(x86_read_cr3()); /* flush non-global entries */
}

static bool kernel_va(uint64_t va)
{
	return va >= PHYS_WINDOW && !(va & (PAGE_SIZE - 1));
}

int kmap_page(uint64_t va, uint64_t pa, uint64_t flags)
{
	uint64_t *e;
	int err = 0;

	if (!kernel_va(va) || (pa & (PAGE_SIZE - 1)))
		return -EINVAL;
	fw_spin_lock(&kmap_lock);
	e = walk(va, 1, true);
	if (!e)
		err = large_page_at(va) ? -EINVAL : -ENOMEM;
	else if (*e & PTE_P)
		err = -EEXIST;
	else
		*e = pa | leaf_flags(flags);
	fw_spin_unlock(&kmap_lock);
	return err; /* a new mapping needs no flush: nothing was cached */
}

static int kchange(uint64_t va, uint64_t newval, bool keep_addr)
{
	uint64_t *e;

	if (!kernel_va(va))
		return -EINVAL;
	fw_spin_lock(&kmap_lock);
	e = walk(va, 1, false);
	if (!e || !(*e & PTE_P)) {
		fw_spin_unlock(&kmap_lock);
		return e ? -ENOENT : -EINVAL;
	}
	*e = keep_addr ? (*e & PTE_ADDR_MASK) | leaf_flags(newval) : newval;
	fw_spin_unlock(&kmap_lock);
	tlb_flush_range(va, PAGE_SIZE);
	return 0;
}

int kunmap_page(uint64_t va)
{
	return kchange(va, 0, false);
}

int kprotect_page(uint64_t va, uint64_t flags)
{
	return kchange(va, flags, true);
}

int paging_window_ensure(uint64_t phys, uint64_t len)
{
	uint64_t end = PAGE_ALIGN_UP(phys + len);

	for (uint64_t a = PAGE_ALIGN_DOWN(phys); a < end; a += PAGE_SIZE) {
		if (large_page_at(PHYS_WINDOW + a))
			continue; /* inside a 1 GiB or 2 MiB window page */
		int err = kmap_page(PHYS_WINDOW + a, a, KMAP_RO);
		if (err && err != -EEXIST)
			return err;
	}
	return 0;
}

uint64_t kpte_lookup(uint64_t va)
{
	uint64_t *e = walk(va, 1, false);
	return e ? *e : 0;
}

/* --- TLB shootdown ------------------------------------------------------
 * The initiator publishes the range, IPIs every other online CPU and waits
 * until each has acknowledged; one shootdown at a time (the lock), which is
 * plenty for kernel mappings. Interrupts stay on while waiting so a CPU
 * that is itself waiting to start a shootdown can still answer ours. */
static struct fw_spinlock shoot_lock = FW_SPINLOCK_INIT("tlb-shootdown");
static uint64_t shoot_va, shoot_len;
static unsigned shoot_pending;

static void flush_local(uint64_t va, uint64_t len)
{
	if (len > 64 * PAGE_SIZE) {
		/* Toggling PGE flushes global entries too (SDM 4.10.4.1). */
		uint64_t cr4 = x86_read_cr4();
		x86_write_cr4(cr4 & ~CR4_PGE);
		x86_write_cr4(cr4);
		return;
	}
	for (uint64_t a = va; a < va + len; a += PAGE_SIZE)
		x86_invlpg(a);
}

void tlb_shootdown_interrupt(void)
{
	flush_local(__atomic_load_n(&shoot_va, __ATOMIC_ACQUIRE), shoot_len);
	__atomic_sub_fetch(&shoot_pending, 1, __ATOMIC_RELEASE);
}

void tlb_flush_cpus(uint64_t mask, uint64_t va, uint64_t len)
{
	unsigned me, n = 0;

	fw_preempt_disable();
	me = fw_cpu_id();
	if (mask & (1ull << me))
		flush_local(va, len);
	mask &= ~(1ull << me);
	for (unsigned c = 0; c < percpu_online; c++)
		n += (mask >> c) & 1;
	if (n) {
		fw_spin_lock(&shoot_lock);
		shoot_len = len;
		__atomic_store_n(&shoot_va, va, __ATOMIC_RELEASE);
		__atomic_store_n(&shoot_pending, n, __ATOMIC_RELEASE);
		for (unsigned c = 0; c < percpu_online; c++)
			if ((mask >> c) & 1)
				lapic_send_ipi(cpu_data(c)->apic_id, VEC_IPI_TLB);
		while (__atomic_load_n(&shoot_pending, __ATOMIC_ACQUIRE))
			x86_pause();
		fw_spin_unlock(&shoot_lock);
	}
	fw_preempt_enable();
}

void tlb_flush_range(uint64_t va, uint64_t len)
{
	uint64_t all = percpu_online >= 64 ? ~0ull : (1ull << percpu_online) - 1;
	tlb_flush_cpus(all, va, len);
}
