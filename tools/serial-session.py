#!/usr/bin/python3
"""tools/serial-session.py: drive an interactive shell over QEMU's serial port.

Usage: serial-session.py SESSION_FILE -- QEMU COMMAND...

QEMU runs with the serial console on stdio. The session file is a list of
steps, one per line:
    > command          type `command` and Enter, then wait for the prompt
    ^C                 send Ctrl-C, then wait for the prompt
    = keys             send keys without waiting for a prompt (full-screen
                       programs); \e is Escape, \r Enter; then pause 1 s
    ~ regex            the output since the last command must match (re.S)
    ! regex            ... and must not match
    # comment          ignored
    @name              the name of the following case (for PASS/FAIL lines)
    + seconds          the next command's timeout, when it waits for
                       something slower than SESSION_STEP_S allows
Each case prints `PASS session.<name>` or `FAIL session.<name>: why`
(`session` is $SESSION_PREFIX when set, so two sessions' names differ). The
prompt is `# ` at the end of the output (busybox sh or bash as root). A
step that sees no prompt within its timeout fails, and the rest is skipped.

A system that boots to a `login:` prompt (Debian's getty) is logged into
first when SESSION_LOGIN=user:password is set. SESSION_BOOT_S (default
120) bounds the boot, SESSION_STEP_S (default 60) each command, SESSION_POWEROFF_S (default 30) the poweroff.
"""
import os, re, select, subprocess, sys, time

P = os.environ.get("SESSION_PREFIX", "session")
STEP_S = float(os.environ.get("SESSION_STEP_S", "60"))
PROMPT = re.compile(rb"# (\x1b\[6n)?$")
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def main():
    sep = sys.argv.index("--")
    session, qemu = sys.argv[1], sys.argv[sep + 1:]
    steps = [l.rstrip("\n") for l in open(session)]
    proc = subprocess.Popen(qemu, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, bufsize=0)
    log = open(os.environ.get("SESSION_LOG", "/dev/null"), "wb")
    buf = b""

    def read_until_prompt(timeout):
        nonlocal buf
        end = time.time() + timeout
        while time.time() < end:
            r, _, _ = select.select([proc.stdout], [], [], 0.2)
            if r:
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    return False
                log.write(chunk)
                log.flush()
                buf += chunk
                # Answer the shell's cursor-position query (ESC [6n) so
                # line editing knows where the cursor is.
                if b"\x1b[6n" in chunk:
                    proc.stdin.write(b"\x1b[1;1R")
                if PROMPT.search(buf.rstrip(b"\r\n ") + b" ") or PROMPT.search(buf):
                    return True
        return False

    def drain(quiet_s=0.5):
        """Swallow output until the guest has been quiet for quiet_s, so a
        late prompt (after a full-screen program) is not taken as the next
        command's."""
        while True:
            r, _, _ = select.select([proc.stdout], [], [], quiet_s)
            if not r:
                return
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                return
            log.write(chunk)
            if b"\x1b[6n" in chunk:
                proc.stdin.write(b"\x1b[1;1R")

    def wait_for(regex, timeout):
        """Read until the output matches regex; True if it did."""
        nonlocal buf
        end = time.time() + timeout
        while time.time() < end:
            r, _, _ = select.select([proc.stdout], [], [], 0.2)
            if r:
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    return False
                log.write(chunk)
                log.flush()
                buf += chunk
                if re.search(regex, buf):
                    return True
        return False

    results = []
    next_timeout = None
    name, output, ok, why = "boot", b"", True, ""
    boot_s = int(os.environ.get("SESSION_BOOT_S", "120"))
    login = os.environ.get("SESSION_LOGIN")
    if login:
        user, password = login.split(":", 1)
        # Not anchored at the end: a kernel log line may follow the prompt.
        if not wait_for(rb"login: ", boot_s):
            print(f"FAIL {P}.boot: no login prompt within {boot_s} s")
            proc.kill()
            return 1
        print(f"PASS {P}.boot")
        buf = b""
        proc.stdin.write(user.encode() + b"\r")
        if not wait_for(rb"Password: ", 30):
            print(f"FAIL {P}.login: no password prompt")
            proc.kill()
            return 1
        buf = b""
        proc.stdin.write(password.encode() + b"\r")
        # The shell's prompt (user@host:dir# ), not any "# ": the motd's
        # uname line has one ("#1 SMP"), which a read may end just after.
        if not wait_for(rb"@[^\s]*:[^\n]*# ", 60):
            print(f"FAIL {P}.login: no shell prompt after the password; got "
                  f"{ANSI.sub(b'', buf)[-300:]!r}")
            proc.kill()
            return 1
        print(f"PASS {P}.login")
    else:
        if not read_until_prompt(boot_s):
            print(f"FAIL {P}.boot: no shell prompt within {boot_s} s")
            proc.kill()
            return 1
        print(f"PASS {P}.boot")

    def finish():
        if name != "boot":
            print(f"PASS {P}.{name}" if ok else f"FAIL {P}.{name}: {why}")
            results.append(ok)

    for step in steps:
        if not step or step.startswith("#"):
            continue
        kind, arg = step[0], step[1:].strip()
        if kind == "@":
            finish()
            name, ok, why = arg, True, ""
            continue
        if kind == "+":
            next_timeout = float(arg)
            continue
        if not ok:
            continue
        if kind == "=":
            keys = arg.replace("\\e", "\x1b").replace("\\r", "\r").encode()
            proc.stdin.write(keys)
            time.sleep(1)
            drain()
            buf = b""
            continue
        if kind in "> ^" and (kind == ">" or step == "^C"):
            buf = b""
            if step == "^C":
                proc.stdin.write(b"\x03")
            else:
                proc.stdin.write(arg.encode() + b"\r")
            timeout, next_timeout = next_timeout or STEP_S, None
            if not read_until_prompt(timeout):
                ok, why = False, f"no prompt after {step!r}; got {ANSI.sub(b'', buf)[-300:]!r}"
            output = ANSI.sub(b"", buf).replace(b"\r", b"")
        elif kind == "~":
            if not re.search(arg.encode(), output, re.S):
                ok, why = False, f"output of the last command does not match /{arg}/: {output[-300:]!r}"
        elif kind == "!":
            if re.search(arg.encode(), output, re.S):
                ok, why = False, f"output unexpectedly matches /{arg}/"
    finish()
    proc.stdin.write(b"poweroff\r")
    off_s = int(os.environ.get("SESSION_POWEROFF_S", "30"))
    # Keep logging what the guest prints on its way down.
    wait_for(rb"(?!)", off_s)
    try:
        proc.wait(timeout=1)
    except subprocess.TimeoutExpired:
        print(f"FAIL {P}.poweroff: QEMU still running {off_s} s after poweroff")
        proc.kill()
        return 1
    print(f"PASS {P}.poweroff")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
