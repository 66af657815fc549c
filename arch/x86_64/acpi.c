/* arch/x86_64/acpi.c: reading the ACPI tables (ACPI 6.x spec, chapter 5).
 *
 * Layer: arch (framework TCB). Every table is checksum-verified and every
 * length is checked against the table before a field is read: firmware
 * tables are input, and a broken one must cost features, not the boot.
 * Read: MADT (CPUs, IOAPICs, ISA overrides), FADT (PM1 control, reset
 * register, RTC century, PM timer), DSDT (only the \_S5 package, for poweroff), HPET,
 * DMAR (the VT-d IOMMU's registers, Intel VT-d spec 8.3). */
#include <arch/x86.h>
#include <fw/log.h>
#include <fw/string.h>
#include "internal/acpi.h"
#include "internal/mem.h"
#include "internal/paging.h"

struct acpi_info acpi;

struct sdt_header {
	char sig[4];
	uint32_t len;
	uint8_t rev;
	uint8_t checksum;
	char oem[6];
	char oem_table[8];
	uint32_t oem_rev;
	uint32_t creator;
	uint32_t creator_rev;
} __attribute__((packed));

static void parse_dmar(const struct sdt_header *h);

static bool checksum_ok(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return sum == 0;
}

/* A table at phys, if its header and checksum are sane. Tables sit in RAM
 * the physical window maps (ACPI reclaimable/NVS ranges are mapped too). */
static const struct sdt_header *map_table(uint64_t phys)
{
	const struct sdt_header *h;

	if (phys == 0 || phys >= (1ull << 40) ||
	    paging_window_ensure(phys, sizeof *h))
		return 0;
	h = phys_to_virt(phys);
	if (h->len < sizeof *h || h->len > (16u << 20) ||
	    paging_window_ensure(phys, h->len))
		return 0;
	if (h->len < sizeof *h || h->len > (16u << 20) ||
	    !checksum_ok((const uint8_t *)h, h->len)) {
		fw_warn("acpi: table %.4s at %#llx is corrupt; ignored", h->sig,
			(unsigned long long)phys);
		return 0;
	}
	return h;
}

static uint64_t rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void parse_madt(const struct sdt_header *h)
{
	const uint8_t *t = (const uint8_t *)h;
	uint32_t off = sizeof *h + 8; /* local APIC address, flags */

	acpi.lapic_phys = rd(t + sizeof *h, 4);
	while (off + 2 <= h->len) {
		uint8_t type = t[off], len = t[off + 1];
		const uint8_t *e = t + off;
		if (len < 2 || off + len > h->len)
			break;
		switch (type) {
		case 0: /* processor local APIC */
			if (len >= 8 && (rd(e + 4, 4) & 3) &&
			    acpi.ncpus < FW_MAX_CPUS)
				acpi.cpu_apic_id[acpi.ncpus++] = e[3];
			break;
		case 1: /* I/O APIC */
			if (len >= 12 && acpi.nioapics < ACPI_MAX_IOAPICS) {
				acpi.ioapic[acpi.nioapics].id = e[2];
				acpi.ioapic[acpi.nioapics].phys = rd(e + 4, 4);
				acpi.ioapic[acpi.nioapics].gsi_base = rd(e + 8, 4);
				acpi.nioapics++;
			}
			break;
		case 2: /* interrupt source override */
			if (len >= 10 && e[3] < 16) {
				acpi.isa_gsi[e[3]] = rd(e + 4, 4);
				acpi.isa_flags[e[3]] = rd(e + 8, 2);
			}
			break;
		case 5: /* 64-bit local APIC address override */
			if (len >= 12)
				acpi.lapic_phys = rd(e + 4, 8);
			break;
		}
		off += len;
	}
}

/* Find \_S5 in the DSDT's AML: NameOp "_S5_" PackageOp PkgLength NumElements
 * then SLP_TYPa, SLP_TYPb as ByteConst (0x0A nn) or Zero/One (0x00/0x01). */
static void parse_s5(const struct sdt_header *dsdt)
{
	const uint8_t *t = (const uint8_t *)dsdt;

	for (uint32_t i = sizeof *dsdt + 1; i + 12 < dsdt->len; i++) {
		uint32_t p;
		uint8_t typ[2];

		if (memcmp(t + i, "_S5_", 4) != 0)
			continue;
		if (t[i - 1] != 0x08 && !(t[i - 1] == '\\' && t[i - 2] == 0x08))
			continue;
		p = i + 4;
		if (t[p++] != 0x12) /* PackageOp */
			continue;
		p += 1 + (t[p] >> 6); /* PkgLength: 1 + (bits 7:6) bytes */
		p++;                  /* NumElements */
		for (int k = 0; k < 2; k++) {
			if (p + 2 > dsdt->len)
				return;
			if (t[p] == 0x0A) {
				typ[k] = t[p + 1];
				p += 2;
			} else if (t[p] <= 1 || t[p] == 0xFF) {
				typ[k] = t[p] == 0xFF ? 0xFF : t[p];
				p += 1;
			} else {
				return;
			}
		}
		acpi.slp_typa = typ[0] & 7;
		acpi.slp_typb = typ[1] & 7;
		acpi.s5_valid = true;
		return;
	}
}

static void parse_fadt(const struct sdt_header *h)
{
	const uint8_t *t = (const uint8_t *)h;
	uint64_t dsdt = 0;
	const struct sdt_header *d;

	if (h->len >= 44)
		dsdt = rd(t + 40, 4);
	if (h->len >= 53) {
		acpi.smi_cmd = rd(t + 48, 4);
		acpi.acpi_enable = t[52];
	}
	if (h->len >= 72) {
		acpi.pm1a_cnt = rd(t + 64, 4);
		acpi.pm1b_cnt = rd(t + 68, 4);
	}
	if (h->len >= 80)
		acpi.pm_tmr_port = (uint16_t)rd(t + 76, 4);
	if (h->len >= 109)
		acpi.rtc_century = t[108];
	if (h->len >= 116)
		acpi.pm_tmr_32bit = rd(t + 112, 4) & (1u << 8);
	/* Reset register (FADT rev 2+): GAS at 116, value at 128; valid only
	 * if flag RESET_REG_SUP (bit 10 of flags at 112) is set. */
	if (h->len >= 129 && (rd(t + 112, 4) & (1u << 10))) {
		acpi.reset_space = t[116];
		acpi.reset_addr = rd(t + 120, 8);
		acpi.reset_value = t[128];
	}
	if (h->len >= 148 && rd(t + 140, 8))
		dsdt = rd(t + 140, 8);
	d = map_table(dsdt);
	if (d && memcmp(d->sig, "DSDT", 4) == 0)
		parse_s5(d);
}

static const uint8_t *scan_rsdp(uint64_t start, uint64_t len)
{
	for (uint64_t a = start; a + 20 <= start + len; a += 16) {
		const uint8_t *p = phys_to_virt(a);
		if (memcmp(p, "RSD PTR ", 8) == 0 && checksum_ok(p, 20))
			return p;
	}
	return 0;
}

void acpi_init(const uint8_t *rsdp, uint32_t rsdp_len)
{
	const struct sdt_header *root;
	bool xsdt;
	uint32_t entsz, n;

	for (int i = 0; i < 16; i++)
		acpi.isa_gsi[i] = (uint32_t)i;
	if (!rsdp || rsdp_len < 20) {
		uint16_t ebda = *(const uint16_t *)phys_to_virt(0x40E);
		rsdp = scan_rsdp((uint64_t)ebda << 4, 1024);
		if (!rsdp)
			rsdp = scan_rsdp(0xE0000, 0x20000);
		rsdp_len = 36;
	}
	if (!rsdp || memcmp(rsdp, "RSD PTR ", 8) != 0 || !checksum_ok(rsdp, 20)) {
		fw_warn("acpi: no valid RSDP; running on one CPU, no ACPI poweroff");
		return;
	}
	xsdt = rsdp[15] >= 2 && rsdp_len >= 36 && rd(rsdp + 24, 8) != 0;
	root = map_table(xsdt ? rd(rsdp + 24, 8) : rd(rsdp + 16, 4));
	if (!root) {
		fw_warn("acpi: no valid RSDT/XSDT; running on one CPU");
		return;
	}
	entsz = xsdt ? 8 : 4;
	n = (root->len - sizeof *root) / entsz;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *ents = (const uint8_t *)root + sizeof *root;
		const struct sdt_header *h = map_table(rd(ents + i * entsz, entsz));
		if (!h)
			continue;
		if (memcmp(h->sig, "APIC", 4) == 0)
			parse_madt(h);
		else if (memcmp(h->sig, "FACP", 4) == 0)
			parse_fadt(h);
		else if (memcmp(h->sig, "HPET", 4) == 0 && h->len >= 56)
			acpi.hpet_phys = rd((const uint8_t *)h + 44, 8);
		else if (memcmp(h->sig, "DMAR", 4) == 0)
			parse_dmar(h);
	}
	acpi.found = acpi.ncpus > 0 && acpi.lapic_phys != 0;
	if (!acpi.found)
		fw_warn("acpi: no usable MADT; running on one CPU");
}

/* DMAR: after the 36-byte header, the host address width (1 byte), flags
 * and 10 reserved bytes, then remapping structures (type, length). A DRHD
 * (type 0) names a remapping unit's registers and the devices behind it:
 * every PCI device when its INCLUDE_PCI_ALL flag is set, else the PCI
 * endpoints (scope type 1) its device scopes list, each a start bus and a
 * one-step (device, function) path (QEMU's intel-iommu lists them). Only
 * the first unit on segment 0 is used; deeper paths (devices behind a
 * bridge) are not followed, so such devices count as not covered. */
static void parse_dmar(const struct sdt_header *h)
{
	const uint8_t *t = (const uint8_t *)h;
	uint32_t off = 48;

	if (h->len < off)
		return;
	acpi.dmar_haw = (uint8_t)(t[36] + 1);
	while (off + 4 <= h->len && !acpi.dmar_unit) {
		uint16_t type = (uint16_t)rd(t + off, 2);
		uint16_t len = (uint16_t)rd(t + off + 2, 2);

		if (len < 4 || len > h->len - off)
			break;
		if (type == 0 && len >= 16 && rd(t + off + 6, 2) == 0) {
			acpi.dmar_unit = rd(t + off + 8, 8);
			acpi.dmar_all = t[off + 4] & 1;
			for (uint32_t so = off + 16; so + 6 <= off + len;) {
				uint8_t slen = t[so + 1];

				if (slen < 6 || slen > off + len - so)
					break;
				if (t[so] == 1 && slen == 8 &&
				    acpi.dmar_nscope < ACPI_MAX_DMAR_SCOPE)
					acpi.dmar_scope[acpi.dmar_nscope++] =
						(uint16_t)(t[so + 5] << 8 |
							   (t[so + 6] & 31) << 3 |
							   (t[so + 7] & 7));
				so += slen;
			}
		}
		off += len;
	}
}

void acpi_enable_mode(void)
{
	/* SCI_EN (bit 0 of PM1 control) set means ACPI mode is already on. */
	if (!acpi.pm1a_cnt || (x86_inw(acpi.pm1a_cnt) & 1) || !acpi.smi_cmd ||
	    !acpi.acpi_enable)
		return;
	x86_outb(acpi.smi_cmd, acpi.acpi_enable);
	for (int i = 0; i < 1000000 && !(x86_inw(acpi.pm1a_cnt) & 1); i++)
		x86_pause();
}
