// IDs and names. A container's ID is 32 random bytes in hex, like Docker's;
// its first 12 characters are the short ID shown by `mydocker ps` and used as
// the default hostname. Names default to adjective_scientist, as in Docker.

package engine

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"regexp"
	"sync"
)

// NewID returns a fresh random container ID.
func NewID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ShortID is the 12-character form of an ID.
func ShortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// validName is Docker's rule for container names.
var validName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`) })

// CheckName rejects names Docker would reject.
func CheckName(name string) error {
	if !validName().MatchString(name) {
		return fmt.Errorf("invalid container name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name)
	}
	return nil
}

var (
	adjectives = []string{"admiring", "bold", "brave", "busy", "calm", "clever", "eager", "elated",
		"focused", "gifted", "happy", "jolly", "keen", "kind", "lucid", "modest", "nifty",
		"quirky", "relaxed", "serene", "sharp", "stoic", "tender", "vibrant", "wizardly", "zen"}
	scientists = []string{"babbage", "curie", "dijkstra", "einstein", "euler", "feynman",
		"hamilton", "hopper", "kare", "knuth", "lamport", "liskov", "lovelace", "mccarthy",
		"noether", "pike", "ritchie", "shannon", "thompson", "torvalds", "turing", "wozniak"}
)

// randomName picks an adjective_scientist name not in taken.
func randomName(taken map[string]bool) string {
	for i := 0; ; i++ {
		n := adjectives[mrand.IntN(len(adjectives))] + "_" + scientists[mrand.IntN(len(scientists))]
		if i > 10 {
			n += fmt.Sprint(mrand.IntN(100))
		}
		if !taken[n] {
			return n
		}
	}
}
