/* Fixture helper: a service-local header (quoted include within services). */
#define SVC_LIKELY(x) (x)
struct item;
static inline int local_helper(struct item *it) { return it != NULL; }
