/* services/net/inet/csum.c: the Internet checksum (RFC 1071).
 *
 * Layer: services (safe C), net/inet; pure (see csum.h). Eight bytes at a
 * time: a 64-bit big-endian load adds two 32-bit halves to a 64-bit
 * accumulator, which cannot overflow for any packet up to 64 MiB; the
 * fold at the end is the same sum as word by word (one's complement
 * addition is associative and the byte order fixed). */
#include "net/inet/csum.h"

static uint32_t fold32(uint64_t s)
{
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint32_t inet_csum_add(uint32_t sum, struct fw_bytes b)
{
	struct fw_reader r;
	uint64_t acc = sum, v64;
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;

	fw_reader_init(&r, b);
	while (!fw_reader_u64_be(&r, &v64))
		acc += (v64 >> 32) + (v64 & 0xffffffffu);
	if (!fw_reader_u32_be(&r, &v32))
		acc += v32;
	if (!fw_reader_u16_be(&r, &v16))
		acc += v16;
	if (!fw_reader_u8(&r, &v8))
		acc += (uint32_t)v8 << 8;
	return fold32(acc);
}

uint16_t inet_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t inet_csum_pseudo(uint32_t saddr, uint32_t daddr, uint8_t proto,
			  uint32_t len)
{
	/* Addresses are numbers (host order): their two 16-bit halves are
	 * the big-endian words of the header. (Taking them as network
	 * order, bswapped here, made every TCP and UDP checksum wrong once
	 * packets left lo, where no checksum is checked.) */
	uint64_t acc = 0;

	acc += saddr;
	acc += daddr;
	acc += proto;
	acc += len;
	return fold32(acc);
}
