/* Symbol-gate fixture: references only exported symbols (and a function
 * defined in another services object of the same check). */
int fw_log_write(const char *msg);
int svc_other(int x);
int svc_sym_accept(void) { return fw_log_write("hi") + svc_other(1); }
