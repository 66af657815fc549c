/* Fixture: the [[...]] attribute syntax. */
[[gnu::section(".text.fw")]] int svc_a(void);
