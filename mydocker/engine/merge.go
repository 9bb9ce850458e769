// Merging a record two processes write at once. The `mydocker run` that
// owns a foreground container writes its record as it goes (running, then
// exited), while other commands change it under the container's lock:
// stop, kill and rm -f mark it stopped, rename renames it, pause pauses
// it. The run's copy of the record is older than theirs, so it must not
// be written back whole: each write takes the record on disk and puts into
// it only the fields this run changed since it last wrote (a three-way
// merge against what it wrote then), leaving every other writer's change
// in place. State is one field: its Status and Docker's booleans go
// together, and while the run lives the run's word on them is the last.

package engine

import (
	"bytes"
	"encoding/json"
)

// recordFields splits a record's JSON into its top-level fields, each
// compacted so that two encodings of one value compare equal.
func recordFields(data []byte) (map[string]json.RawMessage, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	fields := make(map[string]json.RawMessage, len(raw))
	for k, v := range raw {
		var b bytes.Buffer
		if err := json.Compact(&b, v); err != nil {
			return nil, err
		}
		fields[k] = b.Bytes()
	}
	return fields, nil
}

// mergeRecord puts into disk the fields of mine that differ from base (the
// record as mine's writer last wrote it), and returns mine's JSON, the
// base of its next write. A field mine left as it was keeps disk's value,
// whoever wrote it.
func mergeRecord(disk *Container, base []byte, mine *Container) ([]byte, error) {
	mineJSON, err := json.Marshal(mine)
	if err != nil {
		return nil, err
	}
	diskJSON, err := json.Marshal(disk)
	if err != nil {
		return nil, err
	}
	was, err := recordFields(base)
	if err != nil {
		return nil, err
	}
	now, err := recordFields(mineJSON)
	if err != nil {
		return nil, err
	}
	out, err := recordFields(diskJSON)
	if err != nil {
		return nil, err
	}
	for k, v := range now {
		if !bytes.Equal(v, was[k]) {
			out[k] = v
		}
	}
	for k := range was {
		if _, ok := now[k]; !ok {
			delete(out, k) // mine dropped it (an omitempty field emptied)
		}
	}
	merged, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	var c Container
	if err := json.Unmarshal(merged, &c); err != nil {
		return nil, err
	}
	*disk = c
	return mineJSON, nil
}
