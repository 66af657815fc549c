/* redteam: the [[gnu::...]] spelling of attributes tries to pass a section attribute by the __attribute__ scan. expect: attribute */
[[gnu::section(".text.fw_entry")]] int svc_entry(void);
