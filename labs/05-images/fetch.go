// Lab 05: talking to a registry.
//
// Every pull is two kinds of HTTP request: the manifest, by tag, and then
// each blob it lists, by digest. A registry answers neither to a stranger:
// the first answer is 401, naming a token server and the scope to ask it
// for, and the request is made again with the token. Write all of it. This
// file is the only one you edit. Run the checker with
//
//	sudo make lab N=05
//
// Chapter 05's README (chapters/05-images/README.md) shows the whole
// exchange. Use only the standard library (net/http, encoding/json,
// crypto/sha256); the lab's README has hints, each a little bigger than the
// last.
package lab05

import "errors"

// Manifest fetches the manifest of repo:tag (or repo@digest) from the
// registry at host (plain HTTP, "127.0.0.1:PORT") and returns its bytes,
// unchanged, and its media type. It gets past the registry's Bearer
// challenge, and fails on any answer that is not the manifest.
func Manifest(host, repo, tag string) ([]byte, string, error) {
	// TODO
	return nil, "", errors.New("lab05: not implemented")
}

// Blob fetches the blob named by digest ("sha256:" and 64 hex digits) from
// repo at host, and fails unless the bytes hash to it.
func Blob(host, repo, digest string) ([]byte, error) {
	// TODO
	return nil, errors.New("lab05: not implemented")
}
