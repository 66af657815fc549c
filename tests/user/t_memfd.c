/* t_memfd.c: memfd_create(2) and file sealing (fcntl F_ADD_SEALS).
 *
 * A memfd is an anonymous tmpfs file: read, written, truncated, mapped
 * and shared with a child as any file; /proc/self/fd names it
 * "/memfd:NAME (deleted)". Seals forbid from then on what they name, to
 * every descriptor and mapping; F_SEAL_WRITE waits for no shared
 * writable mapping. Every expectation is Linux's; passes on Linux too. */
#include "t.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#define TMPFS_MAGIC 0x01021994

static int memfd(const char *name, unsigned flags)
{
    return (int)syscall(SYS_memfd_create, name, flags);
}

T_CASE(create_write_read_map_and_share)
{
    char buf[32] = { 0 }, link[128] = { 0 }, path[64];
    struct stat st;
    struct statfs sf;
    int fd;

    T_SYSOK(fd = memfd("t_memfd", 0));
    T_SYSOK(fstat(fd, &st));
    T_ASSERT(S_ISREG(st.st_mode));
    T_EQ(st.st_nlink, 0);
    T_EQ(st.st_size, 0);
    T_SYSOK(fstatfs(fd, &sf));
    T_EQ(sf.f_type, TMPFS_MAGIC);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    T_ASSERT(readlink(path, link, sizeof link - 1) > 0);
    T_ASSERT(strcmp(link, "/memfd:t_memfd (deleted)") == 0);
    T_EQ(fcntl(fd, F_GETFD), 0);
    T_EQ(write(fd, "hello memfd", 11), 11);
    T_EQ(pread(fd, buf, sizeof buf, 0), 11);
    T_ASSERT(memcmp(buf, "hello memfd", 11) == 0);
    T_SYSOK(ftruncate(fd, 8192));
    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    T_ASSERT(m != MAP_FAILED);
    T_ASSERT(memcmp(m, "hello memfd", 11) == 0);
    pid_t c = fork();
    if (c == 0) {
        memcpy(m + 4096, "from child", 10);
        _exit(0);
    }
    int ws;
    T_SYSOK(waitpid(c, &ws, 0));
    T_EQ(pread(fd, buf, 10, 4096), 10);
    T_ASSERT(memcmp(buf, "from child", 10) == 0);
    /* /proc/self/maps names the mapping as the link (reading it once
     * crashed the kernel: a file in no directory) */
    char maps[16384], want[32];
    int mfd = open("/proc/self/maps", O_RDONLY);
    T_SYSOK(mfd);
    ssize_t n = read(mfd, maps, sizeof maps - 1);
    close(mfd);
    T_ASSERT(n > 0);
    maps[n] = 0;
    snprintf(want, sizeof want, "%lx-", (unsigned long)m);
    char *line = strstr(maps, want), *eol;
    T_ASSERT(line != NULL);
    if ((eol = strchr(line, '\n')))
        *eol = 0;
    if (!strstr(line, " /memfd:t_memfd (deleted)"))
        T_FAIL("maps line: %s", line);
    munmap(m, 8192);
    close(fd);
    /* Flags. */
    T_SYSOK(fd = memfd("x", MFD_CLOEXEC));
    T_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    close(fd);
}

T_CASE(bad_arguments)
{
    char name[300];
    memset(name, 'n', sizeof name);
    name[sizeof name - 1] = 0;
    T_ERRNO(memfd(name, 0), EINVAL);       /* over 249 bytes */
    name[249] = 0;
    int fd = memfd(name, 0);
    T_ASSERT(fd >= 0);
    close(fd);
    T_ERRNO(memfd("x", 0x100), EINVAL);
    T_ERRNO(syscall(SYS_memfd_create, (void *)8, 0), EFAULT);
}

T_CASE(seals_without_allow_sealing)
{
    int fd;
    T_SYSOK(fd = memfd("s", 0));
    T_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL);
    T_ERRNO(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
    close(fd);
    /* Not a tmpfs file: no seals at all (the test's / may be tmpfs,
     * /proc is not). */
    T_SYSOK(fd = open("/proc/self/status", O_RDONLY));
    T_ERRNO(fcntl(fd, F_GET_SEALS), EINVAL);
    close(fd);
}

T_CASE(seal_shrink_grow_write)
{
    int fd;
    T_SYSOK(fd = memfd("g", MFD_ALLOW_SEALING));
    T_EQ(fcntl(fd, F_GET_SEALS), 0);
    T_SYSOK(ftruncate(fd, 4096));
    T_SYSOK(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW));
    T_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW);
    T_ERRNO(ftruncate(fd, 100), EPERM);
    T_ERRNO(ftruncate(fd, 8192), EPERM);
    T_SYSOK(ftruncate(fd, 4096));               /* same size: fine */
    T_EQ(pwrite(fd, "ab", 2, 10), 2);          /* inside: fine */
    T_EQ(pwrite(fd, "ab", 2, 4095), 1);         /* stops at the end */
    T_ERRNO(pwrite(fd, "ab", 2, 4096), EPERM);  /* would grow */
    T_ERRNO(fallocate(fd, 0, 0, 8192), EPERM);
    T_SYSOK(fallocate(fd, 0, 0, 4096));
    T_ERRNO(fcntl(fd, F_ADD_SEALS, 0x100), EINVAL);
    /* Adding needs a descriptor open for writing: one reopened
     * read-only through /proc may only look. */
    char path[64];
    int ro;
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    T_SYSOK(ro = open(path, O_RDONLY));
    T_ERRNO(fcntl(ro, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
    T_EQ(fcntl(ro, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW);
    close(ro);
    /* F_SEAL_WRITE waits for the shared writable mapping to go. */
    char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    T_ASSERT(m != MAP_FAILED);
    T_ERRNO(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
    munmap(m, 4096);
    T_SYSOK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SEAL));
    T_ERRNO(write(fd, "x", 1), EPERM);
    T_ERRNO(pwrite(fd, "x", 1, 0), EPERM);
    T_ASSERT(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
             errno == EPERM);
    m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    T_ASSERT(m != MAP_FAILED);
    T_ERRNO(mprotect(m, 4096, PROT_READ | PROT_WRITE), EACCES);
    munmap(m, 4096);
    /* A private mapping may still be written: it is a copy. */
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    T_ASSERT(m != MAP_FAILED);
    m[0] = 'z';
    munmap(m, 4096);
    T_ERRNO(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), EPERM); /* sealed seals */
    close(fd);
}

T_CASE(seal_future_write_keeps_existing_mapping)
{
    int fd;
    T_SYSOK(fd = memfd("f", MFD_ALLOW_SEALING));
    T_SYSOK(ftruncate(fd, 4096));
    T_SYSOK(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
    T_ERRNO(write(fd, "x", 1), EPERM);
    T_ASSERT(mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
             errno == EPERM);
    char *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    T_ASSERT(m != MAP_FAILED);
    munmap(m, 4096);
    T_SYSOK(ftruncate(fd, 100)); /* size is not sealed */
    close(fd);
}

int main(void)
{
    t_init("memfd");
    T_RUN(create_write_read_map_and_share);
    T_RUN(bad_arguments);
    T_RUN(seals_without_allow_sealing);
    T_RUN(seal_shrink_grow_write);
    T_RUN(seal_future_write_keeps_existing_mapping);
    return t_done();
}
