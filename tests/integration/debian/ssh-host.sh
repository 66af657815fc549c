#!/usr/bin/env bash
# tests/integration/debian/ssh-host.sh: the host's side of the Debian
# boot's ssh checks (issue 13), run by debian.sh while the guest is up.
#
# Usage: ssh-host.sh PORT KEY SESSION_LOG DIR
#
# Waits (up to 900 s) until the session prints "ssh-host-go" in
# SESSION_LOG (the guest is booted, logged in and done with its own
# steps, so the two do not compete for the CPU), then, through QEMU's
# forwarded 127.0.0.1:PORT, logs into the guest's sshd as root with KEY and
# prints one `PASS name` / `FAIL name: why` line per check:
#   - a command's output (cat /etc/debian_version);
#   - a session with a pty (ssh -tt ... tty gives /dev/pts/N);
#   - scp of a 1 MiB random file up and back down, its MD5 the same on
#     the guest and back on the host.
# Last, it touches /run/ssh-host-done in the guest, which the session
# waits for before it powers off. Every ssh and scp runs under a timeout.
set -u
port=$1 key=$2 slog=$3 dir=$4
opts=(-F /dev/null -i "$key" -o IdentitiesOnly=yes -o BatchMode=yes
	-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	-o ConnectTimeout=120 -o ServerAliveInterval=15 -o ServerAliveCountMax=8
	-o LogLevel=ERROR)
P=debian.ssh
g() { timeout 300 ssh -p "$port" "${opts[@]}" root@127.0.0.1 "$@"; }

end=$((SECONDS + 900))
until grep -q "ssh-host-go" "$slog" 2>/dev/null; do
	if [ $SECONDS -ge $end ]; then
		echo "FAIL $P.guest_ready: the session never said ssh-host-go"
		exit 1
	fi
	sleep 1
done

out=$(g 'cat /etc/debian_version' 2>"$dir/ssh-cmd.err")
if [[ $out =~ ^12\. ]]; then
	echo "PASS $P.command_output"
else
	echo "FAIL $P.command_output: got '$out' ($(tail -n 2 "$dir/ssh-cmd.err" | tr '\n' ' '))"
fi

out=$(g -tt tty </dev/null 2>"$dir/ssh-tty.err" | tr -d '\r')
if [[ $out =~ ^/dev/pts/[0-9]+$ ]]; then
	echo "PASS $P.pty_session"
else
	echo "FAIL $P.pty_session: got '$out' ($(tail -n 2 "$dir/ssh-tty.err" | tr '\n' ' '))"
fi

head -c 1048576 /dev/urandom >"$dir/up.bin"
want=$(md5sum <"$dir/up.bin" | cut -d' ' -f1)
rm -f "$dir/down.bin"
if timeout 300 scp -P "$port" "${opts[@]}" "$dir/up.bin" root@127.0.0.1:/root/ssh-up.bin \
	2>"$dir/scp-up.err"; then
	got=$(g 'md5sum </root/ssh-up.bin' 2>>"$dir/scp-up.err" | cut -d' ' -f1)
	if [ "$got" = "$want" ]; then
		echo "PASS $P.scp_up_intact"
	else
		echo "FAIL $P.scp_up_intact: md5 in the guest '$got', expected $want"
	fi
else
	echo "FAIL $P.scp_up_intact: scp failed ($(tail -n 2 "$dir/scp-up.err" | tr '\n' ' '))"
fi
if timeout 300 scp -P "$port" "${opts[@]}" root@127.0.0.1:/root/ssh-up.bin "$dir/down.bin" \
	2>"$dir/scp-down.err"; then
	got=$(md5sum <"$dir/down.bin" | cut -d' ' -f1)
	if [ "$got" = "$want" ]; then
		echo "PASS $P.scp_down_intact"
	else
		echo "FAIL $P.scp_down_intact: md5 $got, expected $want"
	fi
else
	echo "FAIL $P.scp_down_intact: scp failed ($(tail -n 2 "$dir/scp-down.err" | tr '\n' ' '))"
fi

g 'rm -f /root/ssh-up.bin; touch /run/ssh-host-done' 2>>"$dir/ssh-cmd.err" ||
	echo "FAIL $P.host_done: could not tell the guest"
