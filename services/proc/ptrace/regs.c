/* services/proc/ptrace/regs.c: a stopped tracee's registers.
 *
 * Layer: services (safe C). The registers of a thread in a ptrace-stop
 * are its saved user context (struct fw_user_context in struct thread),
 * the very copy signal frames are built from; they are read and written
 * under p->lock while trace.stopped says the thread is asleep in its stop
 * (stop.c), and copied to and from the tracer outside it. What user space
 * sees is Linux's struct user_regs_struct (PTRACE_GETREGS, NT_PRSTATUS),
 * inside struct user for PEEKUSER/POKEUSER, and the syscall of the stop
 * for PTRACE_GET_SYSCALL_INFO. orig_rax is kept by ptrace itself: it is
 * the syscall number a stop happened in (-1 outside one).
 *
 * The x87/SSE registers are read in FXSAVE's layout (PTRACE_GETFPREGS,
 * NT_PRFPREG); setting them (SETFPREGS) is not here (-EIO), nor the
 * debug registers, which read as 0 and take only 0. */
#include <fw/errno.h>
#include <fw/uaccess.h>
#include <fw/user.h>
#include "current/current.h"
#include "proc/proc_internal.h"
#include "proc/ptrace/ptrace.h"

#define USER_CS 0x33
#define USER_SS 0x2b
/* The flags a tracer may change (Linux FLAG_MASK: CF PF AF ZF SF TF DF
 * OF RF AC). */
#define USER_FLAGS 0x50dd5ull
#define TASK_SIZE 0x00007ffffffff000ull

struct syscall_info {
	uint8_t op;
	uint8_t pad[3];
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t stack_pointer;
	union {
		struct {
			uint64_t nr;
			uint64_t args[6];
		} entry;
		struct {
			int64_t rval;
			uint8_t is_error;
		} exit;
	} u;
};

/* The first len bytes of a view (len within it: the callers clamp). */
static struct fw_bytes head_of(struct fw_bytes b, size_t len)
{
	struct fw_bytes out = b;

	if (fw_bytes_sub(b, 0, len, &out))
		return b;
	return out;
}

static struct fw_buf head_of_buf(struct fw_buf b, size_t len)
{
	struct fw_buf out = b;

	if (fw_buf_sub(b, 0, len, &out))
		return b;
	return out;
}

struct k_iovec {
	uint64_t base, len;
};

static void get_regs(struct thread *t, struct user_regs *r)
{
	const struct fw_user_context *x = &t->ctx;

	*r = (struct user_regs){
		.r15 = x->r15, .r14 = x->r14, .r13 = x->r13, .r12 = x->r12,
		.rbp = x->rbp, .rbx = x->rbx, .r11 = x->r11, .r10 = x->r10,
		.r9 = x->r9, .r8 = x->r8, .rax = x->rax, .rcx = x->rcx,
		.rdx = x->rdx, .rsi = x->rsi, .rdi = x->rdi,
		.orig_rax = t->trace.orig_rax, .rip = x->rip, .cs = USER_CS,
		.eflags = x->rflags, .rsp = x->rsp, .ss = USER_SS,
		.fs_base = x->fs_base, .gs_base = x->gs_base,
	};
}

/* Linux putreg's checks: segment selectors stay what a 64-bit task has,
 * the bases must be user addresses. */
static int check_regs(const struct user_regs *r)
{
	if (r->cs != USER_CS || r->ss != USER_SS || r->ds || r->es ||
	    r->fs || r->gs)
		return -EIO;
	if (r->fs_base >= TASK_SIZE || r->gs_base >= TASK_SIZE)
		return -EIO;
	return 0;
}

static void set_regs(struct thread *t, const struct user_regs *r)
{
	struct fw_user_context *x = &t->ctx;

	x->r15 = r->r15, x->r14 = r->r14, x->r13 = r->r13, x->r12 = r->r12;
	x->rbp = r->rbp, x->rbx = r->rbx, x->r11 = r->r11, x->r10 = r->r10;
	x->r9 = r->r9, x->r8 = r->r8, x->rax = r->rax, x->rcx = r->rcx;
	x->rdx = r->rdx, x->rsi = r->rsi, x->rdi = r->rdi;
	x->rip = r->rip, x->rsp = r->rsp;
	x->rflags = (x->rflags & ~USER_FLAGS) | (r->eflags & USER_FLAGS);
	x->fs_base = r->fs_base, x->gs_base = r->gs_base;
	t->trace.orig_rax = r->orig_rax;
}

/* Read the registers of stopped t: -ESRCH if it left the stop meanwhile
 * (killed). */
static int read_regs(struct thread *t, struct user_regs *r)
{
	fw_irqflags_t fl;
	struct proc *p = ptrace_lock_proc(t, &fl);
	int err = -ESRCH;

	if (!p)
		return err;
	if (t->trace.stopped) {
		get_regs(t, r);
		err = 0;
	}
	ptrace_unlock_proc(p, fl);
	return err;
}

/* Write them, the first `len` bytes of r only (the rest as they are). */
static int write_regs(struct thread *t, const struct user_regs *r, size_t len)
{
	fw_irqflags_t fl;
	struct proc *p = ptrace_lock_proc(t, &fl);
	struct user_regs m;
	int err = -ESRCH;

	if (!p)
		return err;
	if (t->trace.stopped) {
		get_regs(t, &m);
		err = fw_buf_copy_from(FW_BUF_OF_OBJ(&m), 0,
				       head_of(FW_BYTES_OF_OBJ(r), len));
		if (!err)
			err = check_regs(&m);
		if (!err)
			set_regs(t, &m);
	}
	ptrace_unlock_proc(p, fl);
	return err;
}

/* PEEKUSER / POKEUSER: an aligned offset into struct user. */
static long user_area(struct thread *t, bool poke, uint64_t off, uint64_t data)
{
	struct user_regs r;
	uint64_t words[sizeof r / 8];
	int err;

	if ((off & 7) || off >= USER_AREA_SIZE)
		return -EIO;
	if (off >= sizeof r) {
		/* u_debugreg and the rest: zeros (no hardware breakpoints). */
		if (!poke) {
			uint64_t zero = 0;
			return FW_COPY_OUT_OBJ(fw_uptr(data), &zero) ? -EFAULT
								     : 0;
		}
		return (off >= USER_DEBUGREG_OFF && data == 0) ? 0 : -EIO;
	}
	err = read_regs(t, &r);
	if (err)
		return err;
	err = fw_buf_copy_from(FW_BUF_OF_ARRAY(words), 0, FW_BYTES_OF_OBJ(&r));
	if (err)
		return err;
	if (!poke)
		return FW_COPY_OUT_OBJ(fw_uptr(data), &words[off / 8]) ? -EFAULT
									: 0;
	words[off / 8] = data;
	err = fw_buf_copy_from(FW_BUF_OF_OBJ(&r), 0, FW_BYTES_OF_ARRAY(words));
	return err ? err : write_regs(t, &r, sizeof r);
}

#define FPREGS_SIZE 512 /* struct user_i387_struct: FXSAVE's layout */

enum fpu_op {
	FPU_GET_LEGACY, /* x87/SSE, FXSAVE's layout, the first len bytes */
	FPU_GET_XSTATE, /* the whole XSAVE image */
	FPU_SET,        /* either, by len (fw_user_fpu_set) */
};

/* The stopped thread's FPU state to or from the tracer's memory at u.
 * The thread sleeps in its stop, so its saved context stays as it is
 * while it is copied. */
static int fpu_access(struct thread *t, enum fpu_op op, fw_uptr_t u,
		      size_t len)
{
	fw_irqflags_t fl;
	struct proc *p = ptrace_lock_proc(t, &fl);
	bool stopped = p && t->trace.stopped;
	uint64_t sw[6] = { fw_user_fpu_features() };

	if (p)
		ptrace_unlock_proc(p, fl);
	if (!stopped)
		return -ESRCH;
	switch (op) {
	case FPU_GET_LEGACY:
		return fw_user_fpu_save_legacy(&t->ctx, u, len) ? -EFAULT : 0;
	case FPU_GET_XSTATE:
		/* Bytes 464..511 are Linux's sw_reserved, which ptrace fills
		 * with XCR0 and zeros (xstate_fx_sw_bytes): gdb reads the
		 * enabled components there. */
		if (fw_user_fpu_save(&t->ctx, u) ||
		    FW_COPY_OUT_OBJ(fw_uptr_add(u, 464), &sw))
			return -EFAULT;
		return 0;
	case FPU_SET:
		return fw_user_fpu_set(&t->ctx, u, len);
	}
	return -EINVAL;
}

/* NT_PRFPREG and NT_X86_XSTATE. A read gives at most the regset's size
 * (the whole XSAVE image: no less); a write must give all of it, as
 * Linux's xfpregs_set and xstateregs_set ask. */
static long fpu_regset(struct thread *t, bool set, uint64_t type,
		       uint64_t data)
{
	bool xstate = type == NT_X86_XSTATE;
	size_t size = xstate ? fw_user_fpu_size() : FPREGS_SIZE;
	struct k_iovec iov;
	size_t len;
	int err;

	if (xstate && size <= FPREGS_SIZE)
		return -ENODEV; /* no XSAVE: no such regset */
	if (FW_COPY_IN_OBJ(&iov, fw_uptr(data)))
		return -EFAULT;
	len = iov.len < size ? (size_t)iov.len : size;
	if ((set || xstate) && len != size)
		return -EINVAL;
	if (set)
		err = fpu_access(t, FPU_SET, fw_uptr(iov.base), len);
	else
		err = fpu_access(t, xstate ? FPU_GET_XSTATE : FPU_GET_LEGACY,
				 fw_uptr(iov.base), len);
	if (err)
		return err;
	iov.len = len;
	return FW_COPY_OUT_OBJ(fw_uptr(data), &iov) ? -EFAULT : 0;
}

static long regset(struct thread *t, bool set, uint64_t type, uint64_t data)
{
	struct k_iovec iov;
	struct user_regs r;
	size_t len;
	int err;

	if (type == NT_PRFPREG || type == NT_X86_XSTATE)
		return fpu_regset(t, set, type, data);
	if (type != NT_PRSTATUS)
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&iov, fw_uptr(data)))
		return -EFAULT;
	len = iov.len < sizeof r ? (size_t)iov.len : sizeof r;
	if (set) {
		r = (struct user_regs){ 0 };
		if (fw_copy_in(head_of_buf(FW_BUF_OF_OBJ(&r), len),
			       fw_uptr(iov.base)))
			return -EFAULT;
		err = write_regs(t, &r, len);
	} else {
		err = read_regs(t, &r);
		if (!err && fw_copy_out(fw_uptr(iov.base),
					head_of(FW_BYTES_OF_OBJ(&r), len)))
			err = -EFAULT;
	}
	if (err)
		return err;
	iov.len = len;
	return FW_COPY_OUT_OBJ(fw_uptr(data), &iov) ? -EFAULT : 0;
}

/* PTRACE_GET_SYSCALL_INFO: copies at most `size` bytes, returns the size
 * of the whole answer (Linux ptrace_get_syscall_info). */
static long syscall_info(struct thread *t, uint64_t size, uint64_t data)
{
	struct syscall_info si = { 0 };
	struct user_regs r;
	size_t len = __builtin_offsetof(struct syscall_info, u);
	int op;
	fw_irqflags_t fl;
	struct proc *p = ptrace_lock_proc(t, &fl);

	if (!p)
		return -ESRCH;
	op = t->trace.syscall_op;
	if (!(t->trace.options & PTRACE_O_TRACESYSGOOD))
		op = PTRACE_SYSCALL_INFO_NONE; /* Linux tells by SIGTRAP|0x80 */
	ptrace_unlock_proc(p, fl);
	if (read_regs(t, &r))
		return -ESRCH;
	si.op = (uint8_t)op;
	si.arch = AUDIT_ARCH_X86_64;
	si.instruction_pointer = r.rip;
	si.stack_pointer = r.rsp;
	if (op == PTRACE_SYSCALL_INFO_ENTRY) {
		si.u.entry.nr = r.orig_rax;
		si.u.entry.args[0] = r.rdi;
		si.u.entry.args[1] = r.rsi;
		si.u.entry.args[2] = r.rdx;
		si.u.entry.args[3] = r.r10;
		si.u.entry.args[4] = r.r8;
		si.u.entry.args[5] = r.r9;
		len = __builtin_offsetof(struct syscall_info, u.entry.args) +
		      sizeof si.u.entry.args;
	} else if (op == PTRACE_SYSCALL_INFO_EXIT) {
		si.u.exit.rval = (int64_t)r.rax;
		si.u.exit.is_error = (int64_t)r.rax < 0 &&
				     (int64_t)r.rax >= -4095;
		len = __builtin_offsetof(struct syscall_info, u.exit.is_error) + 1;
	}
	if (fw_copy_out(fw_uptr(data),
			head_of(FW_BYTES_OF_OBJ(&si),
					size < len ? (size_t)size : len)))
		return -EFAULT;
	return (long)len;
}

long ptrace_regs_request(struct thread *t, long req, uint64_t addr,
			 uint64_t data)
{
	struct user_regs r;
	int err;

	switch (req) {
	case PTRACE_PEEKUSR:
		return user_area(t, false, addr, data);
	case PTRACE_POKEUSR:
		return user_area(t, true, addr, data);
	case PTRACE_GETREGS:
		err = read_regs(t, &r);
		if (!err && FW_COPY_OUT_OBJ(fw_uptr(data), &r))
			err = -EFAULT;
		return err;
	case PTRACE_SETREGS:
		if (FW_COPY_IN_OBJ(&r, fw_uptr(data)))
			return -EFAULT;
		return write_regs(t, &r, sizeof r);
	case PTRACE_GETREGSET:
		return regset(t, false, addr, data);
	case PTRACE_SETREGSET:
		return regset(t, true, addr, data);
	case PTRACE_GET_SYSCALL_INFO:
		return syscall_info(t, addr, data);
	case PTRACE_GETFPREGS:
		return fpu_access(t, FPU_GET_LEGACY, fw_uptr(data), FPREGS_SIZE);
	case PTRACE_SETFPREGS:
		return fpu_access(t, FPU_SET, fw_uptr(data), FPREGS_SIZE);
	}
	return -EIO; /* unknown */
}
