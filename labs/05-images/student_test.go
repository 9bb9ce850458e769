//go:build !reference

package lab05

import "github.com/mydocker/mydocker/mydocker/image/remote/remotetest"

// impl is the code you write in fetch.go.
var impl = remotetest.Fetcher{Manifest: Manifest, Blob: Blob}
