/* redteam: a function returns a writable view of its own stack array; the caller writes through it into the frames of the calls it makes next (its own return address included). expect: local-escape */
#include <fw/bytes.h>

struct fw_buf svc_scratch(void);
struct fw_buf svc_scratch(void)
{
	uint8_t tmp[512];
	struct fw_buf v = FW_BUF_OF_ARRAY(tmp);

	return v;
}

int svc_use_scratch(void);
int svc_use_scratch(void)
{
	struct fw_buf v = svc_scratch();

	return fw_buf_fill(v, 0, fw_buf_len(v), 0x41);
}
