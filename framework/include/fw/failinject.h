/* fw/failinject.h: making allocations fail on purpose, to test the paths
 * that handle exhausted memory.
 *
 * Layer: framework public API, after Linux's fault injection
 * (Documentation/fault-injection/fault-injection.rst). Two boot options,
 * in Linux's format <interval>,<probability>,<space>,<times>:
 *
 *   failslab=...         objects and byte buffers (FW_NEW, fw_buf_alloc)
 *   fail_page_alloc=...  frames (fw_frame_alloc)
 *
 * probability is a percentage; every interval-th call that passes the
 * other tests may fail; the first `space` bytes asked for are never
 * failed; at most `times` failures (-1: no limit). With the boolean
 * `fail_task_filter` (Linux's debugfs task-filter) only tasks marked
 * make-it-fail are failed. Each forced failure is logged (rate-limited),
 * as Linux's verbose mode does.
 *
 * A task's fail-nth makes its nth allocation from now fail, whatever the
 * boot options say: a test walks a system call through every allocation
 * it makes, one run per allocation (Linux's /proc/<tid>/fail-nth).
 *
 * Unlike Linux, only allocations made while the current task runs a
 * system call of its own (from the `syscall` instruction until it returns
 * to user mode), never in an interrupt, are failed: a program sees
 * ENOMEM or EAGAIN from a call, and the kernel's own start-up, its
 * threads and its devices are left alone. */
#ifndef FW_FAILINJECT_H
#define FW_FAILINJECT_H

#include <fw/compiler.h>
#include <stdint.h>

struct fw_task;

/* make-it-fail: whether the task is failed when fail_task_filter is on.
 * A process service copies it to the tasks a task creates. */
void fw_task_set_make_it_fail(struct fw_task *t, bool on);
bool fw_task_make_it_fail(const struct fw_task *t);

/* fail-nth: 0, or how many allocations from now the task's next forced
 * failure is (1: the next one). Reads 0 again once it was forced. */
void fw_task_set_fail_nth(struct fw_task *t, uint32_t n);
uint32_t fw_task_fail_nth(const struct fw_task *t);

#endif
