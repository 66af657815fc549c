/* Fixture: a union punning a framework struct (whatever it holds) with
 * plain bytes. */
#include <fw/cmdline.h>
union pun {
	struct fw_cmdline c;
	unsigned char raw[sizeof(struct fw_cmdline)];
};
