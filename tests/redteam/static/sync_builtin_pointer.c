/* redteam: __sync_fetch_and_add on a pointer is the legacy spelling of the same unchecked pointer arithmetic. expect: atomic-pointer */
static long arr[2];
static long *p = &arr[0];

void svc_sync(void);
void svc_sync(void)
{
	__sync_fetch_and_add(&p, 8 * 4096);
	*p = 0;
}
