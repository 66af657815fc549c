/* services/net/netem.h: a lossy link for testing, set on the kernel
 * command line.
 *
 * Layer: services (safe C), net, after Linux's netem queueing discipline
 * (its loss and reorder options). Knobs, all off by default:
 *   net.loss=P      drop P % of the packets (0-100)
 *   net.reorder=R   hold back R % of them and deliver each after the
 *                   packet that follows it (0-100)
 *   net.seed=N      the pseudo-random sequence (default 1): the same
 *                   seed gives the same sequence of decisions per device
 *                   and direction, so a failure can be replayed
 * Every interface takes part, both directions: a frame an Ethernet
 * device receives (netdev_rx) or sends (netdev_dev_xmit) is judged on
 * that device's receive or send side. The loopback device judges each
 * packet once, as it is received (on lo the packet sent and the packet
 * received are the same one, so P % of them are lost, not about 2P %).
 * Drops count as rx_dropped / tx_dropped of the interface.
 *
 * Off, the cost on a packet path is one test of netem_on. */
#ifndef SERVICES_NET_NETEM_H
#define SERVICES_NET_NETEM_H

#include "net/netdev.h"

/* Set once by netem_init when a knob is given; read-only afterwards. */
extern bool netem_on;

/* Read the knobs (once, at network start-up) and log them if set. */
void netem_init(void);

enum netem_verdict {
	NETEM_PASS,	/* deliver it now */
	NETEM_DROP,	/* counted already: free it */
	NETEM_HOLD,	/* deliver it after the next packet */
};
/* The decision for one packet crossing d (tx: being sent). Drops are
 * counted on d here. For callers that keep their own held packet (the
 * loopback device). */
enum netem_verdict netem_judge(struct netdev *d, bool tx);

/* Where a frame goes once it passes: the device's real receive or send
 * path (0 or -errno). */
typedef int (*netem_deliver_fn)(struct netdev *d, struct fw_bytes frame);
/* Pass one frame of d through the knobs: deliver(d, frame) now, after
 * the next frame on the same side (a copy is kept meanwhile; at most
 * one per side), or never (dropped). A held frame whose follower does
 * not come is delivered by netem_poll after NETEM_HOLD_MAX_NS. The
 * result of delivering frame now; 0 when it was held or dropped (what
 * happens to a held frame later is not reported). */
int netem_frame(struct netdev *d, bool tx, struct fw_bytes frame,
		netem_deliver_fn deliver);
#define NETEM_HOLD_MAX_NS (20ull * 1000 * 1000)
/* Deliver the held frames that waited long enough; returns the next
 * deadline (UINT64_MAX: none). Task context, from the net task. */
uint64_t netem_poll(uint64_t now);

#endif
