/* internal/mem.h: the kernel's virtual memory layout and address helpers.
 *
 * Layer: framework internal. The only place that turns physical addresses
 * into pointers. Layout (canonical upper half):
 *   0xFFFF800000000000  physical-memory window: all RAM, NX, 2 MiB pages
 *   0xFFFFC00000000000  kernel stacks, each with an unmapped guard page
 *   0xFFFFD00000000000  MMIO window (fw_iomem, LAPIC, IOAPIC), uncached
 *   0xFFFFFFFF80000000  the kernel image (text RX, rodata R, data RW NX)
 * The lower half (below 0x0000800000000000) belongs to user space. */
#ifndef INTERNAL_MEM_H
#define INTERNAL_MEM_H

#include <stdint.h>

#define PAGE_SIZE 4096ull
#define PAGE_SHIFT 12
#define PHYS_WINDOW 0xFFFF800000000000ull
#define KSTACK_AREA 0xFFFFC00000000000ull
/* The window holds the first 64 TiB of physical memory. */
#define PHYS_WINDOW_SIZE (KSTACK_AREA - PHYS_WINDOW)
/* What boot.asm maps in the window before paging_init(): the first 1 GiB. */
#define BOOT_WINDOW_END (1ull << 30)
/* Each kernel stack slot: guard page, 16 KiB stack, unmapped rest. */
#define KSTACK_SLOT_SIZE (8 * PAGE_SIZE)
#define MMIO_AREA 0xFFFFD00000000000ull
#define KERNEL_VIRT 0xFFFFFFFF80000000ull
#define USER_TOP 0x0000800000000000ull

#define PAGE_ALIGN_DOWN(x) ((x) & ~(PAGE_SIZE - 1))
#define PAGE_ALIGN_UP(x) (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

/* SAFETY: callers pass a physical address of RAM the window maps (all of
 * RAM after paging_init, below BOOT_WINDOW_END before it). */
static inline void *phys_to_virt(uint64_t phys)
{
	return (void *)(uintptr_t)(phys + PHYS_WINDOW);
}

/* Physical address behind a window or kernel-image pointer. */
static inline uint64_t virt_to_phys(const void *p)
{
	uint64_t v = (uint64_t)(uintptr_t)p;
	if (v >= KERNEL_VIRT)
		return v - KERNEL_VIRT;
	return v - PHYS_WINDOW;
}

/* Kernel image bounds from linker.ld. */
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[];
extern char __kernel_phys_start[], __kernel_phys_end[];

#endif
