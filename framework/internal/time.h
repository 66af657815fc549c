/* internal/time.h: clock set-up and the timer interrupt. */
#ifndef INTERNAL_TIME_H
#define INTERNAL_TIME_H

#include <stdint.h>

uint64_t clock_hw_tsc(void);
uint64_t clock_hw_measure_tsc_hz(void);
uint64_t clock_hw_rtc_seconds(void);

void time_init(void);          /* calibrate, read the RTC (boot CPU) */
void timer_interrupt(void);    /* VEC_TIMER on this CPU */
void timer_start_tick(void);   /* start this CPU's scheduler tick */

#define TICK_NS 4000000ull     /* scheduler tick: 4 ms (HZ=250, as Debian) */

#endif
