/* Peer of reject_type_conflict_symbol.c: svc_table is 4 ints here. */
int svc_table[4];
int svc_get(int i);
int svc_get(int i) { return svc_table[i & 3]; }
