/* redteam: a compound literal forges a read-only view 1 GiB long over a small array, and fw_copy_out leaks the kernel memory after it to user space. expect: init-framework */
#include <fw/bytes.h>
#include <fw/uaccess.h>

static const uint8_t arr[16];

int svc_leak(uint64_t uaddr);
int svc_leak(uint64_t uaddr)
{
	return fw_copy_out(fw_uptr(uaddr), (struct fw_bytes){ arr, 1ul << 30 });
}
