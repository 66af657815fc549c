/* arch/x86_64/cpuid.c: finding the CPU's features with CPUID, once at boot.
 *
 * Layer: arch (framework TCB). Fills cpu_features (internal/cpufeature.h)
 * from the CPUID leaves (SDM vol. 2A, CPUID; AMD APM vol. 3, appendix E),
 * refuses a CPU that lacks what the kernel cannot do without, has the
 * optional instructions patched out where they are missing
 * (alternative.c), and logs one line: what was found, and which of it the
 * kernel uses. Long mode and NX are checked even earlier, by boot.asm,
 * because it turns on EFER.NXE before any C runs; the checks here repeat
 * them so the struct and the log never claim otherwise. */
#include <arch/x86.h>
#include <fw/log.h>
#include <fw/panic.h>
#include <fw/string.h>
#include <fw/user.h>
#include "internal/cpufeature.h"

struct cpu_features cpu_features;

#define BIT(n) (1u << (n))

static void read_brand(struct cpu_features *f, uint32_t max_ext)
{
	uint32_t r[4];
	char *p = f->model_name;

	if (max_ext < 0x80000004) {
		fw_strlcpy(f->model_name, "unknown", sizeof f->model_name);
		return;
	}
	for (uint32_t leaf = 0x80000002; leaf <= 0x80000004; leaf++) {
		x86_cpuid(leaf, 0, r);
		memcpy(p, r, 16);
		p += 16;
	}
	f->model_name[48] = 0;
	/* Intel pads the brand string with leading spaces. */
	p = f->model_name;
	while (*p == ' ')
		p++;
	memmove(f->model_name, p, strlen(p) + 1);
}

static void detect(struct cpu_features *f)
{
	uint32_t r[4], max, max_ext, base_family;

	x86_cpuid(0, 0, r);
	max = r[0];
	memcpy(&f->vendor[0], &r[1], 4);
	memcpy(&f->vendor[4], &r[3], 4);
	memcpy(&f->vendor[8], &r[2], 4);
	f->vendor[12] = 0;

	x86_cpuid(1, 0, r);
	base_family = (r[0] >> 8) & 0xF;
	f->family = base_family;
	f->model = (r[0] >> 4) & 0xF;
	f->stepping = r[0] & 0xF;
	if (base_family == 0xF)
		f->family += (r[0] >> 20) & 0xFF;
	if (base_family == 0x6 || base_family == 0xF)
		f->model += ((r[0] >> 16) & 0xF) << 4;
	f->apic = r[3] & BIT(9);
	f->pge = r[3] & BIT(13);
	f->fxsr = r[3] & BIT(24);
	f->pcid = r[2] & BIT(17);
	f->x2apic = r[2] & BIT(21);
	f->xsave = (r[2] & BIT(26)) && max >= 0xD;
	f->rdrand = r[2] & BIT(30);

	if (max >= 7) {
		x86_cpuid(7, 0, r);
		f->fsgsbase = r[1] & BIT(0);
		f->smep = r[1] & BIT(7);
		f->erms = r[1] & BIT(9);
		f->invpcid = r[1] & BIT(10);
		f->rdseed = r[1] & BIT(18);
		f->smap = r[1] & BIT(20);
		f->umip = r[2] & BIT(2);
		f->fsrm = r[3] & BIT(4);
	}

	x86_cpuid(0x80000000, 0, r);
	max_ext = r[0];
	if (max_ext >= 0x80000001) {
		x86_cpuid(0x80000001, 0, r);
		f->nx = r[3] & BIT(20);
		f->pdpe1gb = r[3] & BIT(26);
	}
	if (max_ext >= 0x80000007) {
		x86_cpuid(0x80000007, 0, r);
		f->tsc_invariant = r[3] & BIT(8);
	}
	read_brand(f, max_ext);
}

/* XSAVE state components (SDM vol. 1, 13.1) the kernel saves for user
 * code: the ones Linux enables for user space, except MPX (gone from
 * newer CPUs and compilers), PKRU (CR4.PKE stays off) and AMX (its
 * permission protocol is not implemented). */
#define XFEATURE_X87 (1ull << 0)
#define XFEATURE_SSE (1ull << 1)
#define XFEATURE_AVX (1ull << 2)
#define XFEATURE_AVX512 (7ull << 5) /* opmask, ZMM_Hi256, Hi16_ZMM */
#define XSAVE_LEGACY_AND_HEADER 576

/* Bytes of the standard-format XSAVE image holding `features`. */
static uint32_t xstate_size_of(uint64_t features)
{
	uint32_t r[4], size = XSAVE_LEGACY_AND_HEADER;

	for (uint32_t i = 2; i < 64; i++) {
		if (!(features & (1ull << i)))
			continue;
		x86_cpuid(0xD, i, r); /* EAX size, EBX offset */
		if (r[1] + r[0] > size)
			size = r[1] + r[0];
	}
	return size;
}

/* Pick the XSAVE components (XCR0) and the size of their image; stay with
 * FXSAVE where the CPU has no XSAVE. A component the CPU only has in part
 * (AVX-512 needs all three of its) or whose image would not fit the
 * context's FW_USER_FPU_MAX bytes is left off, which user space sees in
 * XGETBV, as on Linux with a feature masked. */
static void choose_xstate(struct cpu_features *f)
{
	uint32_t r[4];
	uint64_t want;

	f->xfeatures = XFEATURE_X87 | XFEATURE_SSE;
	f->xstate_size = 512;
	if (!f->xsave)
		return;
	x86_cpuid(0xD, 0, r);
	want = ((uint64_t)r[3] << 32 | r[0]) &
	       (XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX | XFEATURE_AVX512);
	if (!(want & XFEATURE_AVX) || (want & XFEATURE_AVX512) != XFEATURE_AVX512)
		want &= ~XFEATURE_AVX512;
	if (xstate_size_of(want) > FW_USER_FPU_MAX)
		want &= ~XFEATURE_AVX512;
	if (xstate_size_of(want) > FW_USER_FPU_MAX)
		want &= ~XFEATURE_AVX;
	f->xfeatures = want;
	f->xstate_size = xstate_size_of(want);
	x86_cpuid(0xD, 1, r);
	f->xsaveopt = r[0] & BIT(0);
}

/* Append " name" to buf if on. */
static void flag(char *buf, size_t cap, bool on, const char *name)
{
	size_t n = strlen(buf);
	if (on && n + 1 + strlen(name) < cap) {
		buf[n] = ' ';
		fw_strlcpy(buf + n + 1, name, cap - n - 1);
	}
}

void cpu_features_init(void)
{
	struct cpu_features *f = &cpu_features;
	char found[160] = "", used[160] = "";

	detect(f);
	if (!f->nx)
		fw_panic("cpu: this CPU has no NX (execute-disable) bit; the kernel "
			 "maps data non-executable and cannot run without it");
	if (!f->fxsr)
		fw_panic("cpu: this CPU has no FXSAVE/FXRSTOR; user FPU state needs them");
	if (!f->apic)
		fw_panic("cpu: this CPU has no local APIC; interrupts and SMP need one");
	alternatives_apply();
	choose_xstate(f);
	copy_select();

	flag(found, sizeof found, f->nx, "nx");
	flag(found, sizeof found, f->pge, "pge");
	flag(found, sizeof found, f->smep, "smep");
	flag(found, sizeof found, f->smap, "smap");
	flag(found, sizeof found, f->umip, "umip");
	flag(found, sizeof found, f->fsgsbase, "fsgsbase");
	flag(found, sizeof found, f->pcid, "pcid");
	flag(found, sizeof found, f->invpcid, "invpcid");
	flag(found, sizeof found, f->xsave, "xsave");
	flag(found, sizeof found, f->x2apic, "x2apic");
	flag(found, sizeof found, f->pdpe1gb, "pdpe1gb");
	flag(found, sizeof found, f->rdrand, "rdrand");
	flag(found, sizeof found, f->rdseed, "rdseed");
	flag(found, sizeof found, f->erms, "erms");
	flag(found, sizeof found, f->fsrm, "fsrm");
	flag(found, sizeof found, f->tsc_invariant, "invtsc");

	/* What the kernel turns on: each optional feature where present, and
	 * the baseline it always uses (the xAPIC). */
	flag(used, sizeof used, true, "nx");
	flag(used, sizeof used, f->pge, "pge");
	flag(used, sizeof used, f->smep, "smep");
	flag(used, sizeof used, f->smap, "smap");
	flag(used, sizeof used, f->umip, "umip");
	flag(used, sizeof used, f->fsgsbase, "fsgsbase");
	flag(used, sizeof used, f->xsave && !f->xsaveopt, "xsave");
	flag(used, sizeof used, f->xsaveopt, "xsaveopt");
	flag(used, sizeof used, !f->xsave, "fxsave");
	flag(used, sizeof used, f->xfeatures & XFEATURE_AVX, "avx");
	flag(used, sizeof used, f->xfeatures & XFEATURE_AVX512, "avx512");
	flag(used, sizeof used, f->pdpe1gb, "pdpe1gb");
	flag(used, sizeof used, f->rdrand, "rdrand");
	flag(used, sizeof used, f->rdseed, "rdseed");
	flag(used, sizeof used, copy_use_movsb, "erms");
	flag(used, sizeof used, true, "xapic");

	fw_info("cpu: %s %u/%u/%u \"%s\"; found%s; used%s; user FPU state "
		"%u bytes", f->vendor, f->family, f->model, f->stepping,
		f->model_name, found, used, f->xstate_size);
}
