/* redteam: a union of a pointer and an integer turns any integer into a pointer without a cast. expect: union-pointer */
union pun {
	unsigned long bits;
	long *ptr;
};

void svc_pun(unsigned long addr);
void svc_pun(unsigned long addr)
{
	union pun u;

	u.bits = addr;
	*u.ptr = 0;
}
