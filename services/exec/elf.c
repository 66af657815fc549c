/* services/exec/elf.c: ELF64 header and program-header validation.
 *
 * Layer: services (safe C), pure logic over fw_bytes views; see elf.h for
 * which errors Linux gives and where this is stricter. */
#include <fw/errno.h>

#include "elf.h"

int elf_parse_ehdr(struct fw_bytes hdr, uint64_t file_size,
		   struct elf_info *ei)
{
	uint8_t m0, m1, m2, m3, cls, data;
	uint16_t type, machine, phentsize, phnum;
	uint64_t entry, phoff;

	if (fw_bytes_len(hdr) < ELF_EHDR_SIZE || file_size < ELF_EHDR_SIZE)
		return -ENOEXEC;
	if (fw_bytes_get_u8(hdr, 0, &m0) || fw_bytes_get_u8(hdr, 1, &m1) ||
	    fw_bytes_get_u8(hdr, 2, &m2) || fw_bytes_get_u8(hdr, 3, &m3) ||
	    fw_bytes_get_u8(hdr, EI_CLASS, &cls) ||
	    fw_bytes_get_u8(hdr, EI_DATA, &data) ||
	    fw_bytes_get_u16_le(hdr, 16, &type) ||
	    fw_bytes_get_u16_le(hdr, 18, &machine) ||
	    fw_bytes_get_u64_le(hdr, 24, &entry) ||
	    fw_bytes_get_u64_le(hdr, 32, &phoff) ||
	    fw_bytes_get_u16_le(hdr, 54, &phentsize) ||
	    fw_bytes_get_u16_le(hdr, 56, &phnum))
		return -ENOEXEC;
	if (m0 != 0x7f || m1 != 'E' || m2 != 'L' || m3 != 'F')
		return -ENOEXEC;
	if (cls != ELFCLASS64 || data != ELFDATA2LSB || machine != EM_X86_64)
		return -ENOEXEC;
	if (type != ET_EXEC && type != ET_DYN)
		return -ENOEXEC;
	if (phentsize != ELF_PHDR_SIZE || phnum < 1 || phnum > ELF_MAX_PHNUM)
		return -ENOEXEC;
	/* The table must lie inside the file (Linux: a short read). */
	if (phoff > file_size ||
	    (uint64_t)phnum * ELF_PHDR_SIZE > file_size - phoff)
		return -ENOEXEC;
	ei->type = type;
	ei->entry = entry;
	ei->phoff = phoff;
	ei->phnum = phnum;
	ei->file_size = file_size;
	return 0;
}

/* A PT_LOAD must be mappable: filesz <= memsz, offset and vaddr congruent
 * modulo the page size, in user space without wrapping. Linux binfmt_elf
 * says -EINVAL for these. For ET_DYN the bias is added later; the span is
 * checked against user space then (load.c) and here as if unbiased. */
static int check_load(const struct elf_phdr *p, uint64_t file_size)
{
	if (p->filesz > p->memsz)
		return -EINVAL;
	if ((p->offset & (ELF_PAGE_SIZE - 1)) != (p->vaddr & (ELF_PAGE_SIZE - 1)))
		return -EINVAL;
	if (p->vaddr >= ELF_USER_TOP || p->memsz > ELF_USER_TOP - p->vaddr)
		return -EINVAL;
	if (p->offset > file_size || p->filesz > file_size - p->offset)
		return -EINVAL;
	return 0;
}

int elf_parse_phdrs(struct fw_bytes tab, struct elf_info *ei)
{
	struct fw_reader r;
	uint64_t prev_end = 0;
	bool any_load = false, saw_stack = false;
	int err;

	if (fw_bytes_len(tab) != elf_phdrs_size(ei) || ei->phnum > ELF_MAX_PHNUM)
		return -ENOEXEC;
	ei->nph = 0;
	ei->interp = -1;
	ei->exec_stack = false;
	ei->lo = 0;
	ei->hi = 0;
	ei->phdr_vaddr = 0;
	fw_reader_init(&r, tab);
	for (unsigned i = 0; i < ei->phnum; i++) {
		struct elf_phdr *p = &ei->ph[i];

		if (fw_reader_u32_le(&r, &p->type) ||
		    fw_reader_u32_le(&r, &p->flags) ||
		    fw_reader_u64_le(&r, &p->offset) ||
		    fw_reader_u64_le(&r, &p->vaddr) ||
		    fw_reader_skip(&r, 8) || /* p_paddr */
		    fw_reader_u64_le(&r, &p->filesz) ||
		    fw_reader_u64_le(&r, &p->memsz) ||
		    fw_reader_u64_le(&r, &p->align))
			return -ENOEXEC;
		ei->nph++;
		switch (p->type) {
		case PT_LOAD:
			err = check_load(p, ei->file_size);
			if (err)
				return err;
			if (p->memsz == 0)
				break;
			/* Sorted by vaddr, not overlapping (gABI 5). */
			if (any_load && p->vaddr < prev_end)
				return -ENOEXEC;
			if (!any_load)
				ei->lo = p->vaddr & ~(ELF_PAGE_SIZE - 1);
			any_load = true;
			prev_end = p->vaddr + p->memsz;
			ei->hi = prev_end;
			break;
		case PT_INTERP:
			if (ei->interp >= 0)
				return -ENOEXEC;
			if (p->filesz < 2 || p->filesz > ELF_INTERP_MAX ||
			    p->offset > ei->file_size ||
			    p->filesz > ei->file_size - p->offset)
				return -ENOEXEC;
			ei->interp = (int)i;
			break;
		case PT_GNU_STACK:
			saw_stack = true;
			ei->exec_stack = p->flags & PF_X;
			break;
		default:
			break;
		}
	}
	if (!any_load)
		return -ENOEXEC;
	/* Without PT_GNU_STACK, Linux x86-64 gives an executable stack. */
	if (!saw_stack)
		ei->exec_stack = true;
	/* AT_PHDR: PT_PHDR if there is one, else the load covering e_phoff. */
	for (unsigned i = 0; i < ei->nph; i++) {
		const struct elf_phdr *p = &ei->ph[i];

		if (p->type == PT_PHDR) {
			ei->phdr_vaddr = p->vaddr;
			break;
		}
		if (p->type == PT_LOAD && !ei->phdr_vaddr &&
		    p->offset <= ei->phoff &&
		    ei->phoff - p->offset < p->filesz)
			ei->phdr_vaddr = p->vaddr + (ei->phoff - p->offset);
	}
	return 0;
}

static int elf_interp_check(struct fw_bytes seg, size_t max);

int elf_parse(struct fw_bytes image, struct elf_info *ei)
{
	struct fw_bytes tab, seg;
	int err;

	err = elf_parse_ehdr(image, fw_bytes_len(image), ei);
	if (err)
		return err;
	if (fw_bytes_sub(image, ei->phoff, elf_phdrs_size(ei), &tab))
		return -ENOEXEC;
	err = elf_parse_phdrs(tab, ei);
	if (err || ei->interp < 0)
		return err;
	if (fw_bytes_sub(image, ei->ph[ei->interp].offset,
			 ei->ph[ei->interp].filesz, &seg))
		return -ENOEXEC;
	return elf_interp_check(seg, ELF_INTERP_MAX);
}

/* The PT_INTERP segment holds a NUL-terminated, non-empty path of at most
 * max bytes (checked in place: a PATH_MAX copy on the stack would be a
 * 4 KiB frame). */
static int elf_interp_check(struct fw_bytes seg, size_t max)
{
	size_t n = fw_bytes_len(seg);
	uint8_t first, last;

	if (n < 2 || n > max)
		return -ENOEXEC;
	if (fw_bytes_get_u8(seg, n - 1, &last) || last != 0)
		return -ENOEXEC;
	if (fw_bytes_get_u8(seg, 0, &first) || first == 0)
		return -ENOEXEC;
	return 0;
}

int elf_interp_path(struct fw_bytes seg, struct fw_buf out)
{
	long len;
	int err = elf_interp_check(seg, fw_buf_len(out));

	if (err)
		return err;
	/* The path ends at the first NUL (as Linux's open would see it). */
	len = fw_bytes_cstr(seg, 0, out);
	if (len <= 0)
		return -ENOEXEC;
	return 0;
}
