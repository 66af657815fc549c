/* t_timerfd.c: timerfd_create(2) as Linux: one-shot and periodic timers,
 * relative and absolute, the expiration count, poll and epoll, and the
 * errors. Times are only checked from below (a timer never fires
 * early); how late it fires is the machine's business. */
#include "t.h"

#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>

static uint64_t now_ns(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct itimerspec spec(uint64_t value_ns, uint64_t interval_ns)
{
    struct itimerspec s = {
        { (time_t)(interval_ns / 1000000000ull), (long)(interval_ns % 1000000000ull) },
        { (time_t)(value_ns / 1000000000ull), (long)(value_ns % 1000000000ull) },
    };
    return s;
}

T_CASE(bad_arguments)
{
    struct itimerspec s = spec(100000000000ull, 0), bad = spec(0, 0);
    uint64_t n;
    int fd, other;

    T_ERRNO(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
    T_ERRNO(timerfd_create(CLOCK_MONOTONIC, 0x40), EINVAL);
    T_SYSOK(fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    T_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    T_ERRNO(timerfd_settime(fd, 0x10, &s, NULL), EINVAL);
    /* Only meaningful with TFD_TIMER_ABSTIME on a wall clock; Linux
     * ignores it otherwise. */
    T_SYSOK(timerfd_settime(fd, TFD_TIMER_CANCEL_ON_SET, &s, NULL));
    bad.it_value.tv_nsec = 1000000000;
    T_ERRNO(timerfd_settime(fd, 0, &bad, NULL), EINVAL);
    bad = spec(0, 0);
    bad.it_interval.tv_nsec = -1;
    T_ERRNO(timerfd_settime(fd, 0, &bad, NULL), EINVAL);
    T_ERRNO(timerfd_settime(fd, 0, (void *)8, NULL), EFAULT);
    T_ERRNO(timerfd_gettime(fd, (void *)8), EFAULT);
    T_ERRNO(timerfd_settime(-1, 0, &s, NULL), EBADF);
    T_SYSOK(other = open("/dev/null", O_RDONLY));
    T_ERRNO(timerfd_settime(other, 0, &s, NULL), EINVAL);
    T_ERRNO(timerfd_gettime(other, &s), EINVAL);
    close(other);
    T_ERRNO(read(fd, &n, 7), EINVAL);
    T_ERRNO(read(fd, &n, 8), EAGAIN); /* 100 s to go */
    T_ERRNO(write(fd, &n, 8), EINVAL);
    close(fd);
}

T_CASE(one_shot_relative)
{
    struct itimerspec cur, s = spec(20000000, 0);
    uint64_t n = 0, t0;
    int fd;

    T_SYSOK(fd = timerfd_create(CLOCK_MONOTONIC, 0));
    T_SYSOK(timerfd_gettime(fd, &cur));
    T_EQ(cur.it_value.tv_sec + cur.it_value.tv_nsec, 0);
    t0 = now_ns(CLOCK_MONOTONIC);
    T_SYSOK(timerfd_settime(fd, 0, &s, NULL));
    T_EQ(read(fd, &n, sizeof n), 8);
    T_EQ(n, 1);
    T_ASSERT(now_ns(CLOCK_MONOTONIC) - t0 >= 20000000);
    /* Fired and not periodic: disarmed. */
    T_SYSOK(timerfd_gettime(fd, &cur));
    T_EQ(cur.it_value.tv_sec + cur.it_value.tv_nsec, 0);
    close(fd);
}

/* A far deadline: not readable yet, gettime counts down, the previous
 * setting comes back from the next settime, 0 disarms. */
T_CASE(gettime_old_value_and_disarm)
{
    struct itimerspec cur, old, s = spec(100000000000ull, 2000000000ull);
    struct pollfd p;
    uint64_t n;
    int fd;

    T_SYSOK(fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    T_SYSOK(timerfd_settime(fd, 0, &s, NULL));
    p = (struct pollfd){ fd, POLLIN, 0 };
    T_EQ(poll(&p, 1, 0), 0);
    T_ERRNO(read(fd, &n, 8), EAGAIN);
    T_SYSOK(timerfd_gettime(fd, &cur));
    T_EQ(cur.it_interval.tv_sec, 2);
    T_ASSERT(cur.it_value.tv_sec <= 100 && cur.it_value.tv_sec >= 90);
    s = spec(0, 0);
    T_SYSOK(timerfd_settime(fd, 0, &s, &old));
    T_EQ(old.it_interval.tv_sec, 2);
    T_ASSERT(old.it_value.tv_sec <= 100 && old.it_value.tv_sec >= 90);
    T_SYSOK(timerfd_gettime(fd, &cur));
    T_EQ(cur.it_value.tv_sec + cur.it_value.tv_nsec, 0);
    close(fd);
}

/* Periods that pass unread add up; a read takes them all. */
T_CASE(periodic_counts_expirations)
{
    struct itimerspec s = spec(1000000, 1000000);
    struct timespec d = { 0, 30000000 };
    uint64_t n = 0, t0;
    int fd;

    T_SYSOK(fd = timerfd_create(CLOCK_MONOTONIC, 0));
    t0 = now_ns(CLOCK_MONOTONIC);
    T_SYSOK(timerfd_settime(fd, 0, &s, NULL));
    T_SYSOK(nanosleep(&d, NULL));
    T_EQ(read(fd, &n, sizeof n), 8);
    /* At least 30 ms passed: at least 30 periods of 1 ms ended, but
     * not more than the time since t0 allows. */
    uint64_t most = (now_ns(CLOCK_MONOTONIC) - t0) / 1000000;
    T_ASSERT(n >= 30);
    T_ASSERT(n <= most);
    T_EQ(read(fd, &n, sizeof n), 8); /* blocks for the next period */
    T_ASSERT(n >= 1);
    close(fd);
}

/* A period of 1 ns costs one expiry per read, not the machine. */
T_CASE(tiny_period)
{
    struct itimerspec s = spec(1, 1);
    uint64_t n, total = 0;
    int fd;

    T_SYSOK(fd = timerfd_create(CLOCK_MONOTONIC, 0));
    T_SYSOK(timerfd_settime(fd, 0, &s, NULL));
    for (int i = 0; i < 100; i++) {
        T_EQ(read(fd, &n, sizeof n), 8);
        T_ASSERT(n >= 1);
        total += n;
    }
    T_ASSERT(total >= 100);
    close(fd);
}

T_CASE(absolute_times)
{
    struct itimerspec s;
    uint64_t n = 0, when;
    int fd;

    /* Monotonic, already past: fires at once. */
    T_SYSOK(fd = timerfd_create(CLOCK_MONOTONIC, 0));
    s = spec(1, 0);
    T_SYSOK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &s, NULL));
    T_EQ(read(fd, &n, sizeof n), 8);
    T_EQ(n, 1);
    close(fd);
    /* The wall clock, 30 ms ahead: not before then. */
    T_SYSOK(fd = timerfd_create(CLOCK_REALTIME, 0));
    when = now_ns(CLOCK_REALTIME) + 30000000;
    s = spec(when, 0);
    T_SYSOK(timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &s, NULL));
    T_EQ(read(fd, &n, sizeof n), 8);
    T_EQ(n, 1);
    T_ASSERT(now_ns(CLOCK_REALTIME) >= when);
    close(fd);
}

T_CASE(epoll_and_fork)
{
    struct itimerspec s = spec(10000000, 0);
    struct epoll_event ev = { .events = EPOLLIN }, out;
    uint64_t n = 0;
    int fd, ep;

    T_SYSOK(fd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK));
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    T_SYSOK(timerfd_settime(fd, 0, &s, NULL));
    T_EQ(epoll_wait(ep, &out, 1, 60000), 1);
    T_EQ(out.events, EPOLLIN);
    /* The count is the file's: a child reads it through its copy. */
    pid_t pid = t_fork();
    if (pid == 0)
        _exit(read(fd, &n, 8) == 8 && n == 1 ? 0 : 1);
    T_EXITED(pid, 0);
    T_ERRNO(read(fd, &n, 8), EAGAIN);
    close(ep);
    close(fd);
}

/* Many armed timers at once (stress-ng keeps 256 per worker), and the
 * process can still open files. */
T_CASE(many_timers)
{
    static int fds[600];
    struct itimerspec s = spec(1000000, 1000000);
    int n = 0, f;

    for (; n < 600; n++) {
        fds[n] = timerfd_create(CLOCK_REALTIME, 0);
        if (fds[n] < 0)
            break;
        if (timerfd_settime(fds[n], 0, &s, NULL) != 0)
            break;
    }
    T_EQ(n, 600);
    T_SYSOK(f = open("/tmp/t_timerfd.file", O_CREAT | O_RDWR, 0600));
    close(f);
    unlink("/tmp/t_timerfd.file");
    for (int i = 0; i < n; i++)
        close(fds[i]);
}

int main(void)
{
    t_init("t_timerfd");
    T_RUN(bad_arguments);
    T_RUN(one_shot_relative);
    T_RUN(gettime_old_value_and_disarm);
    T_RUN(periodic_counts_expirations);
    T_RUN(tiny_period);
    T_RUN(absolute_times);
    T_RUN(epoll_and_fork);
    T_RUN(many_timers);
    return t_done();
}
