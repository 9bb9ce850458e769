package remote

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/remote/registrytest"
	"github.com/mydocker/mydocker/mydocker/reference"
)

// uploadServer is a registry that has no blobs, answers upload sessions
// with Locations of both kinds (a path, a full URL), each with a query of
// its own, and is slow to store blobs, to show how many go up at once.
type uploadServer struct {
	mu             sync.Mutex
	sessions       int
	inFlight, most int
	stored         map[digest.Digest]bool
	manifestType   string
	problems       []string
	url            string
}

func (s *uploadServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.URL.Path == "/v2/":
	case r.Method == http.MethodHead:
		w.WriteHeader(http.StatusNotFound)
	case r.Method == http.MethodPost && r.URL.Path == "/v2/app/blobs/uploads/":
		s.sessions++
		loc := fmt.Sprintf("/upload/%d?session=s%d", s.sessions, s.sessions)
		if s.sessions%2 == 0 {
			loc = s.url + loc
		}
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/upload/"):
		n := strings.TrimPrefix(r.URL.Path, "/upload/")
		if got := r.URL.Query().Get("session"); got != "s"+n {
			s.problems = append(s.problems, fmt.Sprintf("PUT %s: session=%q, want s%s: the Location's query was lost", r.URL, got, n))
		}
		s.inFlight++
		s.most = max(s.most, s.inFlight)
		s.mu.Unlock()
		d, _, err := digest.FromReader(r.Body)
		time.Sleep(30 * time.Millisecond)
		s.mu.Lock()
		s.inFlight--
		if want := digest.Digest(r.URL.Query().Get("digest")); err != nil || d != want {
			s.problems = append(s.problems, fmt.Sprintf("PUT %s: body hashes to %s (%v), want %s", r.URL, d, err, want))
		}
		s.stored[d] = true
		w.WriteHeader(http.StatusCreated)
	case r.Method == http.MethodPut && r.URL.Path == "/v2/app/manifests/v1":
		body, _ := io.ReadAll(r.Body)
		s.manifestType = r.Header.Get("Content-Type")
		w.Header().Set("Docker-Content-Digest", string(digest.FromBytes(body)))
		w.WriteHeader(http.StatusCreated)
	default:
		s.problems = append(s.problems, "unexpected "+r.Method+" "+r.URL.String())
		w.WriteHeader(http.StatusNotFound)
	}
}

func TestWriteUploads(t *testing.T) {
	us := &uploadServer{stored: map[digest.Digest]bool{}}
	srv := httptest.NewServer(us)
	defer srv.Close()
	us.url = srv.URL

	layers := []image.Layer{
		registrytest.Layer(t, registrytest.Entry{Name: "a", Body: "1"}),
		registrytest.Layer(t, registrytest.Entry{Name: "b", Body: "2"}),
		registrytest.Layer(t, registrytest.Entry{Name: "c", Body: "3"}),
		registrytest.Layer(t, registrytest.Entry{Name: "d", Body: "4"}),
	}
	img, err := image.Build(image.ConfigFile{}, layers)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := reference.Parse(strings.TrimPrefix(srv.URL, "http://") + "/app:v1")
	if err := Write(context.Background(), ref, img, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range us.problems {
		t.Error(p)
	}
	if len(us.stored) != 5 {
		t.Errorf("registry stored %d blobs, want 5 (4 layers and the config)", len(us.stored))
	}
	if us.most > maxConcurrentUploads || us.most < 2 {
		t.Errorf("at most %d uploads at once, want 2..%d", us.most, maxConcurrentUploads)
	}
	if us.manifestType != image.MediaTypeOCIManifest {
		t.Errorf("manifest PUT Content-Type = %q, want %q", us.manifestType, image.MediaTypeOCIManifest)
	}
}

func TestWriteDigestMismatch(t *testing.T) {
	img := registrytest.Image(t, "x", image.Platform{})
	ref, _ := reference.Parse("127.0.0.1:1/app@sha256:" + strings.Repeat("0", 64))
	err := Write(context.Background(), ref, img, Options{})
	if err == nil || !strings.Contains(err.Error(), "the reference names sha256:000") {
		t.Errorf("Write to another digest = %v, want an error before any request", err)
	}
}
