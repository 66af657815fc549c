/* t_ptrace.c: ptrace(2) and process_vm_readv(2), as Linux documents them
 * (man 2 ptrace, "Stopped states", "Options", "Errors").
 *
 * Each case traces a t_fork() child. A child that must stop before the
 * parent looks at it does PTRACE_TRACEME then raise(SIGSTOP): the parent
 * sees that as a signal-delivery-stop for SIGSTOP and resumes with signal
 * 0, which cancels the stop signal. Children that are themselves this
 * program re-executed take the "--child-" arguments. */
#include "t.h"

#include <cpuid.h>
#include <pthread.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>

static char *self_path;

/* struct ptrace_syscall_info (<linux/ptrace.h>) */
struct sc_info {
    uint8_t op;
    uint8_t pad[3];
    uint32_t arch;
    uint64_t ip, sp;
    union {
        struct { uint64_t nr, args[6]; } entry;
        struct { int64_t rval; uint8_t is_error; } exit;
    } u;
};

static long pt(long req, pid_t pid, long addr, long data)
{
    return syscall(SYS_ptrace, req, pid, addr, data);
}

/* Child side: be traced by the parent and stop. */
static void trace_me_and_stop(void)
{
    if (pt(PTRACE_TRACEME, 0, 0, 0) != 0)
        _exit(90);
    raise(SIGSTOP);
}

/* Parent side: wait for a stop of pid; its status, or -1. */
static int wait_stop(pid_t pid)
{
    int st = 0;
    if (waitpid(pid, &st, __WALL) != pid || !WIFSTOPPED(st))
        return -1;
    return st;
}

/* Parent side: resume every stop of pid, passing its signal on, until it
 * exits; its wait status. */
static int cont_until_exit(pid_t pid)
{
    int st = 0;
    for (;;) {
        if (waitpid(pid, &st, __WALL) != pid)
            return -1;
        if (!WIFSTOPPED(st))
            return st;
        int sig = (st >> 16) ? 0 : WSTOPSIG(st) & 0x7f;
        if (sig == SIGTRAP || sig == SIGSTOP)
            sig = 0;
        if (pt(PTRACE_CONT, pid, 0, sig) != 0)
            return -1;
    }
}

/* Read a field of /proc/<pid>/status into out (the text after "key:\t"). */
static int status_field(pid_t pid, const char *key, char *out, size_t n)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    return t_status_field(path, key, out, n);
}

T_CASE(traceme_exec_stop)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        if (pt(PTRACE_TRACEME, 0, 0, 0) != 0)
            _exit(90);
        char *av[] = { self_path, "--child-exit7", NULL };
        char *ev[] = { NULL };
        execve(self_path, av, ev);
        _exit(91);
    }
    int st = wait_stop(c);
    T_ASSERT(st != -1);
    T_EQ(WSTOPSIG(st), SIGTRAP); /* the exec stop: a plain SIGTRAP */
    T_EQ(st >> 16, 0);
    char v[64], me[16];
    T_SYSOK(status_field(c, "State", v, sizeof v));
    T_STREQ(v, "t (tracing stop)");
    T_SYSOK(status_field(c, "TracerPid", v, sizeof v));
    snprintf(me, sizeof me, "%d", (int)getpid());
    T_STREQ(v, me);
    /* The SIGTRAP is the stop's signal: resuming with 0 cancels it. */
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));
    T_EXITED(c, 7);
}

T_CASE(traceexec_event)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        trace_me_and_stop();
        char *av[] = { self_path, "--child-exit7", NULL };
        char *ev[] = { NULL };
        execve(self_path, av, ev);
        _exit(91);
    }
    int st = wait_stop(c);
    T_EQ(WSTOPSIG(st), SIGSTOP);
    T_SYSOK(pt(PTRACE_SETOPTIONS, c, 0, PTRACE_O_TRACEEXEC));
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));
    st = wait_stop(c);
    T_EQ(st >> 8, SIGTRAP | (PTRACE_EVENT_EXEC << 8));
    unsigned long msg = 0;
    T_SYSOK(pt(PTRACE_GETEVENTMSG, c, 0, (long)&msg));
    T_EQ(msg, c); /* the former thread id */
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));
    T_EXITED(c, 7);
}

static volatile uint64_t peek_var = 0x1122334455667788ull;
static const volatile uint64_t ro_var = 0x0102030405060708ull;

T_CASE(peek_poke_data_and_text)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        trace_me_and_stop();
        _exit((peek_var == 0xdeadbeefull ? 0 : 1) |
              (ro_var == 0x0a0b0c0dull ? 0 : 2));
    }
    T_ASSERT(wait_stop(c) != -1);
    errno = 0;
    long w = ptrace(PTRACE_PEEKDATA, c, (void *)&peek_var, NULL);
    T_EQ(errno, 0);
    T_EQ((uint64_t)w, 0x1122334455667788ull);
    T_SYSOK(pt(PTRACE_POKEDATA, c, (long)&peek_var, 0xdeadbeef));
    errno = 0;
    w = ptrace(PTRACE_PEEKDATA, c, (void *)&peek_var, NULL);
    T_EQ((uint64_t)w, 0xdeadbeefull);
    /* A read-only page (.rodata) is written through a private copy
     * (FOLL_FORCE): the child sees it, we do not. */
    T_SYSOK(pt(PTRACE_POKETEXT, c, (long)&ro_var, 0x0a0b0c0d));
    T_EQ(ro_var, 0x0102030405060708ull);
    /* An unaligned word across the page of peek_var works too. */
    errno = 0;
    w = ptrace(PTRACE_PEEKDATA, c, (void *)((char *)&peek_var + 1), NULL);
    T_EQ(errno, 0);
    /* Unmapped: EIO (a short access_process_vm). */
    T_ERRNO(pt(PTRACE_PEEKDATA, c, 0, (long)&w), EIO);
    T_ERRNO(pt(PTRACE_POKEDATA, c, 0x1000, 0), EIO);
    T_ERRNO(pt(PTRACE_PEEKDATA, c, (long)0xffff800000000000ull, (long)&w), EIO);
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));
    T_EXITED(c, 0);
}

/* Resume with PTRACE_SYSCALL until the entry stop of syscall nr; returns
 * the stop status or -1. */
static int run_to_entry(pid_t c, long nr)
{
    for (int i = 0; i < 100; i++) {
        struct user_regs_struct r;
        if (pt(PTRACE_SYSCALL, c, 0, 0) != 0)
            return -1;
        int st = wait_stop(c);
        if (st == -1)
            return -1;
        if (pt(PTRACE_GETREGS, c, 0, (long)&r) != 0)
            return -1;
        if ((long)r.orig_rax == nr && (long)r.rax == -ENOSYS)
            return st;
    }
    return -1;
}

T_CASE(getregs_setregs_change_result)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        trace_me_and_stop();
        long r = syscall(SYS_getppid);
        _exit(r == 4242 ? 0 : 1);
    }
    T_ASSERT(wait_stop(c) != -1);
    T_SYSOK(pt(PTRACE_SETOPTIONS, c, 0, PTRACE_O_TRACESYSGOOD));
    int st = run_to_entry(c, SYS_getppid);
    T_ASSERT(st != -1);
    T_EQ(WSTOPSIG(st), SIGTRAP | 0x80);
    struct sc_info si;
    memset(&si, 0, sizeof si);
    T_EQ(pt(PTRACE_GET_SYSCALL_INFO, c, sizeof si, (long)&si),
         offsetof(struct sc_info, u.entry.args) + 6 * 8);
    T_EQ(si.op, 1);
    T_EQ(si.arch, 0xc000003eu);
    T_EQ(si.u.entry.nr, SYS_getppid);
    /* PEEKUSER: orig_rax, and u_debugreg reads as 0. */
    errno = 0;
    long v = ptrace(PTRACE_PEEKUSER, c,
                    (void *)offsetof(struct user, regs.orig_rax), NULL);
    T_EQ(v, SYS_getppid);
    v = ptrace(PTRACE_PEEKUSER, c, (void *)offsetof(struct user, u_debugreg), NULL);
    T_EQ(errno, 0);
    T_EQ(v, 0);
    T_ERRNO(pt(PTRACE_PEEKUSER, c, 3, (long)&v), EIO);    /* unaligned */
    T_ERRNO(pt(PTRACE_PEEKUSER, c, 4096, (long)&v), EIO); /* past struct user */
    /* The exit stop: the result is there; change it. */
    T_SYSOK(pt(PTRACE_SYSCALL, c, 0, 0));
    st = wait_stop(c);
    T_EQ(WSTOPSIG(st), SIGTRAP | 0x80);
    T_EQ(pt(PTRACE_GET_SYSCALL_INFO, c, sizeof si, (long)&si),
         offsetof(struct sc_info, u.exit.is_error) + 1);
    T_EQ(si.op, 2);
    T_EQ(si.u.exit.rval, getpid());
    struct user_regs_struct r;
    T_SYSOK(pt(PTRACE_GETREGS, c, 0, (long)&r));
    T_EQ(r.rax, getpid());
    T_EQ(r.orig_rax, SYS_getppid);
    T_EQ(r.cs, 0x33);
    r.rax = 4242;
    T_SYSOK(pt(PTRACE_SETREGS, c, 0, (long)&r));
    /* NT_PRSTATUS through GETREGSET gives the same. */
    struct user_regs_struct r2;
    struct iovec iov = { &r2, sizeof r2 };
    T_SYSOK(pt(PTRACE_GETREGSET, c, 1 /* NT_PRSTATUS */, (long)&iov));
    T_EQ(iov.iov_len, sizeof r2);
    T_EQ(r2.rax, 4242);
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));
    T_EXITED(c, 0);
}

T_CASE(syscall_stops_come_in_pairs)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        trace_me_and_stop();
        for (int i = 0; i < 5; i++)
            syscall(SYS_getppid);
        _exit(0);
    }
    T_ASSERT(wait_stop(c) != -1);
    T_SYSOK(pt(PTRACE_SETOPTIONS, c, 0, PTRACE_O_TRACESYSGOOD));
    int entries = 0, exits = 0, last = 2, bad = 0;
    for (;;) {
        int st = 0;
        T_SYSOK(pt(PTRACE_SYSCALL, c, 0, 0));
        T_EQ(waitpid(c, &st, 0), c);
        if (WIFEXITED(st))
            break;
        T_ASSERT(WIFSTOPPED(st));
        if (WSTOPSIG(st) != (SIGTRAP | 0x80))
            continue;
        struct sc_info si;
        T_ASSERT(pt(PTRACE_GET_SYSCALL_INFO, c, sizeof si, (long)&si) > 0);
        if (si.op == last)
            bad++; /* two entries or two exits in a row */
        last = si.op;
        struct user_regs_struct r;
        T_SYSOK(pt(PTRACE_GETREGS, c, 0, (long)&r));
        if (r.orig_rax == SYS_getppid)
            si.op == 1 ? entries++ : exits++;
    }
    T_EQ(bad, 0);
    T_EQ(entries, 5);
    T_EQ(exits, 5);
}

static volatile sig_atomic_t usr1_count;
static void on_usr1(int sig)
{
    (void)sig;
    usr1_count++;
}

T_CASE(signal_injection_and_suppression)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        signal(SIGUSR1, on_usr1);
        trace_me_and_stop();
        raise(SIGUSR1);
        raise(SIGUSR1);
        raise(SIGUSR2); /* the tracer turns it into SIGUSR1 */
        _exit(usr1_count);
    }
    T_ASSERT(wait_stop(c) != -1);
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));
    int st = wait_stop(c);
    T_EQ(WSTOPSIG(st), SIGUSR1);
    siginfo_t si;
    T_SYSOK(pt(PTRACE_GETSIGINFO, c, 0, (long)&si));
    T_EQ(si.si_signo, SIGUSR1);
    T_EQ(si.si_code, SI_TKILL);
    /* Not a syscall stop: PTRACE_SYSCALL_INFO_NONE, and the size up to
     * the union (strace checks both before it trusts the request). */
    struct sc_info sci;
    memset(&sci, 0xff, sizeof sci);
    T_EQ(pt(PTRACE_GET_SYSCALL_INFO, c, sizeof sci, (long)&sci),
         offsetof(struct sc_info, u));
    T_EQ(sci.op, 0);
    T_EQ(sci.arch, 0xc000003eu);
    T_SYSOK(pt(PTRACE_CONT, c, 0, SIGUSR1)); /* delivered */
    st = wait_stop(c);
    T_EQ(WSTOPSIG(st), SIGUSR1);
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));       /* suppressed */
    st = wait_stop(c);
    T_EQ(WSTOPSIG(st), SIGUSR2);
    T_ERRNO(pt(PTRACE_CONT, c, 0, 65), EIO); /* not a signal */
    T_SYSOK(pt(PTRACE_CONT, c, 0, SIGUSR1)); /* another one instead */
    T_EXITED(c, 2);
}

T_CASE(tracefork_auto_attaches)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        trace_me_and_stop();
        pid_t g = fork();
        if (g == 0)
            _exit(5);
        int gs = 0;
        if (waitpid(g, &gs, 0) != g)
            _exit(1);
        _exit(WIFEXITED(gs) && WEXITSTATUS(gs) == 5 ? 0 : 2);
    }
    T_ASSERT(wait_stop(c) != -1);
    T_SYSOK(pt(PTRACE_SETOPTIONS, c, 0, PTRACE_O_TRACEFORK));
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));
    int st = wait_stop(c);
    T_EQ(st >> 8, SIGTRAP | (PTRACE_EVENT_FORK << 8));
    unsigned long g = 0;
    T_SYSOK(pt(PTRACE_GETEVENTMSG, c, 0, (long)&g));
    T_ASSERT(g > 0);
    /* The new child starts traced by us, in a SIGSTOP stop. */
    st = wait_stop((pid_t)g);
    T_EQ(WSTOPSIG(st), SIGSTOP);
    char v[32], me[16];
    T_SYSOK(status_field((pid_t)g, "TracerPid", v, sizeof v));
    snprintf(me, sizeof me, "%d", (int)getpid());
    T_STREQ(v, me);
    T_SYSOK(pt(PTRACE_CONT, (pid_t)g, 0, 0));
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));
    /* The tracer sees the grandchild's exit first (__WALL: not our
     * child), then its parent reaps it. */
    T_EQ(waitpid((pid_t)g, &st, __WALL), (pid_t)g);
    T_ASSERT(WIFEXITED(st));
    T_EQ(WEXITSTATUS(st), 5);
    /* Its SIGCHLD stops c on the way (a signal-delivery-stop). */
    st = cont_until_exit(c);
    T_ASSERT(WIFEXITED(st));
    T_EQ(WEXITSTATUS(st), 0);
}

T_CASE(seize_and_interrupt)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        for (;;)
            pause();
    }
    T_SYSOK(pt(PTRACE_SEIZE, c, 0, PTRACE_O_TRACESYSGOOD));
    /* SEIZE does not stop it. */
    int st = 0;
    T_EQ(waitpid(c, &st, __WALL | WNOHANG), 0);
    T_ERRNO(pt(PTRACE_CONT, c, 0, 0), ESRCH); /* running: not stopped */
    T_SYSOK(pt(PTRACE_INTERRUPT, c, 0, 0));
    st = wait_stop(c);
    T_ASSERT(st != -1);
    T_EQ(WSTOPSIG(st), SIGTRAP);
    T_EQ(st >> 16, PTRACE_EVENT_STOP);
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));
    T_SYSOK(kill(c, SIGKILL));
    T_KILLED(c, SIGKILL);
}

T_CASE(detach_resumes)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        trace_me_and_stop();
        _exit(3);
    }
    T_ASSERT(wait_stop(c) != -1);
    T_SYSOK(pt(PTRACE_DETACH, c, 0, 0));
    T_ERRNO(pt(PTRACE_CONT, c, 0, 0), ESRCH); /* not ours any more */
    T_EXITED(c, 3);
}

T_CASE(exitkill_kills_tracees)
{
    pid_t g = t_fork();
    T_SYSOK(g);
    if (g == 0) {
        for (;;)
            pause();
    }
    pid_t tr = t_fork();
    T_SYSOK(tr);
    if (tr == 0)
        _exit(pt(PTRACE_SEIZE, g, 0, PTRACE_O_EXITKILL) == 0 ? 0 : 1);
    T_EXITED(tr, 0);
    T_KILLED(g, SIGKILL);
}

static char vm_buf[64] = "hello from the child";

T_CASE(process_vm_readv_writev)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        for (;;)
            pause();
    }
    char a[8], b[32];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    struct iovec local[2] = { { a, 5 }, { b, 15 } };
    struct iovec remote[1] = { { vm_buf, 20 } };
    T_EQ(process_vm_readv(c, local, 2, remote, 1, 0), 20);
    T_ASSERT(memcmp(a, "hello", 5) == 0);
    T_ASSERT(memcmp(b, " from the child", 15) == 0);
    char nw[] = "HELLO";
    struct iovec l1 = { nw, 5 }, r1 = { vm_buf, 5 };
    T_EQ(process_vm_writev(c, &l1, 1, &r1, 1, 0), 5);
    memset(a, 0, sizeof a);
    struct iovec l2 = { a, 5 };
    T_EQ(process_vm_readv(c, &l2, 1, &r1, 1, 0), 5);
    T_ASSERT(memcmp(a, "HELLO", 5) == 0);
    T_ASSERT(memcmp(vm_buf, "hello", 5) == 0); /* ours is untouched */
    struct iovec bad = { (void *)0x1000, 5 };
    T_ERRNO(process_vm_readv(c, &l2, 1, &bad, 1, 0), EFAULT);
    T_ERRNO(process_vm_readv(c, &l2, 1, &r1, 1, 1), EINVAL);
    T_ERRNO(process_vm_readv(999999, &l2, 1, &r1, 1, 0), ESRCH);
    T_SYSOK(kill(c, SIGKILL));
    T_KILLED(c, SIGKILL);
}

T_CASE(bad_requests)
{
    long w;
    T_ERRNO(pt(PTRACE_CONT, 999999, 0, 0), ESRCH);
    T_ERRNO(pt(PTRACE_PEEKDATA, 999999, 0, (long)&w), ESRCH);
    T_ERRNO(pt(PTRACE_ATTACH, 999999, 0, 0), ESRCH);
    T_ERRNO(pt(PTRACE_ATTACH, getpid(), 0, 0), EPERM); /* ourselves */
    /* Not traced by us at all: ESRCH. */
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        trace_me_and_stop();
        _exit(0);
    }
    T_ASSERT(wait_stop(c) != -1);
    T_ERRNO(pt(0x9999, c, 0, 0), EIO);             /* unknown request */
    T_ERRNO(pt(PTRACE_INTERRUPT, c, 0, 0), EIO);   /* not seized */
    T_ERRNO(pt(PTRACE_SETOPTIONS, c, 0, 1 << 30), EINVAL);
    T_ERRNO(pt(PTRACE_SEIZE, c, 0, 0), EPERM);     /* traced already */
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));
    T_EXITED(c, 0);
    /* Another user's process (init, as nobody): EPERM. */
    pid_t u = t_fork();
    T_SYSOK(u);
    if (u == 0) {
        if (setuid(65534) != 0)
            _exit(10);
        if (pt(PTRACE_ATTACH, 1, 0, 0) == 0)
            _exit(11);
        _exit(errno == EPERM ? 0 : 12);
    }
    T_EXITED(u, 0);
}

T_CASE(singlestep)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        trace_me_and_stop();
        volatile int x = 0;
        for (int i = 0; i < 100; i++)
            x += i;
        _exit(x == 4950 ? 0 : 1);
    }
    T_ASSERT(wait_stop(c) != -1);
    struct user_regs_struct r;
    T_SYSOK(pt(PTRACE_GETREGS, c, 0, (long)&r));
    unsigned long long rip = r.rip;
    for (int i = 0; i < 5; i++) {
        T_SYSOK(pt(PTRACE_SINGLESTEP, c, 0, 0));
        int st = wait_stop(c);
        T_EQ(WSTOPSIG(st), SIGTRAP);
        T_SYSOK(pt(PTRACE_GETREGS, c, 0, (long)&r));
        T_ASSERT(r.rip != rip); /* one instruction further */
        rip = r.rip;
    }
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0)); /* no more traps */
    T_EXITED(c, 0);
}

static void *getppid_5(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++)
        syscall(SYS_getppid);
    return NULL;
}

/* Tracing is per thread: a thread the tracee creates without
 * PTRACE_O_TRACECLONE is not traced. */
T_CASE(new_thread_is_not_traced)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        trace_me_and_stop();
        pthread_t th;
        if (pthread_create(&th, NULL, getppid_5, NULL) != 0)
            _exit(1);
        pthread_join(th, NULL);
        syscall(SYS_getppid);
        syscall(SYS_getppid);
        _exit(0);
    }
    T_ASSERT(wait_stop(c) != -1);
    T_SYSOK(pt(PTRACE_SETOPTIONS, c, 0, PTRACE_O_TRACESYSGOOD));
    int entries = 0, st = 0;
    for (;;) {
        T_SYSOK(pt(PTRACE_SYSCALL, c, 0, 0));
        T_EQ(waitpid(c, &st, __WALL), c);
        if (WIFEXITED(st))
            break;
        if (WSTOPSIG(st) != (SIGTRAP | 0x80))
            continue;
        struct user_regs_struct r;
        T_SYSOK(pt(PTRACE_GETREGS, c, 0, (long)&r));
        if (r.orig_rax == SYS_getppid && (long)r.rax == -ENOSYS)
            entries++;
    }
    T_EQ(WEXITSTATUS(st), 0);
    T_EQ(entries, 2);
}

/* PTRACE_INTERRUPT reaches a job-stopped process too. */
T_CASE(interrupt_a_stopped_process)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        for (;;)
            pause();
    }
    T_SYSOK(kill(c, SIGSTOP));
    int st = 0;
    T_EQ(waitpid(c, &st, WUNTRACED), c);
    T_SYSOK(pt(PTRACE_SEIZE, c, 0, 0));
    T_SYSOK(pt(PTRACE_INTERRUPT, c, 0, 0));
    st = wait_stop(c);
    T_ASSERT(st != -1);
    T_EQ(st >> 16, PTRACE_EVENT_STOP);
    T_SYSOK(kill(c, SIGKILL));
    T_EQ(waitpid(c, &st, __WALL), c);
    T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

/* strace's start: the child stops itself, the tracer seizes it,
 * interrupts it and sends SIGCONT; the first stop it sees must be that
 * PTRACE_EVENT_STOP, before the child gets to its execve (this kernel let
 * it run into execve first). */
T_CASE(seize_a_self_stopped_child_before_exec)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        kill(getpid(), SIGSTOP);
        char *av[] = { self_path, "--child-exit7", NULL };
        char *ev[] = { NULL };
        execve(self_path, av, ev);
        _exit(91);
    }
    int st = 0;
    T_EQ(waitpid(c, &st, WUNTRACED), c);
    T_ASSERT(WIFSTOPPED(st));
    T_SYSOK(pt(PTRACE_SEIZE, c, 0, PTRACE_O_TRACEEXEC));
    T_SYSOK(pt(PTRACE_INTERRUPT, c, 0, 0));
    T_SYSOK(kill(c, SIGCONT));
    st = wait_stop(c);
    T_EQ(st >> 16, PTRACE_EVENT_STOP);
    int execs = 0;
    for (;;) {
        int sig = 0;
        if ((st >> 16) == PTRACE_EVENT_EXEC)
            execs++;
        else if ((st >> 16) == 0)
            sig = WSTOPSIG(st); /* SIGCONT goes on */
        T_SYSOK(pt(PTRACE_CONT, c, 0, sig));
        T_EQ(waitpid(c, &st, __WALL), c);
        if (!WIFSTOPPED(st))
            break;
    }
    T_EQ(execs, 1);
    T_ASSERT(WIFEXITED(st));
    T_EQ(WEXITSTATUS(st), 7);
}

static volatile sig_atomic_t usr_seen;
static void on_usr(int sig) { usr_seen |= sig == SIGUSR1 ? 1 : 2; }

/* PTRACE_GETSIGMASK/SETSIGMASK and PTRACE_PEEKSIGINFO: a child with
 * SIGUSR1 and SIGUSR2 blocked and pending stops; the tracer sees the
 * mask and both siginfos (still pending), unblocks them, and the child's
 * handlers run once it goes on. */
T_CASE(sigmask_and_peeksiginfo)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        sigset_t s;
        signal(SIGUSR1, on_usr);
        signal(SIGUSR2, on_usr);
        sigemptyset(&s);
        sigaddset(&s, SIGUSR1);
        sigaddset(&s, SIGUSR2);
        sigprocmask(SIG_BLOCK, &s, NULL);
        if (pt(PTRACE_TRACEME, 0, 0, 0) != 0)
            _exit(90);
        raise(SIGUSR1);
        raise(SIGUSR2);
        raise(SIGSTOP);
        _exit(usr_seen == 3 ? 0 : 10 + usr_seen);
    }
    T_ASSERT(wait_stop(c) > 0);
    uint64_t mask = 0;
    T_ERRNO(pt(0x420a /* GETSIGMASK */, c, 4, (long)&mask), EINVAL);
    T_SYSOK(pt(0x420a, c, 8, (long)&mask));
    T_EQ(mask & ((1ull << (SIGUSR1 - 1)) | (1ull << (SIGUSR2 - 1))),
         (1ull << (SIGUSR1 - 1)) | (1ull << (SIGUSR2 - 1)));
    struct { uint64_t off; uint32_t flags; int32_t nr; } a = { 0, 0, 8 };
    siginfo_t si[8];
    memset(si, 0, sizeof si);
    T_EQ(pt(0x4209 /* PEEKSIGINFO */, c, (long)&a, (long)si), 2);
    T_EQ(si[0].si_signo, SIGUSR1);
    T_EQ(si[1].si_signo, SIGUSR2);
    T_EQ(si[0].si_code, SI_TKILL);
    a.off = 1;
    T_EQ(pt(0x4209, c, (long)&a, (long)si), 1);
    T_EQ(si[0].si_signo, SIGUSR2);
    a.flags = 2; /* no such flag */
    T_ERRNO(pt(0x4209, c, (long)&a, (long)si), EINVAL);
    mask = 0;
    T_SYSOK(pt(0x420b /* SETSIGMASK */, c, 8, (long)&mask));
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));
    T_EQ(cont_until_exit(c), 0);
}

/* PTRACE_GETFPREGS and PTRACE_GETREGSET NT_PRFPREG: the stopped child's
 * x87 control word, MXCSR and XMM15 as it set them, in FXSAVE's layout
 * (struct user_fpregs_struct); a short iovec gets that many bytes. */
T_CASE(getfpregs_shows_the_child_s_fpu)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        uint16_t cw = 0x027f;
        uint32_t mx = 0x7f80;
        uint64_t x[2] = { 0x1122334455667788ull, 0x99aabbccddeeff00ull };
        if (pt(PTRACE_TRACEME, 0, 0, 0) != 0)
            _exit(90);
        __asm__ volatile("fldcw %0" ::"m"(cw));
        __asm__ volatile("ldmxcsr %0" ::"m"(mx));
        __asm__ volatile("movdqu %0, %%xmm15" ::"m"(x) : "xmm15");
        raise(SIGSTOP);
        _exit(0);
    }
    T_ASSERT(wait_stop(c) > 0);
    struct user_fpregs_struct f;
    memset(&f, 0, sizeof f);
    T_SYSOK(pt(PTRACE_GETFPREGS, c, 0, (long)&f));
    T_EQ(f.cwd, 0x027f);
    T_EQ(f.mxcsr, 0x7f80);
    T_EQ(f.xmm_space[60], 0x55667788u);
    T_EQ(f.xmm_space[61], 0x11223344u);
    T_EQ(f.xmm_space[63], 0x99aabbccu);
    struct user_fpregs_struct g;
    struct iovec iov = { &g, sizeof g };
    memset(&g, 0, sizeof g);
    T_SYSOK(pt(PTRACE_GETREGSET, c, 2 /* NT_PRFPREG */, (long)&iov));
    T_EQ(iov.iov_len, sizeof g);
    T_ASSERT(memcmp(&f, &g, sizeof f) == 0);
    memset(&g, 0, sizeof g);
    iov.iov_len = 16;
    T_SYSOK(pt(PTRACE_GETREGSET, c, 2, (long)&iov));
    T_EQ(iov.iov_len, 16);
    T_EQ(g.cwd, 0x027f);
    T_EQ(g.mxcsr, 0); /* past the 16 bytes asked for */
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));
    T_EQ(cont_until_exit(c), 0);
}

/* PTRACE_SETFPREGS and the NT_PRFPREG / NT_X86_XSTATE regsets: what the
 * tracer sets is what the child runs with; an MXCSR with reserved bits or
 * an XSAVE header naming unknown components is EINVAL and changes
 * nothing; the XSAVE image carries XCR0 at byte 464 (gdb reads it). */
T_CASE(setfpregs_and_xstate)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        uint64_t y[2];
        uint32_t m;
        if (pt(PTRACE_TRACEME, 0, 0, 0) != 0)
            _exit(90);
        raise(SIGSTOP);
        __asm__ volatile("movdqu %%xmm15, %0" : "=m"(y));
        __asm__ volatile("stmxcsr %0" : "=m"(m));
        _exit(y[0] == 0x0123456789abcdefull &&
              y[1] == 0xfedcba9876543210ull && m == 0x7f80 ? 0 : 1);
    }
    T_ASSERT(wait_stop(c) > 0);
    struct user_fpregs_struct f, g;
    T_SYSOK(pt(PTRACE_GETFPREGS, c, 0, (long)&f));
    f.mxcsr = 0x7f80;
    f.xmm_space[60] = 0x89abcdefu;
    f.xmm_space[61] = 0x01234567u;
    f.xmm_space[62] = 0x76543210u;
    f.xmm_space[63] = 0xfedcba98u;
    T_SYSOK(pt(PTRACE_SETFPREGS, c, 0, (long)&f));
    g = f;
    g.mxcsr = 0xffffffffu;
    T_ERRNO(pt(PTRACE_SETFPREGS, c, 0, (long)&g), EINVAL);
    T_ERRNO(pt(PTRACE_SETFPREGS, c, 0, 8), EFAULT);
    memset(&g, 0, sizeof g);
    T_SYSOK(pt(PTRACE_GETFPREGS, c, 0, (long)&g));
    T_EQ(g.mxcsr, 0x7f80);
    T_EQ(g.xmm_space[63], 0xfedcba98u);
    struct iovec iov = { &f, sizeof f };
    T_SYSOK(pt(PTRACE_SETREGSET, c, 2 /* NT_PRFPREG */, (long)&iov));

    static uint64_t xs[512] __attribute__((aligned(64)));
    iov.iov_base = xs;
    iov.iov_len = sizeof xs;
    unsigned ax, bx, cx, dx;
    if (!__get_cpuid(1, &ax, &bx, &cx, &dx) || !(cx & bit_OSXSAVE)) {
        /* No XSAVE (QEMU's qemu64): Linux has no XSTATE regset then. */
        T_ERRNO(pt(PTRACE_GETREGSET, c, 0x202, (long)&iov), ENODEV);
    } else {
        T_SYSOK(pt(PTRACE_GETREGSET, c, 0x202 /* NT_X86_XSTATE */, (long)&iov));
        size_t size = iov.iov_len;
        T_ASSERT(size > 512 && size <= sizeof xs);
        T_EQ(xs[464 / 8] & 3, 3);           /* XCR0: x87 and SSE */
        T_EQ(xs[(160 + 15 * 16) / 8 + 1], 0xfedcba9876543210ull); /* XMM15 */
        T_SYSOK(pt(PTRACE_SETREGSET, c, 0x202, (long)&iov));
        xs[512 / 8] |= 1ull << 62;          /* XSTATE_BV: an unknown one */
        T_ERRNO(pt(PTRACE_SETREGSET, c, 0x202, (long)&iov), EINVAL);
    }
    memset(&g, 0, sizeof g);
    T_SYSOK(pt(PTRACE_GETFPREGS, c, 0, (long)&g));
    T_EQ(g.xmm_space[61], 0x01234567u);
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));
    T_EQ(cont_until_exit(c), 0);
}

T_CASE(kill_request)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        trace_me_and_stop();
        for (;;)
            pause();
    }
    T_ASSERT(wait_stop(c) != -1);
    T_SYSOK(pt(PTRACE_KILL, c, 0, 0));
    T_KILLED(c, SIGKILL);
}

#ifndef PTRACE_LISTEN
#define PTRACE_LISTEN 0x4208
#endif

/* PTRACE_LISTEN: only in a PTRACE_EVENT_STOP of a seized tracee (EIO in
 * a signal-delivery-stop); the tracee stays stopped and not available to
 * requests, and SIGCONT ending its group stop brings a PTRACE_EVENT_STOP
 * with SIGTRAP, then SIGCONT's signal-delivery-stop. */
T_CASE(listen_until_sigcont)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        for (;;)
            pause();
    }
    T_SYSOK(pt(PTRACE_SEIZE, c, 0, 0));
    T_SYSOK(kill(c, SIGSTOP));
    int st = wait_stop(c);
    T_EQ(st, (SIGSTOP << 8) | 0x7f);
    T_ERRNO(pt(PTRACE_LISTEN, c, 0, 0), EIO);
    T_SYSOK(pt(PTRACE_CONT, c, 0, SIGSTOP));
    st = wait_stop(c);
    T_EQ(st, (PTRACE_EVENT_STOP << 16) | (SIGSTOP << 8) | 0x7f);
    T_SYSOK(pt(PTRACE_LISTEN, c, 0, 0));
    usleep(50000);
    T_EQ(waitpid(c, &st, __WALL | WNOHANG), 0);
    struct user_regs_struct r;
    T_ERRNO(pt(PTRACE_GETREGS, c, 0, (long)&r), ESRCH);
    T_SYSOK(kill(c, SIGCONT));
    st = wait_stop(c);
    T_EQ(st, (PTRACE_EVENT_STOP << 16) | (SIGTRAP << 8) | 0x7f);
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));
    st = wait_stop(c);
    T_EQ(st, (SIGCONT << 8) | 0x7f);
    T_SYSOK(pt(PTRACE_CONT, c, 0, SIGCONT));
    usleep(50000);
    T_EQ(waitpid(c, &st, __WALL | WNOHANG), 0);
    T_SYSOK(kill(c, SIGKILL));
    T_EQ(waitpid(c, &st, __WALL), c);
    T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--child-exit7") == 0)
        return 7;
    self_path = argv[0];
    t_init("ptrace");
    T_RUN(traceme_exec_stop);
    T_RUN(traceexec_event);
    T_RUN(peek_poke_data_and_text);
    T_RUN(getregs_setregs_change_result);
    T_RUN(syscall_stops_come_in_pairs);
    T_RUN(signal_injection_and_suppression);
    T_RUN(tracefork_auto_attaches);
    T_RUN(seize_and_interrupt);
    T_RUN(detach_resumes);
    T_RUN(exitkill_kills_tracees);
    T_RUN(sigmask_and_peeksiginfo);
    T_RUN(getfpregs_shows_the_child_s_fpu);
    T_RUN(process_vm_readv_writev);
    T_RUN(bad_requests);
    T_RUN(singlestep);
    T_RUN(new_thread_is_not_traced);
    T_RUN(interrupt_a_stopped_process);
    T_RUN(seize_a_self_stopped_child_before_exec);
    T_RUN(kill_request);
    T_RUN(listen_until_sigcont);
    T_RUN(setfpregs_and_xstate);
    return t_done();
}
