/* redteam: a relative include reaches the framework's internal heap header and its raw allocator. expect: include */
#include "../../../framework/internal/heap.h"

int svc_h(void);
int svc_h(void) { return 0; }
