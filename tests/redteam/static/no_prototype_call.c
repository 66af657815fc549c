/* redteam: a K&R declaration lets the call pass an integer where the function reads a pointer. expect: no-prototype */
int svc_kr();

int svc_call(void);
int svc_call(void) { return svc_kr(0x1000); }
