/* tests/unit/fw_host_ext2.h: what the ext2 host shims offer the test. */
#ifndef TEST_FW_HOST_EXT2_H
#define TEST_FW_HOST_EXT2_H

#include <stddef.h>
#include <stdint.h>

struct blkdev;
struct fw_frame;

#define HOST_LOG_MAX 65536
extern char host_log[HOST_LOG_MAX];	/* every log line since the last clear */
extern int host_log_warnings;		/* lines at warning level or worse */
extern int host_verbose;		/* echo log lines to stderr */
extern long host_live_inodes;		/* struct inodes allocated, not freed */
void host_log_clear(void);
struct cred;
extern struct cred host_cred;		/* fs_cred(): root unless changed */

const uint8_t *host_frame_bytes(const struct fw_frame *f);
uint8_t *host_frame_bytes_rw(struct fw_frame *f);
extern unsigned host_frame_mapcount;	/* every frame's mapping count */
extern unsigned host_unmap_calls;	/* vfs_unmap_mapping calls */

/* Open an image file as disk d named name. 0 or -errno. */
int host_disk_open(struct blkdev *d, const char *path, const char *name);
/* A disk over len bytes of memory (a multiple of 512 is used). */
int host_disk_open_mem(struct blkdev *d, uint8_t *mem, size_t len,
		       const char *name);
void host_disk_close(struct blkdev *d);
void host_disk_fail_writes(struct blkdev *d, int on);
/* Write requests to go before a power cut (-1: no cut): every later
 * write is dropped, silently. host_disk_writes counts every request. */
extern long host_disk_write_budget;
extern long host_disk_writes;

#endif
