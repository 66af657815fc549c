/* services/fs/initramfs/cpio.c: the newc cpio parser (see cpio.h).
 *
 * Layer: services (safe C), pure logic. Every byte is read through a
 * bounded fw_reader, so a truncated or lying header ends in -EINVAL, never
 * a read past the archive. */
#include <fw/string.h>

#include "fs/initramfs/cpio.h"

void cpio_init(struct cpio_reader *c, struct fw_bytes archive)
{
	fw_reader_init(&c->r, archive);
}

size_t cpio_offset(const struct cpio_reader *c)
{
	return fw_reader_pos(&c->r);
}

static int hex8(struct fw_reader *r, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		uint8_t ch;

		if (fw_reader_u8(r, &ch))
			return -EINVAL;
		if (ch >= '0' && ch <= '9')
			v = v << 4 | (uint32_t)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v = v << 4 | (uint32_t)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			v = v << 4 | (uint32_t)(ch - 'A' + 10);
		else
			return -EINVAL;
	}
	*out = v;
	return 0;
}

/* Skip to the next multiple of 4 from the start of the archive. */
static int align4(struct fw_reader *r)
{
	size_t pad = (4 - fw_reader_pos(r) % 4) % 4;

	if (pad > fw_reader_remain(r))
		return -EINVAL;
	return fw_reader_skip(r, pad);
}

int cpio_next(struct cpio_reader *c, struct cpio_entry *e, const char **why)
{
	struct fw_reader *r = &c->r;
	struct fw_bytes magic, name;
	uint32_t f[13];
	long len;

	for (;;) {
		uint8_t ch = 0;

		/* NUL padding between (and after) archives. */
		while (fw_reader_remain(r)) {
			struct fw_reader peek = *r;

			if (fw_reader_u8(&peek, &ch) || ch != 0)
				break;
			*r = peek;
		}
		if (fw_reader_remain(r) == 0)
			return 0;
		if (fw_reader_bytes(r, 6, &magic)) {
			*why = "truncated header";
			return -EINVAL;
		}
		if (!fw_bytes_eq(magic, FW_BYTES_OF_LITERAL("070701")) &&
		    !fw_bytes_eq(magic, FW_BYTES_OF_LITERAL("070702"))) {
			*why = "bad magic (not a newc archive)";
			return -EINVAL;
		}
		for (int i = 0; i < 13; i++) {
			if (hex8(r, &f[i])) {
				*why = "bad header field (not 8 hex digits)";
				return -EINVAL;
			}
		}
		e->ino = f[0];
		e->mode = f[1];
		e->uid = f[2];
		e->gid = f[3];
		e->nlink = f[4];
		e->mtime = f[5];
		e->devmajor = f[7];
		e->devminor = f[8];
		e->rdevmajor = f[9];
		e->rdevminor = f[10];
		/* f[11] is namesize, with its NUL; f[12] the checksum. */
		if (f[11] == 0 || f[11] > sizeof(e->name.s)) {
			*why = "bad name length";
			return -EINVAL;
		}
		if (fw_reader_bytes(r, f[11], &name)) {
			*why = "name runs past the end";
			return -EINVAL;
		}
		len = fw_bytes_cstr(name, 0, FW_BUF_OF_ARRAY(e->name.s));
		if (len < 0 || (uint32_t)len != f[11] - 1) {
			*why = "name is not NUL-terminated at its length";
			return -EINVAL;
		}
		if (align4(r)) {
			*why = "name padding runs past the end";
			return -EINVAL;
		}
		if (fw_reader_bytes(r, f[6], &e->data)) {
			*why = "file data runs past the end";
			return -EINVAL;
		}
		/* The last entry's data may end the archive unpadded. */
		if (fw_reader_remain(r) && align4(r)) {
			*why = "data padding runs past the end";
			return -EINVAL;
		}
		if (strcmp(e->name.s, "TRAILER!!!") == 0)
			continue;
		return 1;
	}
}
