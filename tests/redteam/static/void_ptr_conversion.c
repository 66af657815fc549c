/* redteam: a void * from an untyped helper converts to a struct pointer of any type. expect: void-ptr-conversion */
struct big {
	long v[512];
};

void *svc_raw(void);

void svc_big(void);
void svc_big(void)
{
	struct big *b = svc_raw();

	b->v[511] = 0;
}
