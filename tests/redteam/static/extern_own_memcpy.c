/* redteam: a service's own memcpy prototype typed as (struct node *, const long *) would let the typed-copy rule see the wrong argument types. expect: extern-decl */
struct node {
	struct node *next;
};

void *memcpy(struct node *dst, const long *src, unsigned long n);
