/* services/exec/load.c: map an ELF program and its interpreter into a new
 * address space.
 *
 * Layer: services (safe C). Headers are read with vfs_read_at and checked
 * by elf.c; each PT_LOAD becomes a private file VMA over the pages that
 * hold file data (demand-paged from the file's page cache by mm_fault,
 * the page holding the end of the data zero-filled past it) and an
 * anonymous VMA for the rest of its bss, as Linux's elf_map + set_brk do.
 * Nothing is copied up front: a large binary costs only the pages it
 * touches. ET_DYN programs (static-pie) load at MM_ELF_DYN_BASE, the
 * interpreter at MM_INTERP_BASE (or wherever mmap would put it, if that is
 * taken): no randomization yet. */
#include <fw/errno.h>
#include <fw/heap.h>

#include "exec/elf.h"
#include "exec/exec.h"
#include "fs/vfs/vfs.h"
#include "mm/mm.h"
#include "mm/uapi.h"

static int read_headers(struct file *f, struct elf_info *ei)
{
	uint8_t hdr[ELF_EHDR_SIZE];
	struct fw_buf tab;
	uint64_t size;
	long n;
	int err;

	err = vfs_file_size(f, &size);
	if (err)
		return err;
	n = vfs_read_at(f, 0, FW_BUF_OF_ARRAY(hdr));
	if (n < 0)
		return (int)n;
	if ((size_t)n < sizeof(hdr))
		return -ENOEXEC;
	err = elf_parse_ehdr(FW_BYTES_OF_ARRAY(hdr), size, ei);
	if (err)
		return err;
	err = fw_buf_alloc(elf_phdrs_size(ei), &tab);
	if (err)
		return err;
	n = vfs_read_at(f, ei->phoff, tab);
	if (n >= 0 && (uint64_t)n != elf_phdrs_size(ei))
		n = -EIO;
	err = n < 0 ? (int)n : elf_parse_phdrs(fw_buf_as_bytes(tab), ei);
	fw_buf_free(&tab);
	return err;
}

static unsigned seg_prot(uint32_t pf)
{
	return (pf & PF_R ? PROT_READ : 0) | (pf & PF_W ? PROT_WRITE : 0) |
	       (pf & PF_X ? PROT_EXEC : 0);
}

/* The load bias for ei at preferred base (ET_DYN), checked to fit. */
static int choose_bias(struct mm *mm, const struct elf_info *ei,
		       uint64_t base, uint64_t *bias)
{
	uint64_t span, at;

	if (ei->type == ET_EXEC) {
		*bias = 0;
		return 0;
	}
	if (!mm_page_up(ei->hi - ei->lo, &span) || span > MM_TASK_SIZE)
		return -EINVAL;
	at = base;
	if (!mm_range_free(mm, at, span) && mm_find_free(mm, span, &at))
		return -ENOMEM;
	*bias = at - ei->lo;
	return 0;
}

static int map_segments(struct mm *mm, struct file *f,
			const struct elf_info *ei, uint64_t bias)
{
	for (unsigned i = 0; i < ei->nph; i++) {
		const struct elf_phdr *p = &ei->ph[i];
		uint64_t start, file_end, mem_end, fpage, mpage;
		unsigned prot = seg_prot(p->flags);
		int err;

		if (p->type != PT_LOAD || !p->memsz)
			continue;
		start = mm_page_down(p->vaddr + bias);
		file_end = p->vaddr + bias + p->filesz;
		mem_end = p->vaddr + bias + p->memsz;
		if (mem_end > MM_TASK_SIZE || mem_end < start)
			return -EINVAL;
		fpage = start;
		if (p->filesz) {
			/* Bytes past the data read as zero if the segment
			 * has bss (Linux's padzero). */
			uint64_t limit = p->memsz > p->filesz ?
						 p->offset + p->filesz :
						 ~0ull;

			if (!mm_page_up(file_end, &fpage))
				return -EINVAL;
			err = mm_map_fixed(mm, start, fpage - start, prot, 0,
					   f, mm_page_down(p->offset), limit,
					   VMA_NAME_NONE);
			if (err)
				return err;
		}
		if (!mm_page_up(mem_end, &mpage))
			return -EINVAL;
		if (mpage > fpage) {
			err = mm_map_fixed(mm, fpage, mpage - fpage, prot, 0,
					   NULL, 0, 0, VMA_NAME_NONE);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Load the interpreter named by the program's PT_INTERP. */
static int load_interp(struct mm *mm, struct fs_context *fs, struct file *f,
		       const struct elf_phdr *ip, struct exec_image *img)
{
	struct kpath *path = kpath_alloc();
	struct elf_info *ei = FW_NEW(struct elf_info);
	struct file *interp = NULL;
	struct fw_buf raw = { 0 };
	uint64_t bias, isize;
	long n;
	int err = -ENOMEM;

	if (!path || !ei)
		goto out;
	err = fw_buf_alloc(ip->filesz, &raw);
	if (err)
		goto out;
	n = vfs_read_at(f, ip->offset, raw);
	err = n < 0 ? (int)n : ((uint64_t)n != ip->filesz ? -EIO : 0);
	if (!err)
		err = elf_interp_path(fw_buf_as_bytes(raw),
				      FW_BUF_OF_ARRAY(path->s));
	if (err)
		goto out;
	err = vfs_open_exec(fs, path, &interp);
	if (err)
		goto out;
	/* Linux binfmt_elf reads the interpreter's ELF header in one piece
	 * (-EIO when the file is shorter) and calls an interpreter it cannot
	 * load a bad shared library (-ELIBBAD), where the program itself
	 * would be -ENOEXEC. */
	err = vfs_file_size(interp, &isize);
	if (!err && isize < ELF_EHDR_SIZE)
		err = -EIO;
	if (!err)
		err = read_headers(interp, ei);
	if (err == -ENOEXEC)
		err = -ELIBBAD;
	if (!err)
		err = choose_bias(mm, ei, MM_INTERP_BASE, &bias);
	if (!err)
		err = map_segments(mm, interp, ei, bias);
	if (!err && ei->entry + bias >= MM_TASK_SIZE)
		err = -EINVAL;
	if (err)
		goto out;
	img->base = ei->type == ET_DYN ? bias + ei->lo : 0;
	img->entry = ei->entry + bias;
out:
	if (interp)
		file_put(interp);
	if (fw_buf_len(raw))
		fw_buf_free(&raw);
	fw_free(ei);
	kpath_free(path);
	return err;
}

int exec_load(struct mm *mm, struct fs_context *fs, struct file *f,
	      struct exec_image *img)
{
	struct elf_info *ei = FW_NEW(struct elf_info);
	uint64_t bias, brk;
	int err;

	if (!ei)
		return -ENOMEM;
	err = read_headers(f, ei);
	if (!err)
		err = choose_bias(mm, ei, MM_ELF_DYN_BASE, &bias);
	if (!err)
		err = map_segments(mm, f, ei, bias);
	if (err)
		goto out;
	if (ei->entry + bias >= MM_TASK_SIZE || !mm_page_up(ei->hi + bias, &brk)) {
		err = -EINVAL;
		goto out;
	}
	img->prog_entry = ei->entry + bias;
	img->entry = img->prog_entry;
	img->phdr = ei->phdr_vaddr ? ei->phdr_vaddr + bias : 0;
	img->phnum = ei->nph;
	img->base = 0;
	img->brk = brk;
	img->exec_stack = ei->exec_stack;
	mm_set_brk(mm, brk);
	if (ei->interp >= 0)
		err = load_interp(mm, fs, f, &ei->ph[ei->interp], img);
out:
	fw_free(ei);
	return err;
}
