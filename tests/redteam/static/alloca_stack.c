/* redteam: alloca with a user-controlled size moves the stack pointer past the guard page. expect: vla */
void svc_alloca(unsigned long n);
void svc_alloca(unsigned long n)
{
	char *p = __builtin_alloca(n);

	p[0] = 0;
}
