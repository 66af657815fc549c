#!/usr/bin/env python3
"""tests/integration/net-linkctl.py LOG MONITOR: QEMU's hand on the link.

Layer: integration test helper for tests/integration/net.sh. Runs beside
a boot: when the guest's serial log (LOG) says NET-LINK-DOWN-PLEASE, it
tells QEMU's monitor (the unix socket MONITOR) `set_link nic0 off`; on
NET-LINK-UP-PLEASE, `set_link nic0 on`. The guest then checks that eth0's
IFF_RUNNING followed (virtio-net's link status interrupt). Gives up after
300 s or when the log says NET-TESTS-DONE."""
import socket
import sys
import time


def wait_for(log, word, deadline):
    while time.time() < deadline:
        try:
            with open(log, errors='replace') as f:
                text = f.read()
        except OSError:
            text = ''
        if word in text:
            return True
        if 'NET-TESTS-DONE' in text:
            return False
        time.sleep(0.05)
    return False


def monitor(path, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall((cmd + '\n').encode())
    time.sleep(0.2)
    s.close()


def main():
    log, mon = sys.argv[1], sys.argv[2]
    deadline = time.time() + 300
    if not wait_for(log, 'NET-LINK-DOWN-PLEASE', deadline):
        return 0
    monitor(mon, 'set_link nic0 off')
    if not wait_for(log, 'NET-LINK-UP-PLEASE', deadline):
        return 0
    monitor(mon, 'set_link nic0 on')
    return 0


if __name__ == '__main__':
    sys.exit(main())
