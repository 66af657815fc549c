/* redteam: keep a timer handle past its destroy until its slot holds a newer timer of someone else, then arm through the old handle (the same type, so the magic number matches). expect: fw_timer handle */
#include <fw/time.h>
#include "redteam.h"

static void fire(uint64_t *count)
{
	(*count)++;
}

static uint64_t mine, theirs;

FW_KTEST(redteam_trap_timer_stale_reused)
{
	struct fw_timer *old, *fresh;

	FW_KT_CHECK(FW_TIMER_CREATE(fire, &mine, &old) == 0);
	fw_timer_destroy(old);
	/* The heap hands the freed slot out again: same type, same place. */
	FW_KT_CHECK(FW_TIMER_CREATE(fire, &theirs, &fresh) == 0);
	fw_timer_arm(old, fw_time_ns() + 1000000);
	REDTEAM_REACHED();
}
