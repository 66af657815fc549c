/* Peer of conflict_function_type.c: the real svc_lookup takes a pointer. */
struct entry {
	long key;
};

long svc_lookup(struct entry *e);
long svc_lookup(struct entry *e)
{
	e->key = 0;
	return 1;
}
