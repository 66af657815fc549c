/* redteam: __atomic_test_and_set writes a 1 byte into the low byte of a pointer, moving it to an unaligned neighbouring address. expect: atomic-pointer */
static int x;
static int *p = &x;

void svc_tas(void);
void svc_tas(void)
{
	(void)__atomic_test_and_set(&p, __ATOMIC_RELAXED);
	*p = 5;
}
