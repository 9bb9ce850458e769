package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/runtime"
)

func TestMergeEnv(t *testing.T) {
	t.Setenv("FROM_HOST", "yes")
	got := mergeEnv([]string{"PATH=/bin", "A=image"}, "box", true, []string{"A=flag", "B=1", "FROM_HOST", "UNSET_ON_HOST"})
	want := []string{"PATH=/bin", "A=flag", "HOSTNAME=box", "TERM=xterm", "B=1", "FROM_HOST=yes"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("mergeEnv = %q, want %q", got, want)
	}
}

func TestCheckEnv(t *testing.T) {
	for _, tt := range []struct {
		env []string
		ok  bool
	}{
		{[]string{"A=1", "B=", "C"}, true},
		{[]string{"=1"}, false},
		{[]string{"A B=1"}, false},
	} {
		if err := checkEnv(tt.env); (err == nil) != tt.ok {
			t.Errorf("checkEnv(%q) = %v, want ok=%v", tt.env, err, tt.ok)
		}
	}
}

func TestStore(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	a := &Container{ID: NewID(), Name: "web"}
	require.NoError(t, s.Create(a))
	b := &Container{ID: NewID()}
	require.NoError(t, s.Create(b))
	if b.Name == "" {
		t.Errorf("Create gave no name to an unnamed container")
	}
	if err := s.Create(&Container{ID: NewID(), Name: "web"}); err == nil {
		t.Errorf("Create with a taken name succeeded")
	}
	for _, ref := range []string{"web", a.ID, a.ID[:10]} {
		got, err := s.Get(ref)
		if err != nil || got.ID != a.ID {
			t.Errorf("Get(%q) = %v, %v; want %s", ref, got, err, ShortID(a.ID))
		}
	}
	if _, err := s.Get("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(nope) = %v, want ErrNotFound", err)
	}
	require.NoError(t, s.Remove(a.ID))
	list, _ := s.List()
	if len(list) != 1 || list[0].ID != b.ID {
		t.Errorf("List after Remove = %v, want only %s", list, ShortID(b.ID))
	}
}

// A record that says "removing" is read while Store.Remove deletes its
// directory (rm's layer collection reads every record): the reader must
// not make the lock file again, which would be a file in the directory
// being deleted (ENOTEMPTY, and the container left "dead"; 3 of 100 in
// one `docker rm` of a hundred). Removal in progress, under the store's
// lock, reads as "removing"; the same with that lock free (its remover
// killed midway) reads as "dead".
func TestLoadDuringRemoval(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	c := &Container{ID: NewID()}
	require.NoError(t, s.Create(c))
	c.State.Set(Removing)
	require.NoError(t, s.saveState(c))
	lock := filepath.Join(s.Dir(c.ID), "lock")
	os.Remove(lock) // as Store.Remove's RemoveAll may have, before the record
	unlock, err := s.lock()
	require.NoError(t, err)
	got, err := s.Load(c.ID)
	require.NoError(t, err)
	if got.State.Status != Removing {
		t.Errorf("Load during Store.Remove: status %q, want %q", got.State.Status, Removing)
	}
	unlock()
	if got, err = s.Load(c.ID); err != nil || got.State.Status != Dead {
		t.Errorf("Load after a remover died midway: %v, %v; want status %q", got.State.Status, err, Dead)
	}
	if _, err := os.Stat(lock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a record being removed made its lock file again: %v", err)
	}
}

// LockContainer never makes a lock file in a directory Remove is emptying
// (it deletes the record, then the lock): a change of state racing an rm
// (a monitor's last write, a stop) finds the container gone instead of
// leaving a file in the way of the rmdir. A record older than its lock
// file still gets one.
func TestLockContainerDuringRemoval(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	c := &Container{ID: NewID()}
	require.NoError(t, s.Create(c))
	lock := filepath.Join(s.Dir(c.ID), "lock")
	_, err = os.Stat(lock)
	require.NoError(t, err, "Create makes the lock with the record")

	require.NoError(t, os.Remove(filepath.Join(s.Dir(c.ID), "container.json")))
	require.NoError(t, os.Remove(lock)) // where Store.Remove is now
	if _, err := s.LockContainer(c.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("LockContainer during removal = %v, want not found", err)
	}
	if _, err := os.Stat(lock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LockContainer made the lock file again in a directory being removed: %v", err)
	}
	require.NoError(t, s.Remove(c.ID))
	if _, err := os.Stat(s.Dir(c.ID)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Remove, the directory: %v", err)
	}

	old := &Container{ID: NewID()}
	require.NoError(t, s.Create(old))
	require.NoError(t, os.Remove(filepath.Join(s.Dir(old.ID), "lock"))) // a record made before locks came with it
	unlock, err := s.LockContainer(old.ID)
	require.NoError(t, err)
	unlock()
}

// Find reads names from the heads of records, as Docker resolves a
// reference: a full ID, then a name, then a unique ID prefix.
func TestStoreFind(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	a := &Container{ID: "ab" + NewID()[2:], Name: "web"}
	b := &Container{ID: "ab" + NewID()[2:], Name: a.ID[:6]} // a name that is a's ID prefix
	for _, c := range []*Container{a, b} {
		require.NoError(t, s.Create(c))
	}
	// A directory whose record is gone (being removed) is no match.
	require.NoError(t, os.Mkdir(s.Dir(b.ID[:12]+NewID()[12:]), 0o700))
	for _, tt := range []struct {
		ref, want string
		err       bool
	}{
		{ref: a.ID, want: a.ID},
		{ref: "web", want: a.ID},
		{ref: a.ID[:6], want: b.ID},  // the name wins over the prefix
		{ref: b.ID[:12], want: b.ID}, // not ambiguous: the other has no record
		{ref: "ab", err: true},       // ambiguous
		{ref: "nope", err: true},
	} {
		got, err := s.Find(tt.ref)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("Find(%q) = %q, %v; want %q (error: %v)", tt.ref, got, err, tt.want, tt.err)
		}
	}
}

func ExampleShortID() {
	fmt.Println(ShortID("4f2a8c0e1b9d7a6c5e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d"))
	// Output: 4f2a8c0e1b9d
}

func ExampleCapabilities() {
	caps, _ := runtime.Capabilities(nil, nil)
	fmt.Println(len(caps), caps[0], caps[len(caps)-1])
	caps, _ = runtime.Capabilities([]string{"sys_admin"}, []string{"CAP_NET_RAW", "KILL"})
	fmt.Println(len(caps))
	caps, _ = runtime.Capabilities([]string{"CHOWN"}, []string{"ALL"})
	fmt.Println(caps)
	_, err := runtime.Capabilities([]string{"FLY"}, nil)
	fmt.Println(err)
	// Output:
	// 13 AUDIT_WRITE SYS_CHROOT
	// 12
	// [CHOWN]
	// unknown capability "FLY" in --cap-add: want a name like SYS_ADMIN, or ALL
}
