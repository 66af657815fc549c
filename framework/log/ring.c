/* framework/log/ring.c: the kernel log kept in memory, for dmesg.
 *
 * Layer: framework. Every fw_log line is stored here, whatever the console
 * threshold (as Linux's printk buffer keeps what the console does not
 * show), in a ring of LOG_SLOTS records that overwrites the oldest. Each
 * record gets the next sequence number, so a reader that fell behind sees
 * a gap in the numbers rather than a wrong line (Linux's /dev/kmsg reports
 * that as EPIPE). Lines are cut at FW_LOG_TEXT_MAX - 1 bytes here; the
 * console gets them whole.
 *
 * fw_log runs anywhere: with spinlocks held, in interrupt handlers, in a
 * panic. So storing takes only the ring's own irq-safe spinlock (a leaf),
 * and readers are not woken from there: CPU 0's timer tick wakes the
 * waitq when records were added since (log_tick), at most 4 ms late. */
#include <fw/errno.h>
#include <fw/log.h>
#include <fw/string.h>
#include <fw/sync.h>
#include "internal/log.h"

#define LOG_SLOTS (FW_LOG_BUFFER_BYTES / (FW_LOG_TEXT_MAX + 1))

static struct fw_log_record ring[LOG_SLOTS];
static uint64_t next_seq;            /* the seq the next record gets */
static struct fw_spinlock ring_lock = FW_SPINLOCK_INIT("log-ring");
static struct fw_waitq log_waitq;
static bool wake_pending;

void log_ring_init(void)
{
	fw_waitq_init(&log_waitq, "log");
}

void log_ring_store(unsigned prio, uint64_t ts_ns, const char *text,
		    size_t len)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&ring_lock);
	struct fw_log_record *r = &ring[next_seq % LOG_SLOTS];

	if (len > sizeof r->text - 1)
		len = sizeof r->text - 1;
	r->seq = next_seq++;
	r->ts_ns = ts_ns;
	r->prio = (uint8_t)prio;
	r->len = (uint16_t)len;
	memcpy(r->text, text, len);
	r->text[len] = 0;
	fw_spin_unlock_irqrestore(&ring_lock, fl);
	__atomic_store_n(&wake_pending, true, __ATOMIC_RELEASE);
}

void log_tick(void)
{
	if (__atomic_exchange_n(&wake_pending, false, __ATOMIC_ACQ_REL))
		fw_waitq_wake_all(&log_waitq);
}

int fw_log_read(uint64_t seq, struct fw_log_record *out)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&ring_lock);
	uint64_t first = next_seq > LOG_SLOTS ? next_seq - LOG_SLOTS : 0;
	int err = 0;

	if (seq < first)
		seq = first;
	if (seq >= next_seq)
		err = -EAGAIN;
	else
		*out = ring[seq % LOG_SLOTS];
	fw_spin_unlock_irqrestore(&ring_lock, fl);
	return err;
}

uint64_t fw_log_next_seq(void)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&ring_lock);
	uint64_t seq = next_seq;
	fw_spin_unlock_irqrestore(&ring_lock, fl);
	return seq;
}

uint64_t fw_log_first_seq(void)
{
	uint64_t next = fw_log_next_seq();
	return next > LOG_SLOTS ? next - LOG_SLOTS : 0;
}

struct fw_waitq *fw_log_waitq(void)
{
	return &log_waitq;
}

void fw_log_user(unsigned prio, struct fw_bytes text)
{
	size_t len = fw_bytes_len(text);

	if (len > FW_LOG_TEXT_MAX)
		len = FW_LOG_TEXT_MAX;
	/* Like a kernel line: on the console too, if its level passes. */
	log_emit(prio & 0xFF, "%.*s", (int)len, (const char *)fw__bytes_ptr(text));
}
