/* internal/lapic.h: local APIC, IOAPIC and legacy PIC. */
#ifndef INTERNAL_LAPIC_H
#define INTERNAL_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

void pic_disable(void);
void lapic_init(void);          /* map (boot CPU) and enable on this CPU */
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_ipi_all_others(uint8_t vector);
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t page);
/* Measure the timer against the TSC clock (boot CPU, once). */
void lapic_timer_calibrate(void);
/* Fire VEC_TIMER once, after ns nanoseconds (clamped to the timer range). */
void lapic_timer_oneshot(uint64_t ns);

void ioapic_init(void);
/* Route global system interrupt gsi to vector on the boot CPU. */
int ioapic_route(uint32_t gsi, uint8_t vector, bool level, bool active_low);
void ioapic_mask(uint32_t gsi, bool masked);

#endif
