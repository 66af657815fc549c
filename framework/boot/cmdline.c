/* framework/boot/cmdline.c: kernel command-line parser.
 *
 * Layer: framework (boot), pure: everything lives in the caller's struct
 * fw_cmdline, nothing global, so the host unit test can fuzz it. The
 * syntax and the malformed cases are described in fw/cmdline.h.
 *
 * The line comes from the boot loader, which is to say from whoever typed
 * it at a GRUB prompt, so every byte is treated as hostile: reads are
 * bounded by FW_CMDLINE_MAX whether or not there is a NUL, writes are
 * bounded by the arrays in the struct, and a bad option is dropped whole
 * rather than guessed at (a half-parsed "root=" is worse than none).
 *
 * Why not Linux's next_arg() verbatim: it accepts unterminated quotes and
 * keeps quote characters in odd places ('a"b c"d' stays one parameter with
 * the quotes in it). Here quotes only group, and are always removed. */
#include <fw/cmdline.h>
#include <fw/errno.h>
#include <fw/string.h>

#define FW__NOVAL UINT16_MAX	/* fw__val[] entry of a bare flag */

FW_STATIC_ASSERT(FW_CMDLINE_MAX < FW__NOVAL,
		 "store offsets must fit in uint16_t below FW__NOVAL");

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Printable ASCII including ' '. Everything else (controls, DEL, bytes
 * >= 0x80) is refused: a console= or root= value has no use for them, and
 * they would garble the one warning line on the console. */
static bool is_print(char c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* Append text to the warning buffer, keeping it terminated. */
static void warn_append(struct fw_cmdline *cl, size_t *len, const char *s,
			size_t n)
{
	for (size_t i = 0; i < n && *len + 1 < FW_CMDLINE_WARN_MAX; i++)
		cl->fw__warning[(*len)++] = s[i];
	cl->fw__warning[*len] = '\0';
}

/* Record one problem. Only the first keeps its text, with up to 40 bytes
 * of the offending option (sanitised like the raw line). */
static void warn(struct fw_cmdline *cl, const char *why, const char *tok,
		 size_t toklen)
{
	size_t len = 0;

	if (cl->fw__nwarn++ > 0)
		return;
	warn_append(cl, &len, why, strlen(why));
	if (!tok)
		return;
	warn_append(cl, &len, ": '", 3);
	for (size_t i = 0; i < toklen && i < 40; i++) {
		char c = is_print(tok[i]) ? tok[i] : '?';

		warn_append(cl, &len, &c, 1);
	}
	if (toklen > 40)
		warn_append(cl, &len, "...", 3);
	warn_append(cl, &len, "'", 1);
}

/* Store one token text[0..n) (quotes still in it) as an option, or warn
 * and skip it. *used is the number of bytes of fw__store in use. */
static void add_option(struct fw_cmdline *cl, size_t *used, const char *tok,
		       size_t n)
{
	size_t start = *used, pos = start, eq = SIZE_MAX;
	bool quoted = false;

	for (size_t i = 0; i < n; i++) {
		if (tok[i] == '"') {
			quoted = !quoted;
			continue;
		}
		/* Unquoted white space ends a token, so only a quoted
		 * tab or newline, or a control or 8-bit byte, gets here. */
		if (!is_print(tok[i])) {
			warn(cl, "ignored option with a non-printable byte",
			     tok, n);
			return;
		}
	}
	if (quoted) {
		warn(cl, "ignored option with an unterminated quote", tok, n);
		return;
	}
	if (cl->fw__nopts >= FW_CMDLINE_MAX_OPTS) {
		warn(cl, "too many options, ignored", tok, n);
		return;
	}
	/* An option takes at most n + 1 bytes (quotes dropped, '=' becomes
	 * a NUL, one final NUL), and tokens plus separators fit in the
	 * line, so this cannot trigger; it is here so the bounds of
	 * fw__store do not rest on that argument. */
	if (n + 1 > FW_CMDLINE_MAX - start) {
		warn(cl, "command line store full, ignored", tok, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (tok[i] == '"')
			continue;
		if (tok[i] == '=' && eq == SIZE_MAX) {
			eq = pos;
			cl->fw__store[pos++] = '\0';
			continue;
		}
		cl->fw__store[pos++] = tok[i];
	}
	cl->fw__store[pos++] = '\0';
	if (cl->fw__store[start] == '\0') {
		warn(cl, "ignored option with an empty name", tok, n);
		return;
	}
	for (size_t i = start; cl->fw__store[i]; i++) {
		if (cl->fw__store[i] == ' ') {
			warn(cl, "ignored option with a space in its name",
			     tok, n);
			return;
		}
	}
	cl->fw__key[cl->fw__nopts] = (uint16_t)start;
	cl->fw__val[cl->fw__nopts] =
		eq == SIZE_MAX ? FW__NOVAL : (uint16_t)(eq + 1);
	cl->fw__nopts++;
	*used = pos;
}

/* fw_cmdline_parse - parse a kernel command line.
 * @cl:   receives the result; all of its previous content is replaced
 * @text: NUL-terminated line from the boot loader, or NULL for none; at
 *        most FW_CMDLINE_MAX bytes of it are read
 *
 * Never fails: what cannot be understood is skipped (see fw/cmdline.h),
 * counted, and the first problem described in fw_cmdline_warning().
 * Returns the number of warnings, 0 for a clean line. */
int fw_cmdline_parse(struct fw_cmdline *cl, const char *text)
{
	size_t n, end, used = 0, i = 0;

	memset(cl, 0, sizeof(*cl));
	if (!text)
		text = "";
	/* Bounded: the boot loader's NUL is not trusted to be there. */
	n = strnlen(text, FW_CMDLINE_MAX);
	end = n;
	if (n == FW_CMDLINE_MAX) {
		n = FW_CMDLINE_MAX - 1;
		end = n;
		/* Drop the option the cut falls in, unless the cut is
		 * exactly at white space. */
		if (!is_space(text[n])) {
			while (end > 0 && !is_space(text[end - 1]))
				end--;
		}
		warn(cl, "command line too long, cut at 1023 bytes", NULL, 0);
	}
	for (size_t k = 0; k < n; k++) {
		char c = text[k];

		cl->fw__raw[k] = is_print(c) ? c : is_space(c) ? ' ' : '?';
	}
	cl->fw__raw[n] = '\0';

	while (i < end) {
		size_t start;
		bool quoted = false;

		while (i < end && is_space(text[i]))
			i++;
		if (i >= end)
			break;
		start = i;
		for (; i < end; i++) {
			if (text[i] == '"')
				quoted = !quoted;
			else if (!quoted && is_space(text[i]))
				break;
		}
		add_option(cl, &used, text + start, i - start);
	}
	return cl->fw__nwarn;
}

/* Index of the last option named key, or -1. */
static long find(const struct fw_cmdline *cl, const char *key)
{
	if (!key)
		return -1;
	for (size_t i = cl->fw__nopts; i-- > 0;) {
		if (!strcmp(cl->fw__store + cl->fw__key[i], key))
			return (long)i;
	}
	return -1;
}

/* fw_cmdline_has - true if an option named key was given, as a flag or
 * with a value. @key: NUL-terminated name (NULL gives false). */
bool fw_cmdline_has(const struct fw_cmdline *cl, const char *key)
{
	return find(cl, key) >= 0;
}

/* fw_cmdline_get - value of the last option named key.
 * Returns the value ("" for "key="), or NULL if key is absent, NULL, or
 * its last occurrence is a bare flag. The string lives in cl. */
const char *fw_cmdline_get(const struct fw_cmdline *cl, const char *key)
{
	long i = find(cl, key);

	if (i < 0 || cl->fw__val[i] == FW__NOVAL)
		return NULL;
	return cl->fw__store + cl->fw__val[i];
}

/* fw_cmdline_get_u64 - value of the last option named key as a number.
 * @out: receives it (0x hex, leading-0 octal or decimal); untouched on error
 * Returns 0; -ENOENT if key is absent; -EINVAL if it has no value or the
 * value is not a number; -ERANGE if it does not fit in 64 bits. */
int fw_cmdline_get_u64(const struct fw_cmdline *cl, const char *key,
		       uint64_t *out)
{
	long i = find(cl, key);

	if (i < 0)
		return -ENOENT;
	if (cl->fw__val[i] == FW__NOVAL)
		return -EINVAL;
	return fw_parse_u64(cl->fw__store + cl->fw__val[i], 0, out);
}

/* fw_cmdline_count - number of options kept, repeated keys included. */
size_t fw_cmdline_count(const struct fw_cmdline *cl)
{
	return cl->fw__nopts;
}

/* fw_cmdline_at - the i-th option (0-based, command-line order).
 * @key: receives its name
 * @val: receives its value, or NULL for a bare flag
 * Returns 0, or -ENOENT if i >= fw_cmdline_count() (outputs untouched). */
int fw_cmdline_at(const struct fw_cmdline *cl, size_t i, const char **key,
		  const char **val)
{
	if (i >= cl->fw__nopts)
		return -ENOENT;
	*key = cl->fw__store + cl->fw__key[i];
	*val = cl->fw__val[i] == FW__NOVAL ? NULL
					   : cl->fw__store + cl->fw__val[i];
	return 0;
}

/* fw_cmdline_raw - the sanitised line, for printing. Never NULL. */
const char *fw_cmdline_raw(const struct fw_cmdline *cl)
{
	return cl->fw__raw;
}

/* fw_cmdline_warnings - how many problems the parse met. */
int fw_cmdline_warnings(const struct fw_cmdline *cl)
{
	return cl->fw__nwarn;
}

/* fw_cmdline_warning - text of the first problem, or NULL if none. */
const char *fw_cmdline_warning(const struct fw_cmdline *cl)
{
	return cl->fw__nwarn ? cl->fw__warning : NULL;
}
