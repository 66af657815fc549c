/* framework/log/console.c: the console: serialized output, input callback.
 *
 * Layer: framework. One lock orders whole writes from all CPUs, so a log
 * line is never torn. A panic breaks the lock: the CPU that held it may be
 * the one that died. */
#include <fw/console.h>
#include <fw/irq.h>
#include <fw/log.h>
#include <fw/sync.h>
#include "internal/console.h"

static struct fw_spinlock console_lock = FW_SPINLOCK_INIT("console");
static bool console_lock_broken;
static void (*console_input)(char c);

static void write_bytes(const char *s, size_t len, bool crlf)
{
	fw_irqflags_t flags = 0;
	bool locked = !console_lock_broken;

	if (locked)
		flags = fw_spin_lock_irqsave(&console_lock);
	for (size_t i = 0; i < len; i++) {
		if (crlf && s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
	if (locked)
		fw_spin_unlock_irqrestore(&console_lock, flags);
}

void console_write(const char *s, size_t len)
{
	write_bytes(s, len, true);
}

void console_break_lock(void)
{
	console_lock_broken = true;
}

void fw_console_write(struct fw_bytes data)
{
	/* Raw: the TTY's line discipline does its own output processing
	 * (ONLCR), and must be able to switch it off for full-screen
	 * programs such as vi. */
	write_bytes((const char *)fw__bytes_ptr(data), fw_bytes_len(data), false);
}

void fw_console_set_input(void (*on_byte)(char c))
{
	__atomic_store_n(&console_input, on_byte, __ATOMIC_RELEASE);
}

static void console_deliver(char c)
{
	void (*fn)(char c) = __atomic_load_n(&console_input, __ATOMIC_ACQUIRE);
	if (fn)
		fn(c);
}

static void console_rx_irq(struct fw_irq_line *line)
{
	(void)line;
	serial_poll_rx(console_deliver);
}

void console_init_input(void)
{
	struct fw_irq_line *line;

	if (fw_irq_line_alloc(&line) || fw_irq_line_route_isa(line, 4)) {
		fw_warn("console: no interrupt for COM1; console input is off");
		return;
	}
	FW_IRQ_ATTACH(line, console_rx_irq, line);
	fw_irq_line_unmask(line);
	serial_enable_rx_irq();
}
