/* internal/heap.h: the framework's own heap.
 *
 * The framework's objects (tasks, handles, address spaces) come from a
 * heap of their own, on pages no service object ever shares, so a stale
 * service pointer can never reach one (framework/mm/heap.c). Services use
 * FW_NEW / fw_free (fw/heap.h) instead. */
#ifndef INTERNAL_HEAP_H
#define INTERNAL_HEAP_H

#include <stddef.h>

void heap_init(void);

/* A zeroed framework object of size bytes, or NULL. */
void *kheap_alloc(size_t size);
void kheap_free(void *obj);
#define KHEAP_NEW(type) ((type *)kheap_alloc(sizeof(type)))

#endif
