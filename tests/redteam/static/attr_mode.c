/* redteam: __attribute__((mode(QI))) turns an int into one byte while its declaration still reads int. expect: attribute */
typedef int small_int __attribute__((mode(QI)));

small_int svc_small(void);
