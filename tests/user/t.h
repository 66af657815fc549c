/* t.h: a tiny header-only harness for the Linux-ABI user tests.
 *
 * Every program runs many small cases in one process.  Each case prints
 * exactly one line, written with a single write(2) so lines never interleave:
 *
 *     PASS <prog>.<case>
 *     FAIL <prog>.<case>: <file:line> <failing expression> (<details>)
 *
 * and the program ends with "DONE <prog> <npass> <nfail>", exiting 1 if any
 * case failed.  Usage:
 *
 *     T_CASE(foo) { T_SYSOK(fd = open(...)); T_ERRNO(read(-1, b, 1), EBADF); }
 *     int main(int argc, char **argv) {
 *         t_init("prog");
 *         T_RUN(foo);
 *         return t_done();
 *     }
 *
 * A failing check returns from the case function (checks are meant to be
 * used in the case body; in helpers they return from the helper only).
 *
 * Robustness: while a case runs, a crash (SIGSEGV/SIGBUS/SIGILL/SIGFPE/
 * SIGABRT) of the test process itself prints "FAIL <prog>.<case>: crashed
 * by signal N" and a 60 s watchdog (SIGALRM) prints "FAIL ...: timeout",
 * before the program exits with status 2.  Cases may install their own
 * handlers for these signals; the harness reinstalls its own before each
 * case.  A case that uses alarm()/ITIMER_REAL itself must first cancel the
 * watchdog with alarm(0) (it then runs without one).  Children must be created with t_fork(), which resets these
 * signals to SIG_DFL in the child (so "child dies by SIGSEGV" tests see the
 * default action), or reset them themselves.
 */
#ifndef T_H
#define T_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *t_prog = "?";
static const char *t_case_name = "?";
static int t_npass, t_nfail;
static int t_case_failed;
static pid_t t_main_pid;
static char t_msg[768];

static __attribute__((unused)) const char *t_errname(int e)
{
    switch (e) {
#define T_E(x) case x: return #x;
    T_E(EPERM) T_E(ENOENT) T_E(ESRCH) T_E(EINTR) T_E(EIO) T_E(ENXIO)
    T_E(E2BIG) T_E(ENOEXEC) T_E(EBADF) T_E(ECHILD) T_E(EAGAIN) T_E(ENOMEM)
    T_E(EACCES) T_E(EFAULT) T_E(EBUSY) T_E(EEXIST) T_E(EXDEV) T_E(ENODEV)
    T_E(ENOTDIR) T_E(EISDIR) T_E(EINVAL) T_E(ENFILE) T_E(EMFILE)
    T_E(ENOTTY) T_E(EFBIG) T_E(ENOSPC) T_E(ESPIPE) T_E(EROFS) T_E(EMLINK)
    T_E(EPIPE) T_E(EDOM) T_E(ERANGE) T_E(EDEADLK) T_E(ENAMETOOLONG)
    T_E(ENOSYS) T_E(ENOTEMPTY) T_E(ELOOP) T_E(ETIMEDOUT) T_E(EOVERFLOW)
    T_E(ETXTBSY) T_E(EOPNOTSUPP) T_E(ERESTART)
#undef T_E
    case 0: return "0";
    default: return "E?";
    }
}

/* One line, one write(2). */
/* The value of field key of a /proc status file (path) into out, its
 * blanks after the colon skipped; 0, or -1 if the file or field is not
 * there. */
static __attribute__((unused)) int t_status_field(const char *path, const char *key,
                                                  char *out, size_t n)
{
    char buf[2048];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t len = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (len <= 0)
        return -1;
    buf[len] = 0;
    size_t kl = strlen(key);
    for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, key, kl) == 0 && l[kl] == ':') {
            char *v = l + kl + 1;
            while (*v == '\t' || *v == ' ')
                v++;
            size_t i = 0;
            while (v[i] && v[i] != '\n' && i + 1 < n) {
                out[i] = v[i];
                i++;
            }
            out[i] = 0;
            return 0;
        }
    }
    return -1;
}

static __attribute__((unused)) void t_emit(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n > (int)sizeof buf - 2)
        n = (int)sizeof buf - 2;
    buf[n++] = '\n';
    ssize_t w = write(1, buf, (size_t)n);
    (void)w;
}

static __attribute__((unused)) void t_failf(const char *file, int line, const char *fmt, ...)
{
    if (t_case_failed)
        return; /* keep the first failure */
    t_case_failed = 1;
    int n = snprintf(t_msg, sizeof t_msg, "%s:%d ", file, line);
    if (n < 0 || n >= (int)sizeof t_msg)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t_msg + n, sizeof t_msg - (size_t)n, fmt, ap);
    va_end(ap);
}

/* Checks.  Each evaluates its expression once. */
#define T_FAIL(...) do { t_failf(__FILE__, __LINE__, __VA_ARGS__); return; } while (0)

#define T_ASSERT(c) do { int t_e_ = errno; if (!(c)) \
    T_FAIL("%s (errno=%d %s)", #c, t_e_, t_errname(t_e_)); } while (0)

/* expr must not return -1 (a syscall-style success check). */
#define T_SYSOK(expr) do { errno = 0; long t_r_ = (long)(expr); int t_e_ = errno; \
    if (t_r_ == -1) T_FAIL("%s failed: errno=%d %s", #expr, t_e_, t_errname(t_e_)); } while (0)

/* expr must return -1 with errno == e. */
#define T_ERRNO(expr, e) do { errno = 0; long t_r_ = (long)(expr); int t_e_ = errno; \
    if (t_r_ != -1 || t_e_ != (e)) \
        T_FAIL("%s: want -1 %s, got %ld errno=%d %s", #expr, #e, t_r_, t_e_, t_errname(t_e_)); } while (0)

/* expr must return -1 with errno e1 or e2 (both Linux-compatible). */
#define T_ERRNO2(expr, e1, e2) do { errno = 0; long t_r_ = (long)(expr); int t_e_ = errno; \
    if (t_r_ != -1 || (t_e_ != (e1) && t_e_ != (e2))) \
        T_FAIL("%s: want -1 %s|%s, got %ld errno=%d %s", #expr, #e1, #e2, t_r_, t_e_, t_errname(t_e_)); } while (0)

#define T_EQ(a, b) do { long long t_a_ = (long long)(a), t_b_ = (long long)(b); int t_e_ = errno; \
    if (t_a_ != t_b_) T_FAIL("%s == %s: got %lld vs %lld (errno=%d %s)", #a, #b, t_a_, t_b_, \
                             t_e_, t_errname(t_e_)); } while (0)

#define T_STREQ(a, b) do { const char *t_a_ = (a), *t_b_ = (b); \
    if (!t_a_ || !t_b_ || strcmp(t_a_, t_b_) != 0) T_FAIL("%s == %s: got \"%s\" vs \"%s\"", #a, #b, \
        t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)"); } while (0)

/* Wait status helpers: the child pid must exit normally with code c /
 * die by signal s. */
#define T_EXITED(pid, c) do { int t_st_ = 0; pid_t t_w_ = waitpid((pid), &t_st_, 0); int t_e_ = errno; \
    if (t_w_ != (pid)) T_FAIL("waitpid(%s): got %d errno=%d %s", #pid, (int)t_w_, t_e_, t_errname(t_e_)); \
    if (!WIFEXITED(t_st_) || WEXITSTATUS(t_st_) != (c)) \
        T_FAIL("child %s: want exit %d, got status 0x%x (%s %d)", #pid, (c), t_st_, \
               WIFEXITED(t_st_) ? "exit" : WIFSIGNALED(t_st_) ? "signal" : "other", \
               WIFEXITED(t_st_) ? WEXITSTATUS(t_st_) : WIFSIGNALED(t_st_) ? WTERMSIG(t_st_) : -1); \
    } while (0)

#define T_KILLED(pid, s) do { int t_st_ = 0; pid_t t_w_ = waitpid((pid), &t_st_, 0); int t_e_ = errno; \
    if (t_w_ != (pid)) T_FAIL("waitpid(%s): got %d errno=%d %s", #pid, (int)t_w_, t_e_, t_errname(t_e_)); \
    if (!WIFSIGNALED(t_st_) || WTERMSIG(t_st_) != (s)) \
        T_FAIL("child %s: want signal %s, got status 0x%x (%s %d)", #pid, #s, t_st_, \
               WIFEXITED(t_st_) ? "exit" : WIFSIGNALED(t_st_) ? "signal" : "other", \
               WIFEXITED(t_st_) ? WEXITSTATUS(t_st_) : WIFSIGNALED(t_st_) ? WTERMSIG(t_st_) : -1); \
    } while (0)

static const int t_fatal_sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM };

static __attribute__((unused)) void t_fatal_handler(int sig)
{
    if (getpid() != t_main_pid) { /* a child that did not reset: die as if default */
        signal(sig, SIG_DFL);
        raise(sig);
        _exit(128 + sig);
    }
    if (sig == SIGALRM)
        t_emit("FAIL %s.%s: timeout (watchdog)", t_prog, t_case_name);
    else
        t_emit("FAIL %s.%s: crashed by signal %d", t_prog, t_case_name, sig);
    t_emit("DONE %s %d %d", t_prog, t_npass, t_nfail + 1);
    _exit(2);
}

static __attribute__((unused)) void t_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = t_fatal_handler;
    sa.sa_flags = SA_NODEFER;
    for (size_t i = 0; i < sizeof t_fatal_sigs / sizeof t_fatal_sigs[0]; i++)
        sigaction(t_fatal_sigs[i], &sa, NULL);
}

/* In a child: restore default dispositions for the harness's signals. */
static __attribute__((unused)) void t_reset_child(void)
{
    for (size_t i = 0; i < sizeof t_fatal_sigs / sizeof t_fatal_sigs[0]; i++)
        signal(t_fatal_sigs[i], SIG_DFL);
}

static __attribute__((unused)) pid_t t_fork(void)
{
    pid_t p = fork();
    if (p == 0)
        t_reset_child();
    return p;
}

static __attribute__((unused)) void t_init(const char *prog)
{
    t_prog = prog;
    t_main_pid = getpid();
    setvbuf(stdout, NULL, _IONBF, 0);
}

static __attribute__((unused)) void t_run(const char *name, void (*fn)(void))
{
    t_case_name = name;
    t_case_failed = 0;
    t_msg[0] = 0;
    t_install();
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    alarm(60);
    fn();
    alarm(0);
    if (t_case_failed) {
        t_nfail++;
        t_emit("FAIL %s.%s: %s", t_prog, name, t_msg);
    } else {
        t_npass++;
        t_emit("PASS %s.%s", t_prog, name);
    }
}

static __attribute__((unused)) int t_done(void)
{
    t_emit("DONE %s %d %d", t_prog, t_npass, t_nfail);
    return t_nfail ? 1 : 0;
}

#define T_CASE(name) static void t_case_##name(void)
#define T_RUN(name) t_run(#name, t_case_##name)

#endif
