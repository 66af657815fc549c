/* Fixture: subscript on a pointer parameter (array parameters are pointers). */
int svc_idx(int a[], int i) { return a[i]; }
