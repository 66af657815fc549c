# tests/integration/net-run.sh: what `make run` gives, its network judged
# over the serial console and from the host. Sourced by run.sh (uses its
# pass/fail, $out and $status).
#
# The same ISO and QEMU devices as `make run` (q35, the VT-d IOMMU,
# virtio-net on QEMU's user network with a forwarded port): /init's DHCP
# lease, the default route and DNS server; busybox wget fetches a 3 MB
# and a 100 MiB file from a server on the host and checks them; then
# busybox httpd in the guest serves both back, and the host
# (net-run/host.py) fetches them and checks them, and opens 200
# connections to the guest at once. The session waits for the host's
# last request in httpd's log before it powers off.
nr=$out/net-run
rm -rf "$nr" && mkdir -p "$nr/www"
head -c 3000000 /dev/urandom >"$nr/www/blob"
head -c $((${NET_RUN_BIG_MIB:-100} << 20)) /dev/urandom >"$nr/www/big"
head -c 10000 /dev/urandom >"$nr/www/small"
md5=$(md5sum <"$nr/www/blob" | cut -d' ' -f1)
md5big=$(md5sum <"$nr/www/big" | cut -d' ' -f1)
port=$((20000 + RANDOM % 20000))
gport=$((port + 1))
(cd "$nr/www" && exec timeout 2400 /usr/bin/python3 -m http.server "$port" --bind 127.0.0.1) \
	>"$nr/http.log" 2>&1 &
httpd_pid=$!
sed -e "s/@PORT@/$port/" -e "s/@MD5@/$md5/" -e "s/@MD5BIG@/$md5big/" \
	tests/integration/net-run/run.session >"$nr/run.session"
[ -f build/disk.img ] || make -s build/disk.img >/dev/null 2>&1
cp build/disk.img "$nr/disk.img"
timeout 2000 /usr/bin/python3 tests/integration/net-run/host.py "$gport" "$nr/www" \
	>"$nr/host.out" 2>"$nr/host.err" &
host_pid=$!
if make -s ISO="$out/net-run.iso" APPEND="" INITRD= "$out/net-run.iso" >"$nr/build.log" 2>&1; then
	SESSION_PREFIX=net.run SESSION_STEP_S=1200 SESSION_LOG=$nr/session.log \
		timeout 2400 /usr/bin/python3 tools/serial-session.py "$nr/run.session" -- \
		qemu-system-x86_64 -machine q35 -cpu max -m 512 -smp 2 -no-reboot \
		-nographic -cdrom "$out/net-run.iso" -boot d \
		-drive file="$nr/disk.img",if=none,format=raw,id=vda -device intel-iommu \
		-device virtio-blk-pci,drive=vda,iommu_platform=on,disable-legacy=on \
		-netdev user,id=n0,hostfwd=tcp:127.0.0.1:$gport-:80 \
		-device virtio-net-pci,netdev=n0,iommu_platform=on,disable-legacy=on || status=1
else
	fail "net.run.build" "see $nr/build.log"
fi
kill "$host_pid" 2>/dev/null
wait "$host_pid" 2>/dev/null
cat "$nr/host.out"
! grep -q "^FAIL" "$nr/host.out" || status=1
for c in host_reached_the_guest host_fetched_blob_intact host_fetched_big_intact \
	host_200_concurrent_connections; do
	grep -q "^\(PASS\|FAIL\) net\.run\.$c\b" "$nr/host.out" ||
		fail "net.run.$c" "the host's side did not get this far (see $nr/host.err)"
done
kill "$httpd_pid" 2>/dev/null
wait "$httpd_pid" 2>/dev/null
