/* redteam: an extern declaration of a framework-internal fw_ variable reaches the current task pointer. expect: extern-decl */
struct fw_task;
extern struct fw_task *fw_sched_current_raw;

int svc_cur(void);
int svc_cur(void) { return fw_sched_current_raw != 0; }
