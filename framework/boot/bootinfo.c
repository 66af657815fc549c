/* framework/boot/bootinfo.c: the fw_boot_* API over boot_info.
 *
 * Layer: framework. The command line is parsed once, after the log is up,
 * so a malformed option can be reported in exactly one warning. */
#include <fw/boot.h>
#include <fw/cmdline.h>
#include <fw/errno.h>
#include <fw/log.h>
#include <fw/string.h>
#include "internal/boot.h"
#include "internal/mem.h"

static struct fw_cmdline boot_cmdline;

void boot_opts_init(void)
{
	int warnings = fw_cmdline_parse(&boot_cmdline, boot_info.cmdline);
	if (warnings > 0)
		fw_warn("cmdline: ignored %d malformed option(s): %s", warnings,
			fw_cmdline_warning(&boot_cmdline));
}

const char *fw_boot_cmdline(void)
{
	return boot_info.cmdline;
}

bool fw_boot_opt_has(const char *key)
{
	return fw_cmdline_has(&boot_cmdline, key);
}

const char *fw_boot_opt(const char *key)
{
	return fw_cmdline_get(&boot_cmdline, key);
}

long fw_boot_opt_copy(const char *key, struct fw_buf out)
{
	const char *v = fw_cmdline_get(&boot_cmdline, key);
	size_t len, cap = fw_buf_len(out);

	if (!v)
		return -ENOENT;
	len = strlen(v);
	if (len + 1 > cap)
		return -ENAMETOOLONG;
	memcpy(fw__buf_ptr(out), v, len + 1);
	return (long)len;
}

int fw_boot_opt_u64(const char *key, uint64_t *out)
{
	return fw_cmdline_get_u64(&boot_cmdline, key, out);
}

size_t fw_boot_module_count(void)
{
	return boot_info.nmodules;
}

int fw_boot_module(size_t i, struct fw_boot_module *out)
{
	const struct boot_module_info *m;

	if (i >= boot_info.nmodules)
		return -ENOENT;
	m = &boot_info.modules[i];
	/* SAFETY: the module's frames are reserved from the frame allocator
	 * for the kernel's lifetime (frame.c), so the view stays valid. */
	out->data = fw__bytes_make(phys_to_virt(m->start), m->end - m->start);
	fw_strlcpy(out->name, m->name, sizeof out->name);
	return 0;
}

uint64_t fw_boot_mem_usable(void)
{
	uint64_t total = 0;
	for (unsigned i = 0; i < boot_info.nregions; i++)
		if (boot_info.mmap[i].type == MEM_USABLE)
			total += boot_info.mmap[i].len;
	return total;
}
