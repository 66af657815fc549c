/* t_pidfd.c: process file descriptors (pidfd_open, pidfd_send_signal,
 * pidfd_getfd, clone's CLONE_PIDFD, waitid(P_PIDFD)), with their bad
 * inputs. Every expectation is Linux's; passes on Linux too. */
#include "t.h"

#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#define CLONE_PIDFD_ 0x1000
#define PIDFD_NONBLOCK_ O_NONBLOCK

static int pidfd_open(pid_t pid, unsigned flags)
{
    return (int)syscall(SYS_pidfd_open, pid, flags);
}

static int pidfd_send_signal(int fd, int sig, siginfo_t *si, unsigned flags)
{
    return (int)syscall(SYS_pidfd_send_signal, fd, sig, si, flags);
}

/* A child that waits for a byte (or EOF) on rd, then exits with code. */
static pid_t waiter(int p[2], int code)
{
    pid_t c = t_fork();
    if (c == 0) {
        char b;
        close(p[1]);
        (void)read(p[0], &b, 1);
        _exit(code);
    }
    close(p[0]);
    return c;
}

static int ready(int fd, int ms)
{
    struct pollfd pf = { fd, POLLIN, 0 };
    int n = poll(&pf, 1, ms);
    return n == 1 ? pf.revents : n;
}

T_CASE(open_poll_and_waitid)
{
    int p[2];
    char link[64] = { 0 }, path[64];
    siginfo_t si;

    T_SYSOK(pipe(p));
    pid_t c = waiter(p, 7);
    T_SYSOK(c);
    int fd = pidfd_open(c, 0);
    T_SYSOK(fd);
    T_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC); /* always close-on-exec */
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    T_ASSERT(readlink(path, link, sizeof link - 1) > 0);
    T_STREQ(link, "anon_inode:[pidfd]");
    T_EQ(ready(fd, 0), 0); /* running: not readable */
    close(p[1]);
    T_EQ(ready(fd, 20000), POLLIN); /* exited (a zombie) */
    memset(&si, 0, sizeof si);
    T_SYSOK(waitid(P_PIDFD, fd, &si, WEXITED));
    T_EQ(si.si_pid, c);
    T_EQ(si.si_code, CLD_EXITED);
    T_EQ(si.si_status, 7);
    /* reaped: still readable (Linux 6.9 and later add POLLHUP) */
    T_ASSERT(ready(fd, 0) & POLLIN);
    T_ERRNO(waitid(P_PIDFD, fd, &si, WEXITED), ECHILD);
    T_ERRNO(pidfd_send_signal(fd, 0, NULL, 0), ESRCH);
    close(fd);
}

static void *idle(void *arg)
{
    int *rd = arg;
    char b;
    (void)read(*rd, &b, 1);
    return NULL;
}

T_CASE(bad_arguments)
{
    int p[2];
    siginfo_t si;

    T_ERRNO(pidfd_open(-1, 0), EINVAL);
    T_ERRNO(pidfd_open(0, 0), EINVAL);
    T_ERRNO(pidfd_open(getpid(), 1), EINVAL);
    T_ERRNO(pidfd_open(0x3ffffff, 0), ESRCH);
    /* a thread that leads no thread group */
    T_SYSOK(pipe(p));
    pthread_t th;
    T_EQ(pthread_create(&th, NULL, idle, &p[0]), 0);
    pid_t tid = -1;
    for (int i = 0; i < 2000 && tid < 0; i++) { /* its tid from /proc */
        char dir[64];
        snprintf(dir, sizeof dir, "/proc/self/task/%d", getpid() + 1 + i);
        struct stat st;
        if (stat(dir, &st) == 0)
            tid = getpid() + 1 + i;
    }
    if (tid > 0) /* EINVAL until Linux 6.9, ENOENT since */
        T_ERRNO2(pidfd_open(tid, 0), EINVAL, ENOENT);
    T_EQ(write(p[1], "x", 1), 1);
    pthread_join(th, NULL);
    close(p[0]);
    close(p[1]);
    /* not a pidfd */
    T_ERRNO(pidfd_send_signal(0, 0, NULL, 0), EBADF);
    T_ERRNO(pidfd_send_signal(-1, 0, NULL, 0), EBADF);
    int self = pidfd_open(getpid(), 0);
    T_SYSOK(self);
    T_ERRNO(pidfd_send_signal(self, 0, NULL, 0x100), EINVAL);
    T_ERRNO(pidfd_send_signal(self, 65, NULL, 0), EINVAL);
    T_SYSOK(pidfd_send_signal(self, 0, NULL, 0));
    /* waiting for oneself through a pidfd: not a child */
    T_ERRNO(waitid(P_PIDFD, self, &si, WEXITED | WNOHANG), ECHILD);
    T_ERRNO(waitid(P_PIDFD, 0, &si, WEXITED | WNOHANG), EBADF);
    T_ERRNO(syscall(SYS_pidfd_getfd, self, 0, 1), EINVAL);
    close(self);
}

T_CASE(send_signal_and_siginfo_rules)
{
    int p[2];
    int st;
    siginfo_t si;

    T_SYSOK(pipe(p));
    pid_t c = waiter(p, 0);
    T_SYSOK(c);
    int fd = pidfd_open(c, 0);
    T_SYSOK(fd);
    /* a siginfo whose signal is not the one sent */
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_code = SI_QUEUE;
    T_ERRNO(pidfd_send_signal(fd, SIGTERM, &si, 0), EINVAL);
    /* posing as the kernel to another process */
    si.si_signo = SIGTERM;
    si.si_code = SI_USER;
    T_ERRNO(pidfd_send_signal(fd, SIGTERM, &si, 0), EPERM);
    si.si_code = SI_QUEUE; /* as sigqueue: allowed */
    T_SYSOK(pidfd_send_signal(fd, SIGTERM, &si, 0));
    T_EQ(waitpid(c, &st, 0), c);
    T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
    T_ERRNO(pidfd_send_signal(fd, SIGTERM, NULL, 0), ESRCH);
    close(p[1]);
    close(fd);
    /* nobody may not signal root's process */
    T_SYSOK(pipe(p));
    c = waiter(p, 0);
    fd = pidfd_open(c, 0);
    T_SYSOK(fd);
    pid_t n = t_fork();
    if (n == 0) {
        if (setgid(65534) || setuid(65534))
            _exit(2);
        _exit(pidfd_send_signal(fd, SIGKILL, NULL, 0) == -1 && errno == EPERM ? 0 : 1);
    }
    T_EXITED(n, 0);
    close(p[1]);
    T_EXITED(c, 0);
    close(fd);
}

T_CASE(nonblocking_waitid_is_eagain)
{
    int p[2];
    siginfo_t si;

    T_SYSOK(pipe(p));
    pid_t c = waiter(p, 3);
    int fd = pidfd_open(c, PIDFD_NONBLOCK_);
    T_SYSOK(fd);
    T_ASSERT(fcntl(fd, F_GETFL) & O_NONBLOCK);
    T_ERRNO(waitid(P_PIDFD, fd, &si, WEXITED), EAGAIN);
    close(p[1]);
    T_EQ(ready(fd, 20000), POLLIN);
    memset(&si, 0, sizeof si);
    T_SYSOK(waitid(P_PIDFD, fd, &si, WEXITED));
    T_EQ(si.si_status, 3);
    close(fd);
}

T_CASE(clone_pidfd)
{
    int fd = -1;
    long r;

    /* CLONE_PIDFD writes where parent_tid points: not both */
    T_ERRNO(syscall(SYS_clone, CLONE_PIDFD_ | CLONE_PARENT_SETTID | SIGCHLD,
                    0, &fd, 0, 0), EINVAL);
    r = syscall(SYS_clone, CLONE_PIDFD_ | SIGCHLD, 0, &fd, 0, 0);
    if (r == 0)
        _exit(5);
    T_SYSOK(r);
    T_ASSERT(fd >= 0);
    T_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    T_EQ(ready(fd, 20000), POLLIN);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    T_SYSOK(waitid(P_PIDFD, fd, &si, WEXITED));
    T_EQ(si.si_pid, r);
    T_EQ(si.si_status, 5);
    close(fd);
    /* clone3 writes it into its pidfd field */
    struct {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
            stack_size, tls;
    } ca;
    int fd3 = -1;
    memset(&ca, 0, sizeof ca);
    ca.flags = CLONE_PIDFD_;
    ca.pidfd = (uintptr_t)&fd3;
    ca.exit_signal = SIGCHLD;
    r = syscall(SYS_clone3, &ca, sizeof ca);
    if (r == 0)
        _exit(6);
    T_SYSOK(r);
    T_ASSERT(fd3 >= 0);
    T_SYSOK(waitid(P_PIDFD, fd3, &si, WEXITED));
    T_EQ(si.si_status, 6);
    close(fd3);
}

T_CASE(getfd_duplicates_another_process_s_descriptor)
{
    int p[2], q[2];
    char path[] = "/tmp/t_pidfd_XXXXXX";
    struct stat a, b;
    int their = -1;

    T_SYSOK(pipe(p));
    T_SYSOK(pipe(q));
    pid_t c = t_fork();
    if (c == 0) {
        char ch;
        int f = mkstemp(path);
        close(p[1]);
        close(q[0]);
        if (f < 0 || write(q[1], &f, sizeof f) != sizeof f ||
            write(q[1], path, sizeof path) != sizeof path)
            _exit(2);
        (void)read(p[0], &ch, 1);
        _exit(0);
    }
    close(p[0]);
    close(q[1]);
    T_EQ(read(q[0], &their, sizeof their), sizeof their);
    T_EQ(read(q[0], path, sizeof path), sizeof path);
    int fd = pidfd_open(c, 0);
    T_SYSOK(fd);
    int mine = (int)syscall(SYS_pidfd_getfd, fd, their, 0);
    T_SYSOK(mine);
    T_EQ(fcntl(mine, F_GETFD), FD_CLOEXEC);
    T_SYSOK(fstat(mine, &a));
    T_SYSOK(stat(path, &b));
    T_EQ(a.st_ino, b.st_ino);
    T_ERRNO(syscall(SYS_pidfd_getfd, fd, 999, 0), EBADF);
    pid_t n = t_fork();
    if (n == 0) {
        if (setgid(65534) || setuid(65534))
            _exit(2);
        _exit(syscall(SYS_pidfd_getfd, fd, their, 0) == -1 && errno == EPERM ? 0 : 1);
    }
    T_EXITED(n, 0);
    close(p[1]);
    T_EXITED(c, 0);
    unlink(path);
    close(mine);
    close(fd);
    close(q[0]);
}

int main(void)
{
    t_init("pidfd");
    T_RUN(open_poll_and_waitid);
    T_RUN(bad_arguments);
    T_RUN(send_signal_and_siginfo_rules);
    T_RUN(nonblocking_waitid_is_eagain);
    T_RUN(clone_pidfd);
    T_RUN(getfd_duplicates_another_process_s_descriptor);
    return t_done();
}
