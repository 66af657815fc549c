/* Fixture: a byte view of a local array kept in a global: later writes
 * through it land in whatever frame is there then. */
#include <fw/bytes.h>

static struct fw_buf g_out;

void svc_setup(void);

void svc_setup(void)
{
	uint8_t staging[64];
	struct fw_buf v = FW_BUF_OF_ARRAY(staging);

	g_out = v;
}
