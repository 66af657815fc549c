/* redteam: a union of a fw_buf and two integers forges a view by writing the integers. expect: union-pointer */
#include <fw/bytes.h>

union pun {
	struct fw_buf view;
	unsigned long raw[2];
};

int svc_view(unsigned long base);
int svc_view(unsigned long base)
{
	union pun u;

	u.raw[0] = base;
	u.raw[1] = ~0ul;
	return fw_buf_fill(u.view, 0, 4096, 0);
}
