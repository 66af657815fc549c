/* redteam: an on-stack node is linked into a long-lived heap list through a pointer field; after return the list walker reads a forged next pointer and writes through it, out of a frame that was reused. expect: local-escape */
#include <stddef.h>

struct node {
	struct node *next;
	int key;
};

struct table {
	struct node *head;
};

void svc_push_temp(struct table *tbl, int key);
void svc_push_temp(struct table *tbl, int key)
{
	struct node tmp = { .next = NULL, .key = key };

	tmp.next = tbl->head;
	tbl->head = &tmp;
}
