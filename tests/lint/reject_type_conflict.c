/* Fixture: a second, different definition of struct svc_msg (see
 * peer_type_conflict.c): the two files disagree on what the bytes mean.
 * lint-with: tests/lint/peer_type_conflict.c */
struct svc_msg {
	int *data;
	long len;
};
int svc_msg_len2(const struct svc_msg *m);
int svc_msg_len2(const struct svc_msg *m) { return (int)m->len; }
