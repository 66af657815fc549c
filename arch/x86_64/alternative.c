/* arch/x86_64/alternative.c: patching the kernel text for the CPU it runs on.
 *
 * Layer: arch (framework TCB). The user-copy routines (user.asm) bracket
 * their user accesses with stac/clac, which a CPU without SMAP does not
 * know (#UD). Each of those instructions is assembled with its address in
 * the .alt_smap table (the SMAP_STAC/SMAP_CLAC macros of user.asm); on a
 * CPU without SMAP every one is overwritten with a 3-byte NOP before the
 * first user copy, so the fast path carries no test and no branch on any
 * CPU. This is Linux's alternatives mechanism (arch/x86/kernel/
 * alternative.c) cut down to the one case used: its ALTERNATIVE("",
 * __ASM_STAC, X86_FEATURE_SMAP) starts from NOPs and patches stac in; we
 * start from stac, so a kernel on a SMAP CPU runs exactly the text the
 * assembler produced. It runs before paging_init(), while the boot page
 * tables still map the kernel image writable, and before the other CPUs
 * start, so nobody can be executing the bytes being rewritten. */
#include <fw/panic.h>
#include <fw/string.h>
#include "internal/cpufeature.h"

/* From linker.ld: the addresses of every stac/clac. */
extern const uint64_t __alt_smap_start[], __alt_smap_end[];

static const uint8_t insn_stac[3] = { 0x0F, 0x01, 0xCB };
static const uint8_t insn_clac[3] = { 0x0F, 0x01, 0xCA };
static const uint8_t insn_nop3[3] = { 0x0F, 0x1F, 0x00 }; /* nopl (%rax) */

unsigned alternatives_smap_sites(void)
{
	return (unsigned)(__alt_smap_end - __alt_smap_start);
}

const uint8_t *alternatives_smap_site(unsigned i)
{
	return (const uint8_t *)(uintptr_t)__alt_smap_start[i];
}

void alternatives_apply(void)
{
	static bool done;

	if (done || cpu_features.smap)
		return;
	done = true;
	for (unsigned i = 0; i < alternatives_smap_sites(); i++) {
		/* SAFETY: the table holds addresses in .text written by the
		 * SMAP_* macros; the boot tables map .text writable and no
		 * other CPU runs yet (see the head comment). */
		uint8_t *p = (uint8_t *)(uintptr_t)__alt_smap_start[i];
		if (memcmp(p, insn_stac, 3) && memcmp(p, insn_clac, 3))
			fw_panic("alternatives: site %u at %p is not stac/clac", i,
				 (void *)p);
		memcpy(p, insn_nop3, 3);
	}
}
