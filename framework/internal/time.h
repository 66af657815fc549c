/* internal/time.h: clock set-up and the timer interrupt. */
#ifndef INTERNAL_TIME_H
#define INTERNAL_TIME_H

#include <stdint.h>
#include <fw/list.h>
#include <fw/time.h>

/* The framework's own one-shot timers, embedded in framework objects and
 * stack frames whose lifetime the framework controls (a task's sleep, a
 * wait with a deadline, the tick). Services get fw_timer handles, each of
 * which wraps one of these. A zero-filled ktimer is unarmed. */
struct ktimer {
	struct fw_list node;  /* on the CPU's sorted timer list */
	uint64_t deadline_ns;
	fw__timer_fn fn;
	void *arg;
	int32_t cpu; /* 1 + the CPU whose list it is on; 0: not armed */
};

void ktimer__init(struct ktimer *t, fw__timer_fn fn, void *arg);
#define KTIMER_INIT(t, fn, arg)                                                \
	(FW_EXPR_ASSERT(__builtin_types_compatible_p(                          \
				__typeof__(&(fn)), void (*)(__typeof__(arg))), \
			"timer function must take the argument's type"),       \
	 ktimer__init((t), (fw__timer_fn)(void (*)(void))(fn), (void *)(arg)))
void ktimer_arm(struct ktimer *t, uint64_t deadline_ns);
bool ktimer_cancel(struct ktimer *t);

uint64_t clock_hw_tsc(void);
uint64_t clock_hw_measure_tsc_hz(void);
uint64_t clock_hw_rtc_seconds(void);

void time_init(void);          /* calibrate, read the RTC (boot CPU) */
void timer_interrupt(void);    /* VEC_TIMER on this CPU */
void timer_start_tick(void);   /* start this CPU's scheduler tick */

#define TICK_NS 4000000ull     /* scheduler tick: 4 ms (HZ=250, as Debian) */

#endif
