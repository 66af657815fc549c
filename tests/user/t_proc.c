/* t_proc.c: process lifecycle: fork/vfork/execve/exit/wait4/waitid,
 * process groups and sessions. */
#include "t.h"
#include <dirent.h>
#include <pthread.h>
#include <sched.h>

#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>

static char *self_path;

T_CASE(getpid_getppid)
{
    pid_t me = getpid();
    T_ASSERT(me > 0);
    T_ASSERT(getppid() >= 0);
    T_EQ(syscall(SYS_getpid), me);
    int p[2];
    T_SYSOK(pipe(p));
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        pid_t v[2] = { getpid(), getppid() };
        _exit(write(p[1], v, sizeof v) == sizeof v ? 0 : 1);
    }
    pid_t v[2];
    close(p[1]);
    T_EQ(read(p[0], v, sizeof v), sizeof v);
    close(p[0]);
    T_EQ(v[0], c);
    T_EQ(v[1], me);
    T_ASSERT(c != me);
    T_EXITED(c, 0);
}

static void exit_code_case(int code)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0)
        _exit(code);
    int st = 0;
    struct rusage ru;
    T_EQ(wait4(c, &st, 0, &ru), c);
    T_ASSERT(WIFEXITED(st));
    T_ASSERT(!WIFSIGNALED(st));
    T_EQ(WEXITSTATUS(st), code & 255);
    T_EQ(st, (code & 255) << 8); /* the raw Linux encoding */
}

T_CASE(exit_status_0) { exit_code_case(0); }
T_CASE(exit_status_1) { exit_code_case(1); }
T_CASE(exit_status_255) { exit_code_case(255); }
T_CASE(exit_status_256_truncates) { exit_code_case(256); }

T_CASE(exit_via_exit_group)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        syscall(SYS_exit_group, 42);
        _exit(1);
    }
    T_EXITED(c, 42);
}

T_CASE(killed_by_sigkill)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        for (;;)
            pause();
    }
    T_SYSOK(kill(c, SIGKILL));
    int st = 0;
    T_EQ(wait4(c, &st, 0, NULL), c);
    T_ASSERT(WIFSIGNALED(st));
    T_ASSERT(!WIFEXITED(st));
    T_EQ(WTERMSIG(st), SIGKILL);
    T_EQ(st & 0x7f, SIGKILL);
}

T_CASE(killed_by_sigterm_default)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        signal(SIGTERM, SIG_DFL);
        for (;;)
            pause();
    }
    T_SYSOK(kill(c, SIGTERM));
    T_KILLED(c, SIGTERM);
}

T_CASE(wnohang_running_child)
{
    int p[2];
    T_SYSOK(pipe(p));
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        char b;
        close(p[1]);
        _exit(read(p[0], &b, 1) == 0 ? 7 : 8);
    }
    close(p[0]);
    int st = 12345;
    T_EQ(waitpid(c, &st, WNOHANG), 0);
    T_EQ(wait4(-1, &st, WNOHANG, NULL), 0);
    close(p[1]); /* child sees EOF and exits */
    T_EXITED(c, 7);
}

T_CASE(wait_no_children_echild)
{
    int st;
    T_ERRNO(wait(&st), ECHILD);
    T_ERRNO(waitpid(-1, &st, WNOHANG), ECHILD);
    T_ERRNO(wait4(-1, &st, 0, NULL), ECHILD);
}

T_CASE(waitpid_not_my_child_echild)
{
    int st;
    /* our parent is not our child */
    T_ERRNO(waitpid(getppid(), &st, 0), ECHILD);
    T_ERRNO(waitpid(getpid(), &st, 0), ECHILD);
}

T_CASE(wait4_bad_options_einval)
{
    int st;
    T_ERRNO(wait4(-1, &st, 0x00100000 /* unknown bit */, NULL), EINVAL);
}

T_CASE(waitid_exited)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0)
        _exit(9);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    T_SYSOK(waitid(P_PID, (id_t)c, &si, WEXITED));
    T_EQ(si.si_signo, SIGCHLD);
    T_EQ(si.si_code, CLD_EXITED);
    T_EQ(si.si_pid, c);
    T_EQ(si.si_status, 9);
    T_ERRNO(waitid(P_PID, (id_t)c, &si, WEXITED), ECHILD);
}

T_CASE(waitid_killed)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        for (;;)
            pause();
    }
    T_SYSOK(kill(c, SIGKILL));
    siginfo_t si;
    memset(&si, 0, sizeof si);
    T_SYSOK(waitid(P_ALL, 0, &si, WEXITED));
    T_EQ(si.si_code, CLD_KILLED);
    T_EQ(si.si_pid, c);
    T_EQ(si.si_status, SIGKILL);
}

T_CASE(waitid_wnowait_then_reap)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0)
        _exit(3);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    T_SYSOK(waitid(P_PID, (id_t)c, &si, WEXITED | WNOWAIT));
    T_EQ(si.si_pid, c);
    T_EQ(si.si_status, 3);
    /* still waitable */
    T_EXITED(c, 3);
}

T_CASE(waitid_wnohang_none_ready)
{
    int p[2];
    T_SYSOK(pipe(p));
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        char b;
        close(p[1]);
        _exit(read(p[0], &b, 1) == 0 ? 0 : 1);
    }
    close(p[0]);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_pid = 12345;
    T_EQ(waitid(P_PID, (id_t)c, &si, WEXITED | WNOHANG), 0);
    T_EQ(si.si_pid, 0); /* man waitid: si_pid is zeroed when no child was ready */
    close(p[1]);
    T_EXITED(c, 0);
}

T_CASE(vfork_exit)
{
    volatile int x = 1;
    pid_t c = vfork();
    if (c == 0) {
        _exit(x + 4);
    }
    T_SYSOK(c);
    T_EXITED(c, 5);
}

T_CASE(vfork_parent_suspended)
{
    /* With vfork the parent does not run until the child exits or execs,
     * and the child shares memory: its write is visible to the parent. */
    static volatile int shared;
    shared = 0;
    pid_t c = vfork();
    if (c == 0) {
        shared = 77;
        _exit(0);
    }
    T_SYSOK(c);
    T_EQ(shared, 77);
    T_EXITED(c, 0);
}

T_CASE(fork_memory_is_copied)
{
    static volatile int v = 10;
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        v = 20;
        _exit(v == 20 ? 0 : 1);
    }
    T_EXITED(c, 0);
    T_EQ(v, 10);
}

T_CASE(fork_fds_shared_offset)
{
    int p[2];
    T_SYSOK(pipe(p));
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        _exit(write(p[1], "hi", 2) == 2 ? 0 : 1);
    }
    T_EXITED(c, 0);
    char b[3] = { 0 };
    T_EQ(read(p[0], b, 2), 2);
    T_STREQ(b, "hi");
    close(p[0]);
    close(p[1]);
}

T_CASE(execve_enoent)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        char *av[] = { "nope", NULL };
        char *ev[] = { NULL };
        execve("/nonexistent/definitely/not/here", av, ev);
        _exit(errno == ENOENT ? 0 : 100 + (errno & 63));
    }
    T_EXITED(c, 0);
}

T_CASE(execve_directory_eacces)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        char *av[] = { "d", NULL };
        char *ev[] = { NULL };
        execve("/", av, ev);
        _exit(errno == EACCES ? 0 : 100 + (errno & 63));
    }
    T_EXITED(c, 0);
}

T_CASE(execve_self_args_env)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        char *av[] = { self_path, "--child-echo", "alpha", "beta gamma", NULL };
        char *ev[] = { "T_PROC_A=one", "T_PROC_B=two=2", NULL };
        execve(self_path, av, ev);
        _exit(99);
    }
    T_EXITED(c, 42);
}

T_CASE(execve_self_pipe_output)
{
    /* fds without CLOEXEC survive exec; the child writes through the pipe */
    int p[2];
    T_SYSOK(pipe(p));
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        close(p[0]);
        char fdstr[16];
        snprintf(fdstr, sizeof fdstr, "%d", p[1]);
        char *av[] = { self_path, "--child-write", fdstr, NULL };
        char *ev[] = { NULL };
        execve(self_path, av, ev);
        _exit(99);
    }
    close(p[1]);
    char buf[64] = { 0 };
    ssize_t n = 0, r;
    while ((r = read(p[0], buf + n, sizeof buf - 1 - (size_t)n)) > 0)
        n += r;
    close(p[0]);
    T_STREQ(buf, "hello from exec");
    T_EXITED(c, 0);
}

T_CASE(execve_cloexec_closed)
{
    int p[2];
    T_SYSOK(pipe2(p, O_CLOEXEC));
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        char fdstr[16];
        snprintf(fdstr, sizeof fdstr, "%d", p[1]);
        char *av[] = { self_path, "--child-checkfd", fdstr, NULL };
        char *ev[] = { NULL };
        execve(self_path, av, ev);
        _exit(99);
    }
    close(p[0]);
    close(p[1]);
    T_EXITED(c, 0);
}

T_CASE(many_forks_reaped)
{
    enum { N = 50 };
    pid_t kids[N];
    int seen[N];
    for (int i = 0; i < N; i++) {
        kids[i] = t_fork();
        if (kids[i] == 0)
            _exit(i);
        T_SYSOK(kids[i]);
        seen[i] = 0;
    }
    for (int k = 0; k < N; k++) {
        int st;
        pid_t w = wait(&st);
        T_SYSOK(w);
        T_ASSERT(WIFEXITED(st));
        int i = WEXITSTATUS(st);
        T_ASSERT(i >= 0 && i < N);
        T_EQ(kids[i], w);
        T_EQ(seen[i], 0);
        seen[i] = 1;
    }
    int st;
    T_ERRNO(wait(&st), ECHILD);
}

T_CASE(nested_fork_grandchild)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        pid_t g = fork();
        if (g < 0)
            _exit(1);
        if (g == 0)
            _exit(6);
        int st;
        if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st) != 6)
            _exit(2);
        _exit(0);
    }
    T_EXITED(c, 0);
}

T_CASE(setpgid_getpgid)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        if (setpgid(0, 0) != 0)
            _exit(1);
        if (getpgid(0) != getpid())
            _exit(2);
        if (getpgrp() != getpid())
            _exit(3);
        _exit(0);
    }
    T_EXITED(c, 0);
    T_EQ(getpgid(0), getpgrp());
    T_EQ(getpgid(getpid()), getpgrp());
    T_ERRNO(getpgid(0x3ffffff0), ESRCH);
}

T_CASE(setpgid_from_parent)
{
    int p[2];
    T_SYSOK(pipe(p));
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        char b;
        close(p[1]);
        int r = read(p[0], &b, 1);
        _exit(r == 0 && getpgrp() == getpid() ? 0 : 1);
    }
    close(p[0]);
    T_SYSOK(setpgid(c, c));
    T_EQ(getpgid(c), c);
    close(p[1]);
    T_EXITED(c, 0);
    T_ERRNO(setpgid(0, -1), EINVAL);
}

T_CASE(kill_process_group)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        setpgid(0, 0);
        for (;;)
            pause();
    }
    setpgid(c, c); /* avoid racing the child's own call */
    T_SYSOK(kill(-c, SIGKILL));
    T_KILLED(c, SIGKILL);
}

T_CASE(getsid_setsid)
{
    pid_t s = getsid(0);
    T_SYSOK(s);
    T_EQ(getsid(getpid()), s);
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        if (getsid(0) != s)
            _exit(1);
        pid_t n = setsid();
        if (n != getpid())
            _exit(2);
        if (getsid(0) != getpid() || getpgrp() != getpid())
            _exit(3);
        /* a session leader cannot create a new session */
        if (setsid() != -1 || errno != EPERM)
            _exit(4);
        _exit(0);
    }
    T_EXITED(c, 0);
    T_ERRNO(getsid(0x3ffffff0), ESRCH);
}

T_CASE(exit_runs_atexit_not_exit_)
{
    int p[2];
    T_SYSOK(pipe(p));
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        close(p[0]);
        /* stdout buffered data is flushed by exit(), not by _exit() */
        FILE *f = fdopen(p[1], "w");
        if (!f)
            _exit(1);
        fputs("flushed", f);
        exit(0);
    }
    close(p[1]);
    char buf[32] = { 0 };
    ssize_t n = 0, r;
    while ((r = read(p[0], buf + n, sizeof buf - 1 - (size_t)n)) > 0)
        n += r;
    close(p[0]);
    T_STREQ(buf, "flushed");
    T_EXITED(c, 0);
}

T_CASE(rusage_and_ids)
{
    T_EQ(getuid(), geteuid());
    T_EQ(getgid(), getegid());
    struct rusage ru;
    T_SYSOK(getrusage(RUSAGE_SELF, &ru));
    struct rlimit rl;
    T_SYSOK(getrlimit(RLIMIT_NOFILE, &rl));
    T_ASSERT(rl.rlim_cur > 0);
}

static int child_main(int argc, char **argv, char **envp)
{
    if (strcmp(argv[1], "--child-echo") == 0) {
        if (argc != 4)
            return 10;
        if (strcmp(argv[2], "alpha") || strcmp(argv[3], "beta gamma"))
            return 11;
        if (argv[4] != NULL)
            return 12;
        int n = 0;
        for (char **e = envp; *e; e++)
            n++;
        if (n != 2)
            return 13;
        const char *a = getenv("T_PROC_A"), *b = getenv("T_PROC_B");
        if (!a || strcmp(a, "one") || !b || strcmp(b, "two=2"))
            return 14;
        if (strcmp(envp[0], "T_PROC_A=one") || strcmp(envp[1], "T_PROC_B=two=2"))
            return 15;
        return 42;
    }
    if (strcmp(argv[1], "--child-exit7") == 0)
        return 7;
    if (strcmp(argv[1], "--child-write") == 0) {
        int fd = atoi(argv[2]);
        const char *m = "hello from exec";
        return write(fd, m, strlen(m)) == (ssize_t)strlen(m) ? 0 : 1;
    }
    if (strcmp(argv[1], "--child-checkfd") == 0) {
        int fd = atoi(argv[2]);
        return (write(fd, "x", 1) == -1 && errno == EBADF) ? 0 : 1;
    }
    return 50;
}

/* clone3 as fork: the child sees 0 and its exit status comes back; the
 * argument block is checked as Linux checks it. */
T_CASE(clone3_fork_and_checks)
{
    uint64_t args[12] = { 0 }; /* struct clone_args, 88 bytes, and a spare word */
    int st;
    args[4] = SIGCHLD; /* exit_signal */
    long c = syscall(435 /* clone3 */, args, 88);
    if (c == 0)
        _exit(7);
    T_ASSERT(c > 0);
    T_EQ(waitpid((pid_t)c, &st, 0), c);
    T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 7);
    T_ERRNO(syscall(435, args, 32), EINVAL);           /* smaller than VER0 */
    T_ERRNO(syscall(435, args, 8192), E2BIG);          /* over a page */
    args[11] = 1;
    T_ERRNO(syscall(435, args, 96), E2BIG);            /* unknown field set */
    args[11] = 0;
    args[0] = SIGCHLD;
    T_ERRNO(syscall(435, args, 88), EINVAL);           /* signal in flags */
    args[0] = 0;
    args[5] = 0x10000;                                 /* stack, no size */
    T_ERRNO(syscall(435, args, 88), EINVAL);
    args[5] = 0;
    args[4] = 200;                                     /* no such signal */
    T_ERRNO(syscall(435, args, 88), EINVAL);
    T_ERRNO(syscall(435, (void *)8, 88), EFAULT);
}

/* Read a whole small file into buf (NUL-terminated); its length or -1. */
static long slurp(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    long n = 0, r;
    if (fd < 0)
        return -1;
    while (n < (long)cap - 1 && (r = read(fd, buf + n, cap - 1 - (size_t)n)) > 0)
        n += r;
    close(fd);
    buf[n] = 0;
    return n;
}

/* A child chrooted into a tmpfs with proc mounted inside sees only those
 * two mounts, named from its root, in /proc/self/mounts and mountinfo
 * (proc(5): ID, parent, major:minor, root, mount point, options, "-",
 * type, source, super options). Exits 0 if so. */
static int chrooted_mounts(const char *dir)
{
    static char buf[8192];
    char sub[300];
    snprintf(sub, sizeof sub, "%s/proc", dir);
    if (mount("tmpfs", dir, "tmpfs", 0, NULL) || mkdir(sub, 0755) ||
        mount("proc", sub, "proc", 0, NULL) || chroot(dir) || chdir("/"))
        return 1;
    if (slurp("/proc/self/mounts", buf, sizeof buf) <= 0)
        return 2;
    if (!strstr(buf, "tmpfs / tmpfs rw") || !strstr(buf, "proc /proc proc rw") ||
        strstr(buf, "/tmp") || strstr(buf, "/dev")) {
        dprintf(2, "chroot mounts:\n%s", buf);
        return 3;
    }
    if (slurp("/proc/self/mountinfo", buf, sizeof buf) <= 0)
        return 4;
    int lines = 0, root_id = -1;
    for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"), lines++) {
        int id, parent;
        unsigned maj, min;
        char root[64], point[64], rest[256];
        if (sscanf(l, "%d %d %u:%u %63s %63s %255[^\n]", &id, &parent, &maj, &min,
                   root, point, rest) != 7 || strcmp(root, "/") != 0)
            return 5;
        if (strcmp(point, "/") == 0 && strstr(rest, " - tmpfs tmpfs "))
            root_id = id;
        else if (strcmp(point, "/proc") != 0 || parent != root_id ||
                 !strstr(rest, " - proc proc "))
            return 6;
    }
    return lines == 2 && root_id >= 0 ? 0 : 7;
}

T_CASE(mounts_and_mountinfo_from_a_chroot)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/t_proc_root.%d", (int)getpid());
    T_SYSOK(mkdir(dir, 0755));
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0)
        _exit(chrooted_mounts(dir));
    T_EXITED(c, 0);
    char sub[300];
    snprintf(sub, sizeof sub, "%s/proc", dir);
    umount(sub);
    umount(dir);
    rmdir(dir);
}

/* getpriority/setpriority: nice values per thread, inherited by fork,
 * clamped to -20..19; raising priority needs root (EACCES), touching
 * another user's process root or its uid (EPERM); the raw call returns
 * 20 - nice. */
T_CASE(nice_values)
{
    errno = 0;
    T_EQ(getpriority(PRIO_PROCESS, 0), 0);
    T_EQ(errno, 0);
    T_EQ(syscall(SYS_getpriority, PRIO_PROCESS, 0), 20);
    T_SYSOK(setpriority(PRIO_PROCESS, 0, 5));
    T_EQ(getpriority(PRIO_PROCESS, 0), 5);
    T_EQ(syscall(SYS_getpriority, PRIO_PROCESS, 0), 15);
    pid_t c = fork();
    if (c == 0) {
        if (getpriority(PRIO_PROCESS, 0) != 5)
            _exit(1);
        if (setpgid(0, 0) || getpriority(PRIO_PGRP, 0) != 5)
            _exit(6); /* alone in a new group: its own nice */
        if (setuid(65534))
            _exit(2);
        if (setpriority(PRIO_PROCESS, 0, 3) != -1 || errno != EACCES)
            _exit(3); /* a lower nice needs root */
        if (setpriority(PRIO_PROCESS, 0, 10) || getpriority(PRIO_PROCESS, 0) != 10)
            _exit(4);
        if (setpriority(PRIO_PROCESS, getppid(), 12) != -1 || errno != EPERM)
            _exit(5); /* root's process */
        _exit(0);
    }
    T_EXITED(c, 0);
    T_SYSOK(setpriority(PRIO_PROCESS, 0, 100));
    T_EQ(getpriority(PRIO_PROCESS, 0), 19);
    T_SYSOK(setpriority(PRIO_PROCESS, 0, -100)); /* root may */
    T_EQ(getpriority(PRIO_PROCESS, 0), -20);
    T_SYSOK(setpriority(PRIO_PROCESS, getpid(), 0));
    errno = 0; /* the lowest nice of all root's threads, ours among them */
    T_ASSERT(getpriority(PRIO_USER, 0) <= 0 && errno == 0);
    T_ERRNO(getpriority(7, 0), EINVAL);
    T_ERRNO(setpriority(PRIO_PROCESS, 0x3ffffff0, 1), ESRCH);
    T_ERRNO(getpriority(PRIO_PGRP, 0x3ffffff0), ESRCH);
}

/* On one CPU a nice task gets less of it than a normal one (Linux's CFS
 * weights make it 1024:15; our round robin's slices 10 ms against one
 * tick, about 2-3:1 once other wake-ups cut slices short). With
 * more CPUs where each runs is the policy's choice, so only one CPU
 * gives a comparison. */
T_CASE(nice_task_gets_less_cpu)
{
    if (sysconf(_SC_NPROCESSORS_ONLN) != 1) {
        T_ASSERT(getpriority(PRIO_PROCESS, 0) == 0);
        return;
    }
    int pfd[2];
    T_SYSOK(pipe(pfd));
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            if (k == 1)
                setpriority(PRIO_PROCESS, 0, 19);
            char b;
            if (read(pfd[0], &b, 1) != 1) /* start together */
                _exit(1);
            for (;;)
                ;
        }
    }
    T_EQ(write(pfd[1], "xx", 2), 2);
    /* The window over which the two share the CPU: one sleep, so the
     * parent's own wake-ups do not cut their slices short. */
    struct timespec window = { 1, 500000000 };
    while (nanosleep(&window, &window) == -1 && errno == EINTR)
        ;
    long long ns[2];
    for (int k = 0; k < 2; k++) {
        struct timespec cpu;
        clockid_t cid;
        T_SYSOK(clock_getcpuclockid(kids[k], &cid));
        T_SYSOK(clock_gettime(cid, &cpu));
        ns[k] = cpu.tv_sec * 1000000000LL + cpu.tv_nsec;
        kill(kids[k], SIGKILL);
        waitpid(kids[k], NULL, 0);
    }
    close(pfd[0]);
    close(pfd[1]);
    if (!(2 * ns[0] > 3 * ns[1]))
        T_FAIL("nice 0 ran %lld us, nice 19 %lld us: expected over 1.5x", ns[0] / 1000, ns[1] / 1000);
}

/* /proc/self/limits in Linux's layout, its numbers getrlimit's. */
/* A process's /proc entries keep their modes, even for their owner or
 * root (Linux proc_setattr): found by trinity, whose children took search
 * permission off their parent's /proc/<pid> (same user), which then
 * could not read its own fd/. */
T_CASE(proc_pid_entries_refuse_chmod)
{
    char path[64];

    T_ERRNO(chmod("/proc/self/", 0700), EPERM);
    T_ERRNO(chmod("/proc/self/fd", 0700), EPERM);
    T_ERRNO(chmod("/proc/self/status", 0600), EPERM);
    snprintf(path, sizeof path, "/proc/%d/task/%d", (int)getpid(), (int)getpid());
    T_ERRNO(chmod(path, 0), EPERM);
    /* Its owner's child (nobody's, as root may not stay root here) may
     * not change a process's /proc/<pid>, which still lets it into fd/. */
    pid_t pid = t_fork();
    if (pid == 0) {
        char p2[64];
        int st;
        if (geteuid() == 0 && setresuid(65534, 65534, 65534))
            _exit(1);
        snprintf(p2, sizeof p2, "/proc/%d", (int)getpid());
        pid_t g = fork();
        if (g == 0)
            _exit(chmod(p2, 0) == -1 && errno == EPERM ? 0 : 1);
        if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st))
            _exit(2);
        snprintf(p2, sizeof p2, "/proc/%d/fd/", (int)getpid());
        _exit(opendir(p2) ? 0 : 3);
    }
    T_EXITED(pid, 0);
    struct stat st;
    T_SYSOK(stat("/proc/self/", &st));
    T_EQ(st.st_mode & 07777, 0555);
}

/* Two threads wait for the same children while they exit, and the
 * parent exits with some still unreaped (they go to init): each child is
 * reaped once, by one waiter. The kernel once left a reaped child on its
 * parent's list for a moment, where the other waiter or the exit found
 * it again (a double free, then a loop over a corrupted list). */
static volatile int reaped_total, reaped_dups;
static volatile pid_t reaped_pid[4096];

static void *reaper(void *arg)
{
    (void)arg;
    for (;;) {
        pid_t c = wait(NULL);
        if (c < 0) {
            if (errno == ECHILD)
                break;
            continue;
        }
        int n = __atomic_fetch_add(&reaped_total, 1, __ATOMIC_SEQ_CST);
        for (int i = 0; i < n && i < 4096; i++)
            if (reaped_pid[i] == c)
                __atomic_fetch_add(&reaped_dups, 1, __ATOMIC_SEQ_CST);
        if (n < 4096)
            reaped_pid[n] = c;
    }
    return NULL;
}

T_CASE(two_waiters_reap_each_child_once)
{
    for (int round = 0; round < 20; round++) {
        pid_t q = fork();
        T_ASSERT(q >= 0);
        if (q == 0) {
            pthread_t th[2];
            int made = 0;
            for (int i = 0; i < 40; i++) {
                pid_t c = fork();
                if (c == 0)
                    _exit(0);
                made += c > 0;
            }
            for (int i = 0; i < 2; i++)
                pthread_create(&th[i], NULL, reaper, NULL);
            if (round % 2) {
                /* Exit with the waiters still at work. */
                for (int i = 0; i < 8; i++) {
                    if (fork() == 0)
                        _exit(0);
                }
                _exit(0);
            }
            for (int i = 0; i < 2; i++)
                pthread_join(th[i], NULL);
            _exit(reaped_dups ? 2 : reaped_total == made ? 0 : 3);
        }
        int st;
        T_SYSOK(waitpid(q, &st, 0));
        T_ASSERT(WIFEXITED(st));
        T_EQ(WEXITSTATUS(st), 0);
    }
}

/* /proc/<pid>/fd/<n>, cwd and root are "magic" links: opening one
 * reopens the object itself, even a pipe or a deleted file, which have
 * no path to follow (bash's <(cmd) hands out /dev/fd/63, a pipe). Only
 * for a process one could ptrace: another user's is EACCES. */
T_CASE(proc_fd_links_reopen_the_object)
{
    int p[2], r, fd, d;
    char path[64], buf[16] = { 0 };

    T_SYSOK(pipe(p));
    T_EQ(write(p[1], "abc", 3), 3);
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    T_SYSOK(r = open(path, O_RDONLY));
    T_EQ(read(r, buf, sizeof buf), 3);
    T_ASSERT(memcmp(buf, "abc", 3) == 0);
    close(r);
    /* The writer gone first (bash's <(echo) when echo has finished):
     * the open does not wait for one; the data is there, then EOF. */
    T_EQ(write(p[1], "xyz", 3), 3);
    close(p[1]);
    T_SYSOK(r = open(path, O_RDONLY));
    T_EQ(read(r, buf, sizeof buf), 3);
    T_ASSERT(memcmp(buf, "xyz", 3) == 0);
    T_EQ(read(r, buf, sizeof buf), 0);
    close(r);
    close(p[0]);
    /* A deleted file. */
    T_SYSOK(fd = open("/tmp/t_proc_magic", O_RDWR | O_CREAT | O_TRUNC, 0600));
    T_EQ(write(fd, "gone", 4), 4);
    T_SYSOK(unlink("/tmp/t_proc_magic"));
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    T_SYSOK(r = open(path, O_RDONLY));
    memset(buf, 0, sizeof buf);
    T_EQ(read(r, buf, sizeof buf), 4);
    T_ASSERT(memcmp(buf, "gone", 4) == 0);
    close(r);
    close(fd);
    /* cwd as a directory to walk through. */
    T_SYSOK(d = open("/proc/self/cwd/.", O_RDONLY | O_DIRECTORY));
    close(d);
    pid_t c = fork();
    if (c == 0) {
        if (setuid(65534) != 0)
            _exit(9);
        int e1 = open("/proc/1/cwd/.", O_RDONLY) == -1 && errno == EACCES;
        _exit(e1 ? 0 : 1);
    }
    int st;
    T_SYSOK(waitpid(c, &st, 0));
    T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* personality(2): set, asked with 0xffffffff, kept by a child. */
static void *sleeper(void *arg)
{
    int *fd = arg;
    char c;
    (void)!read(*fd, &c, 1);
    return NULL;
}

/* unshare(2): a process cloned with CLONE_FILES or CLONE_FS gets its own
 * table or directory; undoable sharing is refused only when there is
 * something to unshare; namespaces need privilege. */
T_CASE(unshare_files_fs_and_refusals)
{
    int sync[2], fd = -1;
    char before[256], after[256];

    T_SYSOK(syscall(SYS_unshare, 0));
    T_SYSOK(syscall(SYS_unshare, CLONE_FILES | CLONE_FS | CLONE_SYSVSEM));
    T_SYSOK(syscall(SYS_unshare, CLONE_THREAD | CLONE_SIGHAND | CLONE_VM));
    T_ERRNO(syscall(SYS_unshare, 0x11), EINVAL); /* a CSIGNAL bit */
    T_ERRNO(syscall(SYS_unshare, CLONE_SETTLS), EINVAL);

    /* CLONE_FILES: the child's close after unshare leaves ours open. */
    T_SYSOK(pipe(sync));
    pid_t pid = syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
    T_SYSOK(pid);
    if (pid == 0) {
        int f = open("/dev/null", O_RDONLY); /* lands in the shared table */
        if (f < 0 || syscall(SYS_unshare, CLONE_FILES) != 0)
            _exit(1);
        close(f);
        _exit(write(sync[1], &f, sizeof f) == sizeof f ? 0 : 2);
    }
    int st;
    T_SYSOK(waitpid(pid, &st, 0));
    T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    T_EQ(read(sync[0], &fd, sizeof fd), (ssize_t)sizeof fd);
    T_SYSOK(fcntl(fd, F_GETFD)); /* the child made it; we still have it */
    close(fd);

    /* CLONE_FS: the child's chdir after unshare leaves our cwd alone. */
    T_ASSERT(getcwd(before, sizeof before) != NULL);
    pid = syscall(SYS_clone, CLONE_FS | SIGCHLD, 0, 0, 0, 0);
    T_SYSOK(pid);
    if (pid == 0)
        _exit(syscall(SYS_unshare, CLONE_FS) == 0 && chdir("/") == 0 ? 0 : 1);
    T_SYSOK(waitpid(pid, &st, 0));
    T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    T_ASSERT(getcwd(after, sizeof after) != NULL);
    T_STREQ(after, before);

    /* close_range's CLOSE_RANGE_UNSHARE closes in a table of its own:
     * the child's closing leaves ours open. */
    int keep = open("/dev/null", O_RDONLY);
    T_SYSOK(keep);
    pid = syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
    T_SYSOK(pid);
    if (pid == 0)
        _exit(syscall(SYS_close_range, keep, keep, 2 /* CLOSE_RANGE_UNSHARE */) == 0 &&
              fcntl(keep, F_GETFD) == -1 ? 0 : 1);
    T_SYSOK(waitpid(pid, &st, 0));
    T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    T_SYSOK(fcntl(keep, F_GETFD));
    close(keep);

    /* With a second thread, CLONE_THREAD (and so CLONE_VM) is refused. */
    pthread_t th;
    T_EQ(pthread_create(&th, NULL, sleeper, &sync[0]), 0);
    T_ERRNO(syscall(SYS_unshare, CLONE_THREAD), EINVAL);
    T_ERRNO(syscall(SYS_unshare, CLONE_VM), EINVAL);
    T_EQ(write(sync[1], "x", 1), 1);
    T_EQ(pthread_join(th, NULL), 0);

    /* A namespace needs CAP_SYS_ADMIN first. */
    pid = t_fork();
    T_SYSOK(pid);
    if (pid == 0) {
        if (setuid(65534) != 0)
            _exit(1);
        _exit(syscall(SYS_unshare, CLONE_NEWUTS) == -1 && errno == EPERM ? 0 : 2);
    }
    T_SYSOK(waitpid(pid, &st, 0));
    T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(sync[0]);
    close(sync[1]);
}

/* Inside a chroot, /proc's links name their targets from the new root
 * (Linux's d_path from the reader's root): cwd "/", root "/", a file
 * opened there "/f". */
T_CASE(proc_links_named_from_the_chroot)
{
    char dir[64], sub[96];
    snprintf(dir, sizeof dir, "/tmp/t_proc_chroot.%d", (int)getpid());
    T_SYSOK(mkdir(dir, 0755));
    snprintf(sub, sizeof sub, "%s/proc", dir);
    T_SYSOK(mkdir(sub, 0755));
    T_SYSOK(mount("proc", sub, "proc", 0, NULL));
    pid_t pid = t_fork();
    T_SYSOK(pid);
    if (pid == 0) {
        char buf[128];
        ssize_t n;
        if (chroot(dir) != 0 || chdir("/") != 0)
            _exit(1);
        n = readlink("/proc/self/cwd", buf, sizeof buf - 1);
        if (n != 1 || buf[0] != '/')
            _exit(2);
        n = readlink("/proc/self/root", buf, sizeof buf - 1);
        if (n != 1 || buf[0] != '/')
            _exit(3);
        int fd = open("/f", O_RDWR | O_CREAT, 0600);
        if (fd < 0)
            _exit(4);
        snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd);
        char target[128];
        n = readlink(buf, target, sizeof target - 1);
        if (n != 2 || memcmp(target, "/f", 2) != 0)
            _exit(5);
        _exit(0);
    }
    int st;
    T_SYSOK(waitpid(pid, &st, 0));
    T_SYSOK(umount(sub));
    snprintf(sub, sizeof sub, "%s/f", dir);
    unlink(sub);
    snprintf(sub, sizeof sub, "%s/proc", dir);
    rmdir(sub);
    rmdir(dir);
    T_ASSERT(WIFEXITED(st));
    T_EQ(WEXITSTATUS(st), 0);
}

/* Run execveat(dirfd, path, flags) in a child: its exit status, or 100 +
 * errno when the call failed. */
static int try_execveat(int dirfd, const char *path, int flags)
{
    pid_t pid = t_fork();
    if (pid == 0) {
        char *av[] = { self_path, "--child-exit7", NULL }, *ev[] = { NULL };
        syscall(SYS_execveat, dirfd, path, av, ev, flags);
        _exit(100 + errno);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

/* execveat(2): a file named from a directory fd, the fd's own file with
 * AT_EMPTY_PATH (fexecve), AT_SYMLINK_NOFOLLOW, and the errors. */
T_CASE(execveat_dirfd_empty_path_and_nofollow)
{
    char exe[256], dir[256], link[64], junk[64];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    T_ASSERT(n > 0);
    exe[n] = 0;
    T_ASSERT(strrchr(exe, '/') != NULL);
    size_t dl = (size_t)(strrchr(exe, '/') - exe);
    memcpy(dir, exe, dl);
    dir[dl] = 0;
    const char *base = exe + dl + 1;

    int fd = open(exe, O_PATH);
    T_SYSOK(fd);
    T_EQ(try_execveat(fd, "", AT_EMPTY_PATH), 7);
    T_EQ(try_execveat(fd, "", 0), 100 + ENOENT);
    int dfd = open(dl ? dir : "/", O_DIRECTORY | O_RDONLY);
    T_SYSOK(dfd);
    T_EQ(try_execveat(dfd, base, 0), 7);
    T_EQ(try_execveat(dfd, "no-such-program", 0), 100 + ENOENT);
    T_EQ(try_execveat(AT_FDCWD, exe, 0), 7);
    T_EQ(try_execveat(fd, exe, 0x1), 100 + EINVAL); /* unknown flag */
    snprintf(link, sizeof link, "/tmp/t_proc_exelink.%d", (int)getpid());
    T_SYSOK(symlink(exe, link));
    T_EQ(try_execveat(AT_FDCWD, link, 0), 7);
    T_EQ(try_execveat(AT_FDCWD, link, AT_SYMLINK_NOFOLLOW), 100 + ELOOP);
    unlink(link);
    /* Not a program: ENOEXEC, through the fd as by path. */
    snprintf(junk, sizeof junk, "/tmp/t_proc_junk.%d", (int)getpid());
    int j = open(junk, O_RDWR | O_CREAT | O_TRUNC, 0700);
    T_SYSOK(j);
    T_EQ(write(j, "not a program at all\n", 21), 21);
    close(j);
    j = open(junk, O_PATH);
    T_SYSOK(j);
    T_EQ(try_execveat(j, "", AT_EMPTY_PATH), 100 + ENOEXEC);
    T_EQ(try_execveat(AT_FDCWD, junk, 0), 100 + ENOEXEC);
    close(j);
    unlink(junk);
    close(dfd);
    close(fd);
}

T_CASE(personality_set_and_inherited)
{
    int was = personality(0xffffffff);
    T_ASSERT(was >= 0);
    T_EQ(personality(ADDR_NO_RANDOMIZE), was);
    T_EQ(personality(0xffffffff), ADDR_NO_RANDOMIZE);
    pid_t c = fork();
    if (c == 0)
        _exit(personality(0xffffffff) == ADDR_NO_RANDOMIZE ? 0 : 1);
    int st;
    T_SYSOK(waitpid(c, &st, 0));
    T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    T_EQ(personality(was), ADDR_NO_RANDOMIZE);
}

T_CASE(proc_limits)
{
    char text[4096] = { 0 }, want[160];
    struct rlimit rl;
    int fd;

    T_SYSOK(fd = open("/proc/self/limits", O_RDONLY));
    T_ASSERT(read(fd, text, sizeof text - 1) > 0);
    close(fd);
    T_ASSERT(strncmp(text, "Limit                     Soft Limit           Hard Limit           Units     \n", 79) == 0);
    T_SYSOK(getrlimit(RLIMIT_NOFILE, &rl));
    snprintf(want, sizeof want, "\nMax open files            %-20llu %-20llu files     \n",
             (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
    T_ASSERT(strstr(text, want) != NULL);
    T_ASSERT(strstr(text, "\nMax cpu time              unlimited            unlimited            seconds   \n") != NULL);
    T_ASSERT(strstr(text, "\nMax nice priority         ") != NULL);
}

/* PR_SET_CHILD_SUBREAPER: an orphan below goes to the nearest live
 * ancestor that asked, not to init, and that one may wait for it; the
 * flag is not inherited. */
T_CASE(child_subreaper_takes_orphans)
{
    int p[2], q[2], v = -1;
    pid_t me = getpid(), grand = 0;

    T_SYSOK(pipe(p));
    T_SYSOK(pipe(q));
    T_SYSOK(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
    T_SYSOK(prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0));
    T_EQ(v, 1);
    pid_t c = t_fork();
    if (c == 0) {
        int w = -1;
        if (prctl(PR_GET_CHILD_SUBREAPER, &w, 0, 0, 0) || w != 0)
            _exit(2);
        pid_t g = fork();
        if (g == 0) {
            char b;
            pid_t pp;
            (void)read(p[0], &b, 1); /* until the middle one is gone */
            pp = getppid();
            _exit(write(q[1], &pp, sizeof pp) == sizeof pp ? 0 : 3);
        }
        _exit(write(q[1], &g, sizeof g) == sizeof g ? 0 : 4);
    }
    T_EXITED(c, 0);
    T_EQ(read(q[0], &grand, sizeof grand), sizeof grand);
    T_EQ(write(p[1], "x", 1), 1);
    pid_t pp = 0;
    T_EQ(read(q[0], &pp, sizeof pp), sizeof pp);
    T_EQ(pp, me);
    T_EXITED(grand, 0);
    T_SYSOK(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0));
    close(p[0]); close(p[1]); close(q[0]); close(q[1]);
}

/* /proc/sys/kernel/hostname and domainname are uname's names, and a
 * write sets them (to the first newline), as sethostname does. */
T_CASE(proc_sys_kernel_hostname_is_uname_s)
{
    struct utsname u, v;
    char b[80] = { 0 };
    int fd;

    T_SYSOK(uname(&u));
    fd = open("/proc/sys/kernel/hostname", O_RDONLY);
    T_SYSOK(fd);
    T_ASSERT(read(fd, b, sizeof b - 1) > 0);
    close(fd);
    T_ASSERT(strchr(b, '\n') != NULL);
    *strchr(b, '\n') = 0;
    T_STREQ(b, u.nodename);
    fd = open("/proc/sys/kernel/hostname", O_WRONLY);
    T_SYSOK(fd);
    T_EQ(write(fd, "t-proc-host\n", 12), 12);
    close(fd);
    T_SYSOK(uname(&v));
    T_STREQ(v.nodename, "t-proc-host");
    T_SYSOK(sethostname(u.nodename, strlen(u.nodename)));
    fd = open("/proc/sys/kernel/domainname", O_RDONLY);
    T_SYSOK(fd);
    memset(b, 0, sizeof b);
    T_ASSERT(read(fd, b, sizeof b - 1) > 0);
    close(fd);
    T_ASSERT(strncmp(b, u.domainname, strlen(u.domainname)) == 0);
}

/* /proc/self/mountstats: a "device SRC mounted on DIR with fstype T"
 * line for each line of /proc/self/mounts, in the same order. */
T_CASE(proc_mountstats_names_every_mount)
{
    static char m[16384], st[16384];
    char src[256], dir[256], type[64], want[700];
    int lines = 0;

    T_ASSERT(slurp("/proc/self/mounts", m, sizeof m) > 0);
    T_ASSERT(slurp("/proc/self/mountstats", st, sizeof st) > 0);
    for (char *l = m; *l; l = strchr(l, '\n') + 1) {
        T_EQ(sscanf(l, "%255s %255s %63s", src, dir, type), 3);
        snprintf(want, sizeof want, "device %s mounted on %s with fstype %s",
                 src, dir, type);
        if (!strstr(st, want))
            T_FAIL("no \"%s\" in mountstats", want);
        lines++;
        if (!strchr(l, '\n'))
            break;
    }
    T_ASSERT(lines > 0);
}

static volatile long mem_var = 5;
static const char mem_ro[16] = "read-only";

/* /proc/<pid>/mem: the bytes at the address the offset names, read and
 * written (even read-only program data, as ptrace's FOLL_FORCE), EIO
 * where nothing is mapped, another process's for whoever may ptrace it
 * only (EACCES). */
T_CASE(proc_pid_mem_reads_and_writes_memory)
{
    long v = 0;
    char b[16];
    int p[2], q[2];
    int fd = open("/proc/self/mem", O_RDWR);

    T_SYSOK(fd);
    T_EQ(pread(fd, &v, sizeof v, (off_t)(uintptr_t)&mem_var), sizeof v);
    T_EQ(v, 5);
    v = 6;
    T_EQ(pwrite(fd, &v, sizeof v, (off_t)(uintptr_t)&mem_var), sizeof v);
    T_EQ(mem_var, 6);
    T_EQ(pwrite(fd, "forced", 7, (off_t)(uintptr_t)mem_ro), 7);
    const char *volatile ro = mem_ro; /* not folded at compile time */
    T_STREQ(ro, "forced");
    T_ERRNO(pread(fd, b, sizeof b, 4096), EIO);
    close(fd);

    T_SYSOK(pipe(p));
    T_SYSOK(pipe(q));
    pid_t c = t_fork();
    if (c == 0) {
        char x;
        mem_var = 77;
        (void)write(q[1], "r", 1);
        (void)read(p[0], &x, 1);
        _exit(0);
    }
    char r;
    T_EQ(read(q[0], &r, 1), 1);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", (int)c);
    fd = open(path, O_RDONLY);
    T_SYSOK(fd);
    T_EQ(lseek(fd, (off_t)(uintptr_t)&mem_var, SEEK_SET), (off_t)(uintptr_t)&mem_var);
    T_EQ(read(fd, &v, sizeof v), sizeof v);
    T_EQ(v, 77);
    close(fd);
    pid_t n = t_fork();
    if (n == 0) {
        if (setgid(65534) || setuid(65534))
            _exit(2);
        _exit(open(path, O_RDONLY) == -1 && errno == EACCES ? 0 : 1);
    }
    T_EXITED(n, 0);
    T_EQ(write(p[1], "x", 1), 1);
    T_EXITED(c, 0);
    close(p[0]); close(p[1]); close(q[0]); close(q[1]);
}

/* /proc/self/auxv: the (type, value) words exec gave the program, to
 * AT_NULL, as getauxval sees them (gdb finds a PIE's load address so). */
T_CASE(proc_auxv_is_the_auxiliary_vector)
{
    unsigned long v[128];
    int fd = open("/proc/self/auxv", O_RDONLY);
    T_SYSOK(fd);
    ssize_t n = read(fd, v, sizeof v);
    close(fd);
    T_ASSERT(n > 0 && n % 16 == 0);
    int found = 0;
    for (ssize_t i = 0; i < n / 8; i += 2) {
        if (v[i] == AT_PAGESZ || v[i] == AT_ENTRY || v[i] == AT_PHDR) {
            T_EQ(v[i + 1], getauxval(v[i]));
            found++;
        }
        if (v[i] == AT_NULL) {
            T_EQ(i + 2, n / 8); /* it ends there */
            break;
        }
    }
    T_EQ(found, 3);
}

int main(int argc, char **argv, char **envp)
{
    if (argc >= 2 && strncmp(argv[1], "--child-", 8) == 0)
        return child_main(argc, argv, envp);
    self_path = argv[0];
    t_init("proc");
    T_RUN(getpid_getppid);
    T_RUN(exit_status_0);
    T_RUN(exit_status_1);
    T_RUN(exit_status_255);
    T_RUN(exit_status_256_truncates);
    T_RUN(exit_via_exit_group);
    T_RUN(killed_by_sigkill);
    T_RUN(killed_by_sigterm_default);
    T_RUN(wnohang_running_child);
    T_RUN(wait_no_children_echild);
    T_RUN(waitpid_not_my_child_echild);
    T_RUN(wait4_bad_options_einval);
    T_RUN(waitid_exited);
    T_RUN(waitid_killed);
    T_RUN(waitid_wnowait_then_reap);
    T_RUN(waitid_wnohang_none_ready);
    T_RUN(vfork_exit);
    T_RUN(vfork_parent_suspended);
    T_RUN(fork_memory_is_copied);
    T_RUN(fork_fds_shared_offset);
    T_RUN(execve_enoent);
    T_RUN(execve_directory_eacces);
    T_RUN(execve_self_args_env);
    T_RUN(execve_self_pipe_output);
    T_RUN(execve_cloexec_closed);
    T_RUN(many_forks_reaped);
    T_RUN(nested_fork_grandchild);
    T_RUN(setpgid_getpgid);
    T_RUN(setpgid_from_parent);
    T_RUN(kill_process_group);
    T_RUN(getsid_setsid);
    T_RUN(exit_runs_atexit_not_exit_);
    T_RUN(rusage_and_ids);
    T_RUN(mounts_and_mountinfo_from_a_chroot);
    T_RUN(clone3_fork_and_checks);
    T_RUN(nice_values);
    T_RUN(nice_task_gets_less_cpu);
    T_RUN(proc_limits);
    T_RUN(two_waiters_reap_each_child_once);
    T_RUN(proc_fd_links_reopen_the_object);
    T_RUN(personality_set_and_inherited);
    T_RUN(unshare_files_fs_and_refusals);
    T_RUN(proc_links_named_from_the_chroot);
    T_RUN(proc_auxv_is_the_auxiliary_vector);
    T_RUN(child_subreaper_takes_orphans);
    T_RUN(proc_sys_kernel_hostname_is_uname_s);
    T_RUN(proc_pid_mem_reads_and_writes_memory);
    T_RUN(proc_mountstats_names_every_mount);
    T_RUN(execveat_dirfd_empty_path_and_nofollow);
    T_RUN(proc_pid_entries_refuse_chmod);
    return t_done();
}
