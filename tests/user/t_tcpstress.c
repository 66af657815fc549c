/* t_tcpstress.c: TCP bulk transfers over 127.0.0.1 whose every byte is
 * checked: 16 MiB each way on one connection at once (the default MSS,
 * the loopback's 64 KiB one), 4 MiB each way with TCP_MAXSEG 1448 (an
 * Ethernet-sized segment, so many are in flight and a loss is repaired
 * by fast retransmit), and 32 connections transferring at the same time.
 * Each transfer prints an INFO line with its rate in MiB/s.
 *
 * Meant for a lossy link too: booted with net.loss=P net.reorder=R (the
 * kernel drops P % and reorders R % of the packets, lo included) every
 * transfer must still complete intact. With a loss of 15 % or more
 * (read from /proc/cmdline) the transfers are 16 times smaller and 8
 * connections, every socket gets TCP_USER_TIMEOUT (20 s) and 60 s
 * SO_RCVTIMEO/SO_SNDTIMEO, and a connection may instead end early with
 * a clean error (ETIMEDOUT, ECONNRESET, EPIPE, EAGAIN: a timeout, or the
 * stream ending short after the other end gave up), but what it
 * delivered must be intact, and every case must end. Passes on Linux
 * (no loss). */
#include "t.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

static int high_loss; /* net.loss >= 15 on the command line */

static void read_cmdline(void)
{
    char buf[1024];
    int fd = open("/proc/cmdline", O_RDONLY);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = 0;
    char *p = strstr(buf, "net.loss=");
    if (p && atoi(p + 9) >= 15)
        high_loss = 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned char pat(size_t k, unsigned seed)
{
    return (unsigned char)(k * 7 + (k >> 12) + seed * 13);
}

static int clean_error(int e)
{
    /* EINPROGRESS: connect's SO_SNDTIMEO ran out (Linux's answer);
     * ESHUTDOWN: our marker for a stream that ended short. */
    return e == ETIMEDOUT || e == ECONNRESET || e == EPIPE || e == EAGAIN ||
           e == EINPROGRESS || e == ESHUTDOWN;
}

/* High loss: bounded waits everywhere, so a connection that cannot get
 * through ends with an error instead of waiting for ever. */
static int bound_waits(int fd)
{
    int ut = 20000;
    struct timeval tv = { 60, 0 };
    if (!high_loss)
        return 0;
    if (setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ut, sizeof ut) ||
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv))
        return -1;
    return 0;
}

/* One direction of one connection. */
struct xfer {
    int fd;
    size_t len;
    unsigned seed;
    size_t done;       /* bytes written / read and verified */
    int err;           /* errno of a failed call, 0 */
    int corrupt;       /* a byte differed (reader) or read past len */
    int shut;          /* writer: shutdown(SHUT_WR) after the data */
};

static void *writer(void *arg)
{
    struct xfer *x = arg;
    static __thread unsigned char buf[65536];
    while (x->done < x->len) {
        size_t n = x->len - x->done;
        if (n > sizeof buf)
            n = sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = pat(x->done + i, x->seed);
        size_t off = 0;
        while (off < n) {
            ssize_t w = send(x->fd, buf + off, n - off, MSG_NOSIGNAL);
            if (w <= 0) {
                x->err = w < 0 ? errno : EIO;
                return NULL;
            }
            off += w;
        }
        x->done += n;
    }
    if (x->shut)
        shutdown(x->fd, SHUT_WR);
    return NULL;
}

static void *reader(void *arg)
{
    struct xfer *x = arg;
    static __thread unsigned char buf[50000];
    for (;;) {
        ssize_t r = recv(x->fd, buf, sizeof buf, 0);
        if (r < 0) {
            x->err = errno;
            return NULL;
        }
        if (r == 0) {
            if (x->done < x->len)
                x->err = ESHUTDOWN; /* ended short */
            return NULL;
        }
        for (ssize_t i = 0; i < r; i++)
            if (x->done + i >= x->len || buf[i] != pat(x->done + i, x->seed)) {
                x->corrupt = 1;
                return NULL;
            }
        x->done += r;
    }
}

static struct sockaddr_in lo(int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static int listener(int *port, int backlog)
{
    struct sockaddr_in a = lo(0);
    socklen_t l = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || bound_waits(fd) || bind(fd, (struct sockaddr *)&a, sizeof a) ||
        listen(fd, backlog) || getsockname(fd, (struct sockaddr *)&a, &l))
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

/* Connect to port with an optional TCP_MAXSEG; -1 and errno. */
static int connect_to(int port, int mss)
{
    struct sockaddr_in a = lo(port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || bound_waits(fd))
        return -1;
    if (mss && setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof mss))
        return -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* The verdict on one direction: complete and intact, or (high loss)
 * a clean error after intact data. */
#define T_XFER_OK(x) do { \
    T_ASSERT(!(x).corrupt); \
    if (high_loss && (x).err) { T_ASSERT(clean_error((x).err)); break; } \
    T_EQ((x).err, 0); T_EQ((x).done, (x).len); } while (0)

/* Segments fd sent again (TCP_INFO), for the INFO line. */
static unsigned retrans(int fd)
{
    struct tcp_info ti;
    socklen_t l = sizeof ti;
    memset(&ti, 0, sizeof ti);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l))
        return 0;
    return ti.tcpi_total_retrans;
}

/* The loopback device's counters (/proc/net/dev), for the INFO line. */
static void lo_counters(char *out, size_t n)
{
    char buf[4096];
    int fd = open("/proc/net/dev", O_RDONLY);
    ssize_t k = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0)
        close(fd);
    out[0] = 0;
    if (k <= 0)
        return;
    buf[k] = 0;
    char *p = strstr(buf, "lo:");
    unsigned long long v[16] = { 0 };
    if (p && sscanf(p + 3, "%llu %llu %llu %llu %*u %*u %*u %*u %llu %llu %llu %llu",
                    &v[0], &v[1], &v[2], &v[3], &v[8], &v[9], &v[10], &v[11]) == 8)
        snprintf(out, n, "; lo: %llu packets received, %llu dropped, %llu sent, "
                 "%llu dropped", v[1], v[3], v[9], v[11]);
}

static void info_rate(const char *what, size_t bytes, double secs,
                      unsigned resent)
{
    char lo[160];
    lo_counters(lo, sizeof lo);
    t_emit("INFO tcpstress.%s: %zu bytes in %.2f s, %.1f MiB/s, "
           "%u segments sent again%s", what, bytes, secs,
           bytes / (1024.0 * 1024.0) / (secs > 0 ? secs : 1e-9), resent, lo);
}

/* The transfers of the running case, for the stall report. */
static struct xfer *watched[2 * 32 + 4];
static int nwatched;

static void watch(struct xfer *x)
{
    if (nwatched < (int)(sizeof watched / sizeof watched[0]))
        watched[nwatched++] = x;
}

/* Before the watchdog's FAIL: every unfinished transfer with its
 * socket's TCP_INFO, then /proc/net/tcp, so a stall in CI says which
 * side of which connection waits for what. */
static void stall_report(int sig)
{
    for (int i = 0; i < nwatched; i++) {
        struct xfer *x = watched[i];
        struct tcp_info ti;
        socklen_t l = sizeof ti;
        memset(&ti, 0, sizeof ti);
        getsockopt(x->fd, IPPROTO_TCP, TCP_INFO, &ti, &l);
        t_emit("INFO stall: fd %d %s %zu/%zu err %d: state %u ca %u "
               "retransmits %u backoff %u rto %u unacked %u lost %u "
               "retrans %u cwnd %u ssthresh %u rcv_space %u total_retrans %u",
               x->fd, x->shut ? "writer" : "reader", x->done, x->len, x->err,
               ti.tcpi_state, ti.tcpi_ca_state, ti.tcpi_retransmits,
               ti.tcpi_backoff, ti.tcpi_rto, ti.tcpi_unacked, ti.tcpi_lost,
               ti.tcpi_retrans, ti.tcpi_snd_cwnd, ti.tcpi_snd_ssthresh,
               ti.tcpi_rcv_space, ti.tcpi_total_retrans);
    }
    char buf[8192];
    int fd = open("/proc/net/tcp", O_RDONLY);
    ssize_t n;
    while (fd >= 0 && (n = read(fd, buf, sizeof buf - 1)) > 0) {
        buf[n] = 0;
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
            t_emit("INFO stall: %s", line);
    }
    if (fd >= 0)
        close(fd);
    t_fatal_handler(sig);
}

/* The case's own watchdog: longer than the harness's 60 s, a lossy
 * link under emulation is slow, but a hang still ends as a FAIL, with
 * a report of what waits. */
static void long_watchdog(void)
{
    alarm(0);
    nwatched = 0;
    signal(SIGALRM, stall_report);
    alarm(1500);
}

/* Both ways at once on one connection: len bytes each way. */
static void both_ways(const char *what, size_t len, int mss)
{
    int l, port, c = -1, s = -1;
    T_SYSOK(l = listener(&port, 5));
    c = connect_to(port, mss);
    if (c < 0 && high_loss && clean_error(errno)) {
        close(l);
        return;
    }
    T_SYSOK(c);
    s = accept(l, NULL, NULL);
    if (s < 0 && high_loss && clean_error(errno)) {
        close(c);
        close(l);
        return;
    }
    T_SYSOK(s);
    T_SYSOK(bound_waits(s));
    close(l);
    struct xfer cw = { c, len, 1, 0, 0, 0, 1 }, sr = { s, len, 1, 0, 0, 0, 0 };
    struct xfer sw = { s, len, 2, 0, 0, 0, 1 }, cr = { c, len, 2, 0, 0, 0, 0 };
    watch(&cw);
    watch(&sr);
    watch(&sw);
    watch(&cr);
    pthread_t t[3];
    double t0 = now_s();
    T_EQ(pthread_create(&t[0], NULL, writer, &cw), 0);
    T_EQ(pthread_create(&t[1], NULL, writer, &sw), 0);
    T_EQ(pthread_create(&t[2], NULL, reader, &sr), 0);
    reader(&cr);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    info_rate(what, sr.done + cr.done, now_s() - t0, retrans(c) + retrans(s));
    close(c);
    close(s);
    T_XFER_OK(cw);
    T_XFER_OK(sw);
    T_XFER_OK(sr);
    T_XFER_OK(cr);
}

T_CASE(bulk_16mib_each_way)
{
    long_watchdog();
    both_ways("bulk_16mib_each_way", (16u << 20) >> (high_loss ? 4 : 0), 0);
}

T_CASE(bulk_mss1448_4mib_each_way)
{
    long_watchdog();
    both_ways("bulk_mss1448_4mib_each_way", (4u << 20) >> (high_loss ? 4 : 0),
              1448);
}

#define NCONN 32
#define CONN_LEN (1u << 20)

T_CASE(concurrent_32_connections)
{
    static struct xfer w[NCONN], r[NCONN];
    static pthread_t tw[NCONN], tr[NCONN];
    int l, port, n = 0, nconn = high_loss ? 8 : NCONN;
    size_t len = CONN_LEN >> (high_loss ? 4 : 0);
    long_watchdog();
    T_SYSOK(l = listener(&port, NCONN));
    for (int i = 0; i < nconn; i++) {
        int c = connect_to(port, i & 1 ? 1448 : 0);
        if (c < 0 && high_loss && clean_error(errno))
            continue;
        T_SYSOK(c);
        int s = accept(l, NULL, NULL);
        if (s < 0 && high_loss && clean_error(errno)) {
            close(c);
            continue;
        }
        T_SYSOK(s);
        T_SYSOK(bound_waits(s));
        w[n] = (struct xfer){ c, len, 10u + i, 0, 0, 0, 1 };
        r[n] = (struct xfer){ s, len, 10u + i, 0, 0, 0, 0 };
        watch(&w[n]);
        watch(&r[n]);
        n++;
    }
    close(l);
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        T_EQ(pthread_create(&tw[i], NULL, writer, &w[i]), 0);
        T_EQ(pthread_create(&tr[i], NULL, reader, &r[i]), 0);
    }
    size_t total = 0;
    unsigned resent = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(tw[i], NULL);
        pthread_join(tr[i], NULL);
        total += r[i].done;
        resent += retrans(w[i].fd) + retrans(r[i].fd);
    }
    info_rate("concurrent_32_connections", total, now_s() - t0, resent);
    for (int i = 0; i < n; i++) {
        close(w[i].fd);
        close(r[i].fd);
    }
    if (!high_loss)
        T_EQ(n, nconn);
    for (int i = 0; i < n; i++) {
        T_XFER_OK(w[i]);
        T_XFER_OK(r[i]);
    }
}

/* With arguments, only the cases named. */
static int wanted(int argc, char **argv, const char *name)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], name))
            return 1;
    return argc < 2;
}

int main(int argc, char **argv)
{
    t_init("tcpstress");
    read_cmdline();
    if (wanted(argc, argv, "bulk_16mib_each_way"))
        T_RUN(bulk_16mib_each_way);
    if (wanted(argc, argv, "bulk_mss1448_4mib_each_way"))
        T_RUN(bulk_mss1448_4mib_each_way);
    if (wanted(argc, argv, "concurrent_32_connections"))
        T_RUN(concurrent_32_connections);
    return t_done();
}
