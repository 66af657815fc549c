/* redteam: FW_COPY_OUT_OBJ of a struct holding a kernel pointer copies the kernel address to user space, defeating KASLR. expect: typed-copy */
#include <fw/uaccess.h>

struct node {
	struct node *next;
	long key;
};

static struct node n = { &n, 1 };

int svc_stat(uint64_t uaddr);
int svc_stat(uint64_t uaddr)
{
	return FW_COPY_OUT_OBJ(fw_uptr(uaddr), &n);
}
