/* redteam: a file declares a 4-entry table of another file as 4096 entries, so bounds-checked indexes run 16 KiB past the real object. redteam-with: tests/redteam/static/peers/conflict_array_peer.c. expect: type-conflict */
extern int svc_slots[4096];

void svc_slot_set(unsigned i, int v);
void svc_slot_set(unsigned i, int v)
{
	svc_slots[i & 4095] = v;
}
