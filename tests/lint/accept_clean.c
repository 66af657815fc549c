/* Fixture: ordinary safe-C service code the gate must accept. */
#include <fw/fake.h>
#include <stdatomic.h>
#include "accept_clean_local.h"

enum color { RED, GREEN };

struct item {
	int key;
	char name[16];
	struct item *next;
	struct fake_obj obj;
};

struct ops {
	int (*get)(const struct item *it);
	void (*put)(struct item *it, int v);
};

static int item_get(const struct item *it) { return it->key; }
static void item_put(struct item *it, int v) { it->key = v; }

static const struct ops item_ops = { .get = item_get, .put = item_put };

static struct item table[8];
static int keys[8];
static atomic_int counter;

static struct item *find(struct item *head, int key)
{
	struct item *n;
	for (n = head; n != NULL; n = n->next)
		if (n->key == key)
			return n;
	return NULL;
}

static struct item *of_obj(struct fake_obj *o)
{
	return FW_CONTAINER_OF(o, struct item, obj);
}

int svc_clean(int k, enum color c)
{
	struct item a = { .key = 1, .name = "x" }, b;
	struct item *p = &a;
	struct item *q = FW_NEW(struct item);
	int arr[4] = { 0 };
	long l = (long)k;        /* arithmetic cast */
	unsigned char u = (unsigned char)l;
	bool ok = p != NULL && q;
	(void)ok;

	b = a; /* a struct with a pointer: assign, never memcpy */
	memset(&b, 0, sizeof b);
	b = a;
	memcpy(arr, keys, sizeof arr < sizeof keys ? sizeof arr : sizeof keys);
	memset(&b.name, 0, sizeof b.name);
	memset(b.name, 0, sizeof b.name);
	memcpy(&p->key, &q->key, sizeof p->key);
	if (memcmp(a.name, "x", 2) == 0 && strlen("abc") == 3)
		arr[1] = 2;
	table[k & 7].key = arr[k & 3] + (int)sizeof(struct item) + (int)u;
	switch (c) {
	case RED:
		p->next = &table[0];
		break;
	default:
		break;
	}
	atomic_fetch_add(&counter, 1);
	item_ops.put(p, item_ops.get(&table[2]));
	if (find(&table[0], k) == of_obj(&a.obj))
		return fw_fake_byte_at(NULL, 0);
	fw_fake_use(&a, sizeof a);
	return local_helper(p) + __builtin_popcount((unsigned)k) + (int)SVC_LIKELY(k);
}
