/* services/current/current.h: the calling process, as the services below
 * the process service see it.
 *
 * Layer: services (safe C), an interface folder: this one header and
 * nothing else. The file layer (services/fs), the address space
 * (services/mm), exec and the syscall dispatcher run on behalf of "the
 * caller" and need a few things of it: its credentials, its file table,
 * cwd/root/umask (struct fs_context), its address space, its resource
 * limits, whether a signal is pending, its signal mask for pselect-style
 * waits. They ask here, and never include services/proc, which sits above
 * them (it forks, execs and exits, so it includes all of them). Everything
 * declared here is implemented by services/proc/current.c (and the signal
 * calls by services/proc/signal.c). May include: framework headers only. */
#ifndef SERVICES_CURRENT_H
#define SERVICES_CURRENT_H

#include <stdbool.h>
#include <stdint.h>

#include <fw/compiler.h>

struct fdtable;    /* services/fs/vfs/fdtable.h */
struct fs_context; /* services/fs/vfs/fdtable.h */
struct mm;         /* services/mm/mm.h */

/* Who a process acts as (Linux struct cred): file access checks use the
 * fs ids, permission to signal/setuid the others; privileged operations
 * ask for a capability (capabilities(7)) in the effective set. The sets
 * follow the uids as Linux's do without file capabilities: root (euid 0)
 * has them all, setuid away from root drops them (cred_caps_setuid),
 * execve gives them back to root and takes them from others
 * (cred_caps_exec), and capset(2) may drop some. */
struct cred {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	uint32_t ngroups;
	uint32_t groups[32];
	uint64_t cap_eff, cap_prm, cap_inh; /* bit n: capability n */
	/* The bounding set: what execve may ever grant (PR_CAPBSET_DROP
	 * takes from it, for good); and the securebits of PR_SET_SECUREBITS
	 * (SECBIT_KEEP_CAPS is keep_caps below). */
	uint64_t cap_bset;
	uint32_t securebits;
	/* PR_SET_NO_NEW_PRIVS: once set, kept across fork and execve, and
	 * execve may not grant privileges (set-user-ID and set-group-ID
	 * bits are ignored). */
	bool no_new_privs;
	/* PR_SET_DUMPABLE's flag, inverted so a zeroed cred is dumpable
	 * (Linux keeps it in the mm; here it rides with the ids that clear
	 * it): set by prctl or when the effective or fs ids change
	 * (commit_creds), cleared by execve when the real and effective ids
	 * agree. A process that is not dumpable has its /proc/<pid> files
	 * owned by root, which is why sshd and sftp-server ask for it. */
	bool not_dumpable;
	/* PR_SET_KEEPCAPS (Linux's SECURE_KEEP_CAPS): leaving uid 0 keeps
	 * the permitted set; kept across fork, cleared by execve. */
	bool keep_caps;
};

/* The capabilities the permission checks name (linux/capability.h). */
#define CAP_CHOWN 0
#define CAP_DAC_OVERRIDE 1
#define CAP_DAC_READ_SEARCH 2
#define CAP_FOWNER 3
#define CAP_FSETID 4
#define CAP_KILL 5
#define CAP_SETGID 6
#define CAP_SETUID 7
#define CAP_SETPCAP 8
#define CAP_NET_BIND_SERVICE 10
#define CAP_NET_BROADCAST 11
#define CAP_NET_ADMIN 12
#define CAP_NET_RAW 13
#define CAP_IPC_LOCK 14
#define CAP_IPC_OWNER 15
#define CAP_SYS_CHROOT 18
#define CAP_SYS_PTRACE 19
#define CAP_SYS_ADMIN 21
#define CAP_SYS_BOOT 22
#define CAP_SYS_NICE 23
#define CAP_SYS_RESOURCE 24
#define CAP_SYS_TIME 25
#define CAP_SYS_TTY_CONFIG 26
#define CAP_MKNOD 27
#define CAP_SYSLOG 34
#define CAP_LAST_CAP 40 /* Linux 6.1 knows 0..40 */
#define CAP_FULL_SET ((1ull << (CAP_LAST_CAP + 1)) - 1)

static inline bool cred_capable(const struct cred *c, unsigned cap)
{
	return (c->cap_eff >> cap) & 1;
}

/* Are all of target's user and group ids (real, effective, saved) me's
 * real ones? Linux's test for acting on another process without a
 * capability: ptrace's PTRACE_MODE_REALCREDS, prlimit's
 * check_prlimit_permission. */
static inline bool cred_ids_are_mine(const struct cred *me,
				     const struct cred *target)
{
	return target->uid == me->uid && target->euid == me->uid &&
	       target->suid == me->uid && target->gid == me->gid &&
	       target->egid == me->gid && target->sgid == me->gid;
}

/* The capability rules of setuid(2) and friends (Linux
 * cap_emulate_setxuid), given the uids before the change. */
#define SECBIT_NOROOT 0x01u          /* root gets no capabilities at exec */
#define SECBIT_NO_SETUID_FIXUP 0x04u /* uid changes leave them alone */
#define SECBIT_KEEP_CAPS 0x10u
#define SECURE_ALL_BITS 0x55u
#define SECURE_ALL_LOCKS 0xaau

static inline void cred_caps_setuid(struct cred *c, uint32_t old_uid,
				    uint32_t old_euid, uint32_t old_suid)
{
	if (c->securebits & SECBIT_NO_SETUID_FIXUP)
		return;
	if ((old_uid == 0 || old_euid == 0 || old_suid == 0) && c->uid != 0 &&
	    c->euid != 0 && c->suid != 0 && !c->keep_caps)
		c->cap_prm = c->cap_eff = 0;
	if (old_euid == 0 && c->euid != 0)
		c->cap_eff = 0;
	if (old_euid != 0 && c->euid == 0)
		c->cap_eff = c->cap_prm;
}

/* A change of the effective or fs ids makes the process non-dumpable
 * (Linux commit_creds, with the default suid_dumpable of 0), given the
 * cred before the change; true if they changed (commit_creds then also
 * clears the parent-death signal). */
static inline bool cred_ids_changed(struct cred *c, const struct cred *old)
{
	if (c->euid == old->euid && c->egid == old->egid &&
	    c->fsuid == old->fsuid && c->fsgid == old->fsgid)
		return false;
	c->not_dumpable = true;
	return true;
}

/* After execve, without file capabilities (Linux cap_bprm_creds_from_file):
 * a root process gets every capability, others none. */
static inline void cred_caps_exec(struct cred *c)
{
	c->keep_caps = false;
	if ((c->euid == 0 || c->uid == 0) &&
	    !(c->securebits & SECBIT_NOROOT)) {
		/* Linux handle_privileged_root: bounding | inheritable */
		c->cap_prm = (c->cap_bset | c->cap_inh) & CAP_FULL_SET;
		c->cap_eff = c->euid == 0 ? c->cap_prm : 0;
	} else {
		c->cap_prm = c->cap_eff = 0;
	}
}

/* The credentials to check file access with: the current process's, or
 * root's for kernel tasks (boot-time setup). */
const struct cred *fs_cred(void);

/* The calling process's file table / cwd, root and umask / address space;
 * NULL for a kernel task. */
struct fdtable *current_files(void);
struct fs_context *current_fs(void);
struct mm *current_mm(void);
/* Give the caller a table of its own if it shares one with another
 * process (unshare(CLONE_FILES); close_range's CLOSE_RANGE_UNSHARE):
 * 0 or -ENOMEM (services/proc/unshare.c). */
FW_MUST_CHECK int current_unshare_files(void);

/* pid and tid of the caller (0 for a kernel task); its parent's pid (-1
 * if it has none); its name as /proc/<pid>/comm shows it ("?" for a
 * kernel task). */
int current_pid(void);
int current_tid(void);
int current_parent_pid(void);
const char *current_comm(void);

/* Resource limits (Linux numbering): the caller's soft limit, or
 * RLIM_INFINITY for a kernel task. */
#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_RSS 5
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define RLIMIT_MSGQUEUE 12
#define RLIMIT_NICE 13
#define RLIMIT_RTPRIO 14
#define RLIM_NLIMITS 16
#define RLIM_INFINITY (~0ull)
uint64_t current_rlimit(unsigned resource);

/* Signals. A blocking call stops waiting when a signal is pending and
 * returns -EINTR, or -ERESTARTSYS to be restarted after the handler
 * (services/proc/signal.c decides, by SA_RESTART). */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

/* True if the calling thread has an unblocked signal pending. */
bool signal_pending_current(void);
/* Send sig to the calling thread (SIGPIPE on a write to a broken pipe,
 * SIGXFSZ past RLIMIT_FSIZE). */
void signal_send_current_thread(int sig);
/* The least stack a signal handler needs (its frame and the FPU image):
 * AT_MINSIGSTKSZ, which execve puts in the auxiliary vector. */
uint64_t signal_min_stack_size(void);

/* pselect6, ppoll, epoll_pwait: wait with a temporary signal mask.
 * current_sigmask_swap installs mask (SIGKILL and SIGSTOP stay
 * unblocked) and returns the old one in *saved; false, and nothing
 * swapped, for a kernel task. current_sigmask_restore puts the old mask
 * back now; current_sigmask_restore_after_signal only once the signal
 * that interrupted the wait has been delivered (Linux
 * set_restore_sigmask), so the temporary mask decides which handler runs. */
bool current_sigmask_swap(uint64_t mask, uint64_t *saved);
void current_sigmask_restore(uint64_t saved);
void current_sigmask_restore_after_signal(uint64_t saved);

/* signalfd: the calling thread's pending signals (its own and its
 * process's), and taking one of those in mask off them as a handler's
 * delivery would (a POSIX timer's re-arms). The fields are siginfo_t's
 * (proc/uapi.h k_siginfo): f0 holds pid | uid << 32, a timer's id |
 * overrun << 32, or a fault address; f1 the status or value; f2/f3 a
 * child's user and system time. */
struct taken_signal {
	int signo, code;
	uint64_t f0, f1, f2, f3;
};
uint64_t current_signals_pending(void);
/* The signal number, or 0 if none in mask is pending. */
int current_signal_take(uint64_t mask, struct taken_signal *out);

#endif
