/* t_keys.c: the kernel key retention service (man 7 keyrings): add_key,
 * request_key and keyctl through raw system calls (musl has no
 * keyutils): add/update/read/describe, the request_key search order,
 * keyring contents, link/unlink/clear, timeouts, revoke, invalidate,
 * permissions for another uid, which keyrings fork and threads share,
 * the per-user quota, /proc/keys and bad arguments. Passes on Linux as
 * root (the cases that change uid skip themselves otherwise). */
#include "t.h"

#include <grp.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

#define KEYCTL_GET_KEYRING_ID 0
#define KEYCTL_JOIN_SESSION_KEYRING 1
#define KEYCTL_UPDATE 2
#define KEYCTL_REVOKE 3
#define KEYCTL_SETPERM 5
#define KEYCTL_DESCRIBE 6
#define KEYCTL_CLEAR 7
#define KEYCTL_LINK 8
#define KEYCTL_UNLINK 9
#define KEYCTL_SEARCH 10
#define KEYCTL_READ 11
#define KEYCTL_SET_TIMEOUT 15
#define KEYCTL_GET_SECURITY 17
#define KEYCTL_INVALIDATE 21

#define THREAD (-1)
#define PROCESS (-2)
#define SESSION (-3)

#ifndef ENOKEY
#define ENOKEY 126
#endif
#ifndef EKEYEXPIRED
#define EKEYEXPIRED 127
#endif
#ifndef EKEYREVOKED
#define EKEYREVOKED 128
#endif
#ifndef EDQUOT
#define EDQUOT 122
#endif

static long add_key(const char *type, const char *desc, const void *p,
                    size_t n, long ring)
{
    return syscall(SYS_add_key, type, desc, p, n, ring);
}

static long request_key(const char *type, const char *desc,
                        const char *callout, long dest)
{
    return syscall(SYS_request_key, type, desc, callout, dest);
}

static long kc(long op, long a, long b, long c, long d)
{
    return syscall(SYS_keyctl, op, a, b, c, d);
}

static char dbuf[128];

/* A description of this run's own. */
static const char *nm(const char *tag)
{
    snprintf(dbuf, sizeof dbuf, "t_keys.%d.%s", (int)getpid(), tag);
    return dbuf;
}

T_CASE(add_update_read_describe)
{
    char buf[256], want[256];
    long k, k2;

    T_SYSOK(k = add_key("user", nm("a"), "hello", 5, PROCESS));
    T_ASSERT(k > 0);
    memset(buf, 0, sizeof buf);
    T_EQ(kc(KEYCTL_READ, k, (long)buf, sizeof buf, 0), 5);
    T_ASSERT(memcmp(buf, "hello", 5) == 0);
    /* same type and description in the same keyring: an update */
    T_SYSOK(k2 = add_key("user", nm("a"), "world!", 6, PROCESS));
    T_EQ(k2, k);
    /* a short buffer gets nothing, the full length comes back */
    memset(buf, 'z', sizeof buf);
    T_EQ(kc(KEYCTL_READ, k, (long)buf, 2, 0), 6);
    T_EQ(buf[0], 'z');
    T_EQ(kc(KEYCTL_READ, k, 0, 0, 0), 6);
    T_EQ(kc(KEYCTL_READ, k, (long)buf, sizeof buf, 0), 6);
    T_ASSERT(memcmp(buf, "world!", 6) == 0);
    T_SYSOK(kc(KEYCTL_UPDATE, k, (long)"x", 1, 0));
    T_EQ(kc(KEYCTL_READ, k, (long)buf, sizeof buf, 0), 1);
    T_EQ(buf[0], 'x');
    T_ERRNO(kc(KEYCTL_UPDATE, k, (long)"x", 0, 0), EINVAL);
    snprintf(want, sizeof want, "user;%d;%d;3f010000;%s", (int)getuid(),
             (int)getgid(), nm("a"));
    T_EQ(kc(KEYCTL_DESCRIBE, k, (long)buf, sizeof buf, 0),
         (long)strlen(want) + 1);
    T_STREQ(buf, want);
    T_EQ(kc(KEYCTL_DESCRIBE, k, 0, 0, 0), (long)strlen(want) + 1);
    T_EQ(kc(KEYCTL_GET_SECURITY, k, (long)buf, sizeof buf, 0), 1);
    T_EQ(buf[0], 0);
    /* logon keys: a "service:" description, never readable */
    T_ERRNO(add_key("logon", nm("nocolon"), "s", 1, PROCESS), EINVAL);
    snprintf(want, sizeof want, "svc:%s", nm("l"));
    T_SYSOK(k = add_key("logon", want, "secret", 6, PROCESS));
    T_ERRNO(kc(KEYCTL_READ, k, (long)buf, sizeof buf, 0), EOPNOTSUPP);
    T_ASSERT(kc(KEYCTL_DESCRIBE, k, (long)buf, sizeof buf, 0) > 0);
    T_ASSERT(strncmp(buf, "logon;", 6) == 0);
    T_ASSERT(strstr(buf, ";3d010000;") != NULL);
    /* the process keyring cannot be updated */
    T_ERRNO(kc(KEYCTL_UPDATE, PROCESS, (long)"x", 1, 0), EOPNOTSUPP);
}

T_CASE(request_key_search_order)
{
    char desc[128], buf[64];
    long kp, kt, ks, r, k;

    snprintf(desc, sizeof desc, "%s", nm("order"));
    T_SYSOK(kp = add_key("user", desc, "proc", 4, PROCESS));
    T_EQ(request_key("user", desc, NULL, 0), kp);
    T_EQ(kc(KEYCTL_SEARCH, PROCESS, (long)"user", (long)desc, 0), kp);
    /* the thread keyring is searched first */
    T_SYSOK(kt = add_key("user", desc, "thread", 6, THREAD));
    T_ASSERT(kt != kp);
    T_EQ(request_key("user", desc, NULL, 0), kt);
    T_EQ(kc(KEYCTL_READ, request_key("user", desc, NULL, 0), (long)buf,
            sizeof buf, 0), 6);
    /* not found: no upcall here, ENOKEY */
    T_ERRNO(request_key("user", nm("missing"), NULL, 0), ENOKEY);
    T_ERRNO(request_key("logon", desc, NULL, 0), ENOKEY);
    T_ERRNO(kc(KEYCTL_SEARCH, PROCESS, (long)"user", (long)nm("missing"), 0),
            ENOKEY);
    T_ERRNO(request_key("nosuchtype", desc, NULL, 0), ENOKEY);
    /* found keys are linked into a destination keyring */
    T_SYSOK(r = add_key("keyring", nm("dest"), NULL, 0, PROCESS));
    T_EQ(request_key("user", desc, NULL, r), kt);
    T_EQ(kc(KEYCTL_READ, r, (long)buf, sizeof buf, 0), 4);
    T_EQ(*(int32_t *)buf, kt);
    /* nested keyrings are searched too */
    T_SYSOK(k = add_key("user", nm("nested"), "n", 1, r));
    T_EQ(request_key("user", nm("nested"), NULL, 0), k);
    T_EQ(kc(KEYCTL_SEARCH, r, (long)"user", (long)nm("nested"), 0), k);
    T_SYSOK(ks = add_key("keyring", nm("empty"), NULL, 0, PROCESS));
    T_ERRNO(kc(KEYCTL_SEARCH, ks, (long)"user", (long)nm("nested"), 0), ENOKEY);
    T_SYSOK(kc(KEYCTL_UNLINK, kt, THREAD, 0, 0));
    T_EQ(request_key("user", desc, NULL, 0), kp);
}

T_CASE(keyring_read_link_unlink)
{
    int32_t ids[8];
    long r, r2, k1, k2, k3;

    T_SYSOK(r = add_key("keyring", nm("ring"), NULL, 0, PROCESS));
    T_EQ(kc(KEYCTL_READ, r, (long)ids, sizeof ids, 0), 0);
    T_SYSOK(k1 = add_key("user", nm("k1"), "1", 1, r));
    T_SYSOK(k2 = add_key("user", nm("k2"), "2", 1, r));
    T_EQ(kc(KEYCTL_READ, r, (long)ids, sizeof ids, 0), 8);
    T_ASSERT((ids[0] == k1 && ids[1] == k2) || (ids[0] == k2 && ids[1] == k1));
    /* short buffer: the length, nothing copied */
    T_EQ(kc(KEYCTL_READ, r, (long)ids, 4, 0), 8);
    T_SYSOK(k3 = add_key("user", nm("k3"), "3", 1, PROCESS));
    T_SYSOK(kc(KEYCTL_LINK, k3, r, 0, 0));
    T_SYSOK(kc(KEYCTL_LINK, k3, r, 0, 0)); /* already there */
    T_EQ(kc(KEYCTL_READ, r, (long)ids, sizeof ids, 0), 12);
    T_SYSOK(kc(KEYCTL_UNLINK, k3, r, 0, 0));
    T_ERRNO(kc(KEYCTL_UNLINK, k3, r, 0, 0), ENOENT);
    T_EQ(kc(KEYCTL_READ, r, (long)ids, sizeof ids, 0), 8);
    /* still there, linked from the process keyring */
    T_EQ(kc(KEYCTL_READ, k3, (long)ids, sizeof ids, 0), 1);
    /* cycles */
    T_ERRNO(kc(KEYCTL_LINK, r, r, 0, 0), EDEADLK);
    T_SYSOK(r2 = add_key("keyring", nm("ring2"), NULL, 0, r));
    T_ERRNO(kc(KEYCTL_LINK, r, r2, 0, 0), EDEADLK);
    /* a key is no keyring */
    T_ERRNO(kc(KEYCTL_LINK, k1, k3, 0, 0), ENOTDIR);
    T_ERRNO(add_key("user", nm("x"), "x", 1, k3), ENOTDIR);
    T_ERRNO(kc(KEYCTL_CLEAR, k3, 0, 0, 0), ENOTDIR);
    T_SYSOK(kc(KEYCTL_CLEAR, r, 0, 0, 0));
    T_EQ(kc(KEYCTL_READ, r, (long)ids, sizeof ids, 0), 0);
    /* keyrings named with a dot are the kernel's */
    T_ERRNO(add_key("keyring", ".t_keys", NULL, 0, PROCESS), EPERM);
    T_ERRNO(add_key("keyring", nm("p"), "x", 1, PROCESS), EINVAL);
}

T_CASE(timeout_expires)
{
    char buf[64];
    long k, r;
    int i;

    T_SYSOK(k = add_key("user", nm("tmo"), "data", 4, PROCESS));
    T_SYSOK(kc(KEYCTL_SET_TIMEOUT, k, 1, 0, 0));
    /* generous deadline: 30 s */
    for (i = 0; i < 3000; i++) {
        errno = 0;
        if (kc(KEYCTL_READ, k, (long)buf, sizeof buf, 0) < 0)
            break;
        usleep(10000);
    }
    T_EQ(errno, EKEYEXPIRED);
    T_ERRNO(kc(KEYCTL_DESCRIBE, k, (long)buf, sizeof buf, 0), EKEYEXPIRED);
    T_ERRNO(kc(KEYCTL_UPDATE, k, (long)"x", 1, 0), EKEYEXPIRED);
    errno = 0;
    r = request_key("user", nm("tmo"), NULL, 0);
    T_ASSERT(r < 0 && (errno == EKEYEXPIRED || errno == ENOKEY));
    /* a timeout of 0 means none */
    T_SYSOK(k = add_key("user", nm("tmo0"), "data", 4, PROCESS));
    T_SYSOK(kc(KEYCTL_SET_TIMEOUT, k, 100, 0, 0));
    T_SYSOK(kc(KEYCTL_SET_TIMEOUT, k, 0, 0, 0));
    T_EQ(kc(KEYCTL_READ, k, (long)buf, sizeof buf, 0), 4);
}

T_CASE(revoke_and_invalidate)
{
    char buf[64];
    long k;

    T_SYSOK(k = add_key("user", nm("rev"), "data", 4, PROCESS));
    T_SYSOK(kc(KEYCTL_REVOKE, k, 0, 0, 0));
    T_ERRNO(kc(KEYCTL_READ, k, (long)buf, sizeof buf, 0), EKEYREVOKED);
    T_ERRNO(kc(KEYCTL_UPDATE, k, (long)"x", 1, 0), EKEYREVOKED);
    T_ERRNO(kc(KEYCTL_DESCRIBE, k, (long)buf, sizeof buf, 0), EKEYREVOKED);
    T_ERRNO(kc(KEYCTL_REVOKE, k, 0, 0, 0), EKEYREVOKED);
    T_SYSOK(k = add_key("user", nm("inv"), "data", 4, PROCESS));
    T_SYSOK(kc(KEYCTL_INVALIDATE, k, 0, 0, 0));
    /* gone from the process keyring (at once here, soon on Linux):
     * not possessed any more, so EACCES before ENOKEY */
    T_ERRNO2(kc(KEYCTL_READ, k, (long)buf, sizeof buf, 0), EACCES, ENOKEY);
    T_ERRNO(request_key("user", nm("inv"), NULL, 0), ENOKEY);
}

T_CASE(permissions_other_uid)
{
    char buf[64];
    long k, k2;
    pid_t pid;

    if (getuid() != 0) {
        t_emit("SKIP t_keys.permissions_other_uid: needs root");
        return;
    }
    T_SYSOK(k = add_key("user", nm("perm"), "data", 4, PROCESS));
    T_SYSOK(k2 = add_key("user", nm("perm2"), "open", 4, PROCESS));
    T_SYSOK(kc(KEYCTL_SETPERM, k, 0x3f000000, 0, 0));
    T_SYSOK(kc(KEYCTL_SETPERM, k2, 0x3f000003, 0, 0));
    T_ERRNO(kc(KEYCTL_SETPERM, k2, 0x40000000, 0, 0), EINVAL);
    /* we possess it: the possessor bits let us read it */
    T_EQ(kc(KEYCTL_READ, k, (long)buf, sizeof buf, 0), 4);
    pid = t_fork();
    if (pid == 0) {
        if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
            _exit(10);
        /* the child has no process keyring: it possesses nothing */
        if (kc(KEYCTL_READ, k, (long)buf, sizeof buf, 0) != -1 ||
            errno != EACCES)
            _exit(11);
        if (kc(KEYCTL_DESCRIBE, k, (long)buf, sizeof buf, 0) != -1 ||
            errno != EACCES)
            _exit(12);
        if (kc(KEYCTL_READ, k2, (long)buf, sizeof buf, 0) != 4)
            _exit(13);
        if (kc(KEYCTL_SETPERM, k2, 0x3f3f3f3f, 0, 0) != -1 ||
            errno != EACCES)
            _exit(14);
        _exit(0);
    }
    T_EXITED(pid, 0);
}

T_CASE(fork_process_and_session_keyrings)
{
    long p;
    pid_t pid;

    T_SYSOK(p = kc(KEYCTL_GET_KEYRING_ID, PROCESS, 1, 0, 0));
    T_EQ(kc(KEYCTL_GET_KEYRING_ID, PROCESS, 0, 0, 0), p);
    char sdesc[128];

    snprintf(sdesc, sizeof sdesc, "%s", nm("sess"));
    pid = t_fork();
    if (pid == 0) {
        long s, k, c;
        int st = 0;
        /* fork does not pass the process keyring on */
        if (kc(KEYCTL_GET_KEYRING_ID, PROCESS, 0, 0, 0) != -1 || errno != ENOKEY)
            _exit(10);
        if ((c = kc(KEYCTL_GET_KEYRING_ID, PROCESS, 1, 0, 0)) <= 0 || c == p)
            _exit(11);
        /* a session keyring of our own, which a child inherits */
        s = kc(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0);
        if (s <= 0 || kc(KEYCTL_GET_KEYRING_ID, SESSION, 0, 0, 0) != s)
            _exit(12);
        k = add_key("user", sdesc, "s", 1, SESSION);
        if (k <= 0)
            _exit(13);
        pid_t g = fork();
        if (g == 0) {
            if (kc(KEYCTL_GET_KEYRING_ID, SESSION, 0, 0, 0) != s)
                _exit(1);
            if (request_key("user", sdesc, NULL, 0) != k)
                _exit(2);
            _exit(0);
        }
        if (g < 0 || waitpid(g, &st, 0) != g || !WIFEXITED(st))
            _exit(14);
        _exit(WEXITSTATUS(st) ? 20 + WEXITSTATUS(st) : 0);
    }
    T_EXITED(pid, 0);
    T_EQ(kc(KEYCTL_GET_KEYRING_ID, PROCESS, 0, 0, 0), p);
}

static long thread_ring[2];
static long thread_proc;

static void *thread_fn(void *arg)
{
    (void)arg;
    errno = 0;
    thread_ring[0] = kc(KEYCTL_GET_KEYRING_ID, THREAD, 0, 0, 0);
    thread_ring[0] = thread_ring[0] < 0 ? -errno : thread_ring[0];
    thread_ring[1] = kc(KEYCTL_GET_KEYRING_ID, THREAD, 1, 0, 0);
    thread_proc = kc(KEYCTL_GET_KEYRING_ID, PROCESS, 0, 0, 0);
    return NULL;
}

T_CASE(thread_keyring_per_thread)
{
    pthread_t th;
    long t1, p;

    T_SYSOK(t1 = kc(KEYCTL_GET_KEYRING_ID, THREAD, 1, 0, 0));
    T_SYSOK(p = kc(KEYCTL_GET_KEYRING_ID, PROCESS, 1, 0, 0));
    T_EQ(pthread_create(&th, NULL, thread_fn, NULL), 0);
    T_EQ(pthread_join(th, NULL), 0);
    /* a thread of a thread with a thread keyring gets a new one */
    T_ASSERT(thread_ring[0] > 0 && thread_ring[0] != t1);
    T_EQ(thread_ring[1], thread_ring[0]);
    T_EQ(thread_proc, p);
    T_EQ(kc(KEYCTL_GET_KEYRING_ID, THREAD, 0, 0, 0), t1);
    /* a child process has none */
    pid_t pid = t_fork();
    if (pid == 0)
        _exit(kc(KEYCTL_GET_KEYRING_ID, THREAD, 0, 0, 0) == -1 &&
              errno == ENOKEY ? 0 : 1);
    T_EXITED(pid, 0);
}

T_CASE(quota_non_root)
{
    pid_t pid;

    if (getuid() != 0) {
        t_emit("SKIP t_keys.quota_non_root: needs root");
        return;
    }
    pid = t_fork();
    if (pid == 0) {
        char d[64], line[256];
        int n = 0, found = 0;
        long k;
        FILE *f;

        if (setgroups(0, NULL) || setgid(54321) || setuid(54321))
            _exit(10);
        for (;;) {
            snprintf(d, sizeof d, "q%d", n);
            k = add_key("user", d, "payload", 7, PROCESS);
            if (k < 0)
                break;
            if (++n > 1000)
                _exit(11);
        }
        if (errno != EDQUOT)
            _exit(12);
        /* 200 keys: the process keyring is one of them */
        if (n < 190 || n > 199)
            _exit(13);
        f = fopen("/proc/key-users", "r");
        if (!f)
            _exit(14);
        while (fgets(line, sizeof line, f))
            if (strstr(line, "54321:") && strstr(line, "/200 "))
                found = 1;
        fclose(f);
        _exit(found ? 0 : 15);
    }
    T_EXITED(pid, 0);
}

T_CASE(proc_keys)
{
    char line[512], want[32], ser[16];
    long k;
    int found = 0;
    FILE *f;

    T_SYSOK(k = add_key("user", nm("procfile"), "12345", 5, PROCESS));
    snprintf(ser, sizeof ser, "%08lx ", k);
    snprintf(want, sizeof want, ": 5");
    T_ASSERT((f = fopen("/proc/keys", "r")) != NULL);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, ser, 9) == 0 && strstr(line, nm("procfile")) &&
            strstr(line, " user ") && strstr(line, " perm 3f010000 ") &&
            strstr(line, want))
            found = 1;
    fclose(f);
    T_ASSERT(found);
    T_ASSERT((f = fopen("/proc/sys/kernel/keys/root_maxkeys", "r")) != NULL);
    T_ASSERT(fgets(line, sizeof line, f) != NULL);
    fclose(f);
    T_STREQ(line, "1000000\n");
    T_ASSERT((f = fopen("/proc/sys/kernel/keys/maxbytes", "r")) != NULL);
    T_ASSERT(fgets(line, sizeof line, f) != NULL);
    fclose(f);
    T_STREQ(line, "20000\n");
    T_ASSERT((f = fopen("/proc/key-users", "r")) != NULL);
    found = 0;
    snprintf(want, sizeof want, "%5u:", (unsigned)getuid());
    while (fgets(line, sizeof line, f))
        if (strncmp(line, want, strlen(want)) == 0)
            found = 1;
    fclose(f);
    T_ASSERT(found);
}

T_CASE(bad_arguments)
{
    static char big[40000];
    char buf[64];
    long k;

    T_ERRNO(kc(KEYCTL_GET_KEYRING_ID, 0, 0, 0, 0), EINVAL);
    T_ERRNO(kc(KEYCTL_GET_KEYRING_ID, -6, 0, 0, 0), EINVAL);
    T_ERRNO(kc(KEYCTL_GET_KEYRING_ID, -20, 0, 0, 0), EINVAL);
    T_ERRNO(kc(KEYCTL_GET_KEYRING_ID, 0x7ffffff0, 0, 0, 0), ENOKEY);
    T_ERRNO(kc(KEYCTL_READ, 0x7ffffff0, (long)buf, sizeof buf, 0), ENOKEY);
    T_ERRNO(kc(~0L, 0, 0, 0, 0), EOPNOTSUPP);
    T_ERRNO(add_key("nosuchtype", nm("b"), "x", 1, PROCESS), ENODEV);
    T_ERRNO(add_key(".user", nm("b"), "x", 1, PROCESS), EPERM);
    T_ERRNO(add_key("", nm("b"), "x", 1, PROCESS), EINVAL);
    T_ERRNO(add_key("user", NULL, "x", 1, PROCESS), EINVAL);
    T_ERRNO(add_key("user", "", "x", 1, PROCESS), EINVAL);
    T_ERRNO(add_key("user", nm("b"), "x", 0, PROCESS), EINVAL);
    T_ERRNO(add_key("user", nm("b"), big, 32768, PROCESS), EINVAL);
    T_ERRNO(add_key("user", nm("b"), "x", 1, 0), EINVAL);
    T_ERRNO(add_key("user", nm("b"), "x", 1, 0x7ffffff0), ENOKEY);
    T_ERRNO(add_key("user", (char *)1, "x", 1, PROCESS), EFAULT);
    T_ERRNO(add_key((char *)1, nm("b"), "x", 1, PROCESS), EFAULT);
    T_ERRNO(add_key("user", nm("b"), (void *)1, 8, PROCESS), EFAULT);
    memset(big, 'a', 4096);
    T_ERRNO(add_key("user", big, "x", 1, PROCESS), EINVAL);
    big[4095] = 0;
    T_SYSOK(k = add_key("user", big, "x", 1, PROCESS));
    T_SYSOK(kc(KEYCTL_UNLINK, k, PROCESS, 0, 0));
    T_SYSOK(k = add_key("user", nm("b"), big, 32767, PROCESS));
    T_ERRNO(kc(KEYCTL_READ, k, 1, 40000, 0), EFAULT);
    T_ERRNO(kc(KEYCTL_DESCRIBE, k, 1, 4096, 0), EFAULT);
    T_ERRNO(kc(KEYCTL_UPDATE, k, (long)big, 4097, 0), EINVAL);
    T_ERRNO(request_key("user", (char *)1, NULL, 0), EFAULT);
    T_ERRNO(kc(KEYCTL_LINK, k, 0x7ffffff0, 0, 0), ENOKEY);
}

int main(void)
{
    t_init("t_keys");
    /* A process keyring of our own from the start. */
    kc(KEYCTL_GET_KEYRING_ID, PROCESS, 1, 0, 0);
    T_RUN(add_update_read_describe);
    T_RUN(request_key_search_order);
    T_RUN(keyring_read_link_unlink);
    T_RUN(timeout_expires);
    T_RUN(revoke_and_invalidate);
    T_RUN(permissions_other_uid);
    T_RUN(fork_process_and_session_keyrings);
    T_RUN(thread_keyring_per_thread);
    T_RUN(quota_non_root);
    T_RUN(proc_keys);
    T_RUN(bad_arguments);
    return t_done();
}
