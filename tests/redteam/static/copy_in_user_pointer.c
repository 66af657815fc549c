/* redteam: FW_COPY_IN_OBJ into a struct holding a pointer lets the user process choose the pointer the kernel later writes through. expect: typed-copy */
#include <fw/uaccess.h>

struct req {
	long *result;
	long len;
};

int svc_req(uint64_t uaddr);
int svc_req(uint64_t uaddr)
{
	struct req r;

	if (FW_COPY_IN_OBJ(&r, fw_uptr(uaddr)))
		return -14;
	*r.result = r.len;
	return 0;
}
