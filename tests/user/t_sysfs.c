/* t_sysfs.c: /sys/devices/system/cpu as programs read it (issue 11).
 *
 * lscpu, stress-ng and glibc's get_nprocs read the CPU lists there. The
 * lists must be well formed, nest (online within present within
 * possible), agree with the CPUs the process may run on, and every online
 * CPU has its cpuN directory; the tree is read-only, with Linux's errors
 * (kernfs has no create, mkdir or unlink). Expects sysfs on /sys (the
 * test init mounts it). Passes on Linux too. */
#include "t.h"

#include <dirent.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/statfs.h>

#define SYSFS_MAGIC 0x62656572
#define CPU_DIR "/sys/devices/system/cpu"
#define MAXCPU 1024

static int read_text(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = 0;
    return (int)n;
}

/* Parse a cpulist ("0-3,5\n") into set[]; -1 if malformed. */
static int parse_list(const char *s, unsigned char *set)
{
    memset(set, 0, MAXCPU);
    if (*s == '\n' || !*s)
        return 0;
    for (;;) {
        char *end;
        long a = strtol(s, &end, 10), b = a;
        if (end == s || a < 0 || a >= MAXCPU)
            return -1;
        s = end;
        if (*s == '-') {
            b = strtol(s + 1, &end, 10);
            if (end == s + 1 || b < a || b >= MAXCPU)
                return -1;
            s = end;
        }
        for (long i = a; i <= b; i++)
            set[i] = 1;
        if (*s == ',') {
            s++;
            continue;
        }
        return *s == '\n' && s[1] == 0 ? 0 : -1;
    }
}

static int count(const unsigned char *set)
{
    int n = 0;
    for (int i = 0; i < MAXCPU; i++)
        n += set[i];
    return n;
}

static unsigned char online[MAXCPU], present[MAXCPU], possible[MAXCPU];

T_CASE(mounted_as_sysfs)
{
    struct statfs sf;
    T_SYSOK(statfs("/sys", &sf));
    T_EQ(sf.f_type, SYSFS_MAGIC);
}

T_CASE(cpu_lists_nest)
{
    char buf[256];
    T_ASSERT(read_text(CPU_DIR "/online", buf, sizeof buf) > 0);
    T_ASSERT(parse_list(buf, online) == 0);
    T_ASSERT(read_text(CPU_DIR "/present", buf, sizeof buf) > 0);
    T_ASSERT(parse_list(buf, present) == 0);
    T_ASSERT(read_text(CPU_DIR "/possible", buf, sizeof buf) > 0);
    T_ASSERT(parse_list(buf, possible) == 0);
    T_ASSERT(online[0]);
    for (int i = 0; i < MAXCPU; i++) {
        if (online[i] && !present[i])
            T_FAIL("cpu %d online, not present", i);
        if (present[i] && !possible[i])
            T_FAIL("cpu %d present, not possible", i);
    }
}

T_CASE(online_matches_affinity)
{
    cpu_set_t cs;
    char buf[256];
    CPU_ZERO(&cs);
    T_SYSOK(sched_getaffinity(0, sizeof cs, &cs));
    T_ASSERT(read_text(CPU_DIR "/online", buf, sizeof buf) > 0);
    T_ASSERT(parse_list(buf, online) == 0);
    /* Nothing here restricts affinity, so every online CPU is allowed. */
    T_EQ(CPU_COUNT(&cs), count(online));
    T_EQ(sysconf(_SC_NPROCESSORS_ONLN), count(online));
}

T_CASE(kernel_max_covers_possible)
{
    char buf[64];
    T_ASSERT(read_text(CPU_DIR "/kernel_max", buf, sizeof buf) > 0);
    long max = strtol(buf, NULL, 10);
    T_ASSERT(read_text(CPU_DIR "/possible", buf, sizeof buf) > 0);
    T_ASSERT(parse_list(buf, possible) == 0);
    for (int i = 0; i < MAXCPU; i++)
        if (possible[i] && i > max)
            T_FAIL("cpu %d possible, kernel_max %ld", i, max);
}

T_CASE(a_directory_per_online_cpu)
{
    char buf[256], path[128];
    struct stat st;
    T_ASSERT(read_text(CPU_DIR "/online", buf, sizeof buf) > 0);
    T_ASSERT(parse_list(buf, online) == 0);
    for (int i = 0; i < MAXCPU; i++) {
        if (!online[i])
            continue;
        snprintf(path, sizeof path, CPU_DIR "/cpu%d", i);
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            T_FAIL("%s is not a directory", path);
        /* cpuN/online, where there is one, says 1 for an online CPU. */
        snprintf(path, sizeof path, CPU_DIR "/cpu%d/online", i);
        if (read_text(path, buf, sizeof buf) > 0 && strcmp(buf, "1\n") != 0)
            T_FAIL("%s says '%s'", path, buf);
    }
    /* readdir lists them too. */
    DIR *d = opendir(CPU_DIR);
    T_ASSERT(d != NULL);
    int dirs = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end;
        if (strncmp(e->d_name, "cpu", 3) == 0 && e->d_name[3] >= '0' &&
            e->d_name[3] <= '9' && (strtol(e->d_name + 3, &end, 10), !*end))
            dirs++;
    }
    closedir(d);
    T_ASSERT(dirs >= count(online));
}

T_CASE(read_only_with_linux_errors)
{
    T_ERRNO(open(CPU_DIR "/online", O_WRONLY), EACCES);
    T_ERRNO(open(CPU_DIR "/newfile", O_WRONLY | O_CREAT, 0644), EACCES);
    T_ERRNO(mkdir(CPU_DIR "/newdir", 0755), EPERM);
    T_ERRNO(unlink(CPU_DIR "/online"), EPERM);
    T_ERRNO(symlink("online", CPU_DIR "/link"), EPERM);
}

/* Every disk /sys/block lists, as lsblk reads it: block/NAME and
 * dev/block/MAJ:MIN lead to one directory whose dev agrees with the
 * device node's number and whose size with the disk's; its queue has
 * the sector sizes. Also the huge page policy allocators read. */
T_CASE(block_devices_as_lsblk_reads_them)
{
    char path[512], text[128], link[512];
    struct dirent *e;
    int disks = 0;
    DIR *d = opendir("/sys/block");

    T_ASSERT(d != NULL);
    T_SYSOK(access("/sys/dev/block", X_OK));
    T_SYSOK(access("/sys/class/block", X_OK));
    while ((e = readdir(d)) != NULL) {
        unsigned maj, min;
        unsigned long long sectors;
        struct stat st;

        if (e->d_name[0] == '.' || strncmp(e->d_name, "loop", 4) == 0 ||
            strncmp(e->d_name, "ram", 3) == 0)
            continue;
        snprintf(path, sizeof path, "/sys/block/%s/dev", e->d_name);
        T_ASSERT(read_text(path, text, sizeof text) > 0);
        T_EQ(sscanf(text, "%u:%u", &maj, &min), 2);
        snprintf(path, sizeof path, "/sys/dev/block/%u:%u", maj, min);
        ssize_t n = readlink(path, link, sizeof link - 1);
        T_ASSERT(n > 0);
        link[n] = 0;
        const char *base = strrchr(link, '/');
        T_STREQ(base ? base + 1 : link, e->d_name);
        snprintf(path, sizeof path, "/sys/dev/block/%u:%u/size", maj, min);
        T_ASSERT(read_text(path, text, sizeof text) > 0);
        sectors = strtoull(text, NULL, 10);
        snprintf(path, sizeof path, "/dev/%s", e->d_name);
        if (stat(path, &st) == 0) {
            T_EQ(major(st.st_rdev), maj);
            T_EQ(minor(st.st_rdev), min);
            int fd = open(path, O_RDONLY);
            if (fd >= 0) {
                off_t end = lseek(fd, 0, SEEK_END);
                close(fd);
                T_EQ((unsigned long long)end, sectors * 512);
            }
        }
        snprintf(path, sizeof path, "/sys/block/%s/queue/logical_block_size",
                 e->d_name);
        T_ASSERT(read_text(path, text, sizeof text) > 0);
        T_ASSERT(atoi(text) >= 512);
        disks++;
    }
    closedir(d);
    t_emit("INFO t_sysfs: %d disks", disks);
    T_ASSERT(read_text("/sys/kernel/mm/transparent_hugepage/enabled", text,
                       sizeof text) > 0);
    T_ASSERT(strchr(text, '[') != NULL);
}

/* /sys/class/tty/NAME/dev and /sys/dev/char/MAJ:MIN agree with the
 * device nodes of /dev/tty and /dev/ptmx. */
T_CASE(tty_class_agrees_with_dev)
{
    static const char *names[] = { "tty", "ptmx" };
    char path[128], text[64], link[256];

    for (unsigned i = 0; i < 2; i++) {
        unsigned maj, min;
        struct stat st;

        snprintf(path, sizeof path, "/sys/class/tty/%s/dev", names[i]);
        T_ASSERT(read_text(path, text, sizeof text) > 0);
        T_EQ(sscanf(text, "%u:%u", &maj, &min), 2);
        snprintf(path, sizeof path, "/dev/%s", names[i]);
        T_SYSOK(stat(path, &st));
        T_EQ(major(st.st_rdev), maj);
        T_EQ(minor(st.st_rdev), min);
        snprintf(path, sizeof path, "/sys/dev/char/%u:%u", maj, min);
        ssize_t n = readlink(path, link, sizeof link - 1);
        T_ASSERT(n > 0);
        link[n] = 0;
        T_STREQ(strrchr(link, '/') + 1, names[i]);
    }
}

int main(void)
{
    t_init("t_sysfs");
    T_RUN(mounted_as_sysfs);
    T_RUN(cpu_lists_nest);
    T_RUN(online_matches_affinity);
    T_RUN(kernel_max_covers_possible);
    T_RUN(a_directory_per_online_cpu);
    T_RUN(read_only_with_linux_errors);
    T_RUN(block_devices_as_lsblk_reads_them);
    T_RUN(tty_class_agrees_with_dev);
    return t_done();
}
