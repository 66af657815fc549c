#!/bin/sh
# dev_check.sh NAME: a developer's tools on the Debian system (issue 14),
# one check per NAME, run by debian/login.session. Prints "ok NAME: ..."
# or "fail NAME: why".
#   gcc     gcc compiles a C program (stdio, a thread, fork) that runs
#   gdb     gdb --batch: a breakpoint in a function, the backtrace down
#           to main, print of an argument and an expression, the program
#           then runs to its end
#   git     git init, two commits, log, fsck and a blob read back
#   sqlite  the sqlite3 shell: a table, rows, a sum, integrity_check
#   sem     a C program makes a System V semaphore set; ipcs lists it,
#           ipcrm removes it
#   sysfs   lscpu's and nproc's CPU counts agree with /proc/cpuinfo; lsblk
#           gives the disk's size
#   pty     Python's pty.spawn runs a command on a new pseudo-terminal
name=$1
dir=/root/dev
fail() { echo "fail $name: $*"; exit 1; }
mkdir -p "$dir" && cd "$dir" || fail "no $dir"

case $name in
gcc)
	cat >prog.c <<'EOF'
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
static int square(int x) { return x * x; }
static void *run(void *a) { return (void *)(long)square((int)(long)a); }
int main(void)
{
	pthread_t t;
	void *r;
	int st;
	pid_t c;

	pthread_create(&t, 0, run, (void *)7L);
	pthread_join(t, &r);
	c = fork();
	if (c == 0)
		_exit(square(3));
	waitpid(c, &st, 0);
	printf("square %ld child %d\n", (long)r, WEXITSTATUS(st));
	return 0;
}
EOF
	gcc -O2 -Wall -pthread -o prog prog.c || fail "gcc failed"
	out=$(./prog) || fail "the program failed"
	[ "$out" = "square 49 child 9" ] || fail "it said: $out"
	echo "ok gcc: $out"
	;;
gdb)
	printf '%s\n' 'static int square(int x) { int y = x * x; return y; }' \
		'int main(void) { int k = 6; return square(k) == 36 ? 0 : 1; }' >g.c
	gcc -g -O0 -o g g.c || fail "gcc failed"
	out=$(gdb -q -nx --batch -ex 'break square' -ex run -ex bt \
		-ex 'print x' -ex 'print x * 7' -ex continue ./g 2>&1)
	echo "$out" | grep -q 'Breakpoint 1, square (x=6) at g.c:1' ||
		fail "no stop at the breakpoint: $(echo "$out" | tr '\n' '|')"
	echo "$out" | grep -q '^#1 .*main () at g.c:2' ||
		fail "backtrace: $(echo "$out" | tr '\n' '|')"
	echo "$out" | grep -q '^\$1 = 6$' && echo "$out" | grep -q '^\$2 = 42$' ||
		fail "print: $(echo "$out" | tr '\n' '|')"
	echo "$out" | grep -q 'exited normally' ||
		fail "no normal exit: $(echo "$out" | tr '\n' '|')"
	echo "ok gdb: breakpoint, backtrace, print, exit"
	;;
git)
	rm -rf repo && git init -q repo && cd repo || fail "git init"
	git config user.email dev@framekernel.test && git config user.name dev
	echo hello >f && git add f && git commit -qm first || fail "commit 1"
	echo more >>f && git commit -qam second || fail "commit 2"
	[ "$(git log --oneline | wc -l)" = 2 ] || fail "log: $(git log --oneline)"
	git fsck --no-progress --strict 2>&1 | grep . && fail "fsck complained"
	[ "$(git cat-file -p HEAD:f | tr '\n' ' ')" = "hello more " ] ||
		fail "blob: $(git cat-file -p HEAD:f)"
	echo "ok git: 2 commits, fsck clean"
	;;
sqlite)
	rm -f t.db
	out=$(sqlite3 t.db 'create table t(a); insert into t values(1),(2),(3);
		select sum(a) from t; pragma integrity_check;' | tr '\n' ' ')
	[ "$out" = "6 ok " ] || fail "sqlite3 said: $out"
	echo "ok sqlite: $out"
	;;
sem)
	cat >sem.c <<'EOF'
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/sem.h>
int main(void)
{
	int id = semget(0x1234abcd, 3, IPC_CREAT | IPC_EXCL | 0600);
	struct sembuf up = { 1, 2, 0 };

	if (id < 0 || semctl(id, 0, SETVAL, 5) || semop(id, &up, 1))
		return 1;
	printf("%d %d\n", semctl(id, 0, GETVAL), semctl(id, 1, GETVAL));
	return 0;
}
EOF
	gcc -O2 -o sem sem.c || fail "gcc failed"
	ipcrm -S 0x1234abcd 2>/dev/null
	out=$(./sem) || fail "the program failed"
	[ "$out" = "5 2" ] || fail "values: $out"
	ipcs -s | grep -q '^0x1234abcd .* 600 *3 *$' || fail "ipcs: $(ipcs -s | tr '\n' '|')"
	ipcrm -S 0x1234abcd || fail "ipcrm"
	ipcs -s | grep -q 0x1234abcd && fail "still listed after ipcrm"
	echo "ok sem: made, listed, removed"
	;;
sysfs)
	n=$(grep -c ^processor /proc/cpuinfo)
	l=$(lscpu | awk -F: '/^CPU\(s\):/ { gsub(/ /, "", $2); print $2 }')
	[ "$l" = "$n" ] && [ "$(nproc)" = "$n" ] || fail "cpuinfo $n, lscpu $l, nproc $(nproc)"
	b=$(lsblk -bdno NAME,SIZE /dev/vda | tr -s ' ')
	[ "$b" = "vda $(($(cat /sys/block/vda/size) * 512))" ] || fail "lsblk: $b"
	echo "ok sysfs: $n CPUs, $b"
	;;
pty)
	out=$(python3 -c 'import os, pty; s = pty.spawn(["sh", "-c", "tty; exit 3"]); print("status", os.waitstatus_to_exitcode(s))' </dev/null 2>&1)
	echo "$out" | grep -q '^/dev/pts/[0-9]' || fail "tty: $(echo "$out" | tr '\n' '|')"
	echo "$out" | grep -q '^status 3' || fail "status: $(echo "$out" | tr '\n' '|')"
	echo "ok pty: $(echo "$out" | tr -d '\r' | tr '\n' ' ')"
	;;
*)
	fail "no such check"
	;;
esac
