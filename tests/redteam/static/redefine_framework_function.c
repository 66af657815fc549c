/* redteam: #define fw_buf_len makes every bounds computation in this file believe a view is 1 MiB long. expect: redefine */
#include <fw/bytes.h>

#define fw_buf_len(b) ((size_t)1 << 20)

size_t svc_room(struct fw_buf b);
size_t svc_room(struct fw_buf b)
{
	return fw_buf_len(b);
}
