/* redteam: a 40 KiB local array moves the stack pointer past the 4 KiB guard page into the next task's stack. expect: cc:frame size of */
int svc_big(unsigned i);
int svc_big(unsigned i)
{
	char big[40960];

	big[i % sizeof big] = 1;
	return big[0];
}
