/* services/syscall/syscall.h: how system calls are declared and dispatched.
 *
 * Layer: services (safe C). Every handler has one shape,
 *     long sys_<name>(const struct sys_args *a)
 * reading its arguments from a->arg[0..5] (rdi, rsi, rdx, r10, r8, r9) and
 * returning the result or a negative errno, exactly what Linux returns to
 * user space. Each subsystem lists its handlers in a table fragment and
 * registers it at boot (syscall_register); the dispatcher indexes them by
 * the Linux x86-64 number (<asm/unistd_64.h>). A number nobody registered
 * returns -ENOSYS and is logged once with its name and the program.
 *
 * Folder services/syscall: the table and the dispatcher. May include
 * current/current.h only (strace and the -ENOSYS log name the caller). */
#ifndef SERVICES_SYSCALL_H
#define SERVICES_SYSCALL_H

#include <fw/compiler.h>

struct sys_args {
	uint64_t arg[6]; /* rdi, rsi, rdx, r10, r8, r9 */
	uint64_t nr;     /* the syscall number (rax at entry) */
};

typedef long (*sys_fn)(const struct sys_args *a);

struct sys_entry {
	unsigned nr;      /* Linux x86-64 syscall number */
	const char *name; /* "read", for logs and the README table */
	sys_fn fn;
};

#define SYSCALL_MAX 512

/* Install one handler; panics on a duplicate number (two subsystems
 * claiming one syscall is a build mistake). */
void syscall_register_one(const struct sys_entry *e);

/* Install a subsystem's whole table (a real array of struct sys_entry). */
#define SYSCALL_REGISTER_TABLE(tbl)                                            \
	do {                                                                   \
		for (unsigned sys_i_ = 0; sys_i_ < FW_ARRAY_LEN(tbl); sys_i_++) \
			syscall_register_one(&(tbl)[sys_i_]);                  \
	} while (0)

/* Run syscall a->nr for the current thread. */
long syscall_dispatch(const struct sys_args *a);

/* Read `strace=<pid>` from the command line. */
void syscall_trace_init(void);

/* Whether a handler is registered for nr. */
bool syscall_implemented(unsigned nr);

/* The name of syscall nr ("?" if unknown), for logs. */
const char *syscall_name(unsigned nr);

#endif
