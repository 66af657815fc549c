/* Fixture: volatile in a service. */
int svc_poll(volatile int *reg) { return *reg; }
