/* services/fs/event/epoll.h: epoll instances, eventfd, and anonymous files.
 *
 * Layer: services (safe C), VFS. See epoll.c for the design. */
#ifndef SERVICES_FS_EPOLL_H
#define SERVICES_FS_EPOLL_H

#include "fs/vfs/vfs.h"

/* Set up epoll's global lock (once, before any process runs). */
void epoll_init(void);
/* The last reference to f went: drop every epoll registration of it
 * (Linux eventpoll_release). Called by file_put when f->ep_count != 0. */
void epoll_file_release(struct file *f);
/* A file on a fresh anonymous inode (mode 0600, as Linux's anon_inode)
 * with O_* flags, or NULL (-ENOMEM). */
struct file *anon_file_create(const struct file_ops *ops, unsigned flags,
			      const char *name);

#endif
