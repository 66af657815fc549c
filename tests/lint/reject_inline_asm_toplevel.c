/* Fixture: file-scope asm in a service. */
asm(".globl svc_sym\nsvc_sym: ret");
