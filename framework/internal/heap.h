/* internal/heap.h: the framework's own heap.
 *
 * Objects a service holds handles to (tasks, timers, MMIO, port and DMA
 * handles, IRQ lines, address spaces) are allocated by type with
 * KHEAP_NEW, in partitions of their own that no service object ever
 * shares (framework/mm/heap.c), and start with a struct handle
 * (internal/handle.h) checked on every use. The few allocations whose
 * size is known only at run time use kheap_alloc. Services use FW_NEW /
 * fw_free (fw/heap.h) instead. */
#ifndef INTERNAL_HEAP_H
#define INTERNAL_HEAP_H

#include <fw/heap.h>
#include <fw/list.h>

void heap_init(void);

/* A zeroed framework object of `type` from its own partition, or NULL. */
void *kheap_alloc_typed(struct fw__type_key *key);
void kheap_free_typed(void *obj);
#define KHEAP_NEW(type)                                                        \
	({                                                                     \
		static struct fw__type_key kheap_key_ = {                      \
			#type, sizeof(type), _Alignof(type), 0                 \
		};                                                             \
		(type *)kheap_alloc_typed(&kheap_key_);                        \
	})

/* A pointer the framework keeps to a service object (a timer's or an IRQ
 * handler's argument): while it is registered, fw_free of that object
 * panics naming `what`, instead of leaving the framework to call a
 * service function on freed memory later. Embedded in the framework
 * object that keeps the pointer; targets not on the services' heap (data,
 * framework objects) are not tracked. */
struct heap_ref {
	struct fw_list node;  /* on the target's partition's list */
	const void *target;
	const char *what;
	bool on;              /* registered */
};
void heap_ref_add(struct heap_ref *r, const void *target, const char *what);
void heap_ref_del(struct heap_ref *r);

/* Untyped: a zeroed run of size bytes, or NULL. */
void *kheap_alloc(size_t size);
void kheap_free(void *obj);

#endif
