/* Fixture: the local address is returned inside a struct (a compound
 * literal), not as a bare pointer: gcc's -Wreturn-local-addr misses this. */
struct span {
	int *p;
	int n;
};

struct span svc_span(void);

struct span svc_span(void)
{
	int vals[4] = { 1, 2, 3, 4 };

	return (struct span){ .p = &vals[1], .n = 3 };
}
