/* Shared by conflict_header_macro.c and conflict_macro_peer.c: sized by a
 * macro that each includer defines. */
struct msg_box {
	unsigned n;
	char text[MSG_LEN];
};
