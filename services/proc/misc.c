/* services/proc/misc.c: identity, credentials, limits and system info.
 *
 * Layer: services (safe C). Each follows its Linux man page, including
 * the order of argument checks; the values that describe the machine
 * (uname, sysinfo) are true ones. Time-related calls are in time.c. */
#include <fw/boot.h>
#include <fw/cpu.h>
#include <fw/errno.h>
#include <fw/frame.h>
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/power.h>
#include <fw/string.h>
#include <fw/task.h>
#include <fw/time.h>
#include <fw/uaccess.h>
#include <fw/version.h>
#include "fs/procfs/procfs.h"
#include "fs/vfs/fdtable.h"
#include "proc/proc.h"
#include "proc/proc_internal.h"
#include "proc/signal.h"
#include "proc/uapi.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

/* --- uname, hostname --------------------------------------------------- */

struct k_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65],
		domainname[65];
};

static struct fw_spinlock uts_lock = FW_SPINLOCK_INIT("uts");
static char hostname[65] = "framekernel";
static char domainname[65] = "(none)";

static long sys_uname(const struct sys_args *a)
{
	struct k_utsname u;

	memset(&u, 0, sizeof u);
	fw_strlcpy(u.sysname, "Linux", sizeof u.sysname);
	fw_spin_lock(&uts_lock);
	memcpy(u.nodename, hostname, sizeof u.nodename);
	memcpy(u.domainname, domainname, sizeof u.domainname);
	fw_spin_unlock(&uts_lock);
	/* glibc and busybox compare the release with minimum versions: say
	 * which Linux ABI level this kernel follows. */
	fw_strlcpy(u.release, "6.1.0-framekernel", sizeof u.release);
	snprintf(u.version, sizeof u.version, "#1 SMP framekernel %s",
		 FW_VERSION);
	fw_strlcpy(u.machine, "x86_64", sizeof u.machine);
	return FW_COPY_OUT_OBJ(fw_uptr(a->arg[0]), &u) ? -EFAULT : 0;
}

static long set_uts(bool host, const struct sys_args *a)
{
	char name[65];
	struct fw_buf head;

	if (!cred_capable(&proc_current()->cred, CAP_SYS_ADMIN))
		return -EPERM;
	if (a->arg[1] > 64)
		return -EINVAL;
	if (fw_buf_sub(FW_BUF_OF_ARRAY(name), 0, a->arg[1], &head) ||
	    fw_copy_in(head, fw_uptr(a->arg[0])))
		return -EFAULT;
	procfs_set_uts(host, fw_buf_as_bytes(head));
	return 0;
}

void procfs_gen_uts(struct procfs_seq *s, bool host)
{
	char name[65];

	fw_spin_lock(&uts_lock);
	if (host)
		memcpy(name, hostname, sizeof name);
	else
		memcpy(name, domainname, sizeof name);
	fw_spin_unlock(&uts_lock);
	name[64] = 0;
	procfs_printf(s, "%s\n", name);
}

void procfs_set_uts(bool host, struct fw_bytes b)
{
	char name[65];
	struct fw_buf head;

	memset(name, 0, sizeof name);
	if (fw_buf_sub(FW_BUF_OF_ARRAY(name), 0,
		       fw_bytes_len(b) < 64 ? fw_bytes_len(b) : 64, &head) ||
	    fw_buf_copy_from(head, 0, b))
		return;
	fw_spin_lock(&uts_lock);
	if (host)
		memcpy(hostname, name, sizeof hostname);
	else
		memcpy(domainname, name, sizeof domainname);
	fw_spin_unlock(&uts_lock);
}

static long sys_sethostname(const struct sys_args *a)
{
	return set_uts(true, a);
}

static long sys_setdomainname(const struct sys_args *a)
{
	return set_uts(false, a);
}

/* --- credentials ------------------------------------------------------- */

static long sys_getuid(const struct sys_args *a)
{
	(void)a;
	return proc_current()->cred.uid;
}
static long sys_geteuid(const struct sys_args *a)
{
	(void)a;
	return proc_current()->cred.euid;
}
static long sys_getgid(const struct sys_args *a)
{
	(void)a;
	return proc_current()->cred.gid;
}
static long sys_getegid(const struct sys_args *a)
{
	(void)a;
	return proc_current()->cred.egid;
}

static long put_three(const struct sys_args *a, uint32_t r, uint32_t e,
		      uint32_t s)
{
	if (FW_COPY_OUT_OBJ(fw_uptr(a->arg[0]), &r) ||
	    FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &e) ||
	    FW_COPY_OUT_OBJ(fw_uptr(a->arg[2]), &s))
		return -EFAULT;
	return 0;
}

static long sys_getresuid(const struct sys_args *a)
{
	const struct cred *c = &proc_current()->cred;
	return put_three(a, c->uid, c->euid, c->suid);
}

static long sys_getresgid(const struct sys_args *a)
{
	const struct cred *c = &proc_current()->cred;
	return put_three(a, c->gid, c->egid, c->sgid);
}

/* setresuid(2): unprivileged callers may only pick among their current
 * real, effective and saved ids; -1 (as uint32) leaves one unchanged. */
static bool id_allowed(const struct cred *c, uint32_t v, bool gid)
{
	if (cred_capable(c, gid ? CAP_SETGID : CAP_SETUID))
		return true;
	return gid ? v == c->gid || v == c->egid || v == c->sgid
		   : v == c->uid || v == c->euid || v == c->suid;
}

static long set_ids(uint32_t r, uint32_t e, uint32_t s, bool gid)
{
	struct proc *p = proc_current();
	struct cred *c = &p->cred;
	const uint32_t keep = 0xffffffffu;
	const struct cred old = *c;

	/* Nothing to change (Linux's no-op check, which also leaves an fs
	 * id set by setfsuid alone) */
	if ((r == keep || r == (gid ? c->gid : c->uid)) &&
	    (e == keep || (e == (gid ? c->egid : c->euid) &&
			   e == (gid ? c->fsgid : c->fsuid))) &&
	    (s == keep || s == (gid ? c->sgid : c->suid)))
		return 0;
	if ((r != keep && !id_allowed(c, r, gid)) ||
	    (e != keep && !id_allowed(c, e, gid)) ||
	    (s != keep && !id_allowed(c, s, gid)))
		return -EPERM;
	/* The fs id follows the effective one, also back from a setfsuid
	 * (Linux's setres[ug]id and friends set it whatever they change). */
	if (gid) {
		if (r != keep)
			c->gid = r;
		if (e != keep)
			c->egid = e;
		if (s != keep)
			c->sgid = s;
		c->fsgid = c->egid;
	} else {
		if (r != keep)
			c->uid = r;
		if (e != keep)
			c->euid = e;
		if (s != keep)
			c->suid = s;
		c->fsuid = c->euid;
		cred_caps_setuid(c, old.uid, old.euid, old.suid);
	}
	if (cred_ids_changed(c, &old))
		p->pdeathsig = 0;
	return 0;
}

static long sys_setresuid(const struct sys_args *a)
{
	return set_ids((uint32_t)a->arg[0], (uint32_t)a->arg[1],
		       (uint32_t)a->arg[2], false);
}

static long sys_setresgid(const struct sys_args *a)
{
	return set_ids((uint32_t)a->arg[0], (uint32_t)a->arg[1],
		       (uint32_t)a->arg[2], true);
}

static long sys_setreuid(const struct sys_args *a)
{
	return set_ids((uint32_t)a->arg[0], (uint32_t)a->arg[1], 0xffffffffu,
		       false);
}

static long sys_setregid(const struct sys_args *a)
{
	return set_ids((uint32_t)a->arg[0], (uint32_t)a->arg[1], 0xffffffffu,
		       true);
}

/* setuid(2): root sets all three; others only the effective id. */
static long sys_setuid(const struct sys_args *a)
{
	uint32_t id = (uint32_t)a->arg[0];
	if (cred_capable(&proc_current()->cred, CAP_SETUID))
		return set_ids(id, id, id, false);
	return set_ids(0xffffffffu, id, 0xffffffffu, false);
}

static long sys_setgid(const struct sys_args *a)
{
	uint32_t id = (uint32_t)a->arg[0];
	if (cred_capable(&proc_current()->cred, CAP_SETGID))
		return set_ids(id, id, id, true);
	return set_ids(0xffffffffu, id, 0xffffffffu, true);
}

/* The capabilities that follow the fs uid between 0 and not 0 (Linux's
 * CAP_FS_MASK: chown, dac_override, dac_read_search, fowner, fsetid,
 * linux_immutable, mac_override). */
#define CAP_FS_MASK (0x1full | 1ull << 9 | 1ull << 32)

/* setfsuid(2)/setfsgid(2), as Linux's: the old fs id is always the
 * answer; the new one is taken if it is the real, effective, saved or
 * current fs id, or with CAP_SETUID/CAP_SETGID, and (uid) the file
 * capabilities go with a change from or to 0 (cap_task_fix_setuid). */
static long set_fs_id(uint32_t id, bool gid)
{
	struct proc *p = proc_current();
	struct cred *c = &p->cred;
	const struct cred old = *c;
	uint32_t was = gid ? c->fsgid : c->fsuid;

	if (id == 0xffffffffu || id == was)
		return was;
	if (gid ? !(id == c->gid || id == c->egid || id == c->sgid ||
		    cred_capable(c, CAP_SETGID))
		: !(id == c->uid || id == c->euid || id == c->suid ||
		    cred_capable(c, CAP_SETUID)))
		return was;
	if (gid) {
		c->fsgid = id;
	} else {
		c->fsuid = id;
		if (was == 0 && id != 0)
			c->cap_eff &= ~CAP_FS_MASK;
		else if (was != 0 && id == 0)
			c->cap_eff |= c->cap_prm & CAP_FS_MASK;
	}
	if (cred_ids_changed(c, &old))
		p->pdeathsig = 0;
	return was;
}

static long sys_setfsuid(const struct sys_args *a)
{
	return set_fs_id((uint32_t)a->arg[0], false);
}

static long sys_setfsgid(const struct sys_args *a)
{
	return set_fs_id((uint32_t)a->arg[0], true);
}

static long sys_getgroups(const struct sys_args *a)
{
	const struct cred *c = &proc_current()->cred;
	int size = (int)a->arg[0];

	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return c->ngroups;
	if ((uint32_t)size < c->ngroups)
		return -EINVAL;
	for (uint32_t i = 0; i < c->ngroups; i++)
		if (FW_COPY_OUT_OBJ(fw_uptr_add(fw_uptr(a->arg[1]), 4ull * i),
				    &c->groups[i]))
			return -EFAULT;
	return c->ngroups;
}

static long sys_setgroups(const struct sys_args *a)
{
	struct cred *c = &proc_current()->cred;
	uint64_t n = a->arg[0];
	uint32_t groups[32];

	if (!cred_capable(c, CAP_SETGID))
		return -EPERM;
	if (n > FW_ARRAY_LEN(groups))
		return -EINVAL;
	for (uint64_t i = 0; i < n; i++)
		if (FW_COPY_IN_OBJ(&groups[i],
				   fw_uptr_add(fw_uptr(a->arg[1]), 4 * i)))
			return -EFAULT;
	for (uint64_t i = 0; i < n; i++)
		c->groups[i] = groups[i];
	c->ngroups = (uint32_t)n;
	return 0;
}

/* --- limits and usage -------------------------------------------------- */

static long prlimit(struct proc *p, unsigned res, fw_uptr_t newp, fw_uptr_t oldp)
{
	struct k_rlimit nl, ol;

	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	ol.cur = p->rlimit_cur[res];
	ol.max = p->rlimit_max[res];
	if (!fw_uptr_is_null(newp)) {
		if (FW_COPY_IN_OBJ(&nl, newp))
			return -EFAULT;
		if (nl.cur > nl.max)
			return -EINVAL;
		if (nl.max > ol.max &&
		    !cred_capable(&proc_current()->cred, CAP_SYS_RESOURCE))
			return -EPERM;
		/* Linux do_prlimit: never past fs.nr_open, root or not. */
		if (res == RLIMIT_NOFILE && nl.max > FD_NR_OPEN)
			return -EPERM;
	}
	if (!fw_uptr_is_null(oldp) && FW_COPY_OUT_OBJ(oldp, &ol))
		return -EFAULT;
	if (!fw_uptr_is_null(newp)) {
		p->rlimit_cur[res] = nl.cur;
		p->rlimit_max[res] = nl.max;
	}
	return 0;
}

static long sys_getrlimit(const struct sys_args *a)
{
	return prlimit(proc_current(), (unsigned)a->arg[0], fw_uptr(0),
		       fw_uptr(a->arg[1]));
}

static long sys_setrlimit(const struct sys_args *a)
{
	return prlimit(proc_current(), (unsigned)a->arg[0], fw_uptr(a->arg[1]),
		       fw_uptr(0));
}

/* Another process's limits, to read or set, need its real, effective and
 * saved user and group ids all to be the caller's real ones, or
 * CAP_SYS_RESOURCE (Linux check_prlimit_permission). Found by trinity:
 * without the check, nobody lowered root's RLIMIT_FSIZE. */
static bool may_prlimit(const struct proc *p)
{
	const struct cred *me = &proc_current()->cred;

	return p == proc_current() || cred_capable(me, CAP_SYS_RESOURCE) ||
	       cred_ids_are_mine(me, &p->cred);
}

static long sys_prlimit64(const struct sys_args *a)
{
	struct proc *p = a->arg[0] ? proc_find((int)a->arg[0]) : proc_current();
	if (!p || p->zombie)
		return -ESRCH;
	if (!may_prlimit(p))
		return -EPERM;
	return prlimit(p, (unsigned)a->arg[1], fw_uptr(a->arg[2]),
		       fw_uptr(a->arg[3]));
}

#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1

static long sys_getrusage(const struct sys_args *a)
{
	struct proc_times pt;
	struct k_rusage ru;
	uint64_t u, st;
	int who = (int)a->arg[0];

	if (who == RUSAGE_THREAD) {
		thread_times(thread_current(), &u, &st);
	} else if (who == RUSAGE_SELF || who == RUSAGE_CHILDREN) {
		proc_times(proc_current(), &pt);
		u = who == RUSAGE_SELF ? pt.utime : pt.cutime;
		st = who == RUSAGE_SELF ? pt.stime : pt.cstime;
	} else {
		return -EINVAL;
	}
	rusage_times(&ru, u, st);
	return FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &ru) ? -EFAULT : 0;
}

/* times(2): clock ticks of 1/100 s (AT_CLKTCK, sysconf(_SC_CLK_TCK)). */
static long sys_times(const struct sys_args *a)
{
	struct proc_times pt;
	int64_t tms[4];

	proc_times(proc_current(), &pt);
	tms[0] = (int64_t)(pt.utime / 10000000ull);
	tms[1] = (int64_t)(pt.stime / 10000000ull);
	tms[2] = (int64_t)(pt.cutime / 10000000ull);
	tms[3] = (int64_t)(pt.cstime / 10000000ull);
	if (a->arg[0] && fw_copy_out(fw_uptr(a->arg[0]), FW_BYTES_OF_ARRAY(tms)))
		return -EFAULT;
	return (long)(fw_time_ns() / 10000000ull);
}

struct k_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	uint8_t f[4];
};

static long sys_sysinfo(const struct sys_args *a)
{
	struct k_sysinfo si;
	int cursor = 0, n = 0;

	memset(&si, 0, sizeof si);
	si.uptime = (int64_t)(fw_time_ns() / FW_NSEC_PER_SEC);
	si.totalram = fw_frames_total() * FW_PAGE_SIZE;
	si.freeram = fw_frames_free() * FW_PAGE_SIZE;
	while (proc_next(&cursor))
		n++;
	si.procs = (uint16_t)n;
	si.mem_unit = 1;
	return FW_COPY_OUT_OBJ(fw_uptr(a->arg[0]), &si) ? -EFAULT : 0;
}

/* --- scheduling ------------------------------------------------------- */

static long sys_sched_yield(const struct sys_args *a)
{
	(void)a;
	fw_task_yield();
	return 0;
}

static long sys_getcpu(const struct sys_args *a)
{
	uint32_t cpu = fw_cpu_id(), node = 0;

	if (a->arg[0] && FW_COPY_OUT_OBJ(fw_uptr(a->arg[0]), &cpu))
		return -EFAULT;
	if (a->arg[1] && FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &node))
		return -EFAULT;
	return 0;
}

/* --- process attributes ----------------------------------------------- */

static long sys_arch_prctl(const struct sys_args *a)
{
	struct thread *t = thread_current();

	switch (a->arg[0]) {
	case ARCH_SET_FS:
		if (a->arg[1] >= FW_USER_TOP)
			return -EPERM;
		t->ctx.fs_base = a->arg[1];
		return 0;
	case ARCH_SET_GS:
		if (a->arg[1] >= FW_USER_TOP)
			return -EPERM;
		t->ctx.gs_base = a->arg[1];
		return 0;
	case ARCH_GET_FS:
		return FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &t->ctx.fs_base)
			       ? -EFAULT
			       : 0;
	case ARCH_GET_GS:
		return FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &t->ctx.gs_base)
			       ? -EFAULT
			       : 0;
	}
	return -EINVAL;
}

#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_GET_KEEPCAPS 7
#define PR_SET_KEEPCAPS 8
#define PR_GET_NAME 16
#define PR_CAPBSET_READ 23
#define PR_CAPBSET_DROP 24
#define PR_GET_SECUREBITS 27
#define PR_SET_SECUREBITS 28
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define PR_SET_SYSCALL_USER_DISPATCH 59

/* PR_SET_SECUREBITS, as Linux's cap_task_prctl: CAP_SETPCAP, known bits
 * only, and a locked bit may not change. */
static long set_securebits(struct cred *c, uint64_t v)
{
	uint32_t old = c->securebits | (c->keep_caps ? SECBIT_KEEP_CAPS : 0);

	if ((((old & SECURE_ALL_LOCKS) >> 1) & (old ^ v)) ||
	    (old & SECURE_ALL_LOCKS & ~v) ||
	    (v & ~(uint64_t)(SECURE_ALL_LOCKS | SECURE_ALL_BITS)) ||
	    !cred_capable(c, CAP_SETPCAP))
		return -EPERM;
	c->securebits = (uint32_t)v & ~SECBIT_KEEP_CAPS;
	c->keep_caps = v & SECBIT_KEEP_CAPS;
	return 0;
}

static long sys_prctl(const struct sys_args *a)
{
	struct proc *p = proc_current();
	char name[16];

	switch (a->arg[0]) {
	case PR_SET_NAME:
		memset(name, 0, sizeof name);
		if (fw_copy_in_str(FW_BUF_OF_ARRAY(name), fw_uptr(a->arg[1])) < 0 &&
		    name[0] == 0)
			return -EFAULT;
		name[15] = 0;
		memcpy(p->comm, name, sizeof p->comm);
		fw_task_set_name(fw_task_current(), name);
		return 0;
	case PR_GET_NAME:
		return fw_copy_out(fw_uptr(a->arg[1]), FW_BYTES_OF_ARRAY(p->comm))
			       ? -EFAULT
			       : 0;
	case PR_SET_PDEATHSIG:
		if (a->arg[1] > NSIG)
			return -EINVAL;
		p->pdeathsig = (int)a->arg[1];
		return 0;
	case PR_GET_PDEATHSIG: {
		int32_t sig = p->pdeathsig;
		return FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &sig) ? -EFAULT : 0;
	}
	case PR_GET_DUMPABLE:
		return p->cred.not_dumpable ? 0 : 1;
	case PR_SET_DUMPABLE: /* SUID_DUMP_DISABLE or SUID_DUMP_USER only */
		if (a->arg[1] > 1)
			return -EINVAL;
		p->cred.not_dumpable = a->arg[1] == 0;
		return 0;
	case PR_GET_KEEPCAPS:
		return p->cred.keep_caps;
	case PR_SET_KEEPCAPS:
		if (a->arg[1] > 1)
			return -EINVAL;
		p->cred.keep_caps = a->arg[1];
		return 0;
	case PR_CAPBSET_READ:
		if (a->arg[1] > CAP_LAST_CAP)
			return -EINVAL;
		return (p->cred.cap_bset >> a->arg[1]) & 1;
	case PR_CAPBSET_DROP:
		if (!cred_capable(&p->cred, CAP_SETPCAP))
			return -EPERM;
		if (a->arg[1] > CAP_LAST_CAP)
			return -EINVAL;
		p->cred.cap_bset &= ~(1ull << a->arg[1]);
		return 0;
	case PR_GET_SECUREBITS:
		return p->cred.securebits | (p->cred.keep_caps ? SECBIT_KEEP_CAPS : 0);
	case PR_SET_SECUREBITS:
		return set_securebits(&p->cred, a->arg[1]);
	case PR_SET_CHILD_SUBREAPER:
		p->child_subreaper = a->arg[1] != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		int32_t v = p->child_subreaper;
		return FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &v) ? -EFAULT : 0;
	}
	case PR_SET_NO_NEW_PRIVS: /* one way: 1, and nothing else */
		if (a->arg[1] != 1 || a->arg[2] || a->arg[3] || a->arg[4])
			return -EINVAL;
		p->cred.no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a->arg[1] || a->arg[2] || a->arg[3] || a->arg[4])
			return -EINVAL;
		return p->cred.no_new_privs;
	case PR_SET_SYSCALL_USER_DISPATCH:
		return sud_prctl(a->arg[1], a->arg[2], a->arg[3], a->arg[4]);
	}
	return -EINVAL;
}

/* capget(2)/capset(2): the capability sets of struct cred (see
 * current/current.h), which every privileged check asks. The sets are
 * kept per process (Linux keeps them per thread). */
#define LINUX_CAPABILITY_VERSION_1 0x19980330u
#define LINUX_CAPABILITY_VERSION_2 0x20071026u
#define LINUX_CAPABILITY_VERSION_3 0x20080522u

struct k_cap_header {
	uint32_t version;
	int32_t pid;
};

struct k_cap_data {
	uint32_t effective, permitted, inheritable;
};

/* The header's version: the number of k_cap_data it takes (1 or 2), or
 * -EINVAL after telling the caller the version this kernel prefers
 * (Linux cap_validate_magic). */
static int cap_header(fw_uptr_t uh, struct k_cap_header *h)
{
	if (FW_COPY_IN_OBJ(h, uh))
		return -EFAULT;
	switch (h->version) {
	case LINUX_CAPABILITY_VERSION_1:
		return 1;
	case LINUX_CAPABILITY_VERSION_2:
	case LINUX_CAPABILITY_VERSION_3:
		return 2;
	}
	h->version = LINUX_CAPABILITY_VERSION_3;
	return FW_COPY_OUT_OBJ(uh, h) ? -EFAULT : -EINVAL;
}

static long sys_capget(const struct sys_args *a)
{
	struct k_cap_header h;
	struct k_cap_data d[2];
	struct fw_bytes out;
	struct proc *p;
	int n = cap_header(fw_uptr(a->arg[0]), &h);

	if (n == -EINVAL && !a->arg[1])
		return 0; /* a probe for the version: Linux answers 0 */
	if (n < 0)
		return n;
	if (h.pid < 0)
		return -EINVAL;
	p = h.pid ? proc_find(h.pid) : proc_current();
	if (!p || p->zombie)
		return -ESRCH;
	if (!a->arg[1])
		return 0;
	for (int i = 0; i < 2; i++)
		d[i] = (struct k_cap_data){
			(uint32_t)(p->cred.cap_eff >> (32 * i)),
			(uint32_t)(p->cred.cap_prm >> (32 * i)),
			(uint32_t)(p->cred.cap_inh >> (32 * i)),
		};
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(d), 0, (size_t)n * sizeof d[0], &out) ||
	    fw_copy_out(fw_uptr(a->arg[1]), out))
		return -EFAULT;
	return 0;
}

/* Only the caller's own sets; permitted may only shrink, effective stay
 * within it, inheritable within inheritable | permitted unless
 * CAP_SETPCAP (Linux cap_capset). */
static long sys_capset(const struct sys_args *a)
{
	struct k_cap_header h;
	struct k_cap_data d[2] = { { 0 }, { 0 } };
	struct cred *c = &proc_current()->cred;
	uint64_t eff, prm, inh;
	int n = cap_header(fw_uptr(a->arg[0]), &h);

	if (n < 0)
		return n;
	if (h.pid != 0 && h.pid != current_pid() && h.pid != proc_current()->pid)
		return -EPERM;
	for (int i = 0; i < n; i++)
		if (FW_COPY_IN_OBJ(&d[i], fw_uptr_add(fw_uptr(a->arg[1]),
						      (uint64_t)i * sizeof d[0])))
			return -EFAULT;
	eff = (d[0].effective | (uint64_t)d[1].effective << 32) & CAP_FULL_SET;
	prm = (d[0].permitted | (uint64_t)d[1].permitted << 32) & CAP_FULL_SET;
	inh = (d[0].inheritable | (uint64_t)d[1].inheritable << 32) & CAP_FULL_SET;
	if ((inh & ~(c->cap_inh | c->cap_prm)) && !cred_capable(c, CAP_SETPCAP))
		return -EPERM;
	if (inh & ~(c->cap_inh | c->cap_bset))
		return -EPERM; /* nothing new outside the bounding set */
	if ((prm & ~c->cap_prm) || (eff & ~prm))
		return -EPERM;
	c->cap_eff = eff;
	c->cap_prm = prm;
	c->cap_inh = inh;
	return 0;
}

static long sys_set_robust_list(const struct sys_args *a)
{
	/* struct robust_list_head is 24 bytes; the list is only walked at
	 * thread death to release futexes held by a dying thread. */
	if (a->arg[1] != 24)
		return -EINVAL;
	thread_current()->robust_list = a->arg[0];
	return 0;
}

static long sys_get_robust_list(const struct sys_args *a)
{
	struct thread *t = a->arg[0] ? thread_find((int)a->arg[0])
				     : thread_current();
	uint64_t len = 24;

	if (!t)
		return -ESRCH;
	if (FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &t->robust_list) ||
	    FW_COPY_OUT_OBJ(fw_uptr(a->arg[2]), &len))
		return -EFAULT;
	return 0;
}

/* reboot(2): the magic numbers must match, then the command. */
#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_CMD_RESTART 0x01234567
#define LINUX_REBOOT_CMD_HALT 0xCDEF0123
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321FEDC
#define LINUX_REBOOT_CMD_CAD_ON 0x89ABCDEF
#define LINUX_REBOOT_CMD_CAD_OFF 0x00000000

static long sys_reboot(const struct sys_args *a)
{
	uint32_t m2 = (uint32_t)a->arg[1];

	if ((uint32_t)a->arg[0] != LINUX_REBOOT_MAGIC1 ||
	    (m2 != 672274793 && m2 != 85072278 && m2 != 369367448 &&
	     m2 != 537993216))
		return -EINVAL;
	if (!cred_capable(&proc_current()->cred, CAP_SYS_BOOT))
		return -EPERM;
	switch ((uint32_t)a->arg[2]) {
	case LINUX_REBOOT_CMD_RESTART:
		fw_printf("reboot: Restarting system\n");
		proc_sync_all();
		fw_reboot();
	case LINUX_REBOOT_CMD_HALT:
	case LINUX_REBOOT_CMD_POWER_OFF:
		fw_printf("reboot: Power down\n");
		proc_sync_all();
		fw_poweroff(0);
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		return 0;
	}
	return -EINVAL;
}

/* personality(2): the execution domain and its flags, kept by fork and
 * execve; 0xffffffff only asks. Returns the old value. This kernel has
 * one domain (Linux's) and lays out address spaces without randomizing
 * them, so ADDR_NO_RANDOMIZE (setarch -R, gdb) always holds; the other
 * flags change nothing here, as most change nothing on Linux x86-64. */
static long sys_personality(const struct sys_args *a)
{
	struct proc *p = proc_current();
	uint32_t old = p->personality, v = (uint32_t)a->arg[0];

	if (v != 0xffffffffu)
		p->personality = v;
	return (long)old;
}

static const struct sys_entry misc_syscalls[] = {
	{ __NR_uname, "uname", sys_uname },
	{ __NR_personality, "personality", sys_personality },
	{ __NR_sethostname, "sethostname", sys_sethostname },
	{ __NR_setdomainname, "setdomainname", sys_setdomainname },
	{ __NR_getuid, "getuid", sys_getuid },
	{ __NR_geteuid, "geteuid", sys_geteuid },
	{ __NR_getgid, "getgid", sys_getgid },
	{ __NR_getegid, "getegid", sys_getegid },
	{ __NR_getresuid, "getresuid", sys_getresuid },
	{ __NR_getresgid, "getresgid", sys_getresgid },
	{ __NR_setresuid, "setresuid", sys_setresuid },
	{ __NR_setresgid, "setresgid", sys_setresgid },
	{ __NR_setfsuid, "setfsuid", sys_setfsuid },
	{ __NR_setfsgid, "setfsgid", sys_setfsgid },
	{ __NR_setreuid, "setreuid", sys_setreuid },
	{ __NR_setregid, "setregid", sys_setregid },
	{ __NR_setuid, "setuid", sys_setuid },
	{ __NR_setgid, "setgid", sys_setgid },
	{ __NR_getgroups, "getgroups", sys_getgroups },
	{ __NR_setgroups, "setgroups", sys_setgroups },
	{ __NR_getrlimit, "getrlimit", sys_getrlimit },
	{ __NR_setrlimit, "setrlimit", sys_setrlimit },
	{ __NR_prlimit64, "prlimit64", sys_prlimit64 },
	{ __NR_getrusage, "getrusage", sys_getrusage },
	{ __NR_times, "times", sys_times },
	{ __NR_sysinfo, "sysinfo", sys_sysinfo },
	{ __NR_sched_yield, "sched_yield", sys_sched_yield },
	{ __NR_getcpu, "getcpu", sys_getcpu },
	{ __NR_arch_prctl, "arch_prctl", sys_arch_prctl },
	{ __NR_prctl, "prctl", sys_prctl },
	{ __NR_capget, "capget", sys_capget },
	{ __NR_capset, "capset", sys_capset },
	{ __NR_set_robust_list, "set_robust_list", sys_set_robust_list },
	{ __NR_get_robust_list, "get_robust_list", sys_get_robust_list },
	{ __NR_reboot, "reboot", sys_reboot },
};

void misc_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(misc_syscalls);
}
