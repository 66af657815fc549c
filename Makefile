# Makefile: builds the framekernel, its ISO, and runs its tests.
#
#   make            build/kernel.elf and build/os.iso
#   make run        boot the ISO in QEMU on this terminal (Ctrl-A X quits)
#   make debug      same, halted, with a gdb stub on :1234
#   make run-debian boot Debian bookworm (its own sysvinit, a getty on the
#                   console; log in as root, password debian) from an ext2
#                   disk made once by tools/mkdebian.sh; its sshd is on the
#                   host's 127.0.0.1:2222 (DEBIAN_SSH_PORT=)
#   make test       every test: unit, gate fixtures, integration
#   make test-matrix the ktests on 6 CPU models x pc/q35 x 1-8 CPUs x
#                   128M-8G (a sample; MATRIX=full for all of it)
#   make check      the safe-C gate and the symbol gate over services/, and
#                   its layout (no include circle, no oversized folder)
#   make tcb        line counts of the trusted framework vs the services
#                   (and of each service folder)
#   make bench      microbenchmarks, this kernel vs Linux in the same QEMU
#   make disk-clean rebuild the demo disk from disk/ at the next run
#
# Knobs: MACHINE= MEM= SMP= APPEND= QEMU_EXTRA= INITRD= DEBUG=0|1 DISK=path.img
#        UEFI=1 (boot through OVMF's UEFI firmware instead of SeaBIOS)

# QEMU machine and CPU model; MACHINE="-machine pc" is QEMU's default.
MACHINE  ?= -machine q35 -cpu max
MEM      ?= 512
SMP      ?= 2
APPEND   ?=
QEMU_EXTRA ?=
INITRD   ?=
DEBUG    ?= 1
# The disk `make run` attaches as /dev/vda: by default an ext2 image of the
# disk/ folder, made once and then kept, so what a session writes to it is
# there the next time.
DISK     ?= $(BUILD)/disk.img

BUILD    := build
CC       := gcc
NASM     := nasm
LD       := ld
PY       := /usr/bin/python3

GCC_INC  := $(shell $(CC) -print-file-name=include)
LIBGCC   := $(shell $(CC) -print-libgcc-file-name)

# The kernel: freestanding, no red zone (interrupts land on the same stack),
# kernel code model (linked in the top 2 GiB), no SSE/x87 so the kernel never
# touches user FPU state behind the context-switch code's back.
BASE_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdinc -isystem $(GCC_INC) \
	-fno-pic -fno-pie -mno-red-zone -mcmodel=kernel \
	-mno-sse -mno-sse2 -mno-mmx -mno-80387 -mgeneral-regs-only \
	-fno-stack-protector -fno-omit-frame-pointer -fno-strict-aliasing \
	-fno-asynchronous-unwind-tables -ffunction-sections \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -DFW_DEBUG=$(DEBUG)
# Services see only the framework's public headers, and are compiled with
# what C lacks and the gate cannot give statically (SOUNDNESS.md): every
# array index bounds-checked (trailing members too) and every loaded _Bool
# and enum range-checked, each failure a panic naming the source line
# (framework/panic/ubsan.c); locals zero-initialised; large frames probed
# page by page so they hit the stack's guard page instead of jumping it,
# and frames over 2 KiB refused; no non-literal format strings. FW_SERVICE
# turns on the fortified string family in <fw/string.h>.
SERVICES_HARDEN := -fsanitize=bounds-strict,bool,enum -fno-sanitize-recover=all \
	-ftrivial-auto-var-init=zero -fstack-clash-protection \
	-Wframe-larger-than=2048 -Wformat=2 -Wformat-security -Wformat-nonliteral \
	-DFW_SERVICE=1
SERVICES_CFLAGS  := $(BASE_CFLAGS) $(SERVICES_HARDEN) -Iframework/include -Iservices
FRAMEWORK_CFLAGS := $(BASE_CFLAGS) -Iframework/include -Iframework -Iarch/x86_64/include

ARCH_ASM   := $(wildcard arch/x86_64/*.asm)
ARCH_C     := $(wildcard arch/x86_64/*.c)
FW_C       := $(wildcard framework/*/*.c)
SERVICES_C := $(wildcard services/*/*.c services/*/*/*.c)
KTEST_C    := $(wildcard tests/ktest/*.c)
# The red-team corpus's run-time cases: service code that passes the gate
# and tries to corrupt memory anyway. Linked only into the kernel that
# tests/redteam/run.sh builds (make REDTEAM=1 BUILD=build/redteam), and
# compiled exactly as services are.
REDTEAM    ?=
REDTEAM_C  := $(if $(REDTEAM),$(wildcard tests/redteam/runtime/*.c))

FW_OBJ := $(ARCH_ASM:%.asm=$(BUILD)/%.o) $(ARCH_C:%.c=$(BUILD)/%.o) \
	  $(FW_C:%.c=$(BUILD)/%.o) $(KTEST_C:%.c=$(BUILD)/%.o)
SERVICES_OBJ := $(SERVICES_C:%.c=$(BUILD)/%.o)
OBJ := $(FW_OBJ) $(SERVICES_OBJ) $(REDTEAM_C:%.c=$(BUILD)/%.o)

ISO    := $(BUILD)/os.iso
KERNEL := $(BUILD)/kernel.elf
DEPS   := $(BUILD)/.deps-ok

.PHONY: all run run-debian debug test test-matrix powercut fuzz soak check tcb bench stress unit lint integration clean deps disk-clean print-services-cflags
all: $(ISO)

# Every object depends on the flags it was compiled with: changing DEBUG=
# (or the flags) rebuilds all of them instead of linking a mix of debug
# and release objects.
FLAGS_STAMP := $(BUILD)/.flags
$(shell mkdir -p $(BUILD) && echo '$(FRAMEWORK_CFLAGS) | $(SERVICES_CFLAGS)' | \
	cmp -s - $(FLAGS_STAMP) || echo '$(FRAMEWORK_CFLAGS) | $(SERVICES_CFLAGS)' > $(FLAGS_STAMP))

$(DEPS): tools/deps.sh
	@tools/deps.sh
	@mkdir -p $(BUILD) && touch $@
deps: $(DEPS)

$(BUILD)/arch/%.o: arch/%.asm $(FLAGS_STAMP) | $(DEPS)
	@mkdir -p $(dir $@)
	@echo "  AS  $<"; $(NASM) -f elf64 -g -F dwarf -o $@ $<
$(BUILD)/arch/%.o: arch/%.c $(FLAGS_STAMP) | $(DEPS)
	@mkdir -p $(dir $@)
	@echo "  CC  $<"; $(CC) $(FRAMEWORK_CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/framework/%.o: framework/%.c $(FLAGS_STAMP) | $(DEPS)
	@mkdir -p $(dir $@)
	@echo "  CC  $<"; $(CC) $(FRAMEWORK_CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/tests/ktest/%.o: tests/ktest/%.c $(FLAGS_STAMP) | $(DEPS)
	@mkdir -p $(dir $@)
	@echo "  CC  $<"; $(CC) $(FRAMEWORK_CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/tests/redteam/%.o: tests/redteam/%.c $(FLAGS_STAMP) | $(DEPS)
	@mkdir -p $(dir $@)
	@echo "  CC  $<"; $(CC) $(SERVICES_CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/services/%.o: services/%.c $(FLAGS_STAMP) | $(DEPS)
	@mkdir -p $(dir $@)
	@echo "  CC  $<"; $(CC) $(SERVICES_CFLAGS) -MMD -MP -c -o $@ $<

# Two-pass link: the panic handler symbolizes backtraces from a table of the
# kernel's own function symbols, which exists only after a first link.
$(KERNEL): $(OBJ) linker.ld tools/gen-symbols.sh
	$(LD) -n -T linker.ld -z noexecstack -o $(BUILD)/kernel.pass1 $(OBJ) $(LIBGCC)
	tools/gen-symbols.sh $(BUILD)/kernel.pass1 > $(BUILD)/symbols.S
	$(CC) -c -o $(BUILD)/symbols.o $(BUILD)/symbols.S
	$(LD) -n -T linker.ld -z noexecstack -o $(BUILD)/kernel.pass2 $(OBJ) $(BUILD)/symbols.o $(LIBGCC)
	tools/gen-symbols.sh $(BUILD)/kernel.pass2 > $(BUILD)/symbols.S
	$(CC) -c -o $(BUILD)/symbols.o $(BUILD)/symbols.S
	$(LD) -n -T linker.ld -z noexecstack -o $@ $(OBJ) $(BUILD)/symbols.o $(LIBGCC)

# The ISO carries the kernel, the initramfs (a newc cpio) and the command
# line. Changing APPEND or INITRD must rebuild it, so both are stamped.
$(BUILD)/iso.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo "APPEND=$(APPEND) INITRD=$(INITRD)" | cmp -s - $@ || echo "APPEND=$(APPEND) INITRD=$(INITRD)" > $@
$(BUILD)/initrd.cpio: $(if $(INITRD),$(INITRD),tools/mkinitrd.sh $(shell find initramfs -type f)) $(BUILD)/iso.stamp
	@mkdir -p $(BUILD)
	$(if $(INITRD),cp $(INITRD) $@,tools/mkinitrd.sh $@)
$(ISO): $(KERNEL) $(BUILD)/initrd.cpio iso/grub.cfg.in $(BUILD)/iso.stamp
	rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	cp $(KERNEL) $(BUILD)/iso/boot/kernel.elf
	cp $(BUILD)/initrd.cpio $(BUILD)/iso/boot/initrd.cpio
	sed 's|@APPEND@|$(APPEND)|' iso/grub.cfg.in > $(BUILD)/iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/iso 2>$(BUILD)/grub-mkrescue.log || \
		{ cat $(BUILD)/grub-mkrescue.log; exit 1; }
FORCE:

UEFI ?=
QEMU := qemu-system-x86_64 $(MACHINE) -m $(MEM) -smp $(SMP) \
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	$(if $(UEFI),-bios /usr/share/OVMF/OVMF_CODE.fd)

# The demo disk: 32 MiB, 1 KiB blocks, Debian's default ext2 features.
$(BUILD)/disk.img: | $(DEPS)
	@mkdir -p $(BUILD)
	PATH="$$PATH:/sbin:/usr/sbin" mkfs.ext2 -q -F -b 1024 -L framekernel \
		-d disk $@ 32M

disk-clean:
	rm -f $(BUILD)/disk.img

# On q35 the virtio devices sit behind QEMU's VT-d IOMMU, which the kernel
# programs so that devices reach only DMA buffers (arch/x86_64/vtd.c);
# iommu_platform=on makes QEMU send their DMA through it (modern devices
# only). The pc machine has no IOMMU.
comma := ,
IOMMU_ON := $(if $(findstring q35,$(MACHINE)),1)
VIRTIO_OPTS := $(if $(IOMMU_ON),$(comma)iommu_platform=on$(comma)disable-legacy=on)
# The network: QEMU's user network (the guest is 10.0.2.15, the host
# 10.0.2.2); NET_FWD=",hostfwd=tcp::8080-:80" reaches a guest server
# (qemu_devices' second argument: forwards of the target's own).
NET_FWD ?=
qemu_devices = -boot d -drive file=$(1),if=none,format=raw,id=vda \
	$(if $(IOMMU_ON),-device intel-iommu) \
	-device virtio-blk-pci,drive=vda$(VIRTIO_OPTS) -device virtio-rng-pci$(VIRTIO_OPTS) \
	-netdev user,id=n0$(2)$(NET_FWD) -device virtio-net-pci,netdev=n0$(VIRTIO_OPTS)
QEMU_DEVICES = $(call qemu_devices,$(DISK))

run: $(ISO) $(DISK)
	@echo "Booting $(ISO) with $(DISK) as /dev/vda (quit QEMU with Ctrl-A X)"
	$(QEMU) -nographic -cdrom $(ISO) $(QEMU_DEVICES) $(QEMU_EXTRA)

# Debian's own system: the image is made once (mmdebstrap, cached under
# build/debian/) and kept, so what a session changes is there next time.
# The kernel's DHCP client brings the network up (minbase has no
# ifupdown), and the host's 127.0.0.1:$(DEBIAN_SSH_PORT) reaches the
# guest's sshd.
DEBIAN_IMG := $(BUILD)/debian/debian-ext4.img
DEBIAN_SSH_PORT ?= 2222
run-debian: | $(DEPS)
	tools/mkdebian.sh $(DEBIAN_IMG)
	$(MAKE) -s ISO=$(BUILD)/debian.iso APPEND="root=/dev/vda ip=dhcp $(APPEND)" $(BUILD)/debian.iso
	@echo "Booting Debian from $(DEBIAN_IMG): log in as root, password debian (quit QEMU with Ctrl-A X)"
	@echo "or from another terminal: ssh -p $(DEBIAN_SSH_PORT) -i $(BUILD)/debian/ssh_key root@127.0.0.1"
	$(QEMU) -nographic -cdrom $(BUILD)/debian.iso \
		$(call qemu_devices,$(DEBIAN_IMG),$(comma)hostfwd=tcp:127.0.0.1:$(DEBIAN_SSH_PORT)-:22) $(QEMU_EXTRA)

debug: $(ISO) $(DISK)
	@echo "QEMU is halted with a gdb stub on localhost:1234. In another terminal:"
	@echo "  gdb $(KERNEL) -ex 'target remote localhost:1234'"
	$(QEMU) -nographic -cdrom $(ISO) $(QEMU_DEVICES) -s -S $(QEMU_EXTRA)

check: $(SERVICES_OBJ) | $(DEPS)
	$(PY) tools/gate/check_services.py --cflags "$(SERVICES_CFLAGS)" $(SERVICES_C)
	tools/gate/check_exports.sh framework/exports.txt $(SERVICES_OBJ)
	$(PY) tools/check-layout.py --self-test
	$(PY) tools/check-layout.py
	@echo "gate: services/ is safe C ($(words $(SERVICES_C)) files)"

tcb:
	@tools/tcb.sh

# The exact flags services are compiled with (the red-team corpus and the
# gate's fixtures use them).
print-services-cflags:
	@echo '$(SERVICES_CFLAGS)'

bench: | $(DEPS)
	@tools/bench.sh

# Every stress-ng stressor with --verify on this kernel and on Debian's
# Linux in the same QEMU: verdicts and bogo-ops side by side, written to
# bench/results/stress-<date>.md (about an hour).
stress: | $(DEPS)
	@tools/stress.sh

test: | $(DEPS)
	@tools/run-tests.sh

# The power-cut series: on the host, a cut after every write request of
# the workload; in QEMU, POWERCUTS (default 30) kills at seeded instants
# (POWERCUT_SEED). make test samples about 60 and 3 of them.
powercut: | $(DEPS)
	@POWERCUT_STEP=1 UNIT_TIMEOUT=3600 tools/run-unit.sh powercut_test
	@tests/integration/powercut.sh

# The long syscall-fuzzing run: Debian's trinity, FUZZ_CALLS (default a
# million) as nobody and FUZZ_ROOT_CALLS as root with --dangerous, in the
# Debian system; make test runs 20,000 and 10,000.
fuzz: | $(DEPS)
	@tests/integration/fuzz.sh

# The long mixed load: stress-ng, trinity and checked file copies at once
# in the Debian system for SOAK_SECONDS (default an hour); make test runs
# 60 s of it.
soak: | $(DEPS)
	@tests/integration/soak.sh

test-matrix: | $(DEPS)
	@tools/test-matrix.sh

clean:
	rm -rf $(BUILD)

-include $(OBJ:.o=.d)
