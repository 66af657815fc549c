/* framework/time/clock.c: the monotonic and wall clocks.
 *
 * Layer: framework. ns = (tsc - tsc_at_boot) * mult >> 32, with mult fixed
 * at calibration: one multiply on the hot path (clock_gettime later uses
 * this). Before calibration the clock reads 0, which is what early log
 * lines show, as on Linux. */
#include <fw/log.h>
#include <fw/cpu.h>
#include <fw/time.h>
#include "internal/lapic.h"
#include "internal/time.h"

static uint64_t tsc_at_boot;
static uint64_t tsc_mult; /* ns per TSC tick, 32.32 fixed point */
static uint64_t realtime_at_boot_ns;
static uint64_t tsc_hz;

uint64_t fw_time_ns(void)
{
	if (FW_UNLIKELY(!tsc_mult))
		return 0;
	uint64_t d = clock_hw_tsc() - tsc_at_boot;
	return (uint64_t)(((unsigned __int128)d * tsc_mult) >> 32);
}

uint64_t fw_time_realtime_ns(void)
{
	return realtime_at_boot_ns + fw_time_ns();
}

void time_init(void)
{
	uint64_t best = 0;

	/* Take the median-ish of three measurements: TCG can stall a vCPU
	 * during one of them. */
	uint64_t m[3];
	for (int i = 0; i < 3; i++)
		m[i] = clock_hw_measure_tsc_hz();
	best = m[0] > m[1] ? (m[1] > m[2] ? m[1] : (m[0] > m[2] ? m[2] : m[0]))
			   : (m[0] > m[2] ? m[0] : (m[1] > m[2] ? m[2] : m[1]));
	tsc_hz = best ? best : 1000000000ull;
	tsc_at_boot = clock_hw_tsc();
	tsc_mult = (uint64_t)(((unsigned __int128)FW_NSEC_PER_SEC << 32) / tsc_hz);
	realtime_at_boot_ns = clock_hw_rtc_seconds() * FW_NSEC_PER_SEC;
	fw_info("clock: TSC %llu.%03llu MHz, wall clock %llu s since the epoch",
		(unsigned long long)(tsc_hz / 1000000),
		(unsigned long long)(tsc_hz / 1000 % 1000),
		(unsigned long long)(realtime_at_boot_ns / FW_NSEC_PER_SEC));
	lapic_timer_calibrate();
}

uint64_t fw_cpu_tsc_khz(void)
{
	return tsc_hz / 1000;
}
