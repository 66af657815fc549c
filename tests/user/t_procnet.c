/* t_procnet.c: /proc/net/tcp, tcp6, udp, udp6, unix and raw (issue 13):
 * the sockets a program opens show up with Linux's columns (addresses as
 * network-order hex words, ports, state codes, queues, uid, the socket's
 * inode as fstat gives it), header lines and padding as Linux's. Passes
 * on Linux (raw needs root; run in a fresh network namespace with lo up,
 * so only this program's sockets are there). */
#include "t.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static char text[1 << 16];

/* The whole file into text; its length, -1 on error. */
static int slurp(const char *path)
{
    int fd = open(path, O_RDONLY), n = 0, r;
    if (fd < 0)
        return -1;
    while ((r = read(fd, text + n, sizeof text - 1 - n)) > 0)
        n += r;
    close(fd);
    text[n] = 0;
    return r < 0 ? -1 : n;
}

static unsigned long ino_of(int fd)
{
    struct stat st;
    return fstat(fd, &st) ? 0 : (unsigned long)st.st_ino;
}

/* The line of text whose inode column (field 10, counting from 1 after
 * "sl:") is ino, copied into out; 0 if none. */
struct inet_line {
    unsigned laddr, lport, raddr, rport, st, tx, rx, uid;
    unsigned long ino;
    int len;                    /* characters before the newline */
};

static int find_inet(unsigned long ino, struct inet_line *out)
{
    char *line = strchr(text, '\n');
    while (line && line[1]) {
        char *next = strchr(line + 1, '\n');
        struct inet_line l;
        unsigned tr, retr;
        unsigned long when, timeout;
        if (sscanf(line + 1, "%*d: %8X:%4X %8X:%4X %2X %8X:%8X %2X:%8lX %8X %u %lu %lu",
                   &l.laddr, &l.lport, &l.raddr, &l.rport, &l.st, &l.tx, &l.rx,
                   &tr, &when, &retr, &l.uid, &timeout, &l.ino) == 13 &&
            l.ino == ino) {
            l.len = next ? (int)(next - line - 1) : -1;
            *out = l;
            return 1;
        }
        line = next;
    }
    return 0;
}

static unsigned lo_word(void)
{
    return htonl(INADDR_LOOPBACK); /* as the file prints it: 0100007F */
}

static int first_line_is(const char *want, int width)
{
    char *nl = strchr(text, '\n');
    int n = nl ? (int)(nl - text) : -1;
    if (n < 0 || strncmp(text, want, strlen(want)))
        return 0;
    for (int i = (int)strlen(want); i < n; i++)
        if (text[i] != ' ')
            return 0;
    return width ? n == width : n == (int)strlen(want);
}

T_CASE(tcp_listen_and_connected)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    int ls, c, s;
    struct inet_line l;
    T_SYSOK(ls = socket(AF_INET, SOCK_STREAM, 0));
    T_SYSOK(bind(ls, (struct sockaddr *)&a, sizeof a));
    T_SYSOK(listen(ls, 4));
    T_SYSOK(getsockname(ls, (struct sockaddr *)&a, &al));
    unsigned port = ntohs(a.sin_port);
    T_SYSOK(c = socket(AF_INET, SOCK_STREAM, 0));
    T_SYSOK(connect(c, (struct sockaddr *)&a, sizeof a));
    T_SYSOK(s = accept(ls, NULL, NULL));
    T_SYSOK(write(c, "hello", 5)); /* unread: the server's rx_queue */
    struct sockaddr_in ca;
    socklen_t cl = sizeof ca;
    T_SYSOK(getsockname(c, (struct sockaddr *)&ca, &cl));
    unsigned cport = ntohs(ca.sin_port);

    T_ASSERT(slurp("/proc/net/tcp") > 0);
    T_ASSERT(first_line_is("  sl  local_address rem_address   st tx_queue rx_queue "
                           "tr tm->when retrnsmt   uid  timeout inode", 149));
    T_ASSERT(find_inet(ino_of(ls), &l));
    T_EQ(l.laddr, lo_word()); T_EQ(l.lport, port); T_EQ(l.raddr, 0); T_EQ(l.rport, 0);
    T_EQ(l.st, 0x0A); T_EQ(l.uid, getuid()); T_EQ(l.len, 149);
    T_ASSERT(find_inet(ino_of(c), &l));
    T_EQ(l.laddr, lo_word()); T_EQ(l.lport, cport);
    T_EQ(l.raddr, lo_word()); T_EQ(l.rport, port); T_EQ(l.st, 0x01);
    T_EQ(l.len, 149);
    /* the data reaches the server in a while: wait for the count */
    int ok = 0;
    for (int i = 0; i < 2000 && !ok; i++) {
        T_ASSERT(slurp("/proc/net/tcp") > 0);
        T_ASSERT(find_inet(ino_of(s), &l));
        ok = l.rx == 5;
        if (!ok)
            usleep(10000);
    }
    T_EQ(l.rx, 5);
    T_EQ(l.lport, port); T_EQ(l.rport, cport); T_EQ(l.st, 0x01);
    close(s);
    close(c);
    close(ls);

    T_ASSERT(slurp("/proc/net/tcp6") > 0);
    T_ASSERT(first_line_is("  sl  local_address                         remote_address"
                           "                        st tx_queue rx_queue tr tm->when "
                           "retrnsmt   uid  timeout inode", 0));
}

T_CASE(udp_bound_and_connected)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    int u1, u2, u3;
    struct inet_line l;
    T_SYSOK(u1 = socket(AF_INET, SOCK_DGRAM, 0));
    T_SYSOK(bind(u1, (struct sockaddr *)&a, sizeof a));
    T_SYSOK(getsockname(u1, (struct sockaddr *)&a, &al));
    unsigned port = ntohs(a.sin_port);
    T_SYSOK(u2 = socket(AF_INET, SOCK_DGRAM, 0));
    T_SYSOK(connect(u2, (struct sockaddr *)&a, sizeof a));
    T_SYSOK(send(u2, "x", 1, 0));
    T_SYSOK(u3 = socket(AF_INET, SOCK_DGRAM, 0)); /* unbound: not listed */

    T_ASSERT(slurp("/proc/net/udp") > 0);
    T_ASSERT(first_line_is("   sl  local_address rem_address   st tx_queue rx_queue "
                           "tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
                           127));
    T_ASSERT(find_inet(ino_of(u1), &l));
    T_EQ(l.laddr, lo_word()); T_EQ(l.lport, port); T_EQ(l.st, 0x07);
    T_ASSERT(l.rx > 0); /* the queued datagram */
    T_EQ(l.uid, getuid()); T_EQ(l.len, 127);
    T_ASSERT(find_inet(ino_of(u2), &l));
    T_EQ(l.raddr, lo_word()); T_EQ(l.rport, port); T_EQ(l.st, 0x01);
    T_ASSERT(!find_inet(ino_of(u3), &l));
    close(u1); close(u2); close(u3);

    T_ASSERT(slurp("/proc/net/udp6") > 0);
    T_ASSERT(first_line_is("  sl  local_address                         remote_address"
                           "                        st tx_queue rx_queue tr tm->when "
                           "retrnsmt   uid  timeout inode ref pointer drops", 0));
}

T_CASE(raw_sockets)
{
    int r;
    struct inet_line l;
    T_SYSOK(r = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
    T_ASSERT(slurp("/proc/net/raw") > 0);
    T_ASSERT(first_line_is("  sl  local_address rem_address   st tx_queue rx_queue "
                           "tr tm->when retrnsmt   uid  timeout inode ref pointer drops", 0));
    T_ASSERT(find_inet(ino_of(r), &l));
    T_EQ(l.lport, IPPROTO_ICMP); T_EQ(l.laddr, 0); T_EQ(l.st, 0x07);
    close(r);
    T_SYSOK(r = socket(AF_INET, SOCK_RAW, IPPROTO_RAW));
    T_ASSERT(slurp("/proc/net/raw") > 0);
    T_ASSERT(find_inet(ino_of(r), &l));
    T_EQ(l.lport, IPPROTO_RAW);
    close(r);
}

/* The /proc/net/unix line with inode ino: flags, type, state and the
 * path column (empty if none). */
static int find_unix(unsigned long ino, unsigned *flags, unsigned *type,
                     unsigned *st, char *path, size_t pathsz)
{
    char *line = strchr(text, '\n');
    while (line && line[1]) {
        char *next = strchr(line + 1, '\n');
        unsigned refs, proto;
        unsigned long i;
        int n = 0;
        if (sscanf(line + 1, "%*[0-9a-fA-F]: %X %X %X %X %X %lu%n", &refs, &proto,
                   flags, type, st, &i, &n) == 6 && i == ino) {
            const char *p = line + 1 + n;
            size_t k = 0;
            if (*p == ' ')
                p++;
            while (*p && *p != '\n' && k + 1 < pathsz)
                path[k++] = *p++;
            path[k] = 0;
            return 1;
        }
        line = next;
    }
    return 0;
}

T_CASE(unix_sockets)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    char path[128];
    unsigned flags, type, st;
    int ls, ab, sp[2];
    snprintf(a.sun_path, sizeof a.sun_path, "/tmp/t_procnet.%d", getpid());
    unlink(a.sun_path);
    T_SYSOK(ls = socket(AF_UNIX, SOCK_STREAM, 0));
    T_SYSOK(bind(ls, (struct sockaddr *)&a, sizeof a));
    T_SYSOK(listen(ls, 2));
    T_SYSOK(ab = socket(AF_UNIX, SOCK_DGRAM, 0));
    struct sockaddr_un b = { .sun_family = AF_UNIX };
    memcpy(b.sun_path, "\0t_procnet\0x", 12);
    T_SYSOK(bind(ab, (struct sockaddr *)&b, offsetof(struct sockaddr_un, sun_path) + 12));
    T_SYSOK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp));

    T_ASSERT(slurp("/proc/net/unix") > 0);
    T_ASSERT(first_line_is("Num       RefCount Protocol Flags    Type St Inode Path", 0));
    T_ASSERT(find_unix(ino_of(ls), &flags, &type, &st, path, sizeof path));
    T_EQ(flags, 0x10000); T_EQ(type, SOCK_STREAM); T_EQ(st, 1);
    T_STREQ(path, a.sun_path);
    T_ASSERT(find_unix(ino_of(ab), &flags, &type, &st, path, sizeof path));
    T_EQ(flags, 0); T_EQ(type, SOCK_DGRAM); T_EQ(st, 1);
    T_STREQ(path, "@t_procnet@x");
    T_ASSERT(find_unix(ino_of(sp[0]), &flags, &type, &st, path, sizeof path));
    T_EQ(type, SOCK_SEQPACKET); T_EQ(st, 3); T_STREQ(path, "");
    close(ls); close(ab); close(sp[0]); close(sp[1]);
    unlink(a.sun_path);
}

int main(void)
{
    t_init("t_procnet");
    T_RUN(tcp_listen_and_connected);
    T_RUN(udp_bound_and_connected);
    T_RUN(raw_sockets);
    T_RUN(unix_sockets);
    return t_done();
}
