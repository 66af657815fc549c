/* internal/frame.h: physical frames inside the framework.
 *
 * Kernel frames (heap, page tables, stacks) are allocated by physical
 * address and never reach services; user-mappable frames are handed out as
 * struct fw_frame handles (fw/frame.h). The kind of every frame is recorded,
 * so mapping code can refuse a kernel frame in a user address space. */
#ifndef INTERNAL_FRAME_H
#define INTERNAL_FRAME_H

#include <fw/compiler.h>
#include <stdint.h>

struct fw_frame;

enum frame_kind {
	FRAME_FREE = 0,
	FRAME_KERNEL = 1, /* framework-owned: heap, page tables, stacks */
	FRAME_USER = 2,   /* user-mappable: anonymous memory, page cache */
	FRAME_RESERVED = 3, /* firmware, kernel image, modules, metadata */
	FRAME_HEAP = 4,     /* a typed heap partition's: once given, never
			     * taken back (framework/mm/heap.c says why) */
};

/* Physical address of `bytes` (rounded up to pages) of usable RAM below
 * `below`, taken for good, or 0 if there is no such run. Only before
 * frame_init(): the boot page tables and the frame metadata use it
 * (memblock in Linux). Panics if called later. */
uint64_t frame_early_alloc(uint64_t bytes, uint64_t below);
/* Set up the allocator from boot_info's memory map, after paging_init()
 * has mapped all RAM in the physical window. */
void frame_init(void);

/* 2^order contiguous kernel frames: physical address, or 0 if none. */
uint64_t kframe_alloc(unsigned order);
void kframe_free(uint64_t phys, unsigned order);
/* 2^order contiguous frames for a typed heap partition, every one tagged
 * with owner (the partition); they are never freed. 0 if none. */
uint64_t kframe_alloc_heap(unsigned order, uint32_t owner);
/* The owner tag of a heap-partition frame at phys: true and *owner, or
 * false if phys is not such a frame. */
bool kframe_heap_owner(uint64_t phys, uint32_t *owner);

/* Physical address of a user frame (for the page-table code). */
uint64_t frame_phys(const struct fw_frame *f);
enum frame_kind frame_kind_of(uint64_t phys);
/* A user mapping takes (false: too many mappings already) or drops its
 * own reference to a user frame; fw_frame_put cannot drop those. */
bool frame_map_get(struct fw_frame *f);
void frame_map_put(struct fw_frame *f);
/* The same for the frame a page-table leaf holds, by its address (no
 * handle check: the leaf's reference keeps it live). */
bool frame_map_get_phys(uint64_t phys);
void frame_map_put_phys(uint64_t phys);
/* The handle of the user frame at phys (page tables hold addresses). */
struct fw_frame *frame_from_phys(uint64_t phys);
/* Highest physical address of RAM + 1 (for the physical window). */
uint64_t frame_max_phys(void);

#endif
