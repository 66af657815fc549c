/* t_oom.c: running out of memory fails or kills the greedy process, never
 * the kernel.
 *
 * A child maps and touches anonymous memory 1 MiB at a time. It must end
 * one of the ways Linux allows: mmap/brk fail with ENOMEM (the child then
 * exits 0), or it is killed (SIGKILL from the OOM killer, SIGBUS/SIGSEGV
 * when a page cannot be supplied). Either way the parent, the system and
 * the memory come back: afterwards fork, exec-free children and a fresh
 * 16 MiB mapping all work. With no limit, the OOM killer chooses the
 * greedy child and spares a small process faulting beside it. On a host Linux with plenty of RAM the child
 * limits itself with RLIMIT_AS so the test stays cheap; where RLIMIT_AS is
 * not enforced the child runs the machine out of memory for real. */
#include "t.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>

#define MIB (1024 * 1024)

static int greedy(int limit)
{
    struct rlimit rl = { 1024UL * MIB, 1024UL * MIB };
    long pg = sysconf(_SC_PAGESIZE);

    if (limit)
        setrlimit(RLIMIT_AS, &rl); /* best effort: may not be enforced */
    for (int i = 0; i < 64 * 1024; i++) {
        char *m = mmap(NULL, MIB, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            int e = errno;
            dprintf(2, "oom: mmap failed after %d MiB (errno %d)\n", i, e);
            return e == ENOMEM ? 0 : 3;
        }
        for (long off = 0; off < MIB; off += pg)
            m[off] = (char)i;
    }
    return 4; /* 64 GiB touched: nothing stopped us */
}

T_CASE(greedy_child_fails_or_dies)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0)
        _exit(greedy(1));
    int st = 0;
    T_EQ(waitpid(c, &st, 0), c);
    if (WIFEXITED(st)) {
        T_EQ(WEXITSTATUS(st), 0);
    } else {
        T_ASSERT(WIFSIGNALED(st));
        int s = WTERMSIG(st);
        if (s != SIGKILL && s != SIGBUS && s != SIGSEGV)
            T_FAIL("killed by unexpected signal %d", s);
    }
}

/* Map and touch a fresh page at a time until the pipe's writer closes:
 * exit 0, or 3 if a call failed other than for want of memory. */
static int bystander(int rd)
{
    long pg = sysconf(_SC_PAGESIZE), touched = 0;
    char c;

    for (;;) {
        ssize_t n = read(rd, &c, 1);
        if (n == 0)
            break;
        if (n < 0 && errno != EAGAIN)
            return 3;
        char *m = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            if (errno != ENOMEM)
                return 3;
            continue;
        }
        m[0] = 1;
        touched++;
        if (munmap(m, (size_t)pg))
            return 3;
    }
    dprintf(2, "oom: bystander touched %ld pages\n", touched);
    return 0;
}

/* The process that ate the memory is the one killed, not a small one
 * faulting beside it: the greedy child (no RLIMIT_AS here) dies of
 * SIGKILL, the bystander exits 0. Linux's OOM killer chooses so too
 * (oom_badness: the most resident pages). Run on machines of at most
 * 2 GiB (the test VMs); on a bigger host it would take the host's
 * memory, so there it only says it did not run. */
T_CASE(oom_kills_the_greedy_not_a_bystander)
{
    struct sysinfo si;
    int p[2];

    T_SYSOK(sysinfo(&si));
    if ((unsigned long long)si.totalram * si.mem_unit > 2048ull * MIB) {
        t_emit("INFO oom: not run on a machine of more than 2 GiB");
        return;
    }
    T_SYSOK(pipe2(p, O_NONBLOCK));
    pid_t b = t_fork();
    T_SYSOK(b);
    if (b == 0) {
        close(p[1]);
        _exit(bystander(p[0]));
    }
    close(p[0]);
    pid_t g = t_fork();
    T_SYSOK(g);
    if (g == 0) {
        close(p[1]);
        _exit(greedy(0));
    }
    int st = 0;
    T_EQ(waitpid(g, &st, 0), g);
    close(p[1]); /* the bystander stops */
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
        T_FAIL("greedy child: status 0x%x, want SIGKILL", st);
    T_EXITED(b, 0);
}

static int read_int(const char *path)
{
    char b[32] = { 0 };
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -99999;
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    return n > 0 ? atoi(b) : -99999;
}

/* 0 or the errno of writing text to path. */
static int write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return errno;
    ssize_t n = write(fd, text, strlen(text));
    int e = n < 0 ? errno : 0;
    close(fd);
    return e;
}

#define ADJ "/proc/self/oom_score_adj"

/* /proc/<pid>/oom_score_adj and oom_score as Linux's: -1000..1000,
 * inherited, lowering below the last privileged writer's value needs
 * CAP_SYS_RESOURCE (EACCES), oom_score is 0 at -1000 and at least 666 at
 * 1000 (the badness scaled to 0..2000). */
T_CASE(oom_score_adj_is_linux_s)
{
    /* CAP_SYS_RESOURCE (bit 24 of CapEff): containers' root may lack it */
    struct { unsigned v, pid; } hdr = { 0x20080522, 0 };
    struct { unsigned eff, prm, inh; } data[2];
    T_SYSOK(syscall(SYS_capget, &hdr, data));
    int priv = (data[0].eff >> 24) & 1;

    T_EQ(write_text(ADJ, "100"), 0); /* privileged: the floor for nobody */
    T_EQ(read_int(ADJ), 100);
    T_EQ(write_text(ADJ, "1001"), EINVAL);
    T_EQ(write_text(ADJ, "-1001"), EINVAL);
    T_EQ(write_text(ADJ, "x"), EINVAL);
    T_EQ(write_text(ADJ, "1000\n"), 0);
    if (read_int("/proc/self/oom_score") < 666)
        T_FAIL("oom_score %d at adj 1000", read_int("/proc/self/oom_score"));
    if (priv) {
        T_EQ(write_text(ADJ, "-1000"), 0);
        T_EQ(read_int("/proc/self/oom_score"), 0);
    } else {
        T_EQ(write_text(ADJ, "-1000"), EACCES);
    }
    T_EQ(write_text(ADJ, "100"), 0);
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        int bad = read_int(ADJ) != 100; /* inherited */
        bad |= setgid(65534) || setuid(65534);
        /* setuid made it undumpable: /proc/self would be root's */
        bad |= prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0;
        bad |= write_text(ADJ, "300") != 0;  /* raising is anyone's */
        bad |= read_int(ADJ) != 300;
        bad |= write_text(ADJ, "100") != 0;  /* down to the floor */
        bad |= write_text(ADJ, "99") != (priv ? EACCES : 0);
        _exit(bad);
    }
    T_EXITED(c, 0);
    T_EQ(write_text(ADJ, "0"), 0);
    T_EQ(read_int(ADJ), 0);
}

T_CASE(system_recovers)
{
    /* The memory came back: a 16 MiB mapping can be touched... */
    char *m = mmap(NULL, 16 * MIB, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    memset(m, 0x5a, 16 * MIB);
    T_EQ(m[16 * MIB - 1], 0x5a);
    T_SYSOK(munmap(m, 16 * MIB));
    /* ...and processes still come and go. */
    for (int i = 0; i < 20; i++) {
        pid_t c = t_fork();
        T_SYSOK(c);
        if (c == 0)
            _exit(7);
        T_EXITED(c, 7);
    }
}

int main(void)
{
    t_init("oom");
    T_RUN(oom_score_adj_is_linux_s);
    T_RUN(greedy_child_fails_or_dies);
    T_RUN(oom_kills_the_greedy_not_a_bystander);
    T_RUN(system_recovers);
    return t_done();
}
