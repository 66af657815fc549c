/* redteam: the address of a parameter (a stack slot of the callee) is returned inside a struct; the caller's writes through it clobber the next call's frame. expect: local-escape */
struct ref {
	int *p;
};

struct ref svc_ref(int v);
struct ref svc_ref(int v)
{
	struct ref r;

	r.p = &v;
	return r;
}
