/* redteam: two service files define struct pipe_msg with the pointer and the length swapped, so one writes a length where the other reads a pointer. redteam-with: tests/redteam/static/peers/conflict_struct_peer.c. expect: type-conflict */
struct pipe_msg {
	long len;
	char *data;
};

void pipe_msg_set(struct pipe_msg *m, long n);
void pipe_msg_set(struct pipe_msg *m, long n)
{
	m->len = n;
}
