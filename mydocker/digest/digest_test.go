package digest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func ExampleChainID() {
	a := Digest("sha256:" + strings.Repeat("a", 64))
	b := Digest("sha256:" + strings.Repeat("b", 64))
	fmt.Println(ChainID([]Digest{a}) == a)
	fmt.Println(ChainID([]Digest{a, b}) == FromBytes([]byte(string(a)+" "+string(b))))
	// Output:
	// true
	// true
}

func TestVerifyReader(t *testing.T) {
	data := []byte("layer bytes")
	good := FromBytes(data)
	tests := []struct {
		name string
		want Digest
		size int64
		err  bool
	}{
		{"right digest and size", good, int64(len(data)), false},
		{"size unknown", good, -1, false},
		{"wrong digest", FromBytes([]byte("other")), int64(len(data)), true},
		{"truncated", good, int64(len(data)) + 5, true},
		{"too long", good, 3, true},
	}
	for _, tt := range tests {
		_, err := io.ReadAll(VerifyReader(io.NopCloser(bytes.NewReader(data)), tt.want, tt.size))
		if (err != nil) != tt.err || (err != nil && !errors.Is(err, ErrDigestMismatch)) {
			t.Errorf("%s: ReadAll error %v, want error %v", tt.name, err, tt.err)
		}
	}
}
