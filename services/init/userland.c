/* services/init/userland.c: from kernel to the first user process.
 *
 * Layer: services (safe C). Registers every subsystem's system calls,
 * installs the memory service's fault resolver for user copies, builds
 * the root file system from the initramfs, brings up the console TTY and
 * starts pid 1 -- `/init`, or what `init=` names -- with fds 0, 1, 2 on
 * the console, as Linux's kernel_init does. If init exits, the machine
 * powers off (Linux would panic; powering off is kinder to a VM). */
#include <fw/boot.h>
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/power.h>
#include <fw/string.h>
#include <fw/vmspace.h>
#include "drivers/char/kmsg.h"
#include "drivers/char/random.h"
#include "drivers/drivers.h"
#include "ipc/ipc.h"
#include "keys/keys.h"
#include "fs/vfs/vfs.h"
#include "init/init.h"
#include "lib/kpath.h"
#include "mm/mm.h"
#include "net/net.h"
#include "proc/pidfd.h"
#include "proc/proc_internal.h"
#include "proc/signal.h"
#include "proc/ptrace/ptrace.h"
#include "syscall/syscall.h"
#include "tty/tty.h"

void proc_init_exited(int status)
{
	int code = (status & 0x7f) ? 128 + (status & 0x7f) : (status >> 8) & 0xff;

	fw_printf("init exited (status %d); powering off\n", code);
	proc_sync_all();
	fw_poweroff(code);
}

void proc_sync_all(void)
{
	/* Write everything back and mark disk file systems clean, as an
	 * unmount would (the machine turns off next). */
	int err = vfs_shutdown();

	if (err)
		fw_err("sync: writing back failed (%d)", err);
}

static void register_syscalls(void)
{
	proc_syscalls_init();
	signal_syscalls_init();
	exec_syscalls_init();
	misc_syscalls_init();
	time_syscalls_init();
	prio_syscalls_init();
	unshare_syscalls_init();
	pidfd_syscalls_init();
	affinity_syscalls_init();
	sched_policy_syscalls_init();
	numa_syscalls_init();
	rseq_syscalls_init();
	futex_syscalls_init();
	ptrace_syscalls_init();
	mm_syscalls_init();
	fs_syscalls_init();
	net_syscalls_init();
	random_syscalls_init();
	kmsg_init();
	ipc_init();
	keys_init();
}

int userland_start(void)
{
	struct fw_boot_module m;
	struct fw_bytes initramfs = FW_BYTES_OF_LITERAL("");
	struct kpath *path;
	long n;
	int err;

	register_syscalls();
	syscall_trace_init();
	fw_vmspace_set_fault_handler(mm_fault_handler);
	if (fw_boot_module_count() > 0 && fw_boot_module(0, &m) == 0)
		initramfs = m.data;
	drivers_init();
	ipconfig_run();
	err = vfs_init(initramfs, tty_hvc() != NULL);
	if (err) {
		fw_err("init: cannot build the root file system (%d)", err);
		return err;
	}
	tty_init();

	path = kpath_alloc();
	if (!path)
		return -ENOMEM;
	n = fw_boot_opt_copy("init", FW_BUF_OF_ARRAY(path->s));
	if (n == -ENAMETOOLONG) {
		kpath_free(path);
		return -ENAMETOOLONG;
	}
	if (n <= 0)
		fw_strlcpy(path->s, "/init", sizeof path->s);
	err = proc_start_init(path, FW_BYTES_OF_LITERAL(""));
	if (err)
		fw_err("init: cannot run %s (error %d); boot with init=/bin/sh "
		       "or check the initramfs",
		       path->s, err);
	kpath_free(path);
	return err;
}
