/* Fixture: inline asm in a service. */
void svc_halt(void) { __asm__ volatile("hlt"); }
