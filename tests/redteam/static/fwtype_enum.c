/* redteam: a service defines the framework's protection enum with values of its own, so a mapping it asks for read-only comes out writable and executable. expect: framework-type */
enum fw_prot { FW_PROT_READ = 7, FW_PROT_WRITE = 2 };

int svc_prot(void);
int svc_prot(void) { return FW_PROT_READ; }
