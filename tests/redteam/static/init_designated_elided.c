/* redteam: a designator followed by brace elision fills a service struct's embedded view with a base and a huge length. expect: init-framework */
#include <fw/bytes.h>

static uint8_t arr[16];

struct svc_pkt {
	int kind;
	struct fw_buf payload;
};

int svc_pkt_zero(void);
int svc_pkt_zero(void)
{
	struct svc_pkt p = { .payload = arr, 99999999 };

	return fw_buf_fill(p.payload, 0, 99999999, 0);
}
