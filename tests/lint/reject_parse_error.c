/* Fixture: a file that does not compile must fail the gate (exit 2). */
int svc_broken(void) { return undeclared_thing; }
