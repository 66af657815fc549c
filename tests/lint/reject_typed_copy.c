/* Fixture: memcpy of plain integers onto a struct that holds a pointer. */
#include <fw/string.h>
struct node {
	struct node *next;
	int key;
};
static struct node head;
void svc_forge(void);
void svc_forge(void)
{
	unsigned long raw[2] = { 0xffff800000001000ul, 7 };

	memcpy(&head, raw, sizeof head);
}
