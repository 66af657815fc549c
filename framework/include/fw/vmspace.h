/* fw/vmspace.h: user address spaces.
 *
 * Layer: framework public API. A vmspace is a set of page mappings below
 * FW_USER_TOP, each a user-mappable frame (fw/frame.h) with permissions.
 * The framework owns the page tables and TLB invalidation on every CPU the
 * space is active on; the memory service owns the policy (VMAs, demand
 * paging, copy-on-write, mmap, brk). The kernel half is shared by every
 * space and can never be reached through a user mapping. */
#ifndef FW_VMSPACE_H
#define FW_VMSPACE_H

#include <fw/compiler.h>
#include <fw/frame.h>

struct fw_vmspace;

enum fw_prot {
	FW_PROT_READ = 1u << 0,
	FW_PROT_WRITE = 1u << 1,
	FW_PROT_EXEC = 1u << 2,
};

/* An empty address space: 0 and *out, or -ENOMEM. */
FW_MUST_CHECK int fw_vmspace_create(struct fw_vmspace **out);
/* Unmap everything (dropping the frame references) and free it. Must not
 * be active on any CPU. */
void fw_vmspace_destroy(struct fw_vmspace *vs);

/* Map frame f at page-aligned user address va with prot. Write or exec
 * imply read (x86 cannot express otherwise); prot 0 keeps the frame mapped
 * but inaccessible (PROT_NONE: any access faults, contents are kept).
 * Takes a reference on f. 0, -EINVAL (va not a page-aligned user address), -EEXIST (va already
 * mapped), -ENOMEM (page-table memory). */
FW_MUST_CHECK int fw_vmspace_map(struct fw_vmspace *vs, uint64_t va,
				 struct fw_frame *f, unsigned prot);
/* Remove the mapping at va and drop its frame reference. 0, -EINVAL,
 * -ENOENT (nothing mapped). */
FW_MUST_CHECK int fw_vmspace_unmap(struct fw_vmspace *vs, uint64_t va);
/* Unmap every page in [start, end) (page-aligned) and drop their frame
 * references: one walk and a TLB flush per 64 pages. 0 or -EINVAL. */
FW_MUST_CHECK int fw_vmspace_unmap_range(struct fw_vmspace *vs, uint64_t start,
					 uint64_t end);
/* Change the permissions of the mapping at va. 0, -EINVAL, -ENOENT. */
FW_MUST_CHECK int fw_vmspace_protect(struct fw_vmspace *vs, uint64_t va,
				     unsigned prot);
/* What is mapped at va: 0 with the frame (borrowed: take a reference to
 * keep it) and prot, or -ENOENT / -EINVAL. Either out may be NULL. */
FW_MUST_CHECK int fw_vmspace_query(struct fw_vmspace *vs, uint64_t va,
				   struct fw_frame **f, unsigned *prot);
/* The lowest mapped page address in [va, end), or -ENOENT. Skips empty
 * page-table subtrees, so walking a sparse space is cheap. */
FW_MUST_CHECK int fw_vmspace_next_mapped(struct fw_vmspace *vs, uint64_t va,
					 uint64_t end, uint64_t *found);

/* Fork's copy of [start, end) (page-aligned): every page mapped there in
 * `from` is mapped at the same address in `to`, with the same permissions
 * and a reference on its frame. With cow, a writable page becomes
 * read-only in both (copy-on-write: the first write faults and copies).
 * One walk of the tables and one TLB flush, not a lookup, a map and a
 * flush per page. 0, -EINVAL, -EEXIST (`to` already maps a page there) or
 * -ENOMEM; after an error `to` keeps what was copied (destroying it
 * releases that). */
FW_MUST_CHECK int fw_vmspace_copy_range(struct fw_vmspace *from,
					struct fw_vmspace *to, uint64_t start,
					uint64_t end, bool cow);

/* Make vs the user half of this CPU's address space (on context switch
 * into a task of its process). */
void fw_vmspace_activate(struct fw_vmspace *vs);
/* The vmspace active on this CPU, or NULL for a kernel-only task. */
struct fw_vmspace *fw_vmspace_current(void);

/* The memory service's page-fault resolver, used by the uaccess copies:
 * return 0 if va is now mapped with the needed access (then the copy is
 * retried) or a negative errno. Runs in task context; may sleep. */
typedef int (*fw_vmspace_fault_fn)(struct fw_vmspace *vs, uint64_t va,
				   bool write);
void fw_vmspace_set_fault_handler(fw_vmspace_fault_fn fn);

/* Pages mapped in vs (for /proc and tests). */
uint64_t fw_vmspace_mapped_pages(const struct fw_vmspace *vs);

#endif
