# mydocker: build your own Docker, one chapter at a time.
#
#   sudo make demo          build, and run a shell in a busybox container
#   sudo make test          every test: lint, unit, chapters (daemonless, then
#                           through the daemon), labs, cgroup v2 VM
#   sudo make chapter N=01  one chapter's tests, verbose (PART=1: one session's)
#   sudo make lab N=01      your lab against its checker
#   sudo make build LAB=01  the engine, with your lab's code inside it
#   sudo make chapter N=01 LAB=01   the chapter's tests against that engine
#   sudo make test-vm       the chapters' tests on cgroup v2, in a qemu VM
#   sudo make test-vm-systemd   chapter 09's systemd units, in a VM booted with systemd
#   sudo make bench         each chapter's hot path against the reference tool
#
# Root is needed for namespaces, mounts and cgroups. Under sudo, Go is looked
# for where provision.sh puts it, since sudo's PATH may not have it.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
export CGO_ENABLED := 0
export GOFLAGS := -buildvcs=false
BIN := bin/mydocker
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/mydocker/mydocker/mydocker/cli.Version=$(VERSION)
# LAB=03 builds lab 03's code into the engine (the build tag lab03 compiles
# the seam files, e.g. mydocker/rootfs/lab03_linux.go); REFERENCE=1 wires
# the lab's reference through the same seam instead.
LAB ?=
comma := ,
TAGS := $(if $(LAB),lab$(LAB))$(if $(and $(LAB),$(REFERENCE)),$(comma)reference)
CHAPTERS := $(sort $(wildcard chapters/[0-9][0-9]-*))
LABS := $(sort $(wildcard labs/[0-9][0-9]-*))
# The chapters whose tests also run on cgroup v2 in the VM, and the engine
# packages and labs whose root tests need cgroup v2.
# Chapter 05 speaks HTTP to a registry: nothing in it depends on the cgroup
# version, and its tools (skopeo) are not static, so it runs on the host only.
# Chapter 07 runs iptables as a program, as Docker does: vm-test.sh copies
# the host's own into the VM, with its libraries and loader.
# Chapter 09 drives the daemon with the real clients (docker, docker-compose,
# Python's SDK), which the busybox VM has not; the daemon runs the same
# engine the other chapters prove on cgroup v2.
VM_CHAPTERS ?= $(filter-out chapters/05-% chapters/09-%,$(CHAPTERS))
VM_PACKAGES := mydocker/cgroups
VM_LABS := labs/02-cgroups
# On a host that is not pure cgroup v2, tests that need v2 leave it to the VM
# (test-vm runs them there): they skip here, saying so, instead of failing.
ifneq ($(shell stat -f -c %T /sys/fs/cgroup 2>/dev/null),cgroup2fs)
export MYDOCKER_V2_IN_VM := 1
endif

.PHONY: all build provision demo test lint unit chapters chapters-daemon transcripts chapter lab labs-check labs-engine test-vm test-vm-systemd bench diagrams clean

all: build

build:
	$(GO) build -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN) ./mydocker
	@$(if $(LAB),echo "built $(BIN) with lab $(LAB) inside$(if $(REFERENCE), (its reference)); make build alone builds the engine without it")

provision:
	scripts/provision.sh

# The README's first command: a shell in a container of the built-in
# busybox image, from a fresh machine, with nothing from any registry.
demo: provision build
	@echo '--- mydocker doctor'
	$(BIN) doctor
	@echo '--- the default image, built from the host'"'"'s static busybox'
	$(BIN) mkimage busybox
	@echo '--- a shell in a container (type exit to leave)'
	$(BIN) run --rm -it --hostname demo busybox sh

# The README's second command, and what CI runs.
test: provision lint unit chapters chapters-daemon transcripts labs-check labs-engine test-vm
	@echo 'make test: all passed'

lint:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './.cache/*')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags reference ./labs/...
	@# Each lab's seam, with the student's code and with the reference.
	@for s in 01:namespace 02:cgroups 03:rootfs 04:archive 05:image/remote; do \
		$(GO) vet -tags lab$${s%%:*} ./mydocker/$${s#*:}/ && $(GO) vet -tags lab$${s%%:*},reference ./mydocker/$${s#*:}/; done
	$(GO) test -count=1 ./chapters/ ./scripts/

unit:
	$(GO) test -count=1 ./mydocker/...

# Chapter tests change the host's mount table and cgroups, so packages run
# one at a time (-p 1): each test's before/after leak check stays exact.
chapters:
	$(GO) test -count=1 -p 1 $(addprefix ./,$(CHAPTERS))

# Chapters 01-08's tests again, every command through a daemon of each
# test's own (chapter 09: the command line is the daemon's client, with the
# same output). Chapter 09 drives its daemons itself. A test that checks
# what only a daemonless run shows says so: grep -rn 'Daemonless(' chapters/
DAEMON_CHAPTERS := $(filter-out chapters/09-%,$(CHAPTERS))
chapters-daemon:
	MYDOCKER_TEST_VIA_DAEMON=1 $(GO) test -count=1 -p 1 $(addprefix ./,$(DAEMON_CHAPTERS))

# Every console block of the chapters' and labs' READMEs, run against the
# built binary and compared with what the text shows.
transcripts:
	$(GO) test -count=1 ./chapters/transcripts/

# PART=K runs the tests of one part (one workshop session) of the chapter:
# those its README's reading order lists for that part.
# With LAB=NN, against the engine with lab NN's code inside (make build
# LAB=NN): the chapter's tests that go through the lab's code (LAB_TESTS_NN,
# below), or with ALL=1 every one, including what the lab leaves out.
LAB_RUN = $(if $(and $(LAB),$(filter $(LAB),$(N)),$(if $(ALL),,y)),^($(LAB_TESTS_$(N)))$$)
chapter:
	@[ -n "$${N:-}" ] || { echo 'usage: make chapter N=01 [PART=1] [LAB=01 [ALL=1]]'; exit 2; }
ifneq ($(LAB),)
	$(MAKE) --no-print-directory build LAB=$(LAB)
endif
	run=$$( [ -z "$${PART:-}" ] || scripts/part-tests.sh $(N) $(PART) ) && lab='$(LAB_RUN)' && run=$${run:-$$lab} && \
	$(if $(LAB),MYDOCKER_BIN=$(CURDIR)/$(BIN)) $(GO) test -count=1 -v $${run:+-run "$$run"} ./chapters/$(N)-*/

lab:
	@[ -n "$${N:-}" ] || { echo 'usage: make lab N=01'; exit 2; }
	$(GO) test -count=1 -v ./labs/$(N)-*/

# Each lab built into the engine (make build LAB=NN): with the lab's
# reference, the chapter's tests that go through the lab's code pass; with
# the stub they fail. Lab 02 is a cgroup v2 limiter: its pair runs in the
# VM (test-vm), since this kind of host is a v1/v2 hybrid.
LAB_TESTS_01 := TestHostnameIsolated|TestEveryNamespaceIsNew|TestInitIsPID1|TestOnlyLoopback|TestMountsStayInside
LAB_TESTS_02 := TestLimitsAreWritten|TestPidsLimitCountsOnlyTheContainer|TestOOMKill
LAB_TESTS_03 := TestBusyboxImage|TestHostFilesInvisible|TestNoTraceOfTheOldRoot|TestHostMountTableUnchanged|TestChrootBreakout
LAB_TESTS_04 := TestRoundTrip|TestContainersAreIsolatedAndShareLayers|TestHostileTarballs
LAB_TESTS_05 := TestPullRunPush|TestRunPullsWhatIsMissing|TestTokenAuth|TestMultiPlatformIndex
LAB_TESTS_06 := TestRestartOnFailureThreeTimes|TestStopBeatsRestartAlways
LAB_TESTS_08 := TestNamedVolumeSurvivesRm|TestCopyUpFromImage|TestSymlinkEscapeContained
LABS_IN_ENGINE ?= 01 03 04 05 06 08
export LAB_TESTS_01 LAB_TESTS_02 LAB_TESTS_03 LAB_TESTS_04 LAB_TESTS_05 LAB_TESTS_06 LAB_TESTS_08

labs-engine:
	@mkdir -p bin/labs
	@for n in $(LABS_IN_ENGINE); do c=$$(echo chapters/$$n-*); v=LAB_TESTS_$$n; run="^($${!v})$$"; \
		$(GO) build -tags lab$$n,reference -ldflags '$(LDFLAGS)' -o bin/labs/mydocker-lab$$n-reference ./mydocker; \
		$(GO) build -tags lab$$n -ldflags '$(LDFLAGS)' -o bin/labs/mydocker-lab$$n-stub ./mydocker; \
		$(GO) test -c -o bin/labs/chapter$$n.test ./$$c/; \
		echo "--- lab $$n built into the engine, with its reference: $$c must pass"; \
		(cd $$c && MYDOCKER_BIN=$(CURDIR)/bin/labs/mydocker-lab$$n-reference $(CURDIR)/bin/labs/chapter$$n.test \
			-test.count=1 -test.run "$$run"); \
		echo "--- lab $$n built into the engine, with its stub: $$c must fail"; \
		if out=$$(cd $$c && MYDOCKER_BIN=$(CURDIR)/bin/labs/mydocker-lab$$n-stub $(CURDIR)/bin/labs/chapter$$n.test \
			-test.count=1 -test.run "$$run" 2>&1); then \
			echo "$$out"; echo "FAIL: the engine with lab $$n's stub passes $$c"; exit 1; fi; \
		if ! grep -q -- '--- FAIL' <<<"$$out" || grep -q 'panic:\|leaked\|left behind' <<<"$$out"; then \
			echo "$$out"; echo "FAIL: the engine with lab $$n's stub did not fail cleanly"; exit 1; fi; \
		echo "ok: the stub fails: $$(grep -m1 -A1 -- '--- FAIL: Test' <<<"$$out" | tail -1 | sed 's/^ *//')"; \
	done

# Every lab's reference must pass its checker and every stub must fail it,
# on the checker's verdict, not on a build error.
labs-check:
	@for lab in $(LABS); do \
		echo "--- $$lab: reference must pass"; \
		$(GO) test -count=1 -tags reference ./$$lab/ ; \
		echo "--- $$lab: stub must fail"; \
		if out=$$($(GO) test -count=1 ./$$lab/ 2>&1); then \
			echo "$$out"; echo "FAIL: the stub of $$lab passes its checker"; exit 1; fi; \
		if ! grep -q -- '--- FAIL' <<<"$$out" || grep -q 'build failed' <<<"$$out"; then \
			echo "$$out"; echo "FAIL: the stub of $$lab did not fail on the checker"; exit 1; fi; \
		echo "ok: the stub fails: $$(grep -m1 -A1 -- '--- FAIL: Test' <<<"$$out" | tail -1 | sed 's/^ *//')"; \
	done

# The chapters' tests on a pure cgroup v2 host. On a host that is already
# pure v2 (the Vagrant VM) the chapter tests above proved it natively.
test-vm:
	@if [ "$$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && [ -z "$${FORCE_VM:-}" ]; then \
		echo 'test-vm: this host is pure cgroup v2 already; `make chapters` ran there (FORCE_VM=1 to boot the VM anyway)'; \
	else \
		rm -rf bin/vm && mkdir -p bin/vm && \
		$(GO) build -ldflags '$(LDFLAGS)' -o bin/vm/mydocker ./mydocker && \
		for c in $(VM_CHAPTERS); do n=$$(basename $$c); \
			$(GO) test -c -o bin/vm/chapter$${n%%-*}.test ./$$c/ ; done && \
		for p in $(VM_PACKAGES); do $(GO) test -c -o bin/vm/unit-$$(basename $$p).test ./$$p/ ; done && \
		for l in $(VM_LABS); do n=$$(basename $$l); n=$${n%%-*}; v=LAB_TESTS_$$n; \
			$(GO) test -c -tags reference -o bin/vm/lab$$n-reference.test ./$$l/ && \
			$(GO) test -c -o bin/vm/lab$$n-stub.mustfail ./$$l/ && \
			$(GO) build -tags lab$$n,reference -ldflags '$(LDFLAGS)' -o bin/vm/mydocker-lab$$n-reference ./mydocker && \
			$(GO) build -tags lab$$n -ldflags '$(LDFLAGS)' -o bin/vm/mydocker-lab$$n-stub ./mydocker && \
			echo "^($${!v})$$" > bin/vm/lab$$n.run ; done && \
		$(GO) test -c -o bin/vm/transcripts.test ./chapters/transcripts/ && \
		for f in chapters/*/README.md labs/*/README.md README.md; do install -D -m 644 $$f bin/vm/tree/$$f; done && \
		cp scripts/vm/run-tests.sh bin/vm/ && \
		scripts/vm-test.sh bin/vm -- sh ./run-tests.sh; \
	fi

# Chapter 09's units (scripts/mydocker.{socket,service}) and
# provision-daemon.sh under a real systemd: a Debian root booted in qemu
# with systemd as PID 1, docker and mydocker without -H (scripts/vm-systemd.sh).
# 75-140 s under TCG; its first run builds the root with debootstrap
# (about a minute more, cached in .cache/vm-systemd). Not part of `make test`.
test-vm-systemd:
	mkdir -p bin/vm-systemd
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/vm-systemd/mydocker ./mydocker
	scripts/vm-systemd.sh bin/vm-systemd/mydocker

bench: build
	scripts/provision.sh --bench
	scripts/bench.sh

diagrams:
	@for f in diagrams/*.dot; do dot -Tsvg "$$f" -o "$${f%.dot}.svg"; dot -Tpng -Gdpi=110 "$$f" -o "$${f%.dot}.png"; done

clean:
	rm -rf bin
