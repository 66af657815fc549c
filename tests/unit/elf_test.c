/* tests/unit/elf_test.c: ELF64 validation (services/exec/elf.c) and "#!"
 * line parsing (services/exec/shebang.c) against good and malformed
 * inputs.
 *
 * Layer: host unit test. Each image is built in a heap block of exactly
 * its size so ASan reports any read past the end of the "file".
 *
 * unit-sources: services/exec/elf.c services/exec/shebang.c framework/bytes/bytes.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fw/bytes.h>
#include <fw/errno.h>

#include "../../services/exec/elf.h"
#include "../../services/exec/shebang.h"
#include "harness.h"

#define IMG_MAX 0x3000

static uint8_t img[IMG_MAX];
static size_t img_len;

static void w16(size_t off, uint16_t v) { memcpy(img + off, &v, 2); }
static void w32(size_t off, uint32_t v) { memcpy(img + off, &v, 4); }
static void w64(size_t off, uint64_t v) { memcpy(img + off, &v, 8); }

static void ehdr(uint16_t type, uint16_t phnum)
{
	memset(img, 0, sizeof(img));
	memcpy(img, "\x7f" "ELF", 4);
	img[4] = 2;          /* ELFCLASS64 */
	img[5] = 1;          /* LSB */
	img[6] = 1;          /* EV_CURRENT */
	w16(16, type);
	w16(18, 62);         /* x86-64 */
	w32(20, 1);
	w64(24, 0x401000);   /* entry */
	w64(32, 64);         /* phoff */
	w16(52, 64);         /* ehsize */
	w16(54, 56);         /* phentsize */
	w16(56, phnum);
	img_len = 0x2000;
}

static void phdr(unsigned i, uint32_t type, uint32_t flags, uint64_t off,
		 uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	size_t b = 64 + 56 * i;

	w32(b, type);
	w32(b + 4, flags);
	w64(b + 8, off);
	w64(b + 16, vaddr);
	w64(b + 24, vaddr);
	w64(b + 32, filesz);
	w64(b + 40, memsz);
	w64(b + 48, 0x1000);
}

/* A typical static executable: text at 0x400000 (covering the headers),
 * data+bss at 0x402000 (file offset 0x1000 + 0x100: congruent). */
static void good_exec(void)
{
	ehdr(2, 3);
	phdr(0, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1000, 0x1000);
	phdr(1, PT_LOAD, PF_R | PF_W, 0x1100, 0x402100, 0x200, 0x3000);
	phdr(2, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
}

/* Parse img[0, img_len) from an exactly sized heap copy. */
static int parse(struct elf_info *ei)
{
	uint8_t *copy = malloc(img_len ? img_len : 1);
	int err;

	memcpy(copy, img, img_len);
	err = elf_parse(fw__bytes_make(copy, img_len), ei);
	free(copy);
	return err;
}

static struct elf_info ei;

static void accepts_static_exec(void)
{
	good_exec();
	CHECK(parse(&ei) == 0);
	CHECK(ei.type == ET_EXEC && ei.entry == 0x401000 && ei.nph == 3);
	CHECK(ei.interp == -1 && !ei.exec_stack);
	CHECK(ei.lo == 0x400000 && ei.hi == 0x405100);
	CHECK(ei.phdr_vaddr == 0x400040);
}

static void accepts_pie_with_interp(void)
{
	static const char path[] = "/lib64/ld-linux-x86-64.so.2";

	ehdr(3, 4);
	phdr(0, PT_PHDR, PF_R, 64, 64, 4 * 56, 4 * 56);
	phdr(1, PT_INTERP, PF_R, 0x300, 0x300, sizeof(path), sizeof(path));
	phdr(2, PT_LOAD, PF_R | PF_X, 0, 0, 0x1000, 0x1000);
	phdr(3, PT_LOAD, PF_R | PF_W, 0x1000, 0x1000, 0x100, 0x100);
	memcpy(img + 0x300, path, sizeof(path));
	CHECK(parse(&ei) == 0);
	CHECK(ei.type == ET_DYN && ei.interp == 1 && ei.phdr_vaddr == 64);
	CHECK(ei.exec_stack); /* no PT_GNU_STACK */
}

static void rejects_truncated(void)
{
	good_exec();
	img_len = 63;
	CHECK(parse(&ei) == -ENOEXEC);
	img_len = 0;
	CHECK(parse(&ei) == -ENOEXEC);
	/* Header fine, program headers cut off. */
	img_len = 64 + 56 * 2;
	CHECK(parse(&ei) == -ENOEXEC);
}

static void rejects_bad_ident(void)
{
	good_exec();
	img[1] = 'X';
	CHECK(parse(&ei) == -ENOEXEC);
	good_exec();
	img[4] = 1; /* ELFCLASS32 */
	CHECK(parse(&ei) == -ENOEXEC);
	good_exec();
	img[5] = 2; /* big-endian */
	CHECK(parse(&ei) == -ENOEXEC);
	good_exec();
	w16(18, 3); /* i386 */
	CHECK(parse(&ei) == -ENOEXEC);
	good_exec();
	w16(16, 1); /* ET_REL */
	CHECK(parse(&ei) == -ENOEXEC);
	good_exec();
	w16(16, 4); /* ET_CORE */
	CHECK(parse(&ei) == -ENOEXEC);
}

static void rejects_bad_phdr_table(void)
{
	good_exec();
	w16(54, 32); /* phentsize */
	CHECK(parse(&ei) == -ENOEXEC);
	good_exec();
	w16(56, 0);
	CHECK(parse(&ei) == -ENOEXEC);
	good_exec();
	w16(56, 0xffff);
	CHECK(parse(&ei) == -ENOEXEC);
	good_exec();
	w64(32, 0x1ff0); /* table runs past the end */
	CHECK(parse(&ei) == -ENOEXEC);
	good_exec();
	w64(32, ~0ull - 10); /* offset wraps */
	CHECK(parse(&ei) == -ENOEXEC);
}

static void rejects_bad_segments(void)
{
	good_exec();
	phdr(1, PT_LOAD, PF_R | PF_W, 0x1100, 0x402100, 0x3001, 0x3000);
	CHECK(parse(&ei) == -EINVAL); /* filesz > memsz */
	good_exec();
	phdr(1, PT_LOAD, PF_R | PF_W, 0x1100, 0x402200, 0x200, 0x3000);
	CHECK(parse(&ei) == -EINVAL); /* not congruent mod 4096 */
	good_exec();
	phdr(1, PT_LOAD, PF_R | PF_W, 0x1000, 0xffff800000000000ull, 0x200,
	     0x3000);
	CHECK(parse(&ei) == -EINVAL); /* kernel space */
	good_exec();
	phdr(1, PT_LOAD, PF_R | PF_W, 0x1000, 0x7ffffffff000ull - 0x1000,
	     0x200, 0x2000);
	CHECK(parse(&ei) == -EINVAL); /* ends past user space */
	good_exec();
	phdr(1, PT_LOAD, PF_R | PF_W, 0x1000, 0xfffffffffffff000ull, 0x200,
	     0x2000);
	CHECK(parse(&ei) == -EINVAL); /* wraps */
	good_exec();
	phdr(1, PT_LOAD, PF_R | PF_W, 0x1100, 0x402100, 0x5000, 0x5000);
	CHECK(parse(&ei) == -EINVAL); /* file data past EOF */
	good_exec();
	phdr(1, PT_LOAD, PF_R | PF_W, 0x100, 0x400100, 0x200, 0x300);
	CHECK(parse(&ei) == -ENOEXEC); /* overlaps the first */
	good_exec();
	phdr(1, PT_LOAD, PF_R | PF_W, 0x1100, 0x300100, 0x200, 0x300);
	CHECK(parse(&ei) == -ENOEXEC); /* unsorted */
	good_exec();
	phdr(0, PT_NOTE, 0, 0, 0, 0, 0);
	phdr(1, PT_NOTE, 0, 0, 0, 0, 0);
	CHECK(parse(&ei) == -ENOEXEC); /* no PT_LOAD */
}

static void rejects_bad_interp(void)
{
	good_exec();
	phdr(2, PT_INTERP, PF_R, 0x300, 0, 8, 8);
	memcpy(img + 0x300, "/lib/ld\0", 8);
	CHECK(parse(&ei) == 0);
	memcpy(img + 0x300, "/lib/ldX", 8);
	CHECK(parse(&ei) == -ENOEXEC); /* not NUL-terminated */
	memcpy(img + 0x300, "\0\0\0\0\0\0\0\0", 8);
	CHECK(parse(&ei) == -ENOEXEC); /* empty */
	phdr(2, PT_INTERP, PF_R, 0x300, 0, 1, 1);
	CHECK(parse(&ei) == -ENOEXEC); /* too short */
	phdr(2, PT_INTERP, PF_R, 0x1ffc, 0, 8, 8);
	CHECK(parse(&ei) == -ENOEXEC); /* past EOF */
	phdr(2, PT_INTERP, PF_R, 0x300, 0, 5000, 5000);
	CHECK(parse(&ei) == -ENOEXEC); /* longer than PATH_MAX */
	/* Two PT_INTERPs. */
	ehdr(2, 4);
	phdr(0, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1000, 0x1000);
	phdr(1, PT_INTERP, PF_R, 0x300, 0, 8, 8);
	phdr(2, PT_INTERP, PF_R, 0x300, 0, 8, 8);
	phdr(3, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
	memcpy(img + 0x300, "/lib/ld\0", 8);
	CHECK(parse(&ei) == -ENOEXEC);
}

/* ---- "#!" ---------------------------------------------------------------- */

static char interp[4096], arg[256];
static bool script, has_arg;

static int sb(const char *text, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	int err;

	memcpy(copy, text, n);
	memset(interp, 'Z', sizeof(interp));
	memset(arg, 'Z', sizeof(arg));
	err = shebang_parse(fw__bytes_make(copy, n), &script,
			    fw__buf_make(interp, sizeof(interp)),
			    fw__buf_make(arg, sizeof(arg)), &has_arg);
	free(copy);
	return err;
}
#define SB(lit) sb(lit, sizeof(lit) - 1)

static void shebang_basic(void)
{
	CHECK(SB("#!/bin/sh\necho hi\n") == 0 && script && !has_arg);
	CHECK(strcmp(interp, "/bin/sh") == 0 && arg[0] == 0);
	CHECK(SB("#! \t/bin/busybox  sh -x \t\nrest") == 0 && has_arg);
	CHECK(strcmp(interp, "/bin/busybox") == 0);
	CHECK(strcmp(arg, "sh -x") == 0); /* one argument, inner blanks kept */
	CHECK(SB("#!/bin/sh") == 0 && script); /* no newline, short file */
	CHECK(strcmp(interp, "/bin/sh") == 0);
	CHECK(SB("\x7f" "ELF....") == 0 && !script);
	CHECK(SB("#") == 0 && !script);
	CHECK(SB("") == 0 && !script);
	CHECK(SB("#!\n") == -ENOEXEC && script);
	CHECK(SB("#!   \t \n") == -ENOEXEC);
}

static void shebang_long_line(void)
{
	char line[400];

	/* 300 bytes of name, no newline in the first 256: truncated. */
	memset(line, 'a', sizeof(line));
	line[0] = '#';
	line[1] = '!';
	line[2] = '/';
	CHECK(sb(line, sizeof(line)) == -ENOEXEC);
	/* A name followed by a blank within 256 bytes is fine; the
	 * argument may be truncated. */
	memcpy(line + 2, "/bin/sh ", 8);
	CHECK(sb(line, sizeof(line)) == 0 && has_arg);
	CHECK(strcmp(interp, "/bin/sh") == 0 && strlen(arg) == 255 - 10);
}

int main(void)
{
	TEST_SUITE("elf");
	RUN(accepts_static_exec);
	RUN(accepts_pie_with_interp);
	RUN(rejects_truncated);
	RUN(rejects_bad_ident);
	RUN(rejects_bad_phdr_table);
	RUN(rejects_bad_segments);
	RUN(rejects_bad_interp);
	RUN(shebang_basic);
	RUN(shebang_long_line);
	HARNESS_EXIT();
}
