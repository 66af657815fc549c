/* tests/ktest/ram_test.c: all of RAM is in the physical window and in the
 * frame allocator, whatever the memory size (issue 11: 1.5 GiB and more
 * used to panic in paging_init).
 *
 * Layer: kernel tests, with framework privileges (boot memory map, frame
 * kinds, fault-safe probes of the window). The integration run boots them
 * with 128 MiB and 3 GiB, `make test-matrix` with up to 8 GiB, where RAM
 * lies above 4 GiB and around the PCI hole. */
#include <fw/frame.h>
#include <fw/ktest.h>
#include "internal/boot.h"
#include "internal/frame.h"
#include "internal/mem.h"
#include "internal/trap.h"

/* Read and write back one byte of a free frame through the window, with
 * the fault-safe probes: an unmapped page is a failure, not a panic. */
static bool window_rw(uint64_t phys)
{
	uint64_t va = (uint64_t)(uintptr_t)phys_to_virt(phys);
	uint8_t v;

	return arch_probe_read8(va, &v) == 0 && arch_probe_write8(va, v) == 0;
}

FW_KTEST(ram_every_usable_region_in_window)
{
	uint64_t usable = 0;

	for (unsigned i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.mmap[i];
		uint64_t first = PAGE_ALIGN_UP(r->base);
		uint64_t last = PAGE_ALIGN_DOWN(r->base + r->len) - PAGE_SIZE;

		if (r->type != MEM_USABLE || r->base + r->len <= first)
			continue;
		usable += r->len;
		if (first < 0x100000)
			continue; /* the first MiB is mapped whole */
		/* Only free frames: their contents belong to nobody. */
		if (frame_kind_of(first) == FRAME_FREE)
			FW_KT_CHECKF(window_rw(first), "%#llx not in the window",
				     (unsigned long long)first);
		if (frame_kind_of(last) == FRAME_FREE)
			FW_KT_CHECKF(window_rw(last), "%#llx not in the window",
				     (unsigned long long)last);
	}
	/* The allocator has all usable RAM but the kernel, the modules, the
	 * first MiB, the page tables and its own metadata (< 2% + 16 MiB). */
	uint64_t have = fw_frames_total() * PAGE_SIZE;
	FW_KT_CHECKF(have <= usable && have + usable / 50 + (16ull << 20) >= usable,
		     "allocator has %llu of %llu usable bytes",
		     (unsigned long long)have, (unsigned long long)usable);
}

FW_KTEST(ram_highest_frames_allocatable)
{
	/* Take frames until one comes from the top 1/8 of RAM or 4096 are
	 * held; the buddy hands out the most recently donated (highest)
	 * memory first, so the top of a large memory is reached at once. */
	static struct fw_frame *held[4096];
	uint64_t top = 0, limit = 0;
	unsigned n = 0;

	for (unsigned i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.mmap[i];
		if (r->type == MEM_USABLE && r->base + r->len > limit)
			limit = r->base + r->len;
	}
	while (n < FW_ARRAY_LEN(held) && top < limit - limit / 8) {
		if (fw_frame_alloc(FW_FRAME_ZERO, &held[n]))
			break;
		uint64_t p = frame_phys(held[n++]);
		if (p > top)
			top = p;
	}
	for (unsigned i = 0; i < n; i++)
		fw_frame_put(held[i]);
	FW_KT_CHECKF(top >= limit - limit / 8,
		     "highest frame %#llx after %u allocations, RAM ends at %#llx",
		     (unsigned long long)top, n, (unsigned long long)limit);
}
