/* services/net/net.h: networking, the service's entry points.
 *
 * Layer: services (safe C), above the file layer (a socket is a file:
 * services/fs) and below init. Sockets of family AF_UNIX (socket.h for
 * the generic layer, unix.h for the family) and AF_INET (inet/inet.h:
 * IPv4, UDP, TCP, ICMP over the loopback device). */
#ifndef SERVICES_NET_H
#define SERVICES_NET_H

/* Register the socket system calls. */
void net_syscalls_init(void);
/* The ip= boot option (link/ipconfig.c): configure the network before
 * /init runs. Logs and returns on failure; the boot goes on. */
void ipconfig_run(void);

#endif
