/* services/mm/mm_internal.h: helpers shared by mm.c and mmap.c.
 *
 * Layer: services (safe C), private to services/mm. Functions named
 * *_locked, and all of these unless noted, need mm->lock held. */
#ifndef SERVICES_MM_INTERNAL_H
#define SERVICES_MM_INTERNAL_H

#include "mm/mm.h"

/* PROT_* to FW_PROT_* (0 for PROT_NONE). Needs no lock. */
unsigned mm_fw_prot(unsigned prot);
/* PTE permissions for a page of v backed by fr (see mm.h). */
unsigned mm_pte_prot(const struct vma *v, const struct fw_frame *fr);
/* Map / re-protect one page; fw prot 0 means PROT_NONE. */
FW_MUST_CHECK int mm_map_page(struct mm *mm, uint64_t va,
			      struct fw_frame *fr, unsigned p);
FW_MUST_CHECK int mm_protect_page(struct mm *mm, uint64_t va, unsigned p);
/* Re-apply v's permissions to its mapped pages (after mprotect). */
void mm_reprotect_pages(struct mm *mm, const struct vma *v);
/* Unmap the mapped pages of [start, end) (VMAs untouched). */
void mm_unmap_pages(struct mm *mm, uint64_t start, uint64_t end);
/* Remove [start, end) from the address space: pages and VMAs. 0 or
 * -ENOMEM (a VMA split failed; nothing unmapped). */
FW_MUST_CHECK int mm_unmap_range(struct mm *mm, uint64_t start,
				 uint64_t end);
/* Add a VMA for the free range [start, start+len) (merged with its
 * neighbours where possible; *out, if not NULL, gets the covering VMA). */
FW_MUST_CHECK int mm_insert_vma(struct mm *mm, uint64_t start, uint64_t len,
				unsigned prot, unsigned flags, struct file *f,
				uint64_t pgoff, uint64_t file_limit,
				enum vma_name name, struct vma **out);
/* Whether the address space may grow by `more` bytes under the current
 * process's RLIMIT_AS (Linux may_expand_vm). */
bool mm_may_expand(struct mm *mm, uint64_t more);
/* List / unlist a file-backed VMA on its inode (mapping.c); the spin
 * lock they take is a leaf. */
void mapping_add(struct vma *v);
void mapping_del(struct vma *v);
FW_MUST_CHECK int mm_find_free_locked(struct mm *mm, uint64_t len,
				      uint64_t *out);

#endif
