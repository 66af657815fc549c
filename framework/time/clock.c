/* framework/time/clock.c: the monotonic and wall clocks.
 *
 * Layer: framework. Time is read from one clock source, a free-running
 * counter of known frequency:
 *
 *     ns = base_ns + ((count - base_count) & mask) * mult >> 32
 *
 * with mult (ns per count, 32.32 fixed point) fixed when the source is
 * chosen: one multiply on the hot path. The state sits under a sequence
 * count, so a reader never sees a switch of source or a re-base half done,
 * and a switch starts the new source at the time the old one had reached:
 * the clock never jumps or runs backwards. Before calibration the clock
 * reads 0, which is what early log lines show, as on Linux.
 *
 * Which source (Linux's clocksource rules, with the TSC check measured):
 *  - the TSC, one rdtsc, if every CPU's TSC agrees with every other's: as
 *    each CPU comes up it and the boot CPU take turns reading the TSC under
 *    a lock, and a read smaller than the one before it is a warp (Linux's
 *    check_tsc_warp). A TSC that is not invariant (CPUID 0x80000007:EDX[8])
 *    may change rate with power states, so a watchdog compares it with the
 *    HPET or PM timer every half second and leaves it if the two disagree
 *    by more than 1/16 (Linux's WATCHDOG_THRESHOLD, 31.25 ms per 0.5 s);
 *  - otherwise the HPET, otherwise the ACPI PM timer; CPU 0's tick re-bases
 *    these narrow counters (24 bits of the PM timer wrap in 4.7 s);
 *  - `clocksource=tsc|hpet|acpi_pm` on the command line picks one, as on
 *    Linux. */
#include <fw/boot.h>
#include <fw/cpu.h>
#include <fw/errno.h>
#include <fw/log.h>
#include <fw/string.h>
#include <fw/sync.h>
#include <fw/time.h>
#include "internal/acpi.h"
#include "internal/cpufeature.h"
#include "internal/lapic.h"
#include "internal/time.h"

enum clock_src { SRC_TSC, SRC_HPET, SRC_PM, SRC_COUNT };
static const char *const src_name[SRC_COUNT] = { "tsc", "hpet", "acpi_pm" };

/* Read with relaxed atomic loads between two reads of seq; written only
 * under clock_lock, seq odd meanwhile. */
static struct {
	uint32_t seq;
	uint32_t src;        /* enum clock_src */
	uint64_t mask;       /* the counter's width */
	uint64_t mult;       /* ns per count, 32.32; 0 before time_init */
	uint64_t base_count; /* the counter at base_ns */
	uint64_t base_ns;
} clk;
static struct fw_spinlock clock_lock = FW_SPINLOCK_INIT("clock");

static uint64_t tsc_hz, hpet_hz;
static uint64_t realtime_at_boot_ns;
static bool tsc_warped;     /* the cross-CPU check saw the TSC go back */
static int64_t tsc_max_warp; /* by this many counts, at most */

static inline uint64_t src_read(uint32_t src)
{
	if (FW_LIKELY(src == SRC_TSC))
		return clock_hw_tsc();
	return src == SRC_HPET ? clock_hw_hpet_read() : clock_hw_pm_read();
}

static uint64_t mult_for(uint64_t hz)
{
	return (uint64_t)(((unsigned __int128)FW_NSEC_PER_SEC << 32) / hz);
}

static uint64_t scale(uint64_t counts, uint64_t mult)
{
	return (uint64_t)(((unsigned __int128)counts * mult) >> 32);
}

uint64_t fw_time_ns(void)
{
	uint32_t seq, src;
	uint64_t mult, count, ns;

	do {
		seq = __atomic_load_n(&clk.seq, __ATOMIC_ACQUIRE);
		src = __atomic_load_n(&clk.src, __ATOMIC_RELAXED);
		mult = __atomic_load_n(&clk.mult, __ATOMIC_RELAXED);
		if (FW_UNLIKELY(!mult))
			return 0;
		count = (src_read(src) -
			 __atomic_load_n(&clk.base_count, __ATOMIC_RELAXED)) &
			__atomic_load_n(&clk.mask, __ATOMIC_RELAXED);
		ns = __atomic_load_n(&clk.base_ns, __ATOMIC_RELAXED) +
		     scale(count, mult);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (FW_UNLIKELY((seq & 1) ||
			     __atomic_load_n(&clk.seq, __ATOMIC_RELAXED) != seq));
	return ns;
}

uint64_t fw_time_realtime_ns(void)
{
	return realtime_at_boot_ns + fw_time_ns();
}

/* Continue the clock from `src` (with its frequency and width): now, in
 * the old source's time, becomes the new source's base. */
static void clock_set(uint32_t src, uint64_t hz, uint64_t mask)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&clock_lock);
	uint64_t now = clk.mult ? fw_time_ns() : 0;

	__atomic_store_n(&clk.seq, clk.seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&clk.src, src, __ATOMIC_RELAXED);
	__atomic_store_n(&clk.mask, mask, __ATOMIC_RELAXED);
	__atomic_store_n(&clk.mult, mult_for(hz), __ATOMIC_RELAXED);
	__atomic_store_n(&clk.base_count, src_read(src), __ATOMIC_RELAXED);
	__atomic_store_n(&clk.base_ns, now, __ATOMIC_RELAXED);
	__atomic_store_n(&clk.seq, clk.seq + 1, __ATOMIC_RELEASE);
	fw_spin_unlock_irqrestore(&clock_lock, fl);
}

/* The source's frequency and width; false if this machine lacks it. */
static bool src_params(uint32_t src, uint64_t *hz, uint64_t *mask)
{
	switch (src) {
	case SRC_TSC:
		*hz = tsc_hz, *mask = ~0ull;
		return true;
	case SRC_HPET:
		*hz = hpet_hz, *mask = clock_hw_hpet_mask();
		return hpet_hz != 0;
	default:
		*hz = PM_TIMER_HZ, *mask = clock_hw_pm_mask();
		return acpi.pm_tmr_port != 0;
	}
}

int clock_use(const char *name)
{
	uint64_t hz, mask;

	for (uint32_t s = 0; s < SRC_COUNT; s++) {
		if (strcmp(name, src_name[s]))
			continue;
		if (!src_params(s, &hz, &mask))
			return -ENODEV;
		clock_set(s, hz, mask);
		return 0;
	}
	return -EINVAL;
}

const char *clock_source_name(void)
{
	return src_name[__atomic_load_n(&clk.src, __ATOMIC_RELAXED)];
}

/* One reading of a reference counter, dated by the TSC read on either
 * side of it; of a few tries the tightest pair wins, so a vCPU stalled
 * between the reads (TCG on a loaded host) does not skew the date. */
static void paired_read(uint32_t src, uint64_t *tsc, uint64_t *ref)
{
	uint64_t best = ~0ull;

	for (int i = 0; i < 8; i++) {
		uint64_t a = clock_hw_tsc(), r = src_read(src), b = clock_hw_tsc();

		if (b - a < best)
			best = b - a, *tsc = a + (b - a) / 2, *ref = r;
	}
}

/* The TSC's rate against a counter of known rate, over 50 ms of it. Only
 * the two ends' dates matter, so stalls in between cost nothing (Linux
 * refines its PIT calibration against the HPET or PM timer the same way,
 * tsc_refine_calibration_work). */
static uint64_t tsc_hz_against(uint32_t src, uint64_t hz, uint64_t mask)
{
	uint64_t t0 = 0, r0 = 0, t1 = 0, r1 = 0;

	paired_read(src, &t0, &r0);
	do
		paired_read(src, &t1, &r1);
	while (((r1 - r0) & mask) < hz / 20);
	return (uint64_t)((unsigned __int128)(t1 - t0) * hz / ((r1 - r0) & mask));
}

void time_init(void)
{
	uint64_t hz, mask, m[3];
	const char *ref = "PIT";

	hpet_hz = clock_hw_hpet_init();
	if (src_params(SRC_HPET, &hz, &mask) || src_params(SRC_PM, &hz, &mask)) {
		uint32_t src = hpet_hz ? SRC_HPET : SRC_PM;

		tsc_hz = tsc_hz_against(src, hz, mask);
		ref = src_name[src];
	} else {
		/* Polling the PIT's output cannot be bracketed: take the
		 * median of three measurements. */
		for (int i = 0; i < 3; i++)
			m[i] = clock_hw_measure_tsc_hz();
		tsc_hz = m[0] > m[1] ? (m[1] > m[2] ? m[1] : (m[0] > m[2] ? m[2] : m[0]))
				     : (m[0] > m[2] ? m[0] : (m[1] > m[2] ? m[2] : m[1]));
	}
	if (!tsc_hz)
		tsc_hz = 1000000000ull;
	clock_set(SRC_TSC, tsc_hz, ~0ull);
	realtime_at_boot_ns = clock_hw_rtc_seconds() * FW_NSEC_PER_SEC;
	fw_info("clock: TSC %llu.%03llu MHz (measured against the %s), wall "
		"clock %llu s since the epoch",
		(unsigned long long)(tsc_hz / 1000000),
		(unsigned long long)(tsc_hz / 1000 % 1000), ref,
		(unsigned long long)(realtime_at_boot_ns / FW_NSEC_PER_SEC));
	lapic_timer_calibrate();
}

uint64_t fw_cpu_tsc_khz(void)
{
	return tsc_hz / 1000;
}

/* ---- the cross-CPU TSC check ------------------------------------------- */

#define SYNC_IDLE 0
#define SYNC_AP_READY 1
#define SYNC_GO 2
#define SYNC_AP_DONE 3
#define SYNC_LOOP_NS (2 * FW_NSEC_PER_MSEC) /* per CPU pair, as Linux */

static uint32_t sync_stage;
static uint32_t sync_lock;
static uint64_t sync_last;

/* Both CPUs at once, interrupts off: read the TSC in turns, each read
 * compared with the last one either CPU made. */
static void warp_loop(void)
{
	uint64_t end = clock_hw_tsc() + tsc_hz / (FW_NSEC_PER_SEC / SYNC_LOOP_NS);

	for (;;) {
		uint64_t prev, now;
		while (__atomic_exchange_n(&sync_lock, 1, __ATOMIC_ACQUIRE))
			fw_cpu_relax();
		prev = sync_last;
		now = clock_hw_tsc();
		sync_last = now;
		__atomic_store_n(&sync_lock, 0, __ATOMIC_RELEASE);
		if (now < prev) {
			tsc_warped = true;
			if ((int64_t)(prev - now) > tsc_max_warp)
				tsc_max_warp = (int64_t)(prev - now);
		}
		if (now > end)
			return;
	}
}

void clock_tsc_sync_ap(void)
{
	uint64_t give_up = clock_hw_tsc() + tsc_hz * 2; /* the boot CPU waits 1 s */

	__atomic_store_n(&sync_stage, SYNC_AP_READY, __ATOMIC_RELEASE);
	while (__atomic_load_n(&sync_stage, __ATOMIC_ACQUIRE) != SYNC_GO)
		if (clock_hw_tsc() > give_up)
			return;
		else
			fw_cpu_relax();
	warp_loop();
	__atomic_store_n(&sync_stage, SYNC_AP_DONE, __ATOMIC_RELEASE);
}

void clock_tsc_sync_poll(void)
{
	if (__atomic_load_n(&sync_stage, __ATOMIC_ACQUIRE) != SYNC_AP_READY)
		return;
	sync_last = 0;
	__atomic_store_n(&sync_stage, SYNC_GO, __ATOMIC_RELEASE);
	warp_loop();
	while (__atomic_load_n(&sync_stage, __ATOMIC_ACQUIRE) != SYNC_AP_DONE)
		fw_cpu_relax();
	__atomic_store_n(&sync_stage, SYNC_IDLE, __ATOMIC_RELEASE);
}

/* ---- choosing the source, and the watchdog ----------------------------- */

static uint32_t watchdog_ref = SRC_COUNT; /* SRC_COUNT: no watchdog */
static uint64_t wd_tsc, wd_ref;
static unsigned wd_ticks;
#define WATCHDOG_TICKS (FW_NSEC_PER_SEC / 2 / TICK_NS)

bool clock_watchdog_disagree(uint64_t tsc_ns, uint64_t ref_ns)
{
	uint64_t diff = tsc_ns > ref_ns ? tsc_ns - ref_ns : ref_ns - tsc_ns;
	return diff > ref_ns / 16;
}

void clock_select(void)
{
	const char *want = fw_boot_opt("clocksource");
	uint64_t hz, mask;
	uint32_t pick = SRC_TSC;
	int err;

	if (tsc_warped)
		pick = hpet_hz ? SRC_HPET : acpi.pm_tmr_port ? SRC_PM : SRC_TSC;
	if (!src_params(pick, &hz, &mask))
		pick = SRC_TSC;
	if (want && (err = clock_use(want)) != 0)
		fw_warn("clock: clocksource=%s: %s", want,
			err == -ENODEV ? "this machine has none" : "unknown source");
	if (!want || err)
		clock_use(src_name[pick]);
	pick = __atomic_load_n(&clk.src, __ATOMIC_RELAXED);
	if (pick == SRC_TSC && !cpu_features.tsc_invariant)
		watchdog_ref = hpet_hz ? SRC_HPET : acpi.pm_tmr_port ? SRC_PM
								 : SRC_COUNT;
	fw_info("clock: source %s; TSC %s, %s across %u CPUs%s%s%s",
		src_name[pick], cpu_features.tsc_invariant ? "invariant" : "not invariant",
		tsc_warped ? "NOT synchronized" : "synchronized", fw_cpu_count(),
		watchdog_ref != SRC_COUNT ? "; watchdog " : "",
		watchdog_ref != SRC_COUNT ? src_name[watchdog_ref] : "",
		hpet_hz ? "; HPET present" : "");
	if (tsc_warped)
		fw_warn("clock: TSCs differ across CPUs by up to %lld counts",
			(long long)tsc_max_warp);
}

/* Every half second: has the TSC kept pace with the reference? */
static void watchdog(void)
{
	uint64_t tsc = clock_hw_tsc(), ref = src_read(watchdog_ref);
	uint64_t hz, mask, tsc_ns, ref_ns;

	if (!src_params(watchdog_ref, &hz, &mask))
		return;
	if (wd_tsc) {
		tsc_ns = scale(tsc - wd_tsc, mult_for(tsc_hz));
		ref_ns = scale((ref - wd_ref) & mask, mult_for(hz));
		/* A gap longer than the reference can count (the PM timer's
		 * 24 bits: 4.7 s) says nothing; skip it. */
		if (tsc_ns < scale(mask, mult_for(hz)) / 2 &&
		    clock_watchdog_disagree(tsc_ns, ref_ns)) {
			fw_warn("clock: TSC unstable: %llu us against %s's %llu us; "
				"switching to %s",
				(unsigned long long)(tsc_ns / 1000),
				src_name[watchdog_ref],
				(unsigned long long)(ref_ns / 1000),
				src_name[watchdog_ref]);
			clock_set(watchdog_ref, hz, mask);
			watchdog_ref = SRC_COUNT;
			return;
		}
	}
	wd_tsc = tsc, wd_ref = ref;
}

void clock_tick(void)
{
	uint32_t src = __atomic_load_n(&clk.src, __ATOMIC_RELAXED);
	uint64_t hz, mask;

	if (src != SRC_TSC && src_params(src, &hz, &mask))
		clock_set(src, hz, mask); /* re-base: a narrow counter wraps */
	if (watchdog_ref != SRC_COUNT && src == SRC_TSC &&
	    ++wd_ticks >= WATCHDOG_TICKS) {
		wd_ticks = 0;
		watchdog();
	}
}
