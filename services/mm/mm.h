/* services/mm/mm.h: process address spaces (struct mm).
 *
 * Layer: services (safe C). A struct mm is one process's user address
 * space: the framework's page tables (struct fw_vmspace) plus the policy
 * the framework leaves to us: the VMA list (vma.h), the brk heap, where
 * mmap places things, demand paging and copy-on-write. Threads created
 * with CLONE_VM share one mm through its reference count.
 *
 * Layout (no ASLR, like Linux with randomize_va_space=0):
 *   0x555555554000  ET_DYN (static-pie) programs      MM_ELF_DYN_BASE
 *   after the program's last segment: brk heap ("[heap]")
 *   0x7ffff7fff000  top of the mmap area, allocated downwards (MM_MMAP_BASE)
 *   0x7ffff7dd0000  the ELF interpreter, if any       MM_INTERP_BASE
 *   0x7ffffffff000  top of the stack ("[stack]"), grows down to 8 MiB
 *
 * Page-table policy: a page is mapped with its VMA's permissions, except
 * that a page of a private VMA whose frame is shared (after fork, or a
 * file's page-cache frame) is mapped read-only; the first write faults and
 * mm_fault copies it (or just re-enables write if the frame has become
 * ours alone). So "copy-on-write" needs no per-page state: it is
 * (private VMA, writable VMA, read-only PTE).
 *
 * Shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS) is a mapping of an
 * unlinked tmpfs file of its own (Linux's shmem_zero_setup), so its pages
 * are made on first touch and every process that inherited the mapping
 * finds the same page through the file. Shared file mappings map the file's own page-cache frames (vfs_file_page), so
 * they are really shared with read/write and other mappers. In a
 * writable shared mapping of a disk file, a page is mapped read-only
 * until its first write, which fetches it again "for writing" (Linux's
 * page_mkwrite: the page cache marks it to be written back later,
 * fs/cache/pagecache.h) and makes it writable; tmpfs pages, which have
 * nothing to write back, are mapped writable at once. msync(MS_SYNC) is
 * fsync of the files mapped in the range.
 *
 * Locking: mm->lock (a mutex) guards the VMA list, brk and the page tables
 * of the space. It is never held across a user copy (a copy may fault and
 * the fault takes mm->lock) nor across vfs_file_page (the file system may
 * copy to user space with its inode lock held: the fault path drops
 * mm->lock around the file lookup and revalidates, as Linux retries).
 *
 * Folder services/mm: address spaces, VMAs, page faults, mmap and
 * friends. May include fs (file mappings), syscall, current, lib. */
#ifndef SERVICES_MM_MM_H
#define SERVICES_MM_MM_H

#include <stdatomic.h>

#include <fw/bytes.h>
#include <fw/compiler.h>
#include <fw/frame.h>
#include <fw/sync.h>
#include <fw/uaccess.h>
#include <fw/vmspace.h>

#include "mm/vma.h"

#define MM_TASK_SIZE 0x00007ffffffff000ull   /* first address user space can't map */
#define MM_STACK_TOP 0x00007ffffffff000ull   /* the main stack ends here */
#define MM_STACK_MAX (8ull << 20)            /* RLIMIT_STACK default */
#define MM_MMAP_BASE 0x00007ffff7fff000ull   /* mmap allocates below this */
#define MM_MMAP_MIN 0x10000ull               /* vm.mmap_min_addr */
#define MM_ELF_DYN_BASE 0x0000555555554000ull /* ET_DYN load address */
#define MM_INTERP_BASE 0x00007ffff7dd0000ull /* ELF interpreter load address */

struct file;

#define MM_AUXV_WORDS 48 /* 24 (type, value) pairs */

struct mm {
	_Atomic int refs;        /* threads (CLONE_VM) and other holders */
	struct fw_vmspace *vs;   /* the page tables; owned */
	struct fw_mutex lock;    /* guards everything below and vs's mappings */

	/* mm->lock */
	struct vma_list vmas;    /* sorted, non-overlapping */
	uint64_t brk_start;      /* where the heap starts (end of the program) */
	uint64_t brk;            /* current program break (not page-aligned) */
	uint64_t mmap_base;      /* top of the mmap area */
	/* Set by exec (for /proc/<pid>/cmdline, environ, stat). */
	uint64_t arg_start, arg_end; /* argv strings on the stack */
	uint64_t env_start, env_end; /* envp strings on the stack */
	uint64_t start_stack;    /* initial stack pointer (argc) */
	/* The auxiliary vector exec gave the program, AT_NULL included
	 * (/proc/<pid>/auxv; Linux's saved_auxv): auxv_words words. */
	uint64_t saved_auxv[MM_AUXV_WORDS];
	unsigned auxv_words;
	bool lock_future;        /* mlockall(MCL_FUTURE): new mappings locked */
};

/* A new, empty address space with one reference: 0 or -ENOMEM. */
FW_MUST_CHECK int mm_create(struct mm **out);
void mm_get(struct mm *mm);
/* Drop a reference; the last one unmaps everything (frame and file
 * references included) and destroys the vmspace, which must then not be
 * active on any CPU (the caller makes sure the dying thread switched
 * away). */
void mm_put(struct mm *mm);

/* fork: a copy of parent, private pages shared copy-on-write, shared
 * mappings shared. 0 or -ENOMEM (nothing leaks; parent pages may have
 * been made read-only, which only costs a later fault). */
FW_MUST_CHECK int mm_fork(struct mm *parent, struct mm **child);

/* Resolve a user page fault at addr. Returns 0 (mapped now: re-run the
 * instruction), -EFAULT (no VMA or access not allowed: SIGSEGV), -EIO
 * (file-backed page past the end of the file: SIGBUS, as Linux), or
 * -ENOMEM (out of memory). May sleep. */
FW_MUST_CHECK int mm_fault(struct mm *mm, uint64_t addr, bool write,
			   bool exec);
/* The fw_vmspace_fault_fn for uaccess copies (register it with
 * fw_vmspace_set_fault_handler): resolves va in proc_current()->mm. */
int mm_fault_handler(struct fw_vmspace *vs, uint64_t va, bool write);

/* /proc/<pid>/maps text, in Linux's format. Writes what fits in out, sets
 * *len to the full length (like snprintf: retry with a bigger buffer if
 * *len > fw_buf_len(out)). 0 or -ENOMEM. */
FW_MUST_CHECK int mm_format_maps(struct mm *mm, struct fw_buf out,
				 size_t *len);

/* Syscalls: brk, mmap, munmap, mprotect, mremap, madvise, msync, mincore,
 * mlock, munlock, mlockall, munlockall, mlock2. */
void mm_syscalls_init(void);

/* NUMA policies of ranges (mempolicy.c): set pol on every VMA of
 * [start, end) (page-aligned), splitting at the edges: 0, -EFAULT if part
 * of it is unmapped, -ENOMEM; the policy of the VMA at addr (-EFAULT if
 * none); the node of the page at addr: 0 (the only node) if it is in
 * memory, -ENOENT if not, -EFAULT outside the VMAs (move_pages). */
FW_MUST_CHECK int mm_set_policy(struct mm *mm, uint64_t start, uint64_t end,
				const struct mempolicy *pol);
FW_MUST_CHECK int mm_get_policy(struct mm *mm, uint64_t addr,
				struct mempolicy *out);
int mm_page_node(struct mm *mm, uint64_t addr);

/* /proc/<pid>/pagemap (pagemap.c): the 8-byte entries of the pages from
 * *pos / 8 on, into buf; frame numbers only if show_pfn. -EINVAL unless
 * *pos and len are multiples of 8; 0 past the last user page. */
long mm_pagemap_read(struct mm *mm, fw_uptr_t buf, size_t len,
		     uint64_t *pos, bool show_pfn);

/* Another process's page at addr (access.c, for ptrace and
 * process_vm_readv): 0 and a referenced frame in *out (drop it with
 * fw_frame_put), faulting the page in if needed; -EFAULT outside the VMAs
 * or without the access, -EIO past a file's end, -ENOMEM. `force` lets a
 * write reach a read-only private page through a copy (FOLL_FORCE). */
FW_MUST_CHECK int mm_remote_page(struct mm *mm, uint64_t addr, bool write,
				 bool force, struct fw_frame **out);

/* Is addr inside a mapping? (SIGSEGV's si_code: SEGV_ACCERR if so, else
 * SEGV_MAPERR.) */
bool mm_addr_in_vma(struct mm *mm, uint64_t addr);

/* " in NAME[START+LEN]": the mapping that holds addr, for the line a
 * fatal fault logs (Linux's print_vma_addr); empty outside any mapping.
 * NAME is the mapped file's last path element, or [heap], [stack],
 * [anon]. */
struct mm_addr_desc {
	char s[96];
};
void mm_describe_addr(struct mm *mm, uint64_t addr, struct mm_addr_desc *out);

/* ---- for the ELF loader (the mm is not active yet) ---------------------- */

/* Map [start, start+len) (page-aligned) as a private VMA, replacing
 * anything there (MAP_FIXED). f NULL: anonymous zero-fill memory;
 * otherwise a window of f at byte offset pgoff (page-aligned; the VMA takes
 * its own file reference) whose bytes at file offsets >= file_limit read as
 * zero (the bss that shares the last file page). Pages come in on demand.
 * 0, -EINVAL, -ENOMEM. */
FW_MUST_CHECK int mm_map_fixed(struct mm *mm, uint64_t start, uint64_t len,
			       unsigned prot, unsigned vma_flags,
			       struct file *f, uint64_t pgoff,
			       uint64_t file_limit, enum vma_name name);
/* Map frame fr at page va, inside a VMA, with the VMA's permissions (the
 * mapping takes its own frame reference). 0, -EFAULT (no VMA), -EEXIST,
 * -ENOMEM. */
FW_MUST_CHECK int mm_install_frame(struct mm *mm, uint64_t va,
				   struct fw_frame *fr);
/* ---- System V shared memory (shm_map.c) --------------------------------- */

/* Pages that outlive their mappings: up to FRAME_LIST_MAX of them, in
 * chunks. */
#define FRAME_CHUNK 512
#define FRAME_LIST_MAX (128u * FRAME_CHUNK)	/* 256 MiB */
struct frame_chunk {
	struct fw_frame *fr[FRAME_CHUNK];
};
struct frame_list {
	uint64_t npages;
	struct frame_chunk *chunk[FRAME_LIST_MAX / FRAME_CHUNK];
};
/* npages zeroed frames: 0 and *out, -EINVAL (0 or too many), -ENOMEM. */
FW_MUST_CHECK int frame_list_alloc(uint64_t npages, struct frame_list **out);
struct fw_frame *frame_list_get(const struct frame_list *fl, uint64_t i);
void frame_list_free(struct frame_list *fl);
/* shmat: map fl's pages shared at a free address, or at addr (page-
 * aligned) replacing what is there when fixed. 0 and *out, -EINVAL,
 * -ENOMEM. */
FW_MUST_CHECK int mm_shm_attach(struct mm *mm, const struct frame_list *fl,
				uint64_t addr, bool fixed, unsigned prot,
				uint64_t *out);
/* shmdt: unmap the attachment that starts at addr; -EINVAL if none.
 * *first: its first page (referenced; the caller puts it), to tell which
 * segment it was. */
FW_MUST_CHECK int mm_shm_detach(struct mm *mm, uint64_t addr,
				struct fw_frame **first);

/* True if no VMA overlaps [start, start+len). */
bool mm_range_free(struct mm *mm, uint64_t start, uint64_t len);
/* A free range of len bytes in the mmap area (top-down): 0 or -ENOMEM. */
FW_MUST_CHECK int mm_find_free(struct mm *mm, uint64_t len, uint64_t *out);
/* Set the start of the heap (and the break) after the program. */
void mm_set_brk(struct mm *mm, uint64_t brk_start);

#endif
