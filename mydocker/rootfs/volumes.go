// Volumes, bind mounts and tmpfs mounts the user asked for (chapter 08),
// as init receives them: already resolved by the engine into "bind this host
// directory" or "mount a fresh tmpfs", with the flags to set. Init mounts
// each inside the container's root before the root switch (volumes_linux.go).

package rootfs

// VolumeMount is one user mount, as init makes it.
type VolumeMount struct {
	// Kind is "bind" (Source is a host path: a volume's _data or a bind
	// mount's source) or "tmpfs" (Data holds its options).
	Kind   string `json:"kind"`
	Source string `json:"source,omitempty"`
	Target string `json:"target"` // inside the container, resolved in its root
	Data   string `json:"data,omitempty"`
	// Flags on the new mount, recursively.
	ReadOnly bool `json:"readOnly,omitempty"`
	NoSuid   bool `json:"nosuid,omitempty"`
	NoDev    bool `json:"nodev,omitempty"`
	NoExec   bool `json:"noexec,omitempty"`
	// Propagation: rprivate (the default), private, rslave, slave,
	// rshared, shared.
	Propagation string `json:"propagation,omitempty"`
	// CopyUp fills the mount, if it is empty, with what the image has at
	// Target: a new volume starts with the image's files (Docker's rule).
	CopyUp bool `json:"copyUp,omitempty"`
}
