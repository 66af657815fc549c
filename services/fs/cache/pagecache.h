/* services/fs/cache/pagecache.h: the page cache of disk files.
 *
 * Layer: services (safe C), fs. A disk file's pages, once read, stay in
 * memory as frames indexed by page number (a radix tree per inode), so a
 * warm read is one copy from the frame to the user, and mmap maps the
 * very frames read() and write() see: shared mappings are coherent with
 * the file and with each other, private ones copy on write.
 *
 * Write policy: write() stores its bytes both in the page (caching it if
 * it was not) and in the file's blocks in the block cache, which does the
 * write-back as for metadata and then lets the blocks go
 * (bcache_get_data, block/bcache.h): a file's data is kept once, here. A write through a shared writable
 * mapping reaches only the frame: such a page is marked "mapped for
 * writing" when a write first makes it writable (a read maps it
 * read-only, services/mm/mm.h) and is written to the block cache
 * (by the file system's writepage) on fsync, msync, sync, unmount, and by
 * the flusher 30 s after it was marked (Linux's dirty_expire_centisecs).
 * A write-back first takes the page out of every process that maps it
 * (vfs_unmap_page, through the memory service's per-inode lists of
 * mappings; Linux write-protects instead), then writes it and clears the
 * mark: the next write faults and marks it again, so each write-back
 * writes only pages written since the last. A page whose write failed
 * loses its mark too (Linux's behaviour; the error is reported once, by
 * the next fsync). A file with
 * no name left (unlinked) is written only by fsync and msync: its marked
 * pages stay in memory until its last user goes and they are dropped, as
 * Linux drops an unlinked inode's pages at eviction.
 *
 * Reclaim: every cached page is on one LRU list. When free memory runs
 * below a low watermark as a page is about to be cached (pcache_balance),
 * or an allocation finds none (fw_frame_set_reclaim), the oldest
 * pages that nobody maps and that are not marked are dropped, with a
 * second chance for pages read since the last scan. pcache_balance, which
 * runs with no lock held, goes on to mapped pages: it takes each out of
 * every process's page tables (vfs_unmap_page, the memory service's
 * per-inode lists of mappings), writes it if marked, and drops it; the
 * next access faults it in again. A marked inode holds
 * a reference on its inode (the flusher's), so eviction never meets a
 * page it would have to write.
 *
 * Locking: a file's tree and its pages' marks are guarded by inode->lock;
 * the LRU, the list of inodes with marked pages and the counters by
 * pcache_lock (taken after inode->lock; the reclaimer, holding it,
 * only ever trylocks an inode). No frame is allocated under
 * pcache_lock, so the reclaim hook can always take it. */
#ifndef SERVICES_FS_CACHE_PAGECACHE_H
#define SERVICES_FS_CACHE_PAGECACHE_H

#include <fw/compiler.h>
#include <fw/frame.h>

struct inode;

/* Under inode->lock: page idx of ino, referenced (fw_frame_put it), or
 * NULL if it is not cached. */
struct fw_frame *pcache_lookup(struct inode *ino, uint64_t idx);
/* Under inode->lock: cache fr (filled with the file's bytes) as page idx;
 * the cache takes its own reference. 0, -EEXIST, -ENOMEM. */
FW_MUST_CHECK int pcache_add(struct inode *ino, uint64_t idx,
			     struct fw_frame *fr);
/* Under inode->lock: the file's size goes from old to new. Pages wholly
 * past new are dropped (their marks with them: the bytes are gone), and
 * the bytes of the page holding min(old, new) past it read as zero. */
void pcache_resize(struct inode *ino, uint64_t old, uint64_t new);
/* Under inode->lock: cached page idx is being mapped writable. */
void pcache_mark_mapped_write(struct inode *ino, uint64_t idx);

/* Write ino's marked pages with its iops->writepage (takes inode->lock).
 * 0, or the first error since the last call reported one. */
FW_MUST_CHECK int pcache_writeback(struct inode *ino);
/* pcache_writeback of every inode with marked pages (sync, unmount,
 * poweroff). 0 or the first error. */
FW_MUST_CHECK int pcache_sync_all(void);
/* posix_fadvise(POSIX_FADV_DONTNEED): drop ino's clean pages nobody
 * maps from first to last (takes inode->lock). */
void pcache_drop_range(struct inode *ino, uint64_t first, uint64_t last);
/* The inode is being evicted: drop all its pages. */
void pcache_evict(struct inode *ino);

/* Drop up to want clean, unmapped pages, oldest first; how many went.
 * Pages of a file whose inode->lock someone holds are skipped. */
uint64_t pcache_reclaim(uint64_t want);
/* Before allocating a page to cache, with no lock held: reclaim a batch
 * if free memory is below the low watermark, and if clean unmapped pages
 * do not make it, pages processes map (unmapped from them first, written
 * back first if marked). */
void pcache_balance(void);
/* After marking a page, with no lock held: past 20 % of memory marked
 * (Linux's dirty_ratio), write some marked pages back and unmap them. */
void pcache_throttle(void);

/* For /proc/meminfo: cached pages, and those marked (dirty). */
uint64_t pcache_pages(void);
uint64_t pcache_marked_pages(void);

/* Register the reclaim hook and start the flusher (boot). 0 or -errno. */
FW_MUST_CHECK int pcache_init(void);

#endif
