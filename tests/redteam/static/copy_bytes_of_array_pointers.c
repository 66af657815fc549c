/* redteam: a read-only view over an array of pointers copies kernel addresses into a user buffer. expect: typed-copy */
#include <fw/uaccess.h>

static int a, b;
static int *ptrs[2] = { &a, &b };

int svc_dump(uint64_t uaddr);
int svc_dump(uint64_t uaddr)
{
	return fw_copy_out(fw_uptr(uaddr), FW_BYTES_OF_ARRAY(ptrs));
}
