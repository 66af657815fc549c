/* services/syscall/dispatch.c: the system-call table and dispatcher.
 *
 * Layer: services (safe C). A dense table indexed by the Linux x86-64
 * number, filled at boot from each subsystem's fragment. Unknown numbers
 * return -ENOSYS, and the first time each is seen it is logged with its
 * name and the program, so a missing syscall is visible, not silent. */
#include <fw/boot.h>
#include <fw/errno.h>
#include <fw/log.h>
#include <fw/panic.h>
#include "current/current.h"
#include "syscall/names.h"
#include "syscall/syscall.h"

static struct sys_entry table[SYSCALL_MAX];
static bool warned[SYSCALL_MAX];

void syscall_register_one(const struct sys_entry *e)
{
	if (e->nr >= SYSCALL_MAX)
		fw_panic("syscall: %s has number %u beyond the table", e->name,
			 e->nr);
	if (table[e->nr].fn)
		fw_panic("syscall: %u registered twice (%s and %s)", e->nr,
			 table[e->nr].name, e->name);
	table[e->nr] = *e;
}

const char *syscall_name(unsigned nr)
{
	return nr < SYSCALL_MAX && syscall_names[nr] ? syscall_names[nr] : "?";
}

/* `strace=<pid>` on the command line logs the system calls of that
 * process and its children: a debugging aid for "why does this program
 * stop here". */
static int64_t trace_pid = -1;

void syscall_trace_init(void)
{
	uint64_t pid;
	if (fw_boot_opt_u64("strace", &pid) == 0)
		trace_pid = (int64_t)pid;
}

static long traced(const struct sys_args *a, sys_fn fn)
{
	long ret;

	fw_info("[%d] %s(%#llx, %#llx, %#llx, %#llx) ...",
		current_pid(), syscall_name((unsigned)a->nr),
		(unsigned long long)a->arg[0], (unsigned long long)a->arg[1],
		(unsigned long long)a->arg[2], (unsigned long long)a->arg[3]);
	ret = fn ? fn(a) : -ENOSYS;
	fw_info("[%d] %s = %ld", current_pid(),
		syscall_name((unsigned)a->nr), ret);
	return ret;
}

long syscall_dispatch(const struct sys_args *a)
{
	sys_fn fn = a->nr < SYSCALL_MAX ? table[a->nr].fn : 0;

	if (FW_UNLIKELY(trace_pid >= 0) &&
	    (current_pid() == trace_pid || current_parent_pid() == trace_pid))
		return traced(a, fn);
	if (FW_LIKELY(fn))
		return fn(a);
	if (a->nr < SYSCALL_MAX && !warned[a->nr]) {
		warned[a->nr] = true;
		fw_warn("syscall: %s (%llu) is not implemented (called by %s, "
			"pid %d): -ENOSYS",
			syscall_name((unsigned)a->nr), (unsigned long long)a->nr,
			current_comm(), current_pid());
	}
	return -ENOSYS;
}

/* For the README's generated list: is nr implemented? */
bool syscall_implemented(unsigned nr)
{
	return nr < SYSCALL_MAX && table[nr].fn;
}
