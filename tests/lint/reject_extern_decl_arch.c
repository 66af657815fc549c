/* Fixture: a service declaring an arch helper. */
extern unsigned char x86_inb(unsigned short port);
int svc_in(void) { return x86_inb(0x60); }
