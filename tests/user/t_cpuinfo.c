/* t_cpuinfo.c: the CPU's identity as user space sees it (issue 11):
 * /proc/cpuinfo and the auxiliary vector must agree with what the cpuid
 * instruction tells the program itself, as on Linux (arch/x86/kernel/cpu/
 * proc.c prints CPUID; AT_HWCAP is CPUID.1:EDX; AT_HWCAP2 bit 1 says the
 * kernel enabled FSGSBASE, which Linux 5.9+ does wherever the CPU has it).
 * Passes on Linux too. */
#include "t.h"

#include <cpuid.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>

static char info[65536];

static int read_cpuinfo(void)
{
    int fd = open("/proc/cpuinfo", O_RDONLY);
    ssize_t n, got = 0;

    if (fd < 0)
        return -1;
    while (got < (ssize_t)sizeof(info) - 1 &&
           (n = read(fd, info + got, sizeof(info) - 1 - got)) > 0)
        got += n;
    close(fd);
    info[got] = 0;
    return (int)got;
}

/* The value of the first "key\t: value" line, or NULL. */
static const char *field(const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    for (const char *l = info; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, key, klen) == 0 && (l[klen] == '\t' || l[klen] == ' ')) {
            const char *v = strchr(l, ':');
            const char *e = strchr(l, '\n');
            if (!v || !e)
                return NULL;
            v += 2;
            if ((size_t)(e - v) >= size)
                return NULL;
            memcpy(out, v, e - v);
            out[e - v] = 0;
            return out;
        }
    }
    return NULL;
}

static int has_flag(const char *flags, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = flags; (p = strstr(p, name)) != NULL; p += n)
        if ((p == flags || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
            return 1;
    return 0;
}

T_CASE(vendor_and_model)
{
    unsigned a, b, c, d;
    char vendor[13], got[128], want[16];

    T_ASSERT(read_cpuinfo() > 0);
    __cpuid(0, a, b, c, d);
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    vendor[12] = 0;
    T_ASSERT(field("vendor_id", got, sizeof(got)) != NULL);
    if (!(strcmp(got, vendor) == 0)) T_FAIL("vendor_id '%s', cpuid '%s'", got, vendor);
    __cpuid(1, a, b, c, d);
    unsigned fam = (a >> 8) & 0xf, model = (a >> 4) & 0xf;
    if (fam == 0xf)
        fam += (a >> 20) & 0xff;
    if (((a >> 8) & 0xf) == 6 || ((a >> 8) & 0xf) == 0xf)
        model |= ((a >> 16) & 0xf) << 4;
    snprintf(want, sizeof(want), "%u", fam);
    T_ASSERT(field("cpu family", got, sizeof(got)) != NULL);
    if (!(strcmp(got, want) == 0)) T_FAIL("cpu family '%s', cpuid %s", got, want);
    snprintf(want, sizeof(want), "%u", model);
    T_ASSERT(field("model", got, sizeof(got)) != NULL);
    if (!(strcmp(got, want) == 0)) T_FAIL("model '%s', cpuid %s", got, want);
    snprintf(want, sizeof(want), "%u", a & 0xf);
    T_ASSERT(field("stepping", got, sizeof(got)) != NULL);
    if (!(strcmp(got, want) == 0)) T_FAIL("stepping '%s', cpuid %s", got, want);
}

T_CASE(one_entry_per_cpu)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    int entries = 0;

    T_ASSERT(read_cpuinfo() > 0);
    for (const char *p = info; (p = strstr(p, "processor\t:")) != NULL; p++)
        entries++;
    if (!(entries == n)) T_FAIL("%d entries, %ld CPUs online", entries, n);
}

T_CASE(flags_follow_cpuid)
{
    unsigned a, b, c, d;
    static char flags[8192];

    T_ASSERT(read_cpuinfo() > 0);
    T_ASSERT(field("flags", flags, sizeof(flags)) != NULL);
    __cpuid(1, a, b, c, d);
    T_ASSERT(has_flag(flags, "fpu") == !!(d & 1));
    T_ASSERT(has_flag(flags, "sse2") == !!(d & (1u << 26)));
    T_ASSERT(has_flag(flags, "pni") == !!(c & 1));
    T_ASSERT(has_flag(flags, "hypervisor") == !!(c & (1u << 31)));
    __cpuid(0x80000001, a, b, c, d);
    T_ASSERT(has_flag(flags, "lm") == !!(d & (1u << 29)));
    T_ASSERT(has_flag(flags, "nx") == !!(d & (1u << 20)));
    if (__get_cpuid_max(0, 0) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        T_ASSERT(has_flag(flags, "smep") == !!(b & (1u << 7)));
        T_ASSERT(has_flag(flags, "smap") == !!(b & (1u << 20)));
    }
}

T_CASE(auxv_hwcap)
{
    unsigned a, b, c, d;
    const char *plat = (const char *)getauxval(AT_PLATFORM);

    __cpuid(1, a, b, c, d);
    if (!(getauxval(AT_HWCAP) == d)) T_FAIL("AT_HWCAP %#lx, CPUID.1:EDX %#x",
             getauxval(AT_HWCAP), d);
    T_ASSERT(plat != NULL && strcmp(plat, "x86_64") == 0);
    if (__get_cpuid_max(0, 0) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        if (!!(getauxval(AT_HWCAP2) & 2) != !!(b & 1))
            T_FAIL("AT_HWCAP2 %#lx, FSGSBASE %u", getauxval(AT_HWCAP2), b & 1);
    }
}

int main(void)
{
    t_init("cpuinfo");
    T_RUN(vendor_and_model);
    T_RUN(one_entry_per_cpu);
    T_RUN(flags_follow_cpuid);
    T_RUN(auxv_hwcap);
    return t_done();
}
