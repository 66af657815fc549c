/* redteam: brace elision in a service struct that embeds a fw_buf sets the view's private base and length, giving a 1 TiB view. expect: init-framework */
#include <fw/bytes.h>

static uint8_t arr[16];

struct svc_req {
	struct fw_buf data;
	int flags;
};

int svc_req_clear(size_t off);
int svc_req_clear(size_t off)
{
	struct svc_req r = { arr, 1ul << 40, 0 };

	return fw_buf_fill(r.data, off, 8, 0);
}
