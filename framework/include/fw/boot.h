/* fw/boot.h: what the boot loader told us.
 *
 * Layer: framework public API. The command line is parsed once at boot
 * (key=value options; unknown or malformed ones are reported in one warning
 * and ignored); the Multiboot2 modules (the initramfs) are handed out as
 * read-only byte views. */
#ifndef FW_BOOT_H
#define FW_BOOT_H

#include <fw/bytes.h>
#include <fw/compiler.h>

/* The whole command line, as given (sanitized to printable ASCII). */
const char *fw_boot_cmdline(void);
/* Is the option present (`quiet`, `ktest`, or `key=...`)? */
bool fw_boot_opt_has(const char *key);
/* Value of key=value ("" for `key=`); NULL if absent or a bare flag. */
const char *fw_boot_opt(const char *key);
/* Copy the value of key=value into out (NUL-terminated): its length,
 * -ENOENT if absent or a bare flag, -ENAMETOOLONG if it does not fit. */
FW_MUST_CHECK long fw_boot_opt_copy(const char *key, struct fw_buf out);
/* Numeric value: 0, -ENOENT if absent, -EINVAL if not a number. */
FW_MUST_CHECK int fw_boot_opt_u64(const char *key, uint64_t *out);

struct fw_boot_module {
	struct fw_bytes data; /* the module's contents, read-only */
	char name[64];        /* the string GRUB passed after the path */
};
size_t fw_boot_module_count(void);
/* The i-th module: 0, or -ENOENT if i is out of range. */
FW_MUST_CHECK int fw_boot_module(size_t i, struct fw_boot_module *out);

/* Bytes of usable RAM the memory map reported. */
uint64_t fw_boot_mem_usable(void);

#endif
