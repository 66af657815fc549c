/* tests/unit/dhcp_test.c: the DHCP message parser and builder of the
 * kernel's ip=dhcp client (services/net/link/dhcp_wire.c).
 *
 * Layer: host unit test for services/net/link. The reply is hostile
 * input, so besides the offer slirp sends (its options written out by
 * hand), every prefix of it and many random corruptions are parsed from
 * buffers of exactly their length: ASan turns any read past the end into
 * a failure.
 * unit-sources: services/net/link/dhcp_wire.c framework/bytes/bytes.c */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "fw/errno.h"
#include "net/link/dhcp_wire.h"

static const struct dhcp_mac mac = { { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 } };
#define XID 0x1234abcdu

static uint32_t ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	uint8_t v[4] = { a, b, c, d };
	uint32_t r;

	memcpy(&r, v, 4); /* network order: the bytes as on the wire */
	return r;
}

/* A BOOTREPLY for XID and mac offering 10.0.2.15 from 10.0.2.2, then the
 * given options; its length. */
static size_t reply(uint8_t *m, size_t cap, const uint8_t *opts, size_t n)
{
	memset(m, 0, cap);
	m[0] = 2;
	m[1] = 1;
	m[2] = 6;
	m[4] = 0x12; m[5] = 0x34; m[6] = 0xab; m[7] = 0xcd;
	m[16] = 10; m[17] = 0; m[18] = 2; m[19] = 15;	/* yiaddr */
	m[20] = 10; m[21] = 0; m[22] = 2; m[23] = 2;	/* siaddr */
	memcpy(m + 28, mac.b, 6);
	m[236] = 99; m[237] = 130; m[238] = 83; m[239] = 99;
	memcpy(m + 240, opts, n);
	return 240 + n;
}

/* What slirp's bootp.c puts in an offer. */
static const uint8_t slirp_opts[] = {
	53, 1, 2,			/* DHCPOFFER */
	54, 4, 10, 0, 2, 2,		/* server id */
	1, 4, 255, 255, 255, 0,		/* mask */
	3, 4, 10, 0, 2, 2,		/* router */
	6, 4, 10, 0, 2, 3,		/* DNS */
	51, 4, 0, 1, 0x51, 0x80,	/* lease 86400 s */
	0, 0,				/* pad */
	12, 4, 'g', 'u', 'e', 's',	/* host name */
	15, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	255,
};

/* Parse exactly len bytes from a heap copy (so ASan sees overreads). */
static int parse_exact(const uint8_t *m, size_t len, struct dhcp_reply *r)
{
	uint8_t *copy = malloc(len ? len : 1);
	int e;

	memcpy(copy, m, len);
	e = dhcp_parse(fw__bytes_make(copy, len), XID, &mac, r);
	free(copy);
	return e;
}

static void parses_slirps_offer(void)
{
	uint8_t m[600];
	size_t n = reply(m, sizeof m, slirp_opts, sizeof slirp_opts);
	struct dhcp_reply r;

	CHECK(parse_exact(m, n, &r) == 0);
	CHECK(r.type == DHCPOFFER);
	CHECK(r.yiaddr == ip(10, 0, 2, 15) && r.siaddr == ip(10, 0, 2, 2));
	CHECK(r.server_id == ip(10, 0, 2, 2));
	CHECK(r.mask == ip(255, 255, 255, 0));
	CHECK(r.router == ip(10, 0, 2, 2));
	CHECK(r.ndns == 1 && r.dns[0] == ip(10, 0, 2, 3));
	CHECK(r.lease_s == 86400);
	CHECK(strcmp(r.hostname, "gues") == 0);
	CHECK(strcmp(r.domain, "example") == 0);
	/* padded as BOOTP pads: the same */
	CHECK(parse_exact(m, 548, &r) == 0 && r.type == DHCPOFFER);
}

static void refuses_others_and_broken_headers(void)
{
	uint8_t m[600];
	size_t n = reply(m, sizeof m, slirp_opts, sizeof slirp_opts);
	struct dhcp_reply r;
	static const struct { unsigned off; uint8_t val; } bad[] = {
		{ 0, 1 },	/* a request, not a reply */
		{ 1, 6 },	/* not Ethernet */
		{ 2, 16 },	/* hardware length */
		{ 7, 0xce },	/* another transaction */
		{ 33, 0x57 },	/* another client */
		{ 239, 98 },	/* no magic cookie */
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t c = m[bad[i].off];

		m[bad[i].off] = bad[i].val;
		CHECKF(parse_exact(m, n, &r) == -EINVAL, "byte %u = %u accepted",
		       bad[i].off, bad[i].val);
		m[bad[i].off] = c;
	}
	CHECK(parse_exact(m, n, &r) == 0);
}

static void refuses_bad_options(void)
{
	static const struct { uint8_t o[12]; size_t n; const char *what; } bad[] = {
		{ { 53, 2, 2, 0, 255 }, 5, "message type of 2 bytes" },
		{ { 53, 1, 2, 1, 3, 255 }, 6, "mask of 3 bytes" },
		{ { 53, 1, 2, 3, 5, 1, 2, 3, 4, 5, 255 }, 11, "router of 5 bytes" },
		{ { 53, 1, 2, 6, 0, 255 }, 6, "no DNS server" },
		{ { 53, 1, 2, 54, 4, 1, 2 }, 7, "server id past the end" },
		{ { 53, 1, 2, 12 }, 4, "a code without its length" },
		{ { 53 }, 1, "a message type without its length" },
		{ { 1, 4, 255, 255, 255, 0, 255 }, 7, "no message type (BOOTP)" },
		{ { 255, 53, 1, 2 }, 4, "the type after END" },
	};
	uint8_t m[600];
	struct dhcp_reply r;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t n = reply(m, sizeof m, bad[i].o, bad[i].n);

		CHECKF(parse_exact(m, n, &r) == -EINVAL, "%s accepted", bad[i].what);
	}
	/* no END: the message just stops, and that is an end */
	size_t n = reply(m, sizeof m, (const uint8_t[]){ 53, 1, 5 }, 3);
	CHECK(parse_exact(m, n, &r) == 0 && r.type == DHCPACK);
	/* many DNS servers: the first three kept */
	n = reply(m, sizeof m, (const uint8_t[]){ 53, 1, 5, 6, 16, 1, 1, 1, 1,
						  2, 2, 2, 2, 3, 3, 3, 3, 4, 4,
						  4, 4, 255 }, 22);
	CHECK(parse_exact(m, n, &r) == 0 && r.ndns == 3 &&
	      r.dns[2] == ip(3, 3, 3, 3));
	/* a host name longer than kept, with a NUL inside: cut */
	uint8_t o[80] = { 53, 1, 5, 12, 70 };
	memset(o + 5, 'a', 70);
	o[75] = 255;
	n = reply(m, sizeof m, o, 76);
	CHECK(parse_exact(m, n, &r) == 0 && strlen(r.hostname) == DHCP_NAME_MAX);
	o[10] = 0;
	n = reply(m, sizeof m, o, 76);
	CHECK(parse_exact(m, n, &r) == 0 && strcmp(r.hostname, "aaaaa") == 0);
}

static void every_prefix_and_corruption_is_safe(void)
{
	uint8_t m[600], c[600];
	size_t n = reply(m, sizeof m, slirp_opts, sizeof slirp_opts);
	struct dhcp_reply r;
	uint32_t seed = 12345;

	for (size_t len = 0; len < n; len++) {
		int e = parse_exact(m, len, &r);

		/* up to the options the header is not all there; after,
		 * whatever parses must not have read past len */
		CHECKF(e == -EINVAL || len > 240, "prefix %zu parsed", len);
	}
	for (int round = 0; round < 20000; round++) {
		memcpy(c, m, n);
		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245u + 12345u;
			c[240 + (seed >> 8) % (n - 240)] = (uint8_t)(seed >> 20);
		}
		seed = seed * 1103515245u + 12345u;
		size_t len = 240 + (seed >> 8) % (n - 240 + 1);
		int e = parse_exact(c, len, &r);

		CHECK(e == 0 || e == -EINVAL);
		if (e == 0)
			CHECK(r.ndns <= DHCP_NAMESERVERS_MAX &&
			      strlen(r.hostname) <= DHCP_NAME_MAX &&
			      strlen(r.domain) <= DHCP_NAME_MAX);
	}
}

static void builds_discover_and_request(void)
{
	uint8_t out[576], small[299];
	long n = dhcp_build(FW_BUF_OF_ARRAY(out), DHCPDISCOVER, XID, &mac, 0, 0);

	CHECK(n == DHCP_MIN_LEN);
	CHECK(out[0] == 1 && out[1] == 1 && out[2] == 6);
	CHECK(out[4] == 0x12 && out[7] == 0xcd);
	CHECK(out[10] == 0x80 && out[11] == 0); /* broadcast flag */
	CHECK(memcmp(out + 28, mac.b, 6) == 0);
	CHECK(out[236] == 99 && out[239] == 99);
	CHECK(out[240] == 53 && out[241] == 1 && out[242] == DHCPDISCOVER);
	n = dhcp_build(FW_BUF_OF_ARRAY(out), DHCPREQUEST, XID, &mac,
		       ip(10, 0, 2, 15), ip(10, 0, 2, 2));
	CHECK(n == DHCP_MIN_LEN);
	CHECK(out[242] == DHCPREQUEST);
	CHECK(out[243] == 50 && out[244] == 4 && out[245] == 10 && out[248] == 15);
	CHECK(out[249] == 54 && out[250] == 4 && out[251] == 10 && out[254] == 2);
	CHECK(dhcp_build(FW_BUF_OF_ARRAY(small), DHCPDISCOVER, XID, &mac, 0, 0) ==
	      -EINVAL);
	/* what it builds is a request: the reply parser refuses it */
	struct dhcp_reply r;
	CHECK(parse_exact(out, (size_t)DHCP_MIN_LEN, &r) == -EINVAL);
}

int main(void)
{
	TEST_SUITE("dhcp");
	RUN(parses_slirps_offer);
	RUN(refuses_others_and_broken_headers);
	RUN(refuses_bad_options);
	RUN(every_prefix_and_corruption_is_safe);
	RUN(builds_discover_and_request);
	HARNESS_EXIT();
}
