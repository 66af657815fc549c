/* services/mm/vma.h: virtual memory areas and address-space arithmetic.
 *
 * Layer: services (safe C), pure logic. A VMA is one run of pages of a
 * process address space with the same permissions and backing (anonymous
 * memory or a window of a file), as Linux's vm_area_struct. The VMAs of one
 * address space never overlap; they are kept twice: on a list sorted by
 * start address (neighbours in O(1), walks in order) and in a balanced
 * tree by start address (lookup in O(log n)). This file only does the arithmetic (find, insert, split, merge,
 * free-range search); the page tables are the caller's business (mm.c), so
 * the code here builds and is tested on the host (tests/unit/vma_test.c).
 *
 * The tree is an AVL tree in which every node also keeps the free gap
 * below it (down to the VMA before) and the largest gap in its subtree, as
 * Linux's VMA tree kept rb_subtree_gap before the maple tree: finding a
 * free range top-down then skips whole subtrees with no gap big enough.
 * A list alone made the N-th mmap walk N VMAs: quadratic for programs
 * with tens of thousands of mappings (allocators, JITs, stress-ng).
 *
 * File references: a file-backed VMA holds one reference on its file and
 * is on its inode's list of mappings (mapping.c). The split and free
 * functions here keep both balanced by calling vma_file_ref/vma_file_unref,
 * which mm.c implements (the host test with a counter), so this file needs
 * no VFS header. */
#ifndef SERVICES_MM_VMA_H
#define SERVICES_MM_VMA_H

#include <stdatomic.h>

#include <fw/compiler.h>
#include <fw/list.h>

#define MM_PAGE_SIZE 4096ull
#define MM_PAGE_MASK (~(MM_PAGE_SIZE - 1))

struct file;
struct mm;

/* struct vma.flags */
enum {
	VMA_SHARED = 1u << 0,    /* MAP_SHARED: writes visible to all mappers */
	VMA_GROWSDOWN = 1u << 1, /* a stack: faults just below extend it */
	VMA_DONTCOPY = 1u << 2,  /* MADV_DONTFORK: not inherited by fork */
	VMA_MAYWRITE = 1u << 3,  /* shared file mapping whose file is writable */
	VMA_LOCKED = 1u << 4,    /* mlock: faulted in, counted in VmLck */
	VMA_WIPEONFORK = 1u << 5, /* MADV_WIPEONFORK: child gets zero pages */
};

/* struct vma.name: what /proc/<pid>/maps prints for an anonymous VMA. */
enum vma_name {
	VMA_NAME_NONE = 0,
	VMA_NAME_HEAP,  /* "[heap]": the brk area */
	VMA_NAME_STACK, /* "[stack]": the main thread's stack */
	VMA_NAME_SHM,   /* a System V shared memory attachment (shmat) */
};

/* A NUMA memory policy (set_mempolicy(2), mbind(2)): Linux's mode
 * (MPOL_*), its mode flags, and its nodes (bit n: node n; nodes above 63
 * are not kept). All zero: the default policy. With one memory node
 * every policy places pages the same way; it is kept to be reported. */
struct mempolicy {
	uint16_t mode, flags;
	uint64_t nodes;
};

struct vma {
	struct fw_list node;  /* on vma_list.head, sorted by start */
	uint64_t start;       /* first byte, page-aligned */
	uint64_t end;         /* one past the last byte, page-aligned */
	unsigned prot;        /* PROT_READ | PROT_WRITE | PROT_EXEC */
	unsigned flags;       /* VMA_* */
	struct file *file;    /* backing file (one reference), NULL if anon */
	uint64_t pgoff;       /* file offset of start, in bytes, page-aligned */
	uint64_t file_limit;  /* file bytes at or past this read as zero (ELF
			       * segment end before bss); UINT64_MAX if none */
	enum vma_name name;   /* for /proc/<pid>/maps */
	struct mempolicy pol; /* mbind(2)'s policy for this range */
	struct mm *mm;        /* the address space it belongs to */
	struct fw_list fnode; /* on its file's inode's mappings (mapping.c) */
	_Atomic uint64_t unmap_gen; /* the last truncation that visited it */

	/* Tree links and the free-gap bookkeeping (vma.c only). */
	struct vma *left, *right;
	int height;       /* of the subtree rooted here; a leaf is 1 */
	uint64_t gap;     /* start minus the end of the VMA before (or 0) */
	uint64_t max_gap; /* the largest gap in the subtree rooted here */
};

struct vma_list {
	struct fw_list head; /* struct vma.node, sorted, non-overlapping */
	struct vma *root;    /* the same VMAs in a tree by start */
	unsigned count;      /* number of VMAs */
};

/* At most this many VMAs per address space (Linux's default
 * vm.max_map_count): a program that maps page after page, or splits
 * mappings, gets ENOMEM there instead of taking kernel memory without
 * end. Shown in /proc/sys/vm/max_map_count. */
#define VMA_MAX_COUNT 65530u

/* Implemented by the user of this file (mm.c; the host test's shim):
 * v->file just became v's (take a reference, list v as a mapping of the
 * file) or is about to stop being v's. */
void vma_file_ref(struct vma *v);
void vma_file_unref(struct vma *v);

void vma_list_init(struct vma_list *l);
/* A zeroed VMA (file_limit UINT64_MAX), or NULL. */
struct vma *vma_alloc(void);
/* Free a VMA not on a list, dropping its file reference. */
void vma_free(struct vma *v);

/* The VMA containing addr, or NULL. */
struct vma *vma_find(struct vma_list *l, uint64_t addr);
/* The first VMA ending above addr (containing it or after it), or NULL. */
struct vma *vma_find_from(struct vma_list *l, uint64_t addr);
/* Neighbours on the list, NULL at either end. */
struct vma *vma_next(struct vma_list *l, struct vma *v);
struct vma *vma_prev(struct vma_list *l, struct vma *v);
struct vma *vma_first(struct vma_list *l);
struct vma *vma_last(struct vma_list *l);

/* True if no VMA overlaps [start, end). */
bool vma_range_free(struct vma_list *l, uint64_t start, uint64_t end);
/* Bytes of [start, end) that VMAs cover. */
uint64_t vma_bytes_in(struct vma_list *l, uint64_t start, uint64_t end);
/* True if [start, end) is covered by VMAs with no hole. */
bool vma_range_covered(struct vma_list *l, uint64_t start, uint64_t end);

/* Insert v (its range must be valid: start < end, both page-aligned, and
 * free): 0, -EINVAL or -EEXIST. The list takes ownership on success. */
FW_MUST_CHECK int vma_insert(struct vma_list *l, struct vma *v);
/* Cut v at page-aligned at (start < at < end): v keeps [start, at), a new
 * VMA (returned in *tail, may be NULL) gets [at, end) with the file
 * reference and offset it needs. 0, -EINVAL or -ENOMEM. */
FW_MUST_CHECK int vma_split(struct vma_list *l, struct vma *v, uint64_t at,
			    struct vma **tail);
/* Split the VMAs overlapping the edges of [start, end) so that every VMA
 * is then either inside or outside the range. 0 or -ENOMEM (the list is
 * still valid, possibly with one split done). */
FW_MUST_CHECK int vma_isolate(struct vma_list *l, uint64_t start,
			      uint64_t end);
/* Remove and free every VMA inside [start, end) (call vma_isolate first). */
void vma_remove_range(struct vma_list *l, uint64_t start, uint64_t end);
/* Unlink v from the list (not freed). */
void vma_unlink(struct vma_list *l, struct vma *v);
/* Move v's bounds to [start, end) (growing a stack, the heap, mremap in
 * place): the caller has checked that the new range is free. */
void vma_set_range(struct vma_list *l, struct vma *v, uint64_t start,
		   uint64_t end);
/* True if a directly followed by b could be one VMA. */
bool vma_mergeable(const struct vma *a, const struct vma *b);
/* Merge v with its neighbours where possible; returns the VMA that now
 * covers v's range (v itself may have been freed). */
struct vma *vma_merge_around(struct vma_list *l, struct vma *v);

/* Find a free page-aligned range of len bytes inside [lo, hi): the highest
 * one (top-down, as Linux places mmap below the stack). 0 and *out, or
 * -ENOMEM. len must be page-aligned and non-zero. */
FW_MUST_CHECK int vma_find_free_topdown(struct vma_list *l, uint64_t len,
					uint64_t lo, uint64_t hi,
					uint64_t *out);

static inline uint64_t mm_page_down(uint64_t a)
{
	return a & MM_PAGE_MASK;
}

/* Round up; *out untouched and false on overflow. */
static inline bool mm_page_up(uint64_t a, uint64_t *out)
{
	if (a > ~0ull - (MM_PAGE_SIZE - 1))
		return false;
	*out = (a + MM_PAGE_SIZE - 1) & MM_PAGE_MASK;
	return true;
}

static inline bool mm_page_aligned(uint64_t a)
{
	return (a & (MM_PAGE_SIZE - 1)) == 0;
}

#endif
