/* redteam: a service typedef in the framework's fw_ name space shadows what readers and the gate take for a framework type. expect: framework-type */
#include <stdint.h>

typedef uint64_t fw_paddr_t;

fw_paddr_t svc_phys(void);
fw_paddr_t svc_phys(void) { return 0x1000; }
