/* redteam: a writable byte view of a local array is kept in a global; a later call (possibly from another task) fills it, writing 256 attacker-chosen bytes over whatever frame now sits at that stack address, including saved return addresses. expect: local-escape */
#include <fw/bytes.h>

static struct fw_buf g_reply;

void svc_begin_request(void);
void svc_begin_request(void)
{
	uint8_t reply[256];

	g_reply = FW_BUF_OF_ARRAY(reply);
}

int svc_complete_request(uint8_t b);
int svc_complete_request(uint8_t b)
{
	return fw_buf_fill(g_reply, 0, fw_buf_len(g_reply), b);
}
