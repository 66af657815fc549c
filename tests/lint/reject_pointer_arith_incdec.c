/* Fixture: p++ / --p / p += n. */
int svc_walk(const char *s) { int n = 0; while (*s) { s++; n++; } --s; s += 2; return n; }
