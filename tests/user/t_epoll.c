/* t_epoll.c: eventfd(2) and epoll(7). */
#include "t.h"

#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

static void msleep(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int efd_write(int fd, uint64_t v)
{
    return write(fd, &v, sizeof v) == (ssize_t)sizeof v ? 0 : -1;
}

static uint64_t efd_read(int fd)
{
    uint64_t v = 0;
    if (read(fd, &v, sizeof v) != (ssize_t)sizeof v)
        return ~0ull;
    return v;
}

static int ep_add(int ep, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int ep_mod(int ep, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig) { (void)sig; got_usr1 = 1; }

/* A child that sends SIGUSR1 to the parent after ms milliseconds. */
static pid_t kick_later(long ms)
{
    pid_t parent = getpid();
    pid_t c = t_fork();
    if (c == 0) {
        msleep(ms);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    return c;
}

/* A child that writes v to the eventfd after ms milliseconds. */
static pid_t write_later(int efd, uint64_t v, long ms)
{
    pid_t c = t_fork();
    if (c == 0) {
        msleep(ms);
        _exit(efd_write(efd, v) == 0 ? 0 : 1);
    }
    return c;
}

/* ---- eventfd ---------------------------------------------------------- */

T_CASE(efd_counter)
{
    int fd;
    T_SYSOK(fd = eventfd(5, EFD_NONBLOCK));
    T_EQ(efd_read(fd), 5);
    uint64_t v;
    T_ERRNO(read(fd, &v, sizeof v), EAGAIN);
    T_SYSOK(efd_write(fd, 3));
    T_SYSOK(efd_write(fd, 4));
    T_EQ(efd_read(fd), 7);
    T_SYSOK(efd_write(fd, 0)); /* adding 0 is fine, still not readable */
    T_ERRNO(read(fd, &v, sizeof v), EAGAIN);
    close(fd);
}

T_CASE(efd_short_buffers)
{
    int fd;
    T_SYSOK(fd = eventfd(9, 0));
    char b[16];
    T_ERRNO(read(fd, b, 4), EINVAL);
    T_ERRNO(read(fd, b, 7), EINVAL);
    T_ERRNO(write(fd, b, 4), EINVAL);
    T_EQ(read(fd, b, sizeof b), 8); /* a larger buffer reads 8 bytes */
    uint64_t v;
    memcpy(&v, b, 8);
    T_EQ(v, 9);
    v = 2;
    memcpy(b, &v, 8);
    T_ERRNO(write(fd, b, sizeof b), EINVAL); /* current Linux: exactly 8 */
    T_EQ(write(fd, b, 8), 8);
    T_EQ(efd_read(fd), 2);
    close(fd);
}

T_CASE(efd_semaphore)
{
    int fd;
    T_SYSOK(fd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK));
    T_EQ(efd_read(fd), 1);
    T_EQ(efd_read(fd), 1);
    T_EQ(efd_read(fd), 1);
    uint64_t v;
    T_ERRNO(read(fd, &v, sizeof v), EAGAIN);
    T_SYSOK(efd_write(fd, 2));
    T_EQ(efd_read(fd), 1);
    T_EQ(efd_read(fd), 1);
    T_ERRNO(read(fd, &v, sizeof v), EAGAIN);
    close(fd);
}

T_CASE(efd_flags)
{
    int fd;
    T_SYSOK(fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    T_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    T_ASSERT(fcntl(fd, F_GETFL) & O_NONBLOCK);
    T_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
    close(fd);
    T_SYSOK(fd = eventfd(0, 0));
    T_EQ(fcntl(fd, F_GETFD), 0);
    T_ASSERT(!(fcntl(fd, F_GETFL) & O_NONBLOCK));
    /* O_NONBLOCK can be turned on later with fcntl */
    T_SYSOK(fcntl(fd, F_SETFL, O_NONBLOCK));
    uint64_t v;
    T_ERRNO(read(fd, &v, sizeof v), EAGAIN);
    close(fd);
    T_ERRNO(eventfd(0, 0x4242), EINVAL);
    T_ERRNO(syscall(SYS_eventfd2, 0, 0x100), EINVAL);
    /* the old eventfd(2) call takes no flags */
    T_SYSOK(fd = (int)syscall(SYS_eventfd, 4));
    T_EQ(efd_read(fd), 4);
    close(fd);
}

T_CASE(efd_max_value)
{
    int fd;
    T_SYSOK(fd = eventfd(0, EFD_NONBLOCK));
    T_ERRNO(efd_write(fd, UINT64_MAX), EINVAL);
    T_SYSOK(efd_write(fd, UINT64_MAX - 1)); /* the largest count */
    T_ERRNO(efd_write(fd, 1), EAGAIN);
    struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
    T_EQ(poll(&p, 1, 0), 1);
    T_EQ(p.revents, POLLIN);
    T_EQ(efd_read(fd), UINT64_MAX - 1);
    T_SYSOK(efd_write(fd, UINT64_MAX - 2));
    T_SYSOK(efd_write(fd, 1));
    T_ERRNO(efd_write(fd, 1), EAGAIN);
    close(fd);
}

T_CASE(efd_poll)
{
    int fd;
    T_SYSOK(fd = eventfd(0, 0));
    struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
    T_EQ(poll(&p, 1, 0), 1);
    T_EQ(p.revents, POLLOUT);
    p.events = POLLIN;
    T_EQ(poll(&p, 1, 0), 0);
    T_SYSOK(efd_write(fd, 1));
    p.events = POLLIN | POLLOUT;
    T_EQ(poll(&p, 1, 0), 1);
    T_EQ(p.revents, POLLIN | POLLOUT);
    close(fd);
}

T_CASE(efd_blocking_read)
{
    int fd;
    T_SYSOK(fd = eventfd(0, 0));
    pid_t c = write_later(fd, 42, 50);
    T_SYSOK(c);
    T_EQ(efd_read(fd), 42);
    T_EXITED(c, 0);
    close(fd);
}

T_CASE(efd_blocking_write)
{
    int fd;
    T_SYSOK(fd = eventfd(0, 0));
    T_SYSOK(efd_write(fd, UINT64_MAX - 1));
    pid_t c = t_fork();
    if (c == 0) {
        msleep(50);
        _exit(efd_read(fd) == UINT64_MAX - 1 ? 0 : 1);
    }
    T_SYSOK(c);
    T_SYSOK(efd_write(fd, 5)); /* blocks until the child reads */
    T_EXITED(c, 0);
    T_EQ(efd_read(fd), 5);
    close(fd);
}

T_CASE(efd_read_wakes_poll)
{
    int fd;
    T_SYSOK(fd = eventfd(0, 0));
    pid_t c = write_later(fd, 1, 50);
    struct pollfd p = { fd, POLLIN, 0 };
    T_EQ(poll(&p, 1, 5000), 1);
    T_EQ(p.revents, POLLIN);
    T_EXITED(c, 0);
    close(fd);
}

T_CASE(efd_read_eintr)
{
    int fd;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1; /* no SA_RESTART */
    sigaction(SIGUSR1, &sa, &old);
    T_SYSOK(fd = eventfd(0, 0));
    got_usr1 = 0;
    pid_t c = kick_later(50);
    uint64_t v;
    T_ERRNO(read(fd, &v, sizeof v), EINTR);
    T_ASSERT(got_usr1);
    T_EXITED(c, 0);
    sigaction(SIGUSR1, &old, NULL);
    close(fd);
}

T_CASE(efd_fstat)
{
    int fd;
    T_SYSOK(fd = eventfd(0, 0));
    struct stat st;
    T_SYSOK(fstat(fd, &st));
    T_ASSERT(!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode));
    close(fd);
}

/* ---- epoll: setup and errors -------------------------------------------- */

T_CASE(ep_create)
{
    int ep;
    /* musl's epoll_create does not check size: use the raw call */
    T_ERRNO(syscall(SYS_epoll_create, 0), EINVAL);
    T_ERRNO(syscall(SYS_epoll_create, -1), EINVAL);
    T_SYSOK(ep = (int)syscall(SYS_epoll_create, 1));
    T_EQ(fcntl(ep, F_GETFD), 0);
    close(ep);
    T_SYSOK(ep = epoll_create1(EPOLL_CLOEXEC));
    T_EQ(fcntl(ep, F_GETFD), FD_CLOEXEC);
    close(ep);
    T_SYSOK(ep = epoll_create1(0));
    close(ep);
    T_ERRNO(epoll_create1(1), EINVAL);
    T_ERRNO(epoll_create1(O_NONBLOCK), EINVAL);
}

T_CASE(ep_ctl_errors)
{
    int ep, efd, p[2], ep2;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(0, 0));
    T_SYSOK(pipe(p));
    T_SYSOK(ep_add(ep, efd, EPOLLIN, 1));
    T_ERRNO(ep_add(ep, efd, EPOLLIN, 1), EEXIST);
    T_ERRNO(ep_mod(ep, p[0], EPOLLIN, 1), ENOENT);
    T_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
    T_ERRNO(ep_add(ep, 999, EPOLLIN, 1), EBADF);
    T_ERRNO(ep_add(999, efd, EPOLLIN, 1), EBADF);
    T_ERRNO(ep_add(-1, efd, EPOLLIN, 1), EBADF);
    T_ERRNO(ep_add(p[0], efd, EPOLLIN, 1), EINVAL); /* not an epoll fd */
    T_ERRNO(ep_add(ep, ep, EPOLLIN, 1), EINVAL);    /* itself */
    struct epoll_event ev = { EPOLLIN, { 0 } };
    T_ERRNO(epoll_ctl(ep, 77, efd, &ev), EINVAL);    /* bad op */
    T_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], NULL), EFAULT);
    T_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], (void *)8), EFAULT);
    T_SYSOK(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL)); /* DEL needs no event */
    T_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL), ENOENT);
    /* epoll files can nest, but not in a loop */
    T_SYSOK(ep2 = epoll_create1(0));
    T_SYSOK(ep_add(ep, ep2, EPOLLIN, 2));
    T_ERRNO(ep_add(ep2, ep, EPOLLIN, 3), ELOOP);
    close(ep2);
    close(ep);
    close(efd);
    close(p[0]);
    close(p[1]);
}

T_CASE(ep_ctl_eperm_regular)
{
    int ep, fd, dfd;
    char path[] = "/tmp/t_epoll_regXXXXXX";
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(fd = mkstemp(path));
    unlink(path);
    T_ERRNO(ep_add(ep, fd, EPOLLIN, 1), EPERM);
    T_ERRNO(ep_mod(ep, fd, EPOLLIN, 1), EPERM);
    T_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL), EPERM);
    T_SYSOK(dfd = open("/tmp", O_RDONLY | O_DIRECTORY));
    T_ERRNO(ep_add(ep, dfd, EPOLLIN, 1), EPERM);
    close(dfd);
    close(fd);
    close(ep);
}

T_CASE(ep_exclusive)
{
    int ep, efd, efd2;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(1, 0));
    T_SYSOK(efd2 = eventfd(1, 0));
    T_ERRNO(ep_add(ep, efd, EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, 1), EINVAL);
    T_SYSOK(ep_add(ep, efd, EPOLLIN | EPOLLEXCLUSIVE, 1));
    T_ERRNO(ep_mod(ep, efd, EPOLLIN, 1), EINVAL);   /* exclusive items */
    T_SYSOK(ep_add(ep, efd2, EPOLLIN, 2));
    T_ERRNO(ep_mod(ep, efd2, EPOLLIN | EPOLLEXCLUSIVE, 2), EINVAL);
    struct epoll_event ev;
    T_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    close(efd);
    close(efd2);
    close(ep);
}

T_CASE(ep_wait_errors)
{
    int ep, efd, p[2];
    struct epoll_event ev[2];
    T_SYSOK(ep = epoll_create1(0));
    T_ERRNO(epoll_wait(ep, ev, 0, 0), EINVAL);
    T_ERRNO(epoll_wait(ep, ev, -1, 0), EINVAL);
    T_ERRNO(epoll_wait(999, ev, 1, 0), EBADF);
    T_SYSOK(pipe(p));
    T_ERRNO(epoll_wait(p[0], ev, 1, 0), EINVAL);
    /* kernel addresses fail at once */
    T_ERRNO(epoll_wait(ep, (void *)0xffff800000000000ul, 1, 0), EFAULT);
    /* a bad but user-range buffer faults when there is something to say */
    T_SYSOK(efd = eventfd(1, 0));
    T_SYSOK(ep_add(ep, efd, EPOLLIN, 1));
    T_ERRNO(epoll_wait(ep, (void *)8, 1, 0), EFAULT);
    /* ... and the event is still there afterwards */
    T_EQ(epoll_wait(ep, ev, 2, 0), 1);
    T_EQ(ev[0].data.u64, 1);
    close(efd);
    close(p[0]);
    close(p[1]);
    close(ep);
}

/* ---- epoll: event delivery --------------------------------------------- */

T_CASE(ep_packed_layout)
{
    T_EQ(sizeof(struct epoll_event), 12);
    int ep, a, b;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(a = eventfd(1, 0));
    T_SYSOK(b = eventfd(1, 0));
    T_SYSOK(ep_add(ep, a, EPOLLIN, 0x1122334455667788ull));
    T_SYSOK(ep_add(ep, b, EPOLLIN, 0x99aabbccddeeff00ull));
    unsigned char raw[24 + 12];
    memset(raw, 0xa5, sizeof raw);
    T_EQ(syscall(SYS_epoll_wait, ep, raw, 3, 0), 2);
    uint32_t e0, e1;
    uint64_t d0, d1;
    memcpy(&e0, raw, 4);
    memcpy(&d0, raw + 4, 8);
    memcpy(&e1, raw + 12, 4);
    memcpy(&d1, raw + 16, 8);
    T_EQ(e0, EPOLLIN);
    T_EQ(e1, EPOLLIN);
    T_ASSERT((d0 == 0x1122334455667788ull && d1 == 0x99aabbccddeeff00ull) ||
             (d1 == 0x1122334455667788ull && d0 == 0x99aabbccddeeff00ull));
    T_EQ(raw[24], 0xa5); /* nothing written past two events */
    close(a);
    close(b);
    close(ep);
}

T_CASE(ep_level_triggered)
{
    int ep, efd;
    struct epoll_event ev;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(0, EFD_NONBLOCK));
    T_SYSOK(ep_add(ep, efd, EPOLLIN, 77));
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    T_SYSOK(efd_write(efd, 1));
    for (int i = 0; i < 3; i++) { /* reported until consumed */
        memset(&ev, 0, sizeof ev);
        T_EQ(epoll_wait(ep, &ev, 1, 0), 1);
        T_EQ(ev.events, EPOLLIN);
        T_EQ(ev.data.u64, 77);
    }
    T_EQ(efd_read(efd), 1);
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    close(efd);
    close(ep);
}

T_CASE(ep_edge_triggered)
{
    int ep, p[2];
    struct epoll_event ev;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(pipe2(p, O_NONBLOCK));
    T_SYSOK(ep_add(ep, p[0], EPOLLIN | EPOLLET, 5));
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    T_EQ(write(p[1], "ab", 2), 2);
    T_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    T_EQ(ev.events, EPOLLIN);
    T_EQ(ev.data.u64, 5);
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0); /* no new edge: nothing */
    T_EQ(epoll_wait(ep, &ev, 1, 50), 0);
    T_EQ(write(p[1], "c", 1), 1);       /* new data: a new edge */
    T_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    char b[8];
    T_EQ(read(p[0], b, sizeof b), 3);
    close(p[0]);
    close(p[1]);
    close(ep);
}

T_CASE(ep_edge_triggered_eventfd_write)
{
    int ep, efd;
    struct epoll_event ev;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(0, 0));
    T_SYSOK(ep_add(ep, efd, EPOLLIN | EPOLLET, 9));
    T_SYSOK(efd_write(efd, 1));
    T_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    T_SYSOK(efd_write(efd, 1)); /* every write is an edge */
    T_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    T_EQ(ev.data.u64, 9);
    close(efd);
    close(ep);
}

T_CASE(ep_oneshot)
{
    int ep, efd;
    struct epoll_event ev;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(1, 0));
    T_SYSOK(ep_add(ep, efd, EPOLLIN | EPOLLONESHOT, 3));
    T_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    T_EQ(ev.data.u64, 3);
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0);   /* disarmed, though readable */
    T_SYSOK(efd_write(efd, 1));
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0);   /* still disarmed */
    T_ERRNO(ep_add(ep, efd, EPOLLIN, 3), EEXIST); /* but still registered */
    T_SYSOK(ep_mod(ep, efd, EPOLLIN | EPOLLONESHOT, 4)); /* re-arm */
    T_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    T_EQ(ev.data.u64, 4);
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    close(efd);
    close(ep);
}

T_CASE(ep_mod_and_del)
{
    int ep, efd;
    struct epoll_event ev;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(0, 0));
    T_SYSOK(ep_add(ep, efd, EPOLLIN, 1));
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    T_SYSOK(ep_mod(ep, efd, EPOLLOUT, 2)); /* writable: reported now */
    T_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    T_EQ(ev.events, EPOLLOUT);
    T_EQ(ev.data.u64, 2);
    T_SYSOK(ep_mod(ep, efd, EPOLLIN | EPOLLOUT, 3));
    T_SYSOK(efd_write(efd, 1));
    T_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    T_EQ(ev.events, EPOLLIN | EPOLLOUT);
    T_EQ(ev.data.u64, 3);
    T_SYSOK(ep_mod(ep, efd, 0, 4)); /* no events: only ERR/HUP would show */
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    T_SYSOK(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    T_SYSOK(ep_add(ep, efd, EPOLLIN, 5)); /* re-add after DEL */
    T_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    T_EQ(ev.data.u64, 5);
    close(efd);
    close(ep);
}

T_CASE(ep_hup_err_always)
{
    int ep, p[2], q[2];
    struct epoll_event ev;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(pipe(p));
    T_SYSOK(pipe(q));
    T_SYSOK(ep_add(ep, p[0], EPOLLOUT, 1)); /* asks for nothing a read end has */
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    close(p[1]);
    T_EQ(epoll_wait(ep, &ev, 1, 1000), 1);
    T_EQ(ev.events, EPOLLHUP);
    T_EQ(ev.data.u64, 1);
    T_SYSOK(ep_add(ep, q[1], EPOLLIN, 2));
    close(q[0]);
    struct epoll_event evs[4];
    int n = epoll_wait(ep, evs, 4, 1000);
    T_EQ(n, 2);
    int seen_err = 0;
    for (int i = 0; i < n; i++)
        if (evs[i].data.u64 == 2) {
            T_EQ(evs[i].events, EPOLLERR);
            seen_err = 1;
        }
    T_ASSERT(seen_err);
    close(p[0]);
    close(q[1]);
    close(ep);
}

T_CASE(ep_multiple_ready)
{
    int ep, fds[5];
    struct epoll_event ev[8];
    T_SYSOK(ep = epoll_create1(0));
    for (int i = 0; i < 5; i++) {
        T_SYSOK(fds[i] = eventfd(i % 2, 0)); /* 1 and 3 are ready */
        T_SYSOK(ep_add(ep, fds[i], EPOLLIN, 100 + i));
    }
    int n = epoll_wait(ep, ev, 8, 0);
    T_EQ(n, 2);
    uint64_t sum = 0;
    for (int i = 0; i < n; i++)
        sum += ev[i].data.u64;
    T_EQ(sum, 101 + 103);
    for (int i = 0; i < 5; i++)
        close(fds[i]);
    close(ep);
}

T_CASE(ep_maxevents_round_robin)
{
    int ep, fds[3];
    struct epoll_event ev;
    T_SYSOK(ep = epoll_create1(0));
    for (int i = 0; i < 3; i++) {
        T_SYSOK(fds[i] = eventfd(1, 0));
        T_SYSOK(ep_add(ep, fds[i], EPOLLIN, 1u << i));
    }
    /* level-triggered items go to the back of the ready list, so three
     * calls with maxevents 1 see all three */
    unsigned seen = 0;
    for (int i = 0; i < 3; i++) {
        T_EQ(epoll_wait(ep, &ev, 1, 0), 1);
        seen |= (unsigned)ev.data.u64;
    }
    T_EQ(seen, 7);
    for (int i = 0; i < 3; i++)
        close(fds[i]);
    close(ep);
}

T_CASE(ep_same_file_two_fds)
{
    int ep, efd, d;
    struct epoll_event ev[4];
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(1, 0));
    T_SYSOK(d = dup(efd));
    T_SYSOK(ep_add(ep, efd, EPOLLIN, 1));
    T_SYSOK(ep_add(ep, d, EPOLLIN, 2)); /* (file, fd) is the key */
    T_EQ(epoll_wait(ep, ev, 4, 0), 2);
    T_EQ(ev[0].data.u64 + ev[1].data.u64, 3);
    close(d);
    close(efd);
    close(ep);
}

/* ---- epoll: waiting ----------------------------------------------------- */

T_CASE(ep_timeout)
{
    int ep, efd;
    struct epoll_event ev;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(0, 0));
    T_SYSOK(ep_add(ep, efd, EPOLLIN, 1));
    long t0 = now_ms();
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    T_ASSERT(now_ms() - t0 < 50);
    t0 = now_ms();
    T_EQ(epoll_wait(ep, &ev, 1, 100), 0);
    long dt = now_ms() - t0;
    T_ASSERT(dt >= 90 && dt < 2000);
    /* an empty epoll set just times out */
    int ep2;
    T_SYSOK(ep2 = epoll_create1(0));
    T_EQ(epoll_wait(ep2, &ev, 1, 30), 0);
    close(ep2);
    close(efd);
    close(ep);
}

T_CASE(ep_wakeup_from_other_process)
{
    int ep, efd;
    struct epoll_event ev;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(0, 0));
    T_SYSOK(ep_add(ep, efd, EPOLLIN, 11));
    pid_t c = write_later(efd, 3, 50);
    long t0 = now_ms();
    T_EQ(epoll_wait(ep, &ev, 1, -1), 1);
    T_ASSERT(now_ms() - t0 >= 30);
    T_EQ(ev.data.u64, 11);
    T_EQ(efd_read(efd), 3);
    T_EXITED(c, 0);
    close(efd);
    close(ep);
}

T_CASE(ep_wakeup_pipe)
{
    int ep, p[2];
    struct epoll_event ev;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(pipe(p));
    T_SYSOK(ep_add(ep, p[0], EPOLLIN, 8));
    pid_t c = t_fork();
    if (c == 0) {
        msleep(50);
        _exit(write(p[1], "z", 1) == 1 ? 0 : 1);
    }
    T_EQ(epoll_wait(ep, &ev, 1, 5000), 1);
    T_EQ(ev.events, EPOLLIN);
    T_EQ(ev.data.u64, 8);
    T_EXITED(c, 0);
    close(p[0]);
    close(p[1]);
    close(ep);
}

T_CASE(ep_eintr)
{
    int ep, efd;
    struct epoll_event ev;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART; /* epoll_wait is never restarted */
    sigaction(SIGUSR1, &sa, &old);
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(0, 0));
    T_SYSOK(ep_add(ep, efd, EPOLLIN, 1));
    got_usr1 = 0;
    pid_t c = kick_later(50);
    T_ERRNO(epoll_wait(ep, &ev, 1, -1), EINTR);
    T_ASSERT(got_usr1);
    T_EXITED(c, 0);
    got_usr1 = 0;
    c = kick_later(50);
    T_ERRNO(epoll_wait(ep, &ev, 1, 5000), EINTR); /* with a timeout too */
    T_ASSERT(got_usr1);
    T_EXITED(c, 0);
    sigaction(SIGUSR1, &old, NULL);
    close(efd);
    close(ep);
}

T_CASE(ep_pwait_sigmask)
{
    int ep, efd;
    struct epoll_event ev;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, &old);
    sigset_t block, empty, cur;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &block, NULL);
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(0, 0));
    T_SYSOK(ep_add(ep, efd, EPOLLIN, 1));
    /* blocked during plain epoll_wait: the signal stays pending */
    got_usr1 = 0;
    pid_t c = kick_later(20);
    T_EQ(epoll_wait(ep, &ev, 1, 200), 0);
    T_ASSERT(!got_usr1);
    T_EXITED(c, 0);
    /* epoll_pwait with an empty mask lets it in at once */
    T_ERRNO(epoll_pwait(ep, &ev, 1, 5000, &empty), EINTR);
    T_ASSERT(got_usr1);
    sigprocmask(SIG_SETMASK, NULL, &cur);
    T_ASSERT(sigismember(&cur, SIGUSR1)); /* the old mask is back */
    /* a mask that blocks nothing new: a normal timeout */
    T_EQ(epoll_pwait(ep, &ev, 1, 20, &block), 0);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    sigaction(SIGUSR1, &old, NULL);
    close(efd);
    close(ep);
}

T_CASE(ep_pwait2)
{
    int ep, efd;
    struct epoll_event ev;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(0, 0));
    T_SYSOK(ep_add(ep, efd, EPOLLIN, 6));
    struct timespec ts = { 0, 50 * 1000000L };
    long t0 = now_ms();
    T_EQ(syscall(SYS_epoll_pwait2, ep, &ev, 1, &ts, NULL, 8), 0);
    T_ASSERT(now_ms() - t0 >= 40);
    struct timespec bad = { 0, 1000000000L };
    T_ERRNO(syscall(SYS_epoll_pwait2, ep, &ev, 1, &bad, NULL, 8), EINVAL);
    T_SYSOK(efd_write(efd, 1));
    T_EQ(syscall(SYS_epoll_pwait2, ep, &ev, 1, NULL, NULL, 8), 1);
    T_EQ(ev.data.u64, 6);
    close(efd);
    close(ep);
}

struct adder {
    int ep, efd;
};

static void *add_later(void *arg)
{
    struct adder *a = arg;
    msleep(50);
    ep_add(a->ep, a->efd, EPOLLIN, 99);
    return NULL;
}

T_CASE(ep_add_from_other_thread_wakes)
{
    struct adder a;
    struct epoll_event ev;
    pthread_t th;
    T_SYSOK(a.ep = epoll_create1(0));
    T_SYSOK(a.efd = eventfd(1, 0)); /* already readable */
    T_EQ(pthread_create(&th, NULL, add_later, &a), 0);
    T_EQ(epoll_wait(a.ep, &ev, 1, 5000), 1);
    T_EQ(ev.data.u64, 99);
    pthread_join(th, NULL);
    close(a.efd);
    close(a.ep);
}

static void *write_later_thread(void *arg)
{
    int fd = *(int *)arg;
    msleep(50);
    efd_write(fd, 1);
    return NULL;
}

T_CASE(ep_threads_wait_and_write)
{
    int ep, efd;
    struct epoll_event ev;
    pthread_t th;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(0, 0));
    T_SYSOK(ep_add(ep, efd, EPOLLIN | EPOLLET, 4));
    T_EQ(pthread_create(&th, NULL, write_later_thread, &efd), 0);
    T_EQ(epoll_wait(ep, &ev, 1, 5000), 1);
    T_EQ(ev.data.u64, 4);
    pthread_join(th, NULL);
    close(efd);
    close(ep);
}

/* ---- epoll: lifetime, nesting ------------------------------------------- */

T_CASE(ep_close_removes)
{
    int ep, efd, efd2;
    struct epoll_event ev;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(1, 0));
    T_SYSOK(ep_add(ep, efd, EPOLLIN, 1));
    close(efd); /* last reference: the registration goes */
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    T_SYSOK(efd2 = eventfd(1, 0));
    T_EQ(efd2, efd); /* same number, new file: not EEXIST */
    T_SYSOK(ep_add(ep, efd2, EPOLLIN, 2));
    T_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    T_EQ(ev.data.u64, 2);
    close(efd2);
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    close(ep);
}

T_CASE(ep_close_with_dup_keeps)
{
    int ep, efd, d;
    struct epoll_event ev;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(1, 0));
    T_SYSOK(ep_add(ep, efd, EPOLLIN, 7));
    T_SYSOK(d = dup(efd));
    close(efd); /* the file lives on through d: still watched */
    T_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    T_EQ(ev.data.u64, 7);
    T_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL), EBADF);
    T_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL), ENOENT); /* other fd */
    close(d);
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    close(ep);
}

T_CASE(ep_close_epoll_with_items)
{
    int ep, efd, p[2];
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(1, 0));
    T_SYSOK(pipe(p));
    T_SYSOK(ep_add(ep, efd, EPOLLIN, 1));
    T_SYSOK(ep_add(ep, p[0], EPOLLIN, 2));
    T_SYSOK(ep_add(ep, p[1], EPOLLOUT, 3));
    close(ep);
    /* the watched files are unaffected */
    T_SYSOK(efd_write(efd, 1));
    T_EQ(efd_read(efd), 2);
    T_EQ(write(p[1], "q", 1), 1);
    char c;
    T_EQ(read(p[0], &c, 1), 1);
    close(efd);
    close(p[0]);
    close(p[1]);
}

T_CASE(ep_fork_shares)
{
    int ep, efd;
    struct epoll_event ev;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(0, 0));
    T_SYSOK(ep_add(ep, efd, EPOLLIN, 12));
    pid_t c = t_fork();
    if (c == 0) {
        struct epoll_event e;
        int n = epoll_wait(ep, &e, 1, 5000);
        _exit(n == 1 && e.data.u64 == 12 ? 0 : 1);
    }
    msleep(30);
    T_SYSOK(efd_write(efd, 1));
    T_EXITED(c, 0);
    T_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    close(efd);
    close(ep);
}

T_CASE(ep_nested)
{
    int outer, inner, efd;
    struct epoll_event ev;
    T_SYSOK(outer = epoll_create1(0));
    T_SYSOK(inner = epoll_create1(0));
    T_SYSOK(efd = eventfd(0, 0));
    T_SYSOK(ep_add(inner, efd, EPOLLIN, 1));
    T_SYSOK(ep_add(outer, inner, EPOLLIN, 2));
    T_EQ(epoll_wait(outer, &ev, 1, 0), 0);
    struct pollfd p = { inner, POLLIN, 0 };
    T_EQ(poll(&p, 1, 0), 0);
    pid_t c = write_later(efd, 1, 50);
    T_EQ(epoll_wait(outer, &ev, 1, 5000), 1); /* wakeup goes through */
    T_EQ(ev.events, EPOLLIN);
    T_EQ(ev.data.u64, 2);
    T_EXITED(c, 0);
    T_EQ(poll(&p, 1, 0), 1);
    T_EQ(p.revents, POLLIN);
    T_EQ(epoll_wait(inner, &ev, 1, 0), 1);
    T_EQ(ev.data.u64, 1);
    T_EQ(efd_read(efd), 1);
    T_EQ(epoll_wait(outer, &ev, 1, 0), 0);
    T_EQ(poll(&p, 1, 0), 0);
    close(inner); /* removed from outer too */
    T_EQ(epoll_wait(outer, &ev, 1, 0), 0);
    close(efd);
    close(outer);
}

T_CASE(ep_poll_epoll_fd)
{
    int ep, efd;
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(efd = eventfd(0, 0));
    T_SYSOK(ep_add(ep, efd, EPOLLIN, 1));
    pid_t c = write_later(efd, 1, 50);
    struct pollfd p = { ep, POLLIN, 0 };
    T_EQ(poll(&p, 1, 5000), 1);
    T_EQ(p.revents, POLLIN);
    T_EXITED(c, 0);
    close(efd);
    close(ep);
}

T_CASE(ep_many_fds)
{
    enum { N = 64 };
    int ep, fds[N];
    struct epoll_event ev[N];
    T_SYSOK(ep = epoll_create1(0));
    for (int i = 0; i < N; i++) {
        T_SYSOK(fds[i] = eventfd(0, 0));
        T_SYSOK(ep_add(ep, fds[i], EPOLLIN, (uint64_t)i));
    }
    for (int i = 0; i < N; i += 3)
        T_SYSOK(efd_write(fds[i], 1));
    int n = epoll_wait(ep, ev, N, 0);
    T_EQ(n, (N + 2) / 3);
    for (int i = 0; i < n; i++)
        T_EQ(ev[i].data.u64 % 3, 0);
    for (int i = 0; i < N; i++)
        close(fds[i]);
    T_EQ(epoll_wait(ep, ev, N, 0), 0);
    close(ep);
}

int main(void)
{
    t_init("t_epoll");
    T_RUN(efd_counter);
    T_RUN(efd_short_buffers);
    T_RUN(efd_semaphore);
    T_RUN(efd_flags);
    T_RUN(efd_max_value);
    T_RUN(efd_poll);
    T_RUN(efd_blocking_read);
    T_RUN(efd_blocking_write);
    T_RUN(efd_read_wakes_poll);
    T_RUN(efd_read_eintr);
    T_RUN(efd_fstat);
    T_RUN(ep_create);
    T_RUN(ep_ctl_errors);
    T_RUN(ep_ctl_eperm_regular);
    T_RUN(ep_exclusive);
    T_RUN(ep_wait_errors);
    T_RUN(ep_packed_layout);
    T_RUN(ep_level_triggered);
    T_RUN(ep_edge_triggered);
    T_RUN(ep_edge_triggered_eventfd_write);
    T_RUN(ep_oneshot);
    T_RUN(ep_mod_and_del);
    T_RUN(ep_hup_err_always);
    T_RUN(ep_multiple_ready);
    T_RUN(ep_maxevents_round_robin);
    T_RUN(ep_same_file_two_fds);
    T_RUN(ep_timeout);
    T_RUN(ep_wakeup_from_other_process);
    T_RUN(ep_wakeup_pipe);
    T_RUN(ep_eintr);
    T_RUN(ep_pwait_sigmask);
    T_RUN(ep_pwait2);
    T_RUN(ep_add_from_other_thread_wakes);
    T_RUN(ep_threads_wait_and_write);
    T_RUN(ep_close_removes);
    T_RUN(ep_close_with_dup_keeps);
    T_RUN(ep_close_epoll_with_items);
    T_RUN(ep_fork_shares);
    T_RUN(ep_nested);
    T_RUN(ep_poll_epoll_fd);
    T_RUN(ep_many_fds);
    return t_done();
}
