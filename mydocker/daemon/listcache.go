// The daemon's copy of the container records, for `docker ps`: dockerd
// answers it from memory, and a daemon that read and decoded every record
// at each request would be several times slower with a hundred
// containers. A record is rewritten only by a rename (engine.Store), so
// its file's inode, size and modification time say whether the copy is
// still the record: one stat per container, and a record read again only
// when it changed. The truth about a running container (is its monitor
// alive?) is checked at each request, as Store.List does.

package daemon

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/mydocker/mydocker/mydocker/engine"
)

type recordKey struct {
	ino, size int64
	mtime     int64
}

type cachedRecord struct {
	key  recordKey
	c    *engine.Container
	body *createBody // nil until api.json is read
}

type listCache struct {
	mu      sync.Mutex
	records map[string]*cachedRecord
}

var records = &listCache{records: map[string]*cachedRecord{}}

// listed is one container of the list, with its create body.
type listed struct {
	c    *engine.Container
	body createBody
}

// list returns every container, newest first, as Store.List would.
func (lc *listCache) list(containers *engine.Store) ([]listed, error) {
	dir := filepath.Dir(containers.Dir("x"))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	seen := map[string]bool{}
	var out []listed
	for _, e := range entries {
		id := e.Name()
		if !e.IsDir() || strings.HasPrefix(id, ".") {
			continue
		}
		rec, err := lc.get(containers, id)
		if err != nil {
			continue // being created or removed right now
		}
		seen[id] = true
		c := *rec.c
		if c.State.Running && !c.MonitorAlive() {
			// The record predates its monitor's end: read it again
			// (Load tells the truth about a monitor gone).
			now, err := containers.Load(id)
			if err != nil {
				continue
			}
			c = *now
		}
		out = append(out, listed{c: &c, body: lc.body(containers, rec)})
	}
	for id := range lc.records {
		if !seen[id] {
			delete(lc.records, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].c.Created.After(out[j].c.Created) })
	return out, nil
}

// get returns the cached record of id, read again if its file changed.
func (lc *listCache) get(containers *engine.Store, id string) (*cachedRecord, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(containers.Dir(id), "container.json"), &st); err != nil {
		return nil, err
	}
	key := recordKey{ino: int64(st.Ino), size: st.Size, mtime: st.Mtim.Nano()}
	if rec, ok := lc.records[id]; ok && rec.key == key {
		return rec, nil
	}
	c, err := containers.Load(id)
	if err != nil {
		return nil, err
	}
	rec := &cachedRecord{key: key, c: c}
	if old, ok := lc.records[id]; ok {
		rec.body = old.body // written once, after create
	}
	lc.records[id] = rec
	return rec, nil
}

// body is the container's create body (api.json), read once.
func (lc *listCache) body(containers *engine.Store, rec *cachedRecord) createBody {
	if rec.body != nil {
		return *rec.body
	}
	var b createBody
	data, err := os.ReadFile(filepath.Join(containers.Dir(rec.c.ID), apiFile))
	if err == nil && json.Unmarshal(data, &b) == nil {
		rec.body = &b
		return b
	}
	if err == nil || !os.IsNotExist(err) {
		return apiConfig(containers, rec.c)
	}
	// Made by the command line: no body, ever.
	b = apiConfig(containers, rec.c)
	rec.body = &b
	return b
}
