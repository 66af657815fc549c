/* fw/user.h: running user-mode code.
 *
 * Layer: framework public API, after Asterinas OSTD's UserMode::execute.
 * A process service keeps one fw_user_context per thread and loops:
 *
 *     for (;;) {
 *             fw_user_run(&ctx, &why);        // user code runs here
 *             switch (why.reason) { ... }     // syscall, fault, ...
 *     }
 *
 * fw_user_run enters user mode with the registers in ctx (in the address
 * space made current with fw_vmspace_activate) and returns when user code
 * makes a system call, faults, or is interrupted; ctx then holds the user
 * registers at that point. For a syscall, rax is the number and rdi, rsi,
 * rdx, r10, r8, r9 the arguments (Linux x86-64 ABI); set rax to the result
 * before running again. The user can never reach kernel privilege: IOPL is
 * forced to 0, interrupts on, and a non-canonical rip is refused. */
#ifndef FW_USER_H
#define FW_USER_H

#include <fw/compiler.h>
#include <fw/uaccess.h>

/* Bytes a context keeps for the FPU and vector registers: the XSAVE image
 * of x87, SSE, AVX and AVX-512 in the standard format (SDM vol. 1, 13.4).
 * A CPU with more state than that runs with the rest turned off. */
#define FW_USER_FPU_MAX 2688

struct fw_user_context {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip;
	uint64_t rflags;
	uint64_t fs_base;              /* arch_prctl(ARCH_SET_FS) */
	uint64_t gs_base;              /* arch_prctl(ARCH_SET_GS) */
	/* x87/SSE/AVX state (an FXSAVE or XSAVE image), managed by the
	 * framework; XSAVE wants it 64-byte aligned. */
	uint8_t __private fpu[FW_USER_FPU_MAX] __attribute__((aligned(64)));
};

enum fw_user_reason {
	FW_USER_SYSCALL = 1,    /* `syscall` instruction */
	FW_USER_PAGE_FAULT = 2, /* addr, and FW_FAULT_* in error */
	FW_USER_EXCEPTION = 3,  /* another CPU exception: vector, error */
	FW_USER_INTERRUPT = 4,  /* a device/timer interrupt or preemption */
};

#define FW_FAULT_PRESENT (1u << 0) /* protection fault on a present page */
#define FW_FAULT_WRITE (1u << 1)
#define FW_FAULT_EXEC (1u << 4)

/* x86 exception vectors services translate into signals. */
enum fw_user_vector {
	FW_VEC_DIVIDE = 0,
	FW_VEC_DEBUG = 1,
	FW_VEC_BREAKPOINT = 3,
	FW_VEC_OVERFLOW = 4,
	FW_VEC_BOUND = 5,
	FW_VEC_INVALID_OPCODE = 6,
	FW_VEC_DEVICE_NA = 7,
	FW_VEC_GP = 13,
	FW_VEC_STACK = 12,
	FW_VEC_PAGE_FAULT = 14,
	FW_VEC_X87 = 16,
	FW_VEC_ALIGNMENT = 17,
	FW_VEC_SIMD = 19,
};

struct fw_user_exit {
	enum fw_user_reason reason;
	uint32_t vector; /* exception vector (FW_USER_EXCEPTION/PAGE_FAULT) */
	uint64_t error;  /* CPU error code; FW_FAULT_* bits for page faults */
	uint64_t addr;   /* faulting address (page faults) */
};

/* A fresh context: zero registers, default FPU state (FNINIT + MXCSR
 * 0x1F80, as Linux gives a new process), interrupts enabled. */
void fw_user_context_init(struct fw_user_context *ctx);
/* Copy all state, including FPU (fork/clone). */
void fw_user_context_copy(struct fw_user_context *dst,
			  const struct fw_user_context *src);
/* Call before freeing or reusing a context's memory for something else:
 * the CPU may still hold its FPU state to be written back there. */
void fw_user_context_release(struct fw_user_context *ctx);
/* Reset the FPU state only (execve). */
void fw_user_context_reset_fpu(struct fw_user_context *ctx);

/* Run ctx in user mode until it comes back to the kernel; see above. */
void fw_user_run(struct fw_user_context *ctx, struct fw_user_exit *why);

/* The FPU image as signal frames carry it (Linux's `struct _fpstate` is
 * its first 512 bytes, the FXSAVE layout): its size in bytes, 512 on a CPU
 * without XSAVE or the XSAVE standard-format size, and the XSAVE state
 * components it holds (XCR0: x87 and SSE at least). */
size_t fw_user_fpu_size(void);
uint64_t fw_user_fpu_features(void);

/* Write ctx's image, fw_user_fpu_size() bytes, to user memory at `to`
 * (which user code's own XRSTOR wants 64-byte aligned): 0 or -EFAULT.
 * Bytes 464..511 are the caller's to fill (the CPU never uses them; Linux
 * keeps its _fpx_sw_bytes there). */
FW_MUST_CHECK int fw_user_fpu_save(const struct fw_user_context *ctx,
				   fw_uptr_t to);
/* Write the first len (at most 512) bytes of ctx's x87/SSE state in
 * FXSAVE's layout (ptrace's user_i387_struct and NT_PRFPREG) to user
 * memory at `to`: components an XSAVE image holds in their initial state
 * get their initial values. 0 or -EFAULT. */
FW_MUST_CHECK int fw_user_fpu_save_legacy(const struct fw_user_context *ctx,
					  fw_uptr_t to, size_t len);
/* Load ctx's image from user memory at `from`. `len` is 512, the FXSAVE
 * part only (AVX and later start from their initial state), or
 * fw_user_fpu_size(); then only the components in `features` come from
 * the image and the others start from their initial state. 0; -EFAULT;
 * -EINVAL for another len or an image the CPU would refuse to load
 * (reserved MXCSR bits, an XSAVE header naming components not enabled or
 * with its other fields not zero). On an error ctx's FPU state is reset
 * to the initial one. */
FW_MUST_CHECK int fw_user_fpu_restore(struct fw_user_context *ctx,
				      fw_uptr_t from, size_t len,
				      uint64_t features);
/* ptrace's setters (PTRACE_SETFPREGS, NT_PRFPREG, NT_X86_XSTATE): load
 * from user memory at `from` either the x87/SSE state in FXSAVE's layout
 * (len 512: the other components keep theirs) or the whole image (len
 * fw_user_fpu_size(), on a CPU with XSAVE), checked as
 * fw_user_fpu_restore checks it before ctx is changed. 0; -EFAULT;
 * -EINVAL for another len or an image the CPU would refuse, with ctx
 * unchanged (unless the caller changes its memory during the call). */
FW_MUST_CHECK int fw_user_fpu_set(struct fw_user_context *ctx,
				  fw_uptr_t from, size_t len);

#endif
