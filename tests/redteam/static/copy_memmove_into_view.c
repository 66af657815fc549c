/* redteam: memmove of plain integers onto a struct holding a fw_buf forges the view's base and length. expect: typed-copy */
#include <fw/bytes.h>
#include <fw/string.h>

struct svc_io {
	struct fw_buf buf;
};

static struct svc_io io;

int svc_io_forge(void);
int svc_io_forge(void)
{
	unsigned long raw[2] = { 0xffff800000000000ul, ~0ul };

	memmove(&io, raw, sizeof io);
	return fw_buf_fill(io.buf, 0, 4096, 0);
}
