/* redteam: a task spawned with the address of a local result buffer and joined on the success path only; the error path returns while the task still runs and keeps writing its results into the caller's next frames. expect: local-escape */
#include <fw/task.h>

struct job {
	unsigned long out[8];
	int n;
};

static void worker(struct job *j)
{
	for (int i = 0; i < 8; i++)
		j->out[i] = 0x4141414141414141ul;
}

int svc_run_job(int fail);
int svc_run_job(int fail)
{
	struct job j = { .n = 8 };
	struct fw_task *t;
	int err = FW_TASK_SPAWN("job", worker, &j, -1, &t);

	if (err)
		return err;
	if (fail)
		return -1; /* no join: the worker outlives this frame */
	return fw_task_join(t, 0);
}
