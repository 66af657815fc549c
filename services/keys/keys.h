/* services/keys/keys.h: the kernel key retention service (keyrings(7)).
 *
 * Layer: services (safe C), above proc: it keeps the thread, process and
 * session keyrings that struct thread and struct proc point to, and proc
 * calls the keys_* hooks declared in proc/proc.h at clone, execve and
 * exit. The /proc files (keys, key-users, sys/kernel/keys/) are generated
 * here through the procfs_* calls declared in fs/procfs/procfs.h.
 *
 * Folder services/keys: keys.c only. May include proc, fs/procfs,
 * current, syscall. */
#ifndef SERVICES_KEYS_H
#define SERVICES_KEYS_H

/* Register add_key, request_key and keyctl (boot). */
void keys_init(void);

#endif
