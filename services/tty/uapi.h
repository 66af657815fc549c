/* services/tty/uapi.h: the Linux terminal ABI (termios, winsize, ioctls).
 *
 * Layer: services (safe C), header only. Services are built -nostdinc, so
 * the user-visible constants and layouts are copied here from the Linux
 * UAPI headers that x86-64 uses: asm-generic/termbits.h,
 * asm-generic/termbits-common.h, asm-generic/ioctls.h and
 * asm-generic/poll.h. The numbers and layouts are the ABI: do not "fix"
 * them. struct termios is the kernel's 36-byte one (NCCS = 19) that TCGETS
 * and TCSETS* copy; glibc converts its own larger struct to this one. */
#ifndef SERVICES_TTY_UAPI_H
#define SERVICES_TTY_UAPI_H

#include <fw/compiler.h>

typedef unsigned char cc_t;
typedef unsigned int speed_t;
typedef unsigned int tcflag_t;

#define NCCS 19
struct termios {
	tcflag_t c_iflag; /* input mode flags */
	tcflag_t c_oflag; /* output mode flags */
	tcflag_t c_cflag; /* control mode flags */
	tcflag_t c_lflag; /* local mode flags */
	cc_t c_line;      /* line discipline (N_TTY = 0) */
	cc_t c_cc[NCCS];  /* control characters */
};
FW_STATIC_ASSERT(sizeof(struct termios) == 36, "kernel struct termios is 36 bytes");

/* The old System V struct termio (TCGETA and friends): 16-bit flags and
 * the first 8 control characters. */
#define NCC 8
struct termio {
	uint16_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[NCC];
};
FW_STATIC_ASSERT(sizeof(struct termio) == 18, "struct termio is 18 bytes");

struct winsize {
	unsigned short ws_row;    /* rows, in characters */
	unsigned short ws_col;    /* columns, in characters */
	unsigned short ws_xpixel; /* width in pixels (unused) */
	unsigned short ws_ypixel; /* height in pixels (unused) */
};
FW_STATIC_ASSERT(sizeof(struct winsize) == 8, "struct winsize is 8 bytes");

/* c_cc indices */
#define VINTR 0
#define VQUIT 1
#define VERASE 2
#define VKILL 3
#define VEOF 4
#define VTIME 5
#define VMIN 6
#define VSWTC 7
#define VSTART 8
#define VSTOP 9
#define VSUSP 10
#define VEOL 11
#define VREPRINT 12
#define VDISCARD 13
#define VWERASE 14
#define VLNEXT 15
#define VEOL2 16

/* A c_cc entry equal to this is disabled (Linux: __DISABLED_CHAR). */
#define _POSIX_VDISABLE 0

/* c_iflag bits */
#define IGNBRK 0x001
#define BRKINT 0x002
#define IGNPAR 0x004
#define PARMRK 0x008
#define INPCK 0x010
#define ISTRIP 0x020
#define INLCR 0x040
#define IGNCR 0x080
#define ICRNL 0x100
#define IUCLC 0x0200
#define IXON 0x0400
#define IXANY 0x800
#define IXOFF 0x1000
#define IMAXBEL 0x2000
#define IUTF8 0x4000

/* c_oflag bits */
#define OPOST 0x01
#define OLCUC 0x02
#define ONLCR 0x04
#define OCRNL 0x08
#define ONOCR 0x10
#define ONLRET 0x20
#define OFILL 0x40
#define OFDEL 0x80
#define NLDLY 0x00100
#define CRDLY 0x00600
#define TABDLY 0x01800
#define TAB0 0x00000
#define TAB3 0x01800
#define XTABS 0x01800
#define BSDLY 0x02000
#define VTDLY 0x04000
#define FFDLY 0x08000

/* c_cflag bits */
#define CBAUD 0x0000100f
#define B0 0x00000000
#define B9600 0x0000000d
#define B38400 0x0000000f
#define B115200 0x00001002
#define CSIZE 0x00000030
#define CS5 0x00000000
#define CS6 0x00000010
#define CS7 0x00000020
#define CS8 0x00000030
#define CSTOPB 0x00000040
#define CREAD 0x00000080
#define PARENB 0x00000100
#define PARODD 0x00000200
#define HUPCL 0x00000400
#define CLOCAL 0x00000800
#define CBAUDEX 0x00001000
#define CIBAUD 0x100f0000
#define CRTSCTS 0x80000000

/* c_lflag bits */
#define ISIG 0x00001
#define ICANON 0x00002
#define XCASE 0x00004
#define ECHO 0x00008
#define ECHOE 0x00010
#define ECHOK 0x00020
#define ECHONL 0x00040
#define NOFLSH 0x00080
#define TOSTOP 0x00100
#define ECHOCTL 0x00200
#define ECHOPRT 0x00400
#define ECHOKE 0x00800
#define FLUSHO 0x01000
#define PENDIN 0x04000
#define IEXTEN 0x08000
#define EXTPROC 0x10000

/* tcflow() / TCXONC */
#define TCOOFF 0
#define TCOON 1
#define TCIOFF 2
#define TCION 3

/* tcflush() / TCFLSH */
#define TCIFLUSH 0
#define TCOFLUSH 1
#define TCIOFLUSH 2

/* ioctl numbers (asm-generic/ioctls.h) */
#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TCGETA 0x5405
#define TCSETA 0x5406
#define TCSETAW 0x5407
#define TCSETAF 0x5408
#define TIOCGLCKTRMIOS 0x5456
#define TIOCSLCKTRMIOS 0x5457
#define TCSBRK 0x5409
#define TCXONC 0x540A
#define TCFLSH 0x540B
#define TIOCEXCL 0x540C
#define TIOCNXCL 0x540D
#define TIOCSCTTY 0x540E
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define TIOCOUTQ 0x5411
#define TIOCSTI 0x5412
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define TIOCMGET 0x5415
#define FIONREAD 0x541B
#define TIOCINQ FIONREAD
#define TIOCLINUX 0x541C
#define TIOCGSERIAL 0x541E
#define FIONBIO 0x5421
#define TIOCNOTTY 0x5422
#define TIOCSETD 0x5423
#define TIOCGETD 0x5424
#define TCSBRKP 0x5425
#define TIOCGSID 0x5429
#define TIOCGPTN 0x80045430u   /* _IOR('T', 0x30, unsigned int) */
#define TIOCSPTLCK 0x40045431u /* _IOW('T', 0x31, int) */
#define TIOCGDEV 0x80045432u   /* _IOR('T', 0x32, unsigned int) */
#define TIOCVHANGUP 0x5437
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451
#define FIOASYNC 0x5452

/* Shared with other services (poll, signals, open flags): guarded so that a
 * second, identical definition elsewhere does not clash. */
#ifndef POLLIN
#define POLLIN 0x0001
#define POLLPRI 0x0002
#define POLLOUT 0x0004
#define POLLERR 0x0008
#define POLLHUP 0x0010
#define POLLNVAL 0x0020
#define POLLRDNORM 0x0040
#define POLLWRNORM 0x0100
#endif

/* Linux x86-64 signal numbers the TTY raises. */
#define TTY_SIGHUP 1
#define TTY_SIGINT 2
#define TTY_SIGQUIT 3
#define TTY_SIGCONT 18
#define TTY_SIGTSTP 20
#define TTY_SIGTTIN 21
#define TTY_SIGTTOU 22
#define TTY_SIGWINCH 28

/* open(2) flags the TTY looks at (asm-generic/fcntl.h). */
#define TTY_O_NONBLOCK 04000
#define TTY_O_NOCTTY 0400

#endif
