// What `images` and `inspect` show of the images in the store, in the
// shapes of dockerd's /images/json and /images/{name}/json: a summary per
// name, and one image's whole record.

package engine

import (
	"time"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/reference"
	"github.com/mydocker/mydocker/mydocker/store"
)

// ImageSummary is one line of `mydocker images`.
type ImageSummary struct {
	Repository string // familiar: "busybox"; "<none>" when untagged
	Tag        string // "<none>" when untagged
	ID         digest.Digest
	Created    time.Time // zero if the image does not say
	Size       int64
}

// List lists the store's images, newest first. A match ("busybox" or
// "busybox:1.36") keeps only the images of that repository or tag.
func (s *Images) List(match string) ([]ImageSummary, error) {
	images, err := store.Open(s.DataRoot)
	if err != nil {
		return nil, err
	}
	list, err := images.List()
	if err != nil {
		return nil, err
	}
	var out []ImageSummary
	for _, r := range list {
		if sum := NewImageSummary(r.Ref, r.ID, r.Created, r.Size); sum.Matches(match) {
			out = append(out, sum)
		}
	}
	return out, nil
}

// NewImageSummary is the line of image id under the name ref (full or
// familiar; "" for an untagged image): "<none>" where it has no name.
func NewImageSummary(ref string, id digest.Digest, created time.Time, size int64) ImageSummary {
	sum := ImageSummary{Repository: "<none>", Tag: "<none>", ID: id, Created: created, Size: size}
	if r, err := reference.Parse(ref); err == nil && ref != "" {
		sum.Repository = r.FamiliarName()
		if r.Tag != "" {
			sum.Tag = r.Tag
		}
	}
	return sum
}

// Matches applies `images REPOSITORY[:TAG]`: "" matches every line.
func (sum ImageSummary) Matches(match string) bool {
	return match == "" || sum.Repository == match || sum.Repository+":"+sum.Tag == match
}

// ImageInspect is `docker image inspect`'s shape, the fields mydocker has.
type ImageInspect struct {
	ID           digest.Digest   `json:"Id"`
	RepoTags     []string        `json:"RepoTags"`
	RepoDigests  []string        `json:"RepoDigests"`
	Created      string          `json:"Created"`
	Author       string          `json:"Author,omitempty"`
	Config       image.Config    `json:"Config"`
	Architecture string          `json:"Architecture"`
	Os           string          `json:"Os"`
	Size         int64           `json:"Size"`
	RootFS       InspectRootFS   `json:"RootFS"`
	History      []image.History `json:"History,omitempty"`
	Manifest     digest.Digest   `json:"ManifestDigest"`
}

// InspectRootFS is an inspected image's layers, by DiffID.
type InspectRootFS struct {
	Type   string          `json:"Type"`
	Layers []digest.Digest `json:"Layers"`
}

// Inspect finds the image called name (a name, an ID or a digest) and
// describes it, with every name it has.
func (s *Images) Inspect(name string) (*ImageInspect, error) {
	images, err := store.Open(s.DataRoot)
	if err != nil {
		return nil, err
	}
	img, rec, err := images.Get(name)
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	out := &ImageInspect{ID: rec.ID, RepoTags: []string{}, RepoDigests: []string{}, Author: cfg.Author,
		Config: cfg.Config, Architecture: cfg.Architecture, Os: cfg.OS, Size: rec.Size,
		RootFS: InspectRootFS{Type: cfg.RootFS.Type, Layers: cfg.RootFS.DiffIDs}, History: cfg.History, Manifest: rec.Digest}
	if cfg.Created != nil {
		out.Created = cfg.Created.Format(time.RFC3339Nano)
	}
	all, _ := images.List()
	for _, r := range all {
		if r.Digest != rec.Digest || r.Ref == "" {
			continue
		}
		if ref, err := reference.Parse(r.Ref); err == nil {
			out.RepoTags = append(out.RepoTags, ref.Familiar())
			out.RepoDigests = append(out.RepoDigests, ref.FamiliarName()+"@"+string(rec.Digest))
		}
	}
	return out, nil
}
