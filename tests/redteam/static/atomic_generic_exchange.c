/* redteam: the generic __atomic_exchange copies the bytes of a plain struct into one holding a pointer, forging it. expect: atomic-pointer */
struct node {
	struct node *next;
};

struct raw {
	unsigned long bits;
};

void svc_swap(struct node *n, struct node *with, struct node *old);
void svc_swap(struct node *n, struct node *with, struct node *old)
{
	__atomic_exchange(n, with, old, __ATOMIC_SEQ_CST);
}
