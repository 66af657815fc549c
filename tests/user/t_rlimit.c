/* t_rlimit.c: RLIMIT_AS and RLIMIT_FSIZE are enforced as Linux does.
 *
 * Each case runs in a child (t_fork), so the limits it sets end with it.
 * RLIMIT_AS: mmap, brk and mremap growth past the limit
 * fail with ENOMEM (brk: the break stays), and a MAP_FIXED mapping that
 * replaces existing pages counts them as freed. RLIMIT_FSIZE: a write
 * crossing the limit is cut short there, one starting at it fails with
 * EFBIG and raises SIGXFSZ (which kills by default), ftruncate and
 * fallocate growing past it fail the same way, shrinking is allowed. */
#include "t.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define MIB (1024L * 1024)

static char dir[64];

/* The bytes mapped now, from /proc/self/maps. */
static long mapped_bytes(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    unsigned long a, b;
    long n = 0;
    char line[512];

    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%lx-%lx", &a, &b) == 2)
            n += (long)(b - a);
    fclose(f);
    return n;
}

/* Exit 0 if every step behaves, else the number of the failing step. */
static int as_child(void)
{
    long base = mapped_bytes();
    struct rlimit rl;
    char *m, *r;

    if (base <= 0)
        return 1;
    rl.rlim_cur = rl.rlim_max = (rlim_t)(base + 32 * MIB);
    if (setrlimit(RLIMIT_AS, &rl))
        return 2;
    errno = 0;
    if (mmap(NULL, 64 * MIB, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED || errno != ENOMEM)
        return 3;
    m = mmap(NULL, 16 * MIB, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 4;
    m[0] = 1;
    /* Replacing the same 16 MiB in place needs no more room. */
    if (mmap(m, 16 * MIB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
             -1, 0) != m)
        return 5;
    /* Growing it by 32 MiB would pass the limit, moving or not. */
    errno = 0;
    r = mremap(m, 16 * MIB, 48 * MIB, MREMAP_MAYMOVE);
    if (r != MAP_FAILED || errno != ENOMEM)
        return 6;
    /* brk: the break stays where it was. */
    long cur = syscall(SYS_brk, 0);
    if (syscall(SYS_brk, cur + 64 * MIB) != cur)
        return 7;
    if (munmap(m, 16 * MIB))
        return 8;
    if (syscall(SYS_brk, cur + 8 * MIB) != cur + 8 * MIB)
        return 9;
    return 0;
}

T_CASE(as_limit_mmap_brk_mremap)
{
    pid_t c;

    T_SYSOK(c = t_fork());
    if (c == 0)
        _exit(as_child());
    T_EXITED(c, 0);
}

static int set_fsize(rlim_t n)
{
    struct rlimit rl = { n, n };
    return setrlimit(RLIMIT_FSIZE, &rl);
}

static int fsize_child(const char *path)
{
    static char buf[8000];
    int fd;

    signal(SIGXFSZ, SIG_IGN);
    if (set_fsize(10000))
        return 1;
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return 2;
    if (write(fd, buf, 8000) != 8000)
        return 3;
    if (write(fd, buf, 4000) != 2000) /* cut at the limit */
        return 4;
    errno = 0;
    if (write(fd, buf, 1) != -1 || errno != EFBIG)
        return 5;
    if (write(fd, buf, 0) != 0) /* nothing to write: no error */
        return 6;
    if (pwrite(fd, buf, 10, 9999) != 1)
        return 7;
    errno = 0;
    if (ftruncate(fd, 20000) != -1 || errno != EFBIG)
        return 8;
    if (ftruncate(fd, 5000) != 0 || ftruncate(fd, 10000) != 0)
        return 9;
    errno = 0;
    if (fallocate(fd, 0, 0, 20000) != -1 || (errno != EFBIG && errno != EOPNOTSUPP))
        return 10;
    struct stat st;
    if (fstat(fd, &st) || st.st_size != 10000)
        return 11;
    close(fd);
    return 0;
}

T_CASE(fsize_limit_cuts_and_refuses)
{
    char path[128];
    pid_t c;

    snprintf(path, sizeof path, "%s/fsize", dir);
    T_SYSOK(c = t_fork());
    if (c == 0)
        _exit(fsize_child(path));
    T_EXITED(c, 0);
    unlink(path);
}

T_CASE(fsize_sigxfsz_kills_by_default)
{
    char path[128];
    pid_t c;

    snprintf(path, sizeof path, "%s/fsize2", dir);
    T_SYSOK(c = t_fork());
    if (c == 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || set_fsize(100))
            _exit(2);
        (void)!write(fd, "x", 1);
        (void)!pwrite(fd, "y", 1, 100);
        _exit(3); /* SIGXFSZ should have killed it */
    }
    T_KILLED(c, SIGXFSZ);
    unlink(path);
}

/* RLIMIT_NOFILE: raised to its hard limit (4096 on both kernels), every
 * descriptor below it is usable, fork copies them, close_range closes
 * them; past the limit dup2 is EBADF, F_DUPFD EINVAL, open EMFILE, and a
 * failed O_CREAT open leaves no file behind (Linux takes the descriptor
 * before it creates anything). */
/* prlimit on another process needs all its ids to be the caller's (or
 * CAP_SYS_RESOURCE): nobody may neither read nor lower root's limits,
 * but may its own child's. Found by trinity, which lowered root's
 * RLIMIT_FSIZE. */
T_CASE(prlimit_of_another_user_is_eperm)
{
    if (geteuid() != 0) {
        t_emit("PASS t_rlimit.prlimit_of_another_user_is_eperm (not root: nothing to check)");
        return;
    }
    pid_t root_pid = getpid();
    struct rlimit before, r;
    T_SYSOK(prlimit(0, RLIMIT_FSIZE, NULL, &before));
    pid_t pid = t_fork();
    if (pid == 0) {
        struct rlimit small = { 4096, 4096 };
        if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
            _exit(1);
        if (prlimit(root_pid, RLIMIT_FSIZE, NULL, &r) != -1 || errno != EPERM)
            _exit(2);
        if (prlimit(root_pid, RLIMIT_FSIZE, &small, NULL) != -1 || errno != EPERM)
            _exit(3);
        pid_t g = fork();
        if (g == 0) {
            pause();
            _exit(0);
        }
        int ok = prlimit(g, RLIMIT_FSIZE, &small, NULL) == 0 &&
                 prlimit(g, RLIMIT_FSIZE, NULL, &r) == 0 && r.rlim_cur == 4096;
        kill(g, SIGKILL);
        waitpid(g, NULL, 0);
        _exit(ok ? 0 : 4);
    }
    T_EXITED(pid, 0);
    T_SYSOK(prlimit(0, RLIMIT_FSIZE, NULL, &r));
    T_EQ(r.rlim_cur, before.rlim_cur);
}

T_CASE(nofile_limit_up_to_the_hard_limit)
{
    struct rlimit rl;
    char path[128];

    T_SYSOK(getrlimit(RLIMIT_NOFILE, &rl));
    T_EQ(rl.rlim_cur, 1024);
    T_ASSERT(rl.rlim_max >= 4096);
    rl.rlim_cur = 4096;
    T_SYSOK(setrlimit(RLIMIT_NOFILE, &rl));
    T_EQ(dup2(0, 4095), 4095);
    T_EQ(fcntl(4095, F_GETFD), 0);
    T_ERRNO(dup2(0, 4096), EBADF);
    T_ERRNO(fcntl(0, F_DUPFD, 4096), EINVAL);
    T_EQ(fcntl(0, F_DUPFD_CLOEXEC, 3000), 3000);
    T_EQ(fcntl(3000, F_GETFD), FD_CLOEXEC);
    pid_t pid = t_fork();
    if (pid == 0)
        _exit(fcntl(4095, F_GETFD) == 0 && fcntl(3000, F_GETFD) == FD_CLOEXEC ? 0 : 1);
    T_EXITED(pid, 0);
    /* Fill every descriptor: the next open is EMFILE and creates
     * nothing. */
    int n = 0;
    while (dup(0) >= 0)
        n++;
    T_EQ(errno, EMFILE);
    T_ASSERT(n > 4000);
    snprintf(path, sizeof path, "%s/nofile", dir);
    T_ERRNO(open(path, O_CREAT | O_RDWR, 0600), EMFILE);
    T_ERRNO(access(path, F_OK), ENOENT);
    T_SYSOK(syscall(SYS_close_range, 3, ~0U, 0));
    T_ERRNO(fcntl(4095, F_GETFD), EBADF);
    T_ERRNO(fcntl(3000, F_GETFD), EBADF);
    T_EQ(dup(0), 3);
}

int main(void)
{
    t_init("rlimit");
    snprintf(dir, sizeof dir, "/tmp/t_rlimit.%d", (int)getpid());
    if (mkdir(dir, 0755) != 0) {
        t_emit("FAIL rlimit.setup: mkdir %s: errno=%d", dir, errno);
        t_nfail++;
        return t_done();
    }
    T_RUN(as_limit_mmap_brk_mremap);
    T_RUN(fsize_limit_cuts_and_refuses);
    T_RUN(fsize_sigxfsz_kills_by_default);
    T_RUN(nofile_limit_up_to_the_hard_limit);
    T_RUN(prlimit_of_another_user_is_eperm);
    rmdir(dir);
    return t_done();
}
