/* services/current/current.h: what the file layer needs from the process
 * service.
 *
 * Layer: services (safe C). Signals come from services/proc/signal.h;
 * fs_cred (super.c) picks the credentials file access is checked with. */
#ifndef SERVICES_FS_PROC_GLUE_H
#define SERVICES_FS_PROC_GLUE_H

#include <fw/compiler.h>

#include "proc/proc.h"
#include "proc/signal.h" /* signal_pending_current, signal_send_current_thread */

/* The credentials to check file access with: the current process's, or
 * root's for kernel tasks (boot-time setup). */
const struct cred *fs_cred(void);

#endif
