/* redteam: a variable-length array sized by the user jumps the stack guard page. expect: vla */
int svc_vla(unsigned long n);
int svc_vla(unsigned long n)
{
	char buf[n];

	buf[0] = 1;
	return buf[0];
}
