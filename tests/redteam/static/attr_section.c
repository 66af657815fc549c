/* redteam: __attribute__((section)) places a service function among the framework's ktests or init calls. expect: attribute */
__attribute__((section(".fw_ktests"), used)) static const unsigned long svc_fake_test[2] = { 1, 2 };
