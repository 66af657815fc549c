/* Fixture: taking memset's address to escape the raw-mem rule. */
#include <fw/fake.h>
void *(*svc_set)(void *, int, size_t) = memset;
