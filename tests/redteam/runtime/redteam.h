/* tests/redteam/runtime/redteam.h: what every run-time red-team case uses.
 *
 * Layer: tests, compiled exactly as services are (safe C, the gate, the
 * hardening flags). A case is an FW_KTEST named redteam_trap_* (the attack
 * must be stopped: the kernel panics with the message its first line
 * names, before REDTEAM_REACHED runs) or redteam_ok_* (the API must refuse
 * the attack with an error and the kernel goes on: the test passes). */
#ifndef REDTEAM_H
#define REDTEAM_H

#include <fw/ktest.h>
#include <fw/log.h>
#include <fw/time.h>

/* v, as a value the compiler cannot see through (so a bad index or length
 * reaches run time instead of failing the build: with constants, gcc's
 * -Warray-bounds and the fortified calls already refuse most of these at
 * compile time). redteam_zero is 0, defined in ok_zeroed_locals.c. */
extern uint64_t redteam_zero;
static inline uint64_t redteam_value(uint64_t v)
{
	return v + redteam_zero;
}

/* Printed only if the attack was not stopped; the runner fails the case
 * when it sees it. */
#define REDTEAM_REACHED() fw_printf("REDTEAM-REACHED: the attack was not stopped\n")

#endif
