/* services/fs/sysfs/sysfs_internal.h: what the files of the sysfs folder
 * share.
 *
 * Layer: services (safe C), private to services/fs/sysfs. sysfs.c owns
 * the superblock, the node helpers and the open path; sysfs_pci.c
 * (/sys/bus/pci, /sys/devices/pci0000:00) and sysfs_cache.c
 * (/sys/devices/system/cpu/cpuN/cache) add their subtrees with the
 * helpers below and generate their files' text when one is opened.
 *
 * A regular file's inode number is SYSFS_FILE | attr << 16 | index: attr
 * says what the file shows (the ranges below say which file of the folder
 * generates it), index which device, CPU or cache it is about. */
#ifndef SERVICES_FS_SYSFS_INTERNAL_H
#define SERVICES_FS_SYSFS_INTERNAL_H

#include <fw/compiler.h>

#include "fs/procfs/procfs.h"
#include "fs/vfs/vfs.h"

/* attr ranges: sysfs.c's own files are below SA_PCI_FIRST. */
#define SA_PCI_FIRST 64		/* Linux's CPU mask (%*pb: hex in 32-bit groups, comma-separated, as
 * wide as the possible CPUs) and list ("a-b") of CPUs first..last
 * (sysfs_cache.c). */
void sysfs_put_cpumask(struct procfs_seq *s, unsigned first, unsigned last);
void sysfs_put_cpulist(struct procfs_seq *s, unsigned first, unsigned last);

/* sysfs_pci.c: 64..95 */
#define SA_PCI_LAST 95
#define SA_CACHE_FIRST 96	/* sysfs_cache.c: 96..127 */
#define SA_CACHE_LAST 127

/* A new node named name in dir: a directory (S_IFDIR mode), or the file
 * showing attr of index (S_IFREG). NULL if memory ran out. The tree keeps
 * the only reference, in dir's entry list, for good. */
struct inode *sysfs_add_node(struct inode *dir, const struct kname *name,
			     uint32_t mode, unsigned attr, unsigned index);
/* The read-only (0444) file name in dir showing attr of index, or NULL. */
struct inode *sysfs_add_file(struct inode *dir, const char *name,
			     unsigned attr, unsigned index);
/* A symbolic link name in dir to target (relative to dir); false if
 * memory ran out. */
bool sysfs_add_link(struct inode *dir, const char *name, const char *target);
/* The directory name in dir, made if it is not there yet (dir NULL:
 * NULL, so calls can be chained). */
struct inode *sysfs_subdir(struct inode *dir, const char *name);

/* Linux's CPU mask (%*pb: hex in 32-bit groups, comma-separated, as
 * wide as the possible CPUs) and list ("a-b") of CPUs first..last
 * (sysfs_cache.c). */
void sysfs_put_cpumask(struct procfs_seq *s, unsigned first, unsigned last);
void sysfs_put_cpulist(struct procfs_seq *s, unsigned first, unsigned last);

/* sysfs_pci.c: /sys/devices/pci0000:00/DDDD:BB:DD.F/ for every PCI
 * function the framework found, /sys/bus/pci/devices/ linking to them,
 * /sys/bus/pci/drivers/. false if memory ran out. */
bool sysfs_pci_build(struct inode *root);
/* The text (or, for config, the bytes) of PCI file attr of the index-th
 * device: 0, -ENODEV or -EINVAL. */
int sysfs_pci_generate(unsigned attr, unsigned index, struct procfs_seq *s);

/* sysfs_cache.c: cpuN/cache/indexM/ under the CPU's directory cpu_dir.
 * false if memory ran out. */
bool sysfs_cache_build(struct inode *cpu_dir, unsigned cpu);
int sysfs_cache_generate(unsigned attr, unsigned index,
			 struct procfs_seq *s);

#endif
