/* t_lockstat.c: lock statistics (issue 16), Linux's CONFIG_LOCK_STAT
 * interface: /proc/sys/kernel/lock_stat switches them, /proc/lock_stat
 * shows them ("lock_stat version 0.4", a line per lock class, most
 * contended first) and clears them when 0 is written to it. Only root
 * may do either. Linux has the files only when built with LOCK_STAT
 * (Debian's is not), so this runs here only. */
#include "t.h"

#include <pthread.h>
#include <sys/wait.h>

#define SWITCH "/proc/sys/kernel/lock_stat"
#define TABLE "/proc/lock_stat"

static int write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = write(fd, text, strlen(text));
    close(fd);
    return n < 0 ? -1 : 0;
}

static char table[1 << 16];

static ssize_t read_table(void)
{
    int fd = open(TABLE, O_RDONLY);
    ssize_t n, got = 0;

    if (fd < 0)
        return -1;
    while ((n = read(fd, table + got, sizeof table - 1 - (size_t)got)) > 0)
        got += n;
    close(fd);
    table[got] = 0;
    return got;
}

/* Sum of the acquisitions column (the last) over the class lines. */
static unsigned long long total_acquisitions(void)
{
    unsigned long long sum = 0;
    char *line = strchr(table, '\n');

    line = line ? strchr(line + 1, '\n') : NULL; /* past the header */
    while (line && line[1]) {
        char *end = strchr(line + 1, '\n');
        char *last = end ? end : line + strlen(line);
        while (last > line && last[-1] != ' ')
            last--;
        sum += strtoull(last, NULL, 10);
        line = end;
    }
    return sum;
}

static void *churn(void *arg)
{
    (void)arg;
    for (int i = 0; i < 300; i++) {
        int fd = open("/proc/self/status", O_RDONLY);
        if (fd >= 0)
            close(fd);
        int p[2];
        if (pipe(p) == 0)
            close(p[0]), close(p[1]);
    }
    return NULL;
}

T_CASE(switch_counts_and_clears)
{
    char buf[8] = { 0 };
    pthread_t th[4];
    int fd;

    T_ASSERT(write_text(SWITCH, "1\n") == 0);
    T_SYSOK(fd = open(SWITCH, O_RDONLY));
    T_ASSERT(read(fd, buf, sizeof buf - 1) > 0);
    close(fd);
    T_ASSERT(buf[0] == '1');
    for (int i = 0; i < 4; i++)
        T_ASSERT(pthread_create(&th[i], NULL, churn, NULL) == 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    T_ASSERT(read_table() > 0);
    T_ASSERT(strncmp(table, "lock_stat version 0.4", 21) == 0);
    T_ASSERT(strstr(table, "contentions") && strstr(table, "acquisitions"));
    unsigned long long before = total_acquisitions();
    T_ASSERT(before > 1000); /* 4 x 300 opens and pipes take many locks */
    /* Off: nothing is counted any more. */
    T_ASSERT(write_text(SWITCH, "0") == 0);
    T_ASSERT(read_table() > 0);
    unsigned long long off1 = total_acquisitions();
    churn(NULL);
    T_ASSERT(read_table() > 0);
    T_EQ(total_acquisitions(), off1);
    /* Cleared: back to (nearly) nothing. */
    T_ASSERT(write_text(TABLE, "0\n") == 0);
    T_ASSERT(read_table() > 0);
    T_ASSERT(total_acquisitions() < before);
    T_EQ(total_acquisitions(), 0);
}

T_CASE(bad_writes_and_permissions)
{
    T_ASSERT(write_text(SWITCH, "2") == -1 && errno == EINVAL);
    T_ASSERT(write_text(SWITCH, "x") == -1 && errno == EINVAL);
    T_ASSERT(write_text(TABLE, "5") == -1 && errno == EINVAL);
    pid_t c = fork();
    if (c == 0) {
        if (setuid(65534) != 0)
            _exit(9);
        int a = open(SWITCH, O_WRONLY) == -1 && errno == EACCES;
        int b = open(TABLE, O_RDONLY) == -1 && errno == EACCES;
        _exit(a && b ? 0 : 1);
    }
    int st;
    T_SYSOK(waitpid(c, &st, 0));
    T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void)
{
    t_init("lockstat");
    T_RUN(switch_counts_and_clears);
    T_RUN(bad_writes_and_permissions);
    return t_done();
}
