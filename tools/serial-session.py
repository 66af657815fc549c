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
Each case prints `PASS session.<name>` or `FAIL session.<name>: why`
(`session` is $SESSION_PREFIX when set, so two sessions' names differ). The
prompt is `# ` at the end of the output (busybox sh as root). A step that
sees no prompt within its timeout fails, and the rest is skipped.
"""
import os, re, select, subprocess, sys, time

P = os.environ.get("SESSION_PREFIX", "session")
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

    results = []
    name, output, ok, why = "boot", b"", True, ""
    booted = read_until_prompt(120)
    if not booted:
        print(f"FAIL {P}.boot: no shell prompt within 120 s")
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
            timeout = 60
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
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        print(f"FAIL {P}.poweroff: QEMU still running 30 s after poweroff")
        proc.kill()
        return 1
    print(f"PASS {P}.poweroff")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
