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
 * XSAVE (AVX) is not enabled, so CPUID tells user space AVX is unusable and
 * FXSAVE covers the whole state. */
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

static const uint32_t mxcsr_mask = 0xFFBF; /* DAZ supported (QEMU, modern) */

void user_cpu_init(void)
{
	uint64_t cr4 = x86_read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;

	/* User programs may then read and write their FS and GS bases
	 * themselves (Linux 5.9+); fw_user_run reads them back. */
	if (cpu_features.fsgsbase)
		cr4 |= CR4_FSGSBASE;
	x86_write_cr0((x86_read_cr0() | CR0_MP) & ~(CR0_EM | CR0_TS));
	x86_write_cr4(cr4);
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

static void fxsave(struct fw_user_context *ctx)
{
	__asm__ volatile("fxsave64 %0" : "=m"(ctx->fpu));
}

void user_fpu_switch_out(void)
{
	struct percpu *c = this_cpu();

	if (c->fpu_owner) {
		fxsave(c->fpu_owner);
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

static void fpu_default(struct fw_user_context *ctx)
{
	fpu_drop(ctx);
	memset(ctx->fpu, 0, sizeof ctx->fpu);
	ctx->fpu[0] = 0x7F; /* FCW 0x037F: all exceptions masked, 64-bit */
	ctx->fpu[1] = 0x03;
	ctx->fpu[24] = 0x80; /* MXCSR 0x1F80 */
	ctx->fpu[25] = 0x1F;
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

int fw_user_fpu_save(const struct fw_user_context *ctx, struct fw_buf out)
{
	if (fw_buf_len(out) != sizeof ctx->fpu)
		return -EINVAL;
	fpu_sync(ctx);
	memcpy(fw__buf_ptr(out), ctx->fpu, sizeof ctx->fpu);
	return 0;
}

int fw_user_fpu_restore(struct fw_user_context *ctx, struct fw_bytes in)
{
	uint32_t mxcsr;

	if (fw_bytes_len(in) != sizeof ctx->fpu)
		return -EINVAL;
	fpu_drop(ctx);
	memcpy(ctx->fpu, fw__bytes_ptr(in), sizeof ctx->fpu);
	/* FXRSTOR faults on reserved MXCSR bits: clear them. */
	memcpy(&mxcsr, &ctx->fpu[24], 4);
	mxcsr &= mxcsr_mask;
	memcpy(&ctx->fpu[24], &mxcsr, 4);
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
	if (c->fpu_owner != ctx) {
		if (c->fpu_owner)
			fxsave(c->fpu_owner);
		__asm__ volatile("fxrstor64 %0" : : "m"(ctx->fpu));
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
	x86_sti();
	if (c->need_resched && c->preempt_count == 0)
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
