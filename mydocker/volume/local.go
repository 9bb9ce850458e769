// The local driver's options, as `docker volume create -o` takes them:
// type, device and o, which are mount(8)'s -t, device and -o. Docker passes
// them to mount(2) on the host; mydocker supports the two uses that need no
// block device, and makes them inside the container only:
//
//	-o type=tmpfs -o device=tmpfs [-o o=size=64m,mode=1777,uid=N,gid=N]
//	-o type=none  -o device=/host/dir -o o=bind
package volume

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// tmpfsOptions are the tmpfs options a volume (or --tmpfs) may set. The
// flags (ro, noexec...) are spelled as mount(8) spells them.
var tmpfsOptions = map[string]bool{"size": true, "mode": true, "uid": true, "gid": true, "nr_inodes": true, "nr_blocks": true}

// checkLocalOptions validates `volume create -o` options for the local driver.
func checkLocalOptions(opts map[string]string) error {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "type", "device", "o":
		default:
			return invalid("invalid option key: %q (the local driver takes type, device and o)", k)
		}
	}
	typ, dev, o := opts["type"], opts["device"], opts["o"]
	switch {
	case len(opts) == 0:
		return nil
	case typ == "tmpfs":
		if _, err := TmpfsData(o); err != nil {
			return invalid("-o o=%s: %v", o, err)
		}
		return nil
	case typ == "none" || typ == "":
		if o != "bind" && o != "rbind" {
			return invalid("-o type=%s needs -o o=bind and -o device=/host/dir", typ)
		}
		if !filepath.IsAbs(dev) {
			return invalid("-o device=%q must be an absolute host path", dev)
		}
		return nil
	}
	return invalid("-o type=%s: mydocker's local driver makes tmpfs volumes (-o type=tmpfs) and binds (-o type=none -o o=bind), not block devices", typ)
}

// TmpfsData checks a tmpfs option list ("size=64m,mode=1777,noexec") and
// returns it for mount(2)'s data. Sizes take k, m, g as tmpfs does; a bad
// value is caught here, not by the kernel inside the container.
func TmpfsData(o string) (string, error) {
	if o == "" {
		return "", nil
	}
	var data []string
	for _, kv := range strings.Split(o, ",") {
		k, v, hasValue := strings.Cut(kv, "=")
		if !hasValue {
			if _, ok := mountFlags[k]; ok {
				continue // a flag, not data: see TmpfsFlags
			}
			return "", fmt.Errorf("unknown tmpfs option %q", kv)
		}
		if !tmpfsOptions[k] {
			return "", fmt.Errorf("unknown tmpfs option %q", kv)
		}
		if err := checkTmpfsValue(k, v); err != nil {
			return "", err
		}
		data = append(data, kv)
	}
	return strings.Join(data, ","), nil
}

func checkTmpfsValue(k, v string) error {
	switch k {
	case "size", "nr_blocks", "nr_inodes":
		if _, err := ParseSize(v); err != nil {
			return fmt.Errorf("invalid %s %q: %v", k, v, err)
		}
	case "mode":
		if len(v) == 0 || len(v) > 4 || strings.Trim(v, "01234567") != "" {
			return fmt.Errorf("invalid mode %q: want octal, such as 1777", v)
		}
	case "uid", "gid":
		if v == "" || strings.Trim(v, "0123456789") != "" {
			return fmt.Errorf("invalid %s %q: want a number", k, v)
		}
	}
	return nil
}

// ParseSize reads a size as tmpfs and Docker take it: bytes, or a number
// with k, m or g (either case, "b" optional: 64m, 64MB, 1g).
func ParseSize(s string) (int64, error) {
	t := strings.TrimSuffix(strings.ToLower(s), "b")
	mult := int64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'k':
			mult, t = 1<<10, t[:n-1]
		case 'm':
			mult, t = 1<<20, t[:n-1]
		case 'g':
			mult, t = 1<<30, t[:n-1]
		}
	}
	var n int64
	if t == "" {
		return 0, fmt.Errorf("want a number of bytes, such as 64m")
	}
	for _, c := range t {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("want a number of bytes, such as 64m")
		}
		if n > (1<<62)/10 {
			return 0, fmt.Errorf("too large")
		}
		n = n*10 + int64(c-'0')
	}
	if n > (1<<62)/mult {
		return 0, fmt.Errorf("too large")
	}
	return n * mult, nil
}
