/* Fixture: flexible array member (no bound to check). */
struct msg { int len; unsigned char data[]; };
int svc_flex(struct msg *m) { return m->len; }
