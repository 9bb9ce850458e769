// Fixture images, made by the tests themselves (never downloaded): small,
// and the same bytes every time, so their digests can be compared across a
// round trip through any medium.

package imagetest

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mydocker/mydocker/mydocker/image"
)

var fixtureTime = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// Tar makes an uncompressed layer tar of files, name → content, in name
// order with fixed times and owners, so the same files give the same bytes.
// A name ending in "/" is a directory. Whiteouts are files like any other:
// ".wh.NAME" deletes NAME below, ".wh..wh..opq" makes its directory opaque.
func Tar(files map[string]string) []byte {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		hdr := &tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), ModTime: fixtureTime, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if strings.HasSuffix(n, "/") {
			hdr.Mode, hdr.Size, hdr.Typeflag = 0o755, 0, tar.TypeDir
		}
		// Writes to a bytes.Buffer cannot fail, nor can well-formed headers.
		tw.WriteHeader(hdr)
		tw.Write([]byte(files[n]))
	}
	tw.Close()
	return buf.Bytes()
}

// Image builds a deterministic image called name with n gzip layers, the
// kind a registry serves. Layer 0 makes etc/ and name/; each layer after it
// adds a file, deletes the previous layer's file with a whiteout and makes
// a directory opaque, as the layers of a real build do. The same name and n
// give the same digest.
func Image(t testing.TB, name string, n int) image.Image {
	t.Helper()
	var layers []image.Layer
	var history []image.History
	for i := 0; i < n; i++ {
		files := map[string]string{
			fmt.Sprintf("%s/file-%d", name, i): strings.Repeat(fmt.Sprintf("%s layer %d\n", name, i), 100+i),
		}
		if i == 0 {
			files["etc/"] = ""
			files["etc/hostname"] = name + "\n"
			files[name+"/"] = ""
		} else {
			files[fmt.Sprintf("%s/.wh.file-%d", name, i-1)] = ""
			files[fmt.Sprintf("%s/cache-%d/", name, i)] = ""
			files[fmt.Sprintf("%s/cache-%d/.wh..wh..opq", name, i)] = ""
		}
		l, err := image.LayerFromTar(Tar(files))
		if err != nil {
			t.Fatalf("LayerFromTar: %v", err)
		}
		layers = append(layers, l)
		history = append(history, image.History{Created: &fixtureTime, CreatedBy: fmt.Sprintf("fixture %s layer %d", name, i)})
	}
	img, err := image.Build(image.ConfigFile{
		Created: &fixtureTime,
		Config: image.Config{
			Cmd:    []string{"/bin/sh"},
			Env:    []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
			Labels: map[string]string{"fixture": name},
		},
		History: history,
	}, layers)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return img
}

// DockerImage is Image in Docker's media types (v2 schema 2 manifest,
// Docker config and gzip layer types), as most of Docker Hub still serves.
// Its blobs are Image's; only its manifest, and so its digest, differ.
func DockerImage(t testing.TB, name string, n int) image.Image {
	t.Helper()
	oci := Image(t, name, n)
	m, err := oci.Manifest()
	if err != nil {
		t.Fatalf("Manifest: %v", err)
	}
	layers, _ := oci.Layers()
	var docker []image.Layer
	m.MediaType = image.MediaTypeDockerManifest
	m.Config.MediaType = image.MediaTypeDockerConfig
	for i := range m.Layers {
		m.Layers[i].MediaType = image.MediaTypeDockerLayer
		docker = append(docker, dockerLayer{layers[i]})
	}
	raw, _ := json.Marshal(m)
	config, _ := oci.RawConfig()
	img, err := image.FromParts(raw, config, docker)
	if err != nil {
		t.Fatalf("FromParts: %v", err)
	}
	return img
}

// dockerLayer is a gzip layer under Docker's name for gzip layers.
type dockerLayer struct{ image.Layer }

func (dockerLayer) MediaType() (string, error) { return image.MediaTypeDockerLayer, nil }
