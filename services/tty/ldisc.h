/* services/tty/ldisc.h: the N_TTY line discipline, as pure logic.
 *
 * Layer: services (safe C). No locks, no sleeping, no framework calls but
 * the byte views: the caller (services/tty/tty.c) serialises every call
 * with its own lock, and the host unit test (tests/unit/tty_test.c) drives
 * it directly. Semantics follow Linux drivers/tty/n_tty.c and termios(3):
 *
 *  input  ldisc_receive(): ISTRIP, IGNCR/ICRNL/INLCR, IXON ^S/^Q, ISIG
 *         (VINTR/VQUIT/VSUSP -> ops->signal, input flushed unless NOFLSH),
 *         canonical editing (VERASE, VWERASE, VKILL, VEOF, VEOL, VEOL2,
 *         VREPRINT, VLNEXT) with IUTF8-aware erase, and echo (ECHO, ECHOE,
 *         ECHOK, ECHONL, ECHOCTL, ECHOKE);
 *  read   ldisc_read(): a canonical read stops after one line (the VEOF
 *         character itself is never returned, so ^D on an empty line reads
 *         0 bytes); a raw read takes what is there. VMIN/VTIME waiting is
 *         the caller's job (it sleeps; this file does not), helped by
 *         ldisc_avail();
 *  output ldisc_write() and all echo: OPOST with ONLCR, OCRNL, ONOCR,
 *         ONLRET, OLCUC, XTABS, tracking the cursor column for tab erase.
 *
 * Output leaves through ops->output in chunks of at most LDISC_OBUF bytes;
 * signals through ops->signal. Both get the ldisc, which the owner embeds
 * in its own struct and recovers with FW_CONTAINER_OF (no void * context).
 *
 * One deliberate difference from Linux: in canonical mode ^H (BS) erases
 * like VERASE when VERASE is ^? (the default), because serial terminals
 * disagree on which of the two the backspace key sends. */
#ifndef SERVICES_TTY_LDISC_H
#define SERVICES_TTY_LDISC_H

#include <fw/bytes.h>
#include <fw/compiler.h>

#include "uapi.h"

#define LDISC_BUF_SIZE 4096 /* input buffer, a power of two (as N_TTY) */
#define LDISC_OBUF 128      /* output is handed out in chunks of this */

/* Per-byte flags of the input buffer. */
#define LDISC_F_DELIM 0x01 /* ends a canonical line */
#define LDISC_F_EOF 0x02   /* a VEOF placeholder: ends a line, never read */

struct ldisc;

struct ldisc_ops {
	/* Bytes for the terminal (echo and processed writes), in order. */
	void (*output)(struct ldisc *ld, struct fw_bytes bytes);
	/* ISIG: raise sig (TTY_SIGINT, TTY_SIGQUIT, TTY_SIGTSTP) for the
	 * foreground process group. Called before the input is flushed and
	 * the character echoed, as Linux does. */
	void (*signal)(struct ldisc *ld, int sig);
};

struct ldisc {
	const struct ldisc_ops *ops; /* callbacks, never NULL */
	struct termios tio;          /* current settings */

	/* The input ring. Indices run freely (uint32_t wrap-around); a slot
	 * is index & (LDISC_BUF_SIZE - 1). tail <= canon_head <= head:
	 * [tail, canon_head) are finished lines, [canon_head, head) is the
	 * line being edited (canonical mode; raw reads take up to head). */
	uint8_t buf[LDISC_BUF_SIZE];   /* input bytes */
	uint8_t flags[LDISC_BUF_SIZE]; /* LDISC_F_* per byte */
	uint32_t tail;       /* next byte to read */
	uint32_t canon_head; /* end of the last finished line */
	uint32_t head;       /* next free slot */

	/* Output state. */
	unsigned column;       /* cursor column, as OPOST processing sees it */
	unsigned canon_column; /* column where the edited line began */
	uint8_t obuf[LDISC_OBUF]; /* pending output, flushed per call */
	unsigned olen;            /* bytes used in obuf */

	bool lnext;   /* the next byte is literal (after VLNEXT) */
	bool stopped; /* output stopped by VSTOP (IXON); ldisc_set_stopped */
	/* What a pty master in packet mode (TIOCPKT) reports next: the
	 * TIOCPKT_* events since it last looked (flushes, output stopped or
	 * started, ^S/^Q flow control on or off). */
	uint8_t pkt;
};

#define TIOCPKT_FLUSHREAD 0x01
#define TIOCPKT_FLUSHWRITE 0x02
#define TIOCPKT_STOP 0x04
#define TIOCPKT_START 0x08
#define TIOCPKT_NOSTOP 0x10
#define TIOCPKT_DOSTOP 0x20

/* Stop or restart output (Linux stop_tty/start_tty): records
 * TIOCPKT_STOP or TIOCPKT_START when it changes. */
void ldisc_set_stopped(struct ldisc *ld, bool stop);

/* Start with settings *tio and an empty buffer. */
void ldisc_init(struct ldisc *ld, const struct ldisc_ops *ops,
		const struct termios *tio);

/* Change the settings (TCSETS*). Switching ICANON on or off re-frames the
 * buffered input as Linux does: on -> pending bytes become one line. */
void ldisc_set_termios(struct ldisc *ld, const struct termios *tio);

/* Process one received byte (the interrupt path, after buffering). */
void ldisc_receive(struct ldisc *ld, uint8_t c);

/* Copy input into dst. Canonical: up to and including the end of one
 * line (a VEOF mark ends the line without being copied). Raw: whatever is
 * buffered. Returns the bytes copied; *line_end (if not NULL) tells
 * whether a line end was consumed (canonical mode), so 0 bytes with
 * *line_end set is end of file. A line longer than dst is returned by
 * several calls. */
size_t ldisc_read(struct ldisc *ld, struct fw_buf dst, bool *line_end);

/* True if a read would not block for lack of data: a finished line in
 * canonical mode, at least one byte in raw mode. */
bool ldisc_readable(const struct ldisc *ld);

/* Bytes a read could return now (FIONREAD): the finished lines in
 * canonical mode (VEOF marks not counted), all bytes in raw mode. */
size_t ldisc_avail(const struct ldisc *ld);

/* How many bytes ldisc_receive may be given now without any being
 * dropped for lack of room (Linux n_tty receive_room): the free slots,
 * but in canonical mode with no finished line at least 1, so that a line
 * that fills the buffer can still be ended (the bytes before its end are
 * dropped, as Linux does) instead of stalling reader and writer. */
size_t ldisc_receive_room(const struct ldisc *ld);

/* Discard all buffered input (TCFLSH, TCSETSF, signals without NOFLSH). */
void ldisc_flush_input(struct ldisc *ld);

/* Output src with OPOST processing (write(2) to the terminal). */
void ldisc_write(struct ldisc *ld, struct fw_bytes src);

/* Output one byte with OPOST processing (kernel messages, tests). */
void ldisc_put(struct ldisc *ld, uint8_t c);

/* Linux console defaults (termios(3), drivers/tty/tty_io.c
 * tty_std_termios with the console's B38400). */
void ldisc_default_termios(struct termios *tio);

#endif
