/* arch/x86_64/copy_select.c: choosing the bulk copy for the CPU it runs on.
 *
 * Layer: arch (framework TCB). memcpy, memset and the user copies move
 * 8 bytes per string step by default (rep movsq/stosq and a byte tail).
 * On a CPU with ERMS (CPUID 7:EBX[9]) a single "rep movsb" is meant to be
 * as fast or faster, and Linux picks it from the CPUID bit alone; under an
 * emulator such as QEMU's TCG, which advertises ERMS with -cpu max, it is
 * several times slower, because each byte is one pass of a translated loop.
 * So the choice is measured: both ways copy and clear a 4 KiB page
 * (the common size: page faults, pipes, file reads) a few times, the best
 * time of each counts, and rep movsb must win to be used. Without ERMS
 * nothing is measured: rep movsb is microcoded byte by byte there.
 * Runs once on the boot CPU before the other CPUs start. */
#include <arch/x86.h>
#include <fw/log.h>
#include <fw/string.h>
#include "internal/cpufeature.h"

#define SAMPLES 8

static uint8_t src_page[4096] __attribute__((aligned(4096)));
static uint8_t dst_page[4096] __attribute__((aligned(4096)));

/* The best of SAMPLES copy+clear rounds of a page, in TSC counts. */
static uint64_t best_round(void)
{
	uint64_t best = ~0ull;

	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = x86_rdtsc();
		memcpy(dst_page, src_page, sizeof dst_page);
		memset(dst_page, i, sizeof dst_page);
		uint64_t t = x86_rdtsc() - t0;
		if (t < best)
			best = t;
	}
	return best;
}

void copy_select(void)
{
	uint64_t steps, bytes;

	if (!cpu_features.erms)
		return;
	copy_use_movsb = false;
	steps = best_round();
	copy_use_movsb = true;
	bytes = best_round();
	copy_use_movsb = bytes < steps;
	fw_info("copy: a 4 KiB page copied and cleared in %llu TSC counts by "
		"rep movsb, %llu by 8-byte steps: using %s",
		(unsigned long long)bytes, (unsigned long long)steps,
		copy_use_movsb ? "rep movsb (ERMS)" : "8-byte steps");
}
