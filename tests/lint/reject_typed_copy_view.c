/* Fixture: a writable byte view over a struct that holds a pointer. */
#include <fw/bytes.h>
struct node {
	struct node *next;
	int key;
};
struct fw_buf svc_view(struct node *n);
struct fw_buf svc_view(struct node *n) { return FW_BUF_OF_OBJ(n); }
