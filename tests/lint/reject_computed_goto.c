/* Fixture: computed goto and label addresses. */
int svc_jump(int i)
{
	static void *targets[] = { &&a, &&b };
	goto *targets[i & 1];
a:
	return 1;
b:
	return 2;
}
