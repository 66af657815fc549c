/* t_msg.c: System V message queues (issue 14): msgget, msgsnd, msgrcv,
 * msgctl with Linux's semantics (man 2 msgop: type selection, MSG_EXCEPT,
 * MSG_NOERROR, E2BIG keeps the message, IPC_NOWAIT, blocking on a full
 * queue, EIDRM on removal, EINTR never restarted) and errors. Passes on
 * Linux too (as root; MSGMAX 8192 and MSGMNB 16384 are the defaults). */
#include "t.h"

#include <sys/ipc.h>
#include <sys/msg.h>

struct m {
    long type;
    char text[8200];
};

static int mkq(int mode)
{
    return msgget(IPC_PRIVATE, IPC_CREAT | mode);
}

static int snd(int q, long type, const char *s, int flg)
{
    struct m b;
    b.type = type;
    strcpy(b.text, s);
    return msgsnd(q, &b, strlen(s), flg);
}

/* Wait (generous deadline) until the queue's msg_qnum is `n`. */
static int wait_qnum(int q, unsigned long n)
{
    struct msqid_ds ds;
    for (int i = 0; i < 60000; i++) {
        if (msgctl(q, IPC_STAT, &ds) == 0 && ds.msg_qnum == n)
            return 0;
        usleep(1000);
    }
    return -1;
}

T_CASE(fifo_and_types)
{
    int q;
    struct m b;
    T_SYSOK(q = mkq(0600));
    T_SYSOK(snd(q, 5, "five", 0));
    T_SYSOK(snd(q, 2, "two", 0));
    T_SYSOK(snd(q, 9, "nine", 0));
    T_SYSOK(snd(q, 2, "two-b", 0));
    /* type 2: the first of type 2. */
    T_EQ(msgrcv(q, &b, sizeof b.text, 2, 0), 3);
    T_ASSERT(b.type == 2 && memcmp(b.text, "two", 3) == 0);
    /* -5: the lowest type <= 5 (2, the remaining one). */
    T_EQ(msgrcv(q, &b, sizeof b.text, -5, 0), 5);
    T_ASSERT(b.type == 2 && memcmp(b.text, "two-b", 5) == 0);
    /* MSG_EXCEPT 5: the first not of type 5. */
    T_EQ(msgrcv(q, &b, sizeof b.text, 5, MSG_EXCEPT), 4);
    T_EQ(b.type, 9);
    /* 0: the first. */
    T_EQ(msgrcv(q, &b, sizeof b.text, 0, 0), 4);
    T_EQ(b.type, 5);
    T_ERRNO(msgrcv(q, &b, sizeof b.text, 0, IPC_NOWAIT), ENOMSG);
    T_SYSOK(msgctl(q, IPC_RMID, NULL));
}

T_CASE(too_big_and_noerror)
{
    int q;
    struct m b;
    T_SYSOK(q = mkq(0600));
    T_SYSOK(snd(q, 1, "abcdef", 0));
    T_ERRNO(msgrcv(q, &b, 3, 0, IPC_NOWAIT), E2BIG);
    /* Still there; MSG_NOERROR takes it cut. */
    T_EQ(msgrcv(q, &b, 3, 0, IPC_NOWAIT | MSG_NOERROR), 3);
    T_ASSERT(memcmp(b.text, "abc", 3) == 0);
    T_ERRNO(msgrcv(q, &b, 3, 0, IPC_NOWAIT), ENOMSG);
    T_SYSOK(msgctl(q, IPC_RMID, NULL));
}

T_CASE(full_queue_blocks_until_room)
{
    int q;
    struct m b;
    struct msqid_ds ds;
    T_SYSOK(q = mkq(0600));
    T_SYSOK(msgctl(q, IPC_STAT, &ds));
    ds.msg_qbytes = 16; /* room for two 8-byte messages */
    T_SYSOK(msgctl(q, IPC_SET, &ds));
    T_SYSOK(snd(q, 1, "12345678", 0));
    T_SYSOK(snd(q, 1, "abcdefgh", 0));
    T_ERRNO(snd(q, 1, "x", IPC_NOWAIT), EAGAIN);
    pid_t pid = t_fork();
    if (pid == 0)
        _exit(snd(q, 1, "late", 0) == 0 ? 0 : 1);
    /* The child sleeps until a receive makes room. */
    T_EQ(msgrcv(q, &b, sizeof b.text, 0, 0), 8);
    T_EXITED(pid, 0);
    T_ASSERT(wait_qnum(q, 2) == 0);
    T_SYSOK(msgctl(q, IPC_RMID, NULL));
}

T_CASE(receiver_woken_by_sender)
{
    int q;
    T_SYSOK(q = mkq(0600));
    pid_t pid = t_fork();
    if (pid == 0) {
        struct m b;
        _exit(msgrcv(q, &b, sizeof b.text, 7, 0) == 2 && b.type == 7 ? 0 : 1);
    }
    /* Another type first: the child keeps waiting for its 7. */
    T_SYSOK(snd(q, 3, "no", 0));
    T_SYSOK(snd(q, 7, "hi", 0));
    T_EXITED(pid, 0);
    T_ASSERT(wait_qnum(q, 1) == 0);
    T_SYSOK(msgctl(q, IPC_RMID, NULL));
}

/* Wait (generous deadline) until process pid sleeps ('S' in its stat). */
static int wait_sleeping(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    for (int i = 0; i < 60000; i++) {
        int fd = open(path, O_RDONLY);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        if (fd >= 0)
            close(fd);
        if (n > 0) {
            buf[n] = 0;
            char *e = strrchr(buf, ')');
            if (e && e[1] == ' ' && e[2] == 'S')
                return 0;
        }
        usleep(1000);
    }
    return -1;
}

T_CASE(rmid_wakes_with_eidrm)
{
    int q, p[2];
    char c;
    T_SYSOK(q = mkq(0600));
    T_SYSOK(pipe(p));
    pid_t pid = t_fork();
    if (pid == 0) {
        struct m b;
        close(p[0]);
        /* After this write the only place it can sleep is msgrcv. */
        if (write(p[1], "r", 1) != 1)
            _exit(2);
        _exit(msgrcv(q, &b, sizeof b.text, 0, 0) == -1 && errno == EIDRM ? 0 : 1);
    }
    close(p[1]);
    T_EQ(read(p[0], &c, 1), 1);
    close(p[0]);
    T_ASSERT(wait_sleeping(pid) == 0);
    T_SYSOK(msgctl(q, IPC_RMID, NULL));
    T_EXITED(pid, 0);
}

T_CASE(stat_set_and_info)
{
    key_t key = 0x6d5a0000 + (getpid() & 0xffff);
    struct msqid_ds ds;
    struct msginfo mi;
    int q, again;
    T_SYSOK(q = msgget(key, IPC_CREAT | IPC_EXCL | 0640));
    T_SYSOK(again = msgget(key, 0));
    T_EQ(again, q);
    T_ERRNO(msgget(key, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
    T_SYSOK(snd(q, 1, "abc", 0));
    T_SYSOK(msgctl(q, IPC_STAT, &ds));
    T_EQ(ds.msg_qnum, 1);
    T_EQ(ds.msg_cbytes, 3);
    T_EQ(ds.msg_qbytes, 16384);
    T_EQ(ds.msg_lspid, getpid());
    T_EQ(ds.msg_perm.mode & 0777, 0640);
    T_SYSOK(msgctl(q, IPC_INFO, (struct msqid_ds *)&mi));
    T_EQ(mi.msgmax, 8192);
    T_EQ(mi.msgmnb, 16384);
    T_SYSOK(msgctl(q, IPC_RMID, NULL));
    T_ERRNO(msgget(key, 0), ENOENT);
}

T_CASE(bad_arguments_and_permissions)
{
    int q;
    struct m b;
    T_SYSOK(q = mkq(0600));
    b.type = 0;
    T_ERRNO(msgsnd(q, &b, 1, 0), EINVAL);
    b.type = 1;
    T_ERRNO(msgsnd(q, &b, 8193, 0), EINVAL);
    T_ERRNO(msgsnd(q, (void *)8, 1, 0), EFAULT);
    T_ERRNO(msgsnd(q + 1000000, &b, 1, 0), EINVAL);
    T_ERRNO(msgrcv(q, &b, (size_t)-1, 0, IPC_NOWAIT), EINVAL);
    T_ERRNO(msgctl(q, 999, NULL), EINVAL);
    pid_t pid = t_fork();
    if (pid == 0) {
        if (setuid(65534) != 0)
            _exit(2);
        if (snd(q, 1, "x", IPC_NOWAIT) != -1 || errno != EACCES)
            _exit(3);
        if (msgctl(q, IPC_RMID, NULL) != -1 || errno != EPERM)
            _exit(4);
        _exit(0);
    }
    T_EXITED(pid, 0);
    T_SYSOK(msgctl(q, IPC_RMID, NULL));
}

int main(void)
{
    t_init("t_msg");
    T_RUN(fifo_and_types);
    T_RUN(too_big_and_noerror);
    T_RUN(full_queue_blocks_until_room);
    T_RUN(receiver_woken_by_sender);
    T_RUN(rmid_wakes_with_eidrm);
    T_RUN(stat_set_and_info);
    T_RUN(bad_arguments_and_permissions);
    return t_done();
}
