/* tools/profile/insn-count.c: a QEMU TCG plugin that counts the guest
 * instructions each kernel translation block executes.
 *
 * Host tool, not kernel code. Debian's QEMU loads plugins (-plugin) but
 * ships neither the contrib plugins nor <qemu-plugin.h>, so the handful of
 * declarations this plugin uses are restated below from QEMU's documented
 * plugin API (version 1, QEMU 7.x). Each translated block at or above
 * `min=` (the kernel's link address) gets an inline counter; blocks below
 * it (user space) add to one total. At exit the plugin writes
 * "vaddr insns-per-block executions" lines and the user total to `out=`,
 * which tools/profile.sh turns into a per-function table. Under TCG the
 * instruction count is a steady measure of work, where wall time is noisy. */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- QEMU plugin API (include/qemu/qemu-plugin.h), the parts used --- */
typedef uint64_t qemu_plugin_id_t;
struct qemu_info_t;
struct qemu_plugin_tb;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*tb_trans_cb)(qemu_plugin_id_t, struct qemu_plugin_tb *);
typedef void (*udata_cb)(qemu_plugin_id_t, void *);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, tb_trans_cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *,
					      enum qemu_plugin_op, void *,
					      uint64_t);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, udata_cb, void *);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *);
__attribute__((visibility("default"))) int qemu_plugin_version = 1;
/* --- end of the API --- */

struct block {
	uint64_t vaddr, insns, execs;
};

#define CHUNK 4096
struct chunk {
	struct block b[CHUNK];
	size_t used;
	struct chunk *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct chunk *chunks;
static uint64_t min_vaddr = 0xffffffff80000000ull;
static uint64_t user_insns;
static const char *out_path = "insn-count.txt";

/* Blocks are never freed: a retranslated block gets a new counter and
 * the report sums them by address. */
static struct block *new_block(void)
{
	struct block *b;

	pthread_mutex_lock(&lock);
	if (!chunks || chunks->used == CHUNK) {
		struct chunk *c = calloc(1, sizeof(*c));
		if (!c) {
			pthread_mutex_unlock(&lock);
			return NULL;
		}
		c->next = chunks;
		chunks = c;
	}
	b = &chunks->b[chunks->used++];
	pthread_mutex_unlock(&lock);
	return b;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	size_t n = qemu_plugin_tb_n_insns(tb);
	struct block *b;

	(void)id;
	if (vaddr < min_vaddr) {
		qemu_plugin_register_vcpu_tb_exec_inline(
			tb, QEMU_PLUGIN_INLINE_ADD_U64, &user_insns, n);
		return;
	}
	b = new_block();
	if (!b)
		return;
	b->vaddr = vaddr;
	b->insns = n;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->execs, 1);
}

static void write_report(qemu_plugin_id_t id, void *unused)
{
	FILE *f = fopen(out_path, "w");

	(void)id, (void)unused;
	if (!f) {
		perror(out_path);
		return;
	}
	fprintf(f, "user %" PRIu64 "\n", user_insns);
	for (struct chunk *c = chunks; c; c = c->next)
		for (size_t i = 0; i < c->used; i++)
			if (c->b[i].execs)
				fprintf(f, "%" PRIx64 " %" PRIu64 " %" PRIu64 "\n",
					c->b[i].vaddr, c->b[i].insns,
					c->b[i].execs);
	fclose(f);
}

__attribute__((visibility("default"))) int
qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
		    int argc, char **argv)
{
	(void)info;
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "out=", 4) == 0)
			out_path = strdup(argv[i] + 4);
		else if (strncmp(argv[i], "min=", 4) == 0)
			min_vaddr = strtoull(argv[i] + 4, NULL, 0);
		else {
			fprintf(stderr, "insn-count: unknown argument %s\n", argv[i]);
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, write_report, NULL);
	return 0;
}
