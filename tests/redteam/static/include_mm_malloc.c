/* redteam: <mm_malloc.h> declares a host malloc and SSE helpers the kernel does not have. expect: include */
#include <mm_malloc.h>

int svc_m(void);
int svc_m(void) { return 0; }
