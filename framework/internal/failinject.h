/* internal/failinject.h: where the allocators ask whether to fail
 * (framework/mm/failinject.c; the options are in fw/failinject.h). */
#ifndef INTERNAL_FAILINJECT_H
#define INTERNAL_FAILINJECT_H

#include <stddef.h>

enum fail_kind {
	FAIL_SLAB = 0, /* failslab: FW_NEW, fw_buf_alloc */
	FAIL_PAGE = 1, /* fail_page_alloc: fw_frame_alloc */
	FAIL_KINDS = 2,
};

void failinject_init(void); /* reads the boot options */
/* Should this allocation of `size` bytes (`what`: the type or "bytes",
 * for the log line) fail? Only ever true in a system call of the current
 * task, outside interrupts. */
bool failinject_should_fail(enum fail_kind kind, size_t size, const char *what);

#endif
