/* redteam: token pasting on macro parameters builds 'asm' so the raw token scan never sees it and cli; hlt runs in a service. expect: token-paste */
#define GLUE(a, b) a##b
#define RUN(x) GLUE(a, sm)(x)

void svc_halt(void);
void svc_halt(void)
{
	RUN("cli; hlt");
}
