/* redteam: a subscript on a pointer parameter has no bounds for the compiler to check. expect: pointer-arith */
void svc_set(int *p, unsigned i);
void svc_set(int *p, unsigned i)
{
	p[i] = 0;
}
