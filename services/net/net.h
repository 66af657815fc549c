/* services/net/net.h: networking, the service's entry points.
 *
 * Layer: services (safe C), above the file layer (a socket is a file:
 * services/fs) and below init. Its parts: the generic socket layer and
 * the device registry here (socket.h, netdev.h, netem.h for the lossy-link
 * test knobs); unix/ (AF_UNIX); inet/ (IPv4, ICMP, UDP, raw sockets,
 * fragments, routes, the loopback device); tcp/ (TCP, on inet/inet.h);
 * link/ (Ethernet, ARP, AF_PACKET, BPF, NETLINK_ROUTE, ip= and DHCP). */
#ifndef SERVICES_NET_H
#define SERVICES_NET_H

/* Register the socket system calls. */
void net_syscalls_init(void);
/* The ip= boot option (link/ipconfig.c): configure the network before
 * /init runs. Logs and returns on failure; the boot goes on. */
void ipconfig_run(void);

#endif
