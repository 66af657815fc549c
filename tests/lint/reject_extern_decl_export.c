/* Fixture: a service's own prototype of a framework-exported function, with
 * a type of its choosing (the linker does not check types). */
struct node {
	struct node *next;
};
void *memmove(struct node *dst, const unsigned long *src, unsigned long n);
