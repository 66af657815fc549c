/* tests/unit/fw_host_net.h: what fw_host_net.c lets a host test see and
 * drive: live allocation counts and the clock. */
#ifndef TEST_FW_HOST_NET_H
#define TEST_FW_HOST_NET_H

#include <stdint.h>

/* Objects (FW_NEW) and buffers (fw_buf_alloc) allocated and not freed. */
extern long host_live_objs;
extern long host_live_bufs;
/* fw_time_ns(): moves only when the test (or fw_sleep_ns) moves it. */
extern uint64_t host_now_ns;
/* Print the kernel log on stderr. */
extern int host_net_verbose;

#endif
