/* fw/heap.h: typed kernel heap allocation for services.
 *
 * Layer: framework public API. A slab allocator with size classes; in debug
 * builds (FW_DEBUG=1) double frees, writes past an object and writes after
 * free are detected and reported with a panic naming the object. Services
 * allocate objects by type (FW_NEW) so no void * conversion is needed, and
 * byte buffers as bounded views (fw_buf_alloc). */
#ifndef FW_HEAP_H
#define FW_HEAP_H

#include <fw/bytes.h>
#include <fw/compiler.h>

void *fw__alloc(size_t size);       /* zeroed, or NULL */

/* A zeroed object of `type`, or NULL when memory is exhausted. */
#define FW_NEW(type) ((type *)fw__alloc(sizeof(type)))

/* Free an object from FW_NEW; NULL is ignored. */
void fw_free(void *obj);

/* A zeroed byte buffer of len bytes: 0 and *out, -ENOMEM, -EINVAL (len 0
 * or absurd). Free it with fw_buf_free, which also clears *buf. */
FW_MUST_CHECK int fw_buf_alloc(size_t len, struct fw_buf *out);
void fw_buf_free(struct fw_buf *buf);

/* Bytes currently allocated from the heap (for meminfo and leak tests). */
size_t fw_heap_used(void);

#endif
