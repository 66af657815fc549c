/* redteam: an interrupt handler attached with the address of an on-stack device state; every later interrupt writes the handler's bookkeeping into the stack of whatever task the interrupt lands on. expect: local-escape */
#include <fw/irq.h>

struct dev_state {
	unsigned long fired;
	unsigned long last_status;
};

static void on_irq(struct dev_state *s)
{
	s->fired++;
	s->last_status = 0xdeadbeef;
}

int svc_probe_irq(void);
int svc_probe_irq(void)
{
	struct dev_state st = { 0 };
	struct fw_irq_line *l;
	int err = fw_irq_line_alloc(&l);

	if (err)
		return err;
	FW_IRQ_ATTACH(l, on_irq, &st);
	fw_irq_line_unmask(l);
	return 0;
}
