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

/* A one-shot timer, as a handle the framework owns: the list node, the
 * callback and its argument live in framework memory, so freeing the
 * object a service embedded its timer in, or returning from the function
 * whose stack held it, can no longer leave the framework's timer list
 * pointing into reused memory. The callback runs in interrupt context on
 * the CPU that armed the timer: it must not sleep. Destroying a timer
 * cancels it and waits for a running callback; using the handle after
 * that panics naming the caller. */
struct fw_timer;

/* fw__timer_create - a disarmed timer that will call fn(arg).
 * Returns 0 and *out, or -ENOMEM. */
FW_MUST_CHECK int fw__timer_create(fw__timer_fn fn, void *arg,
				   struct fw_timer **out);
/* Typed front end: fn must be `void fn(T *arg)` for the type of arg. */
#define FW_TIMER_CREATE(fn, arg, out)                                          \
	(FW_EXPR_ASSERT(__builtin_types_compatible_p(                          \
				__typeof__(&(fn)), void (*)(__typeof__(arg))), \
			"timer function must take the argument's type"),       \
	 fw__timer_create((fw__timer_fn)(void (*)(void))(fn), (void *)(arg),   \
			  (out)))

/* Arm (or re-arm) t to fire at monotonic time deadline_ns. */
void fw_timer_arm(struct fw_timer *t, uint64_t deadline_ns);
/* Disarm t; returns true if it was armed and had not fired. After return
 * the callback is not running on any CPU. */
bool fw_timer_cancel(struct fw_timer *t);
/* Cancel t, wait for a running callback, and free it. NULL is ignored. */
void fw_timer_destroy(struct fw_timer *t);

#endif
