/* Fixture: the generic __atomic_load copies bytes between objects of any
 * type (here: a pointer-holding struct out into plain integers). */
struct node {
	struct node *next;
};
void svc_copy(struct node *dst, struct node *src);
void svc_copy(struct node *dst, struct node *src) { __atomic_load(src, dst, __ATOMIC_RELAXED); }
