/* tests/unit/fw_host_mm.c: host stand-ins for what services/mm/vma.c
 * calls: the typed heap (calloc/free, so ASan checks the VMA objects) and
 * the file reference hooks, which count references so the tests can check
 * that splitting and freeing VMAs keeps them balanced.
 *
 * Layer: host tests only. */
#include <stdlib.h>

#include <fw/heap.h>

#include "../../services/mm/vma.h"
#include "fw_host_mm.h"

long host_file_refs;

/* FW_NEW: on the host, plain calloc (ASan finds what type partitions
 * contain in the kernel). */
void *fw__alloc_typed(struct fw__type_key *key)
{
	return calloc(1, key->size);
}

void fw_free(void *obj)
{
	free(obj);
}

void vma_file_ref(struct vma *v)
{
	(void)v;
	host_file_refs++;
}

void vma_file_unref(struct vma *v)
{
	(void)v;
	host_file_refs--;
}
