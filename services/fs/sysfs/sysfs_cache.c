/* services/fs/sysfs/sysfs_cache.c: CPU caches in sysfs.
 *
 * Layer: services (safe C), part of the sys file system (see
 * sysfs_internal.h); asks the CPU through fw_cpuid.
 *
 *     /sys/devices/system/cpu/cpuN/cache/indexM/{type,level,size,
 *         coherency_line_size,ways_of_associativity,number_of_sets,
 *         physical_line_partition,shared_cpu_map,shared_cpu_list,id}
 *
 * as Linux's drivers/base/cacheinfo.c shows what
 * arch/x86/kernel/cpu/cacheinfo.c found (lscpu's cache table, stress-ng's
 * l1cache and llc-affinity stressors, which need type, size with its
 * unit suffix, level and coherency_line_size). Where the caches come
 * from follows Linux, which picks by vendor:
 *
 *   - AMD and Hygon: CPUID 0x8000001D (the same layout as Intel's leaf 4,
 *     AMD APM vol. 3, E.4.15) when 0x80000001 ECX bit 22 (TOPOEXT) says
 *     it is there; else the legacy leaves 0x80000005 (L1d in ECX, L1i in
 *     EDX) and 0x80000006 (L2 in ECX, L3 in EDX, E.4.5 and E.4.6), as
 *     Linux's amd_cpuid4() turns them into leaf-4 form;
 *   - the others (Intel, and an AMD-vendor CPU whose AMD leaves say
 *     nothing): leaf 4, deterministic cache parameters (SDM vol. 2A,
 *     CPUID, leaf 04H), when the maximum basic leaf is at least 4.
 *
 * QEMU's qemu64 model calls itself AMD without TOPOEXT and answers both
 * leaf 4 and the legacy leaves, with different caches; Linux shows the
 * legacy ones, so this does too. A field the CPU does not give (an
 * associativity the legacy encoding reserves, no lines-per-tag) leaves
 * its file out rather than invent a value; no leaf is read above the
 * maximum the CPU reports.
 *
 * The caches are read once, on the CPU that builds the tree; every CPU
 * shows the same caches (one CPU model per machine). Which CPUs share a
 * cache comes from the leaf's "logical processors sharing" count as
 * Linux uses it (CPUs whose APIC IDs agree above the count's bit
 * width), taking APIC ID = CPU number, as /proc/cpuinfo here does; the
 * legacy AMD leaves have no count: L1 and L2 are per CPU, L3 is shared
 * by all (one package). */
#include <fw/cpu.h>
#include <fw/errno.h>
#include <fw/string.h>

#include "fs/sysfs/sysfs_internal.h"

enum {
	SA_CACHE_TYPE = SA_CACHE_FIRST,
	SA_CACHE_LEVEL,
	SA_CACHE_SIZE,
	SA_CACHE_LINE,
	SA_CACHE_WAYS,
	SA_CACHE_SETS,
	SA_CACHE_PARTITION,
	SA_CACHE_SHARED_MAP,
	SA_CACHE_SHARED_LIST,
	SA_CACHE_ID,
};

FW_STATIC_ASSERT(SA_CACHE_ID <= SA_CACHE_LAST, "cache attrs overflow range");

#define CACHE_MAX_LEAVES 8	/* index0..index7; CPUs have 4 or 5 */

enum cache_type { CT_DATA = 1, CT_INST = 2, CT_UNIFIED = 3 };

struct cache_leaf {
	unsigned type;			/* enum cache_type */
	unsigned level;			/* 1, 2, 3... */
	unsigned line;			/* coherency line size, bytes */
	unsigned ways;			/* 0: not known */
	unsigned partitions;		/* physical line partitions, 0: not known */
	unsigned sets;			/* 0: not known */
	uint64_t size;			/* bytes */
	unsigned sharing;		/* logical CPUs sharing it, a power of 2 */
	unsigned id_sharing;		/* the count the id is made from */
};

/* Written once while the tree is built (under vfs_ns_lock), read-only
 * after. */
static struct cache_leaf cache_leaves[CACHE_MAX_LEAVES];
static unsigned cache_nleaves;
static bool cache_probed;

/* The smallest power of 2 >= n (Linux's 1 << get_count_order(n)). */
static unsigned pow2_up(unsigned n)
{
	unsigned p = 1;

	while (p < n && p < (1u << 30))
		p <<= 1;
	return p;
}

static void add_leaf(const struct cache_leaf *l)
{
	if (cache_nleaves < CACHE_MAX_LEAVES && l->size && l->line)
		cache_leaves[cache_nleaves++] = *l;
}

/* Leaf 4 or 0x8000001D: one subleaf per cache until type 0. */
static void probe_det(uint32_t leaf)
{
	for (uint32_t i = 0; i < CACHE_MAX_LEAVES; i++) {
		struct fw_cpuid r = fw_cpuid(leaf, i);
		struct cache_leaf l = { 0 };
		unsigned type = r.eax & 0x1f;

		if (type == 0)
			break;
		if (type > CT_UNIFIED)
			continue; /* reserved types */
		l.type = type;
		l.level = (r.eax >> 5) & 7;
		l.line = (r.ebx & 0xfff) + 1;
		l.partitions = ((r.ebx >> 12) & 0x3ff) + 1;
		l.ways = (r.ebx >> 22) + 1;
		l.sets = r.ecx + 1;
		l.size = (uint64_t)l.line * l.partitions * l.ways * l.sets;
		l.sharing = pow2_up(((r.eax >> 14) & 0xfff) + 1);
		l.id_sharing = l.sharing;
		add_leaf(&l);
	}
}

/* The L2/L3 associativity encoding of 0x80000006 (AMD APM E.4.6; Linux's
 * assocs[]): ways, 0 for reserved or disabled, ~0u for fully
 * associative. */
static unsigned amd_assoc(unsigned code)
{
	static const unsigned ways[16] = {
		[1] = 1, [2] = 2, [3] = 3, [4] = 4, [5] = 6, [6] = 8,
		[8] = 16, [0xa] = 32, [0xb] = 48, [0xc] = 64, [0xd] = 96,
		[0xe] = 128, [0xf] = ~0u,
	};

	return ways[code & 0xf];
}

/* One legacy AMD cache: ways as decoded (~0u: fully associative). */
static void legacy_leaf(unsigned type, unsigned level, uint64_t size,
			unsigned ways, unsigned per_tag, unsigned line,
			unsigned sharing)
{
	struct cache_leaf l = {
		.type = type, .level = level, .line = line, .size = size,
		.partitions = per_tag, .sharing = sharing,
		/* Linux's amd_cpuid4() gives no sharing count, so its id is
		 * the APIC ID even for the L3 that all CPUs share. */
		.id_sharing = 1,
	};

	if (!line || !size)
		return;
	if (ways == ~0u) /* fully associative: one set of every line */
		ways = (unsigned)(size / line);
	if (ways) {
		l.ways = ways;
		l.sets = (unsigned)(size / line / ways);
	}
	add_leaf(&l);
}

/* 0x80000005/6 (AMD APM E.4.5, E.4.6). */
static void probe_amd_legacy(uint32_t max_ext)
{
	unsigned all = pow2_up(fw_cpu_count());

	if (max_ext >= 0x80000005) {
		struct fw_cpuid r = fw_cpuid(0x80000005, 0);
		/* L1: size KB [31:24], ways [23:16] (0xff: fully), lines per
		 * tag [15:8], line size [7:0]. */
		uint32_t regs[2] = { r.ecx, r.edx };
		unsigned types[2] = { CT_DATA, CT_INST };

		for (unsigned k = 0; k < 2; k++) {
			unsigned ways = (regs[k] >> 16) & 0xff;

			legacy_leaf(types[k], 1, (uint64_t)(regs[k] >> 24) << 10,
				    ways == 0xff ? ~0u : ways,
				    (regs[k] >> 8) & 0xff, regs[k] & 0xff, 1);
		}
	}
	if (max_ext >= 0x80000006) {
		struct fw_cpuid r = fw_cpuid(0x80000006, 0);

		/* L2: size KB [31:16]; L3: size in 512 KB units [31:18];
		 * both: ways code [15:12] (0: none), lines per tag [11:8],
		 * line size [7:0]. */
		if (amd_assoc(r.ecx >> 12))
			legacy_leaf(CT_UNIFIED, 2, (uint64_t)(r.ecx >> 16) << 10,
				    amd_assoc(r.ecx >> 12), (r.ecx >> 8) & 0xf,
				    r.ecx & 0xff, 1);
		if (amd_assoc(r.edx >> 12))
			legacy_leaf(CT_UNIFIED, 3,
				    (uint64_t)(r.edx >> 18) * (512u << 10),
				    amd_assoc(r.edx >> 12), (r.edx >> 8) & 0xf,
				    r.edx & 0xff, all);
	}
}

static bool vendor_amd(void)
{
	struct fw_cpuid r = fw_cpuid(0, 0);

	/* "AuthenticAMD" and "HygonGenuine" in EBX, EDX, ECX. */
	return (r.ebx == 0x68747541 && r.edx == 0x69746e65 &&
		r.ecx == 0x444d4163) ||
	       (r.ebx == 0x6f677948 && r.edx == 0x6e65476e &&
		r.ecx == 0x656e6975);
}

static void probe(void)
{
	uint32_t max_basic = fw_cpuid(0, 0).eax;
	uint32_t max_ext = fw_cpuid(0x80000000, 0).eax;

	if (cache_probed)
		return;
	cache_probed = true;
	if (max_ext < 0x80000000 || max_ext > 0x8000ffff)
		max_ext = 0; /* no extended leaves */
	if (vendor_amd()) {
		bool topoext = max_ext >= 0x8000001D &&
			       (fw_cpuid(0x80000001, 0).ecx >> 22) & 1;

		if (topoext)
			probe_det(0x8000001D);
		else
			probe_amd_legacy(max_ext);
	}
	if (cache_nleaves == 0 && max_basic >= 4)
		probe_det(4);
}

/* ---- cpu masks ------------------------------------------------------------ */

void sysfs_put_cpumask(struct procfs_seq *s, unsigned first, unsigned last)
{
	unsigned n = fw_cpu_count(), chunks = (n + 31) / 32;
	uint64_t mask = 0;

	for (unsigned c = first; c <= last && c < 64; c++)
		mask |= 1ull << c;
	for (unsigned k = chunks; k-- > 0;) {
		unsigned bits = k == chunks - 1 && n % 32 ? n % 32 : 32;
		unsigned v = k < 2 ? (unsigned)(mask >> (32 * k)) : 0;

		procfs_printf(s, "%s%0*x", k == chunks - 1 ? "" : ",",
			      (int)((bits + 3) / 4), v);
	}
	procfs_printf(s, "\n");
}

void sysfs_put_cpulist(struct procfs_seq *s, unsigned first, unsigned last)
{
	if (last > first)
		procfs_printf(s, "%u-%u\n", first, last);
	else
		procfs_printf(s, "%u\n", first);
}

/* ---- the files ------------------------------------------------------------ */

int sysfs_cache_generate(unsigned attr, unsigned index, struct procfs_seq *s)
{
	unsigned cpu = index >> 4, k = index & 0xf, first, last;
	const struct cache_leaf *l;
	static const char *const names[] = { "", "Data", "Instruction",
					     "Unified" };

	if (k >= cache_nleaves || cpu >= fw_cpu_count())
		return -ENODEV;
	l = &cache_leaves[k];
	first = cpu / l->sharing * l->sharing;
	last = first + l->sharing - 1;
	if (last >= fw_cpu_count())
		last = fw_cpu_count() - 1;
	switch (attr) {
	case SA_CACHE_TYPE:
		procfs_printf(s, "%s\n", names[l->type & 3]);
		return 0;
	case SA_CACHE_LEVEL:
		procfs_printf(s, "%u\n", l->level);
		return 0;
	case SA_CACHE_SIZE: /* Linux: always in KiB, with the suffix */
		procfs_printf(s, "%lluK\n", (unsigned long long)(l->size >> 10));
		return 0;
	case SA_CACHE_LINE:
		procfs_printf(s, "%u\n", l->line);
		return 0;
	case SA_CACHE_WAYS:
		procfs_printf(s, "%u\n", l->ways);
		return 0;
	case SA_CACHE_SETS:
		procfs_printf(s, "%u\n", l->sets);
		return 0;
	case SA_CACHE_PARTITION:
		procfs_printf(s, "%u\n", l->partitions);
		return 0;
	case SA_CACHE_SHARED_MAP:
		sysfs_put_cpumask(s, first, last);
		return 0;
	case SA_CACHE_SHARED_LIST:
		sysfs_put_cpulist(s, first, last);
		return 0;
	case SA_CACHE_ID: /* Linux: APIC ID >> bits of the sharing count */
		procfs_printf(s, "%u\n", cpu / l->id_sharing);
		return 0;
	}
	return -EINVAL;
}

bool sysfs_cache_build(struct inode *cpu_dir, unsigned cpu)
{
	static const struct { const char *name; unsigned attr; } files[] = {
		{ "type", SA_CACHE_TYPE },
		{ "level", SA_CACHE_LEVEL },
		{ "size", SA_CACHE_SIZE },
		{ "coherency_line_size", SA_CACHE_LINE },
		{ "ways_of_associativity", SA_CACHE_WAYS },
		{ "number_of_sets", SA_CACHE_SETS },
		{ "physical_line_partition", SA_CACHE_PARTITION },
		{ "shared_cpu_map", SA_CACHE_SHARED_MAP },
		{ "shared_cpu_list", SA_CACHE_SHARED_LIST },
		{ "id", SA_CACHE_ID },
	};
	struct inode *cache;

	probe();
	if (cache_nleaves == 0)
		return true; /* Linux has no cache directory then either */
	cache = sysfs_subdir(cpu_dir, "cache");
	if (!cache)
		return false;
	for (unsigned k = 0; k < cache_nleaves; k++) {
		const struct cache_leaf *l = &cache_leaves[k];
		char name[16];
		struct inode *dir;

		snprintf(name, sizeof name, "index%u", k);
		dir = sysfs_subdir(cache, name);
		if (!dir)
			return false;
		for (unsigned f = 0; f < FW_ARRAY_LEN(files); f++) {
			unsigned a = files[f].attr;

			if ((a == SA_CACHE_WAYS && !l->ways) ||
			    (a == SA_CACHE_SETS && !l->sets) ||
			    (a == SA_CACHE_PARTITION && !l->partitions))
				continue;
			if (!sysfs_add_file(dir, files[f].name, a,
					    cpu << 4 | k))
				return false;
		}
	}
	return true;
}
