/* Peer of conflict_header_macro.c: the same header with MSG_LEN 16. */
#define MSG_LEN 16
#include "msg_box.h"

unsigned msg_box_n(const struct msg_box *b);
unsigned msg_box_n(const struct msg_box *b)
{
	return b->n;
}
