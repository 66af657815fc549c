/* services/net/uapi.h: the socket ABI: Linux x86-64 constants and struct
 * layouts (linux/net.h, linux/socket.h, asm-generic/socket.h, linux/un.h,
 * bits/socket.h).
 *
 * Layer: services (safe C), the net service's view of user space. Only
 * what the implemented families use; numbers are Linux's. */
#ifndef SERVICES_NET_UAPI_H
#define SERVICES_NET_UAPI_H

#include <stdint.h>

#include "fs/vfs/uapi.h"

/* Address families. */
#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define AF_PACKET 17
#define AF_MAX 46

/* Socket types and socket(2)/accept4(2) flags. */
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_RDM 4
#define SOCK_SEQPACKET 5
#define SOCK_PACKET 10
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK O_NONBLOCK
#define SOCK_CLOEXEC O_CLOEXEC

/* shutdown(2) and the state bits it sets (Linux sk_shutdown). */
#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2
#define RCV_SHUTDOWN 1u
#define SEND_SHUTDOWN 2u
#define SHUTDOWN_MASK 3u

/* send/recv flags. */
#define MSG_OOB 0x1u
#define MSG_PEEK 0x2u
#define MSG_DONTROUTE 0x4u
#define MSG_CTRUNC 0x8u
#define MSG_TRUNC 0x20u
#define MSG_DONTWAIT 0x40u
#define MSG_EOR 0x80u
#define MSG_WAITALL 0x100u
#define MSG_NOSIGNAL 0x4000u
#define MSG_CMSG_CLOEXEC 0x40000000u

/* Options. */
#define SOL_SOCKET 1
#define SO_DEBUG 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_DONTROUTE 5
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_OOBINLINE 10
#define SO_PRIORITY 12
#define SO_LINGER 13
#define SO_REUSEPORT 15
#define SO_PASSCRED 16
#define SO_PEERCRED 17
#define SO_RCVLOWAT 18
#define SO_SNDLOWAT 19
#define SO_RCVTIMEO_OLD 20
#define SO_SNDTIMEO_OLD 21
#define SO_BINDTODEVICE 25
#define SO_ACCEPTCONN 30
#define SO_ATTACH_FILTER 26
#define SO_DETACH_FILTER 27
#define SO_PROTOCOL 38
#define SO_DOMAIN 39
#define SO_LOCK_FILTER 44

/* Control messages. */
#define SCM_RIGHTS 1
#define SCM_CREDENTIALS 2
#define SCM_MAX_FD 253		/* Linux: fds per SCM_RIGHTS message */

/* ioctls. */
#define SIOCINQ FIONREAD
#define SIOCOUTQ 0x5411

/* Interface flags and hardware types (linux/if.h, linux/if_arp.h). */
#define IFF_UP 0x1u
#define IFF_BROADCAST 0x2u
#define IFF_LOOPBACK 0x8u
#define IFF_RUNNING 0x40u
#define IFF_MULTICAST 0x1000u
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772

/* struct sockaddr_un: a family and up to 108 path bytes. */
#define UNIX_PATH_MAX 108
#define UNIX_ADDR_MAX (2 + UNIX_PATH_MAX) /* sizeof(struct sockaddr_un) */

struct linux_msghdr {
	uint64_t msg_name;		/* user address of the address */
	uint32_t msg_namelen;
	uint32_t pad0;
	uint64_t msg_iov;		/* user address of the iovec array */
	uint64_t msg_iovlen;
	uint64_t msg_control;
	uint64_t msg_controllen;
	int32_t msg_flags;
	uint32_t pad1;
};

struct linux_mmsghdr {
	struct linux_msghdr msg_hdr;
	uint32_t msg_len;
	uint32_t pad;
};

struct linux_cmsghdr {
	uint64_t cmsg_len;		/* header and data, unpadded */
	int32_t cmsg_level;
	int32_t cmsg_type;
};

#define CMSG_HDR_LEN 16u
#define CMSG_ALIGN_TO(n) (((n) + 7u) & ~(size_t)7u)
#define CMSG_LEN_OF(n) (CMSG_HDR_LEN + (n))
#define CMSG_SPACE_OF(n) (CMSG_HDR_LEN + CMSG_ALIGN_TO(n))

struct linux_ucred {
	int32_t pid;
	uint32_t uid;
	uint32_t gid;
};

struct linux_linger {
	int32_t l_onoff;
	int32_t l_linger;
};

#endif
