/* Fixture: variable-length array. */
int svc_vla(int n) { int buf[n]; buf[0] = 1; return buf[0]; }
