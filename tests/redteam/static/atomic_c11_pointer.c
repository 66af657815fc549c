/* redteam: atomic_fetch_add on an _Atomic pointer does pointer arithmetic inside <stdatomic.h>'s macro. expect: atomic-pointer */
#include <stdatomic.h>

static int arr[4];
static _Atomic(int *) cursor = &arr[0];

void svc_adv(void);
void svc_adv(void)
{
	atomic_fetch_add(&cursor, 4096);
	*atomic_load(&cursor) = 1;
}
