#include <stdio.h>

int main(void)
{
	puts("hello from an ext2 disk");
	return 0;
}
