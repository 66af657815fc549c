/* tests/unit/tty_test.c: the N_TTY line discipline on the host.
 *
 * Layer: host unit test for services/tty/ldisc.c. Each case feeds bytes as
 * the serial line would, then checks three things: what a read(2) would
 * return, the exact echo/output bytes (captured through the ldisc's output
 * callback), and the signals raised through its signal callback. Expected
 * output follows Linux n_tty with the console defaults (ICRNL IXON IUTF8,
 * OPOST ONLCR, ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN).
 *
 * unit-sources: services/tty/ldisc.c */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fw/bytes.h>
#include <fw/list.h>

#include "../../services/tty/ldisc.h"
#include "harness.h"

struct cap {
	struct ldisc ld;
	char out[16384];
	size_t olen;
	int sigs[16];
	int nsig;
};

static struct cap *cap;

static void cap_output(struct ldisc *ld, struct fw_bytes b)
{
	struct cap *c = FW_CONTAINER_OF(ld, struct cap, ld);
	size_t n = fw_bytes_len(b);

	if (n > LDISC_OBUF || c->olen + n > sizeof c->out) {
		fprintf(stderr, "output overflow\n");
		abort();
	}
	memcpy(c->out + c->olen, fw__bytes_ptr(b), n);
	c->olen += n;
}

static void cap_signal(struct ldisc *ld, int sig)
{
	struct cap *c = FW_CONTAINER_OF(ld, struct cap, ld);

	if (c->nsig < 16)
		c->sigs[c->nsig++] = sig;
}

static const struct ldisc_ops cap_ops = {
	.output = cap_output,
	.signal = cap_signal,
};

/* A fresh ldisc with the console defaults. */
static void setup(void)
{
	struct termios tio;

	free(cap);
	cap = calloc(1, sizeof *cap);
	if (!cap)
		abort();
	ldisc_default_termios(&tio);
	ldisc_init(&cap->ld, &cap_ops, &tio);
}

static void set_lflag(tcflag_t on, tcflag_t off)
{
	struct termios t = cap->ld.tio;

	t.c_lflag = (t.c_lflag | on) & ~off;
	ldisc_set_termios(&cap->ld, &t);
}

static void set_iflag(tcflag_t on, tcflag_t off)
{
	struct termios t = cap->ld.tio;

	t.c_iflag = (t.c_iflag | on) & ~off;
	ldisc_set_termios(&cap->ld, &t);
}

static void set_oflag(tcflag_t on, tcflag_t off)
{
	struct termios t = cap->ld.tio;

	t.c_oflag = (t.c_oflag | on) & ~off;
	ldisc_set_termios(&cap->ld, &t);
}

static void feedn(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ldisc_receive(&cap->ld, (uint8_t)s[i]);
}

static void feed(const char *s)
{
	feedn(s, strlen(s));
}

/* One read(2) of up to max bytes into out (NUL-terminated); returns the
 * count, *eol whether a line end was consumed. */
static size_t rd(char *out, size_t max, bool *eol)
{
	uint8_t *kb = malloc(max ? max : 1);
	struct fw_buf b = fw__buf_make(kb, max);
	size_t n = ldisc_read(&cap->ld, b, eol);

	memcpy(out, kb, n);
	out[n] = 0;
	free(kb);
	return n;
}

/* Is the captured output exactly s (n bytes)? Clears the capture. */
static bool out_is(const char *s, size_t n)
{
	bool ok = cap->olen == n && memcmp(cap->out, s, n) == 0;

	if (!ok) {
		fprintf(stderr, "  output was (%zu bytes): ", cap->olen);
		for (size_t i = 0; i < cap->olen; i++)
			fprintf(stderr, "%02x ", (uint8_t)cap->out[i]);
		fprintf(stderr, "\n  expected  (%zu bytes): ", n);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "%02x ", (uint8_t)s[i]);
		fprintf(stderr, "\n");
	}
	cap->olen = 0;
	return ok;
}
#define OUT_IS(lit) out_is(lit, sizeof(lit) - 1)

/* ---- canonical mode --------------------------------------------------- */

static void canon_line_and_icrnl(void)
{
	char buf[64];
	bool eol = false;

	setup();
	feed("abc");
	CHECK(!ldisc_readable(&cap->ld));
	CHECK(rd(buf, sizeof buf - 1, &eol) == 0 && !eol);
	feed("\r"); /* ICRNL: Enter sends CR, the line ends in NL */
	CHECK(ldisc_readable(&cap->ld));
	CHECK(ldisc_avail(&cap->ld) == 4);
	CHECK(OUT_IS("abc\r\n"));
	CHECK(rd(buf, sizeof buf - 1, &eol) == 4 && eol);
	CHECK(strcmp(buf, "abc\n") == 0);
	CHECK(!ldisc_readable(&cap->ld));
}

static void canon_one_line_per_read(void)
{
	char buf[64];
	bool eol = false;

	setup();
	feed("one\ntwo\n");
	CHECK(rd(buf, sizeof buf - 1, &eol) == 4 && eol);
	CHECK(strcmp(buf, "one\n") == 0);
	CHECK(rd(buf, sizeof buf - 1, &eol) == 4 && eol);
	CHECK(strcmp(buf, "two\n") == 0);
}

static void canon_short_reads(void)
{
	char buf[8];
	bool eol = true;

	setup();
	feed("abcde\n");
	CHECK(rd(buf, 2, &eol) == 2 && !eol && strcmp(buf, "ab") == 0);
	CHECK(rd(buf, 2, &eol) == 2 && !eol && strcmp(buf, "cd") == 0);
	CHECK(rd(buf, 2, &eol) == 2 && eol && strcmp(buf, "e\n") == 0);
	CHECK(!ldisc_readable(&cap->ld));
}

static void canon_erase(void)
{
	char buf[64];
	bool eol;

	setup();
	feed("abx\x7f" "c\n");
	CHECK(OUT_IS("abx\b \bc\r\n"));
	CHECK(rd(buf, sizeof buf - 1, &eol) == 4 && strcmp(buf, "abc\n") == 0);

	/* ^H erases too (terminals that send BS for the backspace key). */
	feed("xy\b\n");
	CHECK(OUT_IS("xy\b \b\r\n"));
	CHECK(rd(buf, sizeof buf - 1, &eol) == 2 && strcmp(buf, "x\n") == 0);

	/* Erase on an empty line does nothing and echoes nothing. */
	feed("\x7f\x7f" "q\n");
	CHECK(OUT_IS("q\r\n"));
	CHECK(rd(buf, sizeof buf - 1, &eol) == 2 && strcmp(buf, "q\n") == 0);
}

static void canon_erase_without_echoe(void)
{
	char buf[64];
	bool eol;

	setup();
	set_lflag(0, ECHOE);
	feed("ab\x7f\n");
	CHECK(OUT_IS("ab^?\r\n"));
	CHECK(rd(buf, sizeof buf - 1, &eol) == 2 && strcmp(buf, "a\n") == 0);
}

static void canon_erase_utf8(void)
{
	char buf[64];
	bool eol;

	setup();
	/* 'a', U+00E9 (2 bytes), U+20AC (3 bytes); two erases remove both
	 * multi-byte characters whole, each with one "\b \b". */
	feed("a\xc3\xa9\xe2\x82\xac\x7f\x7f\n");
	CHECK(OUT_IS("a\xc3\xa9\xe2\x82\xac\b \b\b \b\r\n"));
	CHECK(rd(buf, sizeof buf - 1, &eol) == 2 && strcmp(buf, "a\n") == 0);

	/* Without IUTF8 an erase takes one byte. */
	set_iflag(0, IUTF8);
	feed("\xc3\xa9\x7f\n");
	CHECK(rd(buf, sizeof buf - 1, &eol) == 2 && buf[0] == '\xc3' &&
	      buf[1] == '\n');
}

static void canon_kill(void)
{
	char buf[64];
	bool eol;

	setup();
	/* ECHOKE (default): the line is rubbed out character by character. */
	feed("hello\x15");
	CHECK(OUT_IS("hello\b \b\b \b\b \b\b \b\b \b"));
	feed("world\n");
	CHECK(rd(buf, sizeof buf - 1, &eol) == 6 && strcmp(buf, "world\n") == 0);
	cap->olen = 0;

	/* ECHOK without ECHOKE: echo the kill char and a newline. */
	set_lflag(0, ECHOKE);
	feed("abc\x15");
	CHECK(OUT_IS("abc^U\r\n"));
	feed("d\n");
	CHECK(rd(buf, sizeof buf - 1, &eol) == 2 && strcmp(buf, "d\n") == 0);
}

static void canon_werase(void)
{
	char buf[64];
	bool eol;

	setup();
	feed("foo bar  \x17");
	/* two spaces then "bar": five rubouts */
	CHECK(OUT_IS("foo bar  \b \b\b \b\b \b\b \b\b \b"));
	feed("baz\n");
	CHECK(rd(buf, sizeof buf - 1, &eol) == 8 &&
	      strcmp(buf, "foo baz\n") == 0);

	/* '_' and digits are word characters; '/' is not. */
	feed("cd /usr/lo_c4l\x17\n");
	CHECK(rd(buf, sizeof buf - 1, &eol) == 9 &&
	      strcmp(buf, "cd /usr/\n") == 0);

	/* Without IEXTEN ^W is an ordinary character. */
	set_lflag(0, IEXTEN);
	feed("a\x17\n");
	CHECK(rd(buf, sizeof buf - 1, &eol) == 3 && buf[1] == 0x17);
}

static void canon_eof(void)
{
	char buf[64];
	bool eol = false;

	setup();
	/* ^D on an empty line: a read returns 0 (end of file), no echo. */
	feed("\x04");
	CHECK(ldisc_readable(&cap->ld));
	CHECK(ldisc_avail(&cap->ld) == 0);
	CHECK(rd(buf, sizeof buf - 1, &eol) == 0 && eol);
	CHECK(OUT_IS(""));
	CHECK(!ldisc_readable(&cap->ld));

	/* ^D after text: the text is returned without a newline, and ^D is
	 * not part of it; the next read blocks again. */
	feed("ab\x04");
	CHECK(OUT_IS("ab"));
	CHECK(rd(buf, sizeof buf - 1, &eol) == 2 && eol);
	CHECK(strcmp(buf, "ab") == 0);
	CHECK(!ldisc_readable(&cap->ld));

	/* Two ^D: "x" then end of file. */
	feed("x\x04\x04");
	CHECK(rd(buf, sizeof buf - 1, &eol) == 1 && eol);
	CHECK(rd(buf, sizeof buf - 1, &eol) == 0 && eol);
}

static void canon_eol_char(void)
{
	struct termios t;
	char buf[64];
	bool eol;

	setup();
	t = cap->ld.tio;
	t.c_cc[VEOL] = ';';
	ldisc_set_termios(&cap->ld, &t);
	feed("ls;");
	CHECK(OUT_IS("ls;"));
	CHECK(rd(buf, sizeof buf - 1, &eol) == 3 && eol &&
	      strcmp(buf, "ls;") == 0);
	/* VEOL 0 is disabled: NUL is ordinary data. */
	feedn("a\0b\n", 4);
	CHECK(rd(buf, sizeof buf - 1, &eol) == 4 && buf[1] == 0);
}

static void canon_echoctl(void)
{
	char buf[64];
	bool eol;

	setup();
	feed("\x01" "\x1b[A");
	CHECK(OUT_IS("^A^[[A"));
	/* Erasing a control character rubs out both columns. */
	feed("\x7f\x7f\x7f");
	CHECK(OUT_IS("\b \b\b \b\b \b\b \b"));
	feed("\n");
	CHECK(OUT_IS("\r\n"));
	CHECK(rd(buf, sizeof buf - 1, &eol) == 2 && buf[0] == 0x01);

	/* Without ECHOCTL control characters are echoed as themselves. */
	set_lflag(0, ECHOCTL);
	feed("\x01");
	CHECK(OUT_IS("\x01"));
}

static void canon_echo_off_and_echonl(void)
{
	char buf[64];
	bool eol;

	setup();
	set_lflag(0, ECHO);
	feed("secret\n");
	CHECK(OUT_IS(""));
	CHECK(rd(buf, sizeof buf - 1, &eol) == 7);
	set_lflag(ECHONL, 0);
	feed("pw\n");
	CHECK(OUT_IS("\r\n"));
}

static void canon_tab_erase(void)
{
	setup();
	ldisc_write(&cap->ld, fw__bytes_make("$ ", 2)); /* prompt: column 2 */
	CHECK(cap->ld.column == 2);
	feed("\t");
	CHECK(cap->ld.column == 8);
	feed("\x7f");
	CHECK(OUT_IS("$ \t\b\b\b\b\b\b"));
	CHECK(cap->ld.column == 2);
	feed("ab\t");
	CHECK(cap->ld.column == 8);
	feed("\x7f");
	CHECK(cap->ld.column == 4);
}

static void canon_lnext_and_reprint(void)
{
	char buf[64];
	bool eol;

	setup();
	feed("\x16\x03"); /* ^V ^C: a literal ^C, no signal */
	CHECK(cap->nsig == 0);
	CHECK(OUT_IS("^\b^C"));
	feed("x\x12"); /* ^R reprints the line */
	CHECK(OUT_IS("x^R\r\n^Cx"));
	feed("\n");
	CHECK(rd(buf, sizeof buf - 1, &eol) == 3 && buf[0] == 0x03);
}

static void canon_full_buffer(void)
{
	static char big[5000];
	static char buf[LDISC_BUF_SIZE + 8];
	bool eol;

	setup();
	set_lflag(0, ECHO);
	memset(big, 'x', sizeof big);
	feedn(big, sizeof big);
	CHECK(!ldisc_readable(&cap->ld));
	feed("\n"); /* the reserved slot takes the line end */
	CHECK(rd(buf, sizeof buf - 1, &eol) == LDISC_BUF_SIZE && eol);
	CHECK(buf[LDISC_BUF_SIZE - 2] == 'x' && buf[LDISC_BUF_SIZE - 1] == '\n');
	feed("ok\n");
	CHECK(rd(buf, sizeof buf - 1, &eol) == 3 && strcmp(buf, "ok\n") == 0);
}

/* ---- input mapping ---------------------------------------------------- */

static void input_cr_nl_mapping(void)
{
	char buf[64];
	bool eol;

	setup();
	/* -icrnl: CR is data (echoed ^M), only NL ends the line. */
	set_iflag(0, ICRNL);
	feed("a\r");
	CHECK(!ldisc_readable(&cap->ld));
	CHECK(OUT_IS("a^M"));
	feed("\n");
	CHECK(rd(buf, sizeof buf - 1, &eol) == 3 && strcmp(buf, "a\r\n") == 0);

	/* igncr: CR disappears. */
	set_iflag(IGNCR, 0);
	feed("b\r\n");
	CHECK(rd(buf, sizeof buf - 1, &eol) == 2 && strcmp(buf, "b\n") == 0);

	/* inlcr (and no icrnl/igncr): NL becomes CR, which is not a line
	 * end. */
	set_iflag(INLCR, IGNCR);
	feed("c\n");
	CHECK(!ldisc_readable(&cap->ld));
	set_lflag(0, ICANON);
	CHECK(rd(buf, sizeof buf - 1, &eol) == 2 && strcmp(buf, "c\r") == 0);
}

static void input_istrip(void)
{
	char buf[8];
	bool eol;

	setup();
	set_lflag(0, ICANON | ECHO);
	set_iflag(ISTRIP, 0);
	feed("\xe1");
	CHECK(rd(buf, sizeof buf - 1, &eol) == 1 && buf[0] == 'a');
}

static void input_ixon(void)
{
	char buf[8];
	bool eol;

	setup();
	feed("\x13");
	CHECK(cap->ld.stopped);
	feed("\x11");
	CHECK(!cap->ld.stopped);
	feed("\n");
	CHECK(rd(buf, sizeof buf - 1, &eol) == 1 && buf[0] == '\n');
	/* -ixon: ^S is data. */
	set_iflag(0, IXON);
	feed("\x13");
	CHECK(!cap->ld.stopped);
	CHECK(OUT_IS("\r\n^S"));
}

/* ---- signals ---------------------------------------------------------- */

static void isig_signals(void)
{
	setup();
	feed("abc\x03");
	CHECK(cap->nsig == 1 && cap->sigs[0] == 2); /* SIGINT */
	CHECK(OUT_IS("abc^C"));
	CHECK(!ldisc_readable(&cap->ld) && cap->ld.head == cap->ld.tail);
	feed("\x1c");
	CHECK(cap->nsig == 2 && cap->sigs[1] == 3); /* SIGQUIT */
	CHECK(OUT_IS("^\\"));
	feed("\x1a");
	CHECK(cap->nsig == 3 && cap->sigs[2] == 20); /* SIGTSTP */
	CHECK(OUT_IS("^Z"));
}

static void isig_noflsh_and_off(void)
{
	char buf[16];
	bool eol;

	setup();
	set_lflag(NOFLSH, 0);
	feed("ab\x03" "c\n");
	CHECK(cap->nsig == 1 && cap->sigs[0] == 2);
	CHECK(rd(buf, sizeof buf - 1, &eol) == 4 && strcmp(buf, "abc\n") == 0);

	/* -isig: ^C is an ordinary character. */
	set_lflag(0, ISIG);
	feed("\x03\n");
	CHECK(cap->nsig == 1);
	CHECK(rd(buf, sizeof buf - 1, &eol) == 2 && buf[0] == 0x03);

	/* raw mode keeps ISIG (as vi and busybox line editing use it). */
	set_lflag(ISIG, ICANON | ECHO);
	feed("\x1a");
	CHECK(cap->nsig == 2 && cap->sigs[1] == 20);
}

/* ---- non-canonical mode ----------------------------------------------- */

static void raw_mode(void)
{
	char buf[16];
	bool eol = true;

	setup();
	set_lflag(0, ICANON | ECHO);
	CHECK(!ldisc_readable(&cap->ld));
	/* VMIN=0/VTIME=0 style poll: nothing there reads 0 bytes. */
	CHECK(rd(buf, sizeof buf - 1, &eol) == 0 && !eol);
	feed("a");
	CHECK(ldisc_readable(&cap->ld) && ldisc_avail(&cap->ld) == 1);
	/* editing and EOF characters are plain data */
	feed("\x7f\x04\x15" "b");
	CHECK(OUT_IS(""));
	CHECK(ldisc_avail(&cap->ld) == 5);
	CHECK(rd(buf, 3, &eol) == 3 && !eol);
	CHECK(buf[0] == 'a' && buf[1] == 0x7f && buf[2] == 0x04);
	CHECK(rd(buf, sizeof buf - 1, &eol) == 2 && buf[0] == 0x15);
	/* ICRNL still applies in raw mode unless cleared */
	feed("\r");
	CHECK(rd(buf, sizeof buf - 1, &eol) == 1 && buf[0] == '\n');
	/* echo in raw mode uses ECHOCTL too */
	set_lflag(ECHO, 0);
	feed("\x1bx");
	CHECK(OUT_IS("^[x"));
}

static void mode_switch(void)
{
	char buf[16];
	bool eol;

	setup();
	/* a partial canonical line becomes readable in raw mode */
	feed("abc");
	set_lflag(0, ICANON);
	CHECK(ldisc_readable(&cap->ld));
	CHECK(rd(buf, sizeof buf - 1, &eol) == 3 && strcmp(buf, "abc") == 0);
	/* raw bytes pending when ICANON comes back form one line */
	feed("xy");
	set_lflag(ICANON, 0);
	CHECK(ldisc_readable(&cap->ld));
	CHECK(rd(buf, sizeof buf - 1, &eol) == 2 && eol &&
	      strcmp(buf, "xy") == 0);
	CHECK(!ldisc_readable(&cap->ld));
}

/* ---- output ----------------------------------------------------------- */

static void output_onlcr(void)
{
	setup();
	ldisc_write(&cap->ld, fw__bytes_make("a\nb\r\n", 5));
	CHECK(OUT_IS("a\r\nb\r\r\n"));
	CHECK(cap->ld.column == 0);
	set_oflag(0, ONLCR);
	ldisc_write(&cap->ld, fw__bytes_make("a\nb", 3));
	CHECK(OUT_IS("a\nb"));
	set_oflag(ONLCR, OPOST);
	ldisc_write(&cap->ld, fw__bytes_make("a\nb", 3));
	CHECK(OUT_IS("a\nb"));
	set_oflag(OPOST | OCRNL, ONLCR);
	ldisc_write(&cap->ld, fw__bytes_make("x\r", 2));
	CHECK(OUT_IS("x\n"));
	/* OCRNL without ONLRET does not reset the column */
	CHECK(cap->ld.column == 3);
	set_oflag(XTABS, OCRNL);
	ldisc_write(&cap->ld, fw__bytes_make("\rab\tc", 5));
	CHECK(OUT_IS("\rab      c"));
	CHECK(cap->ld.column == 9);
}

static void output_large_write(void)
{
	static char big[1000];

	setup();
	memset(big, '\n', sizeof big);
	ldisc_write(&cap->ld, fw__bytes_make(big, sizeof big));
	CHECK(cap->olen == 2000);
	CHECK(cap->out[0] == '\r' && cap->out[1] == '\n' &&
	      cap->out[1998] == '\r' && cap->out[1999] == '\n');
}

int main(void)
{
	TEST_SUITE("tty");
	RUN(canon_line_and_icrnl);
	RUN(canon_one_line_per_read);
	RUN(canon_short_reads);
	RUN(canon_erase);
	RUN(canon_erase_without_echoe);
	RUN(canon_erase_utf8);
	RUN(canon_kill);
	RUN(canon_werase);
	RUN(canon_eof);
	RUN(canon_eol_char);
	RUN(canon_echoctl);
	RUN(canon_echo_off_and_echonl);
	RUN(canon_tab_erase);
	RUN(canon_lnext_and_reprint);
	RUN(canon_full_buffer);
	RUN(input_cr_nl_mapping);
	RUN(input_istrip);
	RUN(input_ixon);
	RUN(isig_signals);
	RUN(isig_noflsh_and_off);
	RUN(raw_mode);
	RUN(mode_switch);
	RUN(output_onlcr);
	RUN(output_large_write);
	free(cap);
	HARNESS_EXIT();
}
