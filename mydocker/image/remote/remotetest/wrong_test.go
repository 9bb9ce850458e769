package remotetest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

const allManifests = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, " +
	"application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json"

// Wrong answers to lab 05 that fetch something: the checker must fail each,
// for the reason it names.
var wrongAnswers = map[string]struct {
	f    Fetcher
	want string
}{
	// The token flow's two plausible slips.
	"never retries":     {Fetcher{Manifest: getManifest(allManifests, flow{noRetry: true}), Blob: Engine.Blob}, "the token server was never asked"},
	"ignores the scope": {Fetcher{Manifest: getManifest(allManifests, flow{noScope: true}), Blob: Engine.Blob}, "ask for the scope the challenge names"},
	// With the token right, the requests' own slips.
	"no Accept header":  {Fetcher{Manifest: getManifest("", flow{}), Blob: Engine.Blob}, "send an Accept header"},
	"blob not verified": {Fetcher{Manifest: Engine.Manifest, Blob: getBlob}, "hash what you read"},
	"status unchecked":  {Fetcher{Manifest: getManifest(allManifests, flow{anyStatus: true}), Blob: Engine.Blob}, "check the HTTP status"},
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

// flow says how a wrong answer goes wrong.
type flow struct {
	noRetry   bool // a 401 is the answer
	noScope   bool // the token is asked for without the challenge's scope
	anyStatus bool // whatever comes back is the manifest
}

var challengeParam = regexp.MustCompile(`(\w+)="([^"]*)"`)

// get GETs u with the Accept header given (none if ""), doing the token
// flow on a 401 as f says.
func get(u, accept string, f flow) (*http.Response, error) {
	do := func(token string) (*http.Response, error) {
		req, err := http.NewRequest("GET", u, nil)
		if err != nil {
			return nil, err
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return http.DefaultClient.Do(req)
	}
	resp, err := do("")
	if err != nil || resp.StatusCode != http.StatusUnauthorized || f.noRetry {
		return resp, err
	}
	resp.Body.Close()
	p := map[string]string{}
	for _, m := range challengeParam.FindAllStringSubmatch(resp.Header.Get("WWW-Authenticate"), -1) {
		p[m[1]] = m[2]
	}
	q := url.Values{"service": {p["service"]}}
	if !f.noScope {
		q.Set("scope", p["scope"])
	}
	tr, err := http.Get(p["realm"] + "?" + q.Encode())
	if err != nil {
		return nil, err
	}
	defer tr.Body.Close()
	var tok struct{ Token string }
	if err := json.NewDecoder(tr.Body).Decode(&tok); err != nil {
		return nil, err
	}
	return do(tok.Token)
}

// getManifest fetches a manifest as f says, and takes what comes back.
func getManifest(accept string, f flow) func(host, repo, tag string) ([]byte, string, error) {
	return func(host, repo, tag string) ([]byte, string, error) {
		resp, err := get(fmt.Sprintf("http://%s/v2/%s/manifests/%s", host, repo, tag), accept, f)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if !f.anyStatus && resp.StatusCode != http.StatusOK {
			return nil, "", fmt.Errorf("HTTP %s", resp.Status)
		}
		return body, resp.Header.Get("Content-Type"), err
	}
}

// getBlob reads the blob, with a token, and trusts it.
func getBlob(host, repo string, d digest.Digest) ([]byte, error) {
	resp, err := get(fmt.Sprintf("http://%s/v2/%s/blobs/%s", host, repo, d), "", flow{})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
