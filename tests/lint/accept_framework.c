/* Fixture: what the new rules must keep accepting: framework INIT macros,
 * {0} and designated public fields of framework structs, framework structs
 * copied whole, typed copies and views over plain data, integer atomics,
 * allowed attributes and includes, service macros with service names. */
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <fw/bytes.h>
#include <fw/list.h>
#include <fw/string.h>
#include <fw/sync.h>
#include <fw/task.h>
#include "accept_clean_local.h"

#define SVC_SLOTS 4
#define SVC_MAX(a, b) ((a) > (b) ? (a) : (b))

struct fw_task_data {	/* the one framework-declared type services define */
	int pid;
};

struct svc_dev {
	struct fw_spinlock lock;
	struct fw_waitq wq;
	struct fw_list link;
	struct fw_buf buf;
	int n;
	bool ready;
};

struct svc_hdr {
	uint32_t magic;
	uint16_t len, flags;
} __attribute__((packed));

static uint8_t store[64];
static struct fw_list head = FW_LIST_HEAD_INIT(head);
static struct svc_dev dev = {
	.lock = FW_SPINLOCK_INIT("svc_dev"),
	.wq = FW_WAITQ_INIT(dev.wq, "svc_dev.wq"),
	.link = { .next = &head, .prev = &head },
	.n = SVC_SLOTS,
};
static struct svc_dev zero_dev = { 0 };
static struct svc_dev empty_dev = {};
static struct fw_buf bufs[2] = { { 0 }, { 0 } };
static atomic_int refs;
static _Atomic(struct svc_dev *) current_dev;
static unsigned long pending;

__attribute__((unused, cold, noinline)) static int svc_helper(int x)
{
	return x + 1;
}

int svc_accept(struct svc_hdr *out);
__attribute__((warn_unused_result, nonnull(1))) int svc_accept(struct svc_hdr *out)
{
	struct fw_buf whole = FW_BUF_OF_ARRAY(store);
	struct svc_dev copy = { .buf = whole, .n = 1 };
	struct svc_dev copy2 = { FW_SPINLOCK_INIT("c2"), FW_WAITQ_INIT(copy2.wq, "c2"),
				 FW_LIST_HEAD_INIT(copy2.link), whole, 3, false };
	struct svc_hdr h = { 0 };
	struct fw_bytes hb = FW_BYTES_OF_OBJ(&h);
	struct fw_buf hw = FW_BUF_OF_OBJ(&h);
	struct svc_dev *d = atomic_load(&current_dev);

	memset(&copy, 0, sizeof copy);	/* zeroing is always fine */
	memcpy(&h, &copy2.n, sizeof copy2.n < sizeof h ? sizeof copy2.n : sizeof h);
	*out = h;
	copy = dev;			/* a struct assignment, not a byte copy */
	(void)zero_dev;
	(void)empty_dev;
	(void)bufs;
	(void)hb;
	(void)hw;
	atomic_store(&current_dev, &dev);
	if (d == NULL)
		atomic_compare_exchange_strong(&current_dev, &d, &copy2);
	atomic_fetch_add(&refs, 1);
	__atomic_add_fetch(&pending, 1, __ATOMIC_RELAXED);
	__atomic_or_fetch(&pending, 4ul, __ATOMIC_SEQ_CST);
	(void)__atomic_load_n(&pending, __ATOMIC_ACQUIRE);
	__atomic_store_n(&copy.ready, true, __ATOMIC_RELEASE);
	return SVC_MAX(copy.n, svc_helper(copy2.n)) + local_helper(NULL) +
	       (int)alignof(struct svc_hdr);
}
