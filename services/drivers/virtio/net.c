/* services/drivers/virtio/net.c: the virtio network driver (virtio 1.2,
 * section 5.1), as an Ethernet interface "eth%d".
 *
 * Layer: services (safe C), drivers. Queue 0 receives, queue 1
 * transmits. Features: VIRTIO_NET_F_MAC (the address is read from the
 * device configuration) and VIRTIO_NET_F_STATUS (link state); no
 * offloads, no mergeable buffers, so every buffer is one whole frame
 * behind the 12-byte struct virtio_net_hdr (5.1.6: with VERSION_1 the
 * header always has num_buffers).
 *
 * Receive: RX_BUFS buffers of RX_BUF_BYTES (header + a 1514-byte frame)
 * are slices of one DMA allocation and always belong to the device
 * except while the driver task reads one: the interrupt handler only
 * notes which buffer came back (a small ring) and wakes the task; the
 * task hands the frame to netdev_rx, in task context, straight from the
 * DMA buffer (netdev_rx copies what it keeps), then gives the same
 * buffer back to the device. Nothing is allocated per packet.
 *
 * Transmit: TX_BUFS slots of one DMA allocation; xmit copies the frame
 * behind a zeroed header into a free slot and queues it; the completion
 * interrupt frees the slot. While every slot is in flight, frames wait
 * in a software queue of up to txqlen (1000) frames, as in Linux's
 * qdisc, and the completion interrupt moves the next one into the slot
 * it frees; beyond that the frame is dropped and counted (-ENOBUFS, as
 * a full Linux qdisc drops).
 *
 * Link state (VIRTIO_NET_F_STATUS): the configuration-change interrupt
 * re-reads the status; a change is passed on by the driver task
 * (netdev_carrier_changed: IFF_RUNNING follows the carrier while up).
 *
 * Locking: vn->lock (irqsave) guards the slot states and the returned
 * buffer ring. */
#include <fw/dma.h>
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/pci.h>
#include <fw/task.h>

#include "drivers/virtio/virtio.h"
#include "net/netdev.h"

#define VIRTIO_NET_F_MAC 5u
#define VIRTIO_NET_F_STATUS 16u
#define VIRTIO_NET_S_LINK_UP 1u
#define CFG_MAC 0x00
#define CFG_STATUS 0x06

#define NET_HDR_LEN 12u
#define FRAME_MAX 1514u
#define RX_BUF_BYTES 2048u		/* header + frame, rounded */
#define TX_BUF_BYTES 2048u
#define RX_BUFS 128u
#define TX_BUFS 128u
#define RXQ 0u
#define TXQ 1u

/* A frame waiting for a transmit slot. */
struct tx_pending {
	struct fw_list node;
	size_t len;
	uint8_t data[FRAME_MAX];
};

struct virtio_net {
	struct virtio_dev *vd;
	struct netdev nd;
	struct fw_dma *rx;		/* RX_BUFS buffers */
	struct fw_dma *tx;		/* TX_BUFS slots */
	unsigned nrx, ntx;
	struct fw_spinlock lock;
	struct fw_waitq wq;		/* the driver task waits here */
	/* lock */
	bool tx_busy[TX_BUFS];
	struct fw_list txq;		/* struct tx_pending */
	unsigned txq_len;
	uint16_t done_id[RX_BUFS];	/* buffers the device gave back */
	uint32_t done_len[RX_BUFS];
	unsigned done_head, done_n;
	bool failed;			/* the device broke: stop */
	bool carrier_event;		/* the link status changed */
	_Atomic bool carrier;		/* the link is up */
};

/* Give buffer i back to the device. */
static int rx_post(struct virtio_net *vn, unsigned i)
{
	struct virtq_chain c = { .n = 1 };

	c.seg[0] = (struct virtq_seg){ vn->rx, (size_t)i * RX_BUF_BYTES,
				       RX_BUF_BYTES, true, NULL };
	return virtq_add(vn->vd, RXQ, &c, i);
}

static void rx_done(struct virtio_dev *vd, unsigned token, uint32_t written,
		    int err)
{
	struct virtio_net *vn = vd->vnet;

	fw_spin_lock(&vn->lock);
	if (err) {
		vn->failed = true;
	} else if (token < vn->nrx && vn->done_n < RX_BUFS) {
		unsigned slot = (vn->done_head + vn->done_n) % RX_BUFS;

		vn->done_id[slot] = (uint16_t)token;
		vn->done_len[slot] = written;
		vn->done_n++;
	}
	fw_spin_unlock(&vn->lock);
	fw_waitq_wake_all(&vn->wq);
}

/* Copy frame behind a zeroed header into slot and queue it. A zero
 * header: no checksum offload, no segmentation (5.1.6.2). */
static int tx_queue(struct virtio_net *vn, unsigned slot, struct fw_bytes frame)
{
	struct fw_buf tb = fw_dma_buf(vn->tx);
	struct virtq_chain c = { .n = 1 };

	if (fw_buf_fill(tb, (size_t)slot * TX_BUF_BYTES, NET_HDR_LEN, 0) ||
	    fw_buf_copy_from(tb, (size_t)slot * TX_BUF_BYTES + NET_HDR_LEN,
			     frame))
		return -EINVAL;
	c.seg[0] = (struct virtq_seg){ vn->tx, (size_t)slot * TX_BUF_BYTES,
				       (uint32_t)(NET_HDR_LEN +
						  fw_bytes_len(frame)),
				       false, NULL };
	return virtq_add(vn->vd, TXQ, &c, slot);
}

/* Interrupt context: the slot is free again; a waiting frame takes it. */
static void tx_done(struct virtio_dev *vd, unsigned token, uint32_t written,
		    int err)
{
	struct virtio_net *vn = vd->vnet;
	struct tx_pending *p = NULL;
	struct fw_bytes b;

	(void)written;
	if (token >= vn->ntx)
		return;
	fw_spin_lock(&vn->lock);
	if (err)
		vn->failed = true;
	p = err ? NULL : FW_LIST_FIRST(&vn->txq, struct tx_pending, node);
	if (p) {
		fw_list_del(&p->node);
		vn->txq_len--;
	} else {
		vn->tx_busy[token] = false;
	}
	fw_spin_unlock(&vn->lock);
	if (err)
		atomic_fetch_add(&vn->nd.stats.tx_errors, 1);
	if (!p)
		return;
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(p->data), 0, p->len, &b) ||
	    tx_queue(vn, token, b)) {
		fw_spin_lock(&vn->lock);
		vn->tx_busy[token] = false;
		fw_spin_unlock(&vn->lock);
		atomic_fetch_add(&vn->nd.stats.tx_dropped, 1);
	}
	fw_free(p);
}

/* Interrupt context: did the link status change? */
static void net_config(struct virtio_dev *vd)
{
	struct virtio_net *vn = vd->vnet;
	bool up = virtio_cfg8(vd, CFG_STATUS) & VIRTIO_NET_S_LINK_UP;

	if (atomic_exchange(&vn->carrier, up) == up)
		return;
	fw_spin_lock(&vn->lock);
	vn->carrier_event = true;
	fw_spin_unlock(&vn->lock);
	fw_waitq_wake_all(&vn->wq);
}

static bool net_carrier(struct netdev *d)
{
	return atomic_load(&FW_CONTAINER_OF(d, struct virtio_net, nd)->carrier);
}

/* Take a pending link-status change. */
static bool carrier_take(struct virtio_net *vn)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&vn->lock);
	bool ev = vn->carrier_event;

	vn->carrier_event = false;
	fw_spin_unlock_irqrestore(&vn->lock, fl);
	return ev;
}

static bool rx_ready(struct virtio_net *vn)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&vn->lock);
	bool r = vn->done_n > 0 || vn->failed || vn->carrier_event;

	fw_spin_unlock_irqrestore(&vn->lock, fl);
	return r;
}

/* Take the next returned buffer: true and its id and length. */
static bool rx_take(struct virtio_net *vn, unsigned *id, uint32_t *len)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&vn->lock);
	bool got = vn->done_n > 0;

	if (got) {
		*id = vn->done_id[vn->done_head];
		*len = vn->done_len[vn->done_head];
		vn->done_head = (vn->done_head + 1) % RX_BUFS;
		vn->done_n--;
	}
	fw_spin_unlock_irqrestore(&vn->lock, fl);
	return got;
}

static void net_rx_main(struct virtio_net *vn)
{
	struct fw_bytes all = fw_buf_as_bytes(fw_dma_buf(vn->rx));

	for (;;) {
		unsigned id;
		uint32_t len;

		FW_WAIT_EVENT(&vn->wq, rx_ready(vn));
		if (carrier_take(vn)) {
			fw_info("%s: link %s", vn->nd.name.s,
				atomic_load(&vn->carrier) ? "up" : "down");
			netdev_carrier_changed(&vn->nd);
		}
		while (rx_take(vn, &id, &len)) {
			struct fw_bytes frame;

			/* The transport checked len against the buffer. */
			if (len < NET_HDR_LEN + 14 ||
			    fw_bytes_sub(all,
					 (size_t)id * RX_BUF_BYTES + NET_HDR_LEN,
					 len - NET_HDR_LEN, &frame))
				atomic_fetch_add(&vn->nd.stats.rx_errors, 1);
			else
				netdev_rx(&vn->nd, frame);
			if (rx_post(vn, id)) {
				atomic_fetch_add(&vn->nd.stats.rx_errors, 1);
				break;
			}
		}
		if (virtio_broken(vn->vd)) {
			fw_warn("%s: device broken; %s receives no more",
				vn->vd->name, vn->nd.name.s);
			fw_task_exit(-EIO);
		}
	}
}

static int net_xmit(struct netdev *d, struct fw_bytes frame)
{
	struct virtio_net *vn = FW_CONTAINER_OF(d, struct virtio_net, nd);
	size_t len = fw_bytes_len(frame);
	struct tx_pending *p = NULL;
	unsigned slot = TX_BUFS;
	fw_irqflags_t fl;
	int err;

	if (!(atomic_load(&d->flags) & IFF_UP))
		return -ENETDOWN;
	if (len > FRAME_MAX) {
		atomic_fetch_add(&d->stats.tx_errors, 1);
		return -EMSGSIZE;
	}
	fl = fw_spin_lock_irqsave(&vn->lock);
	/* Frames already waiting go first: order is kept. */
	for (unsigned i = 0; i < vn->ntx && !vn->txq_len; i++)
		if (!vn->tx_busy[i]) {
			vn->tx_busy[i] = true;
			slot = i;
			break;
		}
	if (slot == TX_BUFS && vn->txq_len < d->txqlen &&
	    (p = FW_NEW(struct tx_pending)) != NULL) {
		if (fw_buf_copy_from(FW_BUF_OF_ARRAY(p->data), 0, frame)) {
			fw_free(p);
			p = NULL;
		} else {
			p->len = len;
			fw_list_add_tail(&vn->txq, &p->node);
			vn->txq_len++;
		}
	}
	fw_spin_unlock_irqrestore(&vn->lock, fl);
	if (slot == TX_BUFS && !p) {
		atomic_fetch_add(&d->stats.tx_dropped, 1);
		return -ENOBUFS;
	}
	atomic_fetch_add(&d->stats.tx_packets, 1);
	atomic_fetch_add(&d->stats.tx_bytes, len);
	if (p)
		return 0; /* tx_done sends it */
	err = tx_queue(vn, slot, frame);
	if (!err)
		return 0;
	fl = fw_spin_lock_irqsave(&vn->lock);
	vn->tx_busy[slot] = false;
	fw_spin_unlock_irqrestore(&vn->lock, fl);
	atomic_fetch_add(&d->stats.tx_dropped, 1);
	return err == -ENOSPC ? -ENOBUFS : err;
}

static const struct netdev_ops virtio_net_ops = {
	.xmit = net_xmit,
	.carrier = net_carrier,
};

static int net_attach(struct virtio_dev *vd)
{
	struct virtio_net *vn = FW_NEW(struct virtio_net);
	static const struct netdev_name pattern = { "eth%d" };
	struct fw_task *t;
	int err;

	if (!vn)
		return -ENOMEM;
	vn->vd = vd;
	vd->vnet = vn;
	fw_spin_init(&vn->lock, "virtio-net");
	fw_waitq_init(&vn->wq, "virtio-net");
	fw_list_init(&vn->txq);
	err = virtio_negotiate(vd, 1ull << VIRTIO_NET_F_MAC |
					   1ull << VIRTIO_NET_F_STATUS);
	if (!err)
		err = virtio_setup_vq(vd, RXQ, RX_BUFS, rx_done);
	if (!err)
		err = virtio_setup_vq(vd, TXQ, TX_BUFS, tx_done);
	if (err)
		return err;
	vn->nrx = virtq_size(vd, RXQ) < RX_BUFS ? virtq_size(vd, RXQ)
						 : RX_BUFS;
	vn->ntx = virtq_size(vd, TXQ) < TX_BUFS ? virtq_size(vd, TXQ)
						 : TX_BUFS;
	if (vn->nrx == 0 || vn->ntx == 0)
		return -EIO;
	err = fw_dma_alloc((size_t)vn->nrx * RX_BUF_BYTES, &vn->rx);
	if (!err)
		err = fw_dma_alloc((size_t)vn->ntx * TX_BUF_BYTES, &vn->tx);
	if (err)
		return err;
	vn->nd.type = ARPHRD_ETHER;
	vn->nd.mtu = 1500;
	vn->nd.txqlen = 1000;
	vn->nd.hwaddr_len = 6;
	atomic_init(&vn->nd.flags, IFF_BROADCAST | IFF_MULTICAST);
	if (vd->features & (1ull << VIRTIO_NET_F_MAC)) {
		for (unsigned i = 0; i < 6; i++)
			vn->nd.hwaddr[i] = virtio_cfg8(vd, CFG_MAC + i);
	} else {
		/* No address from the device: a locally administered one
		 * made from the PCI address, so two such NICs differ (Linux
		 * picks a random one, eth_hw_addr_random). */
		uint16_t bdf = fw_pci_bdf(vd->pci);
		const uint8_t local[6] = { 0x02, 0, 0, 0x12, (uint8_t)(bdf >> 8),
					   (uint8_t)bdf };

		for (unsigned i = 0; i < 6; i++)
			vn->nd.hwaddr[i] = local[i];
	}
	vn->nd.ops = &virtio_net_ops;
	atomic_init(&vn->carrier,
		    !(vd->features & (1ull << VIRTIO_NET_F_STATUS)) ||
			    (virtio_cfg8(vd, CFG_STATUS) & VIRTIO_NET_S_LINK_UP));
	if (vd->features & (1ull << VIRTIO_NET_F_STATUS))
		virtio_watch_config(vd, net_config);
	virtio_start(vd);
	for (unsigned i = 0; i < vn->nrx; i++) {
		err = rx_post(vn, i);
		if (err)
			return err;
	}
	err = FW_TASK_SPAWN("virtio-net", net_rx_main, vn, -1, &t);
	if (err)
		return err;
	fw_task_detach(t);
	err = netdev_register(&vn->nd, &pattern);
	if (err)
		return err;
	fw_info("%s: %s, %02x:%02x:%02x:%02x:%02x:%02x, link %s, %s",
		vd->name, vn->nd.name.s, vn->nd.hwaddr[0], vn->nd.hwaddr[1],
		vn->nd.hwaddr[2], vn->nd.hwaddr[3], vn->nd.hwaddr[4],
		vn->nd.hwaddr[5], atomic_load(&vn->carrier) ? "up" : "down",
		vd->msix ? "MSI-X" : "INTx");
	return 0;
}

void virtio_net_probe(void)
{
	struct virtio_dev *vd;
	int err;

	for (unsigned i = 0;
	     (err = virtio_pci_find(VIRTIO_ID_NET, i, &vd)) != -ENODEV; i++)
		if (!err && net_attach(vd)) {
			fw_warn("%s: network device setup failed", vd->name);
			virtio_fail(vd);
		}
}
