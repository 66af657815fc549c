/* services/fs/notify/fsnotify.h: where the VFS reports file-system events
 * to inotify (notify/inotify.c).
 *
 * Layer: services (safe C), fs, after Linux include/linux/fsnotify.h.
 * Each hook costs one atomic load while nobody watches anything. They
 * run in task context, after the operation succeeded; lock order:
 * vfs_ns_lock and inode locks, then the notify lock (a leaf: nothing in
 * notify/ calls back into a file system while holding it). */
#ifndef SERVICES_FS_NOTIFY_FSNOTIFY_H
#define SERVICES_FS_NOTIFY_FSNOTIFY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* The event bits of linux/inotify.h. */
#define IN_ACCESS 0x00000001u
#define IN_MODIFY 0x00000002u
#define IN_ATTRIB 0x00000004u
#define IN_CLOSE_WRITE 0x00000008u
#define IN_CLOSE_NOWRITE 0x00000010u
#define IN_OPEN 0x00000020u
#define IN_MOVED_FROM 0x00000040u
#define IN_MOVED_TO 0x00000080u
#define IN_CREATE 0x00000100u
#define IN_DELETE 0x00000200u
#define IN_DELETE_SELF 0x00000400u
#define IN_MOVE_SELF 0x00000800u
#define IN_ALL_EVENTS 0x00000fffu
#define IN_UNMOUNT 0x00002000u
#define IN_Q_OVERFLOW 0x00004000u
#define IN_IGNORED 0x00008000u
#define IN_ISDIR 0x40000000u

struct inode;
struct file;
struct kname;

/* Is anybody watching anything? (the hooks' fast path) */
extern _Atomic unsigned fsnotify_watches;

/* mask on ino itself, and with name on dir when a watch of dir wants its
 * children's events (dir may be NULL: no parent event). */
void fsnotify_inode_event(struct inode *dir, const struct kname *name,
			  struct inode *ino, uint32_t mask);
/* A name appeared in (IN_CREATE) or left (IN_DELETE) dir; isdir adds
 * IN_ISDIR. */
void fsnotify_name(struct inode *dir, const struct kname *name,
		   struct inode *child, uint32_t mask);
/* Linux d_delete's report: the last name of ino went (IN_DELETE_SELF,
 * then its watches end with IN_IGNORED), else its link count changed
 * (IN_ATTRIB). */
void fsnotify_unlinked(struct inode *ino);
/* rename(2): from odir/oname to ndir/nname (IN_MOVED_FROM and _TO with
 * one cookie, IN_MOVE_SELF on moved). */
void fsnotify_move(struct inode *odir, const struct kname *oname,
		   struct inode *ndir, const struct kname *nname,
		   struct inode *moved);
/* An open file's access (IN_ACCESS), change (IN_MODIFY), open
 * (IN_OPEN) or last close (IN_CLOSE_WRITE / _NOWRITE by its mode). */
void fsnotify_file(struct file *f, uint32_t mask);
void fsnotify_close(struct file *f);

static inline bool fsnotify_active(void)
{
	return atomic_load_explicit(&fsnotify_watches, memory_order_relaxed);
}

#endif
