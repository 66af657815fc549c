/* tests/unit/arp_test.c: ARP packet parsing and building
 * (services/net/link/arp_wire.c).
 *
 * Layer: host unit test for services/net/link. The byte layouts are RFC
 * 826's for Ethernet/IPv4, as Linux and QEMU's slirp send them (the
 * first case is the reply slirp's gateway, 52:55:0a:00:02:02, gives,
 * written out by hand); t_packet checks the same exchange against a
 * real gateway.
 * unit-sources: services/net/link/arp_wire.c framework/bytes/bytes.c */
#include <string.h>

#include "harness.h"
#include "fw/errno.h"
#include "net/link/arp_wire.h"

/* slirp's answer to "who has 10.0.2.2, tell 10.0.2.15", as the 46
 * bytes after the Ethernet header (28 of ARP, 18 of padding). */
static const uint8_t slirp_reply[46] = {
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02,
	0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, 10, 0, 2, 2,
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 10, 0, 2, 15,
};

static uint32_t ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	uint8_t v[4] = { a, b, c, d };
	uint32_t r;

	memcpy(&r, v, 4); /* network order: the bytes as on the wire */
	return r;
}

static void parses_a_reply_with_padding(void)
{
	struct arp_pkt p;
	static const uint8_t gw_mac[6] = { 0x52, 0x55, 0x0a, 0, 2, 2 };
	static const uint8_t our_mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };

	CHECK(arp_parse(FW_BYTES_OF_ARRAY(slirp_reply), &p) == 0);
	CHECK(p.op == ARPOP_REPLY);
	CHECK(memcmp(p.sha.b, gw_mac, 6) == 0);
	CHECK(memcmp(p.tha.b, our_mac, 6) == 0);
	CHECK(p.spa == ip(10, 0, 2, 2));
	CHECK(p.tpa == ip(10, 0, 2, 15));
}

static void refuses_what_is_not_ethernet_ipv4(void)
{
	uint8_t b[46];
	struct arp_pkt p;
	struct fw_bytes v;

	/* Each header field in turn made wrong. */
	static const struct { unsigned off; uint8_t val; } bad[] = {
		{ 1, 6 },	/* hardware type 6 (IEEE 802) */
		{ 2, 0x86 },	/* protocol 0x86dd */
		{ 4, 8 },	/* hardware length */
		{ 5, 16 },	/* protocol length */
		{ 7, 3 },	/* RARP request */
		{ 7, 0 },
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memcpy(b, slirp_reply, sizeof b);
		b[bad[i].off] = bad[i].val;
		CHECKF(arp_parse(FW_BYTES_OF_ARRAY(b), &p) == -EINVAL,
		       "field at %u = %u accepted", bad[i].off, bad[i].val);
	}
	/* One byte short of a packet. */
	CHECK(fw_bytes_sub(FW_BYTES_OF_ARRAY(slirp_reply), 0, 27, &v) == 0);
	CHECK(arp_parse(v, &p) == -EINVAL);
	CHECK(fw_bytes_sub(FW_BYTES_OF_ARRAY(slirp_reply), 0, 28, &v) == 0);
	CHECK(arp_parse(v, &p) == 0);
	CHECK(arp_parse((struct fw_bytes){ 0 }, &p) == -EINVAL);
}

static void builds_what_it_parses(void)
{
	struct arp_pkt p = { .op = ARPOP_REPLY, .spa = ip(10, 0, 2, 2),
			     .tpa = ip(10, 0, 2, 15) }, q;
	uint8_t out[28], small[27];

	memcpy(p.sha.b, slirp_reply + 8, 6);
	memcpy(p.tha.b, slirp_reply + 18, 6);
	CHECK(arp_build(&p, FW_BUF_OF_ARRAY(out)) == 0);
	CHECK(memcmp(out, slirp_reply, 28) == 0);
	CHECK(arp_build(&p, FW_BUF_OF_ARRAY(small)) == -EINVAL);
	p.op = ARPOP_REQUEST;
	CHECK(arp_build(&p, FW_BUF_OF_ARRAY(out)) == 0);
	CHECK(out[6] == 0 && out[7] == 1);
	CHECK(arp_parse(FW_BYTES_OF_ARRAY(out), &q) == 0);
	CHECK(q.op == ARPOP_REQUEST && q.spa == p.spa && q.tpa == p.tpa);
	CHECK(memcmp(q.sha.b, p.sha.b, 6) == 0 && memcmp(q.tha.b, p.tha.b, 6) == 0);
}

int main(void)
{
	TEST_SUITE("arp");
	RUN(parses_a_reply_with_padding);
	RUN(refuses_what_is_not_ethernet_ipv4);
	RUN(builds_what_it_parses);
	HARNESS_EXIT();
}
