// Users. `-u/--user` names who the command runs as, as `docker run -u` does:
// "uid", "uid:gid", "name" or "name:group". Names are looked up in the
// container's own /etc/passwd and /etc/group (init reads them after the
// root switch, resolved inside the root like every image path, see
// inroot_linux.go), never the host's: a container's "nobody" need not be
// the host's. A numeric uid the image does not know is allowed, as in Docker.

package runtime

import (
	"errors"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// The files names are looked up in, inside the container's root.
const passwdFile, groupFile = "/etc/passwd", "/etc/group"

type passwdEntry struct {
	name     string
	uid, gid uint32
	home     string
}

// lookupUser resolves spec into the credentials the command gets. The empty
// spec means root. Supplementary groups come from /etc/group membership.
func lookupUser(r *root, spec string) (*syscall.Credential, error) {
	shown := spec
	if spec == "" {
		spec, shown = "0", "root (the default)"
	}
	userPart, groupPart, hasGroup := strings.Cut(spec, ":")
	users, err := readPasswd(r)
	if err != nil {
		return nil, err
	}
	u, err := findUser(users, userPart)
	if err != nil {
		return nil, err
	}
	cred := &syscall.Credential{Uid: u.uid, Gid: u.gid}
	groups, err := readGroups(r)
	if err != nil {
		return nil, err
	}
	if hasGroup {
		gid, err := findGroup(groups, groupPart)
		if err != nil {
			return nil, err
		}
		cred.Gid = gid
	} else {
		for _, g := range groups {
			if g.gid != cred.Gid && contains(g.members, u.name) {
				cred.Groups = append(cred.Groups, g.gid)
			}
		}
	}
	if cred.Groups == nil {
		cred.Groups = []uint32{} // drop mydocker's own supplementary groups
	}
	trace.Step("setgroups(%v), setgid(%d), setuid(%d): user %s", cred.Groups, cred.Gid, cred.Uid, shown)
	return cred, nil
}

func findUser(users []passwdEntry, s string) (passwdEntry, error) {
	if id, err := strconv.ParseUint(s, 10, 32); err == nil {
		for _, u := range users {
			if u.uid == uint32(id) {
				return u, nil
			}
		}
		return passwdEntry{uid: uint32(id), gid: 0, home: "/"}, nil
	}
	for _, u := range users {
		if u.name == s {
			return u, nil
		}
	}
	return passwdEntry{}, Exitf(ExitEngine, "user %q: no matching entry in the container's /etc/passwd (use a numeric uid[:gid])", s)
}

type groupEntry struct {
	name    string
	gid     uint32
	members []string
}

func findGroup(groups []groupEntry, s string) (uint32, error) {
	if id, err := strconv.ParseUint(s, 10, 32); err == nil {
		return uint32(id), nil
	}
	for _, g := range groups {
		if g.name == s {
			return g.gid, nil
		}
	}
	return 0, Exitf(ExitEngine, "group %q: no matching entry in the container's /etc/group (use a numeric gid)", s)
}

// homeOf returns the home directory of the user spec names, or "/".
func homeOf(r *root, spec string) string {
	users, _ := readPasswd(r)
	name, _, _ := strings.Cut(spec, ":")
	if name == "" {
		name = "0"
	}
	if u, err := findUser(users, name); err == nil && u.home != "" {
		return u.home
	}
	return "/"
}

func readPasswd(r *root) ([]passwdEntry, error) {
	var out []passwdEntry
	err := eachLine(r, passwdFile, func(f []string) {
		if len(f) < 7 {
			return
		}
		uid, err1 := strconv.ParseUint(f[2], 10, 32)
		gid, err2 := strconv.ParseUint(f[3], 10, 32)
		if err1 == nil && err2 == nil {
			out = append(out, passwdEntry{name: f[0], uid: uint32(uid), gid: uint32(gid), home: f[5]})
		}
	})
	return out, err
}

func readGroups(r *root) ([]groupEntry, error) {
	var out []groupEntry
	err := eachLine(r, groupFile, func(f []string) {
		if len(f) < 4 {
			return
		}
		gid, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			return
		}
		var members []string
		if f[3] != "" {
			members = strings.Split(f[3], ",")
		}
		out = append(out, groupEntry{name: f[0], gid: uint32(gid), members: members})
	})
	return out, err
}

// eachLine calls fn with the colon-separated fields of each line of name,
// a file inside the container's root. An image without the file has no
// names to look up; one whose file cannot be read is an error, not an
// empty list, so that `-u name` never quietly becomes something else.
func eachLine(r *root, name string, fn func([]string)) error {
	data, err := r.readFile(name)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return Exitf(ExitEngine, "read the container's %s: %v", name, err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fn(strings.Split(line, ":"))
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
