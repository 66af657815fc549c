/* services/drivers/virtio/console.c: the virtio console (virtio 1.2,
 * section 5.3) as a second terminal, /dev/hvc0.
 *
 * Layer: services (safe C), drivers. Only port 0 (no MULTIPORT): queue 0
 * receives, queue 1 transmits. RX_BUFS receive buffers are always given
 * to the device; each completed one is handed to the tty and given back.
 * Output comes from the line discipline with the tty's spinlock held, so
 * it cannot wait: each piece is copied into one of TX_BUFS transmit slots
 * and queued. Writers wait in tty_write until enough slots are free
 * (write_room; a finished transmission wakes them), so only echo of
 * typed input can find them all in flight, and is then dropped and
 * counted (as Linux's hvc when the host does not read).
 *
 * Locking: vc->lock (irqsave) guards the transmit slots. */
#include <fw/dma.h>
#include <fw/heap.h>
#include <fw/log.h>

#include "drivers/virtio/virtio.h"
#include "tty/tty.h"

#define RX_BUFS 8u
#define TX_BUFS 16u
#define BUF_BYTES 256u
/* One line-discipline piece fits one slot (write_room counts slots). */
FW_STATIC_ASSERT(LDISC_OBUF <= BUF_BYTES, "tx slot");

struct virtio_console {
	struct virtio_dev *vd;
	struct tty tty;
	struct fw_dma *rx;		/* RX_BUFS * BUF_BYTES */
	struct fw_dma *tx;		/* TX_BUFS * BUF_BYTES */
	struct fw_spinlock lock;
	bool tx_busy[TX_BUFS];		/* lock */
	uint64_t tx_dropped;		/* lock */
};

static int rx_post(struct virtio_console *vc, unsigned i)
{
	struct virtq_chain c = { .n = 1 };

	c.seg[0] = (struct virtq_seg){ vc->rx, i * BUF_BYTES, BUF_BYTES, true, NULL };
	return virtq_add(vc->vd, 0, &c, i);
}

static void rx_done(struct virtio_dev *vd, unsigned token, uint32_t written,
		    int err)
{
	struct virtio_console *vc = vd->vcon;
	struct fw_bytes got;

	if (err || token >= RX_BUFS)
		return; /* the device is broken: the buffer stays unused */
	if (fw_bytes_sub(fw_buf_as_bytes(fw_dma_buf(vc->rx)), token * BUF_BYTES,
			 written, &got) == 0)
		tty_input(&vc->tty, got);
	if (rx_post(vc, token))
		fw_warn("%s: cannot give a receive buffer back", vd->name);
}

static void tx_done(struct virtio_dev *vd, unsigned token, uint32_t written,
		    int err)
{
	struct virtio_console *vc = vd->vcon;
	fw_irqflags_t fl;

	(void)written;
	(void)err;
	if (token >= TX_BUFS)
		return;
	fl = fw_spin_lock_irqsave(&vc->lock);
	vc->tx_busy[token] = false;
	fw_spin_unlock_irqrestore(&vc->lock, fl);
	fw_waitq_wake_all(&vc->tty.write_wait);
}

static unsigned console_write_room(struct tty *t)
{
	struct virtio_console *vc = t->vcon;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&vc->lock);
	unsigned n = 0;

	for (unsigned i = 0; i < TX_BUFS; i++)
		n += !vc->tx_busy[i];
	fw_spin_unlock_irqrestore(&vc->lock, fl);
	return n;
}

static bool tx_slot(struct virtio_console *vc, unsigned *out)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&vc->lock);
	bool ok = false;

	for (unsigned i = 0; i < TX_BUFS; i++)
		if (!vc->tx_busy[i]) {
			vc->tx_busy[i] = true;
			*out = i;
			ok = true;
			break;
		}
	if (!ok)
		vc->tx_dropped++;
	fw_spin_unlock_irqrestore(&vc->lock, fl);
	return ok;
}

static void console_write(struct tty *t, struct fw_bytes bytes)
{
	struct virtio_console *vc = t->vcon;
	size_t off = 0, len = fw_bytes_len(bytes);

	while (off < len) {
		size_t n = len - off < BUF_BYTES ? len - off : BUF_BYTES;
		struct virtq_chain c = { .n = 1 };
		struct fw_bytes part;
		unsigned i;

		if (!tx_slot(vc, &i))
			return; /* dropped (counted) */
		if (fw_bytes_sub(bytes, off, n, &part) ||
		    fw_buf_copy_from(fw_dma_buf(vc->tx), i * BUF_BYTES, part)) {
			tx_done(vc->vd, i, 0, 0);
			return;
		}
		c.seg[0] = (struct virtq_seg){ vc->tx, i * BUF_BYTES,
					       (uint32_t)n, false, NULL };
		if (virtq_add(vc->vd, 1, &c, i)) {
			tx_done(vc->vd, i, 0, 0);
			return;
		}
		off += n;
	}
}

static const struct tty_driver_ops console_ops = {
	.write = console_write,
	.write_room = console_write_room,
};

static int console_attach(struct virtio_dev *vd)
{
	struct virtio_console *vc = FW_NEW(struct virtio_console);
	int err;

	if (!vc)
		return -ENOMEM;
	vc->vd = vd;
	vd->vcon = vc;
	vc->tty.vcon = vc;
	fw_spin_init(&vc->lock, "virtio-console");
	err = virtio_negotiate(vd, 0);
	if (!err)
		err = virtio_setup_vq(vd, 0, RX_BUFS, rx_done);
	if (!err)
		err = virtio_setup_vq(vd, 1, TX_BUFS, tx_done);
	if (!err)
		err = fw_dma_alloc(RX_BUFS * BUF_BYTES, &vc->rx);
	if (!err)
		err = fw_dma_alloc(TX_BUFS * BUF_BYTES, &vc->tx);
	if (!err)
		err = tty_setup(&vc->tty, "hvc0", &console_ops);
	if (err)
		return err;
	virtio_start(vd);
	for (unsigned i = 0; i < RX_BUFS && !err; i++)
		err = rx_post(vc, i);
	if (err)
		return err;
	tty_set_hvc(&vc->tty);
	fw_info("%s: console hvc0", vd->name);
	return 0;
}

void virtio_console_probe(void)
{
	struct virtio_dev *vd;

	/* One console: /dev/hvc0. */
	if (virtio_pci_find(VIRTIO_ID_CONSOLE, 0, &vd) == 0 &&
	    console_attach(vd)) {
		fw_warn("%s: console setup failed", vd->name);
		virtio_fail(vd);
	}
}
