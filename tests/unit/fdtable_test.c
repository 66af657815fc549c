/* tests/unit/fdtable_test.c: descriptor allocation in services/fs/vfs/
 * fdtable.c: the lowest free descriptor (POSIX), searched from a hint
 * and a bitmap of open descriptors, across chunks, against the caller's
 * RLIMIT_NOFILE; dup2's fixed slot, fork's copy, close-on-exec, and a
 * long random sequence checked against a plain array model.
 *
 * Layer: host unit test. The table's chunks come from calloc, so ASan
 * catches a chunk used after free; file references are counted.
 *
 * unit-sources: services/fs/vfs/fdtable.c */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/sync.h>

#include "../../services/fs/vfs/fdtable.h"
/* The service's uapi.h has Linux's FD_SETSIZE; the C library's headers
 * below define it again (the same 1024). */
#undef FD_SETSIZE
#include "harness.h"

/* ---- host stand-ins for what fdtable.c calls ---------------------------- */

static uint64_t nofile = 1024; /* current_rlimit(RLIMIT_NOFILE) */
static long refs;              /* file_get minus file_put */

void *fw__alloc_typed(struct fw__type_key *key)
{
	return calloc(1, key->size);
}

void fw_free(void *obj)
{
	free(obj);
}

void fw_spin_init(struct fw_spinlock *l, const char *name)
{
	(void)l;
	(void)name;
}

void fw_spin_lock(struct fw_spinlock *l)
{
	(void)l;
}

void fw_spin_unlock(struct fw_spinlock *l)
{
	(void)l;
}

uint64_t current_rlimit(unsigned resource)
{
	(void)resource;
	return nofile;
}

void file_get(struct file *f)
{
	if (f)
		refs++;
}

void file_put(struct file *f)
{
	if (f)
		refs--;
}

void locks_remove_posix(const struct fdtable *t, const struct file *f)
{
	(void)t;
	(void)f;
}

void locks_remove_table(const struct fdtable *t)
{
	(void)t;
}

/* Distinct files: only their addresses matter here. */
static struct file *files;
#define FILE_N(i) (&files[(i) % 64])

/* Install one reference to a file (the caller's, taken over). */
static int install(struct fdtable *t, int min)
{
	int fd;

	refs++;
	fd = fd_install_from(t, FILE_N(min), 0, min);
	if (fd < 0)
		refs--;
	return fd;
}

static void fill(struct fdtable *t, int n)
{
	for (int i = 0; i < n; i++)
		(void)install(t, 0);
}

/* ---- cases -------------------------------------------------------------- */

static void lowest_free_is_reused(void)
{
	struct fdtable *t = fdtable_create();

	nofile = 1024;
	fill(t, 10);
	CHECK(fd_close(t, 3) == 0);
	CHECK(fd_close(t, 7) == 0);
	CHECK(fd_close(t, 7) == -EBADF);
	CHECK(install(t, 0) == 3);
	CHECK(install(t, 0) == 7);
	CHECK(install(t, 0) == 10);
	fdtable_put(t);
	CHECK(refs == 0);
}

static void install_from_a_minimum_keeps_the_hole(void)
{
	struct fdtable *t = fdtable_create();

	nofile = 1024;
	fill(t, 10);
	CHECK(fd_close(t, 2) == 0);
	CHECK(install(t, 5) == 10); /* F_DUPFD 5: not the hole at 2 */
	CHECK(install(t, 0) == 2);
	CHECK(install(t, 0) == 11);
	CHECK(install(t, 100) == 100);
	CHECK(install(t, 0) == 12);
	fdtable_put(t);
	CHECK(refs == 0);
}

static void second_chunk_is_made_when_needed(void)
{
	struct fdtable *t = fdtable_create();

	nofile = 4096;
	fill(t, FD_CHUNK + 50);
	CHECK(fdtable_next_fd(t, FD_CHUNK) == FD_CHUNK);
	CHECK(fd_close(t, FD_CHUNK + 20) == 0);
	CHECK(fd_close(t, 1) == 0);
	CHECK(install(t, 0) == 1);
	CHECK(install(t, 0) == FD_CHUNK + 20);
	CHECK(install(t, 3000) == 3000); /* the third chunk */
	CHECK(fdtable_next_fd(t, FD_CHUNK + 50) == 3000);
	CHECK(fdtable_next_fd(t, 3001) == -1);
	fdtable_put(t);
	CHECK(refs == 0);
}

static void the_limit_gives_emfile(void)
{
	struct fdtable *t = fdtable_create();

	nofile = 10;
	fill(t, 10);
	CHECK(!fd_available(t));
	CHECK(install(t, 0) == -EMFILE);
	CHECK(install(t, 9) == -EMFILE);
	CHECK(fd_close(t, 4) == 0);
	CHECK(fd_available(t));
	CHECK(install(t, 5) == -EMFILE); /* only 4 is free */
	CHECK(install(t, 0) == 4);
	nofile = 64; /* a descriptor above a lowered limit stays usable */
	CHECK(install(t, 63) == 63);
	CHECK(install(t, 64) == -EMFILE);
	fdtable_put(t);
	CHECK(refs == 0);
}

static void dup2_slot_and_next_fd(void)
{
	struct fdtable *t = fdtable_create();
	int seen[4], n = 0;

	nofile = 1024;
	fill(t, 3);
	refs++;
	CHECK(fd_install_at(t, 3, FILE_N(9), 0) == 0); /* the hint's slot */
	refs++;
	CHECK(fd_install_at(t, 700, FILE_N(9), 0) == 0);
	refs++;
	CHECK(fd_install_at(t, 700, FILE_N(8), 0) == 0); /* replaces one */
	CHECK(install(t, 0) == 4);
	for (int fd = fdtable_next_fd(t, 2); fd >= 0 && n < 4;
	     fd = fdtable_next_fd(t, fd + 1))
		seen[n++] = fd;
	CHECK(n == 4 && seen[0] == 2 && seen[1] == 3 && seen[2] == 4 &&
	      seen[3] == 700);
	CHECK(fd_install_at(t, 1024, FILE_N(1), 0) == -EBADF);
	fdtable_put(t);
	CHECK(refs == 0);
}

static void fork_copies_and_allocates_lowest(void)
{
	struct fdtable *t = fdtable_create(), *c = NULL;

	nofile = 4096;
	fill(t, 8);
	CHECK(install(t, 2000) == 2000);
	CHECK(fd_close(t, 5) == 0);
	CHECK(fdtable_fork(t, &c) == 0);
	CHECK(fd_get(c, 2000) == FILE_N(2000));
	file_put(FILE_N(2000));
	CHECK(install(c, 0) == 5);
	CHECK(install(c, 0) == 8);
	CHECK(install(t, 0) == 5); /* the parent's table is its own */
	fdtable_put(c);
	fdtable_put(t);
	CHECK(refs == 0);
}

static void close_on_exec_frees_lowest(void)
{
	struct fdtable *t = fdtable_create();

	nofile = 1024;
	fill(t, 6);
	CHECK(fd_set_cloexec(t, 1, true) == 0);
	CHECK(fd_set_cloexec(t, 4, true) == 0);
	fdtable_close_on_exec(t);
	CHECK(fd_get(t, 1) == NULL && fd_get(t, 4) == NULL);
	CHECK(install(t, 0) == 1);
	CHECK(install(t, 0) == 4);
	CHECK(install(t, 0) == 6);
	fdtable_put(t);
	CHECK(refs == 0);
}

/* Random opens, F_DUPFD, dup2s and closes against an array of which
 * descriptors are open: every allocation must be the lowest free one at
 * or above its minimum. */
static void random_sequence_matches_model(void)
{
	enum { LIMIT = 2500, STEPS = 60000 };
	static bool open_fd[LIMIT];
	struct fdtable *t = fdtable_create();
	unsigned seed = 12345;

	nofile = LIMIT;
	for (int i = 0; i < LIMIT; i++)
		open_fd[i] = false;
	for (int step = 0; step < STEPS; step++) {
		unsigned op;
		int fd, want = -EMFILE;

		seed = seed * 1103515245u + 12345u;
		op = (seed >> 16) % 8;
		seed = seed * 1103515245u + 12345u;
		fd = (int)((seed >> 8) % LIMIT);
		if (op < 3) { /* open (from 0), or F_DUPFD from fd */
			int min = op == 0 ? fd : 0;

			for (int i = min; i < LIMIT; i++)
				if (!open_fd[i]) {
					want = i;
					break;
				}
			CHECKF(install(t, min) == want, "step %d: min %d", step,
			       min);
			if (want >= 0)
				open_fd[want] = true;
		} else if (op == 3) { /* dup2 */
			refs++;
			CHECK(fd_install_at(t, fd, FILE_N(fd), 0) == 0);
			open_fd[fd] = true;
		} else { /* close, most often: the table keeps emptying */
			CHECKF(fd_close(t, fd) == (open_fd[fd] ? 0 : -EBADF),
			       "step %d: close %d", step, fd);
			open_fd[fd] = false;
		}
		if (step % 997 == 0) {
			int next = -1;

			for (int i = fd; i < LIMIT && next < 0; i++)
				if (open_fd[i])
					next = i;
			CHECKF(fdtable_next_fd(t, fd) == next, "step %d", step);
		}
	}
	fdtable_put(t);
	CHECK(refs == 0);
}

int main(void)
{
	static struct file pool[64]; /* zeroed: no ops, so no flush */

	files = pool;
	TEST_SUITE("unit.fdtable");
	RUN(lowest_free_is_reused);
	RUN(install_from_a_minimum_keeps_the_hole);
	RUN(second_chunk_is_made_when_needed);
	RUN(the_limit_gives_emfile);
	RUN(dup2_slot_and_next_fd);
	RUN(fork_copies_and_allocates_lowest);
	RUN(close_on_exec_frees_lowest);
	RUN(random_sequence_matches_model);
	return harness_failed;
}
