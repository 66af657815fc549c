/* redteam: pass kernel addresses (the physical window, the kernel image, a wrapping range) as user pointers to the user-copy calls. expect: PASS */
#include <fw/uaccess.h>
#include "redteam.h"

static uint8_t buf[64];

FW_KTEST(redteam_ok_user_copies_refuse_kernel)
{
	static const uint64_t bad[] = {
		0xFFFF800000000000ull, 0xFFFFFFFF80000000ull,
		0x00007FFFFFFFFFF0ull, 0x0000800000000000ull,
	};

	for (unsigned i = 0; i < FW_ARRAY_LEN(bad); i++) {
		fw_uptr_t u = fw_uptr(redteam_value(bad[i]));

		FW_KT_CHECK(fw_copy_in(FW_BUF_OF_ARRAY(buf), u) == -EFAULT);
		FW_KT_CHECK(fw_copy_out(u, FW_BYTES_OF_ARRAY(buf)) == -EFAULT);
		FW_KT_CHECK(fw_clear_user(u, sizeof(buf)) == -EFAULT);
		FW_KT_CHECK(fw_copy_in_str(FW_BUF_OF_ARRAY(buf), u) == -EFAULT);
	}
}
