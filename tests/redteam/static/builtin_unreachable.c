/* redteam: __builtin_unreachable on a path the service only believes impossible makes the compiler emit no code there, so execution falls off the end of the function into whatever follows it. expect: builtin */
int svc_kind(unsigned k);
int svc_kind(unsigned k)
{
	switch (k) {
	case 0:
		return 10;
	case 1:
		return 20;
	default:
		__builtin_unreachable();
	}
}
