/* Symbol-gate fixture: reaches a framework internal that is not exported. */
void fw_mm_pte_write_raw(unsigned long va, unsigned long pte);
void svc_sym_reject(void) { fw_mm_pte_write_raw(0, 0); }
