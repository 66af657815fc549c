/* t_badptr.c: wild pointers, absurd lengths, malformed executables and
 * resource exhaustion must fail cleanly (an errno, or a signal to the
 * offending process only), never crash or wedge the kernel.
 *
 * Raw syscall() is used wherever libc might check or touch the pointer
 * itself. */
#include "t.h"

#include <elf.h>
#include <poll.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <ucontext.h>

#define KADDR ((void *)0xffff800000000000ULL)   /* start of the kernel half */
#define KADDR2 ((void *)0xffffffff81000000ULL)  /* a typical kernel text address */
#define VSYSCALL ((void *)0xffffffffff600000ULL)
#define NONCANON ((void *)0x0000800000000000ULL) /* first non-canonical address */
#define LOWADDR ((void *)0x1)

static char *self_path;
static char tmpdir[64];
static size_t pg;

static const char *TP(const char *name)
{
    static char bufs[4][256];
    static int i;
    char *b = bufs[i++ & 3];
    snprintf(b, 256, "%s/%s", tmpdir, name);
    return b;
}

/* Exec path in a child; returns errno from the failed execve (or 1000 +
 * exit status if it somehow ran, or 2000 + signal). */
static int exec_errno(const char *path)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    pid_t c = t_fork();
    if (c < 0)
        return -1;
    if (c == 0) {
        char *av[] = { (char *)path, NULL };
        char *ev[] = { NULL };
        execve(path, av, ev);
        int e = errno;
        ssize_t w = write(p[1], &e, sizeof e);
        (void)w;
        _exit(0);
    }
    close(p[1]);
    int e = 0;
    ssize_t n = read(p[0], &e, sizeof e);
    close(p[0]);
    int st;
    waitpid(c, &st, 0);
    if (n == (ssize_t)sizeof e)
        return e;
    if (WIFEXITED(st))
        return 1000 + WEXITSTATUS(st);
    return 2000 + WTERMSIG(st);
}

static int copy_prefix(const char *src, const char *dst, size_t maxlen, mode_t mode)
{
    int in = open(src, O_RDONLY);
    if (in < 0)
        return -1;
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (out < 0) {
        close(in);
        return -1;
    }
    static char buf[65536];
    size_t done = 0;
    ssize_t n;
    while (done < maxlen && (n = read(in, buf, sizeof buf)) > 0) {
        size_t k = (size_t)n;
        if (k > maxlen - done)
            k = maxlen - done;
        if (write(out, buf, k) != (ssize_t)k) {
            close(in);
            close(out);
            return -1;
        }
        done += k;
    }
    close(in);
    close(out);
    return chmod(dst, mode);
}

T_CASE(write_bad_buf_efault)
{
    int p[2];
    T_SYSOK(pipe(p));
    T_ERRNO(syscall(SYS_write, p[1], LOWADDR, 10), EFAULT);
    T_ERRNO(syscall(SYS_write, p[1], KADDR, 10), EFAULT);
    T_ERRNO(syscall(SYS_write, p[1], NONCANON, 10), EFAULT);
    T_ERRNO(syscall(SYS_write, p[1], NULL, 10), EFAULT);
    /* nothing was written */
    T_SYSOK(fcntl(p[0], F_SETFL, O_NONBLOCK));
    char b[4];
    T_ERRNO(read(p[0], b, sizeof b), EAGAIN);
    close(p[0]);
    close(p[1]);
}

T_CASE(read_bad_buf_efault)
{
    int p[2];
    T_SYSOK(pipe(p));
    T_EQ(write(p[1], "data", 4), 4);
    T_ERRNO(syscall(SYS_read, p[0], LOWADDR, 4), EFAULT);
    T_ERRNO(syscall(SYS_read, p[0], KADDR2, 4), EFAULT);
    close(p[0]);
    close(p[1]);
    int z = open("/dev/zero", O_RDONLY);
    T_SYSOK(z);
    T_ERRNO(syscall(SYS_read, z, KADDR, 4096), EFAULT);
    T_ERRNO(syscall(SYS_read, z, LOWADDR, 1), EFAULT);
    close(z);
}

T_CASE(read_range_past_user_half_efault)
{
    /* buf valid, but buf+count runs past the 47-bit user half */
    char buf[16];
    int z = open("/dev/zero", O_RDONLY);
    T_SYSOK(z);
    T_ERRNO(syscall(SYS_read, z, buf, 1UL << 47), EFAULT);
    T_ERRNO(syscall(SYS_read, z, buf, SIZE_MAX), EFAULT);
    close(z);
}

T_CASE(partial_buffer_no_crash)
{
    /* buffer runs from a mapped page into a PROT_NONE page */
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    T_SYSOK(mprotect(m + pg, pg, PROT_NONE));
    memset(m, 'q', pg);
    int fd = open(TP("partial"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    T_SYSOK(fd);
    errno = 0;
    long r = syscall(SYS_write, fd, m + pg - 10, 100);
    int e = errno;
    /* Linux writes the accessible part (10) or fails with EFAULT */
    if (!(r == 10 || (r == -1 && e == EFAULT)))
        T_FAIL("write across PROT_NONE: got %ld errno=%d %s", r, e, t_errname(e));
    int z = open("/dev/zero", O_RDONLY);
    errno = 0;
    r = syscall(SYS_read, z, m + pg - 10, 100);
    e = errno;
    if (!((r >= 0 && r <= 10) || (r == -1 && e == EFAULT)))
        T_FAIL("read across PROT_NONE: got %ld errno=%d %s", r, e, t_errname(e));
    close(z);
    close(fd);
    munmap(m, 2 * pg);
}

T_CASE(path_bad_pointer_efault)
{
    T_ERRNO(syscall(SYS_open, LOWADDR, O_RDONLY), EFAULT);
    T_ERRNO(syscall(SYS_open, KADDR, O_RDONLY), EFAULT);
    T_ERRNO(syscall(SYS_openat, AT_FDCWD, NULL, O_RDONLY), EFAULT);
    struct stat st;
    T_ERRNO(syscall(SYS_stat, NULL, &st), EFAULT);
    T_ERRNO(syscall(SYS_lstat, KADDR, &st), EFAULT);
    T_ERRNO(syscall(SYS_mkdir, LOWADDR, 0755), EFAULT);
    T_ERRNO(syscall(SYS_unlink, KADDR), EFAULT);
    T_ERRNO(syscall(SYS_chdir, NULL), EFAULT);
    T_ERRNO(syscall(SYS_access, NONCANON, F_OK), EFAULT);
    T_ERRNO(syscall(SYS_rename, LOWADDR, "/tmp/x"), EFAULT);
    T_ERRNO(syscall(SYS_symlink, "/tmp/x", KADDR), EFAULT);
    char b[16];
    T_ERRNO(syscall(SYS_readlink, NULL, b, sizeof b), EFAULT);
}

T_CASE(path_unterminated_at_page_end)
{
    /* a path string running into an unmapped page: EFAULT, not a crash */
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    T_SYSOK(munmap(m + pg, pg));
    memset(m, 'a', pg);
    T_ERRNO(syscall(SYS_open, m + pg - 5, O_RDONLY), EFAULT);
    /* 4096 non-NUL bytes then the hole: PATH_MAX is hit first */
    T_ERRNO(syscall(SYS_open, m, O_RDONLY), ENAMETOOLONG);
    munmap(m, pg);
}

T_CASE(stat_bad_statbuf_efault)
{
    T_ERRNO(syscall(SYS_stat, "/", NULL), EFAULT);
    T_ERRNO(syscall(SYS_stat, "/", KADDR), EFAULT);
    T_ERRNO(syscall(SYS_fstat, 0, LOWADDR), EFAULT);
}

T_CASE(clock_gettime_bad_ptr_efault)
{
    T_ERRNO(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, KADDR), EFAULT);
    T_ERRNO(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, VSYSCALL), EFAULT);
    T_ERRNO(syscall(SYS_clock_gettime, CLOCK_REALTIME, NULL), EFAULT);
    T_ERRNO(syscall(SYS_gettimeofday, KADDR, NULL), EFAULT);
    T_ERRNO(syscall(SYS_nanosleep, LOWADDR, NULL), EFAULT);
    T_ERRNO(syscall(SYS_clock_getres, CLOCK_MONOTONIC, KADDR), EFAULT);
}

T_CASE(uname_bad_ptr_efault)
{
    T_ERRNO(syscall(SYS_uname, KADDR), EFAULT);
    T_ERRNO(syscall(SYS_uname, NULL), EFAULT);
    T_ERRNO(syscall(SYS_uname, NONCANON), EFAULT);
}

T_CASE(misc_out_ptr_efault)
{
    T_ERRNO(syscall(SYS_pipe2, KADDR, 0), EFAULT);
    T_ERRNO(syscall(SYS_pipe2, NULL, 0), EFAULT);
    T_ERRNO(syscall(SYS_getcwd, KADDR, 4096), EFAULT);
    T_ERRNO(syscall(SYS_getrandom, KADDR, 16, 0), EFAULT);
    T_ERRNO(syscall(SYS_sigaltstack, KADDR, NULL), EFAULT);
    T_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, KADDR, NULL, 8), EFAULT);
    T_ERRNO(syscall(SYS_rt_sigpending, KADDR, 8), EFAULT);
    T_ERRNO(syscall(SYS_setitimer, ITIMER_REAL, KADDR, NULL), EFAULT);
    T_ERRNO(syscall(SYS_times, KADDR), EFAULT);
    T_ERRNO(syscall(SYS_getrlimit, RLIMIT_NOFILE, KADDR), EFAULT);
    struct pollfd *bad = KADDR;
    T_ERRNO(syscall(SYS_poll, bad, 1, 0), EFAULT);
    T_ERRNO(syscall(SYS_select, 1, KADDR, NULL, NULL, NULL), EFAULT);
    T_ERRNO(syscall(SYS_futex, LOWADDR, 0 /* FUTEX_WAIT */, 0, NULL, NULL, 0), EINVAL); /* unaligned */
    T_ERRNO(syscall(SYS_futex, (void *)0x1000, 0 /* FUTEX_WAIT */, 0, NULL, NULL, 0), EFAULT);
    T_ERRNO(syscall(SYS_futex, KADDR, 0 /* FUTEX_WAIT */, 0, NULL, NULL, 0), EFAULT);
}

T_CASE(wait4_bad_status_efault)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0)
        _exit(0);
    T_ERRNO(syscall(SYS_wait4, c, KADDR, 0, NULL), EFAULT);
    /* the child was consumed or is still there; either way clean up */
    waitpid(c, NULL, 0);
}

T_CASE(getdents_partial_buffer)
{
    T_SYSOK(mkdir(TP("gd"), 0755));
    for (int i = 0; i < 60; i++) {
        char n[80];
        snprintf(n, sizeof n, "gd/a_rather_long_file_name_number_%03d", i);
        int fd = open(TP(n), O_WRONLY | O_CREAT, 0644);
        T_SYSOK(fd);
        close(fd);
    }
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(m != MAP_FAILED);
    T_SYSOK(mprotect(m + pg, pg, PROT_NONE));
    int fd = open(TP("gd"), O_RDONLY | O_DIRECTORY);
    T_SYSOK(fd);
    /* count 8192 but only the first page is writable */
    errno = 0;
    long r = syscall(SYS_getdents64, fd, m, 8192);
    int e = errno;
    if (!((r > 0 && r <= (long)pg) || (r == -1 && e == EFAULT)))
        T_FAIL("getdents64 into half-mapped buffer: %ld errno=%d %s", r, e, t_errname(e));
    /* buffer entirely in the kernel half (rewind so there is something to return) */
    T_EQ(lseek(fd, 0, SEEK_SET), 0);
    T_ERRNO(syscall(SYS_getdents64, fd, KADDR, 8192), EFAULT);
    close(fd);
    munmap(m, 2 * pg);
}

T_CASE(rt_sigaction_bad_sigsetsize)
{
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        uint64_t mask;
    } ksa;
    memset(&ksa, 0, sizeof ksa);
    ksa.handler = SIG_IGN;
    T_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, &ksa, NULL, 4), EINVAL);
    T_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, &ksa, NULL, 16), EINVAL);
    T_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, KADDR, NULL, 8), EFAULT);
    T_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, NULL, KADDR, 8), EFAULT);
    T_SYSOK(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &ksa, 8));
}

T_CASE(writev_bad_iov_efault)
{
    int fd = open("/dev/null", O_WRONLY);
    T_SYSOK(fd);
    struct iovec iov[2] = { { "ok", 2 }, { KADDR, 10 } };
    T_ERRNO(syscall(SYS_writev, fd, iov, 2), EFAULT);
    T_ERRNO(syscall(SYS_writev, fd, KADDR, 1), EFAULT);
    int rd = open("/dev/zero", O_RDONLY);
    T_ERRNO(syscall(SYS_readv, rd, LOWADDR, 1), EFAULT);
    close(rd);
    /* a length that overflows ssize_t in total */
    struct iovec big[2] = { { "a", SIZE_MAX / 2 + 1 }, { "b", 1 } };
    T_ERRNO(syscall(SYS_writev, fd, big, 2), EINVAL);
    close(fd);
    int p[2];
    T_SYSOK(pipe(p));
    struct iovec piov[1] = { { KADDR, 10 } };
    T_ERRNO(syscall(SYS_writev, p[1], piov, 1), EFAULT);
    close(p[0]);
    close(p[1]);
}

T_CASE(mmap_absurd_length)
{
    errno = 0;
    long r = syscall(SYS_mmap, NULL, SIZE_MAX, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int e = errno;
    if (!(r == -1 && (e == ENOMEM || e == EINVAL)))
        T_FAIL("mmap(SIZE_MAX): %ld errno=%d %s", r, e, t_errname(e));
    T_ERRNO(syscall(SYS_mmap, NULL, 1UL << 48, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
    /* MAP_FIXED into the kernel half */
    errno = 0;
    r = syscall(SYS_mmap, KADDR, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    e = errno;
    if (!(r == -1 && (e == ENOMEM || e == EINVAL || e == EPERM)))
        T_FAIL("mmap(MAP_FIXED kernel): %ld errno=%d %s", r, e, t_errname(e));
    T_ERRNO(syscall(SYS_munmap, KADDR, pg), EINVAL);
    T_ERRNO(syscall(SYS_mprotect, KADDR, pg, PROT_READ), ENOMEM);
    T_ERRNO(syscall(SYS_madvise, KADDR, pg, MADV_DONTNEED), ENOMEM); /* not mapped */
    T_ERRNO(syscall(SYS_mremap, KADDR, pg, 2 * pg, 0), EFAULT);
}

T_CASE(execve_bad_pointers)
{
    char *av[] = { self_path, NULL };
    char *ev[] = { NULL };
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        int ok = 0;
        if (syscall(SYS_execve, KADDR, av, ev) == -1 && errno == EFAULT)
            ok |= 1;
        if (syscall(SYS_execve, self_path, KADDR, ev) == -1 && errno == EFAULT)
            ok |= 2;
        char *badav[] = { self_path, (char *)KADDR, NULL };
        if (syscall(SYS_execve, self_path, badav, ev) == -1 && errno == EFAULT)
            ok |= 4;
        if (syscall(SYS_execve, self_path, av, KADDR) == -1 && errno == EFAULT)
            ok |= 8;
        _exit(ok == 15 ? 0 : 100 + ok);
    }
    T_EXITED(c, 0);
}

T_CASE(execve_truncated_elf)
{
    T_SYSOK(copy_prefix(self_path, TP("trunc"), 64, 0755));
    int e = exec_errno(TP("trunc"));
    /* the 64-byte ELF header is valid but the program headers are beyond
     * EOF: Linux returns EIO (short read of the phdrs); ENOEXEC and EINVAL
     * are also acceptable "not a valid executable" answers. */
    if (e != ENOEXEC && e != EIO && e != EINVAL)
        T_FAIL("execve(truncated ELF) gave %d (%s)", e, e < 1000 ? t_errname(e) : "ran!");
    T_SYSOK(copy_prefix(self_path, TP("trunc2"), 1000, 0755));
    e = exec_errno(TP("trunc2"));
    /* phdrs present but segments beyond EOF: an error from execve, or the
     * process is killed (SIGSEGV/SIGBUS) after the point of no return */
    if (!(e == ENOEXEC || e == EIO || e == EINVAL || e == 2000 + SIGSEGV || e == 2000 + SIGBUS ||
          e == 2000 + SIGKILL))
        T_FAIL("execve(1000-byte ELF) gave %d", e);
}

T_CASE(execve_absurd_phnum)
{
    T_SYSOK(copy_prefix(self_path, TP("phnum"), SIZE_MAX, 0755));
    int fd = open(TP("phnum"), O_RDWR);
    T_SYSOK(fd);
    uint16_t v = 0xffff;
    T_EQ(pwrite(fd, &v, 2, 56), 2); /* e_phnum at offset 56 in Elf64_Ehdr */
    close(fd);
    T_EQ(exec_errno(TP("phnum")), ENOEXEC);
}

T_CASE(execve_bad_elf_fields)
{
    /* wrong e_machine (EM_386 = 3) */
    T_SYSOK(copy_prefix(self_path, TP("mach"), SIZE_MAX, 0755));
    int fd = open(TP("mach"), O_RDWR);
    T_SYSOK(fd);
    uint16_t m = 3;
    T_EQ(pwrite(fd, &m, 2, 18), 2);
    close(fd);
    T_EQ(exec_errno(TP("mach")), ENOEXEC);
    /* wrong e_phentsize */
    T_SYSOK(copy_prefix(self_path, TP("phent"), SIZE_MAX, 0755));
    fd = open(TP("phent"), O_RDWR);
    T_SYSOK(fd);
    uint16_t s = 12;
    T_EQ(pwrite(fd, &s, 2, 54), 2);
    close(fd);
    T_EQ(exec_errno(TP("phent")), ENOEXEC);
    /* e_phoff pointing far beyond EOF */
    T_SYSOK(copy_prefix(self_path, TP("phoff"), SIZE_MAX, 0755));
    fd = open(TP("phoff"), O_RDWR);
    T_SYSOK(fd);
    uint64_t off = 0x7fffffff0000ULL;
    T_EQ(pwrite(fd, &off, 8, 32), 8);
    close(fd);
    int e = exec_errno(TP("phoff"));
    if (e != EIO && e != ENOEXEC && e != EINVAL)
        T_FAIL("execve(e_phoff beyond EOF) gave %d", e);
}

T_CASE(execve_text_without_shebang)
{
    int fd = open(TP("text"), O_WRONLY | O_CREAT | O_TRUNC, 0755);
    T_SYSOK(fd);
    T_EQ(write(fd, "echo hello\n", 11), 11);
    close(fd);
    T_EQ(exec_errno(TP("text")), ENOEXEC);
    fd = open(TP("empty"), O_WRONLY | O_CREAT | O_TRUNC, 0755);
    T_SYSOK(fd);
    close(fd);
    T_EQ(exec_errno(TP("empty")), ENOEXEC);
}

T_CASE(execve_shebang_missing_interpreter)
{
    int fd = open(TP("script"), O_WRONLY | O_CREAT | O_TRUNC, 0755);
    T_SYSOK(fd);
    const char *s = "#!/nonexistent/interpreter -x\necho hi\n";
    T_EQ(write(fd, s, strlen(s)), (long)strlen(s));
    close(fd);
    T_EQ(exec_errno(TP("script")), ENOENT);
}

/* A minimal dynamically linked ELF (ET_DYN, one PT_LOAD) whose PT_INTERP
 * is interp, written to path. */
static int write_dyn_elf(const char *path, const char *interp)
{
    unsigned char img[1024] = { 0 };
    Elf64_Ehdr *e = (Elf64_Ehdr *)img;
    Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof *e);
    size_t ilen = strlen(interp) + 1;

    memcpy(e->e_ident, ELFMAG, SELFMAG);
    e->e_ident[EI_CLASS] = ELFCLASS64;
    e->e_ident[EI_DATA] = ELFDATA2LSB;
    e->e_ident[EI_VERSION] = EV_CURRENT;
    e->e_type = ET_DYN;
    e->e_machine = EM_X86_64;
    e->e_version = EV_CURRENT;
    e->e_entry = 0x1000;
    e->e_phoff = sizeof *e;
    e->e_ehsize = sizeof *e;
    e->e_phentsize = sizeof *ph;
    e->e_phnum = 2;
    ph[0].p_type = PT_INTERP;
    ph[0].p_flags = PF_R;
    ph[0].p_offset = 512;
    ph[0].p_filesz = ph[0].p_memsz = ilen;
    ph[0].p_align = 1;
    ph[1].p_type = PT_LOAD;
    ph[1].p_flags = PF_R | PF_X;
    ph[1].p_offset = 0;
    ph[1].p_vaddr = 0;
    ph[1].p_filesz = ph[1].p_memsz = sizeof img;
    ph[1].p_align = 4096;
    memcpy(img + 512, interp, ilen);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, img, sizeof img);
    close(fd);
    return n == (ssize_t)sizeof img ? 0 : -1;
}

/* The interpreter a dynamic program names must exist (ENOENT), hold a
 * whole ELF header (EIO: Linux binfmt_elf reads it in one piece) and be
 * an ELF (ELIBBAD). */
T_CASE(execve_bad_elf_interpreter)
{
    char text[100];
    memset(text, 'x', sizeof text);
    T_SYSOK(write_dyn_elf(TP("dyn"), "/nonexistent/ld.so"));
    T_EQ(exec_errno(TP("dyn")), ENOENT);
    int fd = open(TP("fake-ld"), O_WRONLY | O_CREAT | O_TRUNC, 0755);
    T_SYSOK(fd);
    T_EQ(write(fd, text, 34), 34);
    close(fd);
    T_SYSOK(write_dyn_elf(TP("dyn"), TP("fake-ld")));
    T_EQ(exec_errno(TP("dyn")), EIO);
    fd = open(TP("fake-ld"), O_WRONLY | O_TRUNC);
    T_SYSOK(fd);
    T_EQ(write(fd, text, sizeof text), (long)sizeof text);
    close(fd);
    T_EQ(exec_errno(TP("dyn")), ELIBBAD);
}

T_CASE(execve_not_executable_eacces)
{
    T_SYSOK(copy_prefix(self_path, TP("noexec"), SIZE_MAX, 0644));
    T_EQ(exec_errno(TP("noexec")), EACCES);
    T_EQ(exec_errno(tmpdir), EACCES); /* a directory */
}

T_CASE(rt_sigreturn_garbage_frame_segv)
{
    /* rt_sigreturn on a frame of 0x41 bytes: non-canonical RIP and a bogus
     * fpstate pointer.  Linux kills the caller with SIGSEGV. */
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        static char frame[8192] __attribute__((aligned(64)));
        memset(frame, 0x41, sizeof frame);
        char *sp = frame + 64;
        __asm__ volatile("mov %0, %%rsp\n\t"
                         "mov $15, %%eax\n\t"
                         "syscall\n\t"
                         "ud2"
                         :
                         : "r"(sp)
                         : "memory", "rax");
        _exit(0);
    }
    T_KILLED(c, SIGSEGV);
}

static void noncanon_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)0x0000800000000000ULL; /* non-canonical */
}

T_CASE(sigreturn_noncanonical_rip_segv)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = noncanon_handler;
        sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
        sigaction(SIGUSR1, &sa, NULL);
        raise(SIGUSR1);
        _exit(0);
    }
    T_KILLED(c, SIGSEGV);
}

static void kernel_rip_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)0xffffffff81000000ULL;
}

T_CASE(sigreturn_kernel_rip_segv)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = kernel_rip_handler;
        sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
        sigaction(SIGUSR1, &sa, NULL);
        raise(SIGUSR1);
        _exit(0);
    }
    T_KILLED(c, SIGSEGV);
}

T_CASE(jump_to_kernel_address_segv)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        static volatile uintptr_t target = 0xffffffff81000000ULL;
        void (*f)(void) = (void (*)(void))target;
        f();
        _exit(0);
    }
    T_KILLED(c, SIGSEGV);
}

static void never_handler(int s)
{
    (void)s;
    _exit(7); /* cannot run: there is no stack to run it on */
}

T_CASE(bad_stack_pointer_signal_delivery_segv)
{
    /* a signal delivered while %rsp points at unmapped memory cannot build
     * a frame: the process is killed with SIGSEGV */
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = never_handler;
        sigaction(SIGALRM, &sa, NULL);
        struct itimerval it = { { 0, 0 }, { 0, 50000 } };
        setitimer(ITIMER_REAL, &it, NULL);
        __asm__ volatile("mov $0x1000, %%rsp\n\t"
                         "1: jmp 1b"
                         :
                         :
                         : "memory");
        _exit(0);
    }
    T_KILLED(c, SIGSEGV);
}

T_CASE(fork_exhaustion_bounded)
{
    long cap = geteuid() == 0 ? 300 : 10000;
    const char *env = getenv("T_FORKBOMB_CAP");
    if (env && atol(env) > 0)
        cap = atol(env);
    pid_t x = t_fork();
    T_SYSOK(x);
    if (x == 0) {
        struct rlimit rl = { 200, 200 };
        setrlimit(RLIMIT_NPROC, &rl);
        int p[2];
        if (pipe(p) != 0)
            _exit(10);
        long n = 0;
        int fail_errno = 0;
        while (n < cap) {
            pid_t k = fork();
            if (k < 0) {
                fail_errno = errno;
                break;
            }
            if (k == 0) {
                char b;
                close(p[1]);
                ssize_t r = read(p[0], &b, 1); /* blocks until the parent closes */
                _exit(r == 0 ? 0 : 1);
            }
            n++;
        }
        close(p[1]);
        close(p[0]);
        long reaped = 0, bad = 0;
        int st;
        pid_t w;
        while ((w = wait(&st)) > 0) {
            reaped++;
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                bad++;
        }
        if (errno != ECHILD)
            _exit(11);
        if (reaped != n)
            _exit(12);
        if (bad)
            _exit(13);
        if (n < cap && fail_errno != EAGAIN && fail_errno != ENOMEM)
            _exit(14);
        _exit(0);
    }
    T_EXITED(x, 0);
    /* the system is still usable */
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0)
        _exit(5);
    T_EXITED(c, 5);
}

T_CASE(fd_exhaustion_emfile)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        struct rlimit rl = { 64, 64 };
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            _exit(1);
        int last = -1;
        for (int i = 0; i < 100; i++) {
            int fd = open("/dev/null", O_RDONLY);
            if (fd < 0) {
                _exit(errno == EMFILE && last == 63 ? 0 : 2);
            }
            last = fd;
        }
        _exit(3);
    }
    T_EXITED(c, 0);
    T_ERRNO(dup2(0, 1 << 30), EBADF); /* beyond RLIMIT_NOFILE */
}

T_CASE(huge_brk_and_stack_rlimit)
{
    long cur = syscall(SYS_brk, 0);
    T_EQ(syscall(SYS_brk, (long)KADDR), cur);
    T_EQ(syscall(SYS_brk, -1L), cur);
}

static void rm_rf_flat(const char *d)
{
    /* our scratch tree is two levels deep at most */
    static const char *files[] = { "partial", "trunc", "trunc2", "phnum", "mach", "phent",
                                   "phoff", "text", "empty", "script", "noexec",
                                   "dyn", "fake-ld" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(TP(files[i]));
    for (int i = 0; i < 60; i++) {
        char n[80];
        snprintf(n, sizeof n, "gd/a_rather_long_file_name_number_%03d", i);
        unlink(TP(n));
    }
    rmdir(TP("gd"));
    rmdir(d);
}

T_CASE(cleanup)
{
    rm_rf_flat(tmpdir);
    struct stat st;
    T_ERRNO(stat(tmpdir, &st), ENOENT);
}

int main(int argc, char **argv)
{
    (void)argc;
    self_path = argv[0];
    pg = (size_t)sysconf(_SC_PAGESIZE);
    t_init("badptr");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/t_badptr.%d", (int)getpid());
    if (mkdir(tmpdir, 0755) != 0) {
        t_emit("FAIL badptr.setup: mkdir %s: errno=%d", tmpdir, errno);
        t_nfail++;
        return t_done();
    }
    T_RUN(write_bad_buf_efault);
    T_RUN(read_bad_buf_efault);
    T_RUN(read_range_past_user_half_efault);
    T_RUN(partial_buffer_no_crash);
    T_RUN(path_bad_pointer_efault);
    T_RUN(path_unterminated_at_page_end);
    T_RUN(stat_bad_statbuf_efault);
    T_RUN(clock_gettime_bad_ptr_efault);
    T_RUN(uname_bad_ptr_efault);
    T_RUN(misc_out_ptr_efault);
    T_RUN(wait4_bad_status_efault);
    T_RUN(getdents_partial_buffer);
    T_RUN(rt_sigaction_bad_sigsetsize);
    T_RUN(writev_bad_iov_efault);
    T_RUN(mmap_absurd_length);
    T_RUN(execve_bad_pointers);
    T_RUN(execve_truncated_elf);
    T_RUN(execve_absurd_phnum);
    T_RUN(execve_bad_elf_fields);
    T_RUN(execve_text_without_shebang);
    T_RUN(execve_shebang_missing_interpreter);
    T_RUN(execve_bad_elf_interpreter);
    T_RUN(execve_not_executable_eacces);
    T_RUN(rt_sigreturn_garbage_frame_segv);
    T_RUN(sigreturn_noncanonical_rip_segv);
    T_RUN(sigreturn_kernel_rip_segv);
    T_RUN(jump_to_kernel_address_segv);
    T_RUN(bad_stack_pointer_signal_delivery_segv);
    T_RUN(fork_exhaustion_bounded);
    T_RUN(fd_exhaustion_emfile);
    T_RUN(huge_brk_and_stack_rlimit);
    T_RUN(cleanup);
    return t_done();
}
