// SecureJoin: a path inside the new root, as the container will see it.
// Paths come from images and users: "/etc/hosts" may be a symlink in the
// image to "../../../etc/passwd" or to an absolute host path. Before the
// root switch init still sees the host, so every path inside root is
// resolved as if root were /: symlinks are followed within it, and ".."
// stops at it.

package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SecureJoin returns the host path of unsafe (a path inside root), with
// every symlink on the way resolved inside root.
func SecureJoin(root, unsafe string) (string, error) {
	var resolved string // inside root, "/"-rooted, no symlinks
	rest := strings.Split(filepath.Clean("/"+unsafe), "/")
	for links := 0; len(rest) > 0; {
		part := rest[0]
		rest = rest[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			resolved = filepath.Dir("/" + resolved)
			continue
		}
		next := filepath.Join(resolved, part)
		fi, err := os.Lstat(filepath.Join(root, next))
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				return "", err
			}
			resolved = next
			continue
		}
		if links++; links > 255 {
			return "", fmt.Errorf("resolve %s in the container: too many symlinks", unsafe)
		}
		target, err := os.Readlink(filepath.Join(root, next))
		if err != nil {
			return "", err
		}
		if filepath.IsAbs(target) {
			resolved = ""
		}
		rest = append(strings.Split(target, "/"), rest...)
	}
	return filepath.Join(root, resolved), nil
}
