/* t_shm.c: System V shared memory as Linux: segments by key and
 * IPC_PRIVATE, attachments shared across fork, nattch, read-only
 * attachments, removal while attached, and the errors. */
#include "t.h"

#include <setjmp.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>

static unsigned long attached(int id)
{
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) != 0)
        return (unsigned long)-1;
    return (unsigned long)ds.shm_nattch;
}

T_CASE(private_segment_shared_with_a_child)
{
    struct shmid_ds ds;
    char *p;
    int id;

    T_SYSOK(id = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600));
    T_SYSOK(shmctl(id, IPC_STAT, &ds));
    T_EQ(ds.shm_segsz, 10000);
    T_EQ(ds.shm_nattch, 0);
    T_EQ(ds.shm_perm.mode & 0777, 0600);
    T_EQ(ds.shm_cpid, getpid());
    T_EQ(ds.shm_perm.uid, geteuid());
    p = shmat(id, NULL, 0);
    T_ASSERT(p != (void *)-1);
    T_EQ(((unsigned long)p) % 4096, 0);
    T_EQ(p[0], 0);
    T_EQ(p[9999], 0);
    T_EQ(attached(id), 1);
    strcpy(p, "parent");
    pid_t pid = t_fork();
    if (pid == 0) {
        /* The attachment is inherited, and a second one shares it too. */
        char *q = shmat(id, NULL, 0);
        if (q == (void *)-1 || strcmp(p, "parent") || strcmp(q, "parent"))
            _exit(1);
        if (attached(id) != 3)
            _exit(2);
        strcpy(q + 5000, "child");
        _exit(shmdt(q) == 0 ? 0 : 3);
    }
    T_EXITED(pid, 0);
    T_STREQ(p + 5000, "child");
    T_EQ(attached(id), 1);
    T_SYSOK(shmdt(p));
    T_EQ(attached(id), 0);
    T_ERRNO(shmdt(p), EINVAL);
    /* The pages outlive their attachments. */
    p = shmat(id, NULL, SHM_RDONLY);
    T_ASSERT(p != (void *)-1);
    T_STREQ(p + 5000, "child");
    T_SYSOK(shmctl(id, IPC_STAT, &ds));
    T_EQ(ds.shm_lpid, getpid());
    T_ASSERT(ds.shm_atime > 0);
    T_SYSOK(shmdt(p));
    T_SYSOK(shmctl(id, IPC_RMID, NULL));
    T_ERRNO(shmctl(id, IPC_STAT, &ds), EINVAL);
}

static sigjmp_buf jb;
static void on_segv(int sig)
{
    (void)sig;
    siglongjmp(jb, 1);
}

T_CASE(read_only_attachment)
{
    char *p;
    int id;

    T_SYSOK(id = shmget(IPC_PRIVATE, 4096, 0600));
    p = shmat(id, NULL, SHM_RDONLY);
    T_ASSERT(p != (void *)-1);
    signal(SIGSEGV, on_segv);
    int faulted = sigsetjmp(jb, 1);
    if (!faulted)
        p[0] = 1;
    signal(SIGSEGV, SIG_DFL);
    T_EQ(faulted, 1);
    T_ERRNO(mprotect(p, 4096, PROT_READ | PROT_WRITE), EACCES);
    T_SYSOK(shmdt(p));
    T_SYSOK(shmctl(id, IPC_RMID, NULL));
}

T_CASE(keys_and_errors)
{
    key_t key = 0x5a5a0000 + (getpid() & 0xffff);
    struct shmid_ds ds;
    int id, id2;

    T_ERRNO(shmget(key, 4096, 0600), ENOENT);
    T_SYSOK(id = shmget(key, 8192, IPC_CREAT | 0600));
    T_SYSOK(id2 = shmget(key, 4096, 0));
    T_EQ(id2, id);
    T_ERRNO(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
    T_ERRNO(shmget(key, 16384, 0), EINVAL);  /* bigger than it is */
    T_ERRNO(shmget(IPC_PRIVATE, 0, 0600), EINVAL);
    T_ERRNO(shmat(id + 1, NULL, 0), EINVAL);
    T_ERRNO(shmat(id, (void *)0x10000001, 0), EINVAL);
    char *p = shmat(id, (void *)0x20000123, SHM_RND);
    T_EQ((unsigned long)p, 0x20000000);
    T_ERRNO(shmat(id, (void *)0x20000000, 0), EINVAL); /* taken */
    T_ERRNO(shmctl(id, 12345, &ds), EINVAL);
    T_ERRNO(shmctl(id, IPC_STAT, (void *)8), EFAULT);
    T_ERRNO(shmdt((void *)0x20000123), EINVAL);
    /* Another user: no permission, may not remove it. */
    pid_t pid = t_fork();
    if (pid == 0) {
        if (setuid(65534) != 0)
            _exit(9);
        if (shmat(id, NULL, 0) != (void *)-1 || errno != EACCES)
            _exit(1);
        if (shmctl(id, IPC_RMID, NULL) == 0 || errno != EPERM)
            _exit(2);
        _exit(0);
    }
    T_EXITED(pid, 0);
    /* Removed while attached: gone by key, still mapped, marked. */
    T_SYSOK(shmctl(id, IPC_RMID, NULL));
    T_ERRNO(shmget(key, 4096, 0), ENOENT);
    T_SYSOK(shmctl(id, IPC_STAT, &ds));
    T_EQ(ds.shm_nattch, 1);
    T_EQ(ds.shm_perm.mode & 01000, 01000); /* SHM_DEST */
    T_EQ(ds.shm_perm.__key, IPC_PRIVATE);
    p[8191] = 7;
    T_EQ(p[8191], 7);
    T_SYSOK(shmdt(p));
    T_ERRNO(shmctl(id, IPC_STAT, &ds), EINVAL);
    struct shminfo info;
    T_ASSERT(shmctl(0, IPC_INFO, (struct shmid_ds *)&info) >= 0);
    T_ASSERT(info.shmmax >= 8192);
}

/* A process that exits attached detaches. */
T_CASE(exit_detaches)
{
    int id;

    T_SYSOK(id = shmget(IPC_PRIVATE, 4096, 0600));
    pid_t pid = t_fork();
    if (pid == 0)
        _exit(shmat(id, NULL, 0) == (void *)-1);
    T_EXITED(pid, 0);
    T_EQ(attached(id), 0);
    T_SYSOK(shmctl(id, IPC_RMID, NULL));
}

int main(void)
{
    t_init("t_shm");
    T_RUN(private_segment_shared_with_a_child);
    T_RUN(read_only_attachment);
    T_RUN(keys_and_errors);
    T_RUN(exit_detaches);
    return t_done();
}
