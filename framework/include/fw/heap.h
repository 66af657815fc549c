/* fw/heap.h: typed kernel heap allocation for services.
 *
 * Layer: framework public API. Services allocate objects by type
 * (FW_NEW), so no void * conversion is needed, and byte buffers as bounded
 * views (fw_buf_alloc).
 *
 * The services' heap is partitioned by type, as Linux partitions kmalloc
 * caches and SLAB_TYPESAFE_BY_RCU keeps a slab to one type: every
 * FW_NEW(T) call site names T, all objects of one T come from T's own
 * slab pages, and byte buffers from pages of their own. Pages a partition
 * was given stay with it, and no framework object is ever on them
 * (framework/mm/heap.c). So a stale pointer that outlives fw_free can only
 * ever reach another object of its own type, or free space of it, never a
 * framework object or an object with a different layout: a use after free
 * is a logic bug of the service, not a way to forge a pointer. Double and
 * invalid frees are caught in every build. */
#ifndef FW_HEAP_H
#define FW_HEAP_H

#include <fw/bytes.h>
#include <fw/compiler.h>

/* One per FW_NEW call site, in the service's own data; only the framework
 * writes `part`. */
struct fw__type_key {
	const char *name; /* the type as spelled at the call site */
	uint32_t size;    /* sizeof the type */
	uint32_t align;   /* _Alignof the type (at most 64) */
	uint32_t part;    /* 1 + its partition, once looked up; 0 before */
};

void *fw__alloc_typed(struct fw__type_key *key); /* zeroed, or NULL */

/* A zeroed object of `type`, aligned as the type asks (up to 64 bytes, the
 * most the gate lets a type ask for), or NULL when memory is exhausted. */
#define FW_NEW(type)                                                           \
	({                                                                     \
		static struct fw__type_key fw__key_ = {                        \
			#type, sizeof(type), _Alignof(type), 0                 \
		};                                                             \
		(type *)fw__alloc_typed(&fw__key_);                            \
	})

/* Free an object from FW_NEW; NULL is ignored. Anything else (a framework
 * object, a pointer into the middle of an object, one already freed)
 * panics naming the caller. */
void fw_free(void *obj);

/* A zeroed byte buffer of len bytes: 0 and *out, -ENOMEM, -EINVAL (len 0
 * or over 64 MiB). Free it with fw_buf_free, which also clears *buf. */
FW_MUST_CHECK int fw_buf_alloc(size_t len, struct fw_buf *out);

/* As fw_buf_alloc, but the bytes are not cleared: they are whatever an
 * earlier byte buffer left (never framework state: byte buffers hold
 * nothing else). For a caller that overwrites every byte before any is
 * read, such as a socket message filled from user memory, where clearing
 * would be a third pass over the data (Linux's kmalloc without
 * __GFP_ZERO); anything else uses fw_buf_alloc. */
FW_MUST_CHECK int fw_buf_alloc_uninit(size_t len, struct fw_buf *out);
void fw_buf_free(struct fw_buf *buf);

/* Bytes currently allocated from the heap (for meminfo and leak tests). */
size_t fw_heap_used(void);

#endif
