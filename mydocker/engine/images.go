// The engine's rules for images, as dockerd has them: `rmi`'s (untag, or
// delete when no name and no container is left), `run --pull`'s policy
// (DecidePull, carried out by Images.Ensure), and the one image mydocker
// can make itself, busybox from the host's static binary. The command line
// prints what these return.

package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/doctor"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/builtin"
	"github.com/mydocker/mydocker/mydocker/reference"
	"github.com/mydocker/mydocker/mydocker/store"
)

// ImageRemoval is what `rmi NAME` did: the names it untagged (as given to
// the store), and the image it deleted, if it did.
type ImageRemoval struct {
	Untagged []string
	Deleted  digest.Digest
}

// RemoveImages is Docker's rmi of each name, then a collection of the
// layers nothing uses. It holds the data root's lock exclusive: no
// container may start from an image while it is checked for users and
// removed. done is called with what each name's removal did.
func RemoveImages(dataRoot string, names []string, force bool, done func(ImageRemoval)) error {
	unlock, err := store.LockDataRoot(dataRoot, true)
	if err != nil {
		return err
	}
	defer unlock()
	images, err := store.Open(dataRoot)
	if err != nil {
		return err
	}
	containers, err := OpenStore(dataRoot)
	if err != nil {
		return err
	}
	var errs []error
	for _, name := range names {
		r, err := removeImage(images, containers, name, force)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		done(r)
	}
	return errors.Join(append(errs, collectLayersLocked(dataRoot))...)
}

// removeImage is Docker's rmi of one name. A tag is untagged; if it was the
// image's last name and no container uses the image, the image goes too.
// An ID removes the image, and all its names, unless that is ambiguous or
// the image is in use (-f overrides both).
func removeImage(images *store.Store, containers *Store, name string, force bool) (ImageRemoval, error) {
	var out ImageRemoval
	_, rec, err := images.Get(name)
	if err != nil {
		return out, err
	}
	all, _ := images.List()
	var names []string
	for _, r := range all {
		if r.Digest == rec.Digest && r.Ref != "" {
			names = append(names, r.Ref)
		}
	}
	ref, perr := reference.Parse(name)
	byName := perr == nil && slices.Contains(names, ref.String())
	if byName && len(names) > 1 {
		out.Untagged = []string{ref.String()}
		return out, images.Untag(name)
	}
	if !byName && len(names) > 1 && !force {
		return out, fmt.Errorf("conflict: unable to delete %s (must be forced): the image is referenced in %d repositories", rec.ID.Short(), len(names))
	}
	users := usersOf(containers, rec.ID)
	if len(users) > 0 && !force {
		return out, fmt.Errorf("conflict: unable to remove image %s: container %s uses it (remove the container first, or use -f)", name, users[0])
	}
	out.Untagged = names
	if err := images.RemoveID(rec.Digest); err != nil {
		return out, err
	}
	if len(users) == 0 {
		out.Deleted = rec.ID
	}
	return out, nil
}

// usersOf lists the containers, running or not, made from image id.
func usersOf(containers *Store, id digest.Digest) []string {
	all, _ := containers.List()
	var out []string
	for _, c := range all {
		if c.ImageID == id {
			out = append(out, ShortID(c.ID))
		}
	}
	return out
}

// ImageNotFound is run's refusal of an image the store lacks, with the
// three ways to get one; the daemon's client says it in the same words.
func ImageNotFound(name string) error {
	return fmt.Errorf("image %q not found locally: build the default with `mydocker mkimage busybox`, "+
		"`mydocker import` a root filesystem, or `mydocker pull` it", name)
}

// What `run --pull POLICY IMAGE` must do before the run.
type PullAction int

const (
	UseLocal     PullAction = iota // the store has it, or it is "host" or a path
	BuildBusybox                   // missing, and it is the built-in busybox
	Pull                           // fetch it from its registry
)

// PullPolicies are `run --pull`'s values, as Docker's.
var PullPolicies = []string{"always", "missing", "never"}

// ErrPullPolicy is CheckPullPolicy's error for a policy not in
// PullPolicies: the user's mistake, not the engine's.
var ErrPullPolicy = errors.New("invalid pull option")

// CheckPullPolicy refuses a `run --pull` value not in PullPolicies, in
// docker's words, daemonless and as the daemon's client alike.
func CheckPullPolicy(policy string) error {
	if !slices.Contains(PullPolicies, policy) {
		return fmt.Errorf("%w: '%s': must be one of \"always\", \"missing\" or \"never\"", ErrPullPolicy, policy)
	}
	return nil
}

// DecidePull applies `run --pull policy` to name: "missing" pulls only what
// the store lacks (building busybox instead of pulling it), "always" pulls
// every time, "never" never does. ref is name with its defaults.
func DecidePull(dataRoot, name, policy string) (PullAction, reference.Reference, error) {
	if err := CheckPullPolicy(policy); err != nil {
		return UseLocal, reference.Reference{}, err
	}
	if policy == "never" || name == HostImage || LooksLikePath(name) {
		return UseLocal, reference.Reference{}, nil
	}
	images, err := store.Open(dataRoot)
	if err != nil {
		return UseLocal, reference.Reference{}, err
	}
	if _, _, err := images.Get(name); policy == "missing" && (err == nil || !errors.Is(err, store.ErrNotFound)) {
		return UseLocal, reference.Reference{}, nil
	}
	ref, err := reference.Parse(name)
	if err != nil {
		return UseLocal, ref, err
	}
	ref = ref.WithDefaultTag()
	if policy == "missing" && ref.String() == "docker.io/library/"+builtin.Name {
		return BuildBusybox, ref, nil
	}
	return Pull, ref, nil
}

// Ensure carries out `run --pull policy` for name before a run: nothing,
// the busybox build, or a pull, saying what it does as `docker run` does
// ("Unable to find image 'busybox:latest' locally").
func (s *Images) Ensure(ctx context.Context, name, policy string, progress func(Event)) error {
	action, ref, err := DecidePull(s.DataRoot, name, policy)
	if err != nil || action == UseLocal {
		return err
	}
	if policy == "missing" {
		say(progress, "", "Unable to find image '%s' locally", ref.Familiar())
	}
	if action == Pull {
		_, err = s.Pull(ctx, ref, progress)
		return err
	}
	// The one image mydocker can make itself: no registry needed.
	say(progress, "", "Building it from the host's static busybox (mydocker mkimage busybox)")
	return s.BuildBusybox(builtin.Name, progress)
}

// BuildBusybox stores the built-in image under name, saying which binary it
// came from and the image's ID.
func (s *Images) BuildBusybox(name string, progress func(Event)) error {
	id, bin, err := BuildBusyboxImage(s.DataRoot, name)
	if err != nil {
		return err
	}
	say(progress, "", "%s: built from %s", reference.FamiliarName(name), bin)
	say(progress, "", "%s", id)
	return nil
}

// BusyboxRootfs builds the default image's root filesystem from the host's
// static busybox, and says which binary it used.
func BusyboxRootfs() ([]byte, image.ConfigFile, string, error) {
	bin, err := doctor.FindStaticBusybox()
	if err != nil {
		return nil, image.ConfigFile{}, "", fmt.Errorf("%v: install busybox-static (sudo apt-get install busybox-static)", err)
	}
	tarBytes, cfg, err := builtin.Busybox(bin)
	return tarBytes, cfg, bin, err
}

// BuildBusyboxImage stores the built-in image under name and returns its ID
// and the busybox binary it came from.
func BuildBusyboxImage(dataRoot, name string) (id digest.Digest, bin string, err error) {
	tarBytes, cfg, bin, err := BusyboxRootfs()
	if err != nil {
		return "", "", err
	}
	images, err := store.Open(dataRoot)
	if err != nil {
		return "", "", err
	}
	img, err := images.Import(name, bytes.NewReader(tarBytes), cfg)
	if err != nil {
		return "", "", err
	}
	id, err = img.ConfigName()
	return id, bin, err
}

// BusyboxImage is the built-in image made in memory, not stored: what
// `mkimage busybox` hands a daemon as a `docker save` tarball when the
// command line is its client. Its config, and so its ID, is the one
// BuildBusyboxImage stores: the tar and the config depend only on the
// busybox binary.
func BusyboxImage() (image.Image, string, error) {
	tarBytes, cfg, bin, err := BusyboxRootfs()
	if err != nil {
		return nil, "", err
	}
	l, err := image.LayerFromTar(tarBytes)
	if err != nil {
		return nil, "", err
	}
	img, err := image.Build(cfg, []image.Layer{l})
	return img, bin, err
}
