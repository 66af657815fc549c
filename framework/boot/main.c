/* framework/boot/main.c: kmain, the boot sequence.
 *
 * Layer: framework. Order matters: the console first (so everything after
 * can report), then the boot information, the CPU's features (checked and
 * patched in before anything relies on them), memory (page tables, frames,
 * heap), firmware tables, interrupt controllers, clocks, the boot CPU's
 * task, the services' scheduler, the other CPUs, and finally the first
 * service task. The boot context then becomes CPU 0's idle task. */
#include <arch/x86.h>
#include <fw/log.h>
#include <fw/panic.h>
#include <fw/service.h>
#include <fw/task.h>
#include <fw/version.h>
#include "internal/acpi.h"
#include "internal/boot.h"
#include "internal/console.h"
#include "internal/cpufeature.h"
#include "internal/failinject.h"
#include "internal/frame.h"
#include "internal/heap.h"
#include "internal/iommu.h"
#include "internal/lapic.h"
#include "internal/log.h"
#include "internal/paging.h"
#include "internal/pci.h"
#include "internal/percpu.h"
#include "internal/smp.h"
#include "internal/spinlock.h"
#include "internal/task.h"
#include "internal/time.h"
#include "internal/trap.h"
#include "internal/user.h"

void kmain(uint32_t magic, uint64_t mbi_phys);

static void run_services_main(struct fw_task *self)
{
	(void)self;
	services_main();
}

void kmain(uint32_t magic, uint64_t mbi_phys)
{
	struct fw_task *init;

	serial_init();
	spinlock_detect_mode();
	percpu_init(0, 0);
	idt_init();
	idt_load();
	multiboot_parse(magic, mbi_phys);
	boot_opts_init();
	log_init_from_cmdline();
	log_ring_init();
	fw_info("framekernel %s: booting", FW_VERSION);
	cpu_features_init();

	/* The window first (its tables from frame_early_alloc), then the
	 * frame allocator, which may put its metadata anywhere in RAM. */
	paging_init();
	frame_init();
	heap_init();
	failinject_init();
	acpi_init(boot_info.rsdp_len ? boot_info.rsdp : 0, boot_info.rsdp_len);
	pic_disable();
	lapic_init();
	this_cpu()->apic_id = lapic_id();
	ioapic_init();
	time_init();
	user_cpu_init();
	pci_init();
	iommu_init();

	task_init_boot();
	percpu_online = 1;
	this_cpu()->online = true;
	services_init();
	if (!task_sched_ready())
		fw_panic("services_init registered no scheduler policy");
	smp_init();
	clock_select();
	timer_start_tick();
	console_init_input();

	if (fw__task_spawn("init", (fw__task_fn)(void (*)(void))run_services_main,
			   0, -1, &init))
		fw_panic("cannot start the first service task");
	fw_task_detach(init);
	x86_sti();
	task_idle_loop();
}
