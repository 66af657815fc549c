/* redteam: an undeclared function call passes its arguments unchecked to whatever symbol links. expect: cc:implicit declaration of function */
int svc_implicit(void);
int svc_implicit(void)
{
	return fw_secret_thing(0x1000);
}
