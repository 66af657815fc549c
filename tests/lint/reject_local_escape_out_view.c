/* Fixture: a framework call writes a view of a local array into the
 * caller's object (fw_reader_init's and fw_bytes_sub's out-arguments are
 * stores too). */
#include <fw/bytes.h>

int svc_open(struct fw_reader *r, struct fw_bytes *hdr);

int svc_open(struct fw_reader *r, struct fw_bytes *hdr)
{
	uint8_t tmp[16] = { 0 };

	fw_reader_init(r, FW_BYTES_OF_ARRAY(tmp));
	return fw_bytes_sub(FW_BYTES_OF_ARRAY(tmp), 0, 4, hdr);
}
