//go:build !reference

package lab02

// impl is the code you write in limiter.go.
var impl = Limit
