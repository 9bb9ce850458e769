// How much of a registry's answer the client reads. A registry (or
// anything between it and us) can answer with a body that never ends;
// every read is bounded, so that such an answer is one error line and
// costs at most its limit in memory, never the machine:
//
//	manifests and indexes  4 MiB   Docker's and containerd's limit; the spec lets registries refuse more
//	configs                16 MiB  (only up to the manifest's size for it)
//	token answers          1 MiB
//	the /v2/ ping          64 KiB  a registry answers {} there
//	error bodies           64 KiB  read for their message, the rest dropped
//	blobs                  their descriptor's size, and their digest checked
//
// A Content-Length over the limit is refused before a byte is read.

package remote

import (
	"fmt"
	"io"
	"net/http"
)

const (
	maxManifestSize = 4 << 20
	maxConfigSize   = 16 << 20
	maxTokenSize    = 1 << 20
	maxPingSize     = 64 << 10
	maxErrorSize    = 64 << 10
)

// readBody reads resp's body whole if it holds at most limit bytes, and
// closes it. A longer body is ErrTooLarge; what names it in the message
// ("the manifest of busybox").
func readBody(resp *http.Response, limit int64, what string) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > limit {
		return nil, tooLarge(resp, what, limit)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(resp, what, limit)
	}
	return b, nil
}

func tooLarge(resp *http.Response, what string, limit int64) error {
	return wrapf(ErrTooLarge, nil, "%s from %s is larger than %s, the most mydocker reads", what, respHost(resp), byteSize(limit))
}

// respHost is the host that answered: after a redirect, not the registry.
func respHost(resp *http.Response) string {
	if resp.Request == nil {
		return "the registry"
	}
	return resp.Request.URL.Host
}

// drain reads what is left of a body we do not need, up to the error
// limit, so that a short one lets the connection be reused, and closes it.
func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorSize))
	resp.Body.Close()
}

// byteSize writes a limit the way it was chosen: "4 MiB", "64 KiB".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
