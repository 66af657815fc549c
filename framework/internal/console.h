/* internal/console.h: the framework's console and serial port. */
#ifndef INTERNAL_CONSOLE_H
#define INTERNAL_CONSOLE_H

#include <stddef.h>

void serial_init(void);
void serial_putc(char c);
void serial_enable_rx_irq(void);
unsigned serial_poll_rx(void (*deliver)(char c));

/* Write raw bytes to the console (translating \n to \r\n). Takes the
 * console lock unless the machine is panicking. */
void console_write(const char *s, size_t len);
/* Used by fw_panic: stop honoring the lock (the holder may be dead). */
void console_break_lock(void);
/* Attach the serial receive interrupt (after the IOAPIC is up). */
void console_init_input(void);

#endif
