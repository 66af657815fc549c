/* fw/console.h: the system console (serial COM1) for the TTY service.
 *
 * Layer: framework public API. Output is polled, ordered with the kernel
 * log, and raw (no \n -> \r\n: that is the TTY's ONLCR); input arrives from the UART interrupt and is handed, one byte at a
 * time, to the callback installed here (in interrupt context: no sleeping). */
#ifndef FW_CONSOLE_H
#define FW_CONSOLE_H

#include <fw/bytes.h>

void fw_console_write(struct fw_bytes data);
void fw_console_set_input(void (*on_byte)(char c));

#endif
