/* arch/x86_64/serial.c: the 16550 UART on COM1, the kernel console.
 *
 * Layer: arch (framework TCB). Polled output so it works from the first C
 * instruction and inside a panic; interrupt-driven input handed to the
 * console layer's callback (the TTY service subscribes to it). */
#include <arch/x86.h>
#include "internal/console.h"

#define COM1 0x3F8
#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

void serial_init(void)
{
	x86_outb(COM1 + UART_IER, 0x00);    /* no interrupts yet */
	x86_outb(COM1 + UART_LCR, 0x80);    /* DLAB: set the divisor */
	x86_outb(COM1 + UART_DATA, 0x01);   /* 115200 baud */
	x86_outb(COM1 + UART_IER, 0x00);
	x86_outb(COM1 + UART_LCR, 0x03);    /* 8N1 */
	x86_outb(COM1 + UART_FCR, 0xC7);    /* FIFO on, cleared, 14-byte trigger */
	x86_outb(COM1 + UART_MCR, 0x0B);    /* DTR, RTS, OUT2 (IRQ gate) */
}

void serial_putc(char c)
{
	/* Bounded wait: a missing UART must not hang the kernel forever. */
	for (unsigned i = 0; i < 100000; i++) {
		if (x86_inb(COM1 + UART_LSR) & LSR_THR_EMPTY)
			break;
		x86_pause();
	}
	x86_outb(COM1 + UART_DATA, (uint8_t)c);
}

void serial_enable_rx_irq(void)
{
	x86_outb(COM1 + UART_IER, 0x01); /* received-data-available */
}

/* Drain the receive FIFO; returns the number of bytes delivered. */
unsigned serial_poll_rx(void (*deliver)(char c))
{
	unsigned n = 0;
	while (x86_inb(COM1 + UART_LSR) & LSR_DATA_READY) {
		deliver((char)x86_inb(COM1 + UART_DATA));
		n++;
	}
	return n;
}
