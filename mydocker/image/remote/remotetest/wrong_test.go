package remotetest

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

// Wrong answers to lab 05 that fetch something: the checker must fail each,
// for the reason it names.
var wrongAnswers = map[string]struct {
	f    Fetcher
	want string
}{
	"no Accept header":  {Fetcher{Manifest: getManifest(""), Blob: Engine.Blob}, "send an Accept header"},
	"blob not verified": {Fetcher{Manifest: Engine.Manifest, Blob: getBlob}, "hash what you read"},
	"status unchecked": {Fetcher{Manifest: getManifest(
		"application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"),
		Blob: Engine.Blob}, "check the HTTP status"},
}

// The checker lab 05 is held to fails each wrong answer above.
func TestCheckerCatchesWrongAnswers(t *testing.T) {
	if w := testenv.WrongAnswer(); w != "" {
		Check(t, wrongAnswers[w].f)
		return
	}
	for name, w := range wrongAnswers {
		t.Run(name, func(t *testing.T) { testenv.CheckerFails(t, "TestCheckerCatchesWrongAnswers", name, w.want) })
	}
}

// getManifest is a GET with the Accept header given (none if ""), and
// whatever comes back taken as the manifest, whatever the status.
func getManifest(accept string) func(host, repo, tag string) ([]byte, string, error) {
	return func(host, repo, tag string) ([]byte, string, error) {
		req, err := http.NewRequest("GET", fmt.Sprintf("http://%s/v2/%s/manifests/%s", host, repo, tag), nil)
		if err != nil {
			return nil, "", err
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if accept == "" && resp.StatusCode != http.StatusOK {
			return nil, "", fmt.Errorf("HTTP %s", resp.Status)
		}
		return body, resp.Header.Get("Content-Type"), err
	}
}

// getBlob reads the blob and trusts it.
func getBlob(host, repo string, d digest.Digest) ([]byte, error) {
	resp, err := http.Get(fmt.Sprintf("http://%s/v2/%s/blobs/%s", host, repo, d))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
