// `volume ls --filter` (chapter 08): the volumes a filter keeps, one
// function for both the command line (daemonless) and the daemon's GET
// /volumes, so that the two can never disagree.

package engine

import (
	"strings"

	"github.com/mydocker/mydocker/mydocker/volume"
)

// filterError is a --filter refused: Docker's words, and errors.Is(err,
// volume.ErrInvalid) holds (a 400 through the daemon).
type filterError struct{ msg string }

func (e *filterError) Error() string        { return e.msg }
func (e *filterError) Is(target error) bool { return target == volume.ErrInvalid }

// FilterVolumes keeps the volumes `volume ls --filter` names, as Docker
// does: name=PART (a part of the name), driver=DRIVER, label=KEY or
// label=KEY=VALUE (each must hold), dangling=true|false (used by no
// container). A key's values are alternatives; different keys must all
// match. The command line (daemonless) and the daemon's GET /volumes both
// filter here.
func FilterVolumes(s *Store, list []*volume.Volume, f map[string][]string) ([]*volume.Volume, error) {
	for k, vals := range f {
		switch k {
		case "name", "driver", "label":
		case "dangling":
			for _, v := range vals {
				if b := strings.ToLower(v); b != "true" && b != "false" && b != "1" && b != "0" {
					return nil, &filterError{"invalid filter 'dangling=" + v + "': want true or false"}
				}
			}
		default:
			return nil, &filterError{"invalid filter '" + k + "'"}
		}
	}
	var users map[string][]string
	if len(f["dangling"]) > 0 {
		var err error
		if users, err = VolumeUsers(s); err != nil {
			return nil, err
		}
	}
	out := []*volume.Volume{}
	for _, v := range list {
		if anyOf(f["name"], func(p string) bool { return strings.Contains(v.Name, p) }) &&
			anyOf(f["driver"], func(d string) bool { return v.Driver == d }) &&
			HasLabels(v.Labels, f["label"]) &&
			anyOf(f["dangling"], func(d string) bool { return (len(users[v.Name]) == 0) == (strings.EqualFold(d, "true") || d == "1") }) {
			out = append(out, v)
		}
	}
	return out, nil
}

// anyOf: no values, or one of them holds.
func anyOf(vals []string, ok func(string) bool) bool {
	for _, v := range vals {
		if ok(v) {
			return true
		}
	}
	return len(vals) == 0
}

// HasLabels is Docker's label filter: each KEY or KEY=VALUE of want is
// among labels. Every list filter of the daemon matches labels so.
func HasLabels(labels map[string]string, want []string) bool {
	for _, l := range want {
		k, v, withValue := strings.Cut(l, "=")
		got, ok := labels[k]
		if !ok || (withValue && got != v) {
			return false
		}
	}
	return true
}
