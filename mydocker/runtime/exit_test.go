package runtime

import (
	"syscall"
	"testing"
)

func TestWaitStatusCode(t *testing.T) {
	for _, tt := range []struct {
		ws   syscall.WaitStatus
		want int
	}{
		{0, 0},
		{3 << 8, 3},
		{syscall.WaitStatus(syscall.SIGKILL), 137},
		{syscall.WaitStatus(syscall.SIGTERM), 143},
	} {
		if got := waitStatusCode(tt.ws); got != tt.want {
			t.Errorf("waitStatusCode(%#x) = %d, want %d", uint32(tt.ws), got, tt.want)
		}
	}
}
