/* Fixture: another file declares svc_table with 4096 elements, so indexes
 * are "in bounds" far past the real object.
 * lint-with: tests/lint/peer_type_conflict_symbol.c */
extern int svc_table[4096];
int svc_put(int i);
int svc_put(int i) { return svc_table[i & 4095] = 1; }
