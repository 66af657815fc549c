/* fw/cmdline.h: parsing the kernel command line (console=, init=, quiet...).
 *
 * Layer: framework public API (boot module), implemented in
 * framework/boot/cmdline.c. This is the pure part: a struct fw_cmdline holds
 * everything, there is no global state, so it can be unit-tested on the
 * host and fuzzed. The kernel keeps one instance filled from the Multiboot2
 * command-line tag.
 *
 * Syntax (a strict subset of Linux's, lib/cmdline.c next_arg()):
 *   options are separated by white space (space, \t, \n, \r, \v, \f);
 *   an option is "key=value", "key=" (empty value) or "key" (a flag);
 *   double quotes group white space and are removed: init="/bin/sh -x" and
 *   "init=/bin/sh -x" both give key "init", value "/bin/sh -x";
 *   a repeated key is kept each time, and the last one wins for lookups.
 * Malformed options are skipped with a warning instead of half-parsed:
 * empty key ("=x"), a space in the key ("a b"=c), a byte outside printable
 * ASCII, an unterminated quote, options beyond FW_CMDLINE_MAX_OPTS. A line
 * longer than FW_CMDLINE_MAX - 1 bytes is cut there, and the option the cut
 * falls in is dropped. The parser counts warnings and keeps the text of the
 * first, so boot can print exactly one line about a bad command line. */
#ifndef FW_CMDLINE_H
#define FW_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fw/compiler.h>

#define FW_CMDLINE_MAX 1024		/* bytes kept, including the NUL */
#define FW_CMDLINE_MAX_OPTS 64		/* options kept */
#define FW_CMDLINE_WARN_MAX 96		/* bytes of the first warning */

struct fw_cmdline {
	/* Set by fw_cmdline_parse, read-only afterwards. */
	char __private fw__raw[FW_CMDLINE_MAX];	  /* sanitised line */
	char __private fw__store[FW_CMDLINE_MAX]; /* "key\0value\0"... */
	uint16_t __private fw__key[FW_CMDLINE_MAX_OPTS]; /* offset in store */
	uint16_t __private fw__val[FW_CMDLINE_MAX_OPTS]; /* or FW__NOVAL */
	size_t __private fw__nopts;		  /* options kept */
	int __private fw__nwarn;		  /* problems seen */
	char __private fw__warning[FW_CMDLINE_WARN_MAX]; /* first problem */
};

/* Parse text into cl, replacing what cl held. Returns the number of
 * warnings (0 if the whole line was understood); never fails. */
int fw_cmdline_parse(struct fw_cmdline *cl, const char *text);

/* Is key present, with or without a value? */
bool fw_cmdline_has(const struct fw_cmdline *cl, const char *key);

/* Value of the last key option: NULL if absent or a bare flag. */
const char *fw_cmdline_get(const struct fw_cmdline *cl, const char *key);

/* Value of the last key option as a number (fw_parse_u64, base 0). */
int fw_cmdline_get_u64(const struct fw_cmdline *cl, const char *key,
		       uint64_t *out) FW_MUST_CHECK;

/* Number of options kept (repeats included). */
size_t fw_cmdline_count(const struct fw_cmdline *cl);

/* The i-th option, in command-line order, for printing. */
int fw_cmdline_at(const struct fw_cmdline *cl, size_t i, const char **key,
		  const char **val) FW_MUST_CHECK;

/* The whole line as parsed, cut to FW_CMDLINE_MAX - 1 bytes, with bytes
 * outside printable ASCII replaced (white space by ' ', others by '?'). */
const char *fw_cmdline_raw(const struct fw_cmdline *cl);

/* Number of warnings, and the first one's text (NULL if there were none). */
int fw_cmdline_warnings(const struct fw_cmdline *cl);
const char *fw_cmdline_warning(const struct fw_cmdline *cl);

#endif
