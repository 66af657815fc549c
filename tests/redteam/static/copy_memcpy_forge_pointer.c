/* redteam: memcpy of two integers onto a list node forges its next pointer, so the next list walk writes through an address the service chose. expect: typed-copy */
#include <fw/string.h>

struct node {
	struct node *next;
	int key;
};

static struct node head;

void svc_forge(unsigned long addr);
void svc_forge(unsigned long addr)
{
	unsigned long raw[2] = { addr, 1 };

	memcpy(&head, raw, sizeof head);
	head.next->key = 0;
}
