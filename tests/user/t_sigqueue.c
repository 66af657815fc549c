/* t_sigqueue.c: signals with data, and who may send them (issue 14).
 *
 * sigqueue(3) (rt_sigqueueinfo) delivers its value to an SA_SIGINFO
 * handler; rt_tgsigqueueinfo aims at one thread; nobody may pose as the
 * kernel or kill(2) (si_code >= 0) towards another process; tkill/tgkill
 * need the same permission as kill; PR_SET_PDEATHSIG signals a child when
 * its parent exits. Passes on Linux too (as root). */
#include "t.h"

#include <poll.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static volatile int got_sig, got_code, got_value, got_tid;

static void on_rt(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got_sig = sig;
    got_code = si->si_code;
    got_value = si->si_value.sival_int;
    got_tid = (int)syscall(SYS_gettid);
}

static void install(int sig)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_rt;
    sa.sa_flags = SA_SIGINFO;
    sigaction(sig, &sa, NULL);
}

T_CASE(sigqueue_value_reaches_the_handler)
{
    union sigval v = { .sival_int = 4242 };
    install(SIGRTMIN + 1);
    got_sig = 0;
    T_SYSOK(sigqueue(getpid(), SIGRTMIN + 1, v));
    T_EQ(got_sig, SIGRTMIN + 1);
    T_EQ(got_code, SI_QUEUE);
    T_EQ(got_value, 4242);
}

T_CASE(sigqueueinfo_bad_arguments)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_code = SI_QUEUE;
    T_ERRNO(syscall(SYS_rt_sigqueueinfo, getpid(), 1000, &si), EINVAL);
    T_ERRNO(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, (void *)1), EFAULT);
    T_ERRNO(syscall(SYS_rt_sigqueueinfo, 999999, SIGUSR1, &si), ESRCH);
    T_ERRNO(syscall(SYS_rt_tgsigqueueinfo, 0, 1, SIGUSR1, &si), EINVAL);
    T_ERRNO(syscall(SYS_rt_tgsigqueueinfo, getpid(), 999999, SIGUSR1, &si), ESRCH);
}

T_CASE(no_posing_as_the_kernel_to_others)
{
    siginfo_t si;
    pid_t pid = t_fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    memset(&si, 0, sizeof si);
    si.si_code = SI_USER; /* >= 0: what kill(2) and the kernel send */
    T_ERRNO(syscall(SYS_rt_sigqueueinfo, pid, SIGTERM, &si), EPERM);
    si.si_code = SI_TKILL;
    T_ERRNO(syscall(SYS_rt_sigqueueinfo, pid, SIGTERM, &si), EPERM);
    /* A negative code other than SI_TKILL is allowed. */
    si.si_code = SI_QUEUE;
    T_SYSOK(syscall(SYS_rt_sigqueueinfo, pid, SIGKILL, &si));
    T_KILLED(pid, SIGKILL);
}

static volatile int thread_tid;
static volatile int thread_stop;

static void *waiter(void *arg)
{
    (void)arg;
    thread_tid = (int)syscall(SYS_gettid);
    while (!thread_stop)
        usleep(1000);
    return NULL;
}

T_CASE(tgsigqueueinfo_reaches_that_thread)
{
    pthread_t th;
    siginfo_t si;
    sigset_t block, old;

    install(SIGRTMIN + 2);
    /* Only the other thread may take it. */
    sigemptyset(&block);
    sigaddset(&block, SIGRTMIN + 2);
    thread_tid = 0;
    thread_stop = 0;
    T_EQ(pthread_create(&th, NULL, waiter, NULL), 0);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    while (!thread_tid)
        usleep(1000);
    memset(&si, 0, sizeof si);
    si.si_code = SI_QUEUE;
    si.si_value.sival_int = 77;
    got_sig = 0;
    T_SYSOK(syscall(SYS_rt_tgsigqueueinfo, getpid(), thread_tid, SIGRTMIN + 2, &si));
    for (int i = 0; i < 30000 && !got_sig; i++)
        usleep(1000);
    thread_stop = 1;
    pthread_join(th, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    T_EQ(got_sig, SIGRTMIN + 2);
    T_EQ(got_value, 77);
    T_EQ(got_tid, thread_tid);
}

T_CASE(tkill_needs_permission)
{
    pid_t victim = t_fork();
    if (victim == 0) {
        pause();
        _exit(0);
    }
    pid_t pid = t_fork();
    if (pid == 0) {
        if (setuid(65534) != 0)
            _exit(2);
        if (syscall(SYS_tgkill, victim, victim, SIGTERM) != -1 || errno != EPERM)
            _exit(3);
        if (syscall(SYS_tkill, victim, SIGTERM) != -1 || errno != EPERM)
            _exit(4);
        _exit(0);
    }
    T_EXITED(pid, 0);
    kill(victim, SIGKILL);
    T_KILLED(victim, SIGKILL);
}

T_CASE(pdeathsig_when_the_parent_exits)
{
    int armed[2], alive[2];
    pid_t grandchild = 0;
    struct pollfd p;

    T_SYSOK(pipe(armed));
    T_SYSOK(pipe(alive));
    pid_t mid = t_fork();
    if (mid == 0) {
        pid_t child = fork();
        if (child == 0) {
            int sig = -1;
            pid_t me = getpid();
            signal(SIGUSR2, SIG_DFL);
            close(alive[0]); /* keeps alive[1] open until it dies */
            if (prctl(PR_SET_PDEATHSIG, SIGUSR2) != 0 ||
                prctl(PR_GET_PDEATHSIG, &sig) != 0 || sig != SIGUSR2)
                _exit(5);
            if (write(armed[1], &me, sizeof me) != sizeof me)
                _exit(6);
            for (;;)
                pause(); /* only a signal ends it */
        }
        /* Exit once the child is armed: it must get SIGUSR2. */
        pid_t gc;
        if (read(armed[0], &gc, sizeof gc) != sizeof gc)
            _exit(7);
        if (write(armed[1], &gc, sizeof gc) != sizeof gc) /* for the test */
            _exit(8);
        _exit(0);
    }
    close(alive[1]);
    T_EXITED(mid, 0);
    T_ASSERT(read(armed[0], &grandchild, sizeof grandchild) == sizeof grandchild);
    /* The grandchild's end of `alive` closes when it dies. Generous
     * deadline: the signal is sent as the middle process exits. */
    p.fd = alive[0];
    p.events = POLLIN;
    int r = poll(&p, 1, 30000);
    char c;
    int n = r == 1 ? (int)read(alive[0], &c, 1) : -1;
    close(alive[0]);
    close(armed[0]);
    close(armed[1]);
    if (n != 0) {
        kill(grandchild, SIGKILL);
        T_FAIL("the orphan did not die of its PR_SET_PDEATHSIG signal");
    }
}

/* A signal whose default action is to ignore it is still queued while
 * blocked, so sigwait can take it (Linux sig_ignored: "blocked signals
 * are never ignored"); unblocked, it is discarded. */
T_CASE(blocked_default_ignored_signal_waits_for_sigwait)
{
    sigset_t set, old;
    int sig = 0;
    signal(SIGWINCH, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, SIGWINCH);
    sigprocmask(SIG_BLOCK, &set, &old);
    T_SYSOK(kill(getpid(), SIGWINCH));
    sigset_t pend;
    sigpending(&pend);
    T_ASSERT(sigismember(&pend, SIGWINCH));
    T_EQ(sigwait(&set, &sig), 0);
    T_EQ(sig, SIGWINCH);
    sigprocmask(SIG_SETMASK, &old, NULL);
    /* Not blocked: gone at once. */
    T_SYSOK(kill(getpid(), SIGWINCH));
    sigpending(&pend);
    T_ASSERT(!sigismember(&pend, SIGWINCH));
}

T_CASE(pdeathsig_bad_signal)
{
    T_ERRNO(prctl(PR_SET_PDEATHSIG, 1000), EINVAL);
    int sig = -1;
    T_SYSOK(prctl(PR_GET_PDEATHSIG, &sig));
    T_EQ(sig, 0);
}

int main(void)
{
    t_init("t_sigqueue");
    T_RUN(sigqueue_value_reaches_the_handler);
    T_RUN(sigqueueinfo_bad_arguments);
    T_RUN(no_posing_as_the_kernel_to_others);
    T_RUN(tgsigqueueinfo_reaches_that_thread);
    T_RUN(tkill_needs_permission);
    T_RUN(pdeathsig_when_the_parent_exits);
    T_RUN(blocked_default_ignored_signal_waits_for_sigwait);
    T_RUN(pdeathsig_bad_signal);
    return t_done();
}
