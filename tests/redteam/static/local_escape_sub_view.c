/* redteam: a sub-view of a view of a local array is stored in the caller's object; the caller writes the header into it after the frame is gone, overwriting 16 bytes of a live frame. expect: local-escape */
#include <fw/bytes.h>

struct msg {
	struct fw_buf hdr;
};

int svc_frame(struct msg *m);
int svc_frame(struct msg *m)
{
	uint8_t pkt[64];
	struct fw_buf all = FW_BUF_OF_ARRAY(pkt);
	struct fw_buf h;
	int err = fw_buf_sub(all, 0, 16, &h);

	if (err)
		return err;
	m->hdr = h;
	return 0;
}
