/* framework/boot/multiboot.c: reading the Multiboot2 boot information.
 *
 * Layer: framework. Multiboot2 spec, section 3.6: a sequence of 8-byte-
 * aligned tags {type, size} ending with type 0. Everything used later is
 * copied into boot_info, so the loader's memory can be reused. Each tag's
 * size is checked against the structure's total size before it is read. */
#include <fw/log.h>
#include <fw/panic.h>
#include <fw/string.h>
#include "internal/boot.h"
#include "internal/mem.h"

#define MB2_BOOT_MAGIC 0x36D76289u
enum {
	TAG_END = 0,
	TAG_CMDLINE = 1,
	TAG_MODULE = 3,
	TAG_MMAP = 6,
	TAG_ACPI_OLD = 14,
	TAG_ACPI_NEW = 15,
};

struct boot_info boot_info;

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void copy_str(char *dst, size_t cap, const uint8_t *src, size_t avail)
{
	size_t n = 0;
	while (n + 1 < cap && n < avail && src[n])
		dst[n] = (char)src[n], n++;
	dst[n] = 0;
}

static void parse_mmap(const uint8_t *tag, uint32_t size)
{
	uint32_t entsz = rd32(tag + 8);
	if (entsz < 24)
		fw_panic("multiboot: memory map entry size %u is too small",
			 entsz);
	for (uint32_t off = 16; off + entsz <= size; off += entsz) {
		const uint8_t *e = tag + off;
		struct mem_region *r;
		if (boot_info.nregions == BOOT_MAX_REGIONS) {
			fw_warn("multiboot: more than %d memory regions; the rest is ignored",
				BOOT_MAX_REGIONS);
			break;
		}
		r = &boot_info.mmap[boot_info.nregions++];
		r->base = rd64(e);
		r->len = rd64(e + 8);
		r->type = rd32(e + 16);
	}
}

void multiboot_parse(uint32_t magic, uint64_t mbi_phys)
{
	const uint8_t *mbi;
	uint32_t total;

	if (magic != MB2_BOOT_MAGIC)
		fw_panic("not booted by a Multiboot2 loader (magic %#x)", magic);
	if (mbi_phys + 8 > (1ull << 30))
		fw_panic("multiboot: information at %#llx is above 1 GiB",
			 (unsigned long long)mbi_phys);
	mbi = phys_to_virt(mbi_phys);
	total = rd32(mbi);
	if (total < 16 || mbi_phys + total > (1ull << 30))
		fw_panic("multiboot: information size %u is invalid", total);
	boot_info.mbi_phys = mbi_phys;
	boot_info.mbi_len = total;

	for (uint32_t off = 8; off + 8 <= total;) {
		const uint8_t *tag = mbi + off;
		uint32_t type = rd32(tag), size = rd32(tag + 4);
		if (type == TAG_END)
			break;
		if (size < 8 || off + size > total)
			fw_panic("multiboot: tag %u at offset %u has bad size %u",
				 type, off, size);
		switch (type) {
		case TAG_CMDLINE:
			copy_str(boot_info.cmdline, sizeof boot_info.cmdline,
				 tag + 8, size - 8);
			break;
		case TAG_MODULE:
			if (size >= 16 && boot_info.nmodules < BOOT_MAX_MODULES) {
				struct boot_module_info *m =
					&boot_info.modules[boot_info.nmodules++];
				m->start = rd32(tag + 8);
				m->end = rd32(tag + 12);
				copy_str(m->name, sizeof m->name, tag + 16,
					 size - 16);
				if (m->end < m->start)
					boot_info.nmodules--;
			}
			break;
		case TAG_MMAP:
			if (size >= 16)
				parse_mmap(tag, size);
			break;
		case TAG_ACPI_OLD:
		case TAG_ACPI_NEW:
			/* Prefer the ACPI 2.0+ RSDP (XSDT) when both exist. */
			if (boot_info.rsdp_len == 0 || type == TAG_ACPI_NEW) {
				uint32_t n = size - 8;
				if (n > sizeof boot_info.rsdp)
					n = sizeof boot_info.rsdp;
				memcpy(boot_info.rsdp, tag + 8, n);
				boot_info.rsdp_len = n;
			}
			break;
		}
		off += (size + 7) & ~7u;
	}
	if (boot_info.nregions == 0)
		fw_panic("multiboot: the boot loader gave no memory map");
}
