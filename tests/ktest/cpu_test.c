/* tests/ktest/cpu_test.c: the CPU features found at boot are the ones in
 * force, on every CPU (issue 11).
 *
 * Layer: kernel tests, with framework privileges (they read control
 * registers and the patched kernel text). Under `-cpu max` these check that
 * SMEP, SMAP, UMIP, global pages and FSGSBASE are on; under qemu64 that
 * none of them is, and that no stac/clac is left in the text to raise #UD. */
#include <arch/x86.h>
#include <fw/cpu.h>
#include <fw/errno.h>
#include <fw/ktest.h>
#include <fw/string.h>
#include <fw/task.h>
#include <fw/user.h>
#include "internal/cpufeature.h"

#define CR4_PGE_BIT (1ull << 7)

struct cr_snapshot {
	uint64_t cr0, cr4, efer, xcr0;
	bool taken;
};

static struct cr_snapshot snaps[FW_MAX_CPUS];

static void snap_task(struct cr_snapshot *all)
{
	fw_preempt_disable();
	struct cr_snapshot *s = &all[fw_cpu_id()];
	s->cr0 = x86_read_cr0();
	s->cr4 = x86_read_cr4();
	s->efer = x86_rdmsr(MSR_EFER);
	if (s->cr4 & CR4_OSXSAVE)
		s->xcr0 = x86_xgetbv(0);
	s->taken = true;
	fw_preempt_enable();
}

/* CR4 bit `bit` is set exactly when `has` says the CPU has the feature. */
static bool cr4_matches(uint64_t cr4, uint64_t bit, bool has)
{
	return !!(cr4 & bit) == has;
}

FW_KTEST(cpu_cr4_matches_features_on_every_cpu)
{
	unsigned n = fw_cpu_count();
	struct fw_task *t[FW_MAX_CPUS];
	const struct cpu_features *f = &cpu_features;

	memset(snaps, 0, sizeof snaps);
	for (unsigned c = 0; c < n; c++)
		FW_KT_CHECK(FW_TASK_SPAWN("cr-snap", snap_task, snaps, (int)c,
					  &t[c]) == 0);
	for (unsigned c = 0; c < n; c++)
		FW_KT_CHECK(fw_task_join(t[c], 0) == 0);
	for (unsigned c = 0; c < n; c++) {
		const struct cr_snapshot *s = &snaps[c];
		FW_KT_CHECKF(s->taken, "cpu %u was never reached", c);
		FW_KT_CHECKF(f->nx && (s->efer & EFER_NXE), "cpu %u: EFER.NXE off", c);
		FW_KT_CHECKF(s->cr0 & CR0_WP, "cpu %u: CR0.WP off", c);
		FW_KT_CHECKF(cr4_matches(s->cr4, CR4_SMEP, f->smep),
			     "cpu %u: CR4.SMEP %d, CPU has SMEP %d", c,
			     !!(s->cr4 & CR4_SMEP), f->smep);
		FW_KT_CHECKF(cr4_matches(s->cr4, CR4_SMAP, f->smap),
			     "cpu %u: CR4.SMAP %d, CPU has SMAP %d", c,
			     !!(s->cr4 & CR4_SMAP), f->smap);
		FW_KT_CHECKF(cr4_matches(s->cr4, CR4_UMIP, f->umip),
			     "cpu %u: CR4.UMIP %d, CPU has UMIP %d", c,
			     !!(s->cr4 & CR4_UMIP), f->umip);
		FW_KT_CHECKF(cr4_matches(s->cr4, CR4_PGE_BIT, f->pge),
			     "cpu %u: CR4.PGE %d, CPU has PGE %d", c,
			     !!(s->cr4 & CR4_PGE_BIT), f->pge);
		FW_KT_CHECKF(cr4_matches(s->cr4, CR4_FSGSBASE, f->fsgsbase),
			     "cpu %u: CR4.FSGSBASE %d, CPU has FSGSBASE %d", c,
			     !!(s->cr4 & CR4_FSGSBASE), f->fsgsbase);
		FW_KT_CHECKF(cr4_matches(s->cr4, CR4_OSXSAVE, f->xsave),
			     "cpu %u: CR4.OSXSAVE %d, CPU has XSAVE %d", c,
			     !!(s->cr4 & CR4_OSXSAVE), f->xsave);
		FW_KT_CHECKF(!f->xsave || s->xcr0 == f->xfeatures,
			     "cpu %u: XCR0 %#llx, chosen %#llx", c,
			     (unsigned long long)s->xcr0,
			     (unsigned long long)f->xfeatures);
	}
	/* The user FPU image: FXSAVE's 512 bytes, or an XSAVE image that
	 * holds x87 and SSE and fits the context. */
	FW_KT_CHECK(f->xsave ? f->xstate_size >= 576 && (f->xfeatures & 3) == 3
			     : f->xstate_size == 512 && f->xfeatures == 3);
	FW_KT_CHECK(f->xstate_size <= FW_USER_FPU_MAX);
}

FW_KTEST(cpu_smap_sites_patched_for_this_cpu)
{
	static const uint8_t stac[3] = { 0x0F, 0x01, 0xCB };
	static const uint8_t clac[3] = { 0x0F, 0x01, 0xCA };
	static const uint8_t nop3[3] = { 0x0F, 0x1F, 0x00 };
	unsigned n = alternatives_smap_sites();

	/* arch_copy_user and arch_clear_user: one stac, three clac each. */
	FW_KT_CHECKF(n == 8, "%u stac/clac sites, expected 8", n);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *p = alternatives_smap_site(i);
		bool insn = !memcmp(p, stac, 3) || !memcmp(p, clac, 3);
		FW_KT_CHECKF(cpu_features.smap ? insn : !memcmp(p, nop3, 3),
			     "site %u: %02x %02x %02x with SMAP %d", i, p[0],
			     p[1], p[2], cpu_features.smap);
	}
}

/* fw_cpu_random: values where CPUID offers RDRAND/RDSEED, -ENODEV where
 * it offers neither (QEMU's qemu64), never a made-up number. */
FW_KTEST(cpu_random_only_from_the_hardware)
{
	uint64_t a = 0, b = 0;
	int err = fw_cpu_random(&a);

	if (!cpu_features.rdrand && !cpu_features.rdseed) {
		FW_KT_CHECKF(err == -ENODEV, "no generator, yet %d", err);
		return;
	}
	FW_KT_CHECKF(err == 0, "fw_cpu_random: %d", err);
	FW_KT_CHECK(fw_cpu_random(&b) == 0);
	FW_KT_CHECKF(a != b, "two draws gave %#llx twice", (unsigned long long)a);
}
