/* t_syslog.c: the kernel log from user space (issue 14): syslog(2) as
 * klogctl and dmesg use it, and /dev/kmsg as util-linux dmesg, systemd and
 * syslog daemons use it (Documentation/ABI/testing/dev-kmsg). A line
 * written to /dev/kmsg must come back from both, with its priority (the
 * user facility added when none is given); the calls' errors are Linux's.
 * Run as root. Passes on Linux too. */
#include "t.h"

#include <poll.h>
#include <sys/klog.h>

#define READ_ALL 3
#define CLEAR 5
#define SIZE_UNREAD 9
#define SIZE_BUFFER 10

static char big[1 << 20];

/* Write a line to /dev/kmsg; 0 or -1. */
static int kmsg_write(const char *line)
{
    int fd = open("/dev/kmsg", O_WRONLY);
    ssize_t n;
    if (fd < 0)
        return -1;
    n = write(fd, line, strlen(line));
    close(fd);
    return n == (ssize_t)strlen(line) ? 0 : -1;
}

/* Read records from fd until one contains needle; its text in out. */
static int find_record(int fd, const char *needle, char *out, size_t size)
{
    for (int i = 0; i < 100000; i++) {
        ssize_t n = read(fd, out, size - 1);
        if (n < 0 && errno == EPIPE)
            continue; /* overtaken by the ring: go on */
        if (n <= 0)
            return -1;
        out[n] = 0;
        if (strstr(out, needle))
            return 0;
    }
    return -1;
}

T_CASE(kmsg_write_comes_back_with_user_facility)
{
    char rec[2048], tag[64];
    int fd;
    snprintf(tag, sizeof tag, "t_syslog: hello %d", getpid());
    char line[128];
    snprintf(line, sizeof line, "<5>%s\n", tag);
    T_SYSOK(fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK));
    T_ASSERT(kmsg_write(line) == 0);
    T_ASSERT(find_record(fd, tag, rec, sizeof rec) == 0);
    close(fd);
    /* "prio,seq,usec,flags;text\n": level 5 in the user facility (8). */
    unsigned prio;
    unsigned long long seq, usec;
    char semi;
    T_ASSERT(sscanf(rec, "%u,%llu,%llu,%*[^;]%c", &prio, &seq, &usec, &semi) == 4);
    T_EQ(prio, 13);
    T_ASSERT(semi == ';');
    T_ASSERT(strstr(rec, tag)[strlen(tag)] == '\n');
}

/* /proc/kmsg is syslog(2)'s READ as a file: a record written to
 * /dev/kmsg comes out of it as "<level>text" lines, once (what a read took
 * is gone: a non-blocking read then finds nothing, EAGAIN), poll says
 * when more is there; root's 0400 file (others: EACCES). */
T_CASE(proc_kmsg_reads_each_record_once)
{
    char tag[64], line[128], buf[8192];
    int fd, found = 0;

    snprintf(tag, sizeof tag, "t_syslog: proc kmsg %d", getpid());
    snprintf(line, sizeof line, "<4>%s\n", tag);
    T_SYSOK(fd = open("/proc/kmsg", O_RDONLY | O_NONBLOCK));
    T_ASSERT(kmsg_write(line) == 0);
    for (int i = 0; i < 10000 && !found; i++) {
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n < 0) {
            T_EQ(errno, EAGAIN);
            break;
        }
        buf[n] = 0;
        found = strstr(buf, tag) != NULL;
    }
    T_ASSERT(found);
    /* drained: the next read has nothing (or only newer records) */
    for (int i = 0; i < 10000; i++) {
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n < 0) {
            T_EQ(errno, EAGAIN);
            break;
        }
        buf[n] = 0;
        T_ASSERT(strstr(buf, tag) == NULL);
    }
    T_ASSERT(kmsg_write(line) == 0);
    struct pollfd pf = { fd, POLLIN, 0 };
    T_EQ(poll(&pf, 1, 20000), 1);
    close(fd);
    pid_t c = t_fork();
    if (c == 0) {
        if (setgid(65534) || setuid(65534))
            _exit(2);
        _exit(open("/proc/kmsg", O_RDONLY) == -1 && errno == EACCES ? 0 : 1);
    }
    T_EXITED(c, 0);
}

T_CASE(klogctl_read_all_has_it)
{
    char tag[64], want[80];
    int n;
    snprintf(tag, sizeof tag, "t_syslog: again %d", getpid());
    char line[128];
    snprintf(line, sizeof line, "<6>%s\n", tag);
    T_ASSERT(kmsg_write(line) == 0);
    T_SYSOK(n = klogctl(READ_ALL, big, sizeof big - 1));
    big[n] = 0;
    /* "<prio>[seconds.micros] text" lines. */
    T_ASSERT(big[0] == '<');
    snprintf(want, sizeof want, "<14>[");
    char *p = strstr(big, tag);
    T_ASSERT(p != NULL);
    while (p > big && p[-1] != '\n')
        p--;
    T_ASSERT(strncmp(p, want, strlen(want)) == 0);
}

T_CASE(klogctl_sizes)
{
    int size;
    T_SYSOK(size = klogctl(SIZE_BUFFER, NULL, 0));
    T_ASSERT(size >= 4096);
    T_SYSOK(klogctl(SIZE_UNREAD, NULL, 0));
}

T_CASE(klogctl_bad_arguments)
{
    char buf[16];
    T_ERRNO(klogctl(READ_ALL, NULL, 10), EINVAL);
    T_ERRNO(klogctl(READ_ALL, buf, -1), EINVAL);
    T_ERRNO(klogctl(99, buf, sizeof buf), EINVAL);
    T_ERRNO(klogctl(8 /* CONSOLE_LEVEL */, NULL, 9), EINVAL);
    T_ERRNO(klogctl(READ_ALL, (char *)1, 4096), EFAULT);
    T_EQ(klogctl(READ_ALL, buf, 0), 0);
}

T_CASE(unprivileged_may_not_clear)
{
    pid_t pid = t_fork();
    if (pid == 0) {
        if (setuid(65534) != 0)
            _exit(2);
        _exit(klogctl(CLEAR, NULL, 0) == -1 && errno == EPERM ? 0 : 1);
    }
    T_EXITED(pid, 0);
}

T_CASE(kmsg_whole_records_and_seeks)
{
    char small[8], rec[2048];
    int fd;
    T_SYSOK(fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK));
    /* A buffer too small for the record: EINVAL, nothing consumed. */
    T_ERRNO(read(fd, small, sizeof small), EINVAL);
    T_SYSOK(read(fd, rec, sizeof rec));
    T_ERRNO(lseek(fd, 5, SEEK_SET), ESPIPE);
    T_ERRNO(lseek(fd, 0, SEEK_CUR), EINVAL);
    T_SYSOK(lseek(fd, 0, SEEK_END));
    T_ERRNO(read(fd, rec, sizeof rec), EAGAIN);
    T_SYSOK(lseek(fd, 0, SEEK_SET));
    T_SYSOK(read(fd, rec, sizeof rec));
    close(fd);
}

T_CASE(kmsg_poll_and_blocking_read_wake)
{
    char rec[2048], tag[64], line[128];
    struct pollfd p;
    int fd;
    T_SYSOK(fd = open("/dev/kmsg", O_RDONLY));
    T_SYSOK(lseek(fd, 0, SEEK_END));
    snprintf(tag, sizeof tag, "t_syslog: wake %d", getpid());
    snprintf(line, sizeof line, "%s\n", tag);
    pid_t pid = t_fork();
    if (pid == 0) {
        /* The parent blocks in poll, then read; write one line. */
        _exit(kmsg_write(line) == 0 ? 0 : 1);
    }
    p.fd = fd;
    p.events = POLLIN;
    /* Generous deadline: the line is written at once; the wakeup may
     * take a timer tick. */
    T_EQ(poll(&p, 1, 30000), 1);
    T_ASSERT(p.revents & POLLIN);
    T_ASSERT(find_record(fd, tag, rec, sizeof rec) == 0);
    T_EXITED(pid, 0);
    close(fd);
}

int main(void)
{
    t_init("t_syslog");
    T_RUN(kmsg_write_comes_back_with_user_facility);
    T_RUN(klogctl_read_all_has_it);
    T_RUN(klogctl_sizes);
    T_RUN(klogctl_bad_arguments);
    T_RUN(unprivileged_may_not_clear);
    T_RUN(kmsg_whole_records_and_seeks);
    T_RUN(kmsg_poll_and_blocking_read_wake);
    T_RUN(proc_kmsg_reads_each_record_once);
    return t_done();
}
