/* redteam: a computed goto jumps to an address taken from data. expect: computed-goto */
int svc_jump(int i);
int svc_jump(int i)
{
	static void *targets[2] = { &&a, &&b };

	goto *targets[i & 1];
a:
	return 1;
b:
	return 2;
}
