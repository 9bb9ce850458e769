package network

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseNetDev(t *testing.T) {
	in := `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     560       8    0    0    0     0          0         0      560       8    0    0    0     0       0          0
  eth0: 1073741824  742113    1    2    0     0          0         0   52488     771    3    4    0     0       0          0
`
	got, err := parseNetDev(strings.NewReader(in))
	require.NoError(t, err)
	require.Equal(t, map[string]Counters{"eth0": {RxBytes: 1 << 30, RxPackets: 742113, RxErrors: 1, RxDropped: 2,
		TxBytes: 52488, TxPackets: 771, TxErrors: 3, TxDropped: 4}}, got)

	_, err = parseNetDev(strings.NewReader("eth0: 1 2 3\n"))
	require.ErrorContains(t, err, "eth0")
}
