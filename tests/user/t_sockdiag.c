/* t_sockdiag.c: NETLINK_SOCK_DIAG for AF_UNIX sockets, as `ss -x` asks:
 * a dump lists a listener with its name, both ends of a socket pair with
 * each other's inode, filtered by state; an exact request by inode, a
 * stale cookie, and bad requests. Also passes on Linux. */
#include "t.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define PATH "/tmp/t_sockdiag.sock"

/* linux/netlink.h, linux/sock_diag.h, linux/unix_diag.h (musl has no
 * kernel headers). */
#define NETLINK_SOCK_DIAG 4
#define SOCK_DIAG_BY_FAMILY 20
#define NLM_F_REQUEST 1
#define NLM_F_DUMP 0x300
#define NLMSG_ERROR 2
#define NLMSG_DONE 3
struct nlmsghdr { uint32_t nlmsg_len; uint16_t nlmsg_type, nlmsg_flags; uint32_t nlmsg_seq, nlmsg_pid; };
struct nlmsgerr { int error; struct nlmsghdr msg; };
#define NLMSG_ALIGN(len) (((len) + 3U) & ~3U)
#define NLMSG_HDRLEN ((int)NLMSG_ALIGN(sizeof(struct nlmsghdr)))
#define NLMSG_LENGTH(len) ((len) + NLMSG_HDRLEN)
#define NLMSG_DATA(nlh) ((void *)(((char *)nlh) + NLMSG_HDRLEN))
#define NLMSG_NEXT(nlh, len) ((len) -= NLMSG_ALIGN((nlh)->nlmsg_len), \
    (struct nlmsghdr *)(((char *)(nlh)) + NLMSG_ALIGN((nlh)->nlmsg_len)))
#define NLMSG_OK(nlh, len) ((len) >= (int)sizeof(struct nlmsghdr) && \
    (nlh)->nlmsg_len >= sizeof(struct nlmsghdr) && (nlh)->nlmsg_len <= (unsigned)(len))
struct rtattr { unsigned short rta_len, rta_type; };
#define RTA_ALIGN(len) (((len) + 3) & ~3)
#define RTA_OK(rta, len) ((len) >= (int)sizeof(struct rtattr) && \
    (rta)->rta_len >= sizeof(struct rtattr) && (rta)->rta_len <= (len))
#define RTA_NEXT(rta, attrlen) ((attrlen) -= RTA_ALIGN((rta)->rta_len), \
    (struct rtattr *)(((char *)(rta)) + RTA_ALIGN((rta)->rta_len)))
#define RTA_DATA(rta) ((void *)(((char *)(rta)) + RTA_ALIGN(sizeof(struct rtattr))))
#define RTA_PAYLOAD(rta) ((int)((rta)->rta_len) - RTA_ALIGN(sizeof(struct rtattr)))
struct unix_diag_req {
    uint8_t sdiag_family, sdiag_protocol;
    uint16_t pad;
    uint32_t udiag_states, udiag_ino, udiag_show, udiag_cookie[2];
};
struct unix_diag_msg {
    uint8_t udiag_family, udiag_type, udiag_state, pad;
    uint32_t udiag_ino, udiag_cookie[2];
};
#define UDIAG_SHOW_NAME 0x01
#define UDIAG_SHOW_PEER 0x04
#define UNIX_DIAG_NAME 0
#define UNIX_DIAG_PEER 2

struct found {
    int state, type;
    uint32_t peer;
    char name[108];
    int name_len;
    int seen;
};

static uint32_t ino_of(int fd)
{
    struct stat st;
    return fstat(fd, &st) ? 0 : (uint32_t)st.st_ino;
}

static int diag_socket(void)
{
    return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
}

static int send_req(int fd, uint16_t flags, uint8_t family, uint32_t states,
                    uint32_t ino, uint32_t show, uint32_t c0, uint32_t c1)
{
    struct {
        struct nlmsghdr nh;
        struct unix_diag_req r;
    } req;
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = sizeof req;
    req.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    req.nh.nlmsg_flags = NLM_F_REQUEST | flags;
    req.nh.nlmsg_seq = 7;
    req.r.sdiag_family = family;
    req.r.udiag_states = states;
    req.r.udiag_ino = ino;
    req.r.udiag_show = show;
    req.r.udiag_cookie[0] = c0;
    req.r.udiag_cookie[1] = c1;
    return send(fd, &req, sizeof req, 0) == (ssize_t)sizeof req ? 0 : -1;
}

/* Read replies until DONE (dump), one message (exact) or an error; fill
 * `f` for the inode `want`. The error (negative) or 0; *count messages. */
static int read_replies(int fd, bool dump, uint32_t want, struct found *f, int *count)
{
    static char buf[32768];
    *count = 0;
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            return -1000;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
             h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_DONE)
                return 0;
            if (h->nlmsg_type == NLMSG_ERROR)
                return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
            if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
                return -2000;
            struct unix_diag_msg *m = NLMSG_DATA(h);
            (*count)++;
            if (m->udiag_ino != want)
                continue;
            f->seen++;
            f->state = m->udiag_state;
            f->type = m->udiag_type;
            int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *m));
            for (struct rtattr *a = (struct rtattr *)(m + 1); RTA_OK(a, len);
                 a = RTA_NEXT(a, len)) {
                if (a->rta_type == UNIX_DIAG_PEER)
                    memcpy(&f->peer, RTA_DATA(a), 4);
                if (a->rta_type == UNIX_DIAG_NAME) {
                    f->name_len = (int)RTA_PAYLOAD(a);
                    memcpy(f->name, RTA_DATA(a),
                           f->name_len < 108 ? (size_t)f->name_len : 108);
                }
            }
        }
        if (!dump)
            return 0;
    }
}

T_CASE(dump_lists_listener_and_pair)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct found f;
    int l, sv[2], nl, count, err;

    unlink(PATH);
    strcpy(sa.sun_path, PATH);
    l = socket(AF_UNIX, SOCK_STREAM, 0);
    T_SYSOK(l);
    T_SYSOK(bind(l, (struct sockaddr *)&sa, sizeof sa));
    T_SYSOK(listen(l, 5));
    T_SYSOK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    nl = diag_socket();
    T_SYSOK(nl);

    /* The listener: state LISTEN, its path with the NUL. */
    memset(&f, 0, sizeof f);
    T_SYSOK(send_req(nl, NLM_F_DUMP, AF_UNIX, ~0u, 0, UDIAG_SHOW_NAME | UDIAG_SHOW_PEER, 0, 0));
    err = read_replies(nl, true, ino_of(l), &f, &count);
    T_EQ(err, 0);
    T_ASSERT(count >= 3);
    T_EQ(f.seen, 1);
    T_EQ(f.state, 10); /* TCP_LISTEN */
    T_EQ(f.type, SOCK_STREAM);
    T_EQ(f.name_len, (int)sizeof PATH);
    T_STREQ(f.name, PATH);

    /* One end of the pair: connected, the other end as its peer. */
    memset(&f, 0, sizeof f);
    T_SYSOK(send_req(nl, NLM_F_DUMP, AF_UNIX, ~0u, 0, UDIAG_SHOW_PEER, 0, 0));
    T_EQ(read_replies(nl, true, ino_of(sv[0]), &f, &count), 0);
    T_EQ(f.seen, 1);
    T_EQ(f.state, 1); /* TCP_ESTABLISHED */
    T_EQ(f.type, SOCK_DGRAM);
    T_EQ(f.peer, ino_of(sv[1]));

    /* Filtered by state: only listeners. */
    memset(&f, 0, sizeof f);
    T_SYSOK(send_req(nl, NLM_F_DUMP, AF_UNIX, 1u << 10, 0, 0, 0, 0));
    T_EQ(read_replies(nl, true, ino_of(sv[0]), &f, &count), 0);
    T_EQ(f.seen, 0);

    /* Exactly one, by inode: any cookie, ~0; a wrong one is stale. */
    memset(&f, 0, sizeof f);
    T_SYSOK(send_req(nl, 0, AF_UNIX, ~0u, ino_of(l), UDIAG_SHOW_NAME, ~0u, ~0u));
    T_EQ(read_replies(nl, false, ino_of(l), &f, &count), 0);
    T_EQ(count, 1);
    T_EQ(f.seen, 1);
    T_SYSOK(send_req(nl, 0, AF_UNIX, ~0u, ino_of(l), 0, 12345, 678));
    T_EQ(read_replies(nl, false, 0, &f, &count), -ESTALE);
    T_SYSOK(send_req(nl, 0, AF_UNIX, ~0u, 0, 0, ~0u, ~0u));
    T_EQ(read_replies(nl, false, 0, &f, &count), -EINVAL); /* no inode */
    /* A family past AF_MAX. */
    T_SYSOK(send_req(nl, NLM_F_DUMP, 200, ~0u, 0, 0, 0, 0));
    T_EQ(read_replies(nl, true, 0, &f, &count), -EINVAL);

    close(nl);
    close(sv[0]);
    close(sv[1]);
    close(l);
    unlink(PATH);
}

int main(void)
{
    t_init("t_sockdiag");
    T_RUN(dump_lists_listener_and_pair);
    return t_done();
}
