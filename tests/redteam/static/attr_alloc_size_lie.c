/* redteam: __attribute__((alloc_size)) lies about an object's size so the fortified memcpy's object-size check passes an overflowing copy. expect: attribute */
#include <stddef.h>

__attribute__((alloc_size(1))) char *svc_get(size_t claimed);
