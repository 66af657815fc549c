/* redteam: a service gives struct fw_task a layout of its own and writes the scheduler's fields of the running task. expect: framework-type */
#include <fw/task.h>

struct fw_task {
	uint64_t rsp;
	uint64_t state;
};

void svc_hijack(void);
void svc_hijack(void)
{
	fw_task_current()->rsp = 0;
}
