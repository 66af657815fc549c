/* services/exec/elf.h: ELF64 x86-64 executable parsing and validation.
 *
 * Layer: services (safe C), pure logic: everything is read from byte views
 * with the fw/bytes.h accessors, nothing is mapped here (load.c does that),
 * so this builds and is tested on the host (tests/unit/elf_test.c).
 * Constants are from the System V gABI and <elf.h>.
 *
 * Errors follow Linux's binfmt_elf where it has an opinion: -ENOEXEC for
 * "not an ELF executable for this machine" (wrong magic, class, data,
 * machine, type, phentsize, phnum, a program-header table outside the
 * file, a malformed PT_INTERP), -EINVAL for a segment that could never be
 * mapped (file size above memory size, offset and address not congruent
 * modulo the page size, reaching into kernel space or wrapping around).
 * Stricter than Linux: unsorted or overlapping PT_LOADs and several
 * PT_INTERPs are refused (-ENOEXEC); no toolchain makes them. */
#ifndef SERVICES_EXEC_ELF_H
#define SERVICES_EXEC_ELF_H

#include <fw/bytes.h>
#include <fw/compiler.h>

#define ELF_EHDR_SIZE 64
#define ELF_PHDR_SIZE 56
#define ELF_MAX_PHNUM 128   /* Linux allows 64 KiB of headers; real
			     * programs have about a dozen */
#define ELF_PAGE_SIZE 4096ull
#define ELF_USER_TOP 0x00007ffffffff000ull /* TASK_SIZE */
#define ELF_INTERP_MAX 4096 /* PATH_MAX, as Linux */

/* e_ident */
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELFCLASS64 2
#define ELFDATA2LSB 1
/* e_type */
#define ET_EXEC 2
#define ET_DYN 3
/* e_machine */
#define EM_X86_64 62
/* p_type */
#define PT_NULL 0
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_NOTE 4
#define PT_PHDR 6
#define PT_TLS 7
#define PT_GNU_STACK 0x6474e551
/* p_flags */
#define PF_X 1
#define PF_W 2
#define PF_R 4

struct elf_phdr {
	uint32_t type;   /* PT_* */
	uint32_t flags;  /* PF_* */
	uint64_t offset; /* file offset */
	uint64_t vaddr;  /* virtual address (before the load bias) */
	uint64_t filesz; /* bytes from the file */
	uint64_t memsz;  /* bytes in memory (the rest is zero: bss) */
	uint64_t align;
};

struct elf_info {
	uint16_t type;        /* ET_EXEC or ET_DYN */
	uint64_t entry;       /* e_entry (before the load bias) */
	uint64_t phoff;       /* e_phoff */
	uint16_t phnum;       /* e_phnum */
	uint64_t file_size;   /* size of the file parsed */
	unsigned nph;         /* program headers read (== phnum) */
	struct elf_phdr ph[ELF_MAX_PHNUM];
	int interp;           /* index of PT_INTERP in ph[], or -1 */
	bool exec_stack;      /* PT_GNU_STACK with PF_X (or no PT_GNU_STACK) */
	uint64_t lo;          /* lowest PT_LOAD page (page-aligned vaddr) */
	uint64_t hi;          /* end of the highest PT_LOAD (vaddr + memsz) */
	uint64_t phdr_vaddr;  /* where the headers are in memory (before the
			       * bias), 0 if no PT_LOAD covers them */
};

/* Check the ELF header (the first 64 bytes or more of the file) and fill
 * type, entry, phoff, phnum, file_size. 0 or -ENOEXEC. */
FW_MUST_CHECK int elf_parse_ehdr(struct fw_bytes hdr, uint64_t file_size,
				 struct elf_info *ei);
/* The bytes of the program-header table: phnum * 56 at phoff. */
static inline uint64_t elf_phdrs_size(const struct elf_info *ei)
{
	return (uint64_t)ei->phnum * ELF_PHDR_SIZE;
}
/* Parse and check the program-header table (exactly elf_phdrs_size bytes
 * read from phoff). 0, -ENOEXEC or -EINVAL (see above). */
FW_MUST_CHECK int elf_parse_phdrs(struct fw_bytes tab, struct elf_info *ei);
/* Both, and the PT_INTERP string check, over a whole file image (host
 * tests; uses 4 KiB of stack, so not for the kernel). */
FW_MUST_CHECK int elf_parse(struct fw_bytes image, struct elf_info *ei);
/* Copy the PT_INTERP contents seg (exactly p_filesz bytes) into out as a
 * C string. As Linux, the last byte must be a NUL; the path is what comes
 * before the first NUL. 0, or -ENOEXEC (no NUL at the end, empty path,
 * longer than out). */
FW_MUST_CHECK int elf_interp_path(struct fw_bytes seg, struct fw_buf out);

#endif
