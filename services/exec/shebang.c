/* services/exec/shebang.c: parse a "#!" line the way Linux's
 * fs/binfmt_script.c does (see shebang.h).
 *
 * Layer: services (safe C), pure logic. The 256 bytes are copied into a
 * local array so the scan can use plain subscripts. */
#include <fw/errno.h>

#include "shebang.h"

static bool spacetab(char c)
{
	return c == ' ' || c == '\t';
}

static bool terminator(char c)
{
	return c == ' ' || c == '\t' || c == '\0';
}

/* The first line, as a struct so helpers can index it (a parameter
 * declared as an array is a pointer, which the gate won't subscript). */
struct line {
	char c[SHEBANG_BUF];
};

/* Write l->c[from, to) and a NUL into out. */
static int put_str(const struct line *l, size_t from, size_t to,
		   struct fw_buf out)
{
	size_t n = to - from;

	if (n + 1 > fw_buf_len(out))
		return -ENAMETOOLONG;
	for (size_t i = 0; i < n; i++) {
		if (fw_buf_put_u8(out, i, (uint8_t)l->c[from + i]))
			return -ENAMETOOLONG;
	}
	return fw_buf_put_u8(out, n, 0) ? -ENAMETOOLONG : 0;
}

int shebang_parse(struct fw_bytes head, bool *is_script, struct fw_buf interp,
		  struct fw_buf arg, bool *has_arg)
{
	struct line line = { { 0 } };
	size_t n = fw_bytes_len(head);
	size_t end, name, sep, a;
	int err;

	*is_script = false;
	*has_arg = false;
	if (n > SHEBANG_BUF)
		n = SHEBANG_BUF;
	for (size_t i = 0; i < n; i++) {
		uint8_t c;

		if (fw_bytes_get_u8(head, i, &c))
			return -ENOEXEC;
		line.c[i] = (char)c;
	}
	if (n < 2 || line.c[0] != '#' || line.c[1] != '!')
		return 0;
	*is_script = true;
	/* Linux forces the last byte of its buffer to NUL. */
	line.c[SHEBANG_BUF - 1] = '\0';

	for (end = 2; end < SHEBANG_BUF - 1 && line.c[end] != '\n'; end++)
		;
	if (end == SHEBANG_BUF - 1) {
		/* No newline: accept only if the name is not truncated,
		 * i.e. a blank or NUL follows the first word. */
		size_t i = 2, j;

		while (i < end && spacetab(line.c[i]))
			i++;
		if (i == end)
			return -ENOEXEC;
		for (j = i; j < end && !terminator(line.c[j]); j++)
			;
		if (j == end)
			return -ENOEXEC;
	}
	while (end > 2 && spacetab(line.c[end - 1]))
		end--;
	for (name = 2; name < end && spacetab(line.c[name]); name++)
		;
	if (name == end)
		return -ENOEXEC;
	for (sep = name; sep < end && !terminator(line.c[sep]); sep++)
		;
	a = sep;
	if (sep < end && line.c[sep] != '\0') {
		for (a = sep; a < end && spacetab(line.c[a]); a++)
			;
		/* An argument ends at the line end or at a NUL. */
		size_t e = a;

		while (e < end && line.c[e] != '\0')
			e++;
		if (e > a) {
			err = put_str(&line, a, e, arg);
			if (err)
				return err;
			*has_arg = true;
		}
	}
	if (!*has_arg && fw_buf_put_u8(arg, 0, 0))
		return -ENAMETOOLONG;
	return put_str(&line, name, sep, interp);
}
