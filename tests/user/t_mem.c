/* t_mem.c: brk, mmap/munmap/mprotect/mremap/madvise, fork COW and shared
 * memory, file-backed mappings. */
#include "t.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static size_t pg;

/* Run fn in a child; return its wait status. */
static int in_child(void (*fn)(void *), void *arg)
{
    pid_t c = t_fork();
    if (c < 0)
        return -1;
    if (c == 0) {
        fn(arg);
        _exit(0);
    }
    int st = 0;
    if (waitpid(c, &st, 0) != c)
        return -1;
    return st;
}

#define T_CHILD_SEGV(fn, arg) do { int t_s_ = in_child((fn), (arg)); \
    if (!(WIFSIGNALED(t_s_) && WTERMSIG(t_s_) == SIGSEGV)) \
        T_FAIL("%s: child status 0x%x, want SIGSEGV", #fn, t_s_); } while (0)

static void touch_write(void *p) { *(volatile char *)p = 1; }
static void touch_read(void *p) { (void)*(volatile char *)p; }

T_CASE(brk_grow_shrink)
{
    void *b0 = sbrk(0);
    T_ASSERT(b0 != (void *)-1);
    long cur = syscall(SYS_brk, 0);
    T_EQ(cur, (long)b0);
    long want = cur + 5 * (long)pg + 17;
    T_EQ(syscall(SYS_brk, want), want);
    volatile char *p = (char *)cur;
    for (long i = 0; i < want - cur; i++)
        p[i] = (char)i;
    for (long i = 0; i < want - cur; i++)
        if (p[i] != (char)i)
            T_FAIL("brk memory mismatch at %ld", i);
    /* shrink, then grow again: the re-grown memory reads zero */
    T_EQ(syscall(SYS_brk, cur), cur);
    T_EQ(syscall(SYS_brk, 0), cur);
    T_EQ(syscall(SYS_brk, want), want);
    long base = (cur + (long)pg - 1) & ~((long)pg - 1);
    for (long i = base; i < want; i++)
        if (*(volatile char *)i != 0)
            T_FAIL("regrown brk not zero at +%ld", i - cur);
    T_EQ(syscall(SYS_brk, cur), cur);
}

T_CASE(brk_shrunk_area_faults)
{
    long cur = syscall(SYS_brk, 0);
    long aligned = (cur + (long)pg - 1) & ~((long)pg - 1);
    T_EQ(syscall(SYS_brk, aligned + 4 * (long)pg), aligned + 4 * (long)pg);
    *(volatile char *)(aligned + 2 * (long)pg) = 1;
    T_EQ(syscall(SYS_brk, aligned), aligned);
    T_CHILD_SEGV(touch_read, (void *)(aligned + 2 * (long)pg));
    T_EQ(syscall(SYS_brk, cur), cur);
}

T_CASE(brk_absurd_fails_unchanged)
{
    long cur = syscall(SYS_brk, 0);
    /* the raw syscall returns the unchanged break on failure */
    T_EQ(syscall(SYS_brk, 0x7ffffffff000L), cur);
    T_EQ(syscall(SYS_brk, 1), cur);
    T_EQ(syscall(SYS_brk, 0), cur);
}

T_CASE(mmap_anon_rw_1mib)
{
    size_t len = 1 << 20;
    unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    T_EQ((uintptr_t)m % pg, 0);
    for (size_t i = 0; i < len; i++)
        if (m[i] != 0)
            T_FAIL("fresh anon memory not zero at %zu", i);
    for (size_t i = 0; i < len; i++)
        m[i] = (unsigned char)(i * 7 + (i >> 12));
    for (size_t i = 0; i < len; i++)
        if (m[i] != (unsigned char)(i * 7 + (i >> 12)))
            T_FAIL("pattern mismatch at %zu", i);
    T_SYSOK(munmap(m, len));
}

T_CASE(mmap_hint_nonfixed)
{
    /* two mappings do not overlap */
    char *a = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *b = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(a != MAP_FAILED && b != MAP_FAILED);
    T_ASSERT(a + 4 * pg <= b || b + 4 * pg <= a);
    memset(a, 1, 4 * pg);
    memset(b, 2, 4 * pg);
    T_EQ(a[4 * pg - 1], 1);
    T_EQ(b[0], 2);
    munmap(a, 4 * pg);
    munmap(b, 4 * pg);
}

T_CASE(munmap_then_touch_segv)
{
    char *m = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    memset(m, 1, 3 * pg);
    T_SYSOK(munmap(m + pg, pg)); /* punch a hole in the middle */
    T_CHILD_SEGV(touch_read, m + pg);
    T_CHILD_SEGV(touch_write, m + pg + 100);
    T_EQ(m[0], 1);
    T_EQ(m[2 * pg], 1);
    T_SYSOK(munmap(m, 3 * pg)); /* unmapping a range with a hole is fine */
    T_CHILD_SEGV(touch_read, m);
    T_SYSOK(munmap(m, 3 * pg)); /* unmapping nothing is not an error */
}

T_CASE(mprotect_readonly_write_segv)
{
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    m[0] = 42;
    m[pg] = 43;
    T_SYSOK(mprotect(m, pg, PROT_READ));
    T_EQ(m[0], 42); /* still readable */
    T_CHILD_SEGV(touch_write, m);
    m[pg] = 44; /* the second page is still writable */
    T_SYSOK(mprotect(m, pg, PROT_NONE));
    T_CHILD_SEGV(touch_read, m);
    T_SYSOK(mprotect(m, pg, PROT_READ | PROT_WRITE));
    m[0] = 1;
    T_EQ(m[0], 1);
    munmap(m, 2 * pg);
}

T_CASE(mprotect_errors)
{
    char *m = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    /* raw syscalls: musl's mprotect() rounds the address down */
    T_ERRNO(syscall(SYS_mprotect, m + 1, pg, PROT_READ), EINVAL);
    T_ERRNO(syscall(SYS_mprotect, m, pg, 0x1000 /* unknown prot bit */), EINVAL);
    T_SYSOK(munmap(m, pg));
    T_ERRNO(syscall(SYS_mprotect, m, pg, PROT_READ), ENOMEM); /* unmapped range */
}

T_CASE(map_fixed_replaces_with_zeros)
{
    char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    memset(m, 0xab, 4 * pg);
    char *f = mmap(m + pg, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    T_ASSERT(f == m + pg);
    for (size_t i = 0; i < 2 * pg; i++)
        if (f[i] != 0)
            T_FAIL("MAP_FIXED page not zero at %zu", i);
    T_EQ((unsigned char)m[0], 0xab);
    T_EQ((unsigned char)m[pg - 1], 0xab);
    T_EQ((unsigned char)m[3 * pg], 0xab);
    munmap(m, 4 * pg);
}

T_CASE(map_fixed_noreplace)
{
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    errno = 0;
    void *r = mmap(m, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    int e = errno;
    T_ASSERT(r == MAP_FAILED);
    T_EQ(e, EEXIST);
    munmap(m, 2 * pg);
}

T_CASE(mmap_einval_cases)
{
    errno = 0;
    T_ASSERT(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED);
    T_EQ(errno, EINVAL);
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    errno = 0;
    T_ASSERT(mmap(m + 1, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED);
    T_EQ(errno, EINVAL);
    /* neither MAP_PRIVATE nor MAP_SHARED */
    errno = 0;
    T_ASSERT(mmap(NULL, pg, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED);
    T_EQ(errno, EINVAL);
    /* file mapping with a misaligned offset */
    int fd = open("/dev/zero", O_RDONLY);
    T_SYSOK(fd);
    errno = 0;
    T_ASSERT(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 1) == MAP_FAILED);
    T_EQ(errno, EINVAL);
    close(fd);
    /* bad fd for a file mapping */
    errno = 0;
    T_ASSERT(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, 12345, 0) == MAP_FAILED);
    T_EQ(errno, EBADF);
    munmap(m, 2 * pg);
}

T_CASE(munmap_einval_cases)
{
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    T_ERRNO(munmap(m + 1, pg), EINVAL);
    T_ERRNO(munmap(m, 0), EINVAL);
    T_ERRNO(munmap((void *)0xffff800000000000ULL, pg), EINVAL);
    T_SYSOK(munmap(m, 2 * pg));
}

T_CASE(mremap_grow_maymove)
{
    size_t old = 4 * pg, nsz = 64 * pg;
    /* map old + 1 pages; the last one (made PROT_NONE, so a separate
     * mapping) blocks in-place growth so that mremap has to move */
    unsigned char *m = mmap(NULL, old + pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    void *blocker = m + old;
    T_SYSOK(mprotect(blocker, pg, PROT_NONE));
    for (size_t i = 0; i < old; i++)
        m[i] = (unsigned char)(i ^ (i >> 8));
    errno = 0;
    T_ASSERT(mremap(m, old, nsz, 0) == MAP_FAILED);
    T_EQ(errno, ENOMEM);
    unsigned char *n = mremap(m, old, nsz, MREMAP_MAYMOVE);
    T_ASSERT(n != MAP_FAILED);
    for (size_t i = 0; i < old; i++)
        if (n[i] != (unsigned char)(i ^ (i >> 8)))
            T_FAIL("mremap lost contents at %zu", i);
    for (size_t i = old; i < nsz; i++)
        if (n[i] != 0)
            T_FAIL("mremap grown part not zero at %zu", i);
    n[nsz - 1] = 9;
    T_ASSERT(n != m);
    T_CHILD_SEGV(touch_read, m); /* the old range is gone */
    munmap(n, nsz);
    munmap(blocker, pg);
}

T_CASE(mremap_shrink)
{
    char *m = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    m[0] = 5;
    char *n = mremap(m, 8 * pg, 2 * pg, 0);
    T_ASSERT(n == m);
    T_EQ(n[0], 5);
    T_CHILD_SEGV(touch_read, m + 4 * pg);
    T_ERRNO((long)mremap(m + 1, pg, 2 * pg, MREMAP_MAYMOVE), EINVAL);
    munmap(n, 2 * pg);
}

T_CASE(shared_anon_visible_after_fork)
{
    volatile int *m = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    m[0] = 1;
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        m[0] = 1234;
        m[100] = 5678;
        _exit(0);
    }
    T_EXITED(c, 0);
    T_EQ(m[0], 1234);
    T_EQ(m[100], 5678);
    munmap((void *)m, pg);
}

static long status_kb(const char *key)
{
    char b[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    if (n <= 0)
        return -1;
    b[n] = 0;
    char *p = strstr(b, key);
    return p ? atol(p + strlen(key)) : -1;
}

static long vm_rss_kb(void)
{
    return status_kb("VmRSS:");
}

static void touch_bus(void *p) { (void)*(volatile char *)p; }

/* Shared anonymous memory as Linux's (a /dev/zero shmem file): pages are
 * made on first touch, not at mmap (64 MiB mapped leave VmRSS within
 * 1 MiB), a page first touched in a child after fork is the parent's
 * too, /proc/self/maps names it "/dev/zero (deleted)", and growing it
 * with mremap does not grow the file: past the old end is SIGBUS. */
T_CASE(shared_anon_made_on_touch)
{
    size_t len = 64u << 20;
    long before = vm_rss_kb();
    volatile char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    long after = vm_rss_kb();
    if (before < 0 || after - before > 1024)
        T_FAIL("VmRSS %ld kB -> %ld kB after mapping 64 MiB", before, after);
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        m[len / 2] = 42; /* first touch in the child */
        _exit(0);
    }
    T_EXITED(c, 0);
    T_EQ(m[len / 2], 42);
    T_EQ(m[len - 1], 0);

    char maps[16384];
    int fd = open("/proc/self/maps", O_RDONLY);
    T_SYSOK(fd);
    ssize_t n = read(fd, maps, sizeof maps - 1);
    close(fd);
    T_ASSERT(n > 0);
    maps[n] = 0;
    char want[64];
    snprintf(want, sizeof want, "%lx-", (unsigned long)m);
    char *line = strstr(maps, want);
    T_ASSERT(line != NULL);
    char *eol = strchr(line, '\n');
    if (eol)
        *eol = 0;
    if (!strstr(line, "rw-s") || !strstr(line, "/dev/zero (deleted)"))
        T_FAIL("maps line: %s", line);
    T_SYSOK(munmap((void *)m, len));

    /* grown in place by mremap: the file keeps its size */
    char *r = mmap(NULL, 4 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    T_ASSERT(r != MAP_FAILED);
    char *g = mmap(r, 2 * pg, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    T_ASSERT(g == r);
    T_SYSOK(munmap(g + 2 * pg, 2 * pg)); /* room to grow into */
    T_ASSERT(mremap(g, 2 * pg, 4 * pg, 0) == g);
    g[pg] = 1;
    int st = in_child(touch_bus, g + 3 * pg);
    if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS))
        T_FAIL("past the file: child status 0x%x, want SIGBUS", st);
    T_SYSOK(munmap(g, 4 * pg));
}

/* vm.max_map_count bounds the mappings of a process: making every other
 * page of one big mapping writable splits it into ever more mappings,
 * until mprotect says ENOMEM at about that many; a munmap that would
 * split one more fails there too; one munmap takes it all away. (From
 * the top down, so each split finds its mapping at once.) */
T_CASE(max_map_count_bounds_mappings)
{
    char t[32] = { 0 };
    int fd = open("/proc/sys/vm/max_map_count", O_RDONLY);
    T_SYSOK(fd);
    T_ASSERT(read(fd, t, sizeof t - 1) > 0);
    close(fd);
    long max = atol(t);
    if (max <= 0 || max > 200000) {
        t_emit("INFO mem: max_map_count %ld: not tried", max);
        return;
    }
    long npages = 2 * max + 64;
    char *m = mmap(NULL, (size_t)npages * pg, PROT_READ,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    long splits = 0;
    int e = 0;
    for (long i = npages - 2; i > 2; i -= 2, splits++) {
        if (mprotect(m + i * pg, pg, PROT_READ | PROT_WRITE)) {
            e = errno;
            break;
        }
    }
    T_EQ(e, ENOMEM);
    if (splits < max / 2 - 200 || splits > max / 2 + 200)
        T_FAIL("%ld splits before ENOMEM, max_map_count %ld", splits, max);
    errno = 0;
    if (munmap(m + pg, pg) != -1 || errno != ENOMEM)
        T_FAIL("munmap splitting at the limit: errno %d", errno);
    T_SYSOK(munmap(m, (size_t)npages * pg));
}

/* mlock as Linux's: the pages are faulted in (mincore says resident)
 * and counted in VmLck; RLIMIT_MEMLOCK bounds it without CAP_IPC_LOCK
 * (ENOMEM past it, EPERM at 0), munlock gives it back, mlockall counts
 * every mapping, and a child does not inherit the locks. */
T_CASE(mlock_faults_in_counts_and_limits)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        struct rlimit rl = { 1 << 20, 1 << 20 };
        unsigned char vec[128];
        int bad = 0;
        if (setgid(65534) || setuid(65534) || setrlimit(RLIMIT_MEMLOCK, &rl))
            _exit(90);
        char *a = mmap(NULL, 512 << 10, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        char *b = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (a == MAP_FAILED || b == MAP_FAILED)
            _exit(91);
        bad |= mlock(a, 512 << 10) != 0;
        bad |= (mincore(a, 512 << 10, vec) != 0 || !vec[0] || !vec[127]) << 1;
        bad |= (status_kb("VmLck:") != 512) << 2;
        bad |= !(mlock(b, 1 << 20) == -1 && errno == ENOMEM) << 3;
        bad |= (munlock(a, 512 << 10) != 0 || status_kb("VmLck:") != 0) << 4;
        bad |= (mlock(b, 1 << 20) != 0 || status_kb("VmLck:") != 1024) << 5;
        pid_t g = fork();
        if (g == 0)
            _exit(status_kb("VmLck:") == 0 ? 0 : 1);
        int st;
        bad |= (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st)) << 6;
        bad |= !(mlockall(MCL_CURRENT) == -1 && errno == ENOMEM) << 7;
        bad |= (munlockall() != 0 || status_kb("VmLck:") != 0) << 8;
        bad |= !(mlock((void *)4096, 4096) == -1 && errno == ENOMEM) << 11;
        rl.rlim_cur = rl.rlim_max = 0;
        bad |= (setrlimit(RLIMIT_MEMLOCK, &rl) != 0) << 9;
        bad |= !(mlock(a, 4096) == -1 && errno == EPERM) << 10;
        if (bad)
            dprintf(2, "mlock: bad %#x\n", bad);
        _exit(bad ? 1 : 0);
    }
    T_EXITED(c, 0);
}

T_CASE(private_anon_cow_after_fork)
{
    size_t len = 16 * pg;
    volatile int *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    m[0] = 1;
    m[len / sizeof(int) - 1] = 2;
    int p[2];
    T_SYSOK(pipe(p));
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        char b;
        int ok = m[0] == 1;
        m[0] = 99;
        m[len / sizeof(int) - 1] = 98;
        /* wait for the parent to write, then check we still see ours */
        close(p[1]);
        if (read(p[0], &b, 1) != 0)
            _exit(3);
        _exit(ok && m[0] == 99 && m[len / sizeof(int) - 1] == 98 ? 0 : 1);
    }
    close(p[0]);
    m[0] = 7; /* parent writes after fork too */
    close(p[1]);
    T_EXITED(c, 0);
    T_EQ(m[0], 7);
    T_EQ(m[len / sizeof(int) - 1], 2);
    munmap((void *)m, len);
}

T_CASE(cow_data_and_stack)
{
    static int data_var = 5;
    volatile int stack_var = 6;
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        data_var = 50;
        stack_var = 60;
        _exit(data_var == 50 && stack_var == 60 ? 0 : 1);
    }
    T_EXITED(c, 0);
    T_EQ(data_var, 5);
    T_EQ(stack_var, 6);
}

T_CASE(madvise_dontneed_zeroes)
{
    char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    memset(m, 0x77, 4 * pg);
    T_SYSOK(madvise(m + pg, 2 * pg, MADV_DONTNEED));
    T_EQ(m[0], 0x77);
    T_EQ(m[pg], 0);
    T_EQ(m[3 * pg - 1], 0);
    T_EQ(m[3 * pg], 0x77);
    m[pg] = 3; /* still mapped and writable */
    T_EQ(m[pg], 3);
    T_ERRNO(madvise(m + 1, pg, MADV_DONTNEED), EINVAL);
    T_SYSOK(madvise(m, 4 * pg, MADV_NORMAL));
    munmap(m, 4 * pg);
}

static char scratch_file[64];

T_CASE(file_mmap_private)
{
    snprintf(scratch_file, sizeof scratch_file, "/tmp/t_mem.%d", (int)getpid());
    int fd = open(scratch_file, O_RDWR | O_CREAT | O_TRUNC, 0600);
    T_SYSOK(fd);
    size_t len = 2 * pg + 100;
    char *buf = malloc(len);
    T_ASSERT(buf);
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)('a' + i % 26);
    T_EQ(write(fd, buf, len), (long)len);
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    T_ASSERT(m != MAP_FAILED);
    T_ASSERT(memcmp(m, buf, len) == 0);
    /* the tail of the last page past EOF reads as zero */
    for (size_t i = len; i < 3 * pg; i++)
        if (m[i] != 0)
            T_FAIL("past-EOF byte %zu not zero", i);
    /* private writes do not reach the file */
    m[0] = 'Z';
    char c0;
    T_EQ(pread(fd, &c0, 1, 0), 1);
    T_EQ(c0, 'a');
    munmap(m, len);
    /* mapping at an offset */
    m = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, (off_t)pg);
    T_ASSERT(m != MAP_FAILED);
    T_ASSERT(memcmp(m, buf + pg, pg) == 0);
    munmap(m, pg);
    free(buf);
    close(fd);
}

T_CASE(file_mmap_shared_writes_back)
{
    int fd = open(scratch_file, O_RDWR | O_CREAT | O_TRUNC, 0600);
    T_SYSOK(fd);
    T_SYSOK(ftruncate(fd, (off_t)pg));
    char *m = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    T_ASSERT(m != MAP_FAILED);
    memcpy(m + 10, "shared!", 7);
    char b[8] = { 0 };
    T_EQ(pread(fd, b, 7, 10), 7);
    T_STREQ(b, "shared!");
    T_EQ(pwrite(fd, "XY", 2, 20), 2);
    T_EQ(m[20], 'X');
    munmap(m, pg);
    close(fd);
}

T_CASE(file_mmap_errors)
{
    int fd = open(scratch_file, O_RDONLY);
    T_SYSOK(fd);
    errno = 0;
    /* shared writable mapping of a read-only fd */
    T_ASSERT(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED);
    T_EQ(errno, EACCES);
    close(fd);
    int dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
    T_SYSOK(dfd);
    errno = 0;
    T_ASSERT(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, dfd, 0) == MAP_FAILED);
    T_EQ(errno, ENODEV);
    close(dfd);
    unlink(scratch_file);
}

T_CASE(mmap_huge_enomem)
{
    /* 64 TiB (1<<46) may or may not be granted on Linux (it depends on the
     * overcommit policy), so it only must not crash.  128 TiB (1<<47) is the
     * whole 47-bit user half and can never fit: ENOMEM. */
    void *m = mmap(NULL, 1UL << 46, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m != MAP_FAILED)
        munmap(m, 1UL << 46);
    errno = 0;
    m = mmap(NULL, 1UL << 47, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    int e = errno;
    T_ASSERT(m == MAP_FAILED);
    T_EQ(e, ENOMEM);
    errno = 0;
    m = mmap(NULL, SIZE_MAX & ~(pg - 1), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    e = errno;
    T_ASSERT(m == MAP_FAILED);
    T_EQ(e, ENOMEM);
}

T_CASE(prot_none_then_enable)
{
    char *m = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    T_CHILD_SEGV(touch_read, m);
    T_SYSOK(mprotect(m, pg, PROT_READ | PROT_WRITE));
    T_EQ(m[5], 0);
    m[5] = 1;
    munmap(m, pg);
}

T_CASE(many_small_mappings)
{
    enum { N = 256 };
    static char *maps[N];
    for (int i = 0; i < N; i++) {
        maps[i] = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        T_ASSERT(maps[i] != MAP_FAILED);
        maps[i][0] = (char)i;
    }
    for (int i = 0; i < N; i++) {
        T_EQ(maps[i][0], (char)i);
        T_SYSOK(munmap(maps[i], pg));
    }
}

T_CASE(malloc_large_and_free)
{
    for (int r = 0; r < 20; r++) {
        size_t sz = (size_t)(r + 1) * 100000;
        unsigned char *p = malloc(sz);
        T_ASSERT(p);
        memset(p, r, sz);
        T_EQ(p[sz - 1], r);
        free(p);
    }
}

/* remap_file_pages(2) (Linux emulates it with a fixed mmap): a page of a
 * shared file mapping shows another page of the file, both ways. */
T_CASE(remap_file_pages_shows_another_page)
{
    char path[64];
    long pg = 4096;
    snprintf(path, sizeof path, "/tmp/t_mem_remap.%d", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    T_SYSOK(fd);
    unlink(path);
    for (int i = 0; i < 4; i++) {
        char b[4096];
        memset(b, 'a' + i, sizeof b);
        T_EQ(write(fd, b, sizeof b), (ssize_t)sizeof b);
    }
    char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    T_ASSERT(m != MAP_FAILED);
    T_EQ(m[0], 'a');
    T_SYSOK(syscall(SYS_remap_file_pages, m, pg, 0, 3, 0));
    T_EQ(m[0], 'd');
    T_EQ(m[pg], 'b');
    T_EQ(m[3 * pg], 'd');
    m[10] = 'X'; /* lands in file page 3 */
    char c = 0;
    T_EQ(pread(fd, &c, 1, 3 * pg + 10), 1);
    T_EQ(c, 'X');
    /* Refused: a range running past the mapping with nothing adjoining,
     * prot != 0, a private mapping. */
    T_ERRNO(syscall(SYS_remap_file_pages, m + 3 * pg, 2 * pg, 0, 0, 0), EINVAL);
    T_ERRNO(syscall(SYS_remap_file_pages, m, pg, PROT_READ, 1, 0), EINVAL);
    /* Flags other than MAP_NONBLOCK are ignored, as Linux does. */
    T_SYSOK(syscall(SYS_remap_file_pages, m + pg, pg, 0, 2, 1));
    T_EQ(m[pg], 'c');
    char *p = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0);
    T_ASSERT(p != MAP_FAILED);
    T_ERRNO(syscall(SYS_remap_file_pages, p, pg, 0, 1, 0), EINVAL);
    munmap(p, pg);
    munmap(m, 4 * pg);
    close(fd);
}

/* /proc/self/pagemap (Linux's pagemap.rst): bit 63 present, 0-54 the
 * frame number (CAP_SYS_ADMIN only, else 0), 55 soft-dirty (every page
 * of a new VMA, if the kernel tracks it), 56 mapped once, 61 a file or shared-memory page; holes
 * 0; offsets and lengths in whole entries. */
static uint64_t pm_entry(int fd, const void *addr)
{
    uint64_t e = ~0ull;
    if (pread(fd, &e, 8, (off_t)((uintptr_t)addr / pg * 8)) != 8)
        return ~0ull;
    return e;
}

static int has_cap_sys_admin(void)
{
    char buf[4096], *p;
    int fd = open("/proc/self/status", O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    p = strstr(buf, "CapEff:\t");
    return p && (strtoull(p + 8, NULL, 16) >> 21 & 1);
}

#define PM_PRESENT (1ull << 63)
#define PM_FILE (1ull << 61)
#define PM_EXCL (1ull << 56)
#define PM_SOFT_DIRTY (1ull << 55)
#define PM_PFN ((1ull << 55) - 1)

T_CASE(pagemap_shows_pages)
{
    int fd = open("/proc/self/pagemap", O_RDONLY);
    char *a, *s, *f;
    uint64_t e;
    int tfd;

    T_SYSOK(fd);
    a = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(a != MAP_FAILED);
    a[0] = 1;
    a[2 * pg] = 1;
    e = pm_entry(fd, a);
    T_ASSERT(e & PM_PRESENT);
    T_ASSERT(e & PM_EXCL);
    T_ASSERT(!(e & PM_FILE));
    /* Soft-dirty exists with CONFIG_MEM_SOFT_DIRTY (Debian's kernels,
     * and this one): then every page of the new VMA has it. */
    uint64_t sd = e & PM_SOFT_DIRTY;
    if (has_cap_sys_admin())
        T_ASSERT((e & PM_PFN) != 0);
    else
        T_EQ(e & PM_PFN, 0);
    e = pm_entry(fd, a + pg); /* in the VMA, never touched */
    T_EQ(e, sd);
    T_ASSERT(pm_entry(fd, a + 2 * pg) & PM_PRESENT);
    T_SYSOK(munmap(a + 3 * pg, pg));
    T_EQ(pm_entry(fd, a + 3 * pg), 0); /* a hole */

    /* After fork the page is shared copy-on-write: mapped twice. */
    pid_t c = t_fork();
    if (c == 0) {
        uint64_t ce = pm_entry(fd, a);
        _exit((ce & PM_PRESENT) && !(ce & PM_EXCL) ? 0 : 1);
    }
    T_EXITED(c, 0);

    /* Shared anonymous memory and a shared file page are file pages;
     * a private copy of a file page is not. */
    s = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(s != MAP_FAILED);
    s[0] = 1;
    T_ASSERT((pm_entry(fd, s) & (PM_PRESENT | PM_FILE)) == (PM_PRESENT | PM_FILE));
    tfd = open("/tmp/t_mem.pagemap", O_RDWR | O_CREAT | O_TRUNC, 0600);
    T_SYSOK(tfd);
    T_SYSOK(ftruncate(tfd, (off_t)pg));
    f = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, tfd, 0);
    T_ASSERT(f != MAP_FAILED);
    T_ASSERT(f[0] == 0);
    T_ASSERT((pm_entry(fd, f) & (PM_PRESENT | PM_FILE)) == (PM_PRESENT | PM_FILE));
    f[0] = 1; /* now a private copy */
    e = pm_entry(fd, f);
    T_ASSERT((e & PM_PRESENT) && !(e & PM_FILE));

    /* Whole entries only. */
    T_ERRNO(pread(fd, &e, 8, 4), EINVAL);
    T_ERRNO(pread(fd, &e, 4, 0), EINVAL);
    /* Past the last user page: nothing. */
    T_EQ(pread(fd, &e, 8, (off_t)(0x800000000000ull / pg * 8)), 0);

    munmap(a, 3 * pg);
    munmap(s, pg);
    munmap(f, pg);
    close(tfd);
    unlink("/tmp/t_mem.pagemap");
    close(fd);
}

/* Another user may not read a root process's pagemap (ptrace access). */
T_CASE(pagemap_needs_ptrace_access)
{
    char path[64];
    pid_t c;

    snprintf(path, sizeof path, "/proc/%d/pagemap", (int)getpid());
    c = t_fork();
    if (c == 0) {
        if (setgid(65534) || setuid(65534))
            _exit(90);
        int fd = open(path, O_RDONLY);
        _exit(fd < 0 && errno == EACCES ? 0 : 1);
    }
    T_EXITED(c, 0);
}

int main(void)
{
    pg = (size_t)sysconf(_SC_PAGESIZE);
    t_init("mem");
    T_RUN(brk_grow_shrink);
    T_RUN(pagemap_shows_pages);
    T_RUN(pagemap_needs_ptrace_access);
    T_RUN(brk_shrunk_area_faults);
    T_RUN(brk_absurd_fails_unchanged);
    T_RUN(mmap_anon_rw_1mib);
    T_RUN(mmap_hint_nonfixed);
    T_RUN(munmap_then_touch_segv);
    T_RUN(mprotect_readonly_write_segv);
    T_RUN(mprotect_errors);
    T_RUN(map_fixed_replaces_with_zeros);
    T_RUN(map_fixed_noreplace);
    T_RUN(mmap_einval_cases);
    T_RUN(munmap_einval_cases);
    T_RUN(mremap_grow_maymove);
    T_RUN(mremap_shrink);
    T_RUN(shared_anon_visible_after_fork);
    T_RUN(private_anon_cow_after_fork);
    T_RUN(cow_data_and_stack);
    T_RUN(madvise_dontneed_zeroes);
    T_RUN(file_mmap_private);
    T_RUN(file_mmap_shared_writes_back);
    T_RUN(file_mmap_errors);
    T_RUN(mmap_huge_enomem);
    T_RUN(prot_none_then_enable);
    T_RUN(many_small_mappings);
    T_RUN(malloc_large_and_free);
    T_RUN(remap_file_pages_shows_another_page);
    T_RUN(shared_anon_made_on_touch);
    T_RUN(max_map_count_bounds_mappings);
    T_RUN(mlock_faults_in_counts_and_limits);
    return t_done();
}
