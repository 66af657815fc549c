/* framework/panic/panic.c: fw_panic, exception reports and backtraces.
 *
 * Layer: framework. The first CPU to panic wins; the others are stopped by
 * an IPI (or park themselves if they panic too). The report is written with
 * the console lock broken, since the dying CPU may hold it. Backtraces walk
 * the frame-pointer chain (the kernel is built with -fno-omit-frame-pointer)
 * and every address is checked to lie in the kernel before it is read. */
#include <arch/x86.h>
#include <fw/boot.h>
#include <fw/log.h>
#include <fw/panic.h>
#include <fw/power.h>
#include <fw/string.h>
#include "internal/console.h"
#include "internal/handle.h"
#include "internal/lapic.h"
#include "internal/mem.h"
#include "internal/panic.h"
#include "internal/percpu.h"
#include "internal/task.h"
#include "internal/trap.h"

/* The table tools/gen-symbols.sh makes; absent in the first link pass. */
extern const uint64_t fw_symtab_count __attribute__((weak));
extern const uint64_t fw_symtab_addr[] __attribute__((weak));
extern const uint32_t fw_symtab_name_off[] __attribute__((weak));
extern const char fw_symtab_names[] __attribute__((weak));

static int panic_cpu = -1;

bool panic_in_progress(void)
{
	return __atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE) >= 0;
}

void panic_park_cpu(void)
{
	for (;;) {
		x86_cli();
		x86_hlt();
	}
}

const char *symbol_lookup(uint64_t addr, uint64_t *off)
{
	uint64_t lo = 0, hi;

	if (&fw_symtab_count == 0 || fw_symtab_count == 0 ||
	    addr < fw_symtab_addr[0] ||
	    addr >= (uint64_t)(uintptr_t)__text_end)
		return 0;
	hi = fw_symtab_count;
	while (hi - lo > 1) { /* last symbol with address <= addr */
		uint64_t mid = lo + (hi - lo) / 2;
		if (fw_symtab_addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*off = addr - fw_symtab_addr[lo];
	return &fw_symtab_names[fw_symtab_name_off[lo]];
}

static void print_addr(uint64_t a)
{
	uint64_t off;
	const char *name = symbol_lookup(a, &off);

	if (name)
		fw_printf("  [<%016llx>] %s+%#llx\n", (unsigned long long)a,
			  name, (unsigned long long)off);
	else
		fw_printf("  [<%016llx>] ?\n", (unsigned long long)a);
}

/* A frame pointer is followed only while it points into a kernel stack or
 * the kernel image, is aligned, and moves up: a corrupt chain ends the
 * walk instead of faulting inside the panic. */
static bool frame_plausible(uint64_t fp, uint64_t prev)
{
	if (fp & 7 || fp <= prev)
		return false;
	return (fp >= KSTACK_AREA && fp < MMIO_AREA) ||
	       (fp >= (uint64_t)(uintptr_t)__data_start &&
		fp < (uint64_t)(uintptr_t)__data_end);
}

void backtrace_print(uint64_t rip, uint64_t rbp)
{
	fw_printf("Backtrace:\n");
	print_addr(rip);
	for (unsigned depth = 0; depth < 32 && frame_plausible(rbp, 0); depth++) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
		uint64_t ret = frame[1];
		if (ret < (uint64_t)(uintptr_t)__text_start ||
		    ret >= (uint64_t)(uintptr_t)__text_end)
			break;
		print_addr(ret);
		if (!frame_plausible(frame[0], rbp))
			break;
		rbp = frame[0];
	}
}

static void panic_begin(void)
{
	int me;

	x86_cli();
	me = (int)this_cpu()->id;
	int expected = -1;
	if (!__atomic_compare_exchange_n(&panic_cpu, &expected, me, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (expected != me)
			panic_park_cpu(); /* someone else reports */
		/* A panic inside the panic: say so, then stop. */
		console_break_lock();
		fw_printf("\nPANIC: recursive panic on cpu %d\n", me);
		panic_park_cpu();
	}
	console_break_lock();
	if (percpu_online > 1)
		lapic_send_ipi_all_others(VEC_IPI_STOP);
}

static FW_NORETURN void panic_end(void)
{
	fw_printf("---[ end kernel panic ]---\n");
	if (fw_boot_opt_has("fw.exit"))
		fw_poweroff(3); /* a test run: let QEMU exit with a failure */
	panic_park_cpu();
}

static void panic_header(const char *fmt, va_list ap)
{
	char msg[256];
	struct fw_task *t = this_cpu()->current;

	vsnprintf(msg, sizeof msg, fmt, ap);
	fw_printf("\nPANIC on cpu %u, task %s: %s\n",
		  (unsigned)this_cpu()->id, t ? task_name_or_boot(t) : "boot",
		  msg);
}

void fw_panic(const char *fmt, ...)
{
	va_list ap;

	panic_begin();
	va_start(ap, fmt);
	panic_header(fmt, ap);
	va_end(ap);
	/* Start at our caller: its return address, and its frame pointer,
	 * which our own frame saved. */
	const uint64_t *fp = __builtin_frame_address(0);
	backtrace_print((uint64_t)(uintptr_t)__builtin_return_address(0), fp[0]);
	panic_end();
}

void panic_with_frame(const struct trapframe *tf, const char *fmt, ...)
{
	va_list ap;

	panic_begin();
	va_start(ap, fmt);
	panic_header(fmt, ap);
	va_end(ap);
	trap_print_frame(tf);
	backtrace_print(tf->rip, tf->rbp);
	panic_end();
}

void handle_bad(const void *obj, const char *what, const void *caller)
{
	uint64_t off = 0;
	const char *fn = symbol_lookup((uint64_t)(uintptr_t)caller, &off);

	fw_panic("%s handle %p is not live (released, or never one), used by "
		 "%s+%#llx",
		 what, obj, fn ? fn : "?", (unsigned long long)off);
}
