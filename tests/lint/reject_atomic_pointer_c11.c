/* Fixture: atomic_fetch_add on an _Atomic pointer (the builtin call is
 * spelled in <stdatomic.h>, the object in the service). */
#include <stdatomic.h>
static int arr[4];
static _Atomic(int *) cursor = arr;
void svc_adv(void);
void svc_adv(void) { atomic_fetch_add(&cursor, 4096); }
