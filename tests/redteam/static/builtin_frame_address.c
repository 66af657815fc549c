/* redteam: __builtin_frame_address gives the service its own frame pointer to overwrite the saved return address. expect: builtin */
void svc_ret(void);
void svc_ret(void)
{
	void *fp = __builtin_frame_address(0);

	(void)fp;
}
