/* services/fs/procfs/procfs_cpuinfo.c: /proc/cpuinfo, as Linux's x86
 * show_cpuinfo() prints it (arch/x86/kernel/cpu/proc.c).
 *
 * Layer: services (safe C), procfs. Everything comes from CPUID
 * (fw_cpuid: the same answers a user program gets from the instruction)
 * and the clock's TSC calibration; every CPU is assumed to report what the
 * one running this does, as the framework assumes at boot. The flag names
 * are Linux's (arch/x86/include/asm/cpufeatures.h) for the CPUID bits it
 * shows; Linux's synthetic flags (constant_tsc, rep_good, ...) are not
 * made up here. */
#include <fw/cpu.h>
#include <fw/string.h>
#include "fs/procfs/procfs.h"

/* One CPUID register: its leaf, subleaf, which register, and the name of
 * each bit Linux prints (NULL: not printed). */
enum cpuid_reg { REG_EAX, REG_EBX, REG_ECX, REG_EDX };

struct flag_word {
	uint32_t leaf, subleaf;
	enum cpuid_reg reg;
	const char *names[32];
};

static const struct flag_word flag_words[] = {
	{ 1, 0, REG_EDX, {
		"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
		"cx8", "apic", 0, "sep", "mtrr", "pge", "mca", "cmov",
		"pat", "pse36", "pn", "clflush", 0, "dts", "acpi", "mmx",
		"fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe" } },
	{ 0x80000001, 0, REG_EDX, {
		[11] = "syscall", [19] = "mp", [20] = "nx", [22] = "mmxext",
		[25] = "fxsr_opt", [26] = "pdpe1gb", [27] = "rdtscp",
		[29] = "lm", [30] = "3dnowext", [31] = "3dnow" } },
	{ 1, 0, REG_ECX, {
		"pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx",
		"smx", "est", "tm2", "ssse3", "cid", "sdbg", "fma", "cx16",
		"xtpr", "pdcm", 0, "pcid", "dca", "sse4_1", "sse4_2",
		"x2apic", "movbe", "popcnt", "tsc_deadline_timer", "aes",
		"xsave", 0, "avx", "f16c", "rdrand", "hypervisor" } },
	{ 0x80000001, 0, REG_ECX, {
		"lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy",
		"abm", "sse4a", "misalignsse", "3dnowprefetch", "osvw", "ibs",
		"xop", "skinit", "wdt", 0, "lwp", "fma4", "tce", 0,
		"nodeid_msr", 0, "tbm", "topoext", "perfctr_core",
		"perfctr_nb", 0, "bpext", "ptsc", "perfctr_llc", "mwaitx" } },
	{ 7, 0, REG_EBX, {
		"fsgsbase", "tsc_adjust", 0, "bmi1", "hle", "avx2", 0, "smep",
		"bmi2", "erms", "invpcid", "rtm", "cqm", 0, "mpx", 0,
		"avx512f", "avx512dq", "rdseed", "adx", "smap", "avx512ifma",
		0, "clflushopt", "clwb", "intel_pt", "avx512pf", "avx512er",
		"avx512cd", "sha_ni", "avx512bw", "avx512vl" } },
	{ 0xd, 1, REG_EAX, {
		"xsaveopt", "xsavec", "xgetbv1", "xsaves" } },
	{ 7, 0, REG_ECX, {
		[1] = "avx512vbmi", [2] = "umip", [3] = "pku", [4] = "ospke",
		[6] = "avx512_vbmi2", [8] = "gfni", [9] = "vaes",
		[10] = "vpclmulqdq", [11] = "avx512_vnni",
		[12] = "avx512_bitalg", [14] = "avx512_vpopcntdq",
		[16] = "la57", [22] = "rdpid", [25] = "cldemote",
		[27] = "movdiri", [28] = "movdir64b" } },
	{ 7, 0, REG_EDX, {
		[4] = "fsrm", [8] = "avx512_vp2intersect", [10] = "md_clear",
		[14] = "serialize" } },
};

static uint32_t reg_of(struct fw_cpuid r, enum cpuid_reg which)
{
	switch (which) {
	case REG_EAX:
		return r.eax;
	case REG_EBX:
		return r.ebx;
	case REG_ECX:
		return r.ecx;
	default:
		return r.edx;
	}
}

/* The four bytes of a register, little endian (the order CPUID spells
 * strings in), at out[at..at+3]; false if they do not fit. */
static bool put_reg(struct fw_buf out, size_t at, uint32_t v)
{
	return fw_buf_put_u32_le(out, at, v) == 0;
}

struct cpu_id {
	char vendor[13];
	char model_name[49];
	uint32_t max_leaf, max_ext;
	uint32_t family, model, stepping;
	uint32_t clflush;        /* bytes */
	uint32_t phys_bits, virt_bits;
};

static void read_identity(struct cpu_id *id)
{
	struct fw_cpuid r = fw_cpuid(0, 0);
	uint32_t base_family, base_model;

	id->max_leaf = r.eax;
	if (!put_reg(FW_BUF_OF_ARRAY(id->vendor), 0, r.ebx) ||
	    !put_reg(FW_BUF_OF_ARRAY(id->vendor), 4, r.edx) ||
	    !put_reg(FW_BUF_OF_ARRAY(id->vendor), 8, r.ecx))
		id->vendor[0] = 0;
	id->vendor[12] = 0;
	r = fw_cpuid(1, 0);
	id->stepping = r.eax & 0xf;
	base_model = (r.eax >> 4) & 0xf;
	base_family = (r.eax >> 8) & 0xf;
	id->family = base_family == 0xf ? base_family + ((r.eax >> 20) & 0xff)
					: base_family;
	id->model = base_family == 6 || base_family == 0xf
			    ? ((r.eax >> 16) & 0xf) << 4 | base_model
			    : base_model;
	id->clflush = ((r.ebx >> 8) & 0xff) * 8;
	id->max_ext = fw_cpuid(0x80000000, 0).eax;
	id->model_name[0] = 0;
	if (id->max_ext >= 0x80000004) {
		char raw[49];
		struct fw_buf v = FW_BUF_OF_ARRAY(raw);
		size_t start = 0;
		bool ok = true;

		for (uint32_t i = 0; i < 3; i++) {
			struct fw_cpuid b = fw_cpuid(0x80000002 + i, 0);

			ok = ok && put_reg(v, 16 * i, b.eax) &&
			     put_reg(v, 16 * i + 4, b.ebx) &&
			     put_reg(v, 16 * i + 8, b.ecx) &&
			     put_reg(v, 16 * i + 12, b.edx);
		}
		raw[ok ? 48 : 0] = 0;
		while (raw[start] == ' ')
			start++; /* Intel pads the brand string on the left */
		fw_strlcpy(id->model_name, &raw[start], sizeof(id->model_name));
	}
	id->phys_bits = 36; /* what Linux assumes without leaf 0x80000008 */
	id->virt_bits = 48;
	if (id->max_ext >= 0x80000008) {
		r = fw_cpuid(0x80000008, 0);
		id->phys_bits = r.eax & 0xff;
		id->virt_bits = (r.eax >> 8) & 0xff;
	}
}

/* "flags : fpu vme ..." for the bits this CPU reports. */
static void put_flags(struct procfs_seq *s, const struct cpu_id *id)
{
	procfs_printf(s, "flags\t\t:");
	for (size_t w = 0; w < FW_ARRAY_LEN(flag_words); w++) {
		const struct flag_word *fwd = &flag_words[w];
		bool ext = fwd->leaf >= 0x80000000;
		uint32_t v;

		if ((ext && fwd->leaf > id->max_ext) ||
		    (!ext && fwd->leaf > id->max_leaf))
			continue;
		v = reg_of(fw_cpuid(fwd->leaf, fwd->subleaf), fwd->reg);
		for (unsigned b = 0; b < 32; b++)
			if ((v >> b & 1) && fwd->names[b])
				procfs_printf(s, " %s", fwd->names[b]);
	}
	procfs_printf(s, "\n");
}

void procfs_gen_cpuinfo(struct procfs_seq *s)
{
	unsigned n = fw_cpu_count();
	uint64_t khz = fw_cpu_tsc_khz();
	struct cpu_id id;

	read_identity(&id);
	for (unsigned i = 0; i < n; i++) {
		procfs_printf(s,
			      "processor\t: %u\n"
			      "vendor_id\t: %s\n"
			      "cpu family\t: %u\n"
			      "model\t\t: %u\n"
			      "model name\t: %s\n"
			      "stepping\t: %u\n"
			      "cpu MHz\t\t: %llu.%03llu\n"
			      "physical id\t: 0\n"
			      "siblings\t: %u\n"
			      "core id\t\t: %u\n"
			      "cpu cores\t: %u\n"
			      "apicid\t\t: %u\n"
			      "initial apicid\t: %u\n"
			      "fpu\t\t: yes\n"
			      "fpu_exception\t: yes\n"
			      "cpuid level\t: %u\n"
			      "wp\t\t: yes\n",
			      i, id.vendor, id.family, id.model,
			      id.model_name[0] ? id.model_name : "unknown",
			      id.stepping, (unsigned long long)(khz / 1000),
			      (unsigned long long)(khz % 1000), n, i, n,
			      i, i, id.max_leaf);
		put_flags(s, &id);
		procfs_printf(s,
			      "bogomips\t: %llu.%02llu\n"
			      "clflush size\t: %u\n"
			      "cache_alignment\t: %u\n"
			      "address sizes\t: %u bits physical, %u bits virtual\n"
			      "power management:\n"
			      "\n",
			      (unsigned long long)(2 * khz / 1000),
			      (unsigned long long)(2 * khz / 10 % 100),
			      id.clflush, id.clflush, id.phys_bits, id.virt_bits);
	}
}
