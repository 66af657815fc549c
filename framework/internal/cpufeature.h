/* internal/cpufeature.h: what the CPU has, found once at boot with CPUID.
 *
 * Layer: framework internal. arch/x86_64/cpuid.c fills cpu_features on the
 * boot CPU before anything depends on it (paging, user entry, the APIC);
 * every other file only reads it. Each optional feature is used only where
 * its flag is set, so the same kernel runs on QEMU's default qemu64 CPU and
 * on `-cpu max`. The application processors are assumed to have what the
 * boot CPU has (as Linux assumes for the features it patches in). */
#ifndef INTERNAL_CPUFEATURE_H
#define INTERNAL_CPUFEATURE_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_features {
	char vendor[13];       /* "GenuineIntel", "AuthenticAMD", ... */
	char model_name[49];   /* brand string, leaves 0x80000002..4 */
	uint32_t family;       /* display family (base + extended) */
	uint32_t model;        /* display model (base + extended) */
	uint32_t stepping;

	/* Required: boot.asm refuses to start without long mode and NX,
	 * cpu_features_init() without the rest. */
	bool nx;               /* execute-disable (EFER.NXE) */
	bool fxsr;             /* FXSAVE/FXRSTOR (user FPU state) */
	bool apic;             /* an on-chip local APIC (xAPIC MMIO) */

	/* Optional, used when present: */
	bool pge;              /* global pages (kernel half) */
	bool smep;             /* CR4.SMEP: no kernel execution of user pages */
	bool smap;             /* CR4.SMAP: stac/clac around user copies */
	bool umip;             /* CR4.UMIP: sgdt/sidt/str/... are kernel-only */
	bool fsgsbase;         /* CR4.FSGSBASE: rd/wr{fs,gs}base in user mode */
	bool xsave;            /* XSAVE/XRSTOR for user state (else FXSAVE) */
	bool xsaveopt;         /* XSAVEOPT: skip components not changed */
	uint64_t xfeatures;    /* XCR0: the state components enabled (x87, SSE
				* and whichever of AVX, AVX-512 the CPU has) */
	uint32_t xstate_size;  /* bytes of the user FPU image: 512 (FXSAVE) or
				* the XSAVE standard-format size for xfeatures */

	bool pdpe1gb;          /* 1 GiB pages (the direct map) */
	bool rdrand, rdseed;   /* on-chip random numbers (fw_cpu_random) */
	bool tsc_invariant;    /* TSC runs at a constant rate in all states */
	bool erms;             /* fast rep movsb: measured (copy_select) */

	/* Reported, not used (the log line says so): */
	bool pcid, invpcid;    /* tagged TLB entries */
	bool x2apic;           /* MSR-based APIC access */
	bool fsrm;             /* fast short rep movsb */
};

extern struct cpu_features cpu_features;

/* Read CPUID into cpu_features, refuse to boot (panic with the reason)
 * on a CPU without a required feature, patch the kernel text for the
 * optional ones (alternative.c) and log one line with what was found and
 * what is used. Call once, on the boot CPU, after the log is up and before
 * paging_init() (the patching writes to kernel text, which the boot page
 * tables still map writable). */
void cpu_features_init(void);

/* Bulk copies and fills (memcpy, memset, the user copies) by one rep
 * movsb/stosb instead of 8-byte steps: set by copy_select(), which
 * measures both on a CPU with ERMS; cpu_features_init() calls it. */
extern bool copy_use_movsb;
void copy_select(void);

/* Rewrite the stac/clac instructions of the user-copy routines into NOPs
 * when the CPU has no SMAP (they would raise #UD). Linux's alternatives
 * do the same the other way round. Only cpu_features_init() calls it. */
void alternatives_apply(void);
/* For tests: the number of stac/clac sites and the address of site i. */
unsigned alternatives_smap_sites(void);
const uint8_t *alternatives_smap_site(unsigned i);

#endif
