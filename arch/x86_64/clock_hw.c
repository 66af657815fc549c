/* arch/x86_64/clock_hw.c: the clock hardware: TSC, HPET, ACPI PM timer,
 * PIT and CMOS RTC.
 *
 * Layer: arch (framework TCB). On a machine with neither an HPET nor a
 * PM timer the TSC is measured against PIT channel 2 (1.193182 MHz, gated
 * through port 0x61, so no interrupt is needed); the HPET (IA-PC HPET specification 1.0a) and the ACPI PM timer (ACPI 6.4,
 * 4.8.3.3) are the counters the clock falls back to where the TSC cannot
 * be trusted; the RTC gives the wall-clock time at boot. */
#include <arch/x86.h>
#include <fw/log.h>
#include "internal/acpi.h"
#include "internal/mem.h"
#include "internal/paging.h"
#include "internal/time.h"

#define PIT_HZ 1193182ull

uint64_t clock_hw_tsc(void)
{
	return x86_rdtsc();
}

uint64_t clock_hw_measure_tsc_hz(void)
{
	const uint64_t ms = 20;
	const uint16_t count = (uint16_t)(PIT_HZ * ms / 1000);
	uint64_t t0, t1;
	uint8_t gate = x86_inb(0x61);

	x86_outb(0x61, (gate & ~0x02) | 0x01); /* gate on, speaker off */
	x86_outb(0x43, 0xB0);                 /* ch2, lo/hi, mode 0 */
	x86_outb(0x42, count & 0xFF);
	x86_outb(0x42, count >> 8);
	t0 = x86_rdtsc();
	/* OUT2 (bit 5 of port 0x61) goes high when the count reaches 0. */
	for (uint64_t i = 0; i < (1ull << 32) && !(x86_inb(0x61) & 0x20); i++)
		;
	t1 = x86_rdtsc();
	x86_outb(0x61, gate);
	return (t1 - t0) * 1000 / ms;
}

/* The HPET's registers, in the last page of the APIC part of the MMIO
 * area (after the local APIC and up to ACPI_MAX_IOAPICS IOAPICs). */
#define HPET_VA (MMIO_AREA + 63 * PAGE_SIZE)
#define HPET_GCAP_ID 0x000   /* period in fs (63:32), 64-bit counter (13) */
#define HPET_GEN_CONF 0x010  /* bit 0: the main counter runs */
#define HPET_MAIN_COUNTER 0x0F0
#define HPET_COUNT_SIZE_CAP (1ull << 13)

static bool hpet_wide; /* a 64-bit main counter */

static uint64_t hpet_reg(unsigned off)
{
	return *(volatile uint64_t *)(uintptr_t)(HPET_VA + off);
}

uint64_t clock_hw_hpet_init(void)
{
	static uint64_t hz;
	uint64_t cap, period_fs;

	if (hz || !acpi.hpet_phys)
		return hz;
	if (kmap_page(HPET_VA, acpi.hpet_phys & ~(PAGE_SIZE - 1), KMAP_MMIO)) {
		fw_warn("clock: cannot map the HPET at %#llx",
			(unsigned long long)acpi.hpet_phys);
		return 0;
	}
	cap = hpet_reg(HPET_GCAP_ID);
	period_fs = cap >> 32;
	/* The specification bounds the period to (0, 100 ns]. */
	if (!period_fs || period_fs > 100000000ull) {
		fw_warn("clock: HPET reports a period of %llu fs; not used",
			(unsigned long long)period_fs);
		return 0;
	}
	hpet_wide = cap & HPET_COUNT_SIZE_CAP;
	/* SAFETY: the page mapped above is the HPET's register block. */
	*(volatile uint64_t *)(uintptr_t)(HPET_VA + HPET_GEN_CONF) =
		hpet_reg(HPET_GEN_CONF) | 1;
	hz = 1000000000000000ull / period_fs;
	return hz;
}

uint64_t clock_hw_hpet_read(void)
{
	return hpet_wide ? hpet_reg(HPET_MAIN_COUNTER)
			 : *(volatile uint32_t *)(uintptr_t)(HPET_VA +
							     HPET_MAIN_COUNTER);
}

uint64_t clock_hw_hpet_mask(void)
{
	return hpet_wide ? ~0ull : 0xFFFFFFFFull;
}

uint64_t clock_hw_pm_read(void)
{
	return x86_inl(acpi.pm_tmr_port) & clock_hw_pm_mask();
}

uint64_t clock_hw_pm_mask(void)
{
	return acpi.pm_tmr_32bit ? 0xFFFFFFFFull : 0xFFFFFFull;
}

static uint8_t cmos(uint8_t reg)
{
	x86_outb(0x70, reg);
	return x86_inb(0x71);
}

static unsigned bcd(uint8_t v, bool is_bcd)
{
	return is_bcd ? (v & 0x0F) + (v >> 4) * 10 : v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

uint64_t clock_hw_rtc_seconds(void)
{
	uint8_t s, mi, h, d, mo, y, c = 0, regb;
	bool is_bcd;
	unsigned hour, year;

	/* Read twice until equal, outside an update (MC146818 datasheet). */
	for (int tries = 0; tries < 1000; tries++) {
		while (cmos(0x0A) & 0x80)
			;
		s = cmos(0x00), mi = cmos(0x02), h = cmos(0x04);
		d = cmos(0x07), mo = cmos(0x08), y = cmos(0x09);
		if (acpi.rtc_century)
			c = cmos(acpi.rtc_century);
		if (s == cmos(0x00) && mi == cmos(0x02) && h == cmos(0x04))
			break;
	}
	regb = cmos(0x0B);
	is_bcd = !(regb & 0x04);
	hour = bcd(h & 0x7F, is_bcd);
	if (!(regb & 0x02) && (h & 0x80)) /* 12-hour clock, PM */
		hour = (hour % 12) + 12;
	year = bcd(y, is_bcd) + (c ? bcd(c, is_bcd) * 100 : 2000);
	return (uint64_t)(days_from_civil(year, bcd(mo, is_bcd),
					  bcd(d, is_bcd)) * 86400 +
			  hour * 3600 + bcd(mi, is_bcd) * 60 + bcd(s, is_bcd));
}
