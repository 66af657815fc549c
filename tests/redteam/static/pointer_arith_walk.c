/* redteam: pointer arithmetic walks from a service array into the neighbouring heap object. expect: pointer-arith */
static int arr[4];

void svc_walk(unsigned n);
void svc_walk(unsigned n)
{
	int *p = arr;

	*(p + n) = 0;
}
