/* services/net/link/ipconfig.c: the kernel's ip= network configuration.
 *
 * Layer: services (safe C), net/link, after Linux net/ipv4/ipconfig.c
 * and Documentation/admin-guide/nfs/nfsroot.rst ("ip="). Runs once at
 * boot, after the drivers registered their devices and before /init:
 *
 *   ip=off | ip=none                  nothing (as without ip=)
 *   ip=dhcp | ip=on | ip=any          DHCP on the first Ethernet device
 *   ip=<client-ip>:<server-ip>:<gw-ip>:<netmask>:<hostname>:<device>:
 *      <autoconf>:<dns0-ip>:<dns1-ip>
 *
 * With a client address the configuration is static (Linux too, with
 * one device); without one, autoconf empty, "dhcp", "on", "any" or
 * "bootp" asks DHCP, "off"/"none" does nothing. A missing netmask is the
 * address's class default (Linux ic_defaults). The device gets the
 * address and mask and comes up, a gateway becomes the default route,
 * and /proc/net/pnp says what was learnt, in Linux's format (#PROTO:
 * DHCP or #MANUAL, domain, nameserver and bootserver lines), which
 * scripts copy to /etc/resolv.conf.
 *
 * DHCP (RFC 2131, dhcp_wire.c builds and parses): DISCOVER, an OFFER,
 * REQUEST, the ACK, all broadcast from 0.0.0.0 since we have no address
 * yet; replies are taken off the receive path (eth.c hands every IPv4
 * frame to ipconfig_rx while we listen) before IPv4's address checks,
 * as Linux's ic_bootp_recv. Waits are bounded as Linux's: the carrier
 * up to 120 s (carrier_timeout), then six tries with a timeout that
 * starts at 2 s and grows by 7/4 up to 30 s (CONF_SEND_RETRIES,
 * CONF_BASE_TIMEOUT, CONF_TIMEOUT_MULT, CONF_TIMEOUT_MAX), 71 s in
 * all; then "IP-Config: Auto-configuration of network failed.", the
 * device goes down again, and the boot goes on without. Not done:
 * BOOTP-only and RARP servers, the host name (Linux sets utsname's
 * nodename from it), several devices at once.
 *
 * The results are written before /init starts and only read after, so
 * they need no lock; the receive slot has its own (ic_lock). */
#include <fw/boot.h>
#include <fw/log.h>
#include <fw/string.h>
#include <fw/sync.h>
#include <fw/task.h>
#include <fw/time.h>

#include "fs/procfs/procfs.h"
#include "net/inet/inet.h"
#include "net/link/dhcp_wire.h"
#include "net/link/link.h"
#include "net/net.h"

#define IC_FIELDS 9
#define IC_FIELD_MAX 64
#define IC_ARG_MAX 512
#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define IC_MSG_MAX 1472		/* a reply in one Ethernet frame */
#define IC_SEND_RETRIES 6
#define IC_BASE_TIMEOUT_NS (2ull * 1000000000ull)
#define IC_TIMEOUT_MAX_NS (30ull * 1000000000ull)
#define IC_CARRIER_TIMEOUT_NS (120ull * 1000000000ull)
#define IC_CARRIER_POLL_NS (10ull * 1000000ull)

struct ic_field {
	char s[IC_FIELD_MAX];
};

struct ic_fields {
	struct ic_field f[IC_FIELDS];
};

struct ic_arg {
	char s[IC_ARG_MAX];
};

struct ic_addr_text {
	char s[16];
};

/* What was configured (written before /init, read by /proc/net/pnp). */
static bool ic_done;			/* the configuration took */
static bool ic_dhcp;			/* ...from DHCP (else #MANUAL) */
static uint32_t ic_servaddr;		/* bootserver, network order */
static uint32_t ic_dns[DHCP_NAMESERVERS_MAX];
static struct ic_field ic_domain;

/* The receive slot: one reply at a time, taken by the waiting boot
 * task. */
static struct fw_spinlock ic_lock = FW_SPINLOCK_INIT("ipconfig");
static atomic_bool ic_listening;
static atomic_bool ic_full;
static struct fw_waitq ic_wq;
static struct {
	uint8_t b[IC_MSG_MAX];
	size_t len;
	struct netdev *dev;
} ic_slot;				/* ic_lock */

static struct ic_addr_text addr_text(uint32_t net_order)
{
	struct ic_addr_text t;
	uint32_t a = __builtin_bswap32(net_order);

	snprintf(t.s, sizeof t.s, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xffu,
		 (a >> 8) & 0xffu, a & 0xffu);
	return t;
}

/* A dotted quad (network order): true if f holds exactly one. */
static bool parse_addr(const struct ic_field *f, uint32_t *out)
{
	uint32_t a = 0, part = 0;
	unsigned dots = 0, digits = 0;

	for (unsigned i = 0; i < IC_FIELD_MAX; i++) {
		char c = f->s[i];

		if (c >= '0' && c <= '9') {
			part = part * 10 + (uint32_t)(c - '0');
			if (++digits > 3 || part > 255)
				return false;
		} else if ((c == '.' || c == 0) && digits) {
			a = a << 8 | part;
			part = 0;
			digits = 0;
			if (c == 0)
				break;
			if (++dots > 3)
				return false;
		} else {
			return false;
		}
	}
	if (dots != 3)
		return false;
	*out = __builtin_bswap32(a);
	return true;
}

/* Split the option at ':' into fields (each cut to IC_FIELD_MAX - 1). */
static void split(const struct ic_arg *a, struct ic_fields *out)
{
	unsigned k = 0, n = 0;

	for (unsigned i = 0; i < IC_ARG_MAX && a->s[i] && k < IC_FIELDS; i++) {
		if (a->s[i] == ':') {
			k++;
			n = 0;
			continue;
		}
		if (n < IC_FIELD_MAX - 1)
			out->f[k].s[n++] = a->s[i];
	}
}

/* The class default mask (network order) for an address without one. */
static uint32_t class_mask(uint32_t net_order)
{
	uint32_t a = __builtin_bswap32(net_order);

	if ((a >> 31) == 0)
		return __builtin_bswap32(0xff000000u);
	if ((a >> 30) == 2)
		return __builtin_bswap32(0xffff0000u);
	return __builtin_bswap32(0xffffff00u);
}

/* The device to configure: the named one, else the first Ethernet. */
static struct netdev *pick_dev(const struct ic_field *name)
{
	struct netdev_name n = { 0 };
	struct netdev *d = NULL;

	if (name->s[0]) {
		fw_strlcpy(n.s, name->s, sizeof n.s);
		d = netdev_by_name(&n);
		if (!d)
			fw_warn("IP-Config: Device `%s' not found", name->s);
		return d;
	}
	while ((d = netdev_next(d)))
		if (d->type == ARPHRD_ETHER)
			return d;
	fw_warn("IP-Config: No network devices available");
	return NULL;
}

/* Give d its address, bring it up, route through gw (0: none). */
static void apply(struct netdev *d, uint32_t addr, uint32_t mask, uint32_t gw)
{
	netdev_set_ipv4(d, addr, mask);
	link_dev_set_up(d, true);
	if (gw && route_add_default(__builtin_bswap32(gw), d))
		fw_warn("IP-Config: could not add the default route");
	fw_info("IP-Config: Complete:");
	fw_info("     device=%s, ipaddr=%s, mask=%s, gw=%s", d->name.s,
		addr_text(addr).s, addr_text(mask).s,
		gw ? addr_text(gw).s : "255.255.255.255");
	for (unsigned i = 0; i < DHCP_NAMESERVERS_MAX; i++)
		if (ic_dns[i])
			fw_info("     nameserver%u=%s", i, addr_text(ic_dns[i]).s);
	ic_done = true;
}

/* ---- DHCP ------------------------------------------------------------- */

bool ipconfig_rx(struct netdev *d, struct fw_bytes pkt)
{
	uint8_t vihl = 0, proto = 0;
	uint16_t total = 0, frag = 0, sport = 0, dport = 0, ulen = 0;
	uint32_t ihl;
	struct fw_bytes udp;

	if (!atomic_load(&ic_listening))
		return false;
	if (fw_bytes_get_u8(pkt, 0, &vihl) || fw_bytes_get_u16_be(pkt, 2, &total) ||
	    fw_bytes_get_u16_be(pkt, 6, &frag) || fw_bytes_get_u8(pkt, 9, &proto))
		return false;
	ihl = (vihl & 0xfu) * 4u;
	if (vihl >> 4 != 4 || ihl < IP_HLEN || proto != IPPROTO_UDP ||
	    (frag & 0x3fffu) || total > fw_bytes_len(pkt) || total < ihl + UDP_HLEN ||
	    fw_bytes_sub(pkt, ihl, total - ihl, &udp) ||
	    fw_bytes_get_u16_be(udp, 0, &sport) ||
	    fw_bytes_get_u16_be(udp, 2, &dport) ||
	    fw_bytes_get_u16_be(udp, 4, &ulen))
		return false;
	if (sport != DHCP_SERVER_PORT || dport != DHCP_CLIENT_PORT)
		return false;
	if (ulen < UDP_HLEN || ulen > fw_bytes_len(udp) ||
	    ulen - UDP_HLEN > IC_MSG_MAX ||
	    fw_bytes_sub(udp, UDP_HLEN, ulen - UDP_HLEN, &udp))
		return true; /* ours, but malformed: dropped */
	fw_spin_lock(&ic_lock);
	if (!atomic_load(&ic_full) &&
	    fw_buf_copy_from(FW_BUF_OF_ARRAY(ic_slot.b), 0, udp) == 0) {
		ic_slot.len = fw_bytes_len(udp);
		ic_slot.dev = d;
		atomic_store(&ic_full, true);
	}
	fw_spin_unlock(&ic_lock);
	fw_waitq_wake_all(&ic_wq);
	return true;
}

/* Broadcast one DHCP message from 0.0.0.0:68 to 255.255.255.255:67. */
static int dhcp_send(struct netdev *d, uint8_t type, uint32_t xid,
		     const struct dhcp_mac *mac, uint32_t req_ip,
		     uint32_t server_id)
{
	static struct {
		uint8_t b[IP_HLEN + UDP_HLEN + 576];
	} pkt;				/* only the boot task sends */
	struct eth_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct fw_buf all = FW_BUF_OF_ARRAY(pkt.b), msg;
	struct fw_bytes ip, udp, frame;
	struct fw_writer w;
	uint32_t ulen, total;
	uint16_t c;
	long n;
	int err = 0;

	if (fw_buf_sub(all, IP_HLEN + UDP_HLEN, 576, &msg))
		return -EINVAL;
	n = dhcp_build(msg, type, xid, mac, req_ip, server_id);
	if (n < 0)
		return (int)n;
	ulen = UDP_HLEN + (uint32_t)n;
	total = IP_HLEN + ulen;
	fw_writer_init(&w, all);
	err |= fw_writer_u8(&w, 0x45);
	err |= fw_writer_u8(&w, 0);
	err |= fw_writer_u16_be(&w, (uint16_t)total);
	err |= fw_writer_u16_be(&w, (uint16_t)inet_random());
	err |= fw_writer_u16_be(&w, 0);
	err |= fw_writer_u8(&w, IP_DEFAULT_TTL);
	err |= fw_writer_u8(&w, IPPROTO_UDP);
	err |= fw_writer_u16_be(&w, 0);
	err |= fw_writer_u32_be(&w, INADDR_ANY);
	err |= fw_writer_u32_be(&w, INADDR_BROADCAST);
	err |= fw_writer_u16_be(&w, DHCP_CLIENT_PORT);
	err |= fw_writer_u16_be(&w, DHCP_SERVER_PORT);
	err |= fw_writer_u16_be(&w, (uint16_t)ulen);
	err |= fw_writer_u16_be(&w, 0);
	if (err || fw_bytes_sub(fw_buf_as_bytes(all), 0, IP_HLEN, &ip) ||
	    fw_bytes_sub(fw_buf_as_bytes(all), IP_HLEN, ulen, &udp) ||
	    fw_bytes_sub(fw_buf_as_bytes(all), 0, total, &frame))
		return -EINVAL;
	c = inet_csum_fold(inet_csum_add(0, ip));
	if (fw_buf_put_u16_be(all, 10, c))
		return -EINVAL;
	c = inet_csum_fold(inet_csum_add(inet_csum_pseudo(INADDR_ANY,
							  INADDR_BROADCAST,
							  IPPROTO_UDP, ulen),
					 udp));
	if (fw_buf_put_u16_be(all, IP_HLEN + 6, c ? c : 0xffff))
		return -EINVAL;
	return eth_xmit(d, &bcast, ETH_P_IP, frame, NULL);
}

/* Wait until deadline for a reply of one of the wanted types (a mask of
 * 1 << DHCP*) to xid from d: 0 with *out, or -ETIMEDOUT. */
static int dhcp_wait(struct netdev *d, uint32_t xid, const struct dhcp_mac *mac,
		     unsigned want, uint64_t deadline, struct dhcp_reply *out)
{
	static struct {
		uint8_t b[IC_MSG_MAX];
	} msg;				/* only the boot task waits */
	size_t len = 0;
	struct netdev *from = NULL;
	struct fw_bytes v;
	int r = 0;

	for (;;) {
		FW_WAIT_EVENT_DEADLINE(&ic_wq, atomic_load(&ic_full), deadline, r);
		if (r)
			return -ETIMEDOUT;
		fw_spin_lock(&ic_lock);
		len = ic_slot.len;
		from = ic_slot.dev;
		for (size_t i = 0; i < len && i < IC_MSG_MAX; i++)
			msg.b[i] = ic_slot.b[i];
		atomic_store(&ic_full, false);
		fw_spin_unlock(&ic_lock);
		if (from != d ||
		    fw_bytes_sub(FW_BYTES_OF_ARRAY(msg.b), 0, len, &v) ||
		    dhcp_parse(v, xid, mac, out) || out->type >= 32 ||
		    !((want >> out->type) & 1u) ||
		    (out->type != DHCPNAK && !out->yiaddr))
			continue; /* not ours, malformed, not now, no address */
		return 0;
	}
}

/* Wait for d's carrier (IFF_RUNNING) after bringing it up. */
static bool carrier_wait(struct netdev *d)
{
	uint64_t end = fw_time_ns() + IC_CARRIER_TIMEOUT_NS;

	while (!(atomic_load(&d->flags) & IFF_RUNNING)) {
		if (fw_time_ns() > end)
			return false;
		fw_sleep_ns(IC_CARRIER_POLL_NS);
	}
	return true;
}

/* DISCOVER, OFFER, REQUEST, ACK on d: 0 with *ack, or -ETIMEDOUT. */
static int dhcp_exchange(struct netdev *d, struct dhcp_reply *ack)
{
	uint64_t timeout = IC_BASE_TIMEOUT_NS;
	struct dhcp_mac mac;
	struct dhcp_reply offer;
	uint32_t xid = (uint32_t)inet_random();

	for (unsigned i = 0; i < 6; i++)
		mac.b[i] = d->hwaddr[i];
	for (unsigned tries = 0; tries < IC_SEND_RETRIES; tries++) {
		if (dhcp_send(d, DHCPDISCOVER, xid, &mac, 0, 0) ||
		    dhcp_wait(d, xid, &mac, 1u << DHCPOFFER,
			      fw_time_ns() + timeout, &offer) ||
		    dhcp_send(d, DHCPREQUEST, xid, &mac, offer.yiaddr,
			      offer.server_id) ||
		    dhcp_wait(d, xid, &mac, 1u << DHCPACK | 1u << DHCPNAK,
			      fw_time_ns() + timeout, ack) ||
		    ack->type != DHCPACK) {
			timeout = timeout * 7 / 4;
			if (timeout > IC_TIMEOUT_MAX_NS)
				timeout = IC_TIMEOUT_MAX_NS;
			xid++;
			continue;
		}
		return 0;
	}
	return -ETIMEDOUT;
}

static void dhcp_config(struct netdev *d)
{
	struct dhcp_reply ack;
	int err;

	link_dev_set_up(d, true);
	if (!carrier_wait(d)) {
		fw_warn("IP-Config: %s: no carrier", d->name.s);
		goto out_down;
	}
	fw_info("Sending DHCP requests on %s", d->name.s);
	atomic_store(&ic_listening, true);
	err = dhcp_exchange(d, &ack);
	atomic_store(&ic_listening, false);
	if (err) {
		fw_warn("IP-Config: no DHCP answer on %s", d->name.s);
		goto out_down;
	}
	fw_info("IP-Config: Got DHCP answer from %s, my address is %s",
		addr_text(ack.server_id ? ack.server_id : ack.siaddr).s,
		addr_text(ack.yiaddr).s);
	ic_dhcp = true;
	ic_servaddr = ack.server_id ? ack.server_id : ack.siaddr;
	for (unsigned i = 0; i < DHCP_NAMESERVERS_MAX; i++)
		ic_dns[i] = i < ack.ndns ? ack.dns[i] : 0;
	fw_strlcpy(ic_domain.s, ack.domain, sizeof ic_domain.s);
	apply(d, ack.yiaddr, ack.mask ? ack.mask : class_mask(ack.yiaddr),
	      ack.router);
	return;
out_down:
	/* Linux ic_close_devs: a device it opened and could not
	 * configure goes down again. */
	link_dev_set_up(d, false);
	fw_warn("IP-Config: Auto-configuration of network failed.");
}

void ipconfig_run(void)
{
	struct ic_fields fs = { 0 };
	struct ic_arg *a;
	uint32_t addr = 0, mask = 0, gw = 0, server = 0;
	bool have_addr;
	struct netdev *d;
	long n;

	fw_waitq_init(&ic_wq, "ipconfig");
	a = FW_NEW(struct ic_arg);
	if (!a)
		return;
	n = fw_boot_opt_copy("ip", FW_BUF_OF_ARRAY(a->s));
	if (n <= 0) {
		if (n < 0 && n != -ENOENT)
			fw_warn("IP-Config: ip= is too long; ignored");
		fw_free(a);
		return;
	}
	split(a, &fs);
	fw_free(a);
	if (!strcmp(fs.f[0].s, "off") || !strcmp(fs.f[0].s, "none"))
		return;
	if (!strcmp(fs.f[0].s, "dhcp") || !strcmp(fs.f[0].s, "on") ||
	    !strcmp(fs.f[0].s, "any") || !strcmp(fs.f[0].s, "bootp")) {
		fw_strlcpy(fs.f[6].s, fs.f[0].s, sizeof fs.f[6].s);
		fs.f[0].s[0] = 0;
	}
	have_addr = fs.f[0].s[0] != 0;
	if ((have_addr && !parse_addr(&fs.f[0], &addr)) ||
	    (fs.f[1].s[0] && !parse_addr(&fs.f[1], &server)) ||
	    (fs.f[2].s[0] && !parse_addr(&fs.f[2], &gw)) ||
	    (fs.f[3].s[0] && !parse_addr(&fs.f[3], &mask)) ||
	    (fs.f[7].s[0] && !parse_addr(&fs.f[7], &ic_dns[0])) ||
	    (fs.f[8].s[0] && !parse_addr(&fs.f[8], &ic_dns[1]))) {
		fw_warn("IP-Config: ip= has a malformed address; ignored");
		return;
	}
	d = pick_dev(&fs.f[5]);
	if (!d) {
		fw_warn("IP-Config: Auto-configuration of network failed.");
		return;
	}
	if (have_addr) {
		ic_servaddr = server;
		apply(d, addr, mask ? mask : class_mask(addr), gw);
		return;
	}
	if (!strcmp(fs.f[6].s, "off") || !strcmp(fs.f[6].s, "none"))
		return;
	if (fs.f[6].s[0] && strcmp(fs.f[6].s, "dhcp") && strcmp(fs.f[6].s, "on") &&
	    strcmp(fs.f[6].s, "any") && strcmp(fs.f[6].s, "bootp"))
		fw_warn("IP-Config: autoconf `%s' not supported; using DHCP",
			fs.f[6].s);
	dhcp_config(d);
}

/* /proc/net/pnp: Linux's pnp_seq_show. */
void ipconfig_pnp_proc(struct procfs_seq *s)
{
	if (ic_done && ic_dhcp)
		procfs_printf(s, "#PROTO: DHCP\n");
	else
		procfs_printf(s, "#MANUAL\n");
	if (ic_domain.s[0])
		procfs_printf(s, "domain %s\n", ic_domain.s);
	for (unsigned i = 0; i < DHCP_NAMESERVERS_MAX; i++)
		if (ic_dns[i])
			procfs_printf(s, "nameserver %s\n", addr_text(ic_dns[i]).s);
	if (ic_servaddr)
		procfs_printf(s, "bootserver %s\n", addr_text(ic_servaddr).s);
}
