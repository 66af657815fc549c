/* services/drivers/char/random.c: a ChaCha20 generator with fast key erasure.
 *
 * Layer: services (safe C). The output function is ChaCha20 (RFC 8439
 * block function) keyed by a 256-bit key; after every request the first
 * 32 bytes of fresh keystream replace the key (Bernstein's "fast key
 * erasure"), so a later compromise of the state does not reveal earlier
 * output.
 *
 * The seed: where the CPU has RDSEED or RDRAND (fw_cpu_random), eight
 * 64-bit values from it, folded into the 256-bit key. Without them the key is seeded only from the monotonic clock
 * (TSC-derived), the wall clock and the timing jitter of a few thousand
 * clock reads, which is enough for hash-table seeds and mktemp names, NOT
 * against an attacker who can guess the boot time (QEMU's default qemu64
 * CPU has neither instruction). Every request mixes in the current clock.
 * When a virtio-rng device is present, its driver mixes 64 bytes from the
 * host into the key at boot and once a minute (random_add_entropy), which
 * makes the output as good as the host's /dev/urandom. */
#include <fw/cpu.h>
#include <fw/sync.h>
#include <fw/time.h>
#include <fw/uaccess.h>

#include "drivers/char/random.h"
#include "fs/vfs/uapi.h" /* GRND_* */
#include "syscall/nr.h"
#include "syscall/syscall.h"

struct chacha {
	uint32_t key[8];
	uint64_t counter;
	bool seeded;
};

static struct fw_spinlock random_lock = FW_SPINLOCK_INIT("random");
static struct chacha random_state; /* random_lock */

static uint32_t rotl(uint32_t v, unsigned n)
{
	return (v << n) | (v >> (32 - n));
}

#define QR(x, a, b, c, d)                                                      \
	do {                                                                   \
		x[a] += x[b]; x[d] = rotl(x[d] ^ x[a], 16);                    \
		x[c] += x[d]; x[b] = rotl(x[b] ^ x[c], 12);                    \
		x[a] += x[b]; x[d] = rotl(x[d] ^ x[a], 8);                     \
		x[c] += x[d]; x[b] = rotl(x[b] ^ x[c], 7);                     \
	} while (0)

struct chacha_block {
	uint32_t w[16];
};

static void chacha20_block(const struct chacha *s, uint64_t nonce,
			   struct chacha_block *out)
{
	uint32_t in[16] = {
		0x61707865, 0x3320646e, 0x79622d32, 0x6b206574,
		s->key[0], s->key[1], s->key[2], s->key[3],
		s->key[4], s->key[5], s->key[6], s->key[7],
		(uint32_t)s->counter, (uint32_t)(s->counter >> 32),
		(uint32_t)nonce, (uint32_t)(nonce >> 32),
	};
	uint32_t x[16];

	for (unsigned i = 0; i < 16; i++)
		x[i] = in[i];
	for (unsigned i = 0; i < 10; i++) {
		QR(x, 0, 4, 8, 12);
		QR(x, 1, 5, 9, 13);
		QR(x, 2, 6, 10, 14);
		QR(x, 3, 7, 11, 15);
		QR(x, 0, 5, 10, 15);
		QR(x, 1, 6, 11, 12);
		QR(x, 2, 7, 8, 13);
		QR(x, 3, 4, 9, 14);
	}
	for (unsigned i = 0; i < 16; i++)
		out->w[i] = x[i] + in[i];
}

/* random_lock held. */
static void seed_locked(void)
{
	uint64_t acc = fw_time_ns() ^ (fw_time_realtime_ns() << 1);

	for (unsigned i = 0; i < 8; i++) {
		/* Clock-read jitter: weak, see the head comment. */
		for (unsigned j = 0; j < 512; j++)
			acc = acc * 6364136223846793005ull + fw_time_ns();
		random_state.key[i] ^= (uint32_t)(acc >> 17) ^ (uint32_t)acc;
	}
	for (unsigned i = 0; i < 8; i++) {
		uint64_t hw;

		if (fw_cpu_random(&hw))
			break; /* no generator: the clocks are all there is */
		random_state.key[i] ^= (uint32_t)hw ^ (uint32_t)(hw >> 32);
	}
	random_state.seeded = true;
}

static void rekey(void);

void random_add_entropy(struct fw_bytes in)
{
	fw_spin_lock(&random_lock);
	if (!random_state.seeded)
		seed_locked();
	for (size_t i = 0; i + 4 <= fw_bytes_len(in); i += 4) {
		uint32_t w = 0;

		if (fw_bytes_get_u32_le(in, i, &w))
			break;
		random_state.key[(i / 4) % 8] ^= w;
	}
	fw_spin_unlock(&random_lock);
	rekey();
}

/* Produce one 64-byte block, mixing the clock into the nonce. */
static void next_block(struct chacha_block *out)
{
	fw_spin_lock(&random_lock);
	if (!random_state.seeded)
		seed_locked();
	chacha20_block(&random_state, fw_time_ns(), out);
	random_state.counter++;
	fw_spin_unlock(&random_lock);
}

/* Fast key erasure at the end of each request. */
static void rekey(void)
{
	struct chacha_block b;

	next_block(&b);
	fw_spin_lock(&random_lock);
	for (unsigned i = 0; i < 8; i++)
		random_state.key[i] = b.w[i];
	fw_spin_unlock(&random_lock);
}

void random_bytes(struct fw_buf out)
{
	size_t len = fw_buf_len(out), done = 0;

	while (done < len) {
		struct chacha_block b;
		struct fw_bytes src = FW_BYTES_OF_OBJ(&b);
		size_t n = len - done < sizeof(b) ? len - done : sizeof(b);

		next_block(&b);
		if (fw_bytes_sub(src, 0, n, &src) ||
		    fw_buf_copy_from(out, done, src))
			break;
		done += n;
	}
	rekey();
}

long random_to_user(fw_uptr_t dst, size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct chacha_block b;
		struct fw_bytes src = FW_BYTES_OF_OBJ(&b);
		size_t n = len - done < sizeof(b) ? len - done : sizeof(b);

		next_block(&b);
		if (fw_bytes_sub(src, 0, n, &src) ||
		    fw_copy_out(fw_uptr_add(dst, done), src))
			break;
		done += n;
	}
	rekey();
	if (done == 0 && len)
		return -EFAULT;
	return (long)done;
}

static long sys_getrandom(const struct sys_args *a)
{
	unsigned flags = (unsigned)a->arg[2];
	size_t len = a->arg[1];

	if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
		return -EINVAL;
	if (len > 0x1ffffff)
		len = 0x1ffffff; /* Linux caps one call at 32 MiB - 1 */
	return random_to_user(fw_uptr(a->arg[0]), len);
}

static const struct sys_entry random_syscalls[] = {
	{ __NR_getrandom, "getrandom", sys_getrandom },
};

void random_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(random_syscalls);
}
