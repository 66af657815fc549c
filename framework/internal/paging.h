/* internal/paging.h: the kernel's page tables.
 *
 * Layer: framework internal. The upper half (PML4 slots 256..511) is built
 * once and shared by every address space; user address spaces (later) copy
 * those slots, so kernel mappings never need to be replicated. */
#ifndef INTERNAL_PAGING_H
#define INTERNAL_PAGING_H

#include <fw/compiler.h>
#include <stdint.h>

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_G (1ull << 8)
#define PTE_NX (1ull << 63)
#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ull

/* Kernel mapping kinds. */
#define KMAP_RW (PTE_P | PTE_W | PTE_NX)
#define KMAP_RO (PTE_P | PTE_NX)
#define KMAP_RX (PTE_P)
#define KMAP_MMIO (PTE_P | PTE_W | PTE_NX | PTE_PCD | PTE_PWT)

/* Build the final kernel tables and switch to them; turns on SMEP, SMAP,
 * UMIP and global pages when the CPU has them. */
void paging_init(void);
/* Per-CPU part (CR4 bits, CR3) for application processors. */
void paging_init_ap(void);
uint64_t paging_kernel_cr3(void);

/* Map / unmap / re-protect one 4 KiB page in the kernel half. Return 0,
 * -ENOMEM (no page-table page), -EINVAL (not a kernel address, or a large
 * page is in the way), -EEXIST (map over a present page) or -ENOENT. The
 * change is visible on every CPU when they return (TLB shootdown). */
FW_MUST_CHECK int kmap_page(uint64_t va, uint64_t pa, uint64_t flags);
FW_MUST_CHECK int kunmap_page(uint64_t va);
FW_MUST_CHECK int kprotect_page(uint64_t va, uint64_t flags);
/* Make [phys, phys+len) readable through the physical window even if the
 * memory map calls it reserved (firmware tables live there). */
FW_MUST_CHECK int paging_window_ensure(uint64_t phys, uint64_t len);
/* The PTE for va (0 if unmapped), for tests. */
uint64_t kpte_lookup(uint64_t va);
/* The size of the kernel mapping of va: 4 KiB, 2 MiB or 1 GiB; 0 if none. */
uint64_t kpage_size(uint64_t va);

/* Temporarily identity-map the first 2 MiB (AP start-up needs it). */
void paging_identity_low(bool on);

/* TLB shootdown: invalidate va..va+len on every online CPU. */
void tlb_flush_range(uint64_t va, uint64_t len);
/* ... on the CPUs in mask (this one included if its bit is set). */
void tlb_flush_cpus(uint64_t mask, uint64_t va, uint64_t len);
void tlb_shootdown_interrupt(void);

#endif
