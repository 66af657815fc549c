/* tests/ktest/crash_test.c: deliberate kernel faults, to check the report.
 *
 * Layer: kernel tests. Run only by name (`ktest=crash_...`): each ends the
 * machine. tests/integration/run.sh checks that the panic report names the
 * fault, dumps the registers and symbolizes the backtrace. */
#include <fw/ktest.h>
#include <fw/panic.h>

/* noinline: the backtrace must show this frame by name. */
static __attribute__((noinline)) void crash_deref(volatile uint64_t *p)
{
	*p = 0xDEAD;
}

FW_KTEST(crash_bad_kernel_pointer)
{
	crash_deref((volatile uint64_t *)(uintptr_t)0xFFFF8FFFFFFFF000ull);
	FW_KT_CHECK(!"the write to an unmapped kernel address returned");
}

/* Recursion with a depth the compiler cannot see as infinite. */
static __attribute__((noinline)) unsigned recurse(volatile unsigned depth)
{
	volatile char pad[512];
	pad[0] = (char)depth;
	if (depth == 0)
		return 0;
	return recurse(depth + 1) + (unsigned)pad[0];
}

FW_KTEST(crash_stack_overflow)
{
	/* Running into the guard page under the 16 KiB stack is reported
	 * (on the double-fault stack), not silently corrupting a neighbour. */
	FW_KT_CHECK(recurse(1) == 0);
}
