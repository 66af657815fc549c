/* redteam: a writable byte view over a struct holding a pointer lets fw_buf_fill overwrite the pointer with 0x41 bytes. expect: typed-copy */
#include <fw/bytes.h>

struct node {
	struct node *next;
	int key;
};

static struct node n;

int svc_scribble(void);
int svc_scribble(void)
{
	return fw_buf_fill(FW_BUF_OF_OBJ(&n), 0, sizeof n, 0x41);
}
