/* redteam: a 1 MiB-aligned local makes the compiler realign %rsp by up to 1 MiB without probing, jumping the guard page into another task's stack. expect: attribute */
int svc_align(void);
int svc_align(void)
{
	char buf[64] __attribute__((aligned(1 << 20)));

	buf[0] = 1;
	return buf[0];
}
