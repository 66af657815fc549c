/* tests/unit/fw_host_mm.h: the reference counter of fw_host_mm.c. */
#ifndef TEST_FW_HOST_MM_H
#define TEST_FW_HOST_MM_H

/* vma_file_ref calls minus vma_file_unref calls so far. */
extern long host_file_refs;

#endif
