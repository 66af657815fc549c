/* framework/user/user.c: fw_user_run and user contexts.
 *
 * Layer: framework. See fw/user.h. The FPU state is switched lazily: the
 * kernel never touches x87/SSE registers (-mgeneral-regs-only), so after a
 * system call the registers still hold the caller's state and going back
 * to the same context needs neither FXSAVE nor FXRSTOR. Each CPU records
 * whose state its registers hold (fpu_owner); it is written back when
 * another context enters user mode there and on every context switch, so
 * a context's unsaved state never outlives its stay on one CPU. Code that
 * reads a context's FPU image syncs it first; code that rewrites it drops
 * the CPU's claim.
 * Where the CPU has XSAVE, the image is XSAVE's standard format for the
 * components cpu_features.xfeatures names (AVX, AVX-512 where present);
 * elsewhere it is FXSAVE's 512 bytes. */
#include <arch/x86.h>
#include <fw/errno.h>
#include <fw/panic.h>
#include <fw/string.h>
#include <fw/user.h>
#include "internal/cpufeature.h"
#include "internal/percpu.h"
#include "internal/task.h"
#include "internal/trap.h"
#include "internal/user.h"

#define EXIT_SYSCALL 1
#define EXIT_PAGE_FAULT 2
#define EXIT_EXCEPTION 3
#define EXIT_INTERRUPT 4

/* User-changeable RFLAGS: CF PF AF ZF SF TF DF OF AC ID. IF is forced on,
 * IOPL to 0, NT/VM/RF off: user code never gets port or interrupt
 * control. */
#define RFLAGS_USER_MASK 0x250DD5ull
#define RFLAGS_FORCED 0x202ull

#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define EFER_SCE 1ull

/* Offsets in the FXSAVE/XSAVE image (SDM vol. 1, tables 10-2 and 13-1). */
#define FPU_FCW 0
#define FPU_MXCSR 24
#define FPU_MXCSR_MASK 28
#define FPU_LEGACY_SIZE 512
#define XSAVE_HEADER_SIZE 64 /* XSTATE_BV, XCOMP_BV, reserved: all at 512 */
#define XFEATURES_LEGACY 3ull /* x87 | SSE */

/* The MXCSR bits this CPU accepts, from FXSAVE's MXCSR_MASK field (0
 * there means the original 0xFFBF, SDM vol. 1, 11.6.6). */
static uint32_t mxcsr_mask = 0xFFBF;

static void read_mxcsr_mask(void)
{
	static uint8_t image[512] __attribute__((aligned(16)));
	uint32_t mask;

	__asm__ volatile("fxsave64 %0" : "=m"(image));
	memcpy(&mask, &image[FPU_MXCSR_MASK], sizeof mask);
	if (mask)
		mxcsr_mask = mask;
}

void user_cpu_init(void)
{
	uint64_t cr4 = x86_read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;

	/* User programs may then read and write their FS and GS bases
	 * themselves (Linux 5.9+); fw_user_run reads them back. */
	if (cpu_features.fsgsbase)
		cr4 |= CR4_FSGSBASE;
	if (cpu_features.xsave)
		cr4 |= CR4_OSXSAVE;
	x86_write_cr0((x86_read_cr0() | CR0_MP) & ~(CR0_EM | CR0_TS));
	x86_write_cr4(cr4);
	if (cpu_features.xsave)
		x86_xsetbv(0, cpu_features.xfeatures);
	read_mxcsr_mask();
	x86_wrmsr(MSR_EFER, x86_rdmsr(MSR_EFER) | EFER_SCE);
	/* STAR: syscall loads CS=0x08/SS=0x10; sysret CS=0x13+16, SS=0x13+8. */
	x86_wrmsr(MSR_STAR, (0x13ull << 48) | (0x08ull << 32));
	x86_wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	/* Mask IF, TF, DF, AC, NT on entry. */
	x86_wrmsr(MSR_SFMASK, 0x47700);
	x86_wrmsr(MSR_FS_BASE, 0);
	this_cpu()->fs_base_loaded = 0;
	this_cpu()->gs_base_loaded = 0; /* gdt.c zeroed KERNEL_GS_BASE */
}

/* Save the live registers into ctx's image / load them from it. XSAVEOPT
 * may skip a component unchanged since the XRSTOR from the same image;
 * that is sound because nothing else writes an image the CPU owns (see
 * fpu_drop). All-ones in EDX:EAX asks for every component XCR0 enables. */
static void fpu_save_regs(struct fw_user_context *ctx)
{
	if (cpu_features.xsaveopt)
		__asm__ volatile("xsaveopt64 %0" : "+m"(ctx->fpu) : "a"(~0u), "d"(~0u));
	else if (cpu_features.xsave)
		__asm__ volatile("xsave64 %0" : "+m"(ctx->fpu) : "a"(~0u), "d"(~0u));
	else
		__asm__ volatile("fxsave64 %0" : "=m"(ctx->fpu));
}

static void fpu_load_regs(const struct fw_user_context *ctx)
{
	if (cpu_features.xsave)
		__asm__ volatile("xrstor64 %0" : : "m"(ctx->fpu), "a"(~0u), "d"(~0u));
	else
		__asm__ volatile("fxrstor64 %0" : : "m"(ctx->fpu));
}

void user_fpu_switch_out(void)
{
	struct percpu *c = this_cpu();

	if (c->fpu_owner) {
		fpu_save_regs(c->fpu_owner);
		c->fpu_owner = 0;
	}
}

/* ctx's FPU image is about to be read: write back live registers. */
static void fpu_sync(const struct fw_user_context *ctx)
{
	fw_irqflags_t fl = fw_irq_save();
	if (this_cpu()->fpu_owner == ctx)
		user_fpu_switch_out();
	fw_irq_restore(fl);
}

/* ctx's FPU image is about to be rewritten: forget the live registers. */
static void fpu_drop(const struct fw_user_context *ctx)
{
	fw_irqflags_t fl = fw_irq_save();
	if (this_cpu()->fpu_owner == ctx)
		this_cpu()->fpu_owner = 0;
	fw_irq_restore(fl);
}

void fw_user_context_release(struct fw_user_context *ctx)
{
	fpu_drop(ctx);
}

static void put16(struct fw_user_context *ctx, size_t off, uint16_t v)
{
	memcpy(&ctx->fpu[off], &v, sizeof v);
}

static void put32(struct fw_user_context *ctx, size_t off, uint32_t v)
{
	memcpy(&ctx->fpu[off], &v, sizeof v);
}

static void put64(struct fw_user_context *ctx, size_t off, uint64_t v)
{
	memcpy(&ctx->fpu[off], &v, sizeof v);
}

static uint32_t get32(const struct fw_user_context *ctx, size_t off)
{
	uint32_t v;
	memcpy(&v, &ctx->fpu[off], sizeof v);
	return v;
}

static uint64_t get64(const struct fw_user_context *ctx, size_t off)
{
	uint64_t v;
	memcpy(&v, &ctx->fpu[off], sizeof v);
	return v;
}

/* Make an XSAVE image say which components it holds (bv), with the rest
 * of its header zero: XRSTOR raises #GP for anything else there. */
static void xsave_header(struct fw_user_context *ctx, uint64_t bv)
{
	memset(&ctx->fpu[FPU_LEGACY_SIZE], 0, XSAVE_HEADER_SIZE);
	put64(ctx, FPU_LEGACY_SIZE, bv & cpu_features.xfeatures);
}

/* The state a new process starts with, as Linux gives it: FNINIT's x87
 * control word 0x037F (all exceptions masked, 64-bit precision), MXCSR
 * 0x1F80, everything else zero. */
static void fpu_default(struct fw_user_context *ctx)
{
	fpu_drop(ctx);
	memset(ctx->fpu, 0, sizeof ctx->fpu);
	put16(ctx, FPU_FCW, 0x037F);
	put32(ctx, FPU_MXCSR, 0x1F80);
	if (cpu_features.xsave)
		xsave_header(ctx, XFEATURES_LEGACY);
}

void fw_user_context_init(struct fw_user_context *ctx)
{
	fpu_drop(ctx);
	memset(ctx, 0, sizeof *ctx);
	ctx->rflags = RFLAGS_FORCED;
	fpu_default(ctx);
}

void fw_user_context_copy(struct fw_user_context *dst,
			  const struct fw_user_context *src)
{
	fpu_sync(src);
	fpu_drop(dst);
	memcpy(dst, src, sizeof *dst);
}

void fw_user_context_reset_fpu(struct fw_user_context *ctx)
{
	fpu_default(ctx);
}

size_t fw_user_fpu_size(void)
{
	return cpu_features.xstate_size;
}

uint64_t fw_user_fpu_features(void)
{
	return cpu_features.xfeatures;
}

int fw_user_fpu_save(const struct fw_user_context *ctx, fw_uptr_t to)
{
	fpu_sync(ctx);
	return fw_copy_out(to, fw__bytes_make(ctx->fpu, cpu_features.xstate_size));
}

int fw_user_fpu_save_legacy(const struct fw_user_context *ctx, fw_uptr_t to,
			    size_t len)
{
	uint8_t img[FPU_LEGACY_SIZE];
	uint64_t bv = XFEATURES_LEGACY;

	fpu_sync(ctx);
	memcpy(img, ctx->fpu, sizeof img);
	if (cpu_features.xsave)
		bv = get64(ctx, FPU_LEGACY_SIZE);
	/* XSAVE leaves a component in its initial state unwritten (its
	 * XSTATE_BV bit clear): give its initial values (Linux's
	 * copy_xstate_to_kernel takes them from init_fpstate). */
	if (!(bv & 1)) { /* x87: FCW 0x037F, the rest and ST0-7 zero */
		uint16_t fcw = 0x037F;

		memset(img, 0, 24);
		memcpy(&img[FPU_FCW], &fcw, sizeof fcw);
		memset(&img[32], 0, 128);
	}
	if (!(bv & 2)) /* SSE: XMM0-15 zero (MXCSR goes with it in XSAVE) */
		memset(&img[160], 0, 256);
	return fw_copy_out(to, fw__bytes_make(img, len < sizeof img ? len
								 : sizeof img));
}

int fw_user_fpu_restore(struct fw_user_context *ctx, fw_uptr_t from,
			size_t len, uint64_t features)
{
	uint64_t bv = XFEATURES_LEGACY;

	if (len != FPU_LEGACY_SIZE && len != cpu_features.xstate_size)
		return -EINVAL;
	fpu_drop(ctx);
	if (fw_copy_in(fw__buf_make(ctx->fpu, len), from)) {
		fpu_default(ctx);
		return -EFAULT;
	}
	/* What FXRSTOR or XRSTOR would raise #GP for is refused, as Linux
	 * refuses it (its XRSTOR from the frame faults, and that is fatal):
	 * reserved MXCSR bits, and in the XSAVE header components XCR0 does
	 * not enable or anything but zero after XSTATE_BV. */
	if (get32(ctx, FPU_MXCSR) & ~mxcsr_mask)
		goto bad;
	if (cpu_features.xsave && len > FPU_LEGACY_SIZE) {
		bv = get64(ctx, FPU_LEGACY_SIZE);
		if (bv & ~cpu_features.xfeatures)
			goto bad;
		for (size_t off = 8; off < XSAVE_HEADER_SIZE; off += 8)
			if (get64(ctx, FPU_LEGACY_SIZE + off))
				goto bad;
		bv &= features;
	}
	if (cpu_features.xsave)
		xsave_header(ctx, bv);
	return 0;
bad:
	fpu_default(ctx);
	return -EINVAL;
}

/* The checks fw_user_fpu_restore makes, on an image's MXCSR and (xsave:
 * its XSAVE header, 64 bytes) alone. */
static bool fpu_image_ok(uint32_t mxcsr, const uint8_t *hdr)
{
	uint64_t w;

	if (mxcsr & ~mxcsr_mask)
		return false;
	if (!hdr)
		return true;
	memcpy(&w, hdr, sizeof w);
	if (w & ~cpu_features.xfeatures)
		return false;
	for (size_t off = 8; off < XSAVE_HEADER_SIZE; off += 8) {
		memcpy(&w, &hdr[off], sizeof w);
		if (w)
			return false;
	}
	return true;
}

int fw_user_fpu_set(struct fw_user_context *ctx, fw_uptr_t from, size_t len)
{
	uint8_t legacy[FPU_LEGACY_SIZE];
	uint8_t hdr[XSAVE_HEADER_SIZE];
	bool whole = len != FPU_LEGACY_SIZE;
	uint32_t mxcsr;

	if (whole && (!cpu_features.xsave || len != cpu_features.xstate_size))
		return -EINVAL;
	if (fw_copy_in(fw__buf_make(legacy, sizeof legacy), from))
		return -EFAULT;
	memcpy(&mxcsr, &legacy[FPU_MXCSR], sizeof mxcsr);
	if (!whole) {
		if (!fpu_image_ok(mxcsr, NULL))
			return -EINVAL;
		/* The x87/SSE part only: the other components keep their
		 * state, and XSTATE_BV now says x87 and SSE are held. */
		fpu_sync(ctx);
		fpu_drop(ctx);
		memcpy(ctx->fpu, legacy, sizeof legacy);
		if (cpu_features.xsave)
			put64(ctx, FPU_LEGACY_SIZE,
			      get64(ctx, FPU_LEGACY_SIZE) | XFEATURES_LEGACY);
		return 0;
	}
	if (fw_copy_in(fw__buf_make(hdr, sizeof hdr),
		       fw_uptr_add(from, FPU_LEGACY_SIZE)))
		return -EFAULT;
	if (!fpu_image_ok(mxcsr, hdr))
		return -EINVAL;
	/* Checked; now the whole image, too big to stage on the stack. The
	 * caller's memory can only change under it by its own doing (another
	 * of its threads): then the checks fail again below, or the copy
	 * faults, and ctx gets the initial state. */
	fpu_sync(ctx);
	fpu_drop(ctx);
	if (fw_copy_in(fw__buf_make(ctx->fpu, len), from)) {
		fpu_default(ctx);
		return -EFAULT;
	}
	if (!fpu_image_ok(get32(ctx, FPU_MXCSR), &ctx->fpu[FPU_LEGACY_SIZE])) {
		fpu_default(ctx);
		return -EINVAL;
	}
	return 0;
}

static bool canonical_user(uint64_t a)
{
	return a < 0x0000800000000000ull;
}

void fw_user_run(struct fw_user_context *ctx, struct fw_user_exit *why)
{
	struct percpu *c;

	*why = (struct fw_user_exit){ 0 };
	/* A non-canonical rip would make iretq fault in kernel mode. */
	if (!canonical_user(ctx->rip)) {
		why->reason = FW_USER_EXCEPTION;
		why->vector = FW_VEC_GP;
		return;
	}
	ctx->rflags = (ctx->rflags & RFLAGS_USER_MASK) | RFLAGS_FORCED;

	x86_cli();
	c = this_cpu();
	if (c->fs_base_loaded != ctx->fs_base) {
		x86_wrmsr(MSR_FS_BASE, ctx->fs_base);
		c->fs_base_loaded = ctx->fs_base;
	}
	/* The kernel runs with the user's GS base parked in KERNEL_GS_BASE
	 * (swapgs exchanges them), so the MSR keeps its value until another
	 * context needs a different one; WRMSR is not cheap. */
	if (c->gs_base_loaded != ctx->gs_base) {
		x86_wrmsr(MSR_KERNEL_GS_BASE, ctx->gs_base);
		c->gs_base_loaded = ctx->gs_base;
	}
	/* The task's own address space must be the loaded one: another
	 * would hand user mode (and every copy of its system calls) the
	 * memory of a different process, or none. */
	if (FW_UNLIKELY(c->vmspace != c->current->vmspace))
		fw_panic("user mode entered with an address space not the task's");
	if (c->fpu_owner != ctx) {
		if (c->fpu_owner)
			fpu_save_regs(c->fpu_owner);
		fpu_load_regs(ctx);
		c->fpu_owner = ctx;
	}
	/* SAFETY: rsp[0] sits at offset 4 of the packed TSS; the CPU reads
	 * it unaligned anyway, and x86 stores to it unaligned just fine. */
	arch_user_enter(ctx, (uint64_t *)(void *)((uint8_t *)&c->tss +
						  __builtin_offsetof(struct tss, rsp)));
	/* Back from user mode, interrupts still off and on the same CPU
	 * (user-mode entries never schedule before returning here): the
	 * registers keep ctx's FPU state, and ctx owns them. */
	c = this_cpu();
	if (cpu_features.fsgsbase) {
		/* With CR4.FSGSBASE user code may have moved its FS or GS
		 * base (wrfsbase, wrgsbase): read both back, so ctx and the
		 * loaded-value cache stay true. The user GS base is parked
		 * in KERNEL_GS_BASE; swapgs brings it in for rdgsbase. */
		uint64_t fs = x86_rdfsbase(), gs;
		x86_swapgs();
		gs = x86_rdgsbase();
		x86_swapgs();
		ctx->fs_base = c->fs_base_loaded = fs;
		ctx->gs_base = c->gs_base_loaded = gs;
	}
	why->reason = (enum fw_user_reason)c->user_exit;
	why->vector = (uint32_t)c->user_vector;
	why->error = c->user_error;
	why->addr = c->user_addr;
	/* Until it runs user code again, the task is in a system call of its
	 * own, or not: fault injection fails only the former. */
	c->current->fail_scope = why->reason == FW_USER_SYSCALL;
	x86_sti();
	if ((c->need_resched || c->resched_lazy) && c->preempt_count == 0)
		task_preempt();
}

void user_trap(struct trapframe *tf)
{
	struct percpu *c = this_cpu();
	struct fw_user_context *ctx = c->user_ctx;

	ctx->rax = tf->rax, ctx->rbx = tf->rbx, ctx->rcx = tf->rcx;
	ctx->rdx = tf->rdx, ctx->rsi = tf->rsi, ctx->rdi = tf->rdi;
	ctx->rbp = tf->rbp, ctx->rsp = tf->rsp;
	ctx->r8 = tf->r8, ctx->r9 = tf->r9, ctx->r10 = tf->r10;
	ctx->r11 = tf->r11, ctx->r12 = tf->r12, ctx->r13 = tf->r13;
	ctx->r14 = tf->r14, ctx->r15 = tf->r15;
	ctx->rip = tf->rip;
	ctx->rflags = tf->rflags;
	if (tf->vector == VEC_PF) {
		c->user_exit = EXIT_PAGE_FAULT;
		c->user_addr = x86_read_cr2();
	} else if (tf->vector < 32) {
		c->user_exit = EXIT_EXCEPTION;
	} else {
		c->user_exit = EXIT_INTERRUPT;
	}
	c->user_vector = tf->vector;
	c->user_error = tf->error;
	arch_user_leave();
}
