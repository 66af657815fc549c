/* services/ipc/ipc.h: System V IPC (sem.c), the service's entry points.
 *
 * Layer: services (safe C), above proc. ipc_proc_exit is declared in
 * services/proc/proc.h, which calls it (proc sits below ipc). */
#ifndef SERVICES_IPC_H
#define SERVICES_IPC_H

/* Register semget, semop, semtimedop and semctl. */
void ipc_init(void);

#endif
