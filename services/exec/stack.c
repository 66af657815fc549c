/* services/exec/stack.c: the initial user stack of a new program.
 *
 * Layer: services (safe C). The new mm is not active while execve builds
 * it, so nothing can be written with fw_copy_out: the top of the stack is
 * assembled in a kernel buffer, copied into fresh frames with
 * fw_frame_write and those frames mapped into the new vmspace. Layout, top
 * down, as Linux's create_elf_tables (System V x86-64 psABI 3.4.1):
 *
 *   MM_STACK_TOP - 8     8 zero bytes (Linux leaves the top word empty)
 *   execfn string        AT_EXECFN
 *   argv, envp strings   one block, argv first (what exec_strings holds)
 *   "x86_64"             AT_PLATFORM
 *   16 random bytes      AT_RANDOM (glibc's stack-protector canary)
 *   ... padding to 16 bytes ...
 *   auxv pairs, AT_NULL last
 *   0, envp[envc-1]..envp[0]
 *   0, argv[argc-1]..argv[0]
 *   argc                 <- sp, 16-byte aligned */
#include <fw/cpu.h>
#include <fw/errno.h>
#include <fw/frame.h>
#include <fw/heap.h>
#include <fw/string.h>
#include <fw/time.h>

#include "exec/exec.h"
#include "mm/mm.h"
#include "mm/uapi.h"

#define AUXV_MAX 24 /* pairs, AT_NULL included */

/* Not cryptographic: the framework has no entropy source yet, so the
 * canary comes from the clock through splitmix64. */
static uint64_t rnd_state;

static uint64_t rnd64(void)
{
	uint64_t z;

	rnd_state += 0x9e3779b97f4a7c15ull ^ fw_time_ns();
	z = rnd_state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct stack_img {
	struct fw_buf buf; /* the bytes of [base, MM_STACK_TOP) */
	uint64_t base;     /* user address of buf's first byte */
	int err;           /* first failure of put_* */
};

static void put_u64(struct stack_img *s, uint64_t addr, uint64_t v)
{
	if (!s->err && fw_buf_put_u64_le(s->buf, addr - s->base, v))
		s->err = -E2BIG;
}

static void put_bytes(struct stack_img *s, uint64_t addr, struct fw_bytes b)
{
	if (!s->err && fw_buf_copy_from(s->buf, addr - s->base, b))
		s->err = -E2BIG;
}

/* Map the built image: one fresh frame per page of [base, top). */
static int install(struct mm *mm, const struct stack_img *s)
{
	for (uint64_t va = s->base; va < MM_STACK_TOP; va += FW_PAGE_SIZE) {
		struct fw_frame *fr;
		struct fw_bytes page;
		int err;

		err = fw_bytes_sub(fw_buf_as_bytes(s->buf), va - s->base,
				   FW_PAGE_SIZE, &page);
		if (err)
			return err;
		err = fw_frame_alloc(0, &fr);
		if (err)
			return err;
		err = fw_frame_write(fr, 0, page);
		if (!err)
			err = mm_install_frame(mm, va, fr);
		fw_frame_put(fr);
		if (err)
			return err;
	}
	return 0;
}

int exec_build_stack(struct mm *mm, const struct exec_strings *args,
		     const struct exec_image *img, uint64_t *sp_out)
{
	static const char platform[] = "x86_64";
	struct stack_img s = { 0 };
	uint64_t auxv[AUXV_MAX * 2];
	uint64_t p, execfn, strings, plat, rnd, sp, items, size;
	size_t fn_len = args->execfn ? strlen(args->execfn->s) : 0;
	unsigned na = 0;
	struct fw_bytes b;
	int err;

	/* Addresses of everything, top down. */
	p = MM_STACK_TOP - 8;
	p -= fn_len + 1;
	execfn = p;
	p -= args->len;
	strings = p;
	p -= sizeof(platform);
	plat = p;
	p -= 16;
	rnd = p;
	p &= ~15ull;

#define AUX(t, v)                                                              \
	do {                                                                   \
		auxv[na++] = (t);                                              \
		auxv[na++] = (v);                                              \
	} while (0)
	AUX(AT_HWCAP, img->hwcap);
	AUX(AT_PAGESZ, FW_PAGE_SIZE);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PHDR, img->phdr);
	AUX(AT_PHENT, 56);
	AUX(AT_PHNUM, img->phnum);
	AUX(AT_BASE, img->base);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, img->prog_entry);
	AUX(AT_UID, img->uid);
	AUX(AT_EUID, img->euid);
	AUX(AT_GID, img->gid);
	AUX(AT_EGID, img->egid);
	AUX(AT_SECURE, img->secure);
	AUX(AT_RANDOM, rnd);
	AUX(AT_HWCAP2, fw_cpu_hwcap2());
	AUX(AT_MINSIGSTKSZ, img->minsigstksz);
	AUX(AT_EXECFN, execfn);
	AUX(AT_PLATFORM, plat);
	AUX(AT_NULL, 0);
#undef AUX
	FW_STATIC_ASSERT(20 <= AUXV_MAX, "auxv array too small");
	FW_STATIC_ASSERT(AUXV_MAX * 2 <= MM_AUXV_WORDS, "mm's auxv too small");

	/* argc, argv + NULL, envp + NULL, then auxv; sp 16-byte aligned
	 * (Linux's STACK_ROUND). */
	items = 1 + (uint64_t)args->argc + 1 + (uint64_t)args->envc + 1;
	sp = (p - na * 8 - items * 8) & ~15ull;
	size = MM_STACK_TOP - mm_page_down(sp);
	if (size > MM_STACK_MAX / 4)
		return -E2BIG;
	err = fw_buf_alloc(size, &s.buf);
	if (err)
		return err;
	s.base = mm_page_down(sp);

	/* Strings. */
	if (args->execfn && !fw_bytes_sub(FW_BYTES_OF_ARRAY(args->execfn->s), 0,
					  fn_len, &b))
		put_bytes(&s, execfn, b);
	if (!fw_bytes_sub(fw_buf_as_bytes(args->buf), 0, args->len, &b))
		put_bytes(&s, strings, b);
	put_bytes(&s, plat, FW_BYTES_OF_ARRAY(platform));
	for (int i = 0; i < 2; i++)
		put_u64(&s, rnd + 8 * (uint64_t)i, rnd64());

	/* argc, argv[] and NULL, envp[] and NULL, auxv. */
	{
		uint64_t at = sp, str = strings;

		put_u64(&s, at, args->argc);
		at += 8;
		for (unsigned i = 0; i < args->argc + args->envc; i++) {
			long nul = fw_bytes_memchr(fw_buf_as_bytes(args->buf),
						   str - strings, 0);

			if (i == args->argc) {
				put_u64(&s, at, 0);
				at += 8;
			}
			if (nul < 0 || (size_t)nul >= args->len) {
				s.err = -EINVAL;
				break;
			}
			put_u64(&s, at, str);
			at += 8;
			str = strings + (uint64_t)nul + 1;
		}
		if (args->envc == 0) {
			put_u64(&s, at, 0);
			at += 8;
		}
		put_u64(&s, at, 0);
		at += 8;
		for (unsigned i = 0; i < na; i++, at += 8)
			put_u64(&s, at, auxv[i]);
	}
	err = s.err;
	if (err)
		goto out;

	/* The stack VMA: what we wrote plus room to grow down on demand. */
	err = mm_map_fixed(mm, s.base, MM_STACK_TOP - s.base,
			   PROT_READ | PROT_WRITE |
				   (img->exec_stack ? PROT_EXEC : 0),
			   VMA_GROWSDOWN, NULL, 0, 0, VMA_NAME_STACK);
	if (!err)
		err = install(mm, &s);
	if (!err) {
		mm->arg_start = strings;
		mm->arg_end = strings;
		mm->env_end = strings + args->len;
		mm->start_stack = sp;
		for (unsigned i = 0; i < na && i < MM_AUXV_WORDS; i++)
			mm->saved_auxv[i] = auxv[i];
		mm->auxv_words = na < MM_AUXV_WORDS ? na : MM_AUXV_WORDS;
		/* argv strings end where the envp strings start. */
		{
			long off = 0;

			for (unsigned i = 0; i < args->argc && off >= 0; i++)
				off = fw_bytes_memchr(fw_buf_as_bytes(args->buf),
						      (size_t)off, 0) + 1;
			if (off > 0)
				mm->arg_end = strings + (uint64_t)off;
		}
		mm->env_start = mm->arg_end;
		*sp_out = sp;
	}
out:
	fw_buf_free(&s.buf);
	return err;
}
