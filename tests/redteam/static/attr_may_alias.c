/* redteam: a may_alias type lets a plain integer type read any object's bytes under strict-aliasing assumptions. expect: attribute */
typedef unsigned long __attribute__((may_alias)) alias_ul;

alias_ul svc_alias(void);
