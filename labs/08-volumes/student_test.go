//go:build !reference

package lab08

// impl is the code you write in target.go.
var impl = OpenTarget
