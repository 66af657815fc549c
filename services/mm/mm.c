/* services/mm/mm.c: address spaces: lifetime, fork, page faults, the
 * helpers the ELF loader and the syscalls share, /proc/<pid>/maps.
 *
 * Layer: services (safe C) on fw/vmspace.h and fw/frame.h. The policy is
 * described in mm.h; the VMA arithmetic is in vma.c. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/string.h>

#include "fs/vfs/vfs.h"
#include "lib/kpath.h"
#include "mm/mm.h"
#include "mm/mm_internal.h"
#include "mm/uapi.h"
#include "current/current.h" /* current_mm, current_rlimit */

/* Zeros for clearing the part of a page past a file's data. */
static const uint8_t mm_zeros[FW_PAGE_SIZE];

void vma_file_ref(struct vma *v)
{
	file_get(v->file);
	mapping_add(v);
}

void vma_file_unref(struct vma *v)
{
	mapping_del(v);
	file_put(v->file);
}

unsigned mm_fw_prot(unsigned prot)
{
	unsigned p = 0;

	if (!(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return 0;
	/* x86 cannot express write-only or exec-only pages: both read. */
	p = FW_PROT_READ;
	if (prot & PROT_WRITE)
		p |= FW_PROT_WRITE;
	if (prot & PROT_EXEC)
		p |= FW_PROT_EXEC;
	return p;
}

int mm_create(struct mm **out)
{
	struct mm *mm = FW_NEW(struct mm);
	int err;

	if (!mm)
		return -ENOMEM;
	err = fw_vmspace_create(&mm->vs);
	if (err) {
		fw_free(mm);
		return err;
	}
	atomic_init(&mm->refs, 1);
	fw_mutex_init(&mm->lock, "mm");
	vma_list_init(&mm->vmas);
	mm->mmap_base = MM_MMAP_BASE;
	*out = mm;
	return 0;
}

void mm_get(struct mm *mm)
{
	atomic_fetch_add(&mm->refs, 1);
}

void mm_put(struct mm *mm)
{
	struct vma *v;

	if (!mm || atomic_fetch_sub(&mm->refs, 1) != 1)
		return;
	/* Destroying the vmspace drops every frame reference its mappings
	 * hold; then the VMAs drop their file references. */
	fw_vmspace_destroy(mm->vs);
	while ((v = vma_first(&mm->vmas))) {
		vma_unlink(&mm->vmas, v);
		vma_free(v);
	}
	fw_free(mm);
}

/* Map fr at va with fw prot p; p == 0 (PROT_NONE) is made by mapping
 * readable and then removing all access, if the framework allows it. */
int mm_map_page(struct mm *mm, uint64_t va, struct fw_frame *fr, unsigned p)
{
	int err;

	if (p)
		return fw_vmspace_map(mm->vs, va, fr, p);
	err = fw_vmspace_map(mm->vs, va, fr, FW_PROT_READ);
	if (err)
		return err;
	return mm_protect_page(mm, va, 0);
}

/* Change a mapped page's permissions. PROT_NONE needs a "present but no
 * access" page-table entry; if the framework refuses prot 0 the page is
 * unmapped instead, which loses its contents (logged once). */
int mm_protect_page(struct mm *mm, uint64_t va, unsigned p)
{
	static bool warned;
	int err = fw_vmspace_protect(mm->vs, va, p);

	if (err != -EINVAL || p != 0)
		return err;
	if (!warned) {
		warned = true;
		fw_warn("mm: PROT_NONE pages unsupported by vmspace; dropping contents");
	}
	return fw_vmspace_unmap(mm->vs, va);
}

void mm_unmap_pages(struct mm *mm, uint64_t start, uint64_t end)
{
	int err = fw_vmspace_unmap_range(mm->vs, start, end);

	if (err)
		fw_warn("mm: unmap %lx-%lx failed: %d", start, end, err);
}

/* The PTE permissions for a page of v mapped with frame fr: the VMA's,
 * minus write for a private page whose frame someone else also holds. */
unsigned mm_pte_prot(const struct vma *v, const struct fw_frame *fr)
{
	unsigned p = mm_fw_prot(v->prot);

	if (!(v->flags & VMA_SHARED) && (p & FW_PROT_WRITE) &&
	    fw_frame_refcount(fr) > 1)
		p &= ~(unsigned)FW_PROT_WRITE;
	/* A private page of a file mapping is always a copy only if it was
	 * written; a page-cache frame is never writable in a private VMA. */
	return p;
}

void mm_reprotect_pages(struct mm *mm, const struct vma *v)
{
	uint64_t va = v->start;
	uint64_t found;

	while (va < v->end &&
	       fw_vmspace_next_mapped(mm->vs, va, v->end, &found) == 0) {
		struct fw_frame *fr;
		unsigned cur;

		if (fw_vmspace_query(mm->vs, found, &fr, &cur) == 0) {
			int err = mm_protect_page(mm, found, mm_pte_prot(v, fr));

			if (err)
				fw_warn("mm: protect %lx: %d", found, err);
		}
		va = found + FW_PAGE_SIZE;
	}
}

int mm_unmap_range(struct mm *mm, uint64_t start, uint64_t end)
{
	int err = vma_isolate(&mm->vmas, start, end);

	if (err)
		return err;
	mm_unmap_pages(mm, start, end);
	vma_remove_range(&mm->vmas, start, end);
	return 0;
}

int mm_insert_vma(struct mm *mm, uint64_t start, uint64_t len, unsigned prot,
		  unsigned flags, struct file *f, uint64_t pgoff,
		  uint64_t file_limit, enum vma_name name, struct vma **out)
{
	struct vma *v = vma_alloc();
	int err;

	if (!v)
		return -ENOMEM;
	v->start = start;
	v->end = start + len;
	v->prot = prot;
	v->flags = flags;
	v->pgoff = f ? pgoff : 0;
	v->file_limit = f ? file_limit : ~0ull;
	v->name = name;
	v->mm = mm;
	err = vma_insert(&mm->vmas, v);
	if (err) {
		vma_free(v);
		return err;
	}
	if (f) {
		v->file = f;
		vma_file_ref(v);
	}
	if (!(flags & VMA_SHARED) || f)
		v = vma_merge_around(&mm->vmas, v);
	if (out)
		*out = v;
	return 0;
}

int mm_map_fixed(struct mm *mm, uint64_t start, uint64_t len, unsigned prot,
		 unsigned vma_flags, struct file *f, uint64_t pgoff,
		 uint64_t file_limit, enum vma_name name)
{
	int err;

	if (!len || !mm_page_aligned(start) || !mm_page_aligned(len) ||
	    !mm_page_aligned(pgoff) || start >= MM_TASK_SIZE ||
	    len > MM_TASK_SIZE - start)
		return -EINVAL;
	fw_mutex_lock(&mm->lock);
	err = mm_unmap_range(mm, start, start + len);
	if (!err)
		err = mm_insert_vma(mm, start, len, prot, vma_flags, f, pgoff,
				    file_limit, name, NULL);
	fw_mutex_unlock(&mm->lock);
	return err;
}

int mm_install_frame(struct mm *mm, uint64_t va, struct fw_frame *fr)
{
	struct vma *v;
	int err = -EFAULT;

	fw_mutex_lock(&mm->lock);
	v = vma_find(&mm->vmas, va);
	if (v && mm_page_aligned(va))
		err = mm_map_page(mm, va, fr, mm_fw_prot(v->prot));
	fw_mutex_unlock(&mm->lock);
	return err;
}

bool mm_range_free(struct mm *mm, uint64_t start, uint64_t len)
{
	bool ok;

	if (start >= MM_TASK_SIZE || len > MM_TASK_SIZE - start)
		return false;
	fw_mutex_lock(&mm->lock);
	ok = vma_range_free(&mm->vmas, start, start + len);
	fw_mutex_unlock(&mm->lock);
	return ok;
}

bool mm_may_expand(struct mm *mm, uint64_t more)
{
	uint64_t lim = current_rlimit(RLIMIT_AS);
	uint64_t total;

	if (lim == RLIM_INFINITY)
		return true;
	total = vma_bytes_in(&mm->vmas, 0, ~0ull);
	return total <= lim && more <= lim - total;
}

int mm_find_free_locked(struct mm *mm, uint64_t len, uint64_t *out)
{
	if (vma_find_free_topdown(&mm->vmas, len, MM_MMAP_MIN, mm->mmap_base,
				  out) == 0)
		return 0;
	/* Above mmap_base, but leave the stack its room to grow. */
	return vma_find_free_topdown(&mm->vmas, len, mm->mmap_base,
				     MM_STACK_TOP - MM_STACK_MAX -
					     (1ull << 20),
				     out);
}

int mm_find_free(struct mm *mm, uint64_t len, uint64_t *out)
{
	int err;

	fw_mutex_lock(&mm->lock);
	err = mm_find_free_locked(mm, len, out);
	fw_mutex_unlock(&mm->lock);
	return err;
}

void mm_set_brk(struct mm *mm, uint64_t brk_start)
{
	fw_mutex_lock(&mm->lock);
	mm->brk_start = brk_start;
	mm->brk = brk_start;
	fw_mutex_unlock(&mm->lock);
}

/* ---- fork ---------------------------------------------------------------- */

static int fork_vma(struct mm *parent, struct mm *child, const struct vma *pv)
{
	struct vma *cv = vma_alloc();
	int err;

	if (!cv)
		return -ENOMEM;
	cv->start = pv->start;
	cv->end = pv->end;
	cv->prot = pv->prot;
	cv->flags = pv->flags & ~VMA_LOCKED; /* locks are not inherited */
	cv->pgoff = pv->pgoff;
	cv->file_limit = pv->file_limit;
	cv->name = pv->name;
	cv->pol = pv->pol;
	cv->mm = child;
	err = vma_insert(&child->vmas, cv);
	if (err) {
		vma_free(cv);
		return err;
	}
	if (pv->file) {
		cv->file = pv->file;
		vma_file_ref(cv);
	}
	if (pv->flags & VMA_WIPEONFORK)
		return 0;
	/* A private page is shared copy-on-write: read-only on both sides
	 * until one writes. */
	return fw_vmspace_copy_range(parent->vs, child->vs, pv->start, pv->end,
				     !(pv->flags & VMA_SHARED));
}

int mm_fork(struct mm *parent, struct mm **child)
{
	struct mm *c;
	struct vma *v;
	int err;

	err = mm_create(&c);
	if (err)
		return err;
	fw_mutex_lock(&parent->lock);
	FW_LIST_FOR_EACH(v, &parent->vmas.head, node) {
		if (v->flags & VMA_DONTCOPY)
			continue;
		err = fork_vma(parent, c, v);
		if (err)
			break;
	}
	c->brk_start = parent->brk_start;
	c->brk = parent->brk;
	c->mmap_base = parent->mmap_base;
	c->arg_start = parent->arg_start;
	c->arg_end = parent->arg_end;
	c->env_start = parent->env_start;
	c->env_end = parent->env_end;
	c->start_stack = parent->start_stack;
	for (unsigned i = 0; i < parent->auxv_words; i++)
		c->saved_auxv[i] = parent->saved_auxv[i];
	c->auxv_words = parent->auxv_words;
	fw_mutex_unlock(&parent->lock);
	if (err) {
		mm_put(c);
		return err;
	}
	*child = c;
	return 0;
}

/* ---- page faults --------------------------------------------------------- */

/* A file page fetched with mm->lock dropped (see mm.h, Locking). */
struct fault_file_req {
	struct file *file;      /* referenced, or NULL */
	uint64_t off;           /* page-aligned file offset */
	struct fw_frame *frame; /* the file's frame (referenced), or NULL */
	bool mapwrite;          /* fetched to be mapped shared and writable */
};

static void req_clear(struct fault_file_req *r)
{
	if (r->frame)
		fw_frame_put(r->frame);
	if (r->file)
		file_put(r->file);
	r->frame = NULL;
	r->file = NULL;
}

/* Ask mm_fault to fetch page off of v's file with mm->lock dropped and
 * come back: -EAGAIN. */
static int req_fetch(struct fault_file_req *r, const struct vma *v,
		     uint64_t off, bool mapwrite)
{
	req_clear(r);
	file_get(v->file);
	r->file = v->file;
	r->off = off;
	r->mapwrite = mapwrite;
	return -EAGAIN;
}

/* Extend a grows-down VMA (the stack) down to cover addr, if allowed. */
static struct vma *grow_stack(struct mm *mm, uint64_t addr)
{
	struct vma *v = vma_find_from(&mm->vmas, addr);
	struct vma *prev;
	uint64_t page = mm_page_down(addr);

	if (!v || !(v->flags & VMA_GROWSDOWN) || v->start <= addr)
		return NULL;
	if (v->end - page > MM_STACK_MAX)
		return NULL;
	prev = vma_prev(&mm->vmas, v);
	if (prev && prev->end > page)
		return NULL;
	if (!mm_may_expand(mm, v->start - page))
		return NULL;
	vma_set_range(&mm->vmas, v, page, v->end);
	return v;
}

static int map_new_frame(struct mm *mm, uint64_t page, struct fw_frame *fr,
			 unsigned p)
{
	int err = mm_map_page(mm, page, fr, p);

	fw_frame_put(fr);
	return err;
}

/* A private copy of file data: the frame's bytes, zeroed from byte `keep`
 * on (the bss part of the last file page). */
static int private_copy(const struct fw_frame *src, size_t keep,
			struct fw_frame **out)
{
	struct fw_frame *fr;
	int err = fw_frame_alloc(0, &fr);

	if (err)
		return err;
	fw_frame_copy(fr, src);
	if (keep < FW_PAGE_SIZE) {
		struct fw_bytes z;

		err = fw_bytes_sub(FW_BYTES_OF_ARRAY(mm_zeros), 0,
				   FW_PAGE_SIZE - keep, &z);
		if (!err)
			err = fw_frame_write(fr, keep, z);
		if (err) {
			fw_frame_put(fr);
			return err;
		}
	}
	*out = fr;
	return 0;
}

static int fault_file(struct mm *mm, struct vma *v, uint64_t page, bool write,
		      struct fault_file_req *req)
{
	uint64_t off = v->pgoff + (page - v->start);
	struct fw_frame *fr;
	unsigned p = mm_fw_prot(v->prot);
	bool shared_write;
	int err;

	if (off >= v->file_limit) {
		/* All bss: plain zero memory. */
		err = fw_frame_alloc(FW_FRAME_ZERO, &fr);
		return err ? err : map_new_frame(mm, page, fr, p);
	}
	/* A disk file's shared page is fetched for writing only by a write
	 * (it is mapped read-only otherwise, and shared_mkwrite upgrades
	 * it); tmpfs pages are mapped writable at once. */
	shared_write = (v->flags & VMA_SHARED) && (p & FW_PROT_WRITE) &&
		       (write || !vfs_file_tracks_writes(v->file));
	if (req->file != v->file || req->off != off || !req->frame ||
	    (shared_write && !req->mapwrite)) {
		/* A page to be written through a shared mapping is marked
		 * for write-back by the fetch. */
		return req_fetch(req, v, off, shared_write);
	}
	/* A truncation or the reclaimer may have dropped the page since it
	 * was fetched: mapping it would tie this process to a frame that is
	 * no longer the file's. */
	if (!vfs_file_page_current(v->file, off / FW_PAGE_SIZE, req->frame)) {
		fw_frame_put(req->frame); /* fetch it again: file and offset stay */
		req->frame = NULL;
		return -EAGAIN;
	}
	if (v->file_limit - off < FW_PAGE_SIZE) {
		err = private_copy(req->frame, v->file_limit - off, &fr);
		return err ? err : map_new_frame(mm, page, fr, p);
	}
	if (v->flags & VMA_SHARED)
		return mm_map_page(mm, page, req->frame,
				   shared_write ? p : p & ~(unsigned)FW_PROT_WRITE);
	if (write && (p & FW_PROT_WRITE)) {
		err = private_copy(req->frame, FW_PAGE_SIZE, &fr);
		return err ? err : map_new_frame(mm, page, fr, p);
	}
	/* Read of a private page: share the page-cache frame read-only. */
	return mm_map_page(mm, page, req->frame, p & ~(unsigned)FW_PROT_WRITE);
}

/* Linux's fault-around: a read fault on a file mapping also maps the
 * neighbours in its aligned 64 KiB window that the page cache holds
 * already, read-only, so a program reading a cached file through a
 * mapping takes one fault per 16 pages (a write to one of them later
 * copies it, or in a shared mapping fetches it for writing). */
#define FAULT_AROUND_PAGES 16u

static void fault_around(struct mm *mm, const struct vma *v, uint64_t page)
{
	uint64_t win = FAULT_AROUND_PAGES * FW_PAGE_SIZE;
	uint64_t lo = page - page % win, hi = lo + win;
	unsigned p = mm_fw_prot(v->prot) & ~(unsigned)FW_PROT_WRITE;

	if (lo < v->start)
		lo = v->start;
	if (hi > v->end)
		hi = v->end;
	for (uint64_t va = lo; va < hi; va += FW_PAGE_SIZE) {
		uint64_t off = v->pgoff + (va - v->start);
		struct fw_frame *fr;

		if (va == page || off >= v->file_limit ||
		    v->file_limit - off < FW_PAGE_SIZE ||
		    fw_vmspace_query(mm->vs, va, NULL, NULL) == 0 ||
		    vfs_file_page_peek(v->file, off / FW_PAGE_SIZE, &fr))
			continue;
		if (mm_map_page(mm, va, fr, p))
			va = hi; /* no memory for page tables: stop here */
		fw_frame_put(fr);
	}
}

/* A write to a read-only page of a shared writable file mapping: a disk
 * file's page is fetched for writing first (with mm->lock dropped, as
 * fault_file fetches), which marks it for write-back, then made
 * writable. */
static int shared_mkwrite(struct mm *mm, struct vma *v, uint64_t page,
			  struct fw_frame *fr, struct fault_file_req *req)
{
	uint64_t off = v->pgoff + (page - v->start);
	unsigned p = mm_fw_prot(v->prot);

	if (!vfs_file_tracks_writes(v->file))
		return mm_protect_page(mm, page, p);
	if (req->file == v->file && req->off == off && req->mapwrite &&
	    req->frame) {
		if (req->frame == fr)
			return mm_protect_page(mm, page, p);
		/* The mapped frame is not the cache's page any more: map
		 * the cache's instead (the next round finds it absent). */
		mm_unmap_pages(mm, page, page + FW_PAGE_SIZE);
		return fault_file(mm, v, page, true, req);
	}
	return req_fetch(req, v, off, true);
}

static int cow_break(struct mm *mm, const struct vma *v, uint64_t page,
		     struct fw_frame *old)
{
	struct fw_frame *fr;
	unsigned p = mm_fw_prot(v->prot);
	int err;

	if (v->flags & VMA_SHARED || fw_frame_refcount(old) == 1)
		return mm_protect_page(mm, page, p);
	err = fw_frame_alloc(0, &fr);
	if (err)
		return err;
	fw_frame_copy(fr, old);
	err = fw_vmspace_unmap(mm->vs, page);
	if (err) {
		fw_frame_put(fr);
		return err;
	}
	return map_new_frame(mm, page, fr, p);
}

static int fault_locked(struct mm *mm, uint64_t addr, bool write, bool exec,
			struct fault_file_req *req)
{
	uint64_t page = mm_page_down(addr);
	struct vma *v;
	struct fw_frame *fr;
	unsigned cur;
	int err;

	if (addr >= MM_TASK_SIZE)
		return -EFAULT;
	v = vma_find(&mm->vmas, addr);
	if (!v)
		v = grow_stack(mm, addr);
	if (!v)
		return -EFAULT;
	if ((write && !(v->prot & PROT_WRITE)) ||
	    (exec && !(v->prot & PROT_EXEC)) ||
	    !(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EFAULT;

	err = fw_vmspace_query(mm->vs, page, &fr, &cur);
	if (err == 0) {
		/* Present: a write to a read-only page of a writable VMA is
		 * copy-on-write; anything else was fixed meanwhile (another
		 * thread took the same fault). */
		if (write && !(cur & FW_PROT_WRITE))
			return (v->flags & VMA_SHARED) && v->file ?
				       shared_mkwrite(mm, v, page, fr, req) :
				       cow_break(mm, v, page, fr);
		/* A PTE behind its VMA's permissions (PROT_NONE page, exec
		 * added): bring it up to date, or the access faults forever. */
		if (!cur || (exec && !(cur & FW_PROT_EXEC)))
			return mm_protect_page(mm, page, mm_pte_prot(v, fr));
		return 0;
	}
	if (v->file) {
		err = fault_file(mm, v, page, write, req);
		if (!err && !write)
			fault_around(mm, v, page);
		return err;
	}
	/* Shared memory without a file is a SysV segment's attachment, all
	 * mapped when attached: a page missing is past the segment's end
	 * (an mremap grew it), SIGBUS as in Linux. */
	if (v->flags & VMA_SHARED)
		return -EIO;
	err = fw_frame_alloc(FW_FRAME_ZERO, &fr);
	if (err)
		return err;
	return map_new_frame(mm, page, fr, mm_fw_prot(v->prot));
}

int mm_fault(struct mm *mm, uint64_t addr, bool write, bool exec)
{
	struct fault_file_req req = { 0 };
	int err = -EFAULT;

	/* Each retry fetches the file page the VMA needs now; the VMA can
	 * only change under us a few times before we win the race. */
	for (int tries = 0; tries < 8; tries++) {
		fw_mutex_lock(&mm->lock);
		err = fault_locked(mm, addr, write, exec, &req);
		fw_mutex_unlock(&mm->lock);
		if (err != -EAGAIN)
			break;
		err = vfs_file_page(req.file, req.off / FW_PAGE_SIZE,
				    req.mapwrite, &req.frame);
		if (err) {
			req.frame = NULL;
			err = err == -ENOMEM ? -ENOMEM : -EIO;
			break;
		}
	}
	if (err == -EAGAIN)
		err = 0; /* let the access retry and fault again */
	req_clear(&req);
	if (err == -EEXIST)
		err = 0;
	return err;
}

int mm_fault_handler(struct fw_vmspace *vs, uint64_t va, bool write)
{
	struct mm *mm = current_mm();
	int err;

	if (!mm || mm->vs != vs)
		return -EFAULT;
	err = mm_fault(mm, va, write, false);
	return err == -ENOMEM ? -ENOMEM : (err ? -EFAULT : 0);
}

/* ---- /proc/<pid>/maps ---------------------------------------------------- */

/* One VMA, copied out under mm->lock so it can be formatted without it
 * (vfs_get_path takes the name-space lock). */
struct maps_entry {
	uint64_t start, end, pgoff;
	unsigned prot, flags;
	enum vma_name name;
	struct file *file; /* referenced, or NULL */
};

static bool maps_next(struct mm *mm, uint64_t from, struct maps_entry *e)
{
	struct vma *v;

	fw_mutex_lock(&mm->lock);
	v = vma_find_from(&mm->vmas, from);
	if (v) {
		e->start = v->start;
		e->end = v->end;
		e->pgoff = v->pgoff;
		e->prot = v->prot;
		e->flags = v->flags;
		e->name = v->name;
		e->file = v->file;
		if (e->file)
			file_get(e->file);
	}
	fw_mutex_unlock(&mm->lock);
	return v != NULL;
}

/* Append b to the output: what fits is written, all of it is counted. */
static void maps_emit(struct fw_writer *w, size_t *total, struct fw_bytes b)
{
	size_t n = fw_bytes_len(b);
	size_t room = fw_writer_remain(w);
	struct fw_bytes part;

	*total += n;
	if (fw_bytes_sub(b, 0, n < room ? n : room, &part) == 0 &&
	    fw_writer_bytes(w, part))
		return; /* cannot happen: part fits in room */
}

static void maps_emit_prefix(struct fw_writer *w, size_t *total,
			     struct fw_bytes b, size_t n)
{
	struct fw_bytes part;

	if (fw_bytes_sub(b, 0, n, &part) == 0)
		maps_emit(w, total, part);
}

int mm_format_maps(struct mm *mm, struct fw_buf out, size_t *len)
{
	struct kpath *path = kpath_alloc();
	struct maps_entry e;
	struct fw_writer w;
	uint64_t from = 0;
	size_t total = 0;

	if (!path)
		return -ENOMEM;
	fw_writer_init(&w, out);
	while (from < MM_TASK_SIZE && maps_next(mm, from, &e)) {
		char line[128];
		uint32_t dev = 0;
		uint64_t ino = 0;
		int n;

		if (e.file) {
			dev = e.file->path.inode->sb->dev;
			ino = e.file->path.inode->ino;
		}
		n = snprintf(line, sizeof(line),
			     "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu",
			     e.start, e.end, e.prot & PROT_READ ? 'r' : '-',
			     e.prot & PROT_WRITE ? 'w' : '-',
			     e.prot & PROT_EXEC ? 'x' : '-',
			     e.flags & VMA_SHARED ? 's' : 'p',
			     e.file ? e.pgoff : 0, (dev >> 8) & 0xfff, dev & 0xff,
			     ino);
		if (n < 0)
			n = 0;
		if ((size_t)n >= sizeof(line))
			n = sizeof(line) - 1;
		if (e.file || e.name != VMA_NAME_NONE) {
			/* Linux's seq_pad: pad to 72 columns, then a space,
			 * so names line up in column 73. */
			while (n < 73)
				line[n++] = ' ';
		}
		maps_emit_prefix(&w, &total, FW_BYTES_OF_ARRAY(line), (size_t)n);
		if (e.file) {
			if (vfs_get_path(e.file, path) == 0)
				maps_emit_prefix(&w, &total,
						 FW_BYTES_OF_ARRAY(path->s),
						 strlen(path->s));
			file_put(e.file);
		} else if (e.name == VMA_NAME_HEAP) {
			maps_emit(&w, &total, FW_BYTES_OF_LITERAL("[heap]"));
		} else if (e.name == VMA_NAME_STACK) {
			maps_emit(&w, &total, FW_BYTES_OF_LITERAL("[stack]"));
		}
		maps_emit(&w, &total, FW_BYTES_OF_LITERAL("\n"));
		from = e.end;
	}
	kpath_free(path);
	*len = total;
	return 0;
}

void mm_describe_addr(struct mm *mm, uint64_t addr, struct mm_addr_desc *out)
{
	char name[64] = "[anon]";
	struct maps_entry e;

	out->s[0] = '\0';
	if (!maps_next(mm, addr, &e))
		return;
	if (e.file) {
		struct kpath *path = kpath_alloc();

		if (path && vfs_get_path(e.file, path) == 0) {
			size_t base = 0, n = 0;

			for (size_t i = 0; path->s[i]; i++)
				if (path->s[i] == '/')
					base = i + 1;
			while (path->s[base] && n < sizeof(name) - 1)
				name[n++] = path->s[base++];
			name[n] = '\0';
		}
		if (path)
			kpath_free(path);
		file_put(e.file);
	} else if (e.name == VMA_NAME_HEAP) {
		snprintf(name, sizeof(name), "[heap]");
	} else if (e.name == VMA_NAME_STACK) {
		snprintf(name, sizeof(name), "[stack]");
	}
	if (e.start <= addr)
		snprintf(out->s, sizeof(out->s), " in %s[%lx+%lx]", name,
			 e.start, e.end - e.start);
}

bool mm_addr_in_vma(struct mm *mm, uint64_t addr)
{
	bool found;

	fw_mutex_lock(&mm->lock);
	found = vma_find(&mm->vmas, addr) != 0;
	fw_mutex_unlock(&mm->lock);
	return found;
}
