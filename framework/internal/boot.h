/* internal/boot.h: the boot information, copied out of the Multiboot2 data. */
#ifndef INTERNAL_BOOT_H
#define INTERNAL_BOOT_H

#include <stdint.h>

#define BOOT_MAX_REGIONS 64
#define BOOT_MAX_MODULES 8

enum { MEM_USABLE = 1, MEM_RESERVED = 2, MEM_ACPI = 3, MEM_NVS = 4, MEM_BAD = 5 };

struct mem_region {
	uint64_t base;
	uint64_t len;
	uint32_t type; /* MEM_* (the Multiboot2/E820 types) */
};

struct boot_module_info {
	uint64_t start, end; /* physical range */
	char name[64];
};

struct boot_info {
	struct mem_region mmap[BOOT_MAX_REGIONS];
	unsigned nregions;
	struct boot_module_info modules[BOOT_MAX_MODULES];
	unsigned nmodules;
	char cmdline[1024];
	uint8_t rsdp[64];  /* copy of the RSDP GRUB found */
	uint32_t rsdp_len;
	uint64_t mbi_phys, mbi_len;
};

extern struct boot_info boot_info;

/* Copy what we need out of the Multiboot2 information structure; panics
 * with a clear message if it is missing or malformed beyond use. */
void multiboot_parse(uint32_t magic, uint64_t mbi_phys);
/* Parse the command line into options (after the log works). */
void boot_opts_init(void);

#endif
