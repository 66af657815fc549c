/* Fixture: a typedef with the framework's fw_ prefix. */
typedef unsigned long fw_paddr_t;
fw_paddr_t svc_addr(void);
fw_paddr_t svc_addr(void) { return 0; }
