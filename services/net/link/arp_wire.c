/* services/net/link/arp_wire.c: ARP packet parsing and building.
 *
 * Layer: services (safe C), net/link; pure. See arp_wire.h. Addresses
 * in network order are read and written as bytes, so the value in
 * memory is the wire's byte sequence whatever the CPU's order. */
#include <fw/errno.h>

#include "net/link/arp_wire.h"

#define ARPHRD_ETHER_WIRE 1

/* Four wire bytes into a uint32_t holding them in the same order. */
static int get_in_addr(struct fw_reader *r, uint32_t *out)
{
	uint32_t v = 0;

	if (fw_reader_u32_le(r, &v))
		return -EINVAL;
	*out = v; /* the le load keeps the byte sequence on x86 */
	return 0;
}

static int get_hw(struct fw_reader *r, struct eth_addr *out)
{
	return fw_reader_copy(r, FW_BUF_OF_ARRAY(out->b));
}

int arp_parse(struct fw_bytes b, struct arp_pkt *out)
{
	struct fw_reader r;
	uint16_t hrd, pro, op;
	uint8_t hln, pln;

	fw_reader_init(&r, b);
	if (fw_reader_u16_be(&r, &hrd) || fw_reader_u16_be(&r, &pro) ||
	    fw_reader_u8(&r, &hln) || fw_reader_u8(&r, &pln) ||
	    fw_reader_u16_be(&r, &op))
		return -EINVAL;
	if (hrd != ARPHRD_ETHER_WIRE || pro != ETH_P_IP || hln != ETH_ALEN ||
	    pln != 4)
		return -EINVAL;
	if (op != ARPOP_REQUEST && op != ARPOP_REPLY)
		return -EINVAL;
	out->op = op;
	if (get_hw(&r, &out->sha) || get_in_addr(&r, &out->spa) ||
	    get_hw(&r, &out->tha) || get_in_addr(&r, &out->tpa))
		return -EINVAL;
	return 0;
}

int arp_build(const struct arp_pkt *p, struct fw_buf out)
{
	struct fw_writer w;

	fw_writer_init(&w, out);
	if (fw_writer_remain(&w) < ARP_PKT_LEN)
		return -EINVAL;
	if (fw_writer_u16_be(&w, ARPHRD_ETHER_WIRE) ||
	    fw_writer_u16_be(&w, ETH_P_IP) || fw_writer_u8(&w, ETH_ALEN) ||
	    fw_writer_u8(&w, 4) || fw_writer_u16_be(&w, p->op) ||
	    fw_writer_bytes(&w, FW_BYTES_OF_ARRAY(p->sha.b)) ||
	    fw_writer_u32_le(&w, p->spa) ||
	    fw_writer_bytes(&w, FW_BYTES_OF_ARRAY(p->tha.b)) ||
	    fw_writer_u32_le(&w, p->tpa))
		return -EINVAL;
	return 0;
}
