/* t_signalfd.c: signalfd(2): pending signals read as records, poll and
 * epoll readiness, blocking reads, SIGCHLD's fields, mask updates, and
 * the argument checks. */
#include "t.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>

static sigset_t only(int a, int b)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, a);
    if (b)
        sigaddset(&s, b);
    return s;
}

T_CASE(reads_a_pending_signal_with_its_sender)
{
    sigset_t m = only(SIGUSR1, 0), old;
    T_SYSOK(sigprocmask(SIG_BLOCK, &m, &old));
    int fd = signalfd(-1, &m, SFD_NONBLOCK);
    T_SYSOK(fd);
    struct signalfd_siginfo si;
    T_ERRNO(read(fd, &si, sizeof si), EAGAIN);
    struct pollfd p = { fd, POLLIN, 0 };
    T_EQ(poll(&p, 1, 0), 0);
    T_SYSOK(kill(getpid(), SIGUSR1));
    T_EQ(poll(&p, 1, 0), 1);
    T_EQ(p.revents, POLLIN);
    T_EQ(read(fd, &si, sizeof si), (long)sizeof si);
    T_EQ(si.ssi_signo, SIGUSR1);
    T_EQ(si.ssi_code, SI_USER);
    T_EQ(si.ssi_pid, getpid());
    T_EQ(si.ssi_uid, getuid());
    sigset_t pend;
    sigpending(&pend);
    T_ASSERT(!sigismember(&pend, SIGUSR1)); /* taken off, not delivered */
    T_ERRNO(read(fd, &si, sizeof si), EAGAIN);
    close(fd);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

T_CASE(two_records_in_one_read_and_queued_value)
{
    sigset_t m = only(SIGUSR2, SIGRTMIN), old;
    T_SYSOK(sigprocmask(SIG_BLOCK, &m, &old));
    int fd = signalfd(-1, &m, 0);
    T_SYSOK(fd);
    union sigval v = { .sival_int = 77 };
    T_SYSOK(sigqueue(getpid(), SIGRTMIN, v));
    T_SYSOK(raise(SIGUSR2));
    struct signalfd_siginfo si[3];
    T_EQ(read(fd, si, sizeof si), 2 * (long)sizeof si[0]);
    T_EQ(si[0].ssi_signo, SIGUSR2); /* lowest number first */
    T_EQ(si[0].ssi_code, SI_TKILL);
    T_EQ(si[1].ssi_signo, SIGRTMIN);
    T_EQ(si[1].ssi_code, SI_QUEUE);
    T_EQ(si[1].ssi_int, 77);
    close(fd);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

T_CASE(blocking_read_woken_by_another_process)
{
    sigset_t m = only(SIGUSR1, 0), old;
    T_SYSOK(sigprocmask(SIG_BLOCK, &m, &old));
    int fd = signalfd(-1, &m, SFD_CLOEXEC);
    T_SYSOK(fd);
    T_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    pid_t c = fork();
    if (c == 0)
        _exit(kill(getppid(), SIGUSR1) ? 1 : 0);
    struct signalfd_siginfo si;
    T_EQ(read(fd, &si, sizeof si), (long)sizeof si);
    T_EQ(si.ssi_signo, SIGUSR1);
    T_EQ(si.ssi_pid, c);
    T_EXITED(c, 0);
    close(fd);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

T_CASE(sigchld_fields_and_epoll)
{
    sigset_t m = only(SIGCHLD, 0), old;
    T_SYSOK(sigprocmask(SIG_BLOCK, &m, &old));
    int fd = signalfd(-1, &m, 0);
    T_SYSOK(fd);
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 5 };
    T_SYSOK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    pid_t c = fork();
    if (c == 0)
        _exit(3);
    struct epoll_event out;
    T_EQ(epoll_wait(ep, &out, 1, 30000), 1);
    T_EQ(out.data.u32, 5);
    struct signalfd_siginfo si;
    T_EQ(read(fd, &si, sizeof si), (long)sizeof si);
    T_EQ(si.ssi_signo, SIGCHLD);
    T_EQ(si.ssi_code, CLD_EXITED);
    T_EQ(si.ssi_pid, c);
    T_EQ(si.ssi_status, 3);
    T_EXITED(c, 3);
    close(ep);
    close(fd);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

T_CASE(mask_update_and_errors)
{
    sigset_t m = only(SIGUSR1, 0), old;
    T_SYSOK(sigprocmask(SIG_BLOCK, &m, &old));
    int fd = signalfd(-1, &m, SFD_NONBLOCK);
    T_SYSOK(fd);
    T_SYSOK(raise(SIGUSR1));
    sigset_t none;
    sigemptyset(&none);
    T_EQ(signalfd(fd, &none, 0), fd); /* now it wants nothing */
    struct signalfd_siginfo si;
    T_ERRNO(read(fd, &si, sizeof si), EAGAIN);
    T_EQ(signalfd(fd, &m, 0), fd);
    T_ERRNO(read(fd, &si, 100), EINVAL); /* smaller than one record */
    T_EQ(read(fd, &si, sizeof si), (long)sizeof si);
    T_ERRNO(signalfd(-1, &m, 0x4), EINVAL);
    T_ERRNO(syscall(SYS_signalfd4, -1, &m, 4, 0), EINVAL);
    T_ERRNO(syscall(SYS_signalfd4, -1, (void *)8, 8, 0), EFAULT);
    int pp[2];
    T_SYSOK(pipe(pp));
    T_ERRNO(signalfd(pp[0], &m, 0), EINVAL); /* not a signalfd */
    close(pp[0]);
    close(pp[1]);
    T_ERRNO(signalfd(999, &m, 0), EBADF);
    close(fd);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

int main(void)
{
    t_init("signalfd");
    T_RUN(reads_a_pending_signal_with_its_sender);
    T_RUN(two_records_in_one_read_and_queued_value);
    T_RUN(blocking_read_woken_by_another_process);
    T_RUN(sigchld_fields_and_epoll);
    T_RUN(mask_update_and_errors);
    return t_done();
}
