/* Peer of conflict_extern_array.c: the real table has 4 entries. */
int svc_slots[4];
