/* Fixture: naked function. */
__attribute__((naked)) void svc_entry(void) {}
