// Docker's ?filters= query parameter, shared by the list, prune and events
// endpoints: a JSON object from a key to its values, {"name":{"web":true}}
// (or, from older clients, {"name":["web"]}). Values of one key are
// alternatives; different keys must all match.

package daemon

import (
	"encoding/json"
	"path"
	"slices"
	"strings"

	"github.com/mydocker/mydocker/mydocker/engine"
)

// filters is a parsed ?filters=: key → values.
type filters map[string][]string

// parseFilters reads the parameter in either of Docker's two spellings.
func parseFilters(v string) (filters, error) {
	f := filters{}
	if v == "" {
		return f, nil
	}
	var sets map[string]map[string]bool
	if err := json.Unmarshal([]byte(v), &sets); err == nil {
		for k, vals := range sets {
			for val, on := range vals {
				if on {
					f[k] = append(f[k], val)
				}
			}
		}
		return f, nil
	}
	var lists map[string][]string
	if err := json.Unmarshal([]byte(v), &lists); err != nil {
		return nil, badRequest("invalid filters %q: want JSON such as {\"name\":{\"web\":true}}", v)
	}
	for k, vals := range lists {
		f[k] = append(f[k], vals...)
	}
	return f, nil
}

// check refuses a key the endpoint does not know, as Docker does.
func (f filters) check(keys ...string) error {
	for k := range f {
		if !slices.Contains(keys, k) {
			return badRequest("invalid filter '%s'", k)
		}
	}
	return nil
}

func (f filters) has(key string) bool { return len(f[key]) > 0 }

// match: key not given, or one of its values is v.
func (f filters) match(key, v string) bool {
	return !f.has(key) || slices.Contains(f[key], v)
}

// matchPrefix: one of key's values is a prefix of v (a short ID).
func (f filters) matchPrefix(key, v string) bool {
	for _, p := range f[key] {
		if p != "" && strings.HasPrefix(v, p) {
			return true
		}
	}
	return !f.has(key)
}

// matchSubstring: one of key's values is inside v (network ls's name
// filter matches so).
func (f filters) matchSubstring(key, v string) bool {
	for _, p := range f[key] {
		if strings.Contains(v, p) {
			return true
		}
	}
	return !f.has(key)
}

// matchGlob: one of key's values matches v as a shell pattern (images'
// reference filter: "busy*", "busybox:1.*").
func (f filters) matchGlob(key string, vs ...string) bool {
	for _, p := range f[key] {
		for _, v := range vs {
			if ok, _ := path.Match(p, v); ok {
				return true
			}
		}
	}
	return !f.has(key)
}

// matchLabels applies label=KEY and label=KEY=VALUE: every one must hold
// (engine.HasLabels, as volume ls filters daemonless).
func (f filters) matchLabels(labels map[string]string) bool {
	return engine.HasLabels(labels, f["label"])
}

// boolFilter reads a filter that is true or false (dangling): ok is
// false when it is not given; a value other than true/false/1/0 is a 400.
func (f filters) boolFilter(key string) (val, ok bool, err error) {
	vals := f[key]
	if len(vals) == 0 {
		return false, false, nil
	}
	switch strings.ToLower(vals[0]) {
	case "true", "1":
		return true, true, nil
	case "false", "0":
		return false, true, nil
	}
	return false, false, badRequest("invalid filter '%s=%s': want true or false", key, vals[0])
}
