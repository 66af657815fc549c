/* framework/mm/failinject.c: forced allocation failures (fw/failinject.h).
 *
 * Layer: framework. The decision is Linux's should_fail()
 * (lib/fault-inject.c), in the same order: fail-nth first, then the task
 * filter, times, space, interval and probability. The hot path, an
 * allocation outside a system call or with nothing configured, is two
 * loads and a branch. */
#include <fw/boot.h>
#include <fw/failinject.h>
#include <fw/log.h>
#include <fw/string.h>
#include <fw/time.h>
#include "internal/failinject.h"
#include "internal/handle.h"
#include "internal/percpu.h"
#include "internal/task.h"

struct fail_attr {
	const char *name;      /* its boot option */
	bool on;               /* given on the command line */
	uint64_t interval;     /* >= 1 */
	uint64_t probability;  /* percent, 0..100 */
	int64_t space;         /* bytes still exempt (atomic) */
	int64_t times;         /* failures left, -1: no limit (atomic) */
	uint64_t calls;        /* calls that reached the interval test */
};

static struct fail_attr attrs[FAIL_KINDS] = {
	[FAIL_SLAB] = { .name = "failslab", .interval = 1, .times = -1 },
	[FAIL_PAGE] = { .name = "fail_page_alloc", .interval = 1, .times = -1 },
};
static bool task_filter;
static bool any_on;
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* "<interval>,<probability>,<space>,<times>": 0, or -1 if malformed. */
static int parse_attr(struct fail_attr *a, const char *v)
{
	int64_t f[4];
	unsigned n = 0;

	while (n < 4) {
		bool neg = *v == '-';
		uint64_t x = 0;
		const char *start;

		if (neg)
			v++;
		start = v;
		while (*v >= '0' && *v <= '9' && x < (1ull << 40))
			x = x * 10 + (uint64_t)(*v++ - '0');
		if (v == start)
			return -1;
		f[n++] = neg ? -(int64_t)x : (int64_t)x;
		if (*v != ',')
			break;
		v++;
	}
	if (n != 4 || *v || f[0] < 1 || f[1] < 0 || f[1] > 100 || f[2] < 0 ||
	    f[3] < -1)
		return -1;
	a->interval = (uint64_t)f[0];
	a->probability = (uint64_t)f[1];
	a->space = f[2];
	a->times = f[3];
	a->on = true;
	return 0;
}

void failinject_init(void)
{
	for (unsigned k = 0; k < FAIL_KINDS; k++) {
		const char *v = fw_boot_opt(attrs[k].name);

		if (!v)
			continue;
		if (parse_attr(&attrs[k], v)) {
			fw_warn("%s=%s: want <interval>,<probability>,<space>,"
				"<times>; not injecting", attrs[k].name, v);
			continue;
		}
		any_on = true;
		fw_info("fault injection: %s interval %llu, probability %llu%%, "
			"space %lld, times %lld", attrs[k].name,
			(unsigned long long)attrs[k].interval,
			(unsigned long long)attrs[k].probability,
			(long long)attrs[k].space, (long long)attrs[k].times);
	}
	task_filter = fw_boot_opt_has("fail_task_filter");
}

/* xorshift64: the choice needs to be spread, not secret. Racing updates
 * from two CPUs lose a step, nothing else. */
static uint64_t random_below_100(void)
{
	uint64_t x = __atomic_load_n(&rng_state, __ATOMIC_RELAXED);

	x ^= x << 13, x ^= x >> 7, x ^= x << 17;
	__atomic_store_n(&rng_state, x, __ATOMIC_RELAXED);
	return x % 100;
}

/* At most 10 lines per 5 s, as Linux's fail_dump is rate-limited. */
static void report(const char *kind, const char *what, const struct fw_task *t)
{
	static uint64_t window_ns;
	static unsigned printed;
	uint64_t now = fw_time_ns();

	if (now - window_ns > 5 * FW_NSEC_PER_SEC)
		window_ns = now, printed = 0;
	if (printed++ < 10)
		fw_log(FW_LOG_NOTICE, "FAULT_INJECTION: forcing a failure: %s "
		       "of %s in task %s", kind, what, t->name);
}

/* Counts down the task's fail-nth: true when it reaches 0 now. */
static bool nth_due(struct fw_task *t)
{
	uint32_t n = __atomic_load_n(&t->fail_nth, __ATOMIC_RELAXED);

	if (!n)
		return false;
	__atomic_store_n(&t->fail_nth, n - 1, __ATOMIC_RELAXED);
	return n == 1;
}

static bool attr_fails(struct fail_attr *a, const struct fw_task *t,
		       size_t size)
{
	if (!a->on || (task_filter && !t->make_it_fail))
		return false;
	if (__atomic_load_n(&a->times, __ATOMIC_RELAXED) == 0)
		return false;
	if (__atomic_load_n(&a->space, __ATOMIC_RELAXED) > (int64_t)size) {
		__atomic_sub_fetch(&a->space, (int64_t)size, __ATOMIC_RELAXED);
		return false;
	}
	if (a->interval > 1 &&
	    __atomic_add_fetch(&a->calls, 1, __ATOMIC_RELAXED) % a->interval)
		return false;
	if (random_below_100() >= a->probability)
		return false;
	if (__atomic_load_n(&a->times, __ATOMIC_RELAXED) > 0)
		__atomic_sub_fetch(&a->times, 1, __ATOMIC_RELAXED);
	return true;
}

bool failinject_should_fail(enum fail_kind kind, size_t size, const char *what)
{
	struct percpu *c = this_cpu();
	struct fw_task *t = c->current;

	if (FW_LIKELY(!t || !t->fail_scope) || c->in_irq)
		return false;
	if (!nth_due(t) && (!any_on || !attr_fails(&attrs[kind], t, size)))
		return false;
	report(attrs[kind].name, what, t);
	return true;
}

void fw_task_set_make_it_fail(struct fw_task *t, bool on)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	__atomic_store_n(&t->make_it_fail, on, __ATOMIC_RELAXED);
}

bool fw_task_make_it_fail(const struct fw_task *t)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	return __atomic_load_n(&t->make_it_fail, __ATOMIC_RELAXED);
}

void fw_task_set_fail_nth(struct fw_task *t, uint32_t n)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	__atomic_store_n(&t->fail_nth, n, __ATOMIC_RELAXED);
}

uint32_t fw_task_fail_nth(const struct fw_task *t)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	return __atomic_load_n(&t->fail_nth, __ATOMIC_RELAXED);
}
