/* tests/ktest/user_test.c: user mode, address spaces and user copies,
 * exercised directly on the framework API (before any process service).
 *
 * Layer: kernel tests, public framework API only. Each test builds a tiny
 * address space with a few instructions of machine code in it. */
#include <fw/errno.h>
#include <fw/frame.h>
#include <fw/string.h>
#include <fw/ktest.h>
#include <fw/uaccess.h>
#include <fw/user.h>
#include <fw/vmspace.h>
#include "internal/cpufeature.h"

#define CODE_VA 0x10000ull
#define DATA_VA 0x400000ull

struct uspace {
	struct fw_vmspace *vs;
	struct fw_user_context ctx;
};

/* A space with `code` at CODE_VA (read+exec) and the CPU ready to run it. */
static int uspace_setup(struct uspace *u, struct fw_bytes code)
{
	struct fw_frame *f;
	int err = fw_vmspace_create(&u->vs);

	if (err)
		return err;
	if ((err = fw_frame_alloc(FW_FRAME_ZERO, &f)))
		return err;
	if ((err = fw_frame_write(f, 0, code)) ||
	    (err = fw_vmspace_map(u->vs, CODE_VA, f, FW_PROT_READ | FW_PROT_EXEC))) {
		fw_frame_put(f);
		return err;
	}
	fw_frame_put(f); /* the mapping holds its own reference */
	fw_user_context_init(&u->ctx);
	u->ctx.rip = CODE_VA;
	fw_vmspace_activate(u->vs);
	return 0;
}

/* Run until user code stops for a reason other than an interrupt (a timer
 * tick may arrive before the first instruction completes). */
static void run(struct fw_user_context *ctx, struct fw_user_exit *why)
{
	do
		fw_user_run(ctx, why);
	while (why->reason == FW_USER_INTERRUPT);
}

static void uspace_teardown(struct uspace *u)
{
	fw_user_context_release(&u->ctx);
	fw_vmspace_activate(0);
	fw_vmspace_destroy(u->vs);
}

FW_KTEST(user_syscall_roundtrip)
{
	/* mov eax,42; syscall; mov rbx,rax; mov eax,43; syscall */
	static const uint8_t code[] = { 0xb8, 42, 0, 0, 0, 0x0f, 0x05, 0x48, 0x89,
					0xc3, 0xb8, 43, 0, 0, 0, 0x0f, 0x05 };
	struct uspace u;
	struct fw_user_exit why;

	FW_KT_CHECK(uspace_setup(&u, FW_BYTES_OF_ARRAY(code)) == 0);
	run(&u.ctx, &why);
	FW_KT_CHECKF(why.reason == FW_USER_SYSCALL, "reason %d vector %u",
		     why.reason, why.vector);
	FW_KT_CHECK(u.ctx.rax == 42);
	FW_KT_CHECK(u.ctx.rip == CODE_VA + 7);
	u.ctx.rax = 1234; /* the "result" */
	run(&u.ctx, &why);
	FW_KT_CHECK(why.reason == FW_USER_SYSCALL && u.ctx.rax == 43);
	FW_KT_CHECK(u.ctx.rbx == 1234);
	/* User code never runs with IOPL or with interrupts off. */
	FW_KT_CHECK((u.ctx.rflags & 0x3000) == 0);
	uspace_teardown(&u);
}

FW_KTEST(user_page_fault_then_resume)
{
	/* mov rax,[0x400000]; syscall */
	static const uint8_t code[] = { 0x48, 0x8b, 0x04, 0x25, 0x00, 0x00,
					0x40, 0x00, 0x0f, 0x05 };
	struct uspace u;
	struct fw_user_exit why;
	struct fw_frame *f;
	uint64_t magic = 0x1122334455667788ull;

	FW_KT_CHECK(uspace_setup(&u, FW_BYTES_OF_ARRAY(code)) == 0);
	run(&u.ctx, &why);
	FW_KT_CHECKF(why.reason == FW_USER_PAGE_FAULT, "reason %d", why.reason);
	FW_KT_CHECK(why.addr == DATA_VA);
	FW_KT_CHECK(!(why.error & FW_FAULT_PRESENT) && !(why.error & FW_FAULT_WRITE));
	FW_KT_CHECK(u.ctx.rip == CODE_VA); /* the instruction did not run */
	FW_KT_CHECK(fw_frame_alloc(FW_FRAME_ZERO, &f) == 0);
	FW_KT_CHECK(fw_frame_write(f, 0, FW_BYTES_OF_OBJ(&magic)) == 0);
	FW_KT_CHECK(fw_vmspace_map(u.vs, DATA_VA, f, FW_PROT_READ) == 0);
	FW_KT_CHECK(fw_vmspace_map(u.vs, DATA_VA, f, FW_PROT_READ) == -EEXIST);
	fw_frame_put(f);
	run(&u.ctx, &why);
	FW_KT_CHECK(why.reason == FW_USER_SYSCALL && u.ctx.rax == magic);
	uspace_teardown(&u);
}

FW_KTEST(user_privileged_instructions_fault)
{
	/* ud2 | cli | in al,dx | mov rax,cr3 */
	static const uint8_t ud2[] = { 0x0f, 0x0b };
	static const uint8_t cli[] = { 0xfa };
	static const uint8_t in[] = { 0xec };
	static const uint8_t cr3[] = { 0x0f, 0x20, 0xd8 };
	struct uspace u;
	struct fw_user_exit why;

	FW_KT_CHECK(uspace_setup(&u, FW_BYTES_OF_ARRAY(ud2)) == 0);
	run(&u.ctx, &why);
	FW_KT_CHECK(why.reason == FW_USER_EXCEPTION && why.vector == FW_VEC_INVALID_OPCODE);
	uspace_teardown(&u);
	FW_KT_CHECK(uspace_setup(&u, FW_BYTES_OF_ARRAY(cli)) == 0);
	run(&u.ctx, &why);
	FW_KT_CHECK(why.reason == FW_USER_EXCEPTION && why.vector == FW_VEC_GP);
	uspace_teardown(&u);
	FW_KT_CHECK(uspace_setup(&u, FW_BYTES_OF_ARRAY(in)) == 0);
	run(&u.ctx, &why);
	FW_KT_CHECK(why.reason == FW_USER_EXCEPTION && why.vector == FW_VEC_GP);
	uspace_teardown(&u);
	FW_KT_CHECK(uspace_setup(&u, FW_BYTES_OF_ARRAY(cr3)) == 0);
	run(&u.ctx, &why);
	FW_KT_CHECK(why.reason == FW_USER_EXCEPTION && why.vector == FW_VEC_GP);
	/* A jump into kernel space is refused before entry. */
	u.ctx.rip = 0xFFFFFFFF80100000ull;
	run(&u.ctx, &why);
	FW_KT_CHECK(why.reason == FW_USER_EXCEPTION && why.vector == FW_VEC_GP);
	/* User code cannot execute from a page mapped without exec. */
	u.ctx.rip = DATA_VA;
	struct fw_frame *f;
	FW_KT_CHECK(fw_frame_alloc(FW_FRAME_ZERO, &f) == 0);
	FW_KT_CHECK(fw_vmspace_map(u.vs, DATA_VA, f, FW_PROT_READ | FW_PROT_WRITE) == 0);
	fw_frame_put(f);
	run(&u.ctx, &why);
	FW_KT_CHECK(why.reason == FW_USER_PAGE_FAULT && (why.error & FW_FAULT_EXEC));
	uspace_teardown(&u);
}

FW_KTEST(user_fpu_state_is_per_context)
{
	/* movq xmm0, rdi ; syscall ; movq rax, xmm0 ; syscall */
	static const uint8_t code[] = { 0x66, 0x48, 0x0f, 0x6e, 0xc7, 0x0f, 0x05,
					0x66, 0x48, 0x0f, 0x7e, 0xc0, 0x0f, 0x05 };
	struct uspace a, b;
	struct fw_user_exit why;

	FW_KT_CHECK(uspace_setup(&a, FW_BYTES_OF_ARRAY(code)) == 0);
	a.ctx.rdi = 0xAAAA;
	run(&a.ctx, &why);
	FW_KT_CHECK(why.reason == FW_USER_SYSCALL);
	/* Another context, same space: it sets xmm0 to something else. */
	fw_user_context_init(&b.ctx);
	b.ctx.rip = CODE_VA;
	b.ctx.rdi = 0xBBBB;
	run(&b.ctx, &why);
	FW_KT_CHECK(why.reason == FW_USER_SYSCALL);
	run(&a.ctx, &why);
	FW_KT_CHECKF(a.ctx.rax == 0xAAAA, "xmm0 leaked: %#llx",
		     (unsigned long long)a.ctx.rax);
	fw_user_context_release(&b.ctx);
	uspace_teardown(&a);
}

/* The checks, on whichever bulk copy copy_use_movsb selects. */
static void uaccess_cases(struct fw_ktest_ctx *fw_kt_)
{
	static const uint8_t nop[] = { 0x90 };
	struct uspace u;
	struct fw_frame *f;
	uint64_t v = 0xfeedface, back = 0;
	char name[16];

	FW_KT_CHECK(uspace_setup(&u, FW_BYTES_OF_ARRAY(nop)) == 0);
	FW_KT_CHECK(fw_frame_alloc(FW_FRAME_ZERO, &f) == 0);
	FW_KT_CHECK(fw_vmspace_map(u.vs, DATA_VA, f, FW_PROT_READ | FW_PROT_WRITE) == 0);
	fw_frame_put(f);
	FW_KT_CHECK(FW_COPY_OUT_OBJ(fw_uptr(DATA_VA + 8), &v) == 0);
	FW_KT_CHECK(FW_COPY_IN_OBJ(&back, fw_uptr(DATA_VA + 8)) == 0 && back == v);
	/* Unmapped, kernel, wrapping, and straddling-the-end addresses. */
	FW_KT_CHECK(FW_COPY_IN_OBJ(&back, fw_uptr(0x500000)) == -EFAULT);
	FW_KT_CHECK(FW_COPY_OUT_OBJ(fw_uptr(0xFFFF800000000000ull), &v) == -EFAULT);
	FW_KT_CHECK(FW_COPY_IN_OBJ(&back, fw_uptr(~0ull - 3)) == -EFAULT);
	FW_KT_CHECK(FW_COPY_IN_OBJ(&back, fw_uptr(DATA_VA + 4092)) == -EFAULT);
	FW_KT_CHECK(fw_clear_user(fw_uptr(DATA_VA), 64) == 0);
	/* Strings: bounded, terminated, and stopping at the NUL's page. */
	static const char hello[] = "hello";
	FW_KT_CHECK(fw_copy_out(fw_uptr(DATA_VA + 4090), FW_BYTES_OF_ARRAY(hello)) == 0);
	FW_KT_CHECK(fw_copy_in_str(FW_BUF_OF_ARRAY(name), fw_uptr(DATA_VA + 4090)) == 5);
	FW_KT_CHECK(name[0] == 'h' && name[5] == 0);
	/* Overwrite the NUL: the string now runs into the unmapped page. */
	static const char x[1] = { 'x' };
	FW_KT_CHECK(fw_copy_out(fw_uptr(DATA_VA + 4095), FW_BYTES_OF_ARRAY(x)) == 0);
	FW_KT_CHECK(fw_copy_in_str(FW_BUF_OF_ARRAY(name), fw_uptr(DATA_VA + 4090)) == -EFAULT);
	FW_KT_CHECK(fw_copy_in_str(FW_BUF_OF_ARRAY(name), fw_uptr(DATA_VA + 100)) == 0);
	/* Too long for the buffer. */
	FW_KT_CHECK(fw_clear_user(fw_uptr(DATA_VA + 200), 1) == 0);
	FW_KT_CHECK(fw_copy_out(fw_uptr(DATA_VA + 100), FW_BYTES_OF_LITERAL("0123456789abcdefXYZ")) == 0);
	FW_KT_CHECK(fw_copy_in_str(FW_BUF_OF_ARRAY(name), fw_uptr(DATA_VA + 100)) == -ENAMETOOLONG);
	FW_KT_CHECK(fw_copy_in_str(FW_BUF_OF_ARRAY(name), fw_uptr(0)) == -EFAULT);
	/* Copies running off the mapping from an odd address fail, having
	 * written every byte up to the page end (the 8-byte steps start at
	 * an aligned user address, so none straddles the boundary). */
	static const uint8_t pat[40] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
					 13, 14, 15, 16, 17, 18, 19, 20, 21 };
	uint8_t got[19];
	FW_KT_CHECK(fw_clear_user(fw_uptr(DATA_VA + 4064), 32) == 0);
	FW_KT_CHECK(fw_copy_out(fw_uptr(DATA_VA + 4077), FW_BYTES_OF_ARRAY(pat)) == -EFAULT);
	FW_KT_CHECK(fw_copy_in(FW_BUF_OF_ARRAY(got), fw_uptr(DATA_VA + 4077)) == 0);
	FW_KT_CHECK(memcmp(got, pat, sizeof(got)) == 0);
	FW_KT_CHECK(fw_clear_user(fw_uptr(DATA_VA + 4075), 40) == -EFAULT);
	FW_KT_CHECK(fw_copy_in(FW_BUF_OF_ARRAY(got), fw_uptr(DATA_VA + 4077)) == 0);
	static const uint8_t zeros[sizeof(got)];
	FW_KT_CHECK(memcmp(got, zeros, sizeof(got)) == 0);
	FW_KT_CHECK(fw_copy_in(FW_BUF_OF_ARRAY(got), fw_uptr(DATA_VA + 4081)) == -EFAULT);
	/* Read-only page: a kernel write on the user's behalf fails too. */
	FW_KT_CHECK(fw_vmspace_protect(u.vs, DATA_VA, FW_PROT_READ) == 0);
	FW_KT_CHECK(FW_COPY_OUT_OBJ(fw_uptr(DATA_VA), &v) == -EFAULT);
	uint64_t found = 0;
	FW_KT_CHECK(fw_vmspace_next_mapped(u.vs, CODE_VA + 4096, ~0ull, &found) == 0);
	FW_KT_CHECK(found == DATA_VA);
	FW_KT_CHECK(fw_vmspace_mapped_pages(u.vs) == 2);
	FW_KT_CHECK(fw_vmspace_unmap(u.vs, DATA_VA) == 0);
	FW_KT_CHECK(fw_vmspace_unmap(u.vs, DATA_VA) == -ENOENT);
	FW_KT_CHECK(FW_COPY_IN_OBJ(&back, fw_uptr(DATA_VA)) == -EFAULT);
	uspace_teardown(&u);
}

FW_KTEST(uaccess_copies_and_bad_pointers)
{
	uaccess_cases(fw_kt_);
}

/* The same with the other bulk copy (rep movsb/stosb runs, which
 * copy_select picks on hardware with ERMS; under TCG it keeps 8-byte
 * steps, so without this the other path would never run in a test). */
FW_KTEST(uaccess_copies_and_bad_pointers_other_copy)
{
	bool was = copy_use_movsb;

	copy_use_movsb = !was;
	uaccess_cases(fw_kt_);
	copy_use_movsb = was;
}

/* Fork's bulk copy: the same frames at the same addresses, in two leaf
 * tables; copy-on-write takes write away on both sides only; PROT_NONE
 * pages come along; a second copy over the first is refused. Then the
 * range unmap. */
FW_KTEST(vmspace_copy_range_for_fork)
{
	struct fw_vmspace *a, *b;
	struct fw_frame *f[3], *got;
	const uint64_t va[3] = { 0x400000, 0x401000, 0x600000 }; /* 2 tables */
	const unsigned prot[3] = { FW_PROT_READ | FW_PROT_WRITE, 0,
				   FW_PROT_READ | FW_PROT_WRITE };
	unsigned p;

	FW_KT_CHECK(fw_vmspace_create(&a) == 0);
	FW_KT_CHECK(fw_vmspace_create(&b) == 0);
	for (int i = 0; i < 3; i++) {
		FW_KT_CHECK(fw_frame_alloc(FW_FRAME_ZERO, &f[i]) == 0);
		FW_KT_CHECK(fw_vmspace_map(a, va[i], f[i], prot[i]) == 0);
	}
	FW_KT_CHECK(fw_vmspace_copy_range(a, b, 0x400000, 0x601000, true) == 0);
	FW_KT_CHECK(fw_vmspace_mapped_pages(b) == 3);
	for (int i = 0; i < 3; i++) {
		FW_KT_CHECK(fw_frame_mapcount(f[i]) == 2);
		FW_KT_CHECK(fw_vmspace_query(b, va[i], &got, &p) == 0);
		FW_KT_CHECK(got == f[i]);
		FW_KT_CHECK(p == (prot[i] & ~(unsigned)FW_PROT_WRITE));
		FW_KT_CHECK(fw_vmspace_query(a, va[i], NULL, &p) == 0);
		FW_KT_CHECK(p == (prot[i] & ~(unsigned)FW_PROT_WRITE));
	}
	FW_KT_CHECK(fw_vmspace_copy_range(a, b, 0x400000, 0x401000, false) == -EEXIST);
	FW_KT_CHECK(fw_vmspace_copy_range(a, a, 0x400000, 0x401000, false) == -EINVAL);
	FW_KT_CHECK(fw_vmspace_copy_range(a, b, 0x400800, 0x401000, false) == -EINVAL);
	/* Without cow (a shared mapping) write stays. */
	FW_KT_CHECK(fw_vmspace_protect(a, va[2], FW_PROT_READ | FW_PROT_WRITE) == 0);
	FW_KT_CHECK(fw_vmspace_unmap(b, va[2]) == 0);
	FW_KT_CHECK(fw_vmspace_copy_range(a, b, va[2], va[2] + 4096, false) == 0);
	FW_KT_CHECK(fw_vmspace_query(b, va[2], NULL, &p) == 0);
	FW_KT_CHECK(p == (FW_PROT_READ | FW_PROT_WRITE));
	/* The range unmap drops every page and its mapping reference. */
	FW_KT_CHECK(fw_vmspace_unmap_range(b, 0x401000, 0x601000) == 0);
	FW_KT_CHECK(fw_vmspace_mapped_pages(b) == 1);
	FW_KT_CHECK(fw_frame_mapcount(f[1]) == 1 && fw_frame_mapcount(f[2]) == 1);
	FW_KT_CHECK(fw_vmspace_unmap_range(b, 0x400000, 0x400800) == -EINVAL);
	fw_vmspace_destroy(b);
	for (int i = 0; i < 3; i++)
		FW_KT_CHECK(fw_frame_mapcount(f[i]) == 1);
	fw_vmspace_destroy(a);
	for (int i = 0; i < 3; i++)
		fw_frame_put(f[i]);
}
