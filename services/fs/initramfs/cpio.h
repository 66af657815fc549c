/* services/fs/initramfs/cpio.h: a parser for "newc" cpio archives (the initramfs).
 *
 * Layer: services (safe C), pure logic: no allocation, no globals, so it
 * is host-unit-tested (tests/unit/cpio_test.c). Format (Linux
 * Documentation/driver-api/early-userspace/buffer-format.rst): a 110-byte
 * header, "070701" (or "070702", the same with a checksum) and thirteen
 * 8-digit hex fields, then the NUL-terminated name (namesize bytes,
 * counting the NUL), padded to a multiple of 4, then filesize bytes of
 * data padded to 4. "TRAILER!!!" ends an archive; NUL bytes between
 * archives are padding, and another archive may follow (as Linux's
 * unpacker accepts). */
#ifndef SERVICES_FS_CPIO_H
#define SERVICES_FS_CPIO_H

#include <fw/bytes.h>

#include "lib/kpath.h"

#define CPIO_HDR_SIZE 110

struct cpio_entry {
	uint32_t ino;
	uint32_t mode;			/* S_IF* and permission bits */
	uint32_t uid;
	uint32_t gid;
	uint32_t nlink;
	uint32_t mtime;			/* seconds since the epoch */
	uint32_t devmajor;		/* device holding the file (hard links) */
	uint32_t devminor;
	uint32_t rdevmajor;		/* device node number */
	uint32_t rdevminor;
	struct fw_bytes data;		/* filesize bytes: file data / link target */
	struct kpath name;		/* path inside the archive */
};

struct cpio_reader {
	struct fw_reader r;		/* over the whole archive */
};

void cpio_init(struct cpio_reader *c, struct fw_bytes archive);
/* Read the next entry into *e. Returns 1 for an entry, 0 at the end (a
 * trailer followed only by NUL padding, or no bytes at all), or -EINVAL
 * for a malformed archive; then *why names the problem and
 * cpio_offset() where it is. TRAILER!!! entries are not returned. */
FW_MUST_CHECK int cpio_next(struct cpio_reader *c, struct cpio_entry *e,
			    const char **why);
size_t cpio_offset(const struct cpio_reader *c);

#endif
