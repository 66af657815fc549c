/* t_sysfs.c: /sys/devices/system/cpu as programs read it (issue 11),
 * PCI devices as lspci reads them, CPU caches as lscpu and stress-ng do.
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

/* ---- PCI devices, as lspci and stress-ng's pci stressor read them ---- */

#define PCI_DEVS "/sys/bus/pci/devices"

/* A hex attribute ("0x8086\n") of device name: its value, or -1. */
static long pci_attr(const char *name, const char *attr)
{
    char path[256], text[64], *end;
    snprintf(path, sizeof path, PCI_DEVS "/%.32s/%s", name, attr);
    if (read_text(path, text, sizeof text) < 3 || strncmp(text, "0x", 2))
        return -1;
    long v = strtol(text, &end, 16);
    return *end == '\n' && end[1] == 0 ? v : -1;
}

/* Up to size bytes of name's config from offset 0; the count, or -1. */
static int pci_config(const char *name, unsigned char *buf, size_t size)
{
    char path[256];
    snprintf(path, sizeof path, PCI_DEVS "/%.32s/config", name);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t got = 0;
    ssize_t n;
    while (got < size && (n = pread(fd, buf + got, size - got, got)) > 0)
        got += (size_t)n;
    close(fd);
    return (int)got;
}

/* The device names under /sys/bus/pci/devices (at most max). */
static int pci_names(char (*names)[32], int max)
{
    DIR *d = opendir(PCI_DEVS);
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)) && n < max)
        if (e->d_name[0] != '.')
            snprintf(names[n++], 32, "%.31s", e->d_name);
    closedir(d);
    return n;
}

static char pci_dev[64][32];

/* Every device: DDDD:BB:DD.F, a link into /sys/devices/pci*, whose
 * vendor, device, class, revision and subsystem ids are the bytes of its
 * configuration space. */
T_CASE(pci_ids_match_config)
{
    int n = pci_names(pci_dev, 64);
    T_ASSERT(n > 0); /* QEMU and a real PC have a host bridge at least */
    for (int i = 0; i < n; i++) {
        const char *name = pci_dev[i];
        unsigned dom, bus, dev, fn;
        char path[256], link[256];
        unsigned char cfg[64];
        struct stat st;

        T_EQ(sscanf(name, "%4x:%2x:%2x.%1u", &dom, &bus, &dev, &fn), 4);
        T_EQ(strlen(name), 12);
        snprintf(path, sizeof path, PCI_DEVS "/%.32s", name);
        ssize_t k = readlink(path, link, sizeof link - 1);
        T_ASSERT(k > 0);
        link[k] = 0;
        T_ASSERT(strstr(link, "/devices/pci") != NULL);
        T_STREQ(strrchr(link, '/') + 1, name);
        T_SYSOK(stat(path, &st));
        T_ASSERT(S_ISDIR(st.st_mode));
        T_EQ(pci_config(name, cfg, 64), 64);
        T_EQ(pci_attr(name, "vendor"), cfg[0] | cfg[1] << 8);
        T_EQ(pci_attr(name, "device"), cfg[2] | cfg[3] << 8);
        T_EQ(pci_attr(name, "revision"), cfg[8]);
        T_EQ(pci_attr(name, "class"), cfg[9] | cfg[10] << 8 | cfg[11] << 16);
        if ((cfg[14] & 0x7f) == 0) {
            T_EQ(pci_attr(name, "subsystem_vendor"), cfg[0x2c] | cfg[0x2d] << 8);
            T_EQ(pci_attr(name, "subsystem_device"), cfg[0x2e] | cfg[0x2f] << 8);
        }
        /* A bound driver: driver links to bus/pci/drivers/NAME, which
         * links back to the device. */
        snprintf(path, sizeof path, PCI_DEVS "/%.32s/driver", name);
        k = readlink(path, link, sizeof link - 1);
        if (k > 0) {
            link[k] = 0;
            T_ASSERT(strstr(link, "bus/pci/drivers/") != NULL);
            snprintf(path, sizeof path, "/sys/bus/pci/drivers/%.64s/%.32s",
                     strrchr(link, '/') + 1, name);
            T_SYSOK(stat(path, &st));
            T_ASSERT(S_ISDIR(st.st_mode));
        }
        snprintf(path, sizeof path, PCI_DEVS "/%.32s/irq", name);
        T_ASSERT(read_text(path, link, sizeof link) > 1);
        T_ASSERT(link[0] >= '0' && link[0] <= '9');
    }
    t_emit("INFO t_sysfs: %d PCI functions", n);
}

/* config: 256 bytes (4096 with PCIe extended space) for root, the 64 of
 * the standard header for anyone else; nothing past the end. */
T_CASE(pci_config_by_privilege)
{
    unsigned char buf[4096];
    char path[256];
    int n = pci_names(pci_dev, 64);
    T_ASSERT(n > 0);
    if (geteuid() != 0) {
        t_emit("INFO t_sysfs: not root, only the unprivileged view checked");
    } else {
        int got = pci_config(pci_dev[0], buf, sizeof buf);
        T_ASSERT(got == 256 || got == 4096);
        snprintf(path, sizeof path, PCI_DEVS "/%.32s/config", pci_dev[0]);
        int fd = open(path, O_RDONLY);
        T_SYSOK(fd);
        T_EQ(pread(fd, buf, 16, got), 0);
        close(fd);
    }
    pid_t pid = t_fork();
    if (pid == 0) {
        if (geteuid() == 0 && setuid(65534) != 0)
            _exit(10);
        if (pci_config(pci_dev[0], buf, sizeof buf) != 64)
            _exit(11);
        snprintf(path, sizeof path, PCI_DEVS "/%.32s/config", pci_dev[0]);
        int fd = open(path, O_RDONLY);
        if (fd < 0 || pread(fd, buf, 16, 64) != 0)
            _exit(12);
        close(fd);
        if (open(path, O_WRONLY) >= 0 || errno != EACCES)
            _exit(13);
        _exit(0);
    }
    T_EXITED(pid, 0);
}

/* resource: Linux's "0x%016llx 0x%016llx 0x%016llx" lines, at least
 * the 6 BARs and the ROM; a decoded BAR starts where config says. */
T_CASE(pci_resource_lines_parse)
{
    int n = pci_names(pci_dev, 64);
    T_ASSERT(n > 0);
    for (int i = 0; i < n; i++) {
        char path[256], text[2048], *line;
        unsigned char cfg[64];
        int lines = 0;

        T_EQ(pci_config(pci_dev[i], cfg, 64), 64);
        snprintf(path, sizeof path, PCI_DEVS "/%.32s/resource", pci_dev[i]);
        T_ASSERT(read_text(path, text, sizeof text) > 0);
        for (line = text; *line; lines++) {
            unsigned long long start, end, flags;
            char *nl = strchr(line, '\n');
            T_ASSERT(nl && nl - line == 56);
            T_EQ(sscanf(line, "0x%16llx 0x%16llx 0x%16llx", &start, &end,
                        &flags), 3);
            if (flags)
                T_ASSERT(end >= start);
            if (lines < 6 && (cfg[14] & 0x7f) == 0 && (flags & 0x300)) {
                unsigned bar = cfg[0x10 + 4 * lines] |
                               cfg[0x11 + 4 * lines] << 8 |
                               cfg[0x12 + 4 * lines] << 16 |
                               (unsigned)cfg[0x13 + 4 * lines] << 24;
                unsigned mask = flags & 0x100 ? ~3u : ~15u;
                T_EQ((unsigned)start, bar & mask);
            }
            line = nl + 1;
        }
        T_ASSERT(lines >= 7);
    }
}

/* modalias and uevent, as udev and modprobe read them. */
T_CASE(pci_modalias_and_uevent)
{
    int n = pci_names(pci_dev, 64);
    T_ASSERT(n > 0);
    for (int i = 0; i < n; i++) {
        const char *name = pci_dev[i];
        char path[256], text[1024], want[128];
        long sv = pci_attr(name, "subsystem_vendor");
        long sd = pci_attr(name, "subsystem_device");
        long cls = pci_attr(name, "class");

        snprintf(want, sizeof want,
                 "pci:v%08lXd%08lXsv%08lXsd%08lXbc%02lXsc%02lXi%02lX\n",
                 pci_attr(name, "vendor"), pci_attr(name, "device"), sv, sd,
                 cls >> 16, (cls >> 8) & 0xff, cls & 0xff);
        snprintf(path, sizeof path, PCI_DEVS "/%.32s/modalias", name);
        T_ASSERT(read_text(path, text, sizeof text) > 0);
        T_STREQ(text, want);
        snprintf(path, sizeof path, PCI_DEVS "/%.32s/uevent", name);
        T_ASSERT(read_text(path, text, sizeof text) > 0);
        snprintf(want, sizeof want, "\nPCI_SLOT_NAME=%.32s\n", name);
        T_ASSERT(strstr(text, want) != NULL);
        snprintf(want, sizeof want, "PCI_ID=%04lX:%04lX\n",
                 pci_attr(name, "vendor"), pci_attr(name, "device"));
        T_ASSERT(strstr(text, want) != NULL);
    }
}

/* ---- CPU caches, as lscpu and stress-ng's cache stressors read them ---- */

/* A cache file of cpu/index as a number (size: with its unit), or -1. */
static long long cache_val(int cpu, int index, const char *attr)
{
    char path[256], text[64], *end;
    snprintf(path, sizeof path, CPU_DIR "/cpu%d/cache/index%d/%s", cpu, index,
             attr);
    if (read_text(path, text, sizeof text) <= 0)
        return -1;
    long long v = strtoll(text, &end, 10);
    if (end == text)
        return -1;
    if (!strcmp(attr, "size")) {
        /* stress-ng parses "%lu%c" and wants the unit */
        long long mul = *end == 'K' ? 1024 : *end == 'M' ? 1 << 20
                      : *end == 'G' ? 1 << 30 : 0;
        if (!mul || strcmp(end + 1, "\n"))
            return -1;
        return v * mul;
    }
    return *end == '\n' && end[1] == 0 ? v : -1;
}

/* cpu0 has an L1 data cache whose size is sets * ways * line size
 * (times the line partitions). */
T_CASE(cache_l1_data_consistent)
{
    char path[256], text[64];
    int found = 0;

    for (int i = 0; i < 16; i++) {
        snprintf(path, sizeof path, CPU_DIR "/cpu0/cache/index%d/type", i);
        if (read_text(path, text, sizeof text) <= 0)
            break;
        if (strcmp(text, "Data\n") || cache_val(0, i, "level") != 1)
            continue;
        found = 1;
        long long size = cache_val(0, i, "size");
        long long line = cache_val(0, i, "coherency_line_size");
        long long sets = cache_val(0, i, "number_of_sets");
        long long ways = cache_val(0, i, "ways_of_associativity");
        long long part = cache_val(0, i, "physical_line_partition");
        T_ASSERT(size >= 1024);
        T_ASSERT(line >= 16 && line <= 512);
        if (sets > 0 && ways > 0)
            T_EQ(size, sets * ways * line * (part > 0 ? part : 1));
        t_emit("INFO t_sysfs: L1d %lld bytes, %lld-byte lines, %lld ways",
               size, line, ways);
    }
    T_ASSERT(found);
}

/* Every index of every online CPU: a known type, a level, a size with
 * its unit, a line size; shared_cpu_list holds the CPU and
 * shared_cpu_map is the same set. */
T_CASE(cache_indexes_parse)
{
    char buf[256], path[256], text[256];
    unsigned char set[MAXCPU];

    T_ASSERT(read_text(CPU_DIR "/online", buf, sizeof buf) > 0);
    T_ASSERT(parse_list(buf, online) == 0);
    for (int cpu = 0; cpu < MAXCPU; cpu++) {
        int idx;
        if (!online[cpu])
            continue;
        for (idx = 0; idx < 16; idx++) {
            snprintf(path, sizeof path, CPU_DIR "/cpu%d/cache/index%d/type",
                     cpu, idx);
            if (read_text(path, text, sizeof text) <= 0)
                break;
            T_ASSERT(!strcmp(text, "Data\n") || !strcmp(text, "Instruction\n") ||
                     !strcmp(text, "Unified\n"));
            long long level = cache_val(cpu, idx, "level");
            T_ASSERT(level >= 1 && level <= 4);
            T_ASSERT(cache_val(cpu, idx, "size") > 0);
            T_ASSERT(cache_val(cpu, idx, "coherency_line_size") > 0);
            snprintf(path, sizeof path,
                     CPU_DIR "/cpu%d/cache/index%d/shared_cpu_list", cpu, idx);
            T_ASSERT(read_text(path, text, sizeof text) > 0);
            T_ASSERT(parse_list(text, set) == 0);
            T_ASSERT(set[cpu]);
            /* The map: hex in comma-separated 32-bit groups. */
            snprintf(path, sizeof path,
                     CPU_DIR "/cpu%d/cache/index%d/shared_cpu_map", cpu, idx);
            T_ASSERT(read_text(path, text, sizeof text) > 0);
            int groups = 1;
            for (char *c = text; *c && *c != '\n'; c++)
                groups += *c == ',';
            char *c = text;
            for (int g = groups - 1; g >= 0; g--) {
                char *end;
                unsigned long v = strtoul(c, &end, 16);
                T_ASSERT(end > c && (*end == ',' || *end == '\n'));
                for (int b = 0; b < 32; b++) {
                    int id = g * 32 + b;
                    if (id < MAXCPU && ((v >> b) & 1) != set[id])
                        T_FAIL("cpu%d index%d: map bit %d != list", cpu, idx,
                               id);
                }
                c = end + 1;
            }
        }
        if (cpu == 0)
            T_ASSERT(idx > 0);
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
    T_RUN(pci_ids_match_config);
    T_RUN(pci_config_by_privilege);
    T_RUN(pci_resource_lines_parse);
    T_RUN(pci_modalias_and_uevent);
    T_RUN(cache_l1_data_consistent);
    T_RUN(cache_indexes_parse);
    return t_done();
}
