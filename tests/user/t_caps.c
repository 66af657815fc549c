/* t_caps.c: capget(2) and capset(2) (issue 14). stress-ng, systemd and libcap ask the
 * kernel for a process's capabilities. Root's effective and permitted
 * sets are full, an unprivileged process's empty; an unknown header
 * version gets the preferred one written back and EINVAL. And the
 * dumpable flag that rides with the ids (issue 13: sshd's sftp-server
 * exits unless PR_SET_DUMPABLE works). Passes on Linux too (as root). */
#include "t.h"

#include <stdint.h>
#include <grp.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* <linux/capability.h>, which musl-gcc does not see. */
#define _LINUX_CAPABILITY_VERSION_3 0x20080522u
#define CAP_CHOWN 0
#define CAP_KILL 5
#define CAP_SYS_NICE 23
#define CAP_SETUID 7
#define CAP_SYS_ADMIN 21
#define CAP_SYSLOG 34
struct __user_cap_header_struct {
    uint32_t version;
    int pid;
};
struct __user_cap_data_struct {
    uint32_t effective, permitted, inheritable;
};

T_CASE(root_has_every_capability)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    memset(d, 0xAA, sizeof d);
    T_SYSOK(syscall(SYS_capget, &h, d));
    /* A container may have dropped a few from root; these it keeps.
     * Here (no capability sets of its own) root has every one. */
    T_ASSERT(d[0].effective & (1u << CAP_KILL));
    T_ASSERT(d[0].effective & (1u << CAP_SETUID));
    T_ASSERT(d[0].effective & (1u << CAP_SYS_ADMIN));
    T_ASSERT(d[1].effective & (1u << (CAP_SYSLOG - 32)));
    T_EQ(d[0].effective & ~d[0].permitted, 0);
    T_EQ(d[1].effective & ~d[1].permitted, 0);
}

T_CASE(unprivileged_has_none)
{
    pid_t pid = t_fork();
    if (pid == 0) {
        struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
        struct __user_cap_data_struct d[2];
        if (setuid(65534) != 0 || syscall(SYS_capget, &h, d) != 0)
            _exit(2);
        _exit(d[0].effective || d[0].permitted || d[1].effective ||
              d[1].permitted ? 1 : 0);
    }
    T_EXITED(pid, 0);
}

T_CASE(version_probe_and_errors)
{
    struct __user_cap_header_struct h = { 0x12345678, 0 };
    struct __user_cap_data_struct d[2];
    /* A NULL data pointer with a bad version: the version comes back. */
    T_SYSOK(syscall(SYS_capget, &h, NULL));
    T_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
    h.version = 0x12345678;
    T_ERRNO(syscall(SYS_capget, &h, d), EINVAL);
    T_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
    h.pid = 999999;
    T_ERRNO(syscall(SYS_capget, &h, d), ESRCH);
    T_ERRNO(syscall(SYS_capget, (void *)1, d), EFAULT);
}

static int capget_self(struct __user_cap_data_struct d[2])
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    return (int)syscall(SYS_capget, &h, d);
}

static int capset_self(uint64_t eff, uint64_t prm, uint64_t inh)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2] = {
        { (uint32_t)eff, (uint32_t)prm, (uint32_t)inh },
        { (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32) },
    };
    return (int)syscall(SYS_capset, &h, d);
}

static uint64_t sets(const struct __user_cap_data_struct d[2], int which)
{
    uint32_t lo = which == 0 ? d[0].effective : which == 1 ? d[0].permitted : d[0].inheritable;
    uint32_t hi = which == 0 ? d[1].effective : which == 1 ? d[1].permitted : d[1].inheritable;
    return lo | (uint64_t)hi << 32;
}

/* capset(2) drops what the checks then refuse: root without CAP_SYS_NICE
 * in its effective set may not lower a nice value, and gets it back from
 * its permitted set; without CAP_KILL at all it may not signal another
 * user's process, and cannot raise it again. */
T_CASE(capset_drops_are_enforced)
{
    pid_t pid = t_fork();
    if (pid == 0) {
        struct __user_cap_data_struct d[2];
        if (capget_self(d))
            _exit(1);
        uint64_t all = sets(d, 1);
        if (capset_self(all & ~(1ull << CAP_SYS_NICE), all, 0))
            _exit(2);
        if (setpriority(PRIO_PROCESS, 0, -5) != -1 || errno != EACCES)
            _exit(3);
        if (capset_self(all, all, 0) || setpriority(PRIO_PROCESS, 0, -5))
            _exit(4);
        /* Another user's process, which says when it is one and ends
         * when this one does (its pipe closes). */
        int ready[2], hold[2];
        if (pipe(ready) || pipe(hold))
            _exit(10);
        pid_t other = fork();
        if (other == 0) {
            char c;
            close(hold[1]);
            if (setuid(65534) || write(ready[1], "u", 1) != 1)
                _exit(1);
            while (read(hold[0], &c, 1) > 0)
                ;
            _exit(0);
        }
        char c;
        close(hold[0]);
        if (read(ready[0], &c, 1) != 1)
            _exit(11);
        uint64_t nokill = all & ~(1ull << CAP_KILL);
        if (capset_self(nokill, nokill, 0))
            _exit(5);
        int r = kill(other, SIGTERM), e = errno;
        if (capset_self(all, all, 0) != -1 || errno != EPERM)
            _exit(6); /* permitted never grows */
        if (capget_self(d) || sets(d, 0) != nokill || sets(d, 1) != nokill)
            _exit(7);
        if (r == 0)
            _exit(8);
        if (e != EPERM)
            _exit(9);
        _exit(0);
    }
    T_EXITED(pid, 0);
}

/* The rules capset checks (Linux cap_capset), and the uid changes'
 * effect on the sets (capabilities(7), "Effect of user ID changes"). */
T_CASE(capset_rules_and_setuid_transitions)
{
    pid_t pid = t_fork();
    if (pid == 0) {
        struct __user_cap_data_struct d[2];
        if (capget_self(d))
            _exit(1);
        uint64_t all = sets(d, 1), one = 1ull << CAP_CHOWN;
        if (capset_self(all, one, 0) != -1 || errno != EPERM)
            _exit(2); /* effective beyond permitted */
        struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, getppid() };
        if (syscall(SYS_capset, &h, d) != -1 || errno != EPERM)
            _exit(3); /* another process's */
        /* euid away from 0 with the saved uid still 0: effective goes,
         * permitted stays, and comes back with euid 0. */
        if (setresuid(65534, 65534, 0) || capget_self(d))
            _exit(4);
        if (sets(d, 0) != 0 || sets(d, 1) != all)
            _exit(5);
        if (setresuid(-1, 0, -1) || capget_self(d) || sets(d, 0) != all)
            _exit(6);
        /* Every uid non-zero: both go, for good. */
        if (setresuid(65534, 65534, 65534) || capget_self(d))
            _exit(7);
        if (sets(d, 0) != 0 || sets(d, 1) != 0)
            _exit(8);
        if (setresuid(0, 0, 0) != -1 || errno != EPERM)
            _exit(9);
        _exit(0);
    }
    T_EXITED(pid, 0);
}

/* The owner of /proc/<pid>/status: root while the process is not
 * dumpable (the 0555 directory /proc/<pid> keeps the euid). */
static long proc_owner(void)
{
    char path[32];
    struct stat st;
    snprintf(path, sizeof path, "/proc/%d/status", (int)getpid());
    return stat(path, &st) ? -1 : (long)st.st_uid;
}

/* issue 13: OpenSSH's sftp-server (and sshd) make themselves undumpable
 * with prctl(PR_SET_DUMPABLE, 0) and give up if that fails. */
/* PR_SET_KEEPCAPS: leaving uid 0 for good keeps the permitted set (the
 * effective one still goes), as util-linux's setpriv relies on. */
T_CASE(keepcaps_keeps_permitted_across_setuid)
{
    pid_t pid = t_fork();
    if (pid == 0) {
        struct __user_cap_data_struct d[2];
        if (capget_self(d))
            _exit(1);
        uint64_t all = sets(d, 1);
        if (prctl(PR_GET_KEEPCAPS) != 0 || prctl(PR_SET_KEEPCAPS, 2) != -1 ||
            errno != EINVAL)
            _exit(2);
        if (prctl(PR_SET_KEEPCAPS, 1) != 0 || prctl(PR_GET_KEEPCAPS) != 1)
            _exit(3);
        if (setresuid(65534, 65534, 65534) || capget_self(d))
            _exit(4);
        if (sets(d, 0) != 0 || sets(d, 1) != all)
            _exit(5);
        /* Effective again from the permitted set, without uid 0. */
        if (capset_self(all, all, 0) || capget_self(d) || sets(d, 0) != all)
            _exit(6);
        _exit(0);
    }
    T_EXITED(pid, 0);
}

static uint32_t eff0(void)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) != 0)
        return 0xffffffffu;
    return d[0].effective;
}

/* setfsuid/setfsgid as Linux's: the old fs id is the answer (-1 only
 * asks), new files take the fs ids, root's file capabilities
 * (dac_override among them) go while fsuid is not 0 and come back, an
 * id that is none of the caller's is refused silently, and setresuid
 * puts the fs id back to the effective one. Checked on Linux too. */
T_CASE(setfsuid_and_setfsgid)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        int bad = 0;
        char dir[] = "/tmp/t_caps_fsXXXXXX";
        struct stat st;

        if (!mkdtemp(dir))
            _exit(90);
        chmod(dir, 0777);
        bad |= (int)syscall(SYS_setfsuid, -1) != 0;
        bad |= (int)syscall(SYS_setfsgid, 1234) != 0;
        bad |= ((int)syscall(SYS_setfsuid, 1234) != 0) << 1;
        bad |= ((int)syscall(SYS_setfsuid, -1) != 1234) << 2;
        bad |= ((eff0() & 0x1f) != 0) << 3; /* CAP_FS_MASK's low bits */
        bad |= ((eff0() & (1u << CAP_KILL)) == 0) << 4; /* others stay */
        char f[64];
        snprintf(f, sizeof f, "%s/by_fsuid", dir);
        int fd = open(f, O_CREAT | O_WRONLY, 0600);
        bad |= (fd < 0) << 5;
        close(fd);
        bad |= (stat(f, &st) || st.st_uid != 1234 || st.st_gid != 1234) << 6;
        bad |= (getuid() != 0 || geteuid() != 0) << 7;
        bad |= ((int)syscall(SYS_setfsuid, 0) != 1234) << 8;
        bad |= ((eff0() & 0x1f) != 0x1f) << 9;
        unlink(f);
        rmdir(dir);
        if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
            _exit(91);
        bad |= ((int)syscall(SYS_setfsuid, 0) != 65534) << 10; /* refused */
        bad |= ((int)syscall(SYS_setfsuid, -1) != 65534) << 11;
        bad |= ((int)syscall(SYS_setfsgid, 0) != 65534) << 12;
        _exit(bad ? 1 : 0);
    }
    T_EXITED(c, 0);
    /* setresuid naming the effective id takes the fs id back to it;
     * with nothing to change it leaves it (Linux's no-op check) */
    c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        syscall(SYS_setfsuid, 77);
        if (setresuid(-1, -1, -1) || (int)syscall(SYS_setfsuid, -1) != 77)
            _exit(2);
        if (setresuid(-1, 0, -1))
            _exit(3);
        _exit((int)syscall(SYS_setfsuid, -1) == 0 ? 0 : 1);
    }
    T_EXITED(c, 0);
}

T_CASE(dumpable_prctl)
{
    T_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
    T_ERRNO(prctl(PR_SET_DUMPABLE, 2, 0, 0, 0), EINVAL);
    T_SYSOK(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));
    T_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
    T_SYSOK(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
    T_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
}

/* A change of the effective ids clears the flag and the parent-death
 * signal (Linux commit_creds); /proc/<pid> is then root's. */
T_CASE(dumpable_cleared_by_setuid)
{
    pid_t pid = t_fork();
    if (pid == 0) {
        int sig = -1;
        if (prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0) || setresgid(65534, 65534, 65534))
            _exit(1);
        if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0 ||
            prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0) || sig != 0)
            _exit(2);
        if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) || setresuid(65534, 65534, 65534))
            _exit(3);
        if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0 || proc_owner() != 0)
            _exit(4);
        /* Its own fd/ is root's 0500 now, and still open to it (Linux
         * proc_fd_permission). */
        int fd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
        if (fd < 0)
            _exit(7);
        close(fd);
        if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) || proc_owner() != 65534)
            _exit(5);
        if (setresuid(-1, -1, -1) || prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1)
            _exit(6); /* no change, no effect */
        _exit(0);
    }
    T_EXITED(pid, 0);
}

/* execve makes the process dumpable again when its real and effective
 * ids agree, and not when they differ (Linux begin_new_exec). */
T_CASE(dumpable_after_execve)
{
    pid_t pid = t_fork();
    if (pid == 0) {
        char *argv[] = { "t_caps", "--dumpable", "1", 0 };
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
            _exit(10);
        execv("/proc/self/exe", argv);
        _exit(11);
    }
    T_EXITED(pid, 0);
    pid = t_fork();
    if (pid == 0) {
        char *argv[] = { "t_caps", "--dumpable", "0", 0 };
        if (setresuid(65534, 0, 0))
            _exit(10);
        execv("/proc/self/exe", argv);
        _exit(11);
    }
    T_EXITED(pid, 0);
}

/* Copy this program to path with mode and owner. */
static int copy_self(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
    char buf[65536];
    int in = open("/proc/self/exe", O_RDONLY);
    int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0700);
    ssize_t n;

    if (in < 0 || out < 0)
        return -1;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n)
            return -1;
    close(in);
    close(out);
    return n < 0 || chown(path, uid, gid) || chmod(path, mode) ? -1 : 0;
}

/* Run path --ids as nobody (after prctl(PR_SET_NO_NEW_PRIVS) if nnp):
 * its "ruid euid egid secure" line in out. */
static int ids_as_nobody(const char *path, int nnp, char *out, size_t size)
{
    int p[2];
    if (pipe(p))
        return -1;
    pid_t c = t_fork();
    if (c == 0) {
        char *argv[] = { (char *)path, "--ids", 0 };
        dup2(p[1], 1);
        if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
            setresuid(65534, 65534, 65534))
            _exit(10);
        if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
            _exit(11);
        execv(path, argv);
        _exit(12);
    }
    close(p[1]);
    ssize_t n = read(p[0], out, size - 1);
    close(p[0]);
    int st;
    if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) || n <= 0)
        return -1;
    out[n] = 0;
    return 0;
}

/* Set-user-ID and set-group-ID programs (Linux's bprm_fill_uid): the
 * file's owner becomes the effective (and saved) uid, a group-executable
 * set-group-ID file's group the effective gid, AT_SECURE says so, root's
 * capabilities come with euid 0; not under no_new_privs, not from a
 * nosuid mount. */
T_CASE(setuid_and_setgid_programs)
{
    char dir[] = "/tmp/t_caps_suidXXXXXX", f[64], out[64];
    struct statvfs sv;

    T_ASSERT(mkdtemp(dir) != NULL);
    T_SYSOK(chmod(dir, 0755));
    /* a tmpfs of our own where we may mount one (not nosuid) */
    int mounted = mount("t_caps", dir, "tmpfs", 0, "mode=0755") == 0;
    T_SYSOK(statvfs(dir, &sv));
    int nosuid = (sv.f_flag & ST_NOSUID) != 0;
    snprintf(f, sizeof f, "%s/suid", dir);
    T_SYSOK(copy_self(f, 04755, 0, 0));
    T_SYSOK(ids_as_nobody(f, 0, out, sizeof out));
    T_STREQ(out, nosuid ? "65534 65534 65534 0\n" : "65534 0 65534 1\n");
    T_SYSOK(ids_as_nobody(f, 1, out, sizeof out)); /* no_new_privs */
    T_STREQ(out, "65534 65534 65534 0\n");
    snprintf(f, sizeof f, "%s/sgid", dir);
    T_SYSOK(copy_self(f, 02755, 0, 4242));
    T_SYSOK(ids_as_nobody(f, 0, out, sizeof out));
    T_STREQ(out, nosuid ? "65534 65534 65534 0\n" : "65534 65534 4242 1\n");
    T_SYSOK(chmod(f, 02745)); /* no group execute: not set-group-ID */
    T_SYSOK(ids_as_nobody(f, 0, out, sizeof out));
    T_STREQ(out, "65534 65534 65534 0\n");
    if (mounted) {
        /* the same file on a nosuid mount runs with the caller's ids */
        T_SYSOK(mount("t_caps", dir, "tmpfs", MS_REMOUNT | MS_NOSUID, "mode=0755"));
        snprintf(f, sizeof f, "%s/suid", dir);
        T_SYSOK(ids_as_nobody(f, 0, out, sizeof out));
        T_STREQ(out, "65534 65534 65534 0\n");
        T_SYSOK(umount(dir));
    } else {
        snprintf(f, sizeof f, "%s/suid", dir);
        unlink(f);
        snprintf(f, sizeof f, "%s/sgid", dir);
        unlink(f);
    }
    T_SYSOK(rmdir(dir));
}

/* The bounding set (PR_CAPBSET_READ/DROP) and the securebits, as
 * Linux's: a dropped capability is not granted to root at exec, dropping
 * needs CAP_SETPCAP; SECBIT_KEEP_CAPS is PR_SET_KEEPCAPS, SECBIT_NOROOT
 * keeps root's exec from granting anything, a locked bit stays. */
T_CASE(bounding_set_and_securebits)
{
    T_EQ(prctl(PR_CAPBSET_READ, CAP_CHOWN, 0, 0, 0), 1);
    T_ERRNO(prctl(PR_CAPBSET_READ, 64, 0, 0, 0), EINVAL);
    T_EQ(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), 0);
    pid_t c = t_fork();
    if (c == 0) {
        char *argv[] = { "t_caps", "--eff", 0 };
        if (prctl(PR_CAPBSET_DROP, CAP_CHOWN, 0, 0, 0) ||
            prctl(PR_CAPBSET_READ, CAP_CHOWN, 0, 0, 0) != 0)
            _exit(2);
        execv("/proc/self/exe", argv); /* exits 1 if CAP_CHOWN came back */
        _exit(3);
    }
    T_EXITED(c, 0);
    c = t_fork();
    if (c == 0) {
        char *argv[] = { "t_caps", "--eff", "none", 0 };
        if (prctl(PR_SET_SECUREBITS, 0x10, 0, 0, 0) ||
            prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) != 1 ||
            prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) != 0x10)
            _exit(2);
        if (prctl(PR_SET_SECUREBITS, 0x1 | 0x2, 0, 0, 0)) /* noroot, locked */
            _exit(3);
        if (prctl(PR_SET_SECUREBITS, 0, 0, 0, 0) != -1 || errno != EPERM)
            _exit(4);
        if (prctl(PR_SET_SECUREBITS, 0x100, 0, 0, 0) != -1 || errno != EPERM)
            _exit(5);
        execv("/proc/self/exe", argv); /* root, but no capabilities */
        _exit(6);
    }
    T_EXITED(c, 0);
    c = t_fork();
    if (c == 0) {
        if (setuid(65534))
            _exit(2);
        _exit(prctl(PR_CAPBSET_DROP, CAP_KILL, 0, 0, 0) == -1 && errno == EPERM &&
              prctl(PR_SET_SECUREBITS, 0x10, 0, 0, 0) == -1 && errno == EPERM ? 0 : 1);
    }
    T_EXITED(c, 0);
}

/* issue 13: there is no seccomp here, and it must look like a Linux
 * built without it (prctl EINVAL, seccomp(2) ENOSYS): that is what
 * sshd's sandbox-seccomp-filter takes as "carry on without a sandbox".
 * On a Linux with seccomp, PR_GET_SECCOMP is 0 and there is nothing to
 * check. */
T_CASE(seccomp_absent_as_on_linux_without_it)
{
    errno = 0;
    long mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
    if (mode == 0)
        return;
    T_EQ(mode, -1);
    T_EQ(errno, EINVAL);
    T_ERRNO(prctl(PR_SET_SECCOMP, 2 /* SECCOMP_MODE_FILTER */, 0, 0, 0), EINVAL);
    T_ERRNO(syscall(SYS_seccomp, 0, 0, 0), ENOSYS);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--eff") == 0) {
        uint32_t e = eff0();
        if (argc == 3) /* "none": no capability at all */
            return e == 0 ? 0 : 1;
        return (e & (1u << CAP_CHOWN)) == 0 && (e & (1u << CAP_KILL)) ? 0 : 1;
    }
    if (argc == 2 && strcmp(argv[1], "--ids") == 0) {
        printf("%d %d %d %lu\n", (int)getuid(), (int)geteuid(),
               (int)getegid(), getauxval(AT_SECURE));
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--dumpable") == 0)
        return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == atoi(argv[2]) ? 0 : 1;
    t_init("t_caps");
    T_RUN(root_has_every_capability);
    T_RUN(unprivileged_has_none);
    T_RUN(version_probe_and_errors);
    T_RUN(capset_drops_are_enforced);
    T_RUN(capset_rules_and_setuid_transitions);
    T_RUN(keepcaps_keeps_permitted_across_setuid);
    T_RUN(setfsuid_and_setfsgid);
    T_RUN(dumpable_prctl);
    T_RUN(dumpable_cleared_by_setuid);
    T_RUN(dumpable_after_execve);
    T_RUN(seccomp_absent_as_on_linux_without_it);
    T_RUN(setuid_and_setgid_programs);
    T_RUN(bounding_set_and_securebits);
    return t_done();
}
