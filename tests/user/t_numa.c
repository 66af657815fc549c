/* t_numa.c: the NUMA memory-policy calls on a machine with one memory
 * node (node 0): set_mempolicy/get_mempolicy round trips with Linux's
 * rules for modes, flags and node masks, mbind on ranges (EFAULT for a
 * hole, the policy read back by address, split VMAs), move_pages status,
 * migrate_pages, and /proc/self/status's Cpus_allowed and Mems_allowed.
 * Expectations are Linux's (mm/mempolicy.c); also passes on a one-node
 * Linux (the host's or QEMU's). */
#include "t.h"

#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define MPOL_DEFAULT 0
#define MPOL_PREFERRED 1
#define MPOL_BIND 2
#define MPOL_INTERLEAVE 3
#define MPOL_LOCAL 4
#define MPOL_F_STATIC_NODES (1 << 15)
#define MPOL_F_RELATIVE_NODES (1 << 14)
#define MPOL_F_NODE 1
#define MPOL_F_ADDR 2
#define MPOL_F_MEMS_ALLOWED 4
#define MPOL_MF_STRICT 1
#define MPOL_MF_MOVE 2
#define MPOL_MF_MOVE_ALL 4
#define MAXNODE 1025 /* 1024 bits, with the calls' off by one */

static unsigned long mask[16]; /* 1024 bits */

static long set_mempolicy_(int mode, const unsigned long *m, unsigned long maxnode)
{
    return syscall(SYS_set_mempolicy, mode, m, maxnode);
}

static long get_mempolicy_(int *mode, unsigned long *m, unsigned long maxnode,
                           void *addr, unsigned long flags)
{
    return syscall(SYS_get_mempolicy, mode, m, maxnode, addr, flags);
}

static long mbind_(void *addr, unsigned long len, int mode, const unsigned long *m,
                   unsigned long maxnode, unsigned flags)
{
    return syscall(SYS_mbind, addr, len, mode, m, maxnode, flags);
}

/* The only node is 0: a machine with more is not what these expect. */
static int one_node(void)
{
    int mode;
    memset(mask, 0, sizeof mask);
    if (get_mempolicy_(&mode, mask, MAXNODE, NULL, MPOL_F_MEMS_ALLOWED))
        return 0;
    for (int i = 1; i < 16; i++)
        if (mask[i])
            return 0;
    return mask[0] == 1;
}

T_CASE(task_policy_round_trips)
{
    int mode = -1;
    pid_t c;

    T_ASSERT(one_node());
    T_SYSOK(get_mempolicy_(&mode, mask, MAXNODE, NULL, 0));
    T_EQ(mode, MPOL_DEFAULT);
    T_EQ(mask[0], 0);
    c = t_fork(); /* the policy is the thread's: change it in a child */
    if (c == 0) {
        unsigned long m = 1;
        int bad = 0, md = -1;
        unsigned long got[16];
        bad |= set_mempolicy_(MPOL_BIND, &m, 65) != 0;
        memset(got, 0xff, sizeof got);
        bad |= (get_mempolicy_(&md, got, MAXNODE, NULL, 0) != 0 || md != MPOL_BIND ||
                got[0] != 1 || got[1] != 0 || got[15] != 0) << 1;
        /* interleave: MPOL_F_NODE says the next node, 0 */
        bad |= (set_mempolicy_(MPOL_INTERLEAVE, &m, 65) != 0) << 2;
        bad |= (get_mempolicy_(&md, NULL, 0, NULL, MPOL_F_NODE) != 0 || md != 0) << 3;
        /* preferred without nodes is local */
        bad |= (set_mempolicy_(MPOL_PREFERRED, NULL, 0) != 0) << 4;
        bad |= (get_mempolicy_(&md, got, MAXNODE, NULL, 0) != 0 || md != MPOL_LOCAL ||
                got[0] != 0) << 5;
        /* static nodes keep the mask as given (here nodes 0 and 3) */
        m = 9;
        bad |= (set_mempolicy_(MPOL_BIND | MPOL_F_STATIC_NODES, &m, 65) != 0) << 6;
        bad |= (get_mempolicy_(&md, got, MAXNODE, NULL, 0) != 0 ||
                md != (MPOL_BIND | MPOL_F_STATIC_NODES) || got[0] != 9) << 7;
        /* inherited by fork */
        pid_t g = fork();
        if (g == 0)
            _exit(get_mempolicy_(&md, NULL, 0, NULL, 0) == 0 &&
                  md == (MPOL_BIND | MPOL_F_STATIC_NODES) ? 0 : 1);
        int st;
        bad |= (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st)) << 8;
        bad |= (set_mempolicy_(MPOL_DEFAULT, NULL, 0) != 0) << 9;
        if (bad)
            dprintf(2, "task policy: bad %#x\n", bad);
        _exit(bad ? 1 : 0);
    }
    T_EXITED(c, 0);
}

T_CASE(policy_errors_are_linux_s)
{
    unsigned long m = 1, none = 0, node1 = 2;
    int mode;

    T_ERRNO(set_mempolicy_(77, &m, 65), EINVAL);
    T_ERRNO(set_mempolicy_(MPOL_BIND, &none, 65), EINVAL);      /* empty */
    T_ERRNO(set_mempolicy_(MPOL_BIND, &node1, 65), EINVAL);     /* no such node */
    T_ERRNO(set_mempolicy_(MPOL_DEFAULT, &m, 65), EINVAL);      /* default takes none */
    T_ERRNO(set_mempolicy_(MPOL_LOCAL, &m, 65), EINVAL);
    T_ERRNO(set_mempolicy_(MPOL_PREFERRED | MPOL_F_STATIC_NODES, NULL, 0), EINVAL);
    T_ERRNO(set_mempolicy_(MPOL_BIND | MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES,
                           &m, 65), EINVAL);
    T_ERRNO(set_mempolicy_(MPOL_BIND, (unsigned long *)8, 65), EFAULT);
    /* nodes past MAX_NUMNODES named: EINVAL */
    static unsigned long big[32];
    big[20] = 1;
    big[0] = 1;
    T_ERRNO(set_mempolicy_(MPOL_BIND, big, 2049), EINVAL);
    T_ERRNO(get_mempolicy_(&mode, mask, 0, NULL, 0), EINVAL);   /* maxnode < node ids */
    T_ERRNO(get_mempolicy_(&mode, NULL, 0, NULL, 8), EINVAL);   /* unknown flag */
    T_ERRNO(get_mempolicy_(&mode, NULL, 0, &mode, 0), EINVAL);  /* addr without F_ADDR */
    T_ERRNO(get_mempolicy_(&mode, NULL, 0, NULL, MPOL_F_NODE), EINVAL); /* not interleave */
    T_ERRNO(get_mempolicy_(&mode, NULL, 0, NULL, MPOL_F_MEMS_ALLOWED | MPOL_F_ADDR), EINVAL);
    T_ERRNO(get_mempolicy_((int *)8, NULL, 0, NULL, 0), EFAULT);
}

T_CASE(mbind_sets_ranges)
{
    long pg = sysconf(_SC_PAGESIZE);
    unsigned long m = 1;
    char *a = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int mode = -1;

    T_ASSERT(a != MAP_FAILED);
    T_SYSOK(mbind_(a + pg, pg, MPOL_BIND, &m, 65, MPOL_MF_STRICT | MPOL_MF_MOVE));
    T_SYSOK(get_mempolicy_(&mode, mask, MAXNODE, a + pg, MPOL_F_ADDR));
    T_EQ(mode, MPOL_BIND);
    T_EQ(mask[0], 1);
    T_SYSOK(get_mempolicy_(&mode, NULL, 0, a, MPOL_F_ADDR));
    T_EQ(mode, MPOL_DEFAULT); /* the neighbours keep theirs */
    T_SYSOK(get_mempolicy_(&mode, NULL, 0, a + 2 * pg, MPOL_F_ADDR));
    T_EQ(mode, MPOL_DEFAULT);
    /* the page's node, faulted in */
    T_SYSOK(get_mempolicy_(&mode, NULL, 0, a + pg, MPOL_F_NODE | MPOL_F_ADDR));
    T_EQ(mode, 0);
    /* back to default */
    T_SYSOK(mbind_(a + pg, pg, MPOL_DEFAULT, NULL, 0, 0));
    T_SYSOK(get_mempolicy_(&mode, NULL, 0, a + pg, MPOL_F_ADDR));
    T_EQ(mode, MPOL_DEFAULT);
    /* errors */
    T_ERRNO(mbind_(a + 1, pg, MPOL_BIND, &m, 65, 0), EINVAL);
    T_ERRNO(mbind_(a, pg, MPOL_BIND, &m, 65, 8), EINVAL);
    T_SYSOK(munmap(a + 3 * pg, pg));
    T_ERRNO(mbind_(a, 4 * pg, MPOL_BIND, &m, 65, 0), EFAULT); /* a hole */
    T_ERRNO(get_mempolicy_(&mode, NULL, 0, a + 3 * pg, MPOL_F_ADDR), EFAULT);
    T_SYSOK(mbind_(a, 0, MPOL_BIND, &m, 65, 0)); /* empty: nothing to do */
    munmap(a, 3 * pg);
}

T_CASE(move_pages_and_migrate_pages)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *a = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void *pages[3];
    int status[3] = { 7, 7, 7 }, nodes[3] = { 0, 0, 0 };
    unsigned long m = 1;

    T_ASSERT(a != MAP_FAILED);
    a[0] = 1;
    pages[0] = a;
    pages[1] = a + pg;        /* never touched */
    pages[2] = (void *)4096;  /* nothing mapped */
    T_SYSOK(syscall(SYS_move_pages, 0, 3, pages, NULL, status, 0));
    T_EQ(status[0], 0);
    T_EQ(status[1], -ENOENT);
    T_EQ(status[2], -EFAULT);
    status[0] = 7;
    T_SYSOK(syscall(SYS_move_pages, getpid(), 1, pages, nodes, status, MPOL_MF_MOVE));
    T_EQ(status[0], 0); /* already there */
    nodes[0] = 1;
    T_ERRNO(syscall(SYS_move_pages, 0, 1, pages, nodes, status, MPOL_MF_MOVE), ENODEV);
    T_ERRNO(syscall(SYS_move_pages, 0, 1, pages, NULL, status, 8), EINVAL);
    T_ERRNO(syscall(SYS_move_pages, 0x3ffffff, 1, pages, NULL, status, 0), ESRCH);
    T_EQ(syscall(SYS_migrate_pages, 0, 65, &m, &m), 0);
    munmap(a, 2 * pg);
}

static int status_line(const char *key, char *out, size_t len)
{
    char buf[4096], *p, *e;
    int fd = open("/proc/self/status", O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    p = strstr(buf, key);
    if (!p)
        return -1;
    p += strlen(key);
    e = strchr(p, '\n');
    if (!e || (size_t)(e - p) >= len)
        return -1;
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = 0;
    return 0;
}

T_CASE(status_shows_allowed_cpus_and_nodes)
{
    char v[512], want[64];
    cpu_set_t set;
    long ncpu = sysconf(_SC_NPROCESSORS_CONF);

    T_SYSOK(status_line("\nMems_allowed_list:\t", v, sizeof v));
    T_STREQ(v, "0");
    T_SYSOK(status_line("\nMems_allowed:\t", v, sizeof v));
    T_EQ(strlen(v), 32 * 9 - 1); /* 1024 bits: 32 groups of 8 digits */
    T_STREQ(v + strlen(v) - 9, ",00000001");
    /* pinned to CPU 0 in a child: "1" and "0" */
    pid_t c = t_fork();
    if (c == 0) {
        CPU_ZERO(&set);
        CPU_SET(0, &set);
        if (sched_setaffinity(0, sizeof set, &set))
            _exit(1);
        if (status_line("\nCpus_allowed_list:\t", v, sizeof v) || strcmp(v, "0"))
            _exit(2);
        if (status_line("\nCpus_allowed:\t", v, sizeof v) || strtoul(v, NULL, 16) != 1)
            _exit(3);
        _exit(0);
    }
    T_EXITED(c, 0);
    T_SYSOK(status_line("\nCpus_allowed_list:\t", v, sizeof v));
    if (ncpu > 1)
        snprintf(want, sizeof want, "0-%ld", ncpu - 1);
    else
        snprintf(want, sizeof want, "0");
    T_STREQ(v, want);
}

int main(void)
{
    t_init("t_numa");
    T_RUN(task_policy_round_trips);
    T_RUN(policy_errors_are_linux_s);
    T_RUN(mbind_sets_ranges);
    T_RUN(move_pages_and_migrate_pages);
    T_RUN(status_shows_allowed_cpus_and_nodes);
    return t_done();
}
