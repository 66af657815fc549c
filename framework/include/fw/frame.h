/* fw/frame.h: physical memory frames as refcounted handles.
 *
 * Layer: framework public API. A frame handle stands for one 4 KiB page of
 * RAM of the *user-mappable* kind: the only memory a user address space or
 * the page cache may ever contain. Kernel heap, page tables and kernel
 * stacks come from a separate kind that services never get a handle to, so
 * no user mapping can alias a kernel object (DESIGN.md, "frames"). Contents
 * are reached through copy calls with bounds checks, never a raw pointer. */
#ifndef FW_FRAME_H
#define FW_FRAME_H

#include <fw/bytes.h>
#include <fw/compiler.h>

#define FW_PAGE_SIZE 4096u

struct fw_frame;

enum fw_frame_flags {
	FW_FRAME_ZERO = 1u << 0, /* fill with zeros before returning */
};

/* Allocate one user-mappable frame with refcount 1. Returns 0 and the
 * handle in *out, or -ENOMEM. */
FW_MUST_CHECK int fw_frame_alloc(unsigned flags, struct fw_frame **out);
/* Take / drop a reference; the frame is freed when the last one goes. */
void fw_frame_get(struct fw_frame *f);
void fw_frame_put(struct fw_frame *f);
unsigned fw_frame_refcount(const struct fw_frame *f);
/* How many user mappings hold the frame (a page cache tells a page some
 * process may still write through from one it may drop). */
unsigned fw_frame_mapcount(const struct fw_frame *f);
/* The frame's physical page number: a number to show (Linux's
 * /proc/<pid>/pagemap gives it to CAP_SYS_ADMIN), never an address a
 * service could reach memory through. */
uint64_t fw_frame_pfn(const struct fw_frame *f);
/* fw_frame_dma_map - let devices read and write the frame, for a driver
 * to read a disk straight into a page-cache page (Linux's dma_map_page):
 * with an IOMMU, which otherwise lets devices reach only fw_dma buffers,
 * the frame is mapped until fw_frame_dma_unmap; without one, nothing to
 * do. The mapping holds a reference on the frame, so it is not freed
 * while mapped. Returns 0, -EBUSY (a user mapping holds the frame: a
 * device must not write under a process's eyes), -ENOMEM (no memory for
 * the IOMMU's tables, or the frame is beyond what it translates).
 * The caller maps a frame once at a time, and into no process meanwhile
 * (a process would see the device's writes, nothing worse). */
FW_MUST_CHECK int fw_frame_dma_map(struct fw_frame *f);
/* fw_frame_dma_unmap - take it back: on return no device reaches it. */
void fw_frame_dma_unmap(struct fw_frame *f);
/* fw_frame_dma_addr - the device address of byte off of a frame mapped
 * with fw_frame_dma_map, as fw_dma_addr gives a DMA buffer's. off must be
 * below the page size (else a panic naming the caller: a driver bug). */
uint64_t fw_frame_dma_addr(const struct fw_frame *f, size_t off);

/* Copy between a frame and a byte view. Returns 0, or -EINVAL if
 * [off, off+len) is not inside the page. */
FW_MUST_CHECK int fw_frame_read(const struct fw_frame *f, size_t off,
				struct fw_buf dst);
FW_MUST_CHECK int fw_frame_write(struct fw_frame *f, size_t off,
				 struct fw_bytes src);
void fw_frame_zero(struct fw_frame *f);
void fw_frame_copy(struct fw_frame *dst, const struct fw_frame *src);

/* fw_frame_set_reclaim - fn frees memory a service keeps only as a cache
 * (clean page-cache pages): an allocation that finds no free frame calls
 * fn(want) when the caller may sleep (no spinlock held, interrupts on),
 * and tries once more if fn says it freed any. fn may take mutexes, so a
 * caller holding one fn takes must not allocate (fn should trylock). One
 * function; a later call replaces it. */
typedef uint64_t (*fw_frame_reclaim_fn)(uint64_t want);
void fw_frame_set_reclaim(fw_frame_reclaim_fn fn);

/* Memory accounting, in frames. */
uint64_t fw_frames_total(void);
uint64_t fw_frames_free(void);

#endif
