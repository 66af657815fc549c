/* redteam: __attribute__((optimize)) turns off stack-clash protection for one function with a 32 KiB frame. expect: attribute */
__attribute__((optimize("no-stack-clash-protection"))) int svc_deep(unsigned i);
