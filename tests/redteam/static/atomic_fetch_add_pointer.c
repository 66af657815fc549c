/* redteam: __atomic_fetch_add on a pointer moves it 4096 elements past its array, pointer arithmetic the gate's operator rules never see. expect: atomic-pointer */
static int arr[4];
static int *cursor = &arr[0];

void svc_adv(void);
void svc_adv(void)
{
	__atomic_fetch_add(&cursor, 4096, __ATOMIC_RELAXED);
	*cursor = 1;
}
