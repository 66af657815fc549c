/* Fixture: optimize() switches hardening flags per function. */
__attribute__((optimize("no-stack-clash-protection"))) int svc_o(void);
