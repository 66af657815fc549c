/* t_sud.c: syscall user dispatch (prctl PR_SET_SYSCALL_USER_DISPATCH):
 * a blocked call becomes SIGSYS with Linux's siginfo and rax left holding
 * the number, the selector's ALLOW lets calls run, the allowed range is
 * never blocked, a bad selector value kills, the argument errors, and
 * neither fork nor execve keeps the setting. Also passes on Linux. */
#include "t.h"

#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>

#define PR_SET_SYSCALL_USER_DISPATCH_ 59
#define PR_SYS_DISPATCH_OFF_ 0
#define PR_SYS_DISPATCH_ON_ 1
#define SEL_ALLOW 0
#define SEL_BLOCK 1
#define SYS_USER_DISPATCH_ 2
#define AUDIT_ARCH_X86_64_ 0xc000003eu
#define BOGUS_NR 0xe000

static char *self_path;
static volatile char sel;
static volatile int got_sys, got_code, got_errno, got_nr;
static volatile unsigned got_arch;
static volatile uintptr_t got_addr;
static volatile long long got_rax;

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;

    (void)sig;
    sel = SEL_ALLOW; /* so that the handler's own return may run */
    got_sys++;
    got_code = si->si_code;
    got_errno = si->si_errno;
    got_nr = si->si_syscall;
    got_arch = si->si_arch;
    got_addr = (uintptr_t)si->si_call_addr;
    got_rax = uc->uc_mcontext.gregs[REG_RAX];
}

static int sud(unsigned long mode, unsigned long off, unsigned long len,
               volatile char *selector)
{
    return prctl(PR_SET_SYSCALL_USER_DISPATCH_, mode, off, len, selector);
}

/* A raw system call whose instruction lies inside this function, so that
 * a dispatch range can name it. */
static __attribute__((noinline)) long raw_syscall(long nr, long a, long b, long c, long d)
{
    long ret;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
                     : "rcx", "r11", "memory");
    return ret;
}

T_CASE(blocked_call_becomes_sigsys)
{
    struct sigaction sa = { 0 };
    long r;

    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    T_SYSOK(sigaction(SIGSYS, &sa, NULL));
    sel = SEL_ALLOW;
    got_sys = 0;
    T_SYSOK(sud(PR_SYS_DISPATCH_ON_, 0, 0, &sel));
    /* ALLOW: the call runs (and fails, as an unknown number). */
    errno = 0;
    r = syscall(BOGUS_NR);
    T_ASSERT(r == -1 && errno == ENOSYS);
    T_EQ(got_sys, 0);
    /* BLOCK: not run; SIGSYS, and the call "returns" its own number. */
    sel = SEL_BLOCK;
    r = syscall(BOGUS_NR);
    T_EQ(got_sys, 1);
    T_EQ(r, BOGUS_NR);
    T_EQ(got_rax, BOGUS_NR);
    T_EQ(got_code, SYS_USER_DISPATCH_);
    T_EQ(got_errno, 0);
    T_EQ(got_nr, BOGUS_NR);
    T_EQ(got_arch, AUDIT_ARCH_X86_64_);
    T_ASSERT(got_addr != 0);
    /* A blocked getpid runs no getpid either. */
    sel = SEL_BLOCK;
    T_EQ(syscall(SYS_getpid), SYS_getpid);
    T_EQ(got_sys, 2);
    T_SYSOK(sud(PR_SYS_DISPATCH_OFF_, 0, 0, NULL));
    sel = SEL_BLOCK; /* off: the selector no longer matters */
    T_EQ(syscall(SYS_getpid), getpid());
    T_EQ(got_sys, 2);
    signal(SIGSYS, SIG_DFL);
}

/* Calls from inside the range always run; without a selector every call
 * outside it is blocked (and with SIGSYS at its default action, kills). */
T_CASE(the_range_is_never_blocked)
{
    pid_t c = t_fork();
    if (c == 0) {
        long pid = getpid();
        signal(SIGSYS, SIG_DFL);
        if (sud(PR_SYS_DISPATCH_ON_, (uintptr_t)raw_syscall, 64, NULL))
            _exit(1);
        if (raw_syscall(SYS_getpid, 0, 0, 0, 0) != pid)
            raw_syscall(SYS_exit_group, 2, 0, 0, 0);
        syscall(SYS_getpid); /* outside: SIGSYS */
        raw_syscall(SYS_exit_group, 3, 0, 0, 0);
    }
    T_KILLED(c, SIGSYS);
}

/* A selector that is neither ALLOW nor BLOCK kills with SIGSYS, an
 * unreadable one with SIGSEGV, even with a handler installed. */
T_CASE(bad_selector_kills)
{
    struct sigaction sa = { 0 };
    static char *gone;

    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    T_SYSOK(sigaction(SIGSYS, &sa, NULL));
    pid_t c = t_fork();
    if (c == 0) {
        sigaction(SIGSYS, &sa, NULL);
        sel = 7;
        if (sud(PR_SYS_DISPATCH_ON_, 0, 0, &sel) == 0)
            syscall(SYS_getpid);
        _exit(0);
    }
    T_KILLED(c, SIGSYS);
    gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(gone != MAP_FAILED);
    c = t_fork();
    if (c == 0) {
        sigaction(SIGSYS, &sa, NULL);
        if (munmap(gone, 4096))
            _exit(1);
        if (sud(PR_SYS_DISPATCH_ON_, 0, 0, gone) == 0)
            syscall(SYS_getpid);
        _exit(0);
    }
    T_KILLED(c, SIGSEGV);
    munmap(gone, 4096);
    signal(SIGSYS, SIG_DFL);
}

T_CASE(prctl_errors)
{
    T_ERRNO(sud(PR_SYS_DISPATCH_OFF_, 1, 0, NULL), EINVAL);
    T_ERRNO(sud(PR_SYS_DISPATCH_OFF_, 0, 1, NULL), EINVAL);
    T_ERRNO(sud(PR_SYS_DISPATCH_OFF_, 0, 0, &sel), EINVAL);
    T_ERRNO(sud(7, 0, 0, NULL), EINVAL);
    T_ERRNO(sud(PR_SYS_DISPATCH_ON_, ~0ul, 2, &sel), EINVAL); /* wraps */
    T_ERRNO(sud(PR_SYS_DISPATCH_ON_, 0, 0, (volatile char *)0xffff800000000000ul),
            EFAULT);
    T_SYSOK(sud(PR_SYS_DISPATCH_OFF_, 0, 0, NULL));
}

/* fork and execve do not keep it: with no selector every call outside
 * the range would be blocked, and SIGSYS (default action) would kill. */
T_CASE(not_kept_across_fork_or_exec)
{
    pid_t c = t_fork();
    if (c == 0) {
        int st;
        char *av[] = { self_path, "--child-after-exec", NULL };
        char *ev[] = { NULL };
        if (sud(PR_SYS_DISPATCH_ON_, (uintptr_t)raw_syscall, 64, NULL))
            _exit(1);
        long g = raw_syscall(SYS_fork, 0, 0, 0, 0);
        if (g == 0) /* the child: dispatch is off, calls run */
            _exit(syscall(SYS_getpid) > 0 && getppid() > 0 ? 0 : 1);
        if (raw_syscall(SYS_wait4, g, (long)&st, 0, 0) != g ||
            !WIFEXITED(st) || WEXITSTATUS(st))
            raw_syscall(SYS_exit_group, 2, 0, 0, 0);
        raw_syscall(SYS_execve, (long)self_path, (long)av, (long)ev, 0);
        raw_syscall(SYS_exit_group, 3, 0, 0, 0);
    }
    T_EXITED(c, 0);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--child-after-exec") == 0) {
        /* After execve: ordinary calls must run. */
        return syscall(SYS_getpid) > 0 && write(1, "", 0) == 0 ? 0 : 5;
    }
    self_path = argv[0];
    t_init("t_sud");
    T_RUN(blocked_call_becomes_sigsys);
    T_RUN(the_range_is_never_blocked);
    T_RUN(bad_selector_kills);
    T_RUN(prctl_errors);
    T_RUN(not_kept_across_fork_or_exec);
    return t_done();
}
