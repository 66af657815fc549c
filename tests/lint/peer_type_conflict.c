/* Peer of reject_type_conflict.c (checked in the same run): the first
 * definition of struct svc_msg. */
struct svc_msg {
	long len;
	int *data;
};
int svc_msg_len(const struct svc_msg *m);
int svc_msg_len(const struct svc_msg *m) { return (int)m->len; }
