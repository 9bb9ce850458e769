package iocount_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/mydocker/mydocker/mydocker/iocount"
)

func ExampleReader() {
	r := &iocount.Reader{R: strings.NewReader("hello, layer"), OnRead: func(total int64) { fmt.Println("read so far:", total) }}
	buf := make([]byte, 5)
	for {
		if _, err := r.Read(buf); err == io.EOF {
			break
		}
	}
	w := &iocount.Writer{W: &bytes.Buffer{}}
	fmt.Fprint(w, "diff")
	fmt.Println(r.N, w.N)
	// Output:
	// read so far: 5
	// read so far: 10
	// read so far: 12
	// 12 4
}
