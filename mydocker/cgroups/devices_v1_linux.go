// The device cgroup on v1: the "devices" controller, a hierarchy of its
// own like memory or cpu. A new group starts with its parent's rules; the
// container's group is made beneath the caller's own devices group (newV1)
// and then gets Docker's list, written as text:
//
//	echo a > devices.deny              deny everything, forget inherited rules
//	echo "c 1:3 rwm" > devices.allow   then allow, one rule per write
//
// The kernel checks the group of the process that opens or makes a node, so
// the command, placed in the group before it runs (Placement.Fork), is held
// to the list from its first instruction; init, outside, is not, and makes
// the container's /dev nodes freely. devices.list shows the result.

package cgroups

// writeDevicesV1 writes rules into the v1 devices group dir, after denying all.
func writeDevicesV1(fs *cgroupfs, dir string, rules []DeviceRule) error {
	if err := fs.Write(dir, "devices.deny", "a"); err != nil {
		return err
	}
	for _, r := range rules {
		if err := fs.Write(dir, "devices.allow", r.String()); err != nil {
			return err
		}
	}
	return nil
}
