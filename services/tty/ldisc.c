/* services/tty/ldisc.c: the N_TTY line discipline (pure logic).
 *
 * Layer: services (safe C). See ldisc.h for the contract. The structure
 * follows Linux drivers/tty/n_tty.c: n_tty_receive_char_special() for the
 * order in which a received byte is looked at (IXON, ISIG, CR/NL mapping,
 * canonical editing, echo, store), eraser() for VERASE/VWERASE/VKILL, and
 * do_output_char() for OPOST. Linux defers echo through an echo buffer
 * processed later; here echo is produced at once into the same output
 * chunk as everything else, which gives the same byte stream on a single
 * console without the deferred-echo machinery. */
#include "ldisc.h"

#define MASK(i) ((i) & (LDISC_BUF_SIZE - 1))

/* ---- character classes ----------------------------------------------- */

/* Control characters as echo sees them: C0 and DEL. Linux's ctype also
 * calls 0x80-0x9f control, which would mangle the echo of UTF-8
 * continuation bytes; we do not. */
static bool is_cntrl(uint8_t c)
{
	return c < 0x20 || c == 0x7f;
}

static bool is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

static bool iflag(const struct ldisc *ld, tcflag_t f)
{
	return (ld->tio.c_iflag & f) != 0;
}

static bool oflag(const struct ldisc *ld, tcflag_t f)
{
	return (ld->tio.c_oflag & f) != 0;
}

static bool lflag(const struct ldisc *ld, tcflag_t f)
{
	return (ld->tio.c_lflag & f) != 0;
}

/* True if c is the (enabled) control character at index idx. */
static bool is_cc(const struct ldisc *ld, unsigned idx, uint8_t c)
{
	uint8_t v = ld->tio.c_cc[idx];

	return v != _POSIX_VDISABLE && v == c;
}

/* A UTF-8 continuation byte, when the input is declared UTF-8. */
static bool is_continuation(const struct ldisc *ld, uint8_t c)
{
	return iflag(ld, IUTF8) && (c & 0xc0) == 0x80;
}

/* ---- output ----------------------------------------------------------- */

static void out_flush(struct ldisc *ld)
{
	struct fw_bytes all = FW_BYTES_OF_ARRAY(ld->obuf);
	struct fw_bytes part;

	if (ld->olen == 0)
		return;
	if (fw_bytes_sub(all, 0, ld->olen, &part) == 0)
		ld->ops->output(ld, part);
	ld->olen = 0;
}

/* Queue one byte exactly as given (no processing). */
static void out_raw(struct ldisc *ld, uint8_t c)
{
	if (ld->olen >= LDISC_OBUF)
		out_flush(ld);
	ld->obuf[ld->olen++] = c;
}

/* One byte through OPOST (Linux do_output_char), tracking the column. */
static void out_char(struct ldisc *ld, uint8_t c)
{
	if (!oflag(ld, OPOST)) {
		out_raw(ld, c);
		return;
	}
	switch (c) {
	case '\n':
		if (oflag(ld, ONLRET))
			ld->column = 0;
		if (oflag(ld, ONLCR)) {
			ld->column = 0;
			out_raw(ld, '\r');
		}
		break;
	case '\r':
		if (oflag(ld, ONOCR) && ld->column == 0)
			return;
		if (oflag(ld, OCRNL)) {
			c = '\n';
			if (oflag(ld, ONLRET))
				ld->column = 0;
			break;
		}
		ld->column = 0;
		break;
	case '\t': {
		unsigned spaces = 8 - (ld->column & 7);

		if ((ld->tio.c_oflag & TABDLY) == XTABS) {
			ld->column += spaces;
			while (spaces--)
				out_raw(ld, ' ');
			return;
		}
		ld->column += spaces;
		break;
	}
	case '\b':
		if (ld->column > 0)
			ld->column--;
		break;
	default:
		if (!is_cntrl(c)) {
			if (oflag(ld, OLCUC) && c >= 'a' && c <= 'z')
				c = (uint8_t)(c - 'a' + 'A');
			if (!is_continuation(ld, c))
				ld->column++;
		}
		break;
	}
	out_raw(ld, c);
}

void ldisc_put(struct ldisc *ld, uint8_t c)
{
	out_char(ld, c);
	out_flush(ld);
}

void ldisc_write(struct ldisc *ld, struct fw_bytes src)
{
	size_t n = fw_bytes_len(src);

	for (size_t i = 0; i < n; i++) {
		uint8_t c = 0;

		if (fw_bytes_get_u8(src, i, &c))
			break;
		out_char(ld, c);
	}
	out_flush(ld);
}

/* ---- echo ------------------------------------------------------------- */

/* Echo c, as ^X if ECHOCTL and c is a control character other than tab
 * (Linux echo_char). The caller has checked ECHO. */
static void echo_char(struct ldisc *ld, uint8_t c)
{
	if (lflag(ld, ECHOCTL) && is_cntrl(c) && c != '\t') {
		out_raw(ld, '^');
		out_raw(ld, (uint8_t)(c ^ 0x40));
		ld->column += 2;
		return;
	}
	out_char(ld, c);
}

/* Visually erase one column: "\b \b". */
static void echo_rubout(struct ldisc *ld)
{
	out_char(ld, '\b');
	out_char(ld, ' ');
	out_char(ld, '\b');
}

/* ---- the input ring --------------------------------------------------- */

static uint32_t ring_count(const struct ldisc *ld)
{
	return ld->head - ld->tail;
}

static void ring_put(struct ldisc *ld, uint8_t c, uint8_t flags)
{
	ld->buf[MASK(ld->head)] = c;
	ld->flags[MASK(ld->head)] = flags;
	ld->head++;
}

void ldisc_flush_input(struct ldisc *ld)
{
	ld->tail = ld->canon_head = ld->head = 0;
	ld->lnext = false;
	ld->pkt |= TIOCPKT_FLUSHREAD;
}

void ldisc_set_stopped(struct ldisc *ld, bool stop)
{
	if (ld->stopped == stop)
		return;
	ld->stopped = stop;
	ld->pkt = (uint8_t)((ld->pkt & ~(stop ? TIOCPKT_START : TIOCPKT_STOP)) |
			    (stop ? TIOCPKT_STOP : TIOCPKT_START));
}

/* ---- canonical editing ------------------------------------------------ */

enum kill_type { KILL_ERASE, KILL_WERASE, KILL_LINE };

/* The column a tab at the end of [canon_head, upto) started at: walk the
 * line from where its echo began (Linux's ECHO_OP_ERASE_TAB). */
static unsigned tab_start_column(const struct ldisc *ld, uint32_t upto)
{
	unsigned col = ld->canon_column;

	for (uint32_t i = ld->canon_head; i != upto; i++) {
		uint8_t c = ld->buf[MASK(i)];

		if (c == '\t')
			col = (col | 7) + 1;
		else if (is_cntrl(c) && lflag(ld, ECHOCTL))
			col += 2;
		else if (!is_cntrl(c) && !is_continuation(ld, c))
			col++;
	}
	return col;
}

/* VERASE, VWERASE, VKILL on the line being edited (Linux eraser()). */
static void eraser(struct ldisc *ld, enum kill_type kind, uint8_t kc)
{
	unsigned seen_alnums = 0;

	if (ld->head == ld->canon_head)
		return; /* nothing to erase: no echo either */
	if (kind == KILL_LINE) {
		if (!lflag(ld, ECHO)) {
			ld->head = ld->canon_head;
			return;
		}
		if (!lflag(ld, ECHOK) || !lflag(ld, ECHOKE) ||
		    !lflag(ld, ECHOE)) {
			ld->head = ld->canon_head;
			echo_char(ld, kc);
			if (lflag(ld, ECHOK))
				out_char(ld, '\n');
			return;
		}
	}
	while (ld->head != ld->canon_head) {
		uint32_t h = ld->head;
		uint8_t c;

		/* back over one possibly multi-byte character */
		do {
			h--;
			c = ld->buf[MASK(h)];
		} while (is_continuation(ld, c) && h != ld->canon_head);
		if (is_continuation(ld, c))
			break; /* a stray continuation: never erase half */
		if (kind == KILL_WERASE) {
			/* BSD ALTWERASE, as Linux: trailing separators,
			 * then one run of [A-Za-z0-9_]. */
			if (is_alnum(c) || c == '_')
				seen_alnums++;
			else if (seen_alnums)
				break;
		}
		ld->head = h;
		if (lflag(ld, ECHO)) {
			if (kind == KILL_ERASE && !lflag(ld, ECHOE)) {
				echo_char(ld, kc);
			} else if (c == '\t') {
				unsigned col = tab_start_column(ld, h);

				while (ld->column > col)
					out_char(ld, '\b');
			} else {
				if (is_cntrl(c) && lflag(ld, ECHOCTL))
					echo_rubout(ld);
				if (!is_cntrl(c) || lflag(ld, ECHOCTL))
					echo_rubout(ld);
			}
		}
		if (kind == KILL_ERASE)
			break;
	}
}

size_t ldisc_receive_room(const struct ldisc *ld)
{
	uint32_t used = ld->head - ld->tail;
	size_t room = used >= LDISC_BUF_SIZE ? 0 : LDISC_BUF_SIZE - used;

	if (room == 0 && (ld->tio.c_lflag & ICANON) &&
	    ld->canon_head == ld->tail)
		room = 1;
	return room;
}

/* Finish a line: store c with the line-end flag and make it readable. */
static void end_line(struct ldisc *ld, uint8_t c, uint8_t flags)
{
	if (ring_count(ld) >= LDISC_BUF_SIZE)
		return; /* only after a full line already took the reserve */
	ring_put(ld, c, (uint8_t)(LDISC_F_DELIM | flags));
	ld->canon_head = ld->head;
}

/* Echo and store an ordinary byte (Linux n_tty_receive_char). */
static void store_char(struct ldisc *ld, uint8_t c)
{
	uint32_t limit = LDISC_BUF_SIZE;

	/* In canonical mode keep one slot for the line end, so a full line
	 * can still be finished (Linux keeps room the same way). */
	if (lflag(ld, ICANON))
		limit = LDISC_BUF_SIZE - 1;
	if (ring_count(ld) >= limit)
		return; /* full: dropped, not echoed */
	if (lflag(ld, ECHO)) {
		if (c == '\n') {
			out_char(ld, '\n');
		} else {
			if (ld->canon_head == ld->head)
				ld->canon_column = ld->column;
			echo_char(ld, c);
		}
	}
	ring_put(ld, c, 0);
}

static void receive_signal(struct ldisc *ld, int sig, uint8_t c)
{
	ld->ops->signal(ld, sig);
	if (!lflag(ld, NOFLSH)) {
		ldisc_flush_input(ld);
		ld->pkt |= TIOCPKT_FLUSHWRITE; /* Linux flushes output too */
	}
	ldisc_set_stopped(ld, false); /* Linux restarts output (start_tty) */
	if (lflag(ld, ECHO))
		echo_char(ld, c);
}

static void receive(struct ldisc *ld, uint8_t c)
{
	if (iflag(ld, ISTRIP))
		c &= 0x7f;

	if (ld->lnext) {
		/* After VLNEXT: no special meaning, just store (and echo). */
		ld->lnext = false;
		store_char(ld, c);
		return;
	}

	if (iflag(ld, IXON)) {
		if (is_cc(ld, VSTOP, c)) {
			ldisc_set_stopped(ld, true);
			return;
		}
		if (is_cc(ld, VSTART, c)) {
			ldisc_set_stopped(ld, false);
			return;
		}
	}
	if (lflag(ld, ISIG)) {
		if (is_cc(ld, VINTR, c)) {
			receive_signal(ld, TTY_SIGINT, c);
			return;
		}
		if (is_cc(ld, VQUIT, c)) {
			receive_signal(ld, TTY_SIGQUIT, c);
			return;
		}
		if (is_cc(ld, VSUSP, c)) {
			receive_signal(ld, TTY_SIGTSTP, c);
			return;
		}
	}
	if (ld->stopped && iflag(ld, IXON) && iflag(ld, IXANY))
		ldisc_set_stopped(ld, false);

	if (c == '\r') {
		if (iflag(ld, IGNCR))
			return;
		if (iflag(ld, ICRNL))
			c = '\n';
	} else if (c == '\n' && iflag(ld, INLCR)) {
		c = '\r';
	}

	if (lflag(ld, ICANON)) {
		bool iexten = lflag(ld, IEXTEN);

		if (is_cc(ld, VERASE, c) ||
		    (c == '\b' && ld->tio.c_cc[VERASE] == 0x7f)) {
			eraser(ld, KILL_ERASE, c);
			return;
		}
		if (is_cc(ld, VKILL, c)) {
			eraser(ld, KILL_LINE, c);
			return;
		}
		if (iexten && is_cc(ld, VWERASE, c)) {
			eraser(ld, KILL_WERASE, c);
			return;
		}
		if (iexten && is_cc(ld, VLNEXT, c)) {
			ld->lnext = true;
			if (lflag(ld, ECHO) && lflag(ld, ECHOCTL)) {
				out_raw(ld, '^');
				out_raw(ld, '\b');
			}
			return;
		}
		if (iexten && lflag(ld, ECHO) && is_cc(ld, VREPRINT, c)) {
			echo_char(ld, c);
			out_char(ld, '\n');
			ld->canon_column = ld->column;
			for (uint32_t i = ld->canon_head; i != ld->head; i++)
				echo_char(ld, ld->buf[MASK(i)]);
			return;
		}
		if (c == '\n') {
			if (lflag(ld, ECHO) || lflag(ld, ECHONL))
				out_char(ld, '\n');
			end_line(ld, c, 0);
			return;
		}
		if (is_cc(ld, VEOF, c)) {
			/* Not echoed, not returned: only ends the line. */
			end_line(ld, 0, LDISC_F_EOF);
			return;
		}
		if (is_cc(ld, VEOL, c) || (iexten && is_cc(ld, VEOL2, c))) {
			if (lflag(ld, ECHO)) {
				if (ld->canon_head == ld->head)
					ld->canon_column = ld->column;
				echo_char(ld, c);
			}
			end_line(ld, c, 0);
			return;
		}
	}
	store_char(ld, c);
}

void ldisc_receive(struct ldisc *ld, uint8_t c)
{
	receive(ld, c);
	out_flush(ld);
}

/* ---- reading ---------------------------------------------------------- */

bool ldisc_readable(const struct ldisc *ld)
{
	if (lflag(ld, ICANON))
		return ld->canon_head != ld->tail;
	return ld->head != ld->tail;
}

size_t ldisc_avail(const struct ldisc *ld)
{
	uint32_t end = lflag(ld, ICANON) ? ld->canon_head : ld->head;
	size_t n = 0;

	for (uint32_t i = ld->tail; i != end; i++)
		if (!(ld->flags[MASK(i)] & LDISC_F_EOF))
			n++;
	return n;
}

size_t ldisc_read(struct ldisc *ld, struct fw_buf dst, bool *line_end)
{
	bool canon = lflag(ld, ICANON);
	bool eol = false;
	uint32_t end = canon ? ld->canon_head : ld->head;
	size_t room = fw_buf_len(dst);
	size_t n = 0;

	while (ld->tail != end) {
		uint8_t c = ld->buf[MASK(ld->tail)];
		uint8_t f = ld->flags[MASK(ld->tail)];

		if (f & LDISC_F_EOF) {
			ld->tail++;
			if (canon) {
				eol = true;
				break;
			}
			continue;
		}
		if (n >= room)
			break;
		if (fw_buf_put_u8(dst, n, c))
			break;
		n++;
		ld->tail++;
		if (canon && (f & LDISC_F_DELIM)) {
			eol = true;
			break;
		}
	}
	if (line_end)
		*line_end = eol;
	if (ld->tail == ld->head) {
		/* Empty: restart at slot 0, so indices stay small. */
		ld->tail = ld->canon_head = ld->head = 0;
	}
	return n;
}

/* ---- settings --------------------------------------------------------- */

/* ^S/^Q flow control as the other end of a pty sees it (Linux
 * pty_set_termios): IXON with the usual stop and start characters. */
static bool xon_flow(const struct ldisc *ld)
{
	return iflag(ld, IXON) && ld->tio.c_cc[VSTOP] == 0x13 &&
	       ld->tio.c_cc[VSTART] == 0x11;
}

void ldisc_set_termios(struct ldisc *ld, const struct termios *tio)
{
	bool was_canon = lflag(ld, ICANON), old_flow = xon_flow(ld);

	ld->tio = *tio;
	if (old_flow != xon_flow(ld))
		ld->pkt = (uint8_t)((ld->pkt & ~(TIOCPKT_DOSTOP | TIOCPKT_NOSTOP)) |
				    (old_flow ? TIOCPKT_NOSTOP : TIOCPKT_DOSTOP));
	if (was_canon == lflag(ld, ICANON))
		return;
	/* As n_tty_set_termios: forget line boundaries; entering canonical
	 * mode with bytes pending makes them one finished line. */
	for (uint32_t i = ld->tail; i != ld->head; i++)
		ld->flags[MASK(i)] = (uint8_t)(ld->flags[MASK(i)] & LDISC_F_EOF);
	if (lflag(ld, ICANON) && ld->head != ld->tail) {
		uint32_t last = MASK(ld->head - 1);

		ld->flags[last] = (uint8_t)(ld->flags[last] | LDISC_F_DELIM);
		ld->canon_head = ld->head;
	} else {
		ld->canon_head = ld->tail;
	}
	ld->lnext = false;
}

void ldisc_default_termios(struct termios *tio)
{
	struct termios t = {
		.c_iflag = ICRNL | IXON | IUTF8,
		.c_oflag = OPOST | ONLCR,
		.c_cflag = B38400 | CS8 | CREAD | HUPCL,
		.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL |
			   ECHOKE | IEXTEN,
		.c_line = 0,
	};

	t.c_cc[VINTR] = 0x03;    /* ^C */
	t.c_cc[VQUIT] = 0x1c;    /* ^\ */
	t.c_cc[VERASE] = 0x7f;   /* ^? */
	t.c_cc[VKILL] = 0x15;    /* ^U */
	t.c_cc[VEOF] = 0x04;     /* ^D */
	t.c_cc[VTIME] = 0;
	t.c_cc[VMIN] = 1;
	t.c_cc[VSWTC] = 0;
	t.c_cc[VSTART] = 0x11;   /* ^Q */
	t.c_cc[VSTOP] = 0x13;    /* ^S */
	t.c_cc[VSUSP] = 0x1a;    /* ^Z */
	t.c_cc[VEOL] = 0;
	t.c_cc[VREPRINT] = 0x12; /* ^R */
	t.c_cc[VDISCARD] = 0x0f; /* ^O */
	t.c_cc[VWERASE] = 0x17;  /* ^W */
	t.c_cc[VLNEXT] = 0x16;   /* ^V */
	t.c_cc[VEOL2] = 0;
	*tio = t;
}

void ldisc_init(struct ldisc *ld, const struct ldisc_ops *ops,
		const struct termios *tio)
{
	ld->ops = ops;
	ld->tio = *tio;
	ldisc_flush_input(ld);
	ld->column = 0;
	ld->canon_column = 0;
	ld->olen = 0;
	ld->stopped = false;
}
