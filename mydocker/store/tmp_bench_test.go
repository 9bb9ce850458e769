package store

import (
	"testing"
	"time"
)

func TestTMPFirst(t *testing.T) {
	for i := 0; i < 3; i++ {
		t0 := time.Now()
		s, err := Open("/tmp/speed10/root")
		if err != nil {
			t.Fatal(err)
		}
		t1 := time.Now()
		img, _, err := s.Get("busybox")
		if err != nil {
			t.Fatal(err)
		}
		t2 := time.Now()
		img.ConfigFile()
		t3 := time.Now()
		s.Unpack(img, nil)
		t4 := time.Now()
		t.Logf("open %v get %v config %v unpack %v", t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), t4.Sub(t3))
	}
}
