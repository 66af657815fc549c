/* t_sem.c: System V semaphores (issue 14): semget, semop, semtimedop,
 * semctl, with Linux's semantics (man 2 semop: all operations or none,
 * SEM_UNDO undone at exit, IPC_RMID wakes sleepers with EIDRM, semop is
 * not restarted after a handler) and errors. Passes on Linux too (as
 * root; SEMOPM is 500 on both). */
#include "t.h"

#include <stdint.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

static int mkset(int n, int mode)
{
    return semget(IPC_PRIVATE, n, IPC_CREAT | mode);
}

static int op(int id, unsigned short num, short delta, short flg)
{
    struct sembuf b = { num, delta, flg };
    return semop(id, &b, 1);
}

/* Wait (generous deadline) until semaphore num of id has `want` waiters
 * of the given kind (GETNCNT or GETZCNT). */
static int wait_waiters(int id, int num, int cmd, int want)
{
    for (int i = 0; i < 60000; i++) {
        if (semctl(id, num, cmd) == want)
            return 0;
        usleep(1000);
    }
    return -1;
}

T_CASE(values_and_basic_ops)
{
    int id;
    unsigned short all[3] = { 1, 2, 3 }, back[3];
    T_SYSOK(id = mkset(3, 0600));
    T_EQ(semctl(id, 0, GETVAL), 0);
    T_SYSOK(semctl(id, 0, SETVAL, (union semun){ .val = 5 }));
    T_SYSOK(op(id, 0, -2, 0));
    T_EQ(semctl(id, 0, GETVAL), 3);
    T_EQ(semctl(id, 0, GETPID), getpid());
    T_SYSOK(semctl(id, 0, SETALL, (union semun){ .array = all }));
    T_SYSOK(semctl(id, 0, GETALL, (union semun){ .array = back }));
    T_ASSERT(memcmp(all, back, sizeof all) == 0);
    T_SYSOK(semctl(id, 0, IPC_RMID));
}

T_CASE(all_or_nothing)
{
    int id;
    struct sembuf two[2] = { { 0, -1, IPC_NOWAIT }, { 1, -1, IPC_NOWAIT } };
    T_SYSOK(id = mkset(2, 0600));
    T_SYSOK(semctl(id, 0, SETVAL, (union semun){ .val = 1 }));
    /* sem 1 is 0: the whole call fails and sem 0 keeps its 1. */
    T_ERRNO(semop(id, two, 2), EAGAIN);
    T_EQ(semctl(id, 0, GETVAL), 1);
    /* Wait-for-zero on a non-zero semaphore. */
    T_ERRNO(op(id, 0, 0, IPC_NOWAIT), EAGAIN);
    T_SYSOK(semctl(id, 0, IPC_RMID));
}

T_CASE(timed_wait_times_out)
{
    int id;
    struct sembuf b = { 0, -1, 0 };
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    T_SYSOK(id = mkset(1, 0600));
    T_ERRNO(semtimedop(id, &b, 1, &ts), EAGAIN);
    ts.tv_nsec = 1000000000;
    T_ERRNO(semtimedop(id, &b, 1, &ts), EINVAL);
    T_SYSOK(semctl(id, 0, IPC_RMID));
}

T_CASE(blocked_op_woken_by_another_process)
{
    int id;
    T_SYSOK(id = mkset(1, 0600));
    pid_t pid = t_fork();
    if (pid == 0)
        _exit(op(id, 0, -1, 0) == 0 ? 0 : 1);
    T_ASSERT(wait_waiters(id, 0, GETNCNT, 1) == 0);
    T_SYSOK(op(id, 0, 1, 0));
    T_EXITED(pid, 0);
    T_EQ(semctl(id, 0, GETVAL), 0);
    T_SYSOK(semctl(id, 0, IPC_RMID));
}

T_CASE(undo_at_exit)
{
    int id;
    T_SYSOK(id = mkset(1, 0600));
    T_SYSOK(semctl(id, 0, SETVAL, (union semun){ .val = 2 }));
    pid_t pid = t_fork();
    if (pid == 0)
        _exit(op(id, 0, 3, SEM_UNDO) == 0 && op(id, 0, -1, SEM_UNDO) == 0 ? 0 : 1);
    T_EXITED(pid, 0);
    /* +3 -1 undone: back to 2. */
    T_EQ(semctl(id, 0, GETVAL), 2);
    T_SYSOK(semctl(id, 0, IPC_RMID));
}

T_CASE(rmid_wakes_sleepers_with_eidrm)
{
    int id;
    T_SYSOK(id = mkset(1, 0600));
    pid_t pid = t_fork();
    if (pid == 0)
        _exit(op(id, 0, -1, 0) == -1 && errno == EIDRM ? 0 : 1);
    T_ASSERT(wait_waiters(id, 0, GETNCNT, 1) == 0);
    T_SYSOK(semctl(id, 0, IPC_RMID));
    T_EXITED(pid, 0);
    T_ERRNO(semctl(id, 0, GETVAL), EINVAL);
}

static void on_usr1(int sig)
{
    (void)sig;
}

T_CASE(signal_interrupts_even_with_sa_restart)
{
    int id;
    T_SYSOK(id = mkset(1, 0600));
    pid_t pid = t_fork();
    if (pid == 0) {
        struct sigaction sa = { 0 };
        sa.sa_handler = on_usr1;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGUSR1, &sa, NULL);
        _exit(op(id, 0, -1, 0) == -1 && errno == EINTR ? 0 : 1);
    }
    T_ASSERT(wait_waiters(id, 0, GETNCNT, 1) == 0);
    kill(pid, SIGUSR1);
    T_EXITED(pid, 0);
    T_SYSOK(semctl(id, 0, IPC_RMID));
}

T_CASE(keys_stat_and_set)
{
    key_t key = 0x5e3a0000 + (getpid() & 0xffff);
    struct semid_ds ds;
    int id, again;
    T_SYSOK(id = semget(key, 2, IPC_CREAT | IPC_EXCL | 0600));
    T_SYSOK(again = semget(key, 2, 0600));
    T_EQ(again, id);
    T_SYSOK(again = semget(key, 0, 0));
    T_EQ(again, id);
    T_ERRNO(semget(key, 2, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
    T_ERRNO(semget(key, 3, 0600), EINVAL);
    T_SYSOK(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
    T_EQ(ds.sem_nsems, 2);
    T_EQ(ds.sem_perm.mode & 0777, 0600);
    T_EQ(ds.sem_perm.uid, getuid());
    ds.sem_perm.mode = 0640;
    T_SYSOK(semctl(id, 0, IPC_SET, (union semun){ .buf = &ds }));
    T_SYSOK(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
    T_EQ(ds.sem_perm.mode & 0777, 0640);
    T_SYSOK(semctl(id, 0, IPC_RMID));
    T_ERRNO(semget(key, 2, 0600), ENOENT);
}

T_CASE(bad_arguments)
{
    int id;
    struct sembuf b = { 0, -1, IPC_NOWAIT }, big[501];
    T_ERRNO(semget(IPC_PRIVATE, -1, IPC_CREAT | 0600), EINVAL);
    T_ERRNO(semget(IPC_PRIVATE, 0, IPC_CREAT | 0600), EINVAL);
    T_SYSOK(id = mkset(1, 0600));
    T_ERRNO(semop(id, &b, 0), EINVAL);
    memset(big, 0, sizeof big);
    T_ERRNO(semop(id, big, 501), E2BIG);
    b.sem_num = 1;
    T_ERRNO(semop(id, &b, 1), EFBIG);
    T_ERRNO(semop(id + 1000000, &b, 1), EINVAL);
    T_ERRNO(semop(id, (struct sembuf *)8, 1), EFAULT);
    T_ERRNO(semctl(id, 0, SETVAL, (union semun){ .val = 40000 }), ERANGE);
    T_ERRNO(semctl(id, 5, GETVAL), EINVAL);
    T_ERRNO(semctl(id, 0, 999), EINVAL);
    T_SYSOK(semctl(id, 0, IPC_RMID));
}

T_CASE(permissions)
{
    int id;
    T_SYSOK(id = mkset(1, 0600));
    pid_t pid = t_fork();
    if (pid == 0) {
        if (setuid(65534) != 0)
            _exit(2);
        if (op(id, 0, 1, 0) != -1 || errno != EACCES)
            _exit(3);
        if (semctl(id, 0, GETVAL) != -1 || errno != EACCES)
            _exit(4);
        if (semctl(id, 0, IPC_RMID) != -1 || errno != EPERM)
            _exit(5);
        _exit(0);
    }
    T_EXITED(pid, 0);
    T_SYSOK(semctl(id, 0, IPC_RMID));
}

/* The /proc/sysvipc line of id in file, its key and perms (and a fourth
 * column: size, nsems or cbytes) parsed; 0 or -1 if there is none. */
static int ipc_line(const char *file, int id, int *key, unsigned *perms,
                    unsigned long long *fourth)
{
    static char buf[65536];
    int fd = open(file, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    for (char *l = strchr(buf, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        int k, i;
        if (sscanf(l + 1, "%d %d %o %llu", &k, &i, perms, fourth) == 4 && i == id) {
            *key = k;
            return 0;
        }
    }
    return -1;
}

/* /proc/sysvipc/{sem,shm,msg}: Linux's header, then a line per object
 * with its key, id, mode and size (util-linux ipcs reads these). */
T_CASE(proc_sysvipc_lists_each_object)
{
    int key;
    unsigned perms;
    unsigned long long v;
    int sem = semget(0x5e51, 3, IPC_CREAT | 0640);
    int shm = shmget(0x5e52, 10000, IPC_CREAT | 0600);
    int msg = msgget(0x5e53, IPC_CREAT | 0604);
    T_SYSOK(sem);
    T_SYSOK(shm);
    T_SYSOK(msg);
    T_SYSOK(ipc_line("/proc/sysvipc/sem", sem, &key, &perms, &v));
    T_EQ(key, 0x5e51);
    T_EQ(perms, 0640);
    T_EQ(v, 3);
    T_SYSOK(ipc_line("/proc/sysvipc/shm", shm, &key, &perms, &v));
    T_EQ(key, 0x5e52);
    T_EQ(perms, 0600);
    T_EQ(v, 10000);
    struct { long type; char t[5]; } m = { 1, "abcd" };
    T_SYSOK(msgsnd(msg, &m, 5, 0));
    T_SYSOK(ipc_line("/proc/sysvipc/msg", msg, &key, &perms, &v));
    T_EQ(key, 0x5e53);
    T_EQ(perms, 0604);
    T_EQ(v, 5);
    T_SYSOK(semctl(sem, 0, IPC_RMID));
    T_SYSOK(shmctl(shm, IPC_RMID, NULL));
    T_SYSOK(msgctl(msg, IPC_RMID, NULL));
    T_ASSERT(ipc_line("/proc/sysvipc/sem", sem, &key, &perms, &v) < 0);
}

int main(void)
{
    t_init("t_sem");
    T_RUN(values_and_basic_ops);
    T_RUN(proc_sysvipc_lists_each_object);
    T_RUN(all_or_nothing);
    T_RUN(timed_wait_times_out);
    T_RUN(blocked_op_woken_by_another_process);
    T_RUN(undo_at_exit);
    T_RUN(rmid_wakes_sleepers_with_eidrm);
    T_RUN(signal_interrupts_even_with_sa_restart);
    T_RUN(keys_stat_and_set);
    T_RUN(bad_arguments);
    T_RUN(permissions);
    return t_done();
}
