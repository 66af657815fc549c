/* Fixture: pointer arithmetic through an __atomic builtin. */
static int arr[4];
static int *cursor = arr;
void svc_adv(void);
void svc_adv(void) { __atomic_fetch_add(&cursor, 4096, __ATOMIC_RELAXED); }
