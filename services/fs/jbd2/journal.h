/* services/fs/jbd2/journal.h: the journal's in-memory state, shared by
 * the handles and running transaction (journal.c) and the commit and
 * checkpoint (commit.c). The model and its locking are described at the
 * top of journal.c.
 *
 * Layer: services (safe C), private to services/fs/jbd2. */
#ifndef SERVICES_FS_JBD2_JOURNAL_H
#define SERVICES_FS_JBD2_JOURNAL_H

#include <fw/sync.h>

#include "fs/ext2/ext2.h"

#define JOURNAL_RUNS 32		/* extents of the journal file we map */
#define JOURNAL_HOLDERS 64	/* tasks inside a handle at once */
#define JTX_BUCKETS 64		/* hash of a transaction's blocks, revokes */
#define JLOG_BUCKETS 256	/* hash of the blocks the log holds */

/* A run of the journal file: journal blocks [lblk, lblk+len) at pblk. */
struct jrun {
	uint32_t lblk, pblk, len;
};

/* A task inside a handle, and how deeply nested. */
struct jholder {
	struct fw_task *task;
	unsigned depth;
};

/* A block of the running (or committing) transaction: pinned,
 * referenced. Once committed it stays, unreferenced, in j->logged until
 * the checkpoint, so a commit allocates nothing. */
struct jblock {
	struct fw_list node;		/* j->tx or j->ctx, in order of first use */
	struct fw_list hnode;		/* j->hash or j->logged bucket */
	uint32_t blk;
	struct bref r;			/* (none in j->logged) */
};

/* A revoke record: of the running transaction (in a j->revoked bucket)
 * or of the committing one (on j->crev). */
struct jrev {
	struct fw_list hnode;
	uint32_t blk;
};

struct ext2_journal {
	/* set at open */
	struct ext2_sb *s;
	struct jrun run[JOURNAL_RUNS];
	unsigned nruns;
	uint32_t jsb_blk;		/* physical block of the superblock */
	uint32_t first, maxlen;		/* the log: [first, maxlen) */
	bool csum;			/* CSUM_V3 */
	bool b64;			/* 64BIT tags and revoke records */
	uint32_t csum_seed;		/* crc32c(~0, journal UUID) */
	uint8_t uuid[16];
	unsigned tag_bytes;
	unsigned max_tx;		/* commit past this many log blocks */

	/* the committer's (j->committing set, s->lock held), or open's */
	uint32_t seq;			/* the next transaction's ID */
	uint32_t head;			/* next free log block; first: log empty */

	struct fw_mutex lock;
	struct fw_waitq wq;		/* handles draining, commits ending */
	/* j->lock */
	unsigned handles;		/* open handles (nested ones count once) */
	bool committing;
	struct jholder holder[JOURNAL_HOLDERS];
	struct fw_list tx;		/* the running transaction */
	struct fw_list hash[JTX_BUCKETS];
	unsigned ntx;
	struct fw_list revoked[JTX_BUCKETS];	/* its revokes */
	unsigned nrev;
	struct fw_list logged[JLOG_BUCKETS];	/* blocks in [first, head) */
	unsigned nlogged;
	bool aborted;			/* an I/O error: no more journaling */
	bool stop;			/* the commit task is to end */
	/* the committer's: the committing transaction (detached) */
	struct fw_list ctx;
	struct fw_list chash[JTX_BUCKETS];	/* j->lock for readers */
	unsigned nctx;
	struct fw_list crev;		/* its revokes (struct jblk) */
	unsigned ncrev;

	struct fw_task *task;		/* the commit timer (kjournald2) */
};

/* commit.c */
/* Journal block lblk's physical block: 0 or -EIO (past the file). */
FW_MUST_CHECK int jbd2_jmap(const struct ext2_journal *j, uint32_t lblk, uint32_t *pblk);
/* Log blocks a transaction of n blocks and nrev revokes takes. */
uint32_t jbd2_log_blocks(const struct ext2_journal *j, unsigned n, unsigned nrev);
/* Does the log hold a copy of blk (j->lock held)? */
bool jbd2_logged(struct ext2_journal *j, uint32_t blk);
/* Commit the detached transaction (j->ctx, j->crev), then checkpoint if
 * the log is past half full or `checkpoint` asks. No handle open, s->lock
 * held. 0, or -EIO/-ENOMEM: journaling has stopped (j->aborted). */
FW_MUST_CHECK int jbd2_do_commit(struct ext2_journal *j, bool checkpoint);
/* Forget the committing transaction (unpinned; its revokes freed). */
void jbd2_release_tx(struct ext2_journal *j);
/* Forget the blocks the log holds (the log is empty or abandoned). */
void jbd2_logged_clear(struct ext2_journal *j);
/* Write the journal superblock's s_start (0: log empty) and s_sequence
 * (j->seq), and at open the features this writer uses. */
FW_MUST_CHECK int jbd2_jsb_update(struct ext2_journal *j, uint32_t start, bool features);

#endif
