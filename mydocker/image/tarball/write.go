// Writing a tarball for `docker load`, in Docker 25's layout: an OCI layout
// (oci-layout, index.json, blobs/sha256/…) and, beside it, manifest.json and
// repositories pointing into blobs/.
//
// The blobs are the image's own, compressed as the registry served them,
// and the manifests are the image's own bytes: a tarball read back gives
// the same digests, so pull → save → load → push reproduces the registry's
// manifest. manifest.json's Layers therefore name compressed blobs, where
// Docker 24's named uncompressed tars; every docker load since 1.10, and
// skopeo's docker-archive: reader, decompress layer files by their magic
// bytes (checked against skopeo 1.9 in the tests). Each image is written
// once whatever its tags, and each blob once whatever images share it.

package tarball

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image/layout"
)

// Write writes entries as a docker save tarball on w.
func Write(w io.Writer, entries []Entry) error {
	aw := layout.NewArchiveWriter(w)
	var manifest []manifestEntry
	repositories := map[string]map[string]string{}
	for _, e := range entries {
		m, err := e.Image.Manifest()
		if err != nil {
			return err
		}
		// An untagged image is listed once, unnamed; a tagged one once
		// per tag, as Docker 25 does.
		if len(e.RepoTags) == 0 {
			if err := aw.Add(e.Image, nil); err != nil {
				return err
			}
		}
		for _, tag := range e.RepoTags {
			repo, t, ok := splitTag(tag)
			if !ok {
				return fmt.Errorf("tag %q: want NAME:TAG", tag)
			}
			ann := map[string]string{layout.AnnotationImageName: fullName(tag), layout.AnnotationRefName: t}
			if err := aw.Add(e.Image, ann); err != nil {
				return err
			}
			// repositories maps a tag to the top layer, which only
			// loaders from before manifest.json read.
			if n := len(m.Layers); n > 0 {
				if repositories[repo] == nil {
					repositories[repo] = map[string]string{}
				}
				repositories[repo][t] = m.Layers[n-1].Digest.Hex()
			}
		}
		me := manifestEntry{Config: blobPath(m.Config.Digest), RepoTags: e.RepoTags, Layers: []string{}}
		for _, l := range m.Layers {
			me.Layers = append(me.Layers, blobPath(l.Digest))
		}
		manifest = append(manifest, me)
	}
	for _, f := range []struct {
		name string
		v    any
	}{{"manifest.json", manifest}, {"repositories", repositories}} {
		b, err := json.Marshal(f.v)
		if err != nil {
			return err
		}
		if err := aw.AddFile(f.name, b); err != nil {
			return err
		}
	}
	return aw.Close()
}

func blobPath(d digest.Digest) string { return "blobs/sha256/" + d.Hex() }

// splitTag splits "registry:5000/name:tag" into name and tag.
func splitTag(tag string) (repo, t string, ok bool) {
	i := strings.LastIndex(tag, ":")
	if i < 0 || strings.Contains(tag[i:], "/") || strings.Contains(tag, "@") {
		return "", "", false
	}
	return tag[:i], tag[i+1:], true
}

// fullName spells a Docker Hub tag in full, as Docker 25 does in
// index.json: busybox:latest is docker.io/library/busybox:latest. A name
// whose first part looks like a host (a dot or a port, or localhost) is
// already full.
func fullName(tag string) string {
	first, rest, found := strings.Cut(tag, "/")
	switch {
	case !found:
		return "docker.io/library/" + tag
	case strings.ContainsAny(first, ".:") || first == "localhost":
		return tag
	default:
		return "docker.io/" + first + "/" + rest
	}
}
