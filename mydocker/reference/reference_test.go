package reference

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mydocker/mydocker/mydocker/digest"
)

var dgst = digest.Digest("sha256:" + strings.Repeat("ab", 32))

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string // String(), the canonical form
	}{
		{"busybox", "docker.io/library/busybox:latest"},
		{"busybox:1.36", "docker.io/library/busybox:1.36"},
		{"user/app", "docker.io/user/app:latest"},
		{"docker.io/busybox", "docker.io/library/busybox:latest"},
		{"index.docker.io/library/busybox", "docker.io/library/busybox:latest"},
		{"127.0.0.1:5000/busybox", "127.0.0.1:5000/busybox:latest"},
		{"127.0.0.1:5000/busybox:v1", "127.0.0.1:5000/busybox:v1"},
		{"localhost/x", "localhost/x:latest"},
		{"localhost:5000/a/b/c:t", "localhost:5000/a/b/c:t"},
		{"registry.example.com/a/b:tag", "registry.example.com/a/b:tag"},
		{"[::1]:5000/x", "[::1]:5000/x:latest"},
		{"busybox@" + string(dgst), "docker.io/library/busybox@" + string(dgst)},
		{"busybox:1@" + string(dgst), "docker.io/library/busybox:1@" + string(dgst)},
		{"a-b__c/e--f.g:T_a.g-1", "docker.io/a-b__c/e--f.g:T_a.g-1"},
		{"localhost:5000", "docker.io/library/localhost:5000"}, // a tag, as in Docker
	}
	for _, tt := range tests {
		r, err := Parse(tt.in)
		if err != nil || r.String() != tt.want {
			t.Errorf("Parse(%q) = %q, %v, want %q", tt.in, r.String(), err, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string // part of the message
	}{
		{"", "at least one component"},
		{"Busybox", "repository name must be lowercase"},
		{"docker.io/User/app", "repository name must be lowercase"},
		{strings.Repeat("a", 64), "cannot specify 64-byte hexadecimal strings"},
		{"busybox:", "invalid tag"},
		{"busybox:-x", "invalid tag"},
		{"busybox:" + strings.Repeat("t", 129), "invalid tag"},
		{"busybox@sha256:abc", "digest"},
		{"a//b", "empty component"},
		{"a/b/", "empty component"},
		{"-a", "invalid repository name component"},
		{"a_-b", "invalid repository name component"},
		{"a___b", "invalid repository name component"},
		{"ex ample.com/x", "invalid registry"},
		{"a/" + strings.Repeat("b", 255), "not be more than 255"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil || !errors.Is(err, ErrInvalidFormat) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want an ErrInvalidFormat saying %q", tt.in, err, tt.want)
		}
	}
}

func TestFamiliar(t *testing.T) {
	tests := []struct{ in, want string }{
		{"busybox", "busybox:latest"},
		{"docker.io/library/busybox:1", "busybox:1"},
		{"user/app", "user/app:latest"},
		{"library/a/b", "library/a/b:latest"},
		{"127.0.0.1:5000/x:t", "127.0.0.1:5000/x:t"},
		{"busybox@" + string(dgst), "busybox@" + string(dgst)},
	}
	for _, tt := range tests {
		r, err := Parse(tt.in)
		if err != nil || r.Familiar() != tt.want {
			t.Errorf("Parse(%q).Familiar() = %q, %v, want %q", tt.in, r.Familiar(), err, tt.want)
		}
	}
}

func TestRegistryHost(t *testing.T) {
	tests := []struct{ in, want string }{
		{"busybox", "registry-1.docker.io"},
		{"index.docker.io/x/y", "registry-1.docker.io"},
		{"127.0.0.1:5000/x", "127.0.0.1:5000"},
		{"ghcr.io/a/b", "ghcr.io"},
	}
	for _, tt := range tests {
		r, err := Parse(tt.in)
		if err != nil || r.RegistryHost() != tt.want {
			t.Errorf("Parse(%q).RegistryHost() = %q, %v, want %q", tt.in, r.RegistryHost(), err, tt.want)
		}
	}
}

func ExampleParse() {
	for _, s := range []string{"busybox", "user/app:1.0", "127.0.0.1:5000/tools/jq", "localhost/x"} {
		r, _ := Parse(s)
		fmt.Printf("registry=%s repository=%s tag=%s\n", r.Registry, r.Repository, r.Tag)
	}
	// Output:
	// registry=docker.io repository=library/busybox tag=latest
	// registry=docker.io repository=user/app tag=1.0
	// registry=127.0.0.1:5000 repository=tools/jq tag=latest
	// registry=localhost repository=x tag=latest
}

func ExampleParse_digest() {
	r, _ := Parse("busybox@sha256:" + strings.Repeat("ab", 32))
	fmt.Printf("tag=%q digest=%s…\n", r.Tag, r.Digest[:15])
	fmt.Println(r.Identifier() == string(r.Digest))
	// Output:
	// tag="" digest=sha256:abababab…
	// true
}

func ExampleReference_Familiar() {
	r, _ := Parse("docker.io/library/busybox")
	fmt.Println(r.String())
	fmt.Println(r.Familiar())
	fmt.Println(r.Name())
	fmt.Println(r.RegistryHost())
	// Output:
	// docker.io/library/busybox:latest
	// busybox:latest
	// docker.io/library/busybox
	// registry-1.docker.io
}

func ExampleParse_error() {
	_, err := Parse("Busybox")
	fmt.Println(err)
	// Output:
	// invalid reference format: repository name must be lowercase
}

// ParseName keeps a missing tag missing, so that pull can say it chose
// one; WithDefaultTag is the one place the default comes from.
func ExampleParseName() {
	for _, s := range []string{"busybox", "busybox:1.36", "busybox@" + string(dgst)} {
		r, _ := ParseName(s)
		fmt.Printf("tag %q, defaulted %v, then tag %q\n", r.Tag, r.WithDefaultTag() != r, r.WithDefaultTag().Tag)
	}
	// Output:
	// tag "", defaulted true, then tag "latest"
	// tag "1.36", defaulted false, then tag "1.36"
	// tag "", defaulted false, then tag ""
}
