/* tests/ktest/mm_test.c: in-kernel tests of frames, heap and page tables.
 *
 * Layer: kernel tests, built with framework privileges (they poke page
 * tables and probe faults), run with `ktest` on the command line. */
#include <fw/cpu.h>
#include <fw/errno.h>
#include <fw/frame.h>
#include <fw/heap.h>
#include <fw/ktest.h>
#include <fw/log.h>
#include <fw/string.h>
#include <fw/task.h>
#include <fw/time.h>
#include "internal/frame.h"
#include "internal/heap.h"
#include "internal/boot.h"
#include "internal/cpufeature.h"
#include "internal/mem.h"
#include "internal/paging.h"
#include "internal/trap.h"

#define GIB (1ull << 30)

#define NFRAMES 2048
static struct fw_frame *frames[NFRAMES];

/* A tiny xorshift PRNG so runs are reproducible. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

FW_KTEST(frames_fragmentation)
{
	uint64_t free0 = fw_frames_free();

	for (int i = 0; i < NFRAMES; i++)
		FW_KT_CHECK(fw_frame_alloc(FW_FRAME_ZERO, &frames[i]) == 0);
	FW_KT_CHECK(fw_frames_free() == free0 - NFRAMES);
	/* Stamp each frame with its index, then free every other one. */
	for (int i = 0; i < NFRAMES; i++) {
		uint32_t v = (uint32_t)i;
		FW_KT_CHECK(fw_frame_write(frames[i], 100, FW_BYTES_OF_OBJ(&v)) == 0);
	}
	for (int i = 0; i < NFRAMES; i += 2) {
		fw_frame_put(frames[i]);
		frames[i] = 0;
	}
	FW_KT_CHECK(fw_frames_free() == free0 - NFRAMES / 2);
	/* Contiguous, aligned runs still come from unfragmented memory. */
	uint64_t run = kframe_alloc(4);
	FW_KT_CHECK(run != 0);
	FW_KT_CHECKF((run & (16 * PAGE_SIZE - 1)) == 0, "run %#llx misaligned",
		     (unsigned long long)run);
	kframe_free(run, 4);
	/* The survivors kept their contents. */
	for (int i = 1; i < NFRAMES; i += 2) {
		uint32_t v = 0;
		FW_KT_CHECK(fw_frame_read(frames[i], 100, FW_BUF_OF_OBJ(&v)) == 0);
		FW_KT_CHECKF(v == (uint32_t)i, "frame %d holds %u", i, v);
	}
	/* Out-of-page accesses are refused. */
	uint8_t b[8];
	FW_KT_CHECK(fw_frame_read(frames[1], 4093, FW_BUF_OF_ARRAY(b)) == -EINVAL);
	FW_KT_CHECK(fw_frame_write(frames[1], (size_t)-1, FW_BYTES_OF_ARRAY(b)) == -EINVAL);
	/* Refcounts: a second reference keeps the frame alive. */
	fw_frame_get(frames[1]);
	FW_KT_CHECK(fw_frame_refcount(frames[1]) == 2);
	fw_frame_put(frames[1]);
	for (int i = 1; i < NFRAMES; i += 2)
		fw_frame_put(frames[i]);
	FW_KT_CHECKF(fw_frames_free() == free0, "leaked %lld frames",
		     (long long)(free0 - fw_frames_free()));
}

#define NOBJ 512
static uint8_t *objs[NOBJ];
static size_t objlen[NOBJ];

FW_KTEST(heap_stress)
{
	size_t used0 = fw_heap_used();

	for (int round = 0; round < 20000; round++) {
		int i = (int)(rng() % NOBJ);
		if (objs[i]) {
			for (size_t k = 0; k < objlen[i]; k++)
				FW_KT_CHECKF(objs[i][k] == (uint8_t)(i + k),
					     "object %d corrupted at %zu", i, k);
			kheap_free(objs[i]);
			objs[i] = 0;
			continue;
		}
		objlen[i] = 1 + rng() % (rng() % 8 == 0 ? 20000 : 600);
		objs[i] = kheap_alloc(objlen[i]);
		FW_KT_CHECK(objs[i] != 0);
		FW_KT_CHECK(((uintptr_t)objs[i] & 15) == 0);
		for (size_t k = 0; k < objlen[i]; k++) {
			FW_KT_CHECK(k > 64 || objs[i][k] == 0); /* zeroed */
			objs[i][k] = (uint8_t)(i + k);
		}
	}
	for (int i = 0; i < NOBJ; i++) {
		kheap_free(objs[i]);
		objs[i] = 0;
	}
	FW_KT_CHECKF(fw_heap_used() == used0, "heap grew by %zu bytes",
		     fw_heap_used() - used0);
}

/* The services' byte-buffer partitions keep the pages they were given
 * (framework/mm/heap.c): a second identical round of allocations must be
 * served from those pages, not from new frames, and every byte must come
 * back zeroed and hold what was written. */
static struct fw_buf bufs[NOBJ];

static void buf_round(uint64_t seed, int *bad)
{
	rng_state = seed;
	for (int round = 0; round < 6000; round++) {
		int i = (int)(rng() % NOBJ);
		uint8_t b;

		if (fw_buf_len(bufs[i])) {
			for (size_t k = 0; k < fw_buf_len(bufs[i]); k += 97)
				if (fw_bytes_get_u8(fw_buf_as_bytes(bufs[i]), k, &b) ||
				    b != (uint8_t)(i + k))
					(*bad)++;
			fw_buf_free(&bufs[i]);
			continue;
		}
		size_t len = 1 + rng() % (rng() % 8 == 0 ? 20000 : 600);
		if (fw_buf_alloc(len, &bufs[i])) {
			(*bad)++;
			continue;
		}
		for (size_t k = 0; k < len; k += 97) {
			if (fw_bytes_get_u8(fw_buf_as_bytes(bufs[i]), k, &b) || b != 0)
				(*bad)++;
			if (fw_buf_put_u8(bufs[i], k, (uint8_t)(i + k)))
				(*bad)++;
		}
	}
	for (int i = 0; i < NOBJ; i++)
		fw_buf_free(&bufs[i]);
}

/* FW_NEW gives each type the alignment it asks for (the gate allows up to
 * 64; XSAVE images in user contexts need 64). */
struct kt_align32 {
	uint8_t b[40];
} __attribute__((aligned(32)));
struct kt_align64_small {
	uint64_t v;
} __attribute__((aligned(64)));
struct kt_align64_large {
	uint8_t b[3000];
} __attribute__((aligned(64)));

FW_KTEST(heap_typed_objects_are_aligned_as_their_type)
{
	struct kt_align32 *a[4];
	struct kt_align64_small *b[4];
	struct kt_align64_large *c[4];

	for (int i = 0; i < 4; i++) {
		a[i] = FW_NEW(struct kt_align32);
		b[i] = FW_NEW(struct kt_align64_small);
		c[i] = FW_NEW(struct kt_align64_large);
		FW_KT_CHECK(a[i] && b[i] && c[i]);
		FW_KT_CHECKF((uintptr_t)a[i] % 32 == 0, "%p", (void *)a[i]);
		FW_KT_CHECKF((uintptr_t)b[i] % 64 == 0, "%p", (void *)b[i]);
		FW_KT_CHECKF((uintptr_t)c[i] % 64 == 0, "%p", (void *)c[i]);
		c[i]->b[2999] = 1; /* the whole object is there */
	}
	for (int i = 0; i < 4; i++) {
		fw_free(a[i]);
		fw_free(b[i]);
		fw_free(c[i]);
	}
}

FW_KTEST(heap_byte_partitions_reuse_their_pages)
{
	size_t used0 = fw_heap_used();
	uint64_t free1;
	int bad = 0;

	buf_round(1, &bad);
	FW_KT_CHECKF(bad == 0, "%d bad bytes or failed allocations", bad);
	FW_KT_CHECKF(fw_heap_used() == used0, "heap grew by %zu bytes",
		     fw_heap_used() - used0);
	free1 = fw_frames_free();
	buf_round(1, &bad);
	FW_KT_CHECKF(bad == 0, "%d bad bytes in the second round", bad);
	FW_KT_CHECKF(fw_frames_free() == free1,
		     "the same round took %lld more frames: freed pages were not "
		     "reused", (long long)(free1 - fw_frames_free()));
}

/* The direct map uses the largest pages the CPU has: every GiB of RAM that
 * one memory-map region covers whole is one 1 GiB page where CPUID offers
 * them (2 MiB pages otherwise), and nothing outside RAM and firmware
 * tables is mapped at all. Boots with less than 2 GiB have no such GiB
 * and check only the holes. */
FW_KTEST(paging_direct_map_page_sizes)
{
	unsigned checked = 0;

	for (unsigned i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.mmap[i];
		uint64_t a = (r->base + GIB - 1) & ~(GIB - 1);

		if (r->type != MEM_USABLE)
			continue;
		for (; a + GIB <= r->base + r->len && a + GIB <= PHYS_WINDOW_SIZE;
		     a += GIB, checked++) {
			uint64_t got = kpage_size(PHYS_WINDOW + a);
			uint64_t want = cpu_features.pdpe1gb ? GIB : 0x200000;
			FW_KT_CHECKF(got == want,
				     "phys %#llx: %llu-byte page, expected %llu",
				     (unsigned long long)a, (unsigned long long)got,
				     (unsigned long long)want);
		}
	}
	/* A PCI-hole address (0xFEC00000, the IOAPIC) is not in the map. */
	FW_KT_CHECK(kpage_size(PHYS_WINDOW + 0xFEC00000ull) == 0);
	fw_info("ktest: %u GiB of the direct map checked", checked);
}

#define TEST_VA 0xFFFFE00000000000ull

FW_KTEST(pagetable_map_unmap_protect)
{
	uint64_t pa = kframe_alloc(0);
	uint8_t v = 0;

	FW_KT_CHECK(pa != 0);
	FW_KT_CHECK(kmap_page(TEST_VA, pa, KMAP_RW) == 0);
	FW_KT_CHECK(kmap_page(TEST_VA, pa, KMAP_RW) == -EEXIST);
	FW_KT_CHECK(kmap_page(0x1000, pa, KMAP_RW) == -EINVAL); /* user half */
	FW_KT_CHECK(arch_probe_write8(TEST_VA + 7, 0x5A) == 0);
	FW_KT_CHECK(*(uint8_t *)phys_to_virt(pa + 7) == 0x5A); /* same frame */
	FW_KT_CHECK(kprotect_page(TEST_VA, KMAP_RO) == 0);
	FW_KT_CHECK(arch_probe_write8(TEST_VA + 7, 0x11) == -EFAULT);
	FW_KT_CHECK(arch_probe_read8(TEST_VA + 7, &v) == 0 && v == 0x5A);
	FW_KT_CHECK(kprotect_page(TEST_VA, KMAP_RW) == 0);
	FW_KT_CHECK(arch_probe_write8(TEST_VA + 7, 0x22) == 0);
	FW_KT_CHECK(kunmap_page(TEST_VA) == 0);
	FW_KT_CHECK(kunmap_page(TEST_VA) == -ENOENT);
	FW_KT_CHECK(arch_probe_read8(TEST_VA + 7, &v) == -EFAULT);
	FW_KT_CHECK(kpte_lookup(TEST_VA) == 0);
	kframe_free(pa, 0);
}

FW_KTEST(write_to_readonly_kernel_page_faults)
{
	static const uint8_t ro_data[16] = { 1, 2, 3 };
	uint8_t v = 0;

	/* rodata and text are mapped read-only (W^X): the write faults, the
	 * fault is caught through the exception table, and nothing changed. */
	FW_KT_CHECK(arch_probe_write8((uint64_t)(uintptr_t)&ro_data[1], 9) == -EFAULT);
	FW_KT_CHECK(ro_data[1] == 2);
	FW_KT_CHECK(arch_probe_write8((uint64_t)(uintptr_t)&kmap_page, 0xCC) == -EFAULT);
	FW_KT_CHECK(arch_probe_read8((uint64_t)(uintptr_t)&kmap_page, &v) == 0);
	/* Data is not executable and text is not writable. */
	FW_KT_CHECK(kpte_lookup((uint64_t)(uintptr_t)&rng_state) & PTE_NX);
	FW_KT_CHECK(!(kpte_lookup((uint64_t)(uintptr_t)&kmap_page) & PTE_W));
	/* The guard page under the boot stack is not mapped. */
	extern char boot_stack_guard[];
	FW_KT_CHECK(arch_probe_read8((uint64_t)(uintptr_t)boot_stack_guard, &v) == -EFAULT);
}

/* --- TLB shootdown: a protection change reaches the other CPUs ---------- */
#define SHOOT_VA (TEST_VA + 0x10000)
struct remote_probe {
	int phase;      /* 0 start, 1 cached, 2 protected, 3 done */
	int write_rc;   /* result of the write after the change */
	unsigned cpu;
};
static struct remote_probe remote;

static void remote_task(struct remote_probe *r)
{
	uint8_t v;
	r->cpu = fw_cpu_id();
	/* Pull the RW translation into this CPU's TLB. */
	(void)arch_probe_read8(SHOOT_VA, &v);
	(void)arch_probe_write8(SHOOT_VA, 1);
	__atomic_store_n(&r->phase, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&r->phase, __ATOMIC_ACQUIRE) != 2)
		fw_cpu_relax();
	r->write_rc = arch_probe_write8(SHOOT_VA, 2);
	__atomic_store_n(&r->phase, 3, __ATOMIC_RELEASE);
}

FW_KTEST(tlb_shootdown_reaches_other_cpus)
{
	struct fw_task *t;
	uint64_t pa = kframe_alloc(0);
	unsigned other;

	if (fw_cpu_count() < 2)
		return; /* one CPU: nothing to shoot down (not a failure) */
	FW_KT_CHECK(pa != 0);
	FW_KT_CHECK(kmap_page(SHOOT_VA, pa, KMAP_RW) == 0);
	remote = (struct remote_probe){ 0 };
	fw_preempt_disable();
	other = (fw_cpu_id() + 1) % fw_cpu_count();
	fw_preempt_enable();
	FW_KT_CHECK(FW_TASK_SPAWN("tlb-remote", remote_task, &remote, (int)other,
				  &t) == 0);
	while (__atomic_load_n(&remote.phase, __ATOMIC_ACQUIRE) != 1)
		fw_sleep_ns(FW_NSEC_PER_MSEC);
	FW_KT_CHECK(kprotect_page(SHOOT_VA, KMAP_RO) == 0);
	__atomic_store_n(&remote.phase, 2, __ATOMIC_RELEASE);
	FW_KT_CHECK(fw_task_join(t, 0) == 0);
	FW_KT_CHECKF(remote.write_rc == -EFAULT,
		     "cpu %u still wrote through its stale TLB entry", remote.cpu);
	FW_KT_CHECK(kunmap_page(SHOOT_VA) == 0);
	kframe_free(pa, 0);
}
