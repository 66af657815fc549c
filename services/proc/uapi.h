/* services/proc/uapi.h: Linux x86-64 ABI values for processes and signals.
 *
 * Layer: services. Copied from <asm/signal.h>, <asm-generic/signal-defs.h>,
 * <asm/sigcontext.h>, <linux/sched.h>, <linux/wait.h>, <linux/resource.h>
 * and <linux/futex.h>: the numbers are the ABI. */
#ifndef SERVICES_PROC_UAPI_H
#define SERVICES_PROC_UAPI_H

#include "current/current.h" /* RLIMIT_*, ERESTART* */

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPWR 30
#define SIGSYS 31
#define NSIG 64 /* signals 1..64 */

#define SIG_DFL 0ull
#define SIG_IGN 1ull

#define SA_NOCLDSTOP 0x00000001u
#define SA_NOCLDWAIT 0x00000002u
#define SA_SIGINFO 0x00000004u
#define SA_RESTORER 0x04000000u
#define SA_ONSTACK 0x08000000u
#define SA_RESTART 0x10000000u
#define SA_NODEFER 0x40000000u
#define SA_RESETHAND 0x80000000u

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

#define SS_ONSTACK 1
#define SS_DISABLE 2
#define MINSIGSTKSZ 2048

/* si_code values */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_TIMER (-2)
#define SI_MESGQ (-3)
#define SI_TKILL (-6)
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRERR 2
#define ILL_ILLOPN 2
#define FPE_INTDIV 1
#define TRAP_BRKPT 1
#define TRAP_TRACE 2
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define CLD_TRAPPED 4
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

/* The kernel's restart codes (ERESTARTSYS, ...), never seen by user
 * space: services/current/current.h. */

/* clone flags */
#define CSIGNAL 0x000000ffu
#define CLONE_VM 0x00000100u
#define CLONE_FS 0x00000200u
#define CLONE_FILES 0x00000400u
#define CLONE_SIGHAND 0x00000800u
#define CLONE_PIDFD 0x00001000u
#define CLONE_PTRACE 0x00002000u
#define CLONE_VFORK 0x00004000u
#define CLONE_UNTRACED 0x00800000u
#define CLONE_PARENT 0x00008000u
#define CLONE_THREAD 0x00010000u
#define CLONE_NEWNS 0x00020000u
#define CLONE_SYSVSEM 0x00040000u
#define CLONE_SETTLS 0x00080000u
#define CLONE_PARENT_SETTID 0x00100000u
#define CLONE_CHILD_CLEARTID 0x00200000u
#define CLONE_DETACHED 0x00400000u
#define CLONE_CHILD_SETTID 0x01000000u
/* Namespaces (none exist here; clone and unshare refuse them). */
#define CLONE_NEWTIME 0x00000080u
#define CLONE_NEWCGROUP 0x02000000u
#define CLONE_NEWUTS 0x04000000u
#define CLONE_NEWIPC 0x08000000u
#define CLONE_NEWUSER 0x10000000u
#define CLONE_NEWPID 0x20000000u
#define CLONE_NEWNET 0x40000000u
/* clone3 only (linux/sched.h). */
#define CLONE_CLEAR_SIGHAND 0x100000000ull
#define CLONE_INTO_CGROUP 0x200000000ull

/* clone3's argument block; callers pass its size, at least the first 64
 * bytes (CLONE_ARGS_SIZE_VER0). */
struct k_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls;
	uint64_t set_tid, set_tid_size; /* VER1 */
	uint64_t cgroup;                /* VER2 */
};
#define CLONE_ARGS_SIZE_VER0 64

/* wait */
#define WNOHANG 0x00000001
#define WUNTRACED 0x00000002
#define WSTOPPED WUNTRACED
#define WEXITED 0x00000004
#define WCONTINUED 0x00000008
#define WNOWAIT 0x01000000
#define __WALL 0x40000000
#define __WCLONE 0x80000000
#define P_ALL 0
#define P_PID 1
#define P_PGID 2
#define P_PIDFD 3

/* RLIMIT_*, RLIM_INFINITY: services/current/current.h. */

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

/* struct sigaction as the kernel sees it (rt_sigaction, x86-64). */
struct k_sigaction {
	uint64_t handler;  /* SIG_DFL, SIG_IGN or a function */
	uint64_t flags;    /* SA_* */
	uint64_t restorer; /* SA_RESTORER: where the handler returns */
	uint64_t mask;     /* blocked during the handler */
};

/* siginfo_t: 128 bytes; the fields we fill. */
struct k_siginfo {
	int32_t si_signo;
	int32_t si_errno;
	int32_t si_code;
	int32_t pad0;
	uint64_t f0; /* si_pid|si_uid, or si_addr */
	uint64_t f1; /* si_status (CLD), or unused */
	uint64_t f2; /* si_utime */
	uint64_t f3; /* si_stime */
	uint8_t rest[128 - 48];
};
FW_STATIC_ASSERT(sizeof(struct k_siginfo) == 128, "siginfo_t is 128 bytes");

/* struct sigcontext (x86-64) = uc_mcontext. */
struct k_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate; /* user pointer to the FXSAVE/XSAVE image */
	uint64_t reserved1[8];
};
FW_STATIC_ASSERT(sizeof(struct k_sigcontext) == 256, "sigcontext layout");

struct k_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

/* The FPU image a handler frame carries (asm/sigcontext.h): its first 512
 * bytes are the FXSAVE layout; with XSAVE, bytes 464..511 hold these
 * "software" bytes, the XSAVE image follows to xstate_size, and
 * FP_XSTATE_MAGIC2 comes right after it. */
#define FP_XSTATE_MAGIC1 0x46505853u
#define FP_XSTATE_MAGIC2 0x46505845u
#define FP_XSTATE_MAGIC2_SIZE 4
#define FPX_SW_BYTES_OFFSET 464
struct k_fpx_sw_bytes {
	uint32_t magic1;        /* FP_XSTATE_MAGIC1 */
	uint32_t extended_size; /* xstate_size + FP_XSTATE_MAGIC2_SIZE */
	uint64_t xfeatures;     /* the XSAVE components in the image */
	uint32_t xstate_size;   /* bytes of the XSAVE image */
	uint32_t padding[7];
};
FW_STATIC_ASSERT(sizeof(struct k_fpx_sw_bytes) == 48, "_fpx_sw_bytes layout");

/* uc_flags (asm/ucontext.h). */
#define UC_FP_XSTATE 0x1         /* fpstate has the XSAVE "software" bytes */
#define UC_SIGCONTEXT_SS 0x2     /* uc_mcontext.ss is the interrupted SS */
#define UC_STRICT_RESTORE_SS 0x4 /* sigreturn restores that SS */

struct k_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct k_stack uc_stack;
	struct k_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

/* What the kernel pushes for a handler (arch/x86/include/asm/sigframe.h). */
struct k_rt_sigframe {
	uint64_t pretcode;      /* the restorer: handler's return address */
	struct k_ucontext uc;
	struct k_siginfo info;
};

struct k_rlimit {
	uint64_t cur, max;
};

struct k_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct k_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

/* struct rusage: the times, then 14 longs this kernel leaves 0 (memory
 * and I/O counters it does not keep). */
struct k_rusage {
	struct k_timeval utime, stime;
	int64_t rest[14];
};

#endif
