/* internal/time.h: clock set-up and the timer interrupt. */
#ifndef INTERNAL_TIME_H
#define INTERNAL_TIME_H

#include <stdbool.h>
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
/* The HPET: map and start it once; its frequency in Hz, 0 if there is
 * none or it is unusable. Then its counter and the counter's width. */
uint64_t clock_hw_hpet_init(void);
uint64_t clock_hw_hpet_read(void);
uint64_t clock_hw_hpet_mask(void);
/* The ACPI PM timer (3.579545 MHz; acpi.pm_tmr_port must be non-zero). */
uint64_t clock_hw_pm_read(void);
uint64_t clock_hw_pm_mask(void);
#define PM_TIMER_HZ 3579545ull

void time_init(void);          /* calibrate, read the RTC (boot CPU) */
/* After the other CPUs are up: pick the clock source (clocksource=, or
 * the TSC if it passed the cross-CPU check, else the HPET or PM timer). */
void clock_select(void);
/* An AP's half of the cross-CPU TSC check, before it reports online; the
 * boot CPU's half runs from clock_tsc_sync_poll() while it waits. */
void clock_tsc_sync_ap(void);
void clock_tsc_sync_poll(void);
/* CPU 0's tick: keep a narrow counter from wrapping unseen, and every
 * half second compare the TSC with the HPET or PM timer (the watchdog). */
void clock_tick(void);
/* Switch the clock to the named source ("tsc", "hpet", "acpi_pm"): 0,
 * -ENODEV if the machine has none, -EINVAL for another name. The clock
 * goes on from where it was. For clock_select and the tests. */
int clock_use(const char *name);
const char *clock_source_name(void);
/* The watchdog's verdict on one interval measured by both clocks. */
bool clock_watchdog_disagree(uint64_t tsc_ns, uint64_t ref_ns);
void timer_interrupt(void);    /* VEC_TIMER on this CPU */
void timer_start_tick(void);   /* start this CPU's scheduler tick */

#define TICK_NS 4000000ull     /* scheduler tick: 4 ms (HZ=250, as Debian) */

#endif
