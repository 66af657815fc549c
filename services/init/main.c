/* services/init/main.c: the services' start: scheduler, banner, tests.
 *
 * Layer: services (safe C). services_init() runs on the boot CPU before any
 * task exists and installs the scheduling policy. services_main() is the
 * first task: it prints the banner and, with `ktest` on the command line,
 * runs the in-kernel tests, prints the summary and powers off (the exit
 * code says whether everything passed); otherwise it starts user space. */
#include <fw/boot.h>
#include <fw/cpu.h>
#include <fw/frame.h>
#include <fw/heap.h>
#include <fw/ktest.h>
#include <fw/log.h>
#include <fw/panic.h>
#include <fw/power.h>
#include <fw/service.h>
#include <fw/time.h>
#include <fw/version.h>
#include "init/init.h"
#include "sched/sched.h"

void services_init(void)
{
	if (sched_init())
		fw_panic("init: could not register the scheduler policy");
}

static void print_banner(void)
{
	uint64_t ms = fw_time_ns() / FW_NSEC_PER_MSEC;

	fw_printf("framekernel %s: %llu MiB RAM (%llu MiB free), %u CPU%s, "
		  "booted in %llu.%03llu s, cmdline \"%s\"\n",
		  FW_VERSION,
		  (unsigned long long)(fw_frames_total() / 256),
		  (unsigned long long)(fw_frames_free() / 256), fw_cpu_count(),
		  fw_cpu_count() == 1 ? "" : "s",
		  (unsigned long long)(ms / 1000),
		  (unsigned long long)(ms % 1000), fw_boot_cmdline());
}

static void report_initrd(void)
{
	struct fw_boot_module m;

	for (size_t i = 0; i < fw_boot_module_count(); i++)
		if (fw_boot_module(i, &m) == 0)
			fw_info("init: module %zu \"%s\": %zu bytes", i, m.name,
				fw_bytes_len(m.data));
	if (fw_boot_module_count() == 0)
		fw_info("init: no initramfs module was loaded");
}

void services_main(void)
{
	const char *which;
	unsigned passed = 0, failed;

	print_banner();
	report_initrd();
	if (!fw_boot_opt_has("ktest")) {
		if (userland_start()) {
			fw_printf("no init could be started; powering off\n");
			fw_poweroff(1);
		}
		return; /* pid 1 runs; this task is done */
	}
	which = fw_boot_opt("ktest");
	failed = fw_ktest_run(which, &passed);
	fw_printf("ktest: %u passed, %u failed\n", passed, failed);
	fw_poweroff(failed ? 1 : 0);
}
