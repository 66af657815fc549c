/* t_caps.c: capget(2) (issue 14). stress-ng, systemd and libcap ask the
 * kernel for a process's capabilities. Root's effective and permitted
 * sets are full, an unprivileged process's empty; an unknown header
 * version gets the preferred one written back and EINVAL. Passes on
 * Linux too (as root). */
#include "t.h"

#include <stdint.h>
#include <sys/syscall.h>

/* <linux/capability.h>, which musl-gcc does not see. */
#define _LINUX_CAPABILITY_VERSION_3 0x20080522u
#define CAP_KILL 5
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

int main(void)
{
    t_init("t_caps");
    T_RUN(root_has_every_capability);
    T_RUN(unprivileged_has_none);
    T_RUN(version_probe_and_errors);
    return t_done();
}
