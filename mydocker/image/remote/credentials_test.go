package remote

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestCredentialStore(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	// A file Docker (or a user) wrote, with keys mydocker does not use.
	os.WriteFile(path, []byte(`{"auths":{},"credsStore":"desktop","proxies":{"default":{}}}`), 0o600)
	s := &CredentialStore{Path: path}

	if err := s.Store("https://index.docker.io/v1/", Credentials{"bob", "p:ss"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Store("127.0.0.1:5000", Credentials{"alice", "wonderland"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		registry string
		want     Credentials
	}{
		{"docker.io", Credentials{"bob", "p:ss"}}, // stored under Docker Hub's old URL
		{"registry-1.docker.io", Credentials{"bob", "p:ss"}},
		{"127.0.0.1:5000", Credentials{"alice", "wonderland"}},
		{"127.0.0.1:5001", Credentials{}},
	}
	for _, tt := range tests {
		got, err := s.Resolve(tt.registry)
		if err != nil || got != tt.want {
			t.Errorf("Resolve(%q) = %v, %v, want %v", tt.registry, got, err, tt.want)
		}
	}

	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("config.json mode = %v, %v, want 0600", fi.Mode().Perm(), err)
	}
	var doc map[string]json.RawMessage
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &doc); err != nil || string(doc["credsStore"]) != `"desktop"` {
		t.Errorf("config.json = %s: other keys must be kept", b)
	}

	if err := s.Erase("127.0.0.1:5000"); err != nil {
		t.Fatal(err)
	}
	if err := s.Erase("127.0.0.1:5000"); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("Erase twice = %v, want ErrNotLoggedIn", err)
	}
}

func TestDefaultCredentialStore(t *testing.T) {
	t.Setenv("MYDOCKER_CONFIG", "/etc/mydocker-test")
	s, err := DefaultCredentialStore()
	if err != nil || s.Path != "/etc/mydocker-test/config.json" {
		t.Errorf("DefaultCredentialStore() with MYDOCKER_CONFIG = %v, %v, want /etc/mydocker-test/config.json", s, err)
	}
	t.Setenv("MYDOCKER_CONFIG", "")
	t.Setenv("HOME", "/home/student")
	s, err = DefaultCredentialStore()
	if err != nil || s.Path != "/home/student/.mydocker/config.json" {
		t.Errorf("DefaultCredentialStore() = %v, %v, want $HOME/.mydocker/config.json", s, err)
	}
}

func ExampleCredentialStore() {
	s := &CredentialStore{Path: filepath.Join(os.TempDir(), fmt.Sprintf("example-%d.json", os.Getpid()))}
	defer os.Remove(s.Path)
	s.Store("127.0.0.1:5000", Credentials{Username: "alice", Password: "wonderland"})
	b, _ := os.ReadFile(s.Path)
	fmt.Print(string(b))
	// Output:
	// {
	// 	"auths": {
	// 		"127.0.0.1:5000": {
	// 			"auth": "YWxpY2U6d29uZGVybGFuZA=="
	// 		}
	// 	}
	// }
}
