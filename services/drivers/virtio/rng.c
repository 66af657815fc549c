/* services/drivers/virtio/rng.c: the virtio entropy device (virtio 1.2,
 * section 5.4) as a seed for the kernel's generator.
 *
 * Layer: services (safe C), drivers. One queue; the device fills the
 * device-writable buffers it is given with random bytes. A task asks for
 * RNG_BYTES at boot and then once a minute, and mixes what arrives into
 * the ChaCha20 key (services/drivers/char/random.c), as Linux's hwrng thread feeds
 * its input pool. */
#include <fw/dma.h>
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/task.h>
#include <fw/time.h>

#include "drivers/virtio/virtio.h"
#include "drivers/char/random.h"

#define RNG_BYTES 64u
#define RESEED_NS (60ull * FW_NSEC_PER_SEC)

struct virtio_rng {
	struct virtio_dev *vd;
	struct fw_dma *buf;
	struct fw_spinlock lock;
	bool done;			/* lock */
	uint32_t got;			/* lock: bytes the device wrote */
	int err;			/* lock */
	struct fw_waitq wq;
};

static void rng_done(struct virtio_dev *vd, unsigned token, uint32_t written,
		     int err)
{
	struct virtio_rng *r = vd->rng;

	(void)token;
	fw_spin_lock(&r->lock);
	r->done = true;
	r->got = written;
	r->err = err;
	fw_spin_unlock(&r->lock);
	fw_waitq_wake_all(&r->wq);
}

static bool rng_settled(struct virtio_rng *r)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&r->lock);
	bool done = r->done;

	fw_spin_unlock_irqrestore(&r->lock, fl);
	return done;
}

/* One request; 0 and the bytes mixed in, or -EIO. */
static int rng_fetch(struct virtio_rng *r)
{
	struct virtq_chain c = { .n = 1 };
	struct fw_bytes got;
	int err, tmo;

	c.seg[0] = (struct virtq_seg){ r->buf, 0, RNG_BYTES, true, NULL };
	r->done = false;
	err = virtq_add(r->vd, 0, &c, 0);
	if (err)
		return err;
	FW_WAIT_EVENT_DEADLINE(&r->wq, rng_settled(r),
			       fw_time_ns() + 10 * FW_NSEC_PER_SEC, tmo);
	if (tmo)
		return -EIO; /* the buffer stays the device's: stop using it */
	if (r->err || r->got == 0)
		return -EIO;
	if (fw_bytes_sub(fw_buf_as_bytes(fw_dma_buf(r->buf)), 0, r->got, &got))
		return -EIO;
	random_add_entropy(got);
	return 0;
}

static void rng_main(struct virtio_rng *r)
{
	for (;;) {
		int err = rng_fetch(r);

		if (err) {
			fw_warn("%s: entropy request failed (%d); the "
				"generator goes on without it",
				r->vd->name, err);
			fw_task_exit(err);
		}
		fw_sleep_ns(RESEED_NS);
	}
}

static int rng_attach(struct virtio_dev *vd)
{
	struct virtio_rng *r = FW_NEW(struct virtio_rng);
	struct fw_task *t;
	int err;

	if (!r)
		return -ENOMEM;
	r->vd = vd;
	vd->rng = r;
	fw_spin_init(&r->lock, "virtio-rng");
	fw_waitq_init(&r->wq, "virtio-rng");
	err = virtio_negotiate(vd, 0);
	if (!err)
		err = virtio_setup_vq(vd, 0, 8, rng_done);
	if (!err)
		err = fw_dma_alloc(RNG_BYTES, &r->buf);
	if (err)
		return err;
	virtio_start(vd);
	/* The first seed before user space starts. */
	err = rng_fetch(r);
	if (err)
		return err;
	fw_info("%s: entropy source, seeds the random generator", vd->name);
	err = FW_TASK_SPAWN("virtio-rng", rng_main, r, -1, &t);
	if (!err)
		fw_task_detach(t);
	return err;
}

void virtio_rng_probe(void)
{
	struct virtio_dev *vd;
	int err;

	/* One source is enough. */
	err = virtio_pci_find(VIRTIO_ID_RNG, 0, &vd);
	if (!err && rng_attach(vd)) {
		fw_warn("%s: entropy device setup failed", vd->name);
		virtio_fail(vd);
	}
}
