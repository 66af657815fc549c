/* services/keys/keys.c: the kernel key retention service (man 7 keyrings;
 * Linux security/keys): add_key(2), request_key(2), keyctl(2), /proc/keys,
 * /proc/key-users and /proc/sys/kernel/keys.
 *
 * Layer: services (safe C), see keys.h. Key types: "user" and "logon"
 * (payloads of 1..32767 bytes; logon ones are not readable and need a
 * "service:" prefix in their description) and "keyring" (a list of links
 * to keys). Every key has a positive serial (increasing), an owner, a
 * group, Linux's 32-bit permission mask (possessor, user, group, other),
 * an expiry, and revoked/invalidated states.
 *
 * The special keyrings: a thread keyring per thread (struct thread), a
 * process keyring shared by the threads of a process (struct proc; fork
 * does not pass it on, execve drops it with the thread keyring), a
 * session keyring (struct proc; inherited across fork and execve), and
 * per real uid a user keyring "_uid.N" and a user-session keyring
 * "_uid_ses.N" (linked to the user keyring), made on first use and kept
 * for good, as Linux keeps them in its user registry.
 *
 * Possession (Linux is_key_possessed): a key reached from the caller's
 * thread, process and session keyrings through keyrings it may search.
 * It is computed by a walk that marks every possessed key with the
 * current generation (keys_gen): key_possess_mark().
 *
 * Not here: the request-key upcall (no /sbin/request-key is run: a key
 * not found is ENOKEY, with or without callout information), so no key
 * is ever under construction and KEYCTL_INSTANTIATE/NEGATE/REJECT and
 * ASSUME_AUTHORITY find no authority; persistent keyrings
 * (KEYCTL_GET_PERSISTENT is EOPNOTSUPP); key types other than these
 * three; keyring restrictions, KEYCTL_MOVE, Diffie-Hellman and public
 * key operations (EOPNOTSUPP); key watches.
 *
 * Lifetime: a key's refs counts the keyring links to it and the thread,
 * process, session and user-registry pointers to it. The last put moves
 * it to keys_dying; keys_reap() then drops a dead keyring's links (which
 * may kill more keys) and frees, without recursion. Links to invalidated
 * keys go at once, links to revoked or expired keys gc_delay seconds
 * after that happened (a collection pass at most once a second, when a
 * key call runs: Linux's key_garbage_collector).
 *
 * One mutex (keys_lock) guards everything here, including the keyring
 * pointers in struct thread and struct proc. Nothing copies to or from
 * user memory while holding it. Recursive walks of keyrings are bounded
 * by KEYS_MAX_DEPTH (Linux's KEYRING_SEARCH_MAX_DEPTH). */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/list.h>
#include <fw/string.h>
#include <fw/sync.h>
#include <fw/time.h>
#include <fw/uaccess.h>

#include "current/current.h"
#include "fs/procfs/procfs.h"
#include "fs/vfs/vfs.h" /* cred_in_group */
#include "keys/keys.h"
#include "proc/proc.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

/* keyctl(2) operations (linux/keyctl.h) */
#define KEYCTL_GET_KEYRING_ID 0
#define KEYCTL_JOIN_SESSION_KEYRING 1
#define KEYCTL_UPDATE 2
#define KEYCTL_REVOKE 3
#define KEYCTL_CHOWN 4
#define KEYCTL_SETPERM 5
#define KEYCTL_DESCRIBE 6
#define KEYCTL_CLEAR 7
#define KEYCTL_LINK 8
#define KEYCTL_UNLINK 9
#define KEYCTL_SEARCH 10
#define KEYCTL_READ 11
#define KEYCTL_INSTANTIATE 12
#define KEYCTL_NEGATE 13
#define KEYCTL_SET_REQKEY_KEYRING 14
#define KEYCTL_SET_TIMEOUT 15
#define KEYCTL_ASSUME_AUTHORITY 16
#define KEYCTL_GET_SECURITY 17
#define KEYCTL_SESSION_TO_PARENT 18
#define KEYCTL_REJECT 19
#define KEYCTL_INSTANTIATE_IOV 20
#define KEYCTL_INVALIDATE 21
#define KEYCTL_GET_PERSISTENT 22

/* Special keyring ids */
#define KEY_SPEC_THREAD_KEYRING (-1)
#define KEY_SPEC_PROCESS_KEYRING (-2)
#define KEY_SPEC_SESSION_KEYRING (-3)
#define KEY_SPEC_USER_KEYRING (-4)
#define KEY_SPEC_USER_SESSION_KEYRING (-5)
#define KEY_SPEC_GROUP_KEYRING (-6)
#define KEY_SPEC_REQKEY_AUTH_KEY (-7)
#define KEY_SPEC_REQUESTOR_KEYRING (-8)

/* KEYCTL_SET_REQKEY_KEYRING values */
#define KEY_REQKEY_DEFL_NO_CHANGE (-1)
#define KEY_REQKEY_DEFL_DEFAULT 0
#define KEY_REQKEY_DEFL_GROUP_KEYRING 6
#define KEY_REQKEY_DEFL_REQUESTOR_KEYRING 7

/* Permission bits: one byte each for possessor, user, group, other. */
#define KP_VIEW 0x01u
#define KP_READ 0x02u
#define KP_WRITE 0x04u
#define KP_SEARCH 0x08u
#define KP_LINK 0x10u
#define KP_SETATTR 0x20u
#define KP_ALL 0x3fu
#define KEY_POS(p) ((uint32_t)(p) << 24)
#define KEY_USR(p) ((uint32_t)(p) << 16)
#define KEY_PERM_VALID 0x3f3f3f3fu

#define KEY_NO_GID 0xffffffffu		/* INVALID_GID */
#define KEY_OVERFLOW_ID 65534		/* how an invalid id is shown */
#define KEY_MAX_DESC 4096		/* KEY_MAX_DESC_SIZE, with the NUL */
#define KEY_USER_MAX_PAYLOAD 32767	/* user_preparse's limit */
#define KEY_ADD_MAX_PAYLOAD (1024 * 1024 - 1)
#define KEY_UPDATE_MAX_PAYLOAD 4096	/* keyctl_update_key: PAGE_SIZE */
#define KEYS_MAX_DEPTH 6		/* KEYRING_SEARCH_MAX_DEPTH */
#define KEYS_HASH 64

enum key_kind { KT_NONE, KT_USER, KT_LOGON, KT_KEYRING };
static const char *const key_kind_names[] = { "", "user", "logon", "keyring" };

struct key {
	/* all under keys_lock */
	struct fw_list node;		/* on keys_all (serial order) or keys_dying */
	struct fw_list hnode;		/* on keys_hash[serial % KEYS_HASH] */
	int32_t serial;
	unsigned refs;			/* links and pointers to it */
	enum key_kind kind;
	uint32_t uid, gid;		/* owner; gid may be KEY_NO_GID */
	uint32_t perm;			/* KEY_POS/USR/GRP/OTH bits */
	uint64_t expiry_ns;		/* monotonic; 0: never */
	uint64_t dead_ns;		/* when it was revoked */
	bool revoked;
	bool invalidated;
	struct fw_buf desc;		/* desc_len bytes, no NUL */
	size_t desc_len;
	struct fw_buf payload;		/* user/logon: datalen bytes */
	size_t datalen;
	size_t quotalen;		/* bytes charged to uid */
	struct fw_list links;		/* keyring: struct key_link */
	unsigned nlinks;
	unsigned walk;			/* keys_walk_gen: seen by this walk */
	unsigned seen;			/* keys_gen: seen by the possession walk */
	unsigned poss;			/* keys_gen: possessed */
};

/* One link of a keyring to a key (holds a reference on it). */
struct key_link {
	struct fw_list node;		/* on the keyring's links */
	struct key *key;
};

/* A user's quota use (Linux struct key_user). */
struct key_user {
	struct fw_list node;		/* on keys_users */
	uint32_t uid;
	unsigned nkeys;			/* keys owned */
	uint64_t nbytes;		/* bytes charged */
};

/* A uid's user and user-session keyrings (one reference each). */
struct key_uid_rings {
	struct fw_list node;		/* on keys_uid_rings */
	uint32_t uid;
	struct key *user;
	struct key *session;
};

/* /proc/sys/kernel/keys, Linux's defaults */
static struct {
	uint64_t maxkeys, maxbytes, root_maxkeys, root_maxbytes, gc_delay,
		persistent_expiry;
} keys_sysctl = { 200, 20000, 1000000, 25000000, 300, 259200 };

static struct fw_mutex keys_lock;
static struct fw_list keys_all = FW_LIST_HEAD_INIT(keys_all);
static struct fw_list keys_dying = FW_LIST_HEAD_INIT(keys_dying);
static struct fw_list keys_users = FW_LIST_HEAD_INIT(keys_users);
static struct fw_list keys_uid_rings = FW_LIST_HEAD_INIT(keys_uid_rings);
static struct fw_list keys_hash[KEYS_HASH];
static int32_t keys_next_serial;
static unsigned keys_gen, keys_walk_gen;
static uint64_t keys_last_gc;
static bool keys_gc_pending;

/* --- quota --------------------------------------------------------------- */

static struct key_user *key_user_find(uint32_t uid)
{
	struct key_user *u;

	FW_LIST_FOR_EACH(u, &keys_users, node)
		if (u->uid == uid)
			return u;
	return NULL;
}

/* Charge nkeys keys and nbytes bytes to uid: 0, -EDQUOT past the limits
 * (unless overrun: the special keyrings, KEY_ALLOC_QUOTA_OVERRUN), or
 * -ENOMEM. */
static int quota_charge(uint32_t uid, unsigned nkeys, uint64_t nbytes,
			bool overrun)
{
	struct key_user *u = key_user_find(uid);
	uint64_t maxkeys = uid ? keys_sysctl.maxkeys : keys_sysctl.root_maxkeys;
	uint64_t maxbytes = uid ? keys_sysctl.maxbytes : keys_sysctl.root_maxbytes;
	unsigned have_keys = u ? u->nkeys : 0;
	uint64_t have_bytes = u ? u->nbytes : 0;

	if (!overrun && ((nkeys && have_keys + nkeys > maxkeys) ||
			 (nbytes && have_bytes + nbytes > maxbytes)))
		return -EDQUOT;
	if (!u) {
		u = FW_NEW(struct key_user);
		if (!u)
			return -ENOMEM;
		u->uid = uid;
		fw_list_add_tail(&keys_users, &u->node);
	}
	u->nkeys += nkeys;
	u->nbytes += nbytes;
	return 0;
}

static void quota_uncharge(uint32_t uid, unsigned nkeys, uint64_t nbytes)
{
	struct key_user *u = key_user_find(uid);

	if (!u)
		return;
	u->nkeys -= nkeys < u->nkeys ? nkeys : u->nkeys;
	u->nbytes -= nbytes < u->nbytes ? nbytes : u->nbytes;
	if (!u->nkeys && !u->nbytes) {
		fw_list_del(&u->node);
		fw_free(u);
	}
}

/* --- keys: allocation, lookup by serial, lifetime ------------------------ */

static struct key *key_by_serial(int32_t serial)
{
	struct key *k;

	FW_LIST_FOR_EACH(k, &keys_hash[(uint32_t)serial % KEYS_HASH], hnode)
		if (k->serial == serial)
			return k;
	return NULL;
}

/* A serial not in use: increasing, wrapping to 3 (Linux never hands out
 * 0..2) after INT32_MAX. */
static int32_t key_new_serial(void)
{
	for (;;) {
		if (keys_next_serial < 3)
			keys_next_serial = 3;
		int32_t s = keys_next_serial;
		keys_next_serial = s == INT32_MAX ? 3 : s + 1;
		if (!key_by_serial(s))
			return s;
	}
}

/* Into keys_all in serial order (from the tail: new serials are the
 * largest until the counter wraps). */
static void key_insert(struct key *k)
{
	struct fw_list *pos = keys_all.prev;

	while (pos != &keys_all &&
	       FW_LIST_ENTRY(pos, struct key, node)->serial > k->serial)
		pos = pos->prev;
	fw_list_add_head(pos, &k->node);
	fw_list_add_tail(&keys_hash[(uint32_t)k->serial % KEYS_HASH], &k->hnode);
}

/* A new key with one reference for the caller, charged to uid with
 * datalen payload bytes to come: 0, -EDQUOT, -ENOMEM. */
static int key_alloc(enum key_kind kind, struct fw_bytes desc, uint32_t uid,
		     uint32_t gid, uint32_t perm, size_t datalen, bool overrun,
		     struct key **out)
{
	size_t dlen = fw_bytes_len(desc);
	size_t quotalen = dlen + 1 + datalen;
	struct key *k;
	int err;

	err = quota_charge(uid, 1, quotalen, overrun);
	if (err)
		return err;
	k = FW_NEW(struct key);
	if (!k)
		goto out_uncharge;
	if (dlen && (fw_buf_alloc(dlen, &k->desc) ||
		     fw_buf_copy_from(k->desc, 0, desc))) {
		fw_free(k);
		goto out_uncharge;
	}
	k->desc_len = dlen;
	k->kind = kind;
	k->uid = uid;
	k->gid = gid;
	k->perm = perm;
	k->quotalen = quotalen;
	k->refs = 1;
	fw_list_init(&k->links);
	k->serial = key_new_serial();
	key_insert(k);
	*out = k;
	return 0;

out_uncharge:
	quota_uncharge(uid, 1, quotalen);
	return -ENOMEM;
}

static struct fw_bytes key_desc(const struct key *k)
{
	return fw_buf_as_bytes(k->desc);
}

/* Replace k's payload with data (user/logon), adjusting the bytes
 * charged: 0, -EDQUOT, -ENOMEM. The payload bytes of a new key were
 * charged by key_alloc (charged true). */
static int key_set_payload(struct key *k, struct fw_bytes data, bool charged)
{
	size_t n = fw_bytes_len(data);
	struct fw_buf nb = { 0 };
	int err;

	if (!charged && n > k->datalen) {
		err = quota_charge(k->uid, 0, n - k->datalen, false);
		if (err)
			return err;
	}
	if (n && (fw_buf_alloc(n, &nb) || fw_buf_copy_from(nb, 0, data))) {
		if (!charged && n > k->datalen)
			quota_uncharge(k->uid, 0, n - k->datalen);
		return -ENOMEM;
	}
	if (!charged && n < k->datalen)
		quota_uncharge(k->uid, 0, k->datalen - n);
	if (!charged)
		k->quotalen = k->quotalen - k->datalen + n;
	if (k->datalen)
		fw_buf_free(&k->payload);
	k->payload = nb;
	k->datalen = n;
	return 0;
}

static void key_get(struct key *k)
{
	k->refs++;
}

/* Drop a reference; the last moves k to keys_dying (keys_reap frees). */
static void key_put(struct key *k)
{
	if (!k || --k->refs)
		return;
	fw_list_del(&k->node);
	fw_list_del(&k->hnode);
	fw_list_add_tail(&keys_dying, &k->node);
}

/* Free the dead keys; a keyring's links go first (more may die). */
static void keys_reap(void)
{
	struct key *k;

	while ((k = FW_LIST_FIRST(&keys_dying, struct key, node)) != NULL) {
		struct key_link *l, *tmp;

		fw_list_del(&k->node);
		FW_LIST_FOR_EACH_SAFE(l, tmp, &k->links, node) {
			fw_list_del(&l->node);
			key_put(l->key);
			fw_free(l);
		}
		quota_uncharge(k->uid, 1, k->quotalen);
		if (k->desc_len)
			fw_buf_free(&k->desc);
		if (k->datalen)
			fw_buf_free(&k->payload);
		fw_free(k);
	}
}

static bool key_expired(const struct key *k, uint64_t now)
{
	return k->expiry_ns && now >= k->expiry_ns;
}

/* Linux key_validate: -ENOKEY (invalidated), -EKEYREVOKED, -EKEYEXPIRED. */
static int key_validate(const struct key *k, uint64_t now)
{
	if (k->invalidated)
		return -ENOKEY;
	if (k->revoked)
		return -EKEYREVOKED;
	if (key_expired(k, now))
		return -EKEYEXPIRED;
	return 0;
}

/* --- permissions and possession ------------------------------------------ */

/* Linux key_task_permission: the user, group or other byte by who the
 * caller is (fs ids), plus the possessor byte if it possesses the key;
 * no capability overrides it. */
static bool key_perm_ok(const struct key *k, const struct cred *c,
			bool possessed, unsigned need)
{
	uint32_t kp;

	if (k->uid == c->fsuid)
		kp = k->perm >> 16;
	else if (k->gid != KEY_NO_GID && cred_in_group(c, k->gid))
		kp = k->perm >> 8;
	else
		kp = k->perm;
	if (possessed)
		kp |= k->perm >> 24;
	return (kp & need & KP_ALL) == need;
}

/* The caller as the calls see it. */
struct kctx {
	struct thread *t;
	struct proc *p;
	const struct cred *c;
	uint64_t now;
};

static void kctx_init(struct kctx *x)
{
	x->t = thread_current();
	x->p = x->t->proc;
	x->c = &x->p->cred;
	x->now = fw_time_ns();
}

static struct key_uid_rings *uid_rings_find(uint32_t uid)
{
	struct key_uid_rings *r;

	FW_LIST_FOR_EACH(r, &keys_uid_rings, node)
		if (r->uid == uid)
			return r;
	return NULL;
}

/* The keyring searched as the session keyring: the session keyring, or
 * the user-session keyring if there is none (not made here). */
static struct key *kctx_session(const struct kctx *x)
{
	struct key_uid_rings *r;

	if (x->p->session_keyring)
		return x->p->session_keyring;
	r = uid_rings_find(x->c->uid);
	return r ? r->session : NULL;
}

static void possess_walk(struct key *k, const struct cred *c, unsigned depth)
{
	struct key_link *l;

	if (!k || k->seen == keys_gen)
		return;
	k->seen = keys_gen;
	if (!key_perm_ok(k, c, true, KP_SEARCH))
		return;
	k->poss = keys_gen;
	if (k->kind != KT_KEYRING || depth >= KEYS_MAX_DEPTH)
		return;
	FW_LIST_FOR_EACH(l, &k->links, node)
		possess_walk(l->key, c, depth + 1);
}

/* Mark what the caller possesses (key_possessed then answers). */
static void key_possess_mark(const struct kctx *x)
{
	keys_gen++;
	possess_walk(x->t->thread_keyring, x->c, 0);
	possess_walk(x->p->process_keyring, x->c, 0);
	possess_walk(kctx_session(x), x->c, 0);
}

static bool key_possessed(const struct key *k)
{
	return k->poss == keys_gen;
}

/* --- keyrings ------------------------------------------------------------ */

static struct key_link *ring_find(struct key *ring, struct key *k)
{
	struct key_link *l;

	FW_LIST_FOR_EACH(l, &ring->links, node)
		if (l->key == k)
			return l;
	return NULL;
}

/* The link to a key of this kind and description in ring. */
static struct key_link *ring_find_index(struct key *ring, enum key_kind kind,
					struct fw_bytes desc)
{
	struct key_link *l;

	FW_LIST_FOR_EACH(l, &ring->links, node)
		if (l->key->kind == kind && fw_bytes_eq(key_desc(l->key), desc))
			return l;
	return NULL;
}

/* Is target reachable from k? -EDEADLK if so, -ELOOP if the keyrings
 * below k nest deeper than Linux allows, 0 otherwise. */
static int ring_reaches(struct key *k, struct key *target,
			unsigned depth)
{
	struct key_link *l;
	int err;

	if (k == target)
		return -EDEADLK;
	if (k->kind != KT_KEYRING || k->walk == keys_walk_gen)
		return 0;
	if (depth >= KEYS_MAX_DEPTH)
		return -ELOOP;
	k->walk = keys_walk_gen;
	FW_LIST_FOR_EACH(l, &k->links, node) {
		err = ring_reaches(l->key, target, depth + 1);
		if (err)
			return err;
	}
	return 0;
}

/* Link k into ring (Linux key_link): a link to another key of the same
 * type and description is replaced. 0, -ENOTDIR, -EDEADLK, -ELOOP,
 * -ENOMEM. */
static int ring_link(struct key *ring, struct key *k)
{
	struct key_link *l;
	int err;

	if (ring->kind != KT_KEYRING)
		return -ENOTDIR;
	if (ring_find(ring, k))
		return 0;
	if (k->kind == KT_KEYRING) {
		keys_walk_gen++;
		err = ring_reaches(k, ring, 0);
		if (err)
			return err;
	}
	l = ring_find_index(ring, k->kind, key_desc(k));
	if (l) {
		key_put(l->key);
	} else {
		l = FW_NEW(struct key_link);
		if (!l)
			return -ENOMEM;
		fw_list_add_tail(&ring->links, &l->node);
		ring->nlinks++;
	}
	key_get(k);
	l->key = k;
	return 0;
}

static void ring_drop_link(struct key *ring, struct key_link *l)
{
	fw_list_del(&l->node);
	ring->nlinks--;
	key_put(l->key);
	fw_free(l);
}

static int ring_unlink(struct key *ring, struct key *k)
{
	struct key_link *l;

	if (ring->kind != KT_KEYRING)
		return -ENOTDIR;
	l = ring_find(ring, k);
	if (!l)
		return -ENOENT;
	ring_drop_link(ring, l);
	return 0;
}

static void ring_clear(struct key *ring)
{
	struct key_link *l, *tmp;

	FW_LIST_FOR_EACH_SAFE(l, tmp, &ring->links, node)
		ring_drop_link(ring, l);
}

/* Is a link to k garbage: invalidated, or revoked or expired for
 * gc_delay seconds? */
static bool key_garbage(const struct key *k, uint64_t now)
{
	uint64_t delay = keys_sysctl.gc_delay * FW_NSEC_PER_SEC;

	if (k->invalidated)
		return true;
	if (k->revoked && now >= k->dead_ns + delay)
		return true;
	return k->expiry_ns && now >= k->expiry_ns + delay;
}

/* Drop the links to garbage keys from every keyring: at once if one was
 * invalidated, else at most once a second. */
static void keys_gc(uint64_t now)
{
	struct fw_list victims = FW_LIST_HEAD_INIT(victims);
	struct key_link *l, *tmp;
	struct key *ring;

	if (!keys_gc_pending && now < keys_last_gc + FW_NSEC_PER_SEC)
		return;
	keys_gc_pending = false;
	keys_last_gc = now;
	/* Unhook first, put after: a put may take keys off keys_all. */
	FW_LIST_FOR_EACH(ring, &keys_all, node) {
		if (ring->kind != KT_KEYRING)
			continue;
		FW_LIST_FOR_EACH_SAFE(l, tmp, &ring->links, node) {
			if (!key_garbage(l->key, now))
				continue;
			fw_list_del(&l->node);
			ring->nlinks--;
			fw_list_add_tail(&victims, &l->node);
		}
	}
	FW_LIST_FOR_EACH_SAFE(l, tmp, &victims, node) {
		fw_list_del(&l->node);
		key_put(l->key);
		fw_free(l);
	}
	keys_reap();
}

/* --- the special keyrings ------------------------------------------------ */

/* The string in a char array, without its NUL. */
static struct fw_bytes str_view(const char (*s)[32], size_t size)
{
	struct fw_bytes v = { 0 };

	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(*s), 0, strnlen(*s, size), &v))
		return (struct fw_bytes){ 0 };
	return v;
}

static int keyring_new(struct fw_bytes name, uint32_t uid, uint32_t gid,
		       uint32_t perm, bool overrun, struct key **out)
{
	return key_alloc(KT_KEYRING, name, uid, gid, perm, 0, overrun, out);
}

/* The uid's user and user-session keyrings, made if need be (Linux
 * look_up_user_keyrings): 0, -EDQUOT, -ENOMEM. */
static int uid_rings_get(uint32_t uid, struct key_uid_rings **out)
{
	struct key_uid_rings *r = uid_rings_find(uid);
	uint32_t perm = KEY_POS(KP_ALL & ~KP_SETATTR) | KEY_USR(KP_ALL);
	char name[32];
	int err;

	if (r) {
		*out = r;
		return 0;
	}
	r = FW_NEW(struct key_uid_rings);
	if (!r)
		return -ENOMEM;
	r->uid = uid;
	snprintf(name, sizeof name, "_uid.%u", uid);
	err = keyring_new(str_view(&name, sizeof name), uid, KEY_NO_GID, perm,
			  false, &r->user);
	if (err)
		goto out_free;
	snprintf(name, sizeof name, "_uid_ses.%u", uid);
	err = keyring_new(str_view(&name, sizeof name), uid, KEY_NO_GID, perm,
			  false, &r->session);
	if (err)
		goto out_put_user;
	err = ring_link(r->session, r->user);
	if (err)
		goto out_put_session;
	fw_list_add_tail(&keys_uid_rings, &r->node);
	*out = r;
	return 0;

out_put_session:
	key_put(r->session);
out_put_user:
	key_put(r->user);
out_free:
	fw_free(r);
	keys_reap();
	return err;
}

static int install_thread_keyring(struct kctx *x)
{
	if (x->t->thread_keyring)
		return 0;
	return keyring_new(FW_BYTES_OF_LITERAL("_tid"), x->c->uid, x->c->gid,
			   KEY_POS(KP_ALL) | KEY_USR(KP_VIEW), true,
			   &x->t->thread_keyring);
}

static int install_process_keyring(struct kctx *x)
{
	if (x->p->process_keyring)
		return 0;
	return keyring_new(FW_BYTES_OF_LITERAL("_pid"), x->c->uid, x->c->gid,
			   KEY_POS(KP_ALL) | KEY_USR(KP_VIEW), true,
			   &x->p->process_keyring);
}

static void set_session(struct proc *p, struct key *k)
{
	key_get(k);
	key_put(p->session_keyring);
	p->session_keyring = k;
}

/* Linux join_session_keyring: a new anonymous "_ses" keyring (name
 * empty), or the keyring of that name the caller may search, else a new
 * one of that name. Returns its serial. */
static long join_session(struct kctx *x, struct fw_bytes name)
{
	uint32_t perm = KEY_POS(KP_ALL) | KEY_USR(KP_VIEW | KP_READ | KP_LINK);
	struct key *k;
	int err;

	if (fw_bytes_len(name)) {
		FW_LIST_FOR_EACH(k, &keys_all, node) {
			if (k->kind != KT_KEYRING || k->revoked ||
			    k->invalidated || !fw_bytes_eq(key_desc(k), name) ||
			    !key_perm_ok(k, x->c, false, KP_SEARCH))
				continue;
			set_session(x->p, k);
			return k->serial;
		}
	} else {
		name = FW_BYTES_OF_LITERAL("_ses");
	}
	err = keyring_new(name, x->c->uid, x->c->gid, perm, false, &k);
	if (err)
		return err;
	set_session(x->p, k);
	key_put(k);
	return k->serial;
}

/* --- looking keys up by id (Linux lookup_user_key) ----------------------- */

#define KL_CREATE 1u		/* make a missing special keyring */
#define KL_NOVALIDATE 2u	/* unlink: dead keys are found too */

struct klookup {
	struct key *key;
	bool possessed;
};

static int special_keyring(struct kctx *x, int32_t id, bool create,
			   struct key **out)
{
	struct key_uid_rings *r;
	int err;

	switch (id) {
	case KEY_SPEC_THREAD_KEYRING:
		if (!x->t->thread_keyring && !create)
			return -ENOKEY;
		err = install_thread_keyring(x);
		*out = x->t->thread_keyring;
		return err;
	case KEY_SPEC_PROCESS_KEYRING:
		if (!x->p->process_keyring && !create)
			return -ENOKEY;
		err = install_process_keyring(x);
		*out = x->p->process_keyring;
		return err;
	case KEY_SPEC_SESSION_KEYRING:
		if (!x->p->session_keyring) {
			err = uid_rings_get(x->c->uid, &r);
			if (err)
				return err;
			if (create) {
				long s = join_session(x, (struct fw_bytes){ 0 });
				if (s < 0)
					return (int)s;
			} else {
				set_session(x->p, r->session);
			}
		}
		*out = x->p->session_keyring;
		return 0;
	case KEY_SPEC_USER_KEYRING:
	case KEY_SPEC_USER_SESSION_KEYRING:
		err = uid_rings_get(x->c->uid, &r);
		if (err)
			return err;
		*out = id == KEY_SPEC_USER_KEYRING ? r->user : r->session;
		return 0;
	case KEY_SPEC_REQKEY_AUTH_KEY:
	case KEY_SPEC_REQUESTOR_KEYRING:
		return -ENOKEY; /* no request is ever being served */
	}
	return -EINVAL;
}

/* The key id names for the caller: 0 with out, -EINVAL (0, the group
 * keyring, other negative ids), -ENOKEY, -EKEYREVOKED, -EKEYEXPIRED,
 * -EACCES (need: KP_* bits), -EDQUOT/-ENOMEM making a keyring. */
static int key_lookup(struct kctx *x, int32_t id, unsigned flags,
		      unsigned need, struct klookup *out)
{
	struct key *k = NULL;
	bool possessed;
	int err;

	if (id < 0) {
		err = special_keyring(x, id, flags & KL_CREATE, &k);
		if (err)
			return err;
		possessed = true;
	} else if (id == 0) {
		return -EINVAL;
	} else {
		k = key_by_serial(id);
		if (!k)
			return -ENOKEY;
		key_possess_mark(x);
		possessed = key_possessed(k);
	}
	/* Permission first, then the state, as Linux 6.x: a key one may
	 * not use is EACCES whatever became of it. */
	if (need && !key_perm_ok(k, x->c, possessed, need))
		return -EACCES;
	if (!(flags & KL_NOVALIDATE)) {
		err = key_validate(k, x->now);
		if (err)
			return err;
	}
	out->key = k;
	out->possessed = possessed;
	return 0;
}

/* --- searching ----------------------------------------------------------- */

struct ksearch {
	enum key_kind kind;
	struct fw_bytes desc;
	const struct cred *c;
	uint64_t now;
	struct key *found;
	int err;		/* why a match was skipped, 0 if none */
};

static bool search_match(struct ksearch *s, struct key *k)
{
	int err;

	if (k->kind != s->kind || !fw_bytes_eq(key_desc(k), s->desc) ||
	    k->invalidated)
		return false;
	if (!key_perm_ok(k, s->c, true, KP_SEARCH))
		err = -EACCES;
	else
		err = key_validate(k, s->now);
	if (!err) {
		s->found = k;
		return true;
	}
	if (!s->err)
		s->err = err;
	return false;
}

/* Linux search_nested_keyrings: the keyring itself, its keys, then the
 * keyrings in it, depth first, through keyrings the caller may search. */
static bool search_ring(struct ksearch *s, struct key *ring, unsigned depth)
{
	struct key_link *l;

	if (!ring || ring->walk == keys_walk_gen)
		return false;
	ring->walk = keys_walk_gen;
	if (search_match(s, ring))
		return true;
	if (ring->kind != KT_KEYRING || depth >= KEYS_MAX_DEPTH ||
	    !key_perm_ok(ring, s->c, true, KP_SEARCH) ||
	    key_validate(ring, s->now))
		return false;
	FW_LIST_FOR_EACH(l, &ring->links, node)
		if (l->key->kind != KT_KEYRING && search_match(s, l->key))
			return true;
	FW_LIST_FOR_EACH(l, &ring->links, node)
		if (l->key->kind == KT_KEYRING &&
		    search_ring(s, l->key, depth + 1))
			return true;
	return false;
}

/* The caller's thread, process and session keyrings in that order
 * (Linux search_process_keyrings): 0 with s->found, or the error a match
 * was skipped for, or -ENOKEY. */
static int search_process_keyrings(struct kctx *x, struct ksearch *s)
{
	keys_walk_gen++;
	if (search_ring(s, x->t->thread_keyring, 0) ||
	    search_ring(s, x->p->process_keyring, 0) ||
	    search_ring(s, kctx_session(x), 0))
		return 0;
	return s->err ? s->err : -ENOKEY;
}

/* --- copying arguments in ------------------------------------------------ */

/* A type name: its kind, -EFAULT, -EINVAL (empty or too long), -EPERM
 * (names starting with '.' are the kernel's), or unknown (add_key:
 * -ENODEV, the others -ENOKEY, as Linux). */
static int key_kind_in(fw_uptr_t u, int unknown, enum key_kind *out)
{
	char name[32];
	long n = fw_copy_in_str(FW_BUF_OF_ARRAY(name), u);

	if (n == -ENAMETOOLONG || n == 0)
		return -EINVAL;
	if (n < 0)
		return (int)n;
	if (name[0] == '.')
		return -EPERM;
	if (!strcmp(name, "user"))
		*out = KT_USER;
	else if (!strcmp(name, "logon"))
		*out = KT_LOGON;
	else if (!strcmp(name, "keyring"))
		*out = KT_KEYRING;
	else
		return unknown;
	return 0;
}

/* A description or name of up to 4095 bytes into a new buffer (freed
 * with desc_free): 0 with *view, -EFAULT, -EINVAL (too long), -ENOMEM. */
struct kdesc {
	struct fw_buf buf;
	struct fw_bytes view;
};

static int desc_in(fw_uptr_t u, struct kdesc *d)
{
	long n;

	if (fw_buf_alloc(KEY_MAX_DESC, &d->buf))
		return -ENOMEM;
	n = fw_copy_in_str(d->buf, u);
	if (n < 0) {
		fw_buf_free(&d->buf);
		return n == -ENAMETOOLONG ? -EINVAL : (int)n;
	}
	if (fw_bytes_sub(fw_buf_as_bytes(d->buf), 0, (size_t)n, &d->view)) {
		fw_buf_free(&d->buf);
		return -EINVAL;
	}
	return 0;
}

static void desc_free(struct kdesc *d)
{
	fw_buf_free(&d->buf);
}

/* n payload bytes from u into a new buffer (n may be 0). */
static int payload_in(fw_uptr_t u, size_t n, struct fw_buf *out)
{
	if (!n) {
		*out = (struct fw_buf){ 0 };
		return 0;
	}
	if (fw_buf_alloc(n, out))
		return -ENOMEM;
	if (fw_copy_in(*out, u)) {
		fw_buf_free(out);
		return -EFAULT;
	}
	return 0;
}

static void payload_free(struct fw_buf *b)
{
	if (fw_buf_len(*b))
		fw_buf_free(b);
}

/* The payload rules of a type (Linux's preparse and vet_description). */
static int key_check_payload(enum key_kind kind, size_t plen)
{
	if (kind == KT_KEYRING)
		return plen ? -EINVAL : 0;
	return plen == 0 || plen > KEY_USER_MAX_PAYLOAD ? -EINVAL : 0;
}

static int key_check_desc(enum key_kind kind, struct fw_bytes desc)
{
	long colon;

	if (!fw_bytes_len(desc))
		return -EINVAL;
	if (kind == KT_LOGON) {
		colon = fw_bytes_memchr(desc, 0, ':');
		if (colon <= 0)
			return -EINVAL;
	}
	return 0;
}

/* --- add_key, request_key ------------------------------------------------ */

static long do_add_key(struct kctx *x, enum key_kind kind,
		       struct fw_bytes desc, struct fw_bytes data,
		       int32_t ringid)
{
	uint32_t perm = KEY_POS(KP_VIEW | KP_SEARCH | KP_LINK | KP_SETATTR |
				KP_WRITE) | KEY_USR(KP_VIEW);
	struct klookup ring;
	struct key_link *l;
	struct key *k;
	int err;

	err = key_lookup(x, ringid, KL_CREATE, KP_WRITE, &ring);
	if (err)
		return err;
	if (ring.key->kind != KT_KEYRING)
		return -ENOTDIR;
	err = key_check_payload(kind, fw_bytes_len(data));
	if (err)
		return err;
	err = key_check_desc(kind, desc);
	if (err)
		return err;
	if (kind != KT_LOGON)
		perm |= KEY_POS(KP_READ);
	/* user and logon keys are updated in place (find_key_to_update) */
	l = kind != KT_KEYRING ? ring_find_index(ring.key, kind, desc) : NULL;
	if (l && !l->key->revoked && !l->key->invalidated) {
		k = l->key;
		if (!key_perm_ok(k, x->c, ring.possessed, KP_WRITE))
			return -EACCES;
		err = key_set_payload(k, data, false);
		if (err)
			return err;
		k->expiry_ns = 0; /* user_update: the new payload's expiry */
		return k->serial;
	}
	err = key_alloc(kind, desc, x->c->fsuid, x->c->fsgid, perm,
			fw_bytes_len(data), false, &k);
	if (err)
		return err;
	err = key_set_payload(k, data, true);
	if (!err)
		err = ring_link(ring.key, k);
	key_put(k);
	return err ? err : k->serial;
}

static long sys_add_key(const struct sys_args *a)
{
	size_t plen = a->arg[3];
	enum key_kind kind = KT_NONE;
	struct kdesc d = { 0 };
	struct fw_buf data = { 0 };
	struct fw_bytes desc = { 0 };
	struct kctx x;
	long ret;
	uint8_t c0 = 0;

	ret = key_kind_in(fw_uptr(a->arg[0]), -ENODEV, &kind);
	if (ret)
		return ret;
	if (plen > KEY_ADD_MAX_PAYLOAD)
		return -EINVAL;
	if (a->arg[1]) {
		ret = desc_in(fw_uptr(a->arg[1]), &d);
		if (ret)
			return ret;
		desc = d.view;
		if (kind == KT_KEYRING && !fw_bytes_get_u8(desc, 0, &c0) &&
		    c0 == '.') {
			ret = -EPERM;
			goto out;
		}
	}
	ret = payload_in(fw_uptr(a->arg[2]), plen, &data);
	if (ret)
		goto out;
	fw_mutex_lock(&keys_lock);
	kctx_init(&x);
	keys_gc(x.now);
	ret = do_add_key(&x, kind, desc, fw_buf_as_bytes(data),
			 (int32_t)a->arg[4]);
	keys_reap();
	fw_mutex_unlock(&keys_lock);
	payload_free(&data);
out:
	if (a->arg[1])
		desc_free(&d);
	return ret;
}

/* Link k into the keyring dest names (0: none), for request_key and
 * KEYCTL_SEARCH. */
static int link_to_dest(struct kctx *x, struct key *k, int32_t dest)
{
	struct klookup d;
	int err;

	if (!dest)
		return 0;
	err = key_lookup(x, dest, KL_CREATE, KP_WRITE, &d);
	return err ? err : ring_link(d.key, k);
}

static long sys_request_key(const struct sys_args *a)
{
	enum key_kind kind = KT_NONE;
	struct kdesc d = { 0 }, callout = { 0 };
	struct ksearch s = { 0 };
	struct kctx x;
	long ret;

	ret = key_kind_in(fw_uptr(a->arg[0]), -ENOKEY, &kind);
	if (ret)
		return ret;
	ret = desc_in(fw_uptr(a->arg[1]), &d);
	if (ret)
		return ret;
	if (a->arg[2]) {
		/* Callout information would go to /sbin/request-key, which
		 * is never run here: it is only checked. */
		ret = desc_in(fw_uptr(a->arg[2]), &callout);
		if (ret)
			goto out;
		desc_free(&callout);
	}
	fw_mutex_lock(&keys_lock);
	kctx_init(&x);
	keys_gc(x.now);
	s.kind = kind;
	s.desc = d.view;
	s.c = x.c;
	s.now = x.now;
	ret = search_process_keyrings(&x, &s);
	if (!ret) {
		ret = link_to_dest(&x, s.found, (int32_t)a->arg[3]);
		if (!ret)
			ret = s.found->serial;
	}
	keys_reap();
	fw_mutex_unlock(&keys_lock);
out:
	desc_free(&d);
	return ret;
}

/* --- keyctl -------------------------------------------------------------- */

/* Copy out the len bytes of text if buf holds them (Linux copies nothing
 * to a shorter buffer) and return len. */
static long copy_out_all(fw_uptr_t buf, size_t buflen, struct fw_bytes text)
{
	size_t len = fw_bytes_len(text);

	if (!fw_uptr_is_null(buf) && buflen >= len && len &&
	    fw_copy_out(buf, text))
		return -EFAULT;
	return (long)len;
}

/* "type;uid;gid;perm;description" with its NUL into a new buffer. */
static int describe(const struct key *k, struct fw_buf *out)
{
	char head[64];
	int n = snprintf(head, sizeof head, "%s;%d;%d;%08x;",
			 key_kind_names[k->kind], (int)k->uid,
			 k->gid == KEY_NO_GID ? KEY_OVERFLOW_ID : (int)k->gid,
			 k->perm);
	size_t hl = n > 0 ? (size_t)n : 0;

	if (fw_buf_alloc(hl + k->desc_len + 1, out))
		return -ENOMEM;
	struct fw_bytes hv;

	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(head), 0, hl, &hv) ||
	    fw_buf_copy_from(*out, 0, hv) ||
	    fw_buf_copy_from(*out, hl, key_desc(k))) {
		fw_buf_free(out);
		return -ENOMEM;
	}
	return 0;
}

/* The data KEYCTL_READ returns: a payload, or a keyring's serials. */
static int read_data(const struct key *k, struct fw_buf *out)
{
	struct key_link *l;
	size_t off = 0;

	*out = (struct fw_buf){ 0 };
	if (k->kind != KT_KEYRING) {
		if (!k->datalen)
			return 0;
		if (fw_buf_alloc(k->datalen, out) ||
		    fw_buf_copy_from(*out, 0, fw_buf_as_bytes(k->payload)))
			return -ENOMEM;
		return 0;
	}
	if (!k->nlinks)
		return 0;
	if (fw_buf_alloc(k->nlinks * sizeof(int32_t), out))
		return -ENOMEM;
	FW_LIST_FOR_EACH(l, &k->links, node) {
		if (fw_buf_put_u32_le(*out, off, (uint32_t)l->key->serial))
			break;
		off += sizeof(int32_t);
	}
	return 0;
}

/* The operations that copy text out: describe, read. */
static long keyctl_text(struct kctx *x, int op, int32_t id, fw_uptr_t buf,
			size_t buflen)
{
	struct fw_buf text = { 0 };
	struct klookup kl;
	long ret;

	fw_mutex_lock(&keys_lock);
	kctx_init(x);
	keys_gc(x->now);
	if (op == KEYCTL_DESCRIBE) {
		ret = key_lookup(x, id, 0, KP_VIEW, &kl);
		if (!ret)
			ret = describe(kl.key, &text);
	} else {
		ret = key_lookup(x, id, KL_NOVALIDATE, 0, &kl);
		if (!ret && !key_perm_ok(kl.key, x->c, kl.possessed, KP_READ) &&
		    !kl.possessed)
			ret = -EACCES;
		if (!ret)
			ret = key_validate(kl.key, x->now);
		if (!ret && kl.key->kind == KT_LOGON)
			ret = -EOPNOTSUPP;
		if (!ret)
			ret = read_data(kl.key, &text);
	}
	fw_mutex_unlock(&keys_lock);
	if (ret)
		return ret;
	ret = copy_out_all(buf, buflen, fw_buf_as_bytes(text));
	if (fw_buf_len(text))
		fw_buf_free(&text);
	return ret;
}

static long keyctl_update(struct kctx *x, int32_t id, fw_uptr_t payload,
			  size_t plen)
{
	struct fw_buf data = { 0 };
	struct klookup kl;
	long ret;

	if (plen > KEY_UPDATE_MAX_PAYLOAD)
		return -EINVAL;
	ret = payload_in(payload, plen, &data);
	if (ret)
		return ret;
	fw_mutex_lock(&keys_lock);
	kctx_init(x);
	keys_gc(x->now);
	ret = key_lookup(x, id, 0, KP_WRITE, &kl);
	if (!ret && kl.key->kind == KT_KEYRING)
		ret = -EOPNOTSUPP;
	if (!ret)
		ret = key_check_payload(kl.key->kind, plen);
	if (!ret)
		ret = key_set_payload(kl.key, fw_buf_as_bytes(data), false);
	if (!ret)
		kl.key->expiry_ns = 0;
	fw_mutex_unlock(&keys_lock);
	payload_free(&data);
	return ret;
}

static long keyctl_search(struct kctx *x, int32_t ringid, fw_uptr_t utype,
			  fw_uptr_t udesc, int32_t dest)
{
	enum key_kind kind = KT_NONE;
	struct ksearch s = { 0 };
	struct klookup ring;
	struct kdesc d = { 0 };
	long ret;

	ret = key_kind_in(utype, -ENOKEY, &kind);
	if (ret)
		return ret;
	ret = desc_in(udesc, &d);
	if (ret)
		return ret;
	fw_mutex_lock(&keys_lock);
	kctx_init(x);
	keys_gc(x->now);
	ret = key_lookup(x, ringid, 0, KP_SEARCH, &ring);
	if (ret)
		goto out;
	s.kind = kind;
	s.desc = d.view;
	s.c = x->c;
	s.now = x->now;
	if (ring.key->kind != KT_KEYRING) {
		ret = -ENOTDIR;
		goto out;
	}
	keys_walk_gen++;
	if (!search_ring(&s, ring.key, 0)) {
		ret = s.err ? s.err : -ENOKEY;
		goto out;
	}
	if (dest && !key_perm_ok(s.found, x->c, ring.possessed, KP_LINK)) {
		ret = -EACCES;
		goto out;
	}
	ret = link_to_dest(x, s.found, dest);
	if (!ret)
		ret = s.found->serial;
out:
	keys_reap();
	fw_mutex_unlock(&keys_lock);
	desc_free(&d);
	return ret;
}

static long keyctl_join(struct kctx *x, fw_uptr_t uname)
{
	struct kdesc d = { 0 };
	long ret;

	if (!fw_uptr_is_null(uname)) {
		ret = desc_in(uname, &d);
		if (ret)
			return ret;
	}
	fw_mutex_lock(&keys_lock);
	kctx_init(x);
	keys_gc(x->now);
	ret = join_session(x, fw_uptr_is_null(uname) ? (struct fw_bytes){ 0 }
						      : d.view);
	keys_reap();
	fw_mutex_unlock(&keys_lock);
	if (!fw_uptr_is_null(uname))
		desc_free(&d);
	return ret;
}

/* Linux keyctl_chown_key: changing the owner needs CAP_SYS_ADMIN (and
 * moves the quota); the group may be changed to one of the caller's. */
static long keyctl_chown(struct kctx *x, struct key *k, uint32_t uid,
			 uint32_t gid)
{
	bool admin = cred_capable(x->c, CAP_SYS_ADMIN);
	int err;

	if (!admin && ((uid != (uint32_t)-1 && uid != k->uid) ||
		       (gid != (uint32_t)-1 && gid != k->gid &&
			!cred_in_group(x->c, gid))))
		return -EACCES;
	if (uid != (uint32_t)-1 && uid != k->uid) {
		err = quota_charge(uid, 1, k->quotalen, false);
		if (err)
			return err;
		quota_uncharge(k->uid, 1, k->quotalen);
		k->uid = uid;
	}
	if (gid != (uint32_t)-1)
		k->gid = gid;
	return 0;
}

static long keyctl_reqkey(struct kctx *x, int v)
{
	int old = x->t->reqkey_defl;
	int err = 0;

	switch (v) {
	case KEY_REQKEY_DEFL_NO_CHANGE:
		return old;
	case KEY_SPEC_THREAD_KEYRING * -1:
		err = install_thread_keyring(x);
		break;
	case KEY_SPEC_PROCESS_KEYRING * -1:
		err = install_process_keyring(x);
		break;
	case KEY_REQKEY_DEFL_DEFAULT:
	case 3: /* session */
	case 4: /* user */
	case 5: /* user session */
	case KEY_REQKEY_DEFL_REQUESTOR_KEYRING:
		break;
	default: /* the group keyring (6) and others */
		return -EINVAL;
	}
	if (err)
		return err;
	x->t->reqkey_defl = (int8_t)v;
	return old;
}

/* Linux keyctl_session_to_parent: the parent takes our session keyring
 * if it runs as the same user (ids and no set-id). */
static long keyctl_session_to_parent(struct kctx *x)
{
	struct klookup kl;
	struct proc *parent;
	const struct cred *pc;
	int err;

	err = key_lookup(x, KEY_SPEC_SESSION_KEYRING, 0, KP_LINK, &kl);
	if (err)
		return err;
	parent = x->p->parent;
	if (!parent || parent->pid == 1 || parent->zombie)
		return -EPERM;
	pc = &parent->cred;
	if (pc->uid != x->c->euid || pc->euid != x->c->euid ||
	    pc->suid != x->c->euid || pc->gid != x->c->egid ||
	    pc->egid != x->c->egid || pc->sgid != x->c->egid ||
	    (parent->session_keyring &&
	     parent->session_keyring->uid != x->c->euid) ||
	    kl.key->uid != x->c->euid)
		return -EPERM;
	set_session(parent, kl.key);
	return 0;
}

/* The operations on one key or two that need no copying. */
static long keyctl_simple(struct kctx *x, int op, const struct sys_args *a)
{
	int32_t id = (int32_t)a->arg[1];
	struct klookup kl, ring;
	long ret;

	switch (op) {
	case KEYCTL_GET_KEYRING_ID:
		ret = key_lookup(x, id, a->arg[2] ? KL_CREATE : 0, KP_SEARCH, &kl);
		return ret ? ret : kl.key->serial;
	case KEYCTL_REVOKE:
		ret = key_lookup(x, id, 0, KP_WRITE, &kl);
		if (ret == -EACCES)
			ret = key_lookup(x, id, 0, KP_SETATTR, &kl);
		if (ret)
			return ret;
		kl.key->revoked = true;
		kl.key->dead_ns = x->now;
		if (kl.key->kind != KT_KEYRING) /* user_revoke frees it */
			(void)key_set_payload(kl.key, (struct fw_bytes){ 0 }, false);
		return 0;
	case KEYCTL_CHOWN:
		ret = key_lookup(x, id, KL_CREATE, KP_SETATTR, &kl);
		return ret ? ret : keyctl_chown(x, kl.key, (uint32_t)a->arg[2],
						 (uint32_t)a->arg[3]);
	case KEYCTL_SETPERM:
		if ((uint32_t)a->arg[2] & ~KEY_PERM_VALID || a->arg[2] >> 32)
			return -EINVAL;
		ret = key_lookup(x, id, KL_CREATE, KP_SETATTR, &kl);
		if (ret)
			return ret;
		if (!cred_capable(x->c, CAP_SYS_ADMIN) &&
		    kl.key->uid != x->c->fsuid)
			return -EACCES;
		kl.key->perm = (uint32_t)a->arg[2];
		return 0;
	case KEYCTL_CLEAR:
		ret = key_lookup(x, id, KL_CREATE, KP_WRITE, &kl);
		if (ret)
			return ret;
		if (kl.key->kind != KT_KEYRING)
			return -ENOTDIR;
		ring_clear(kl.key);
		return 0;
	case KEYCTL_LINK:
		ret = key_lookup(x, id, KL_CREATE, KP_LINK, &kl);
		if (ret)
			return ret;
		ret = key_lookup(x, (int32_t)a->arg[2], KL_CREATE, KP_WRITE, &ring);
		return ret ? ret : ring_link(ring.key, kl.key);
	case KEYCTL_UNLINK:
		ret = key_lookup(x, (int32_t)a->arg[2], 0, KP_WRITE, &ring);
		if (ret)
			return ret;
		ret = key_lookup(x, id, KL_NOVALIDATE, 0, &kl);
		return ret ? ret : ring_unlink(ring.key, kl.key);
	case KEYCTL_SET_REQKEY_KEYRING:
		return keyctl_reqkey(x, (int)a->arg[1]);
	case KEYCTL_SET_TIMEOUT:
		ret = key_lookup(x, id, KL_CREATE, KP_SETATTR, &kl);
		if (ret)
			return ret;
		kl.key->expiry_ns = a->arg[2] ? x->now + (uint64_t)(uint32_t)a->arg[2] *
						       FW_NSEC_PER_SEC
					      : 0;
		return 0;
	case KEYCTL_INVALIDATE:
		ret = key_lookup(x, id, 0, KP_SEARCH, &kl);
		if (ret)
			return ret;
		kl.key->invalidated = true;
		keys_gc_pending = true;
		return 0;
	case KEYCTL_SESSION_TO_PARENT:
		return keyctl_session_to_parent(x);
	}
	return -EOPNOTSUPP;
}

static long sys_keyctl(const struct sys_args *a)
{
	uint64_t op = a->arg[0];
	struct kctx x;
	long ret;

	switch (op) {
	case KEYCTL_DESCRIBE:
	case KEYCTL_READ:
		return keyctl_text(&x, (int)op, (int32_t)a->arg[1],
				   fw_uptr(a->arg[2]), a->arg[3]);
	case KEYCTL_UPDATE:
		return keyctl_update(&x, (int32_t)a->arg[1], fw_uptr(a->arg[2]),
				     a->arg[3]);
	case KEYCTL_SEARCH:
		return keyctl_search(&x, (int32_t)a->arg[1], fw_uptr(a->arg[2]),
				     fw_uptr(a->arg[3]), (int32_t)a->arg[4]);
	case KEYCTL_JOIN_SESSION_KEYRING:
		return keyctl_join(&x, fw_uptr(a->arg[1]));
	case KEYCTL_GET_SECURITY: {
		struct klookup kl;

		fw_mutex_lock(&keys_lock);
		kctx_init(&x);
		ret = key_lookup(&x, (int32_t)a->arg[1], 0, KP_VIEW, &kl);
		fw_mutex_unlock(&keys_lock);
		if (ret)
			return ret;
		/* No security module: the label is "" (one NUL byte). */
		if (a->arg[2] && a->arg[3] &&
		    fw_copy_out(fw_uptr(a->arg[2]), FW_BYTES_OF_LITERAL("\0")))
			return -EFAULT;
		return 1;
	}
	case KEYCTL_INSTANTIATE:
		if (a->arg[3] > KEY_ADD_MAX_PAYLOAD)
			return -EINVAL;
		return -EPERM; /* no key is under construction */
	case KEYCTL_INSTANTIATE_IOV:
	case KEYCTL_NEGATE:
	case KEYCTL_REJECT:
		return -EPERM;
	case KEYCTL_ASSUME_AUTHORITY:
		if ((int32_t)a->arg[1] < 0)
			return -EINVAL;
		return a->arg[1] ? -ENOKEY : 0;
	case KEYCTL_GET_PERSISTENT:
		return -EOPNOTSUPP; /* no persistent keyrings */
	}
	if (op > KEYCTL_INVALIDATE)
		return -EOPNOTSUPP;
	fw_mutex_lock(&keys_lock);
	kctx_init(&x);
	keys_gc(x.now);
	ret = keyctl_simple(&x, (int)op, a);
	if (keys_gc_pending)
		keys_gc(x.now);
	keys_reap();
	fw_mutex_unlock(&keys_lock);
	return ret;
}

/* --- the process service's hooks (proc/proc.h) -------------------------- */

void keys_clone(struct thread *parent, struct thread *child, bool new_proc)
{
	const struct cred *c = &child->proc->cred;

	fw_mutex_lock(&keys_lock);
	child->thread_keyring = NULL;
	child->reqkey_defl = parent->reqkey_defl;
	/* Linux copy_creds: a new thread of a thread that has a thread
	 * keyring gets one of its own (no memory: it has none). */
	if (!new_proc && parent->thread_keyring &&
	    keyring_new(FW_BYTES_OF_LITERAL("_tid"), c->uid, c->gid,
			KEY_POS(KP_ALL) | KEY_USR(KP_VIEW), true,
			&child->thread_keyring))
		child->thread_keyring = NULL;
	if (new_proc) {
		child->proc->process_keyring = NULL;
		child->proc->session_keyring = parent->proc->session_keyring;
		if (child->proc->session_keyring)
			key_get(child->proc->session_keyring);
	}
	fw_mutex_unlock(&keys_lock);
}

void keys_exec(struct thread *t)
{
	fw_mutex_lock(&keys_lock);
	key_put(t->thread_keyring);
	t->thread_keyring = NULL;
	key_put(t->proc->process_keyring);
	t->proc->process_keyring = NULL;
	keys_reap();
	fw_mutex_unlock(&keys_lock);
}

void keys_thread_exit(struct thread *t)
{
	if (!t->thread_keyring)
		return;
	fw_mutex_lock(&keys_lock);
	key_put(t->thread_keyring);
	t->thread_keyring = NULL;
	keys_reap();
	fw_mutex_unlock(&keys_lock);
}

void keys_proc_exit(struct proc *p)
{
	fw_mutex_lock(&keys_lock);
	key_put(p->process_keyring);
	p->process_keyring = NULL;
	key_put(p->session_keyring);
	p->session_keyring = NULL;
	keys_reap();
	fw_mutex_unlock(&keys_lock);
}

/* --- /proc --------------------------------------------------------------- */

static void proc_key_line(struct procfs_seq *s, const struct key *k,
			  uint64_t now)
{
	char tmo[16];

	if (!k->expiry_ns) {
		snprintf(tmo, sizeof tmo, "perm");
	} else if (now >= k->expiry_ns) {
		snprintf(tmo, sizeof tmo, "expd");
	} else {
		uint64_t t = (k->expiry_ns - now) / FW_NSEC_PER_SEC;

		if (t < 60)
			snprintf(tmo, sizeof tmo, "%llus", (unsigned long long)t);
		else if (t < 60 * 60)
			snprintf(tmo, sizeof tmo, "%llum", (unsigned long long)(t / 60));
		else if (t < 60 * 60 * 24)
			snprintf(tmo, sizeof tmo, "%lluh", (unsigned long long)(t / 3600));
		else if (t < 60 * 60 * 24 * 7)
			snprintf(tmo, sizeof tmo, "%llud", (unsigned long long)(t / 86400));
		else
			snprintf(tmo, sizeof tmo, "%lluw", (unsigned long long)(t / 604800));
	}
	procfs_printf(s, "%08x %c%c%c%c%c%c%c %5d %4s %08x %5d %5d %-9.9s ",
		      (unsigned)k->serial, 'I', k->revoked ? 'R' : '-', '-', 'Q',
		      '-', '-', k->invalidated ? 'i' : '-', (int)k->refs, tmo,
		      k->perm, (int)k->uid,
		      k->gid == KEY_NO_GID ? KEY_OVERFLOW_ID : (int)k->gid,
		      key_kind_names[k->kind]);
	procfs_write(s, key_desc(k));
	if (k->kind == KT_KEYRING) {
		if (k->nlinks)
			procfs_printf(s, ": %u\n", k->nlinks);
		else
			procfs_printf(s, ": empty\n");
	} else {
		procfs_printf(s, ": %zu\n", k->datalen);
	}
}

/* /proc/keys: the keys the reader may view (Linux proc_keys_show). */
void procfs_gen_keys(struct procfs_seq *s)
{
	struct kctx x;
	struct key *k;

	if (!thread_current())
		return; /* a kernel task possesses and may view nothing */
	fw_mutex_lock(&keys_lock);
	kctx_init(&x);
	key_possess_mark(&x);
	FW_LIST_FOR_EACH(k, &keys_all, node)
		if (key_perm_ok(k, x.c, key_possessed(k), KP_VIEW))
			proc_key_line(s, k, x.now);
	fw_mutex_unlock(&keys_lock);
}

/* /proc/key-users (Linux proc_key_users_show). */
void procfs_gen_key_users(struct procfs_seq *s)
{
	struct key_user *u;

	fw_mutex_lock(&keys_lock);
	FW_LIST_FOR_EACH(u, &keys_users, node) {
		uint64_t mk = u->uid ? keys_sysctl.maxkeys : keys_sysctl.root_maxkeys;
		uint64_t mb = u->uid ? keys_sysctl.maxbytes : keys_sysctl.root_maxbytes;

		procfs_printf(s, "%5u: %5u %u/%u %u/%llu %llu/%llu\n", u->uid,
			      u->nkeys, u->nkeys, u->nkeys, u->nkeys,
			      (unsigned long long)mk, (unsigned long long)u->nbytes,
			      (unsigned long long)mb);
	}
	fw_mutex_unlock(&keys_lock);
}

static uint64_t *keys_sysctl_of(unsigned kind)
{
	switch (kind) {
	case PK_SYS_KEYS_MAXKEYS:
		return &keys_sysctl.maxkeys;
	case PK_SYS_KEYS_MAXBYTES:
		return &keys_sysctl.maxbytes;
	case PK_SYS_KEYS_ROOT_MAXKEYS:
		return &keys_sysctl.root_maxkeys;
	case PK_SYS_KEYS_ROOT_MAXBYTES:
		return &keys_sysctl.root_maxbytes;
	case PK_SYS_KEYS_GC_DELAY:
		return &keys_sysctl.gc_delay;
	case PK_SYS_KEYS_PERSISTENT_EXPIRY:
		return &keys_sysctl.persistent_expiry;
	}
	return NULL;
}

void procfs_gen_keys_sysctl(struct procfs_seq *s, unsigned kind)
{
	uint64_t *v = keys_sysctl_of(kind);

	if (v)
		procfs_printf(s, "%llu\n",
			      (unsigned long long)__atomic_load_n(v, __ATOMIC_RELAXED));
}

/* Linux's ranges (security/keys/sysctl.c): the quotas 1..INT_MAX, the
 * delays 0..INT_MAX. */
int procfs_keys_write(unsigned kind, uint64_t v)
{
	uint64_t *p = keys_sysctl_of(kind);
	uint64_t lo = kind == PK_SYS_KEYS_GC_DELAY ||
			      kind == PK_SYS_KEYS_PERSISTENT_EXPIRY ? 0 : 1;

	if (!p || v < lo || v > 0x7fffffff)
		return -EINVAL;
	fw_mutex_lock(&keys_lock);
	*p = v;
	fw_mutex_unlock(&keys_lock);
	return 0;
}

/* --- start-up ------------------------------------------------------------ */

static const struct sys_entry keys_syscalls[] = {
	{ __NR_add_key, "add_key", sys_add_key },
	{ __NR_request_key, "request_key", sys_request_key },
	{ __NR_keyctl, "keyctl", sys_keyctl },
};

void keys_init(void)
{
	fw_mutex_init(&keys_lock, "keys");
	for (unsigned i = 0; i < KEYS_HASH; i++)
		fw_list_init(&keys_hash[i]);
	/* Serials start somewhere that differs from boot to boot. */
	keys_next_serial = (int32_t)((fw_time_realtime_ns() >> 10) & 0x3fffffff) + 3;
	SYSCALL_REGISTER_TABLE(keys_syscalls);
}
