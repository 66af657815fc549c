/* fw/time.h: clocks and one-shot timers.
 *
 * Layer: framework public API. The monotonic clock is the TSC, calibrated
 * against the PIT at boot, in nanoseconds since boot. The wall clock is the
 * RTC read at boot plus monotonic time since. Timers are per-CPU, kept
 * sorted, and fire from the local APIC timer in one-shot mode, so a timer is
 * as precise as the hardware allows rather than rounded to a tick. */
#ifndef FW_TIME_H
#define FW_TIME_H

#include <fw/compiler.h>
#include <fw/list.h>

#define FW_NSEC_PER_SEC 1000000000ull
#define FW_NSEC_PER_MSEC 1000000ull
#define FW_NSEC_PER_USEC 1000ull

/* Nanoseconds since boot; never goes backwards, on any CPU. */
uint64_t fw_time_ns(void);
/* Nanoseconds since the Unix epoch (UTC, from the RTC). */
uint64_t fw_time_realtime_ns(void);

typedef void (*fw__timer_fn)(void *arg);

/* A one-shot timer. The callback runs in interrupt context on the CPU that
 * armed the timer: it must not sleep. A zero-filled fw_timer is unarmed;
 * cancelling it is a no-op. */
struct fw_timer {
	struct fw_list __private node; /* on the CPU's sorted timer list */
	uint64_t __private deadline_ns;
	fw__timer_fn __private fn;
	void *__private arg;
	int32_t __private cpu; /* 1 + the CPU whose list it is on; 0: not
				* armed (so a zeroed timer is a valid one) */
};

void fw__timer_init(struct fw_timer *t, fw__timer_fn fn, void *arg);
#define FW_TIMER_INIT(t, fn, arg)                                              \
	(FW_EXPR_ASSERT(__builtin_types_compatible_p(                        \
				  __typeof__(&(fn)),                           \
				  void (*)(__typeof__(arg))),                  \
			  "timer function must take the argument's type"),     \
	 fw__timer_init((t), (fw__timer_fn)(void (*)(void))(fn), (void *)(arg)))

/* Arm (or re-arm) t to fire at monotonic time deadline_ns. */
void fw_timer_arm(struct fw_timer *t, uint64_t deadline_ns);
/* Disarm t; returns true if it was armed and had not fired. After return
 * the callback is not running on any CPU. */
bool fw_timer_cancel(struct fw_timer *t);

#endif
