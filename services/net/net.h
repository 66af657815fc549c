/* services/net/net.h: networking, the service's entry points.
 *
 * Layer: services (safe C), above the file layer (a socket is a file:
 * services/fs) and below init. Holds only the socket calls on
 * descriptors so far (sys_socket.c): there are no sockets yet, every
 * descriptor answers ENOTSOCK. Unix and TCP sockets will live here. */
#ifndef SERVICES_NET_H
#define SERVICES_NET_H

/* Register the socket system calls. */
void net_syscalls_init(void);

#endif
