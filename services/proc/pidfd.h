/* services/proc/pidfd.h: the process service's use of pidfds
 * (services/proc/pidfd.c): clone's CLONE_PIDFD, waitid's P_PIDFD, and
 * the wake-up at every exit. */
#ifndef SERVICES_PROC_PIDFD_H
#define SERVICES_PROC_PIDFD_H

#include <fw/compiler.h>
#include "proc/proc.h"

struct file;

/* A pidfd naming nobody yet, installed close-on-exec in the caller's
 * table: the descriptor and *out (a reference of the caller's, dropped
 * with file_put once pidfd_bind named the child), or -EMFILE/-ENOMEM. */
FW_MUST_CHECK int pidfd_for_clone(struct file **out);
void pidfd_bind(struct file *f, const struct proc *p);
/* waitid(P_PIDFD, fd): the pid of the process fd names (0 and *pid, and
 * whether fd is non-blocking), -EBADF if fd is no pidfd, -ECHILD if the
 * process is gone. */
FW_MUST_CHECK int pidfd_wait_target(int fd, int *pid, bool *nonblock);
/* A process exited: pidfd pollers look again. */
void pidfd_notify(void);
void pidfd_syscalls_init(void);

#endif
