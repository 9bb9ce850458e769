// The container's filesystem, on the host's side: where its image comes
// from, and the directory the container keeps of its own,
// <data-root>/containers/<id>/:
//
//	rootfs/    the mount point of its root (mounted only inside its own
//	           mount namespace, so the host never sees it and nothing is
//	           left mounted when the container ends)
//	init/      a thin read-only layer on top of the image's, as Docker's
//	           "-init" layer: the empty files and directories the mounts
//	           need (/etc/hosts, /proc, ...), so they never show up among
//	           the container's own changes
//	upper/     its writable layer: everything it changes (chapter 04)
//	work/      overlayfs's scratch directory
//	hostname, hosts   bound at /etc/hostname and /etc/hosts
//
// Init builds the root from these with rootfs.Setup.

package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/rootfs"
	"github.com/mydocker/mydocker/mydocker/runtime"
	local "github.com/mydocker/mydocker/mydocker/store"
	"github.com/mydocker/mydocker/mydocker/store/layer"
)

// Image is an image resolved for running: its layers and what its config
// says about running it.
type Image struct {
	Name      string
	ID        digest.Digest   // the config's digest; empty for a directory or tarball
	Layers    []digest.Digest // ChainIDs of its layers, lowest first; none for a directory
	Lowers    []string        // layer directories, TOP first
	LowerBase string          // what relative Lowers are relative to
	Config    image.Config    // Env, Cmd, Entrypoint, WorkingDir, User
}

// resolveImage finds what `run IMAGE` names: "host" (no root switch), a
// root filesystem directory or tarball (chapter 03), or an image in the
// store (chapter 04), and unpacks what needs unpacking.
func resolveImage(images *local.Store, name string) (*Image, error) {
	if name == HostImage {
		return nil, nil
	}
	if LooksLikePath(name) {
		return resolvePath(images, name)
	}
	img, rec, err := images.Get(name)
	if err != nil {
		if errors.Is(err, local.ErrNotFound) {
			return nil, &runtime.ExitError{Code: runtime.ExitEngine, Err: ImageNotFound(name)}
		}
		return nil, runtime.Exitf(runtime.ExitEngine, "image %q: %v", name, err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	chains, err := images.Unpack(img, nil)
	if err != nil {
		return nil, runtime.Exitf(runtime.ExitEngine, "unpack image %q: %v", name, err)
	}
	return &Image{Name: name, ID: rec.ID, Layers: chains, Lowers: layer.Lowers(chains),
		LowerBase: images.Layers().Dir(), Config: cfg.Config}, nil
}

// resolvePath is a root filesystem given by path: a directory, used as it
// is (read-only, under the container's writable layer), or a tarball, as
// `docker export` writes them, unpacked into the layer store once.
func resolvePath(images *local.Store, name string) (*Image, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, runtime.Exitf(runtime.ExitEngine, "image %q: %v", name, errors.Unwrap(err))
	}
	if fi.IsDir() {
		abs, _ := filepath.Abs(name)
		if strings.ContainsAny(abs, ",:") {
			return nil, runtime.Exitf(runtime.ExitEngine, "image %q: overlayfs cannot stack a directory whose path has a ',' or ':': move or link it", name)
		}
		return &Image{Name: name, Lowers: []string{abs}}, nil
	}
	if !fi.Mode().IsRegular() {
		return nil, runtime.Exitf(runtime.ExitEngine, "image %q is neither a directory nor a tarball", name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, runtime.Exitf(runtime.ExitEngine, "image %q: %v", name, err)
	}
	defer f.Close()
	r, err := local.TarReader(f)
	if err != nil {
		return nil, runtime.Exitf(runtime.ExitEngine, "image %q is not a usable root filesystem tarball: %v", name, err)
	}
	chain, err := images.Layers().UnpackTar(r)
	if err != nil {
		return nil, runtime.Exitf(runtime.ExitEngine, "image %q is not a usable root filesystem tarball: %v", name, err)
	}
	chains := []digest.Digest{chain}
	return &Image{Name: name, Layers: chains, Lowers: layer.Lowers(chains), LowerBase: images.Layers().Dir()}, nil
}

// LooksLikePath tells a filesystem path from an image name: Docker's names
// never start with / or . and never end with .tar.
func LooksLikePath(name string) bool {
	return strings.HasPrefix(name, "/") || strings.HasPrefix(name, ".") ||
		strings.HasSuffix(name, ".tar") || strings.HasSuffix(name, ".tar.gz") || strings.HasSuffix(name, ".tgz")
}

// planFS is the Spec init builds the container's root from, for its own
// directory dir: the overlay of the image's layers under an init layer and
// a writable one, and the files bound over /etc.
func planFS(dir string, img *Image, group *cgroups.Group) *rootfs.Spec {
	spec := &rootfs.Spec{
		Root: filepath.Join(dir, "rootfs"),
		Overlay: &rootfs.Overlay{
			Lower:     append([]string{filepath.Join(dir, "init")}, img.Lowers...),
			LowerBase: img.LowerBase,
			Upper:     filepath.Join(dir, "upper"),
			Work:      filepath.Join(dir, "work"),
		},
	}
	// In a fixed order (a map's would vary): /etc/hosts, then
	// /etc/hostname, then /etc/resolv.conf, so that mountinfo reads the
	// same every run.
	for _, name := range etcFiles {
		spec.Binds = append(spec.Binds, rootfs.Bind{Source: filepath.Join(dir, name), Target: "/etc/" + name})
	}
	if group != nil {
		if group.Mode == cgroups.Unified {
			spec.Cgroup = &rootfs.CgroupView{V2: group.Dir("")}
		} else {
			spec.Cgroup = &rootfs.CgroupView{V1: group.Hierarchies()}
		}
	}
	return spec
}

// etcFiles are the files of the container's own directory bound over
// /etc: chapter 07 writes hosts and resolv.conf as Docker does.
var etcFiles = []string{"hosts", "hostname", "resolv.conf"}

// prepareFS makes the directories and files that spec (planFS) names:
// the host prepares, init builds.
func prepareFS(spec *rootfs.Spec, img *Image, hostname string, net netFiles) error {
	initDir := spec.Overlay.Lower[0]
	for _, d := range []string{spec.Root, spec.Overlay.Upper, spec.Overlay.Work, initDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return err
		}
	}
	if err := makeInitLayer(initDir, img); err != nil {
		return err
	}
	content := map[string]string{"hosts": net.Hosts(), "hostname": hostname + "\n", "resolv.conf": net.ResolvConf()}
	dir := filepath.Dir(spec.Root)
	for _, name := range etcFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content[name]), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// command is what the container runs: Docker's rule is ENTRYPOINT followed
// by the arguments given, or by the image's CMD if none were.
func command(img *Image, args []string) ([]string, error) {
	var cfg image.Config
	if img != nil {
		cfg = img.Config
	}
	if len(args) == 0 {
		args = cfg.Cmd
	}
	cmd := append(append([]string{}, cfg.Entrypoint...), args...)
	if len(cmd) == 0 {
		return nil, fmt.Errorf("no command given, and the image has none: mydocker run IMAGE COMMAND [ARG...]")
	}
	return cmd, nil
}

// netFiles writes what the network says /etc/hosts and /etc/resolv.conf hold.
type netFiles interface {
	Hosts() string
	ResolvConf() string
}

// initMounts are the mount points Setup needs: directories, and the files
// bound over /etc.
var initMounts = []string{"dev/", "proc/", "sys/", "etc/hostname", "etc/hosts", "etc/resolv.conf"}

// makeInitLayer fills the init layer with the mount points the image lacks.
func makeInitLayer(dir string, img *Image) error {
	for _, m := range initMounts {
		if img.has(m) {
			continue
		}
		p := filepath.Join(dir, m)
		if strings.HasSuffix(m, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// has reports whether a path exists in the image's layers (top first).
// A whiteout (a 0:0 character device) hides what lies below it.
func (img *Image) has(path string) bool {
	for _, l := range img.Lowers {
		if !filepath.IsAbs(l) {
			l = filepath.Join(img.LowerBase, l)
		}
		fi, err := os.Lstat(filepath.Join(l, strings.TrimSuffix(path, "/")))
		if err == nil {
			return fi.Mode()&os.ModeCharDevice == 0
		}
	}
	return false
}
