/* t_ptrace_thread.c: ptrace(2) of threads, as Linux documents it (man 2
 * ptrace: "a tracee is a thread", PTRACE_O_TRACECLONE, "Group-stop",
 * "execve(2) under ptrace", PTRACE_O_EXITKILL).
 *
 * Each case traces a t_fork() child with threads. Tracee threads are
 * waited for by their tid with __WALL, or with waitpid(-1). */
#include "t.h"

#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

static char *self_path;

static long pt(long req, pid_t pid, long addr, long data)
{
    return syscall(SYS_ptrace, req, pid, addr, data);
}

static pid_t gettid_(void)
{
    return (pid_t)syscall(SYS_gettid);
}

/* A field of /proc/<pid>/task/<tid>/status into out; 0 or -1. */
static int task_status(pid_t pid, pid_t tid, const char *key, char *out,
                       size_t n)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/task/%d/status", (int)pid, (int)tid);
    return t_status_field(path, key, out, n);
}

static int getppid_n = 3;

static void *getppid_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < getppid_n; i++)
        syscall(SYS_getppid);
    return NULL;
}

/* Child side: be traced by the parent, stop, then run a thread that
 * makes getppid_n getppid calls and returns; exit 0. */
static void child_one_thread(void)
{
    if (pt(PTRACE_TRACEME, 0, 0, 0) != 0)
        _exit(90);
    raise(SIGSTOP);
    pthread_t th;
    if (pthread_create(&th, NULL, getppid_thread, NULL) != 0)
        _exit(91);
    pthread_join(th, NULL);
    _exit(0);
}

/* Child side: be traced by the parent, stop, then start a thread running
 * fn while the main thread waits in pause() for what fn does. */
static void child_traced_thread(void *(*fn)(void *))
{
    if (pt(PTRACE_TRACEME, 0, 0, 0) != 0)
        _exit(90);
    raise(SIGSTOP);
    pthread_t th;
    if (pthread_create(&th, NULL, fn, NULL) != 0)
        _exit(91);
    for (;;)
        pause();
}

/* PTRACE_O_TRACECLONE: the new thread is traced, starts in a SIGSTOP
 * stop, its tid is the PTRACE_EVENT_CLONE message; its syscall-stops,
 * registers and /proc status are its own; its exit is reported by its
 * tid, then the process's by its pid. */
T_CASE(traceclone_follows_a_thread)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0)
        child_one_thread();
    int st = 0;
    T_EQ(waitpid(c, &st, __WALL), c);
    T_ASSERT(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
    T_SYSOK(pt(PTRACE_SETOPTIONS, c, 0,
               PTRACE_O_TRACECLONE | PTRACE_O_TRACESYSGOOD));
    T_SYSOK(pt(PTRACE_SYSCALL, c, 0, 0));
    pid_t tid = 0;
    int clone_events = 0, first_stop_seen = 0, entries = 0, main_entries = 0;
    int thread_exit = -1, proc_exit = -1;
    while (proc_exit == -1) {
        pid_t w = waitpid(-1, &st, __WALL);
        T_ASSERT(w > 0);
        if (WIFEXITED(st) || WIFSIGNALED(st)) {
            if (w == c)
                proc_exit = st;
            else if (w == tid)
                thread_exit = st;
            else
                T_FAIL("exit of unknown %d", (int)w);
            continue;
        }
        T_ASSERT(WIFSTOPPED(st));
        int sig = 0;
        if (w == c && (st >> 16) == PTRACE_EVENT_CLONE) {
            unsigned long msg = 0;
            T_SYSOK(pt(PTRACE_GETEVENTMSG, c, 0, (long)&msg));
            T_ASSERT(tid == 0 || tid == (pid_t)msg);
            tid = (pid_t)msg;
            clone_events++;
        } else if (w != c && !first_stop_seen) {
            /* The new thread's first stop: SIGSTOP, with our pid as
             * its TracerPid and its state a tracing stop. */
            T_ASSERT(tid == 0 || w == tid);
            tid = w;
            T_EQ(WSTOPSIG(st), SIGSTOP);
            T_EQ(st >> 16, 0);
            char buf[64];
            T_SYSOK(task_status(c, tid, "TracerPid", buf, sizeof buf));
            T_EQ(atoi(buf), getpid());
            T_SYSOK(task_status(c, tid, "State", buf, sizeof buf));
            T_STREQ(buf, "t (tracing stop)");
            first_stop_seen = 1;
        } else if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
            struct user_regs_struct r;
            T_SYSOK(pt(PTRACE_GETREGS, w, 0, (long)&r));
            if (r.orig_rax == SYS_getppid && (long)r.rax == -ENOSYS) {
                if (w == tid)
                    entries++;
                else
                    main_entries++;
            }
        } else if ((st >> 16) == 0 && WSTOPSIG(st) != SIGTRAP) {
            sig = WSTOPSIG(st);
        }
        T_SYSOK(pt(PTRACE_SYSCALL, w, 0, sig));
    }
    T_EQ(clone_events, 1);
    T_ASSERT(first_stop_seen);
    T_EQ(entries, getppid_n);
    T_EQ(main_entries, 0);
    T_ASSERT(WIFEXITED(thread_exit) && WEXITSTATUS(thread_exit) == 0);
    T_ASSERT(WIFEXITED(proc_exit) && WEXITSTATUS(proc_exit) == 0);
    T_ERRNO(waitpid(-1, &st, __WALL | WNOHANG), ECHILD);
}

/* Under PTRACE_SEIZE the new thread starts in a PTRACE_EVENT_STOP; a
 * traced thread's stop is reported to waitpid(tid) even without __WALL
 * (Linux 4.7 on: a traced child is waited for as if by __WALL). */
T_CASE(seize_clone_starts_in_event_stop)
{
    int go[2];
    T_SYSOK(pipe(go));
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        char b;
        if (read(go[0], &b, 1) != 1)
            _exit(92);
        pthread_t th;
        if (pthread_create(&th, NULL, getppid_thread, NULL) != 0)
            _exit(91);
        pthread_join(th, NULL);
        _exit(3);
    }
    T_SYSOK(pt(PTRACE_SEIZE, c, 0, PTRACE_O_TRACECLONE));
    T_EQ(write(go[1], "x", 1), 1);
    int st = 0;
    T_EQ(waitpid(c, &st, __WALL), c);
    T_ASSERT(WIFSTOPPED(st));
    T_EQ(st >> 16, PTRACE_EVENT_CLONE);
    unsigned long msg = 0;
    T_SYSOK(pt(PTRACE_GETEVENTMSG, c, 0, (long)&msg));
    pid_t tid = (pid_t)msg;
    T_ASSERT(tid > 0 && tid != c);
    T_EQ(waitpid(tid, &st, 0), tid);
    T_ASSERT(WIFSTOPPED(st));
    T_EQ(WSTOPSIG(st), SIGTRAP);
    T_EQ(st >> 16, PTRACE_EVENT_STOP);
    T_SYSOK(pt(PTRACE_CONT, tid, 0, 0));
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));
    T_EQ(waitpid(tid, &st, __WALL), tid);
    /* Its own 0, or the group's 3 if the main thread, woken by the
     * thread's CLONE_CHILD_CLEARTID, got to _exit first (Linux too). */
    T_ASSERT(WIFEXITED(st) &&
             (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 3));
    T_EQ(waitpid(c, &st, __WALL), c);
    T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 3);
    close(go[0]);
    close(go[1]);
}

static int tid_pipe[2];

static void *report_tid_and_spin(void *arg)
{
    (void)arg;
    pid_t tid = gettid_();
    if (write(tid_pipe[1], &tid, sizeof tid) != sizeof tid)
        _exit(93);
    for (;;)
        usleep(1000);
    return NULL;
}

/* A child with a second thread that tells its tid and sleeps in a loop;
 * *tid gets it. */
static pid_t fork_two_threads(pid_t *tid)
{
    if (pipe(tid_pipe) != 0)
        return -1;
    pid_t c = t_fork();
    if (c == 0) {
        pthread_t th;
        if (pthread_create(&th, NULL, report_tid_and_spin, NULL) != 0)
            _exit(91);
        for (;;)
            pause();
    }
    if (c > 0 && read(tid_pipe[0], tid, sizeof *tid) != sizeof *tid)
        c = -1;
    close(tid_pipe[0]);
    close(tid_pipe[1]);
    return c;
}

/* Attaching to a tid attaches that thread only: its stops, registers
 * and TracerPid are its own, the main thread stays untraced. */
T_CASE(seize_attaches_one_thread)
{
    pid_t tid = 0;
    pid_t c = fork_two_threads(&tid);
    T_ASSERT(c > 0);
    T_SYSOK(pt(PTRACE_SEIZE, tid, 0, 0));
    T_SYSOK(pt(PTRACE_INTERRUPT, tid, 0, 0));
    int st = 0;
    T_EQ(waitpid(tid, &st, __WALL), tid);
    T_ASSERT(WIFSTOPPED(st));
    T_EQ(st >> 16, PTRACE_EVENT_STOP);
    struct user_regs_struct r;
    T_SYSOK(pt(PTRACE_GETREGS, tid, 0, (long)&r));
    T_ERRNO(pt(PTRACE_GETREGS, c, 0, (long)&r), ESRCH);
    T_ERRNO(pt(PTRACE_INTERRUPT, c, 0, 0), ESRCH);
    T_EQ(waitpid(c, &st, __WALL | WNOHANG), 0);
    char buf[64];
    T_SYSOK(task_status(c, tid, "TracerPid", buf, sizeof buf));
    T_EQ(atoi(buf), getpid());
    T_SYSOK(task_status(c, tid, "State", buf, sizeof buf));
    T_STREQ(buf, "t (tracing stop)");
    T_SYSOK(task_status(c, c, "TracerPid", buf, sizeof buf));
    T_EQ(atoi(buf), 0);
    /* Already traced: EPERM, for another tracer and for us. */
    T_ERRNO(pt(PTRACE_SEIZE, tid, 0, 0), EPERM);
    T_SYSOK(pt(PTRACE_DETACH, tid, 0, 0));
    T_SYSOK(task_status(c, tid, "TracerPid", buf, sizeof buf));
    T_EQ(atoi(buf), 0);
    T_ERRNO(pt(PTRACE_GETREGS, tid, 0, (long)&r), ESRCH);
    T_SYSOK(kill(c, SIGKILL));
    T_EQ(waitpid(c, &st, 0), c);
    T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

/* A signal sent to a traced thread stops that thread (signal-delivery-
 * stop) with its siginfo; a stop signal let through stops the group:
 * every traced thread then reports a group-stop (PTRACE_EVENT_STOP with
 * the stop signal under PTRACE_SEIZE). */
T_CASE(group_stop_of_threads)
{
    pid_t tid = 0;
    pid_t c = fork_two_threads(&tid);
    T_ASSERT(c > 0);
    T_SYSOK(pt(PTRACE_SEIZE, c, 0, 0));
    T_SYSOK(pt(PTRACE_SEIZE, tid, 0, 0));
    T_SYSOK(syscall(SYS_tgkill, c, tid, SIGSTOP));
    int st = 0;
    T_EQ(waitpid(-1, &st, __WALL), tid);
    T_ASSERT(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
    T_EQ(st >> 16, 0);
    siginfo_t si;
    T_SYSOK(pt(PTRACE_GETSIGINFO, tid, 0, (long)&si));
    T_EQ(si.si_signo, SIGSTOP);
    T_ERRNO(pt(PTRACE_GETSIGINFO, c, 0, (long)&si), ESRCH);
    T_SYSOK(pt(PTRACE_CONT, tid, 0, SIGSTOP));
    int seen_main = 0, seen_tid = 0;
    for (int i = 0; i < 2; i++) {
        pid_t w = waitpid(-1, &st, __WALL);
        T_ASSERT(w == c || w == tid);
        T_ASSERT(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
        T_EQ(st >> 16, PTRACE_EVENT_STOP);
        /* Under PTRACE_SEIZE its siginfo names the stop signal (a
         * group-stop of PTRACE_ATTACH has none: EINVAL). */
        T_SYSOK(pt(PTRACE_GETSIGINFO, w, 0, (long)&si));
        T_EQ(si.si_signo, SIGSTOP);
        if (w == c)
            seen_main++;
        else
            seen_tid++;
    }
    T_EQ(seen_main, 1);
    T_EQ(seen_tid, 1);
    T_SYSOK(kill(c, SIGKILL));
    /* Both report their exit: the thread by its tid, then the process. */
    int exits = 0;
    for (;;) {
        pid_t w = waitpid(-1, &st, __WALL);
        if (w < 0)
            break;
        if (WIFSIGNALED(st)) {
            T_EQ(WTERMSIG(st), SIGKILL);
            exits++;
        }
    }
    T_EQ(errno, ECHILD);
    T_EQ(exits, 2);
}

static void *exit_group_5(void *arg)
{
    (void)arg;
    usleep(20000);
    syscall(SYS_exit_group, 5);
    return NULL;
}

/* exit_group from a thread: each traced thread's exit is reported, with
 * the group's exit code. */
T_CASE(exit_group_from_a_thread)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0)
        child_traced_thread(exit_group_5);
    int st = 0;
    T_EQ(waitpid(c, &st, __WALL), c);
    T_SYSOK(pt(PTRACE_SETOPTIONS, c, 0, PTRACE_O_TRACECLONE));
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));
    pid_t tid = 0;
    int exits = 0, main_exit = -1;
    for (;;) {
        pid_t w = waitpid(-1, &st, __WALL);
        if (w < 0)
            break;
        if (WIFEXITED(st)) {
            T_EQ(WEXITSTATUS(st), 5);
            if (w == c)
                main_exit = st;
            else
                T_EQ(w, tid);
            exits++;
            continue;
        }
        T_ASSERT(WIFSTOPPED(st));
        if (w != c)
            tid = w;
        int sig = (st >> 16) || WSTOPSIG(st) == SIGSTOP ? 0 : WSTOPSIG(st);
        T_SYSOK(pt(PTRACE_CONT, w, 0, sig));
    }
    T_EQ(errno, ECHILD);
    T_ASSERT(tid > 0);
    T_EQ(exits, 2);
    T_ASSERT(main_exit != -1);
}

/* A tracer's exit detaches its tracees (they run on), or kills them
 * with PTRACE_O_EXITKILL. The tracer here is a second child. */
static void tracer_exits(bool exitkill)
{
    pid_t tid = 0;
    pid_t c = fork_two_threads(&tid);
    T_ASSERT(c > 0);
    pid_t tr = t_fork();
    T_SYSOK(tr);
    if (tr == 0) {
        if (pt(PTRACE_SEIZE, tid, 0, exitkill ? PTRACE_O_EXITKILL : 0))
            _exit(80);
        if (pt(PTRACE_INTERRUPT, tid, 0, 0))
            _exit(81);
        int s = 0;
        if (waitpid(tid, &s, __WALL) != tid || !WIFSTOPPED(s))
            _exit(82);
        _exit(0); /* leaves it in the stop */
    }
    T_EXITED(tr, 0);
    int st = 0;
    if (exitkill) {
        T_EQ(waitpid(c, &st, 0), c);
        T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
        return;
    }
    char buf[64];
    T_SYSOK(task_status(c, tid, "TracerPid", buf, sizeof buf));
    T_EQ(atoi(buf), 0);
    /* Running again: soon no longer in a tracing stop. */
    int tries = 0;
    while (task_status(c, tid, "State", buf, sizeof buf) == 0 &&
           buf[0] == 't' && tries++ < 200)
        usleep(5000);
    T_ASSERT(buf[0] != 't');
    T_EQ(waitpid(c, &st, WNOHANG), 0);
    T_SYSOK(kill(c, SIGKILL));
    T_EQ(waitpid(c, &st, 0), c);
    T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

T_CASE(tracer_exit_detaches_a_thread) { tracer_exits(false); }
T_CASE(tracer_exit_kills_with_exitkill) { tracer_exits(true); }

static pid_t exec_tid;

static void *exec_from_thread(void *arg)
{
    (void)arg;
    char *av[] = { self_path, "--child-exit7", NULL };
    char *ev[] = { NULL };
    exec_tid = gettid_();
    execve(self_path, av, ev);
    _exit(95);
}

/* execve by a thread other than the main one: it takes the process's
 * id, PTRACE_EVENT_EXEC is reported by the pid with the tid the thread
 * had as its message, the old main thread goes unreported, and the new
 * program runs to its end: one exit, the process's. */
T_CASE(exec_from_a_thread)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0)
        child_traced_thread(exec_from_thread);
    int st = 0;
    T_EQ(waitpid(c, &st, __WALL), c);
    T_SYSOK(pt(PTRACE_SETOPTIONS, c, 0,
               PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC));
    T_SYSOK(pt(PTRACE_CONT, c, 0, 0));
    pid_t tid = 0;
    int execs = 0, exits = 0, proc_exit = -1;
    for (;;) {
        pid_t w = waitpid(-1, &st, __WALL);
        if (w < 0)
            break;
        if (!WIFSTOPPED(st)) {
            T_EQ(w, c);
            proc_exit = st;
            exits++;
            continue;
        }
        int sig = 0;
        if ((st >> 16) == PTRACE_EVENT_CLONE) {
            unsigned long msg = 0;
            T_SYSOK(pt(PTRACE_GETEVENTMSG, w, 0, (long)&msg));
            tid = (pid_t)msg;
        } else if ((st >> 16) == PTRACE_EVENT_EXEC) {
            unsigned long msg = 0;
            T_SYSOK(pt(PTRACE_GETEVENTMSG, w, 0, (long)&msg));
            T_EQ((pid_t)msg, tid);
            T_EQ(w, c);
            execs++;
        } else if ((st >> 16) == 0 && WSTOPSIG(st) != SIGSTOP &&
                   WSTOPSIG(st) != SIGTRAP) {
            sig = WSTOPSIG(st);
        }
        T_SYSOK(pt(PTRACE_CONT, w, 0, sig));
    }
    T_EQ(errno, ECHILD);
    T_ASSERT(tid > 0);
    T_EQ(execs, 1);
    T_EQ(exits, 1);
    T_ASSERT(WIFEXITED(proc_exit));
    T_EQ(WEXITSTATUS(proc_exit), 7);
}

static void *exec_tid_check(void *arg)
{
    (void)arg;
    char *av[] = { self_path, "--child-tid-is-pid", NULL };
    char *ev[] = { NULL };
    execve(self_path, av, ev);
    _exit(95);
}

/* Untraced too: the thread that execs has the process's id after. */
T_CASE(exec_from_a_thread_takes_the_pid)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        pthread_t th;
        if (pthread_create(&th, NULL, exec_tid_check, NULL) != 0)
            _exit(91);
        for (;;)
            pause();
    }
    T_EXITED(c, 0);
}

static void *short_life(void *arg)
{
    (void)arg;
    syscall(SYS_getppid);
    return NULL;
}

/* Child side: rounds of 6 threads that make a call and exit, joined;
 * then exit 4. */
static void child_thread_rounds(void)
{
    if (pt(PTRACE_TRACEME, 0, 0, 0) != 0)
        _exit(90);
    raise(SIGSTOP);
    for (int round = 0; round < 3; round++) {
        pthread_t th[6];
        for (int i = 0; i < 6; i++)
            if (pthread_create(&th[i], NULL, short_life, NULL) != 0)
                _exit(91);
        for (int i = 0; i < 6; i++)
            pthread_join(th[i], NULL);
    }
    _exit(4);
}

/* Many threads come and go under PTRACE_SYSCALL: each is followed, each
 * exit is reported once, by its tid, and nothing is left to wait for. A
 * second run is killed while its threads sit in stops: every one still
 * reports its death, and the process its SIGKILL. */
T_CASE(threads_come_and_go)
{
    for (int kill_it = 0; kill_it < 2; kill_it++) {
        pid_t c = t_fork();
        T_SYSOK(c);
        if (c == 0)
            child_thread_rounds();
        int st = 0;
        T_EQ(waitpid(c, &st, __WALL), c);
        T_SYSOK(pt(PTRACE_SETOPTIONS, c, 0,
                   PTRACE_O_TRACECLONE | PTRACE_O_TRACESYSGOOD));
        T_SYSOK(pt(PTRACE_SYSCALL, c, 0, 0));
        int clones = 0, thread_exits = 0, proc_exit = -1, stops = 0;
        for (;;) {
            pid_t w = waitpid(-1, &st, __WALL);
            if (w < 0)
                break;
            if (!WIFSTOPPED(st)) {
                if (w == c)
                    proc_exit = st;
                else
                    thread_exits++;
                continue;
            }
            if ((st >> 16) == PTRACE_EVENT_CLONE)
                clones++;
            if (kill_it && ++stops == 40) {
                /* Leave this one stopped, others run into stops. */
                T_SYSOK(kill(c, SIGKILL));
                continue;
            }
            int sig = (st >> 16) || WSTOPSIG(st) == SIGSTOP ||
                      WSTOPSIG(st) == (SIGTRAP | 0x80) ? 0 : WSTOPSIG(st);
            /* A thread may be gone (killed) by now: ESRCH is fine. */
            if (pt(PTRACE_SYSCALL, w, 0, sig) != 0)
                T_EQ(errno, ESRCH);
        }
        T_EQ(errno, ECHILD);
        if (!kill_it) {
            T_EQ(clones, 18);
            T_EQ(thread_exits, 18);
            T_ASSERT(WIFEXITED(proc_exit) && WEXITSTATUS(proc_exit) == 4);
        } else {
            /* Each thread seen reports its death (one whose clone
             * event the kill cut off as well). */
            T_ASSERT(clones >= 1);
            T_ASSERT(thread_exits >= clones && thread_exits <= 18);
            T_ASSERT(WIFSIGNALED(proc_exit) && WTERMSIG(proc_exit) == SIGKILL);
        }
    }
}

/* Bad input: no such thread, a thread of our own process. */
T_CASE(bad_thread_requests)
{
    T_ERRNO(pt(PTRACE_SEIZE, 0x7ffffff0, 0, 0), ESRCH);
    T_ERRNO(pt(PTRACE_GETREGS, -5, 0, 0), ESRCH);
    T_ERRNO(pt(PTRACE_ATTACH, getpid(), 0, 0), EPERM);
    pid_t tid = 0;
    if (pipe(tid_pipe) != 0)
        T_FAIL("pipe");
    pthread_t th;
    T_EQ(pthread_create(&th, NULL, report_tid_and_spin, NULL), 0);
    T_EQ(read(tid_pipe[0], &tid, sizeof tid), (long)sizeof tid);
    T_ERRNO(pt(PTRACE_SEIZE, tid, 0, 0), EPERM);
    close(tid_pipe[0]);
    close(tid_pipe[1]);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--child-exit7") == 0)
        return 7;
    if (argc >= 2 && strcmp(argv[1], "--child-tid-is-pid") == 0)
        return gettid_() == getpid() ? 0 : 9;
    self_path = argv[0];
    t_init("ptrace_thread");
    T_RUN(traceclone_follows_a_thread);
    T_RUN(seize_clone_starts_in_event_stop);
    T_RUN(seize_attaches_one_thread);
    T_RUN(group_stop_of_threads);
    T_RUN(exit_group_from_a_thread);
    T_RUN(tracer_exit_detaches_a_thread);
    T_RUN(tracer_exit_kills_with_exitkill);
    T_RUN(exec_from_a_thread);
    T_RUN(exec_from_a_thread_takes_the_pid);
    T_RUN(threads_come_and_go);
    T_RUN(bad_thread_requests);
    return t_done();
}
