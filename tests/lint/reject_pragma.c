/* Fixture: #pragma switching a warning off. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
int svc_p(void);
int svc_p(void) { return 0; }
