/* redteam: a global reader is set up over a local array; later reads through it copy out whatever another task's frame holds at that address (kernel pointers, other processes' data) to user space. expect: local-escape */
#include <fw/bytes.h>

static struct fw_reader g_rd;

void svc_open_record(void);
void svc_open_record(void)
{
	uint8_t rec[128] = { 0 };

	fw_reader_init(&g_rd, FW_BYTES_OF_ARRAY(rec));
}
