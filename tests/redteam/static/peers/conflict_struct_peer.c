/* Peer of conflict_struct_layout.c (checked in the same gate run): the
 * other file's idea of struct pipe_msg. */
struct pipe_msg {
	char *data;
	long len;
};

char pipe_msg_first(const struct pipe_msg *m);
char pipe_msg_first(const struct pipe_msg *m)
{
	return *m->data;
}
