/* Fixture: a 1 MiB-aligned local makes the compiler realign %rsp by up to
 * 1 MiB with no probe: past the stack guard page into another stack. */
int svc_a(void);
int svc_a(void)
{
	char buf[16] __attribute__((aligned(1048576)));
	_Alignas(65536) char buf2[16];

	buf[0] = 1;
	buf2[0] = 2;
	return buf[0] + buf2[0];
}
