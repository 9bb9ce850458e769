// Package iocount counts the bytes that pass through a reader or a writer:
// the one helper for the places that must know how much went by. A blob is
// checked against its size (imagetest), a layer's tar against its
// limits (archive.Apply), a diff reports what it wrote (archive.Diff), and a
// pull shows how far each layer has come (store/layer).
package iocount

import "io"

// Reader counts what R gives. OnRead, if set, is called with the total so
// far after each read that gave bytes.
type Reader struct {
	R      io.Reader
	N      int64
	OnRead func(total int64)
}

func (r *Reader) Read(p []byte) (int, error) {
	n, err := r.R.Read(p)
	r.N += int64(n)
	if n > 0 && r.OnRead != nil {
		r.OnRead(r.N)
	}
	return n, err
}

// ReadCloser is a Reader that closes what it reads.
type ReadCloser struct {
	Reader
	C io.Closer
}

// NewReadCloser counts rc, calling onRead (if not nil) as Reader does.
func NewReadCloser(rc io.ReadCloser, onRead func(total int64)) *ReadCloser {
	return &ReadCloser{Reader: Reader{R: rc, OnRead: onRead}, C: rc}
}

func (r *ReadCloser) Close() error { return r.C.Close() }

// Writer counts what is written to W.
type Writer struct {
	W io.Writer
	N int64
}

func (w *Writer) Write(p []byte) (int, error) {
	n, err := w.W.Write(p)
	w.N += int64(n)
	return n, err
}
