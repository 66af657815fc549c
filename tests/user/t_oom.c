/* t_oom.c: running out of memory fails or kills the greedy process, never
 * the kernel.
 *
 * A child maps and touches anonymous memory 1 MiB at a time. It must end
 * one of the ways Linux allows: mmap/brk fail with ENOMEM (the child then
 * exits 0), or it is killed (SIGKILL from the OOM killer, SIGBUS/SIGSEGV
 * when a page cannot be supplied). Either way the parent, the system and
 * the memory come back: afterwards fork, exec-free children and a fresh
 * 16 MiB mapping all work. On a host Linux with plenty of RAM the child
 * limits itself with RLIMIT_AS so the test stays cheap; where RLIMIT_AS is
 * not enforced the child runs the machine out of memory for real. */
#include "t.h"

#include <sys/mman.h>
#include <sys/resource.h>

#define MIB (1024 * 1024)

static int greedy(void)
{
    struct rlimit rl = { 1024UL * MIB, 1024UL * MIB };
    long pg = sysconf(_SC_PAGESIZE);

    setrlimit(RLIMIT_AS, &rl); /* best effort: the kernel may not enforce it */
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
        _exit(greedy());
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
    T_RUN(greedy_child_fails_or_dies);
    T_RUN(system_recovers);
    return t_done();
}
