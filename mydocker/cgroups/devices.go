// The device cgroup's rules: which device files a container may open.
//
// A device file is only a name for a (type, major, minor) triple; whoever
// can make one with mknod, or finds one, reaches the driver behind it. With
// CAP_MKNOD (Docker grants it by default) `mknod /dev/k c 1 11` is the
// host's kernel log, `mknod /dev/sda b 8 0` its disk. So Docker confines
// devices with a cgroup: deny everything, then allow a short list. The
// list below is that list (runc's and moby's defaults), as data; both
// versions of the kernel's interface are made from it:
//
//	v1  devices.deny "a", then one devices.allow line per rule (devices_v1_linux.go)
//	v2  an eBPF program that returns 1 for what the rules allow (devices_v2_linux.go)
//
// Note what is allowed: mknod of anything ("c *:* m", "b *:* m"), so that a
// container can still create nodes in its own /dev or unpack an image that
// holds them, but read and write only of the harmless standard nodes. The
// check is at open(2): mknod succeeds, opening the node is refused with
// EPERM.
package cgroups

import (
	"fmt"
	"strings"
)

// DeviceAccess is a set of the three things a rule can allow, with the
// kernel's bit values (BPF_DEVCG_ACC_*), so the v2 program can use them as
// they are.
type DeviceAccess uint32

const (
	AccessMknod DeviceAccess = 1 << iota // m: create the node
	AccessRead                           // r: open it for reading
	AccessWrite                          // w: open it for writing

	AccessAll = AccessMknod | AccessRead | AccessWrite
)

// String is the access as v1 writes it: some of "rwm", in that order.
func (a DeviceAccess) String() string {
	var b strings.Builder
	for _, x := range []struct {
		bit DeviceAccess
		c   byte
	}{{AccessRead, 'r'}, {AccessWrite, 'w'}, {AccessMknod, 'm'}} {
		if a&x.bit != 0 {
			b.WriteByte(x.c)
		}
	}
	return b.String()
}

// Wildcard in a rule's Major or Minor matches any number ("*").
const Wildcard int64 = -1

// DeviceRule allows some access to some devices: "c 1:3 rwm" is /dev/null.
type DeviceRule struct {
	Type   byte // 'c' character, 'b' block, 'a' both
	Major  int64
	Minor  int64
	Access DeviceAccess
	Name   string // for people: what the node is usually called
}

// String is the rule as v1's devices.allow reads it.
func (r DeviceRule) String() string {
	num := func(n int64) string {
		if n == Wildcard {
			return "*"
		}
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%c %s:%s %s", r.Type, num(r.Major), num(r.Minor), r.Access)
}

// DefaultDevices are Docker's default rules: after "deny all", mknod of any
// node, and read, write and mknod of the standard ones. runc also allows
// /dev/net/tun (10:200) for old users' sake; mydocker does not.
var DefaultDevices = []DeviceRule{
	{'c', Wildcard, Wildcard, AccessMknod, "any character device: mknod only"},
	{'b', Wildcard, Wildcard, AccessMknod, "any block device: mknod only"},
	{'c', 1, 3, AccessAll, "/dev/null"},
	{'c', 1, 5, AccessAll, "/dev/zero"},
	{'c', 1, 7, AccessAll, "/dev/full"},
	{'c', 1, 8, AccessAll, "/dev/random"},
	{'c', 1, 9, AccessAll, "/dev/urandom"},
	{'c', 5, 0, AccessAll, "/dev/tty"},
	{'c', 5, 1, AccessAll, "/dev/console"},
	{'c', 5, 2, AccessAll, "/dev/ptmx"},
	{'c', 136, Wildcard, AccessAll, "/dev/pts/*"},
}

// Matches reports whether the rule covers all of the access asked for,
// to the device of that type and number. One rule must cover it all: a
// rule allowing "r" and another allowing "w" do not allow "rw" (the
// kernel's v1 controller decides the same way).
func (r DeviceRule) Matches(typ byte, major, minor uint32, access DeviceAccess) bool {
	return (r.Type == 'a' || r.Type == typ) &&
		(r.Major == Wildcard || r.Major == int64(major)) &&
		(r.Minor == Wildcard || r.Minor == int64(minor)) &&
		access&^r.Access == 0
}

// DevicesAllow is what a list of rules means, after "deny all": whether
// any rule allows the access. The v2 program must compute the same
// function, and the tests check that it does.
func DevicesAllow(rules []DeviceRule, typ byte, major, minor uint32, access DeviceAccess) bool {
	for _, r := range rules {
		if r.Matches(typ, major, minor, access) {
			return true
		}
	}
	return false
}
