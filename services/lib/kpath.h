/* services/lib/kpath.h: kernel-side path and name strings.
 *
 * Layer: services (safe C). Services may subscript arrays but not pointers,
 * so a string that code walks character by character lives in a struct
 * with a fixed array. Paths are heap-allocated (4 KiB would crowd a 16 KiB
 * kernel stack) and copied in from user space with a bound, as Linux's
 * getname() does (PATH_MAX includes the NUL).
 *
 * Folder services/lib: small helpers any service may include (paths
 * and names here, device numbers in kdev.h); includes no service. */
#ifndef SERVICES_LIB_KPATH_H
#define SERVICES_LIB_KPATH_H

#include <fw/compiler.h>
#include <fw/uaccess.h>

#define KPATH_MAX 4096 /* PATH_MAX */
#define KNAME_MAX 255  /* NAME_MAX */

struct kpath {
	char s[KPATH_MAX]; /* NUL-terminated */
};

struct kname {
	char s[KNAME_MAX + 1]; /* one path component, NUL-terminated */
};

/* A hash of the name (FNV-1a), for directories that compare it before
 * the bytes. */
uint32_t kname_hash(const struct kname *n);

/* An empty path (s[0] == 0; what lies past the NUL is unspecified, see
 * kpath.c), or NULL (-ENOMEM for the caller). */
struct kpath *kpath_alloc(void);
void kpath_free(struct kpath *p);

/* Copy a user path: 0, -EFAULT, -ENAMETOOLONG, or -ENOENT for "" (Linux
 * refuses empty paths unless AT_EMPTY_PATH, which the caller checks via
 * kpath_from_user_empty_ok). */
FW_MUST_CHECK int kpath_from_user(struct kpath *p, fw_uptr_t u);
FW_MUST_CHECK int kpath_from_user_empty_ok(struct kpath *p, fw_uptr_t u);

#endif
