/* redteam: one shared header sized by a macro each file defines itself gives struct msg_box a 4096-byte array in one file and 16 bytes in the other. redteam-with: tests/redteam/static/peers/conflict_macro_peer.c. expect: type-conflict */
#define MSG_LEN 4096
#include "peers/msg_box.h"

void msg_box_fill(struct msg_box *b, unsigned i);
void msg_box_fill(struct msg_box *b, unsigned i)
{
	b->text[i % MSG_LEN] = 'x';
}
