// Names: host names of the test's own. Which certificate is checked, and
// which request carries credentials, depends on a request's host name
// (loopback names are exempt from checks, others are not), so tests need
// servers that answer to names like registry.example.com. Names maps such
// a name and port to a listener on 127.0.0.1 and refuses every other name:
// no lookup, and no packet, ever leaves the machine.
//
//	names := registrytest.Names{"auth.example.com:443": realm.Listener.Addr().String()}
//	opts := remote.Options{Transport: names.Transport(realm.Certificate())}
//
// httptest's TLS servers present a certificate for example.com and
// *.example.com, so a name under example.com verifies against it once the
// client trusts it, and fails verification while it does not.

package registrytest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
)

// Names maps "name:port" to the "127.0.0.1:PORT" that answers for it.
type Names map[string]string

// DialContext dials the listener a name maps to. Loopback addresses are
// dialled as they are; any other name is refused.
func (n Names) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	to, ok := n[addr]
	if !ok {
		host, _, _ := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("%s is not a name of this test", addr)}
		}
		to = addr
	}
	var d net.Dialer
	return d.DialContext(ctx, network, to)
}

// Transport dials through n, with no proxy, trusting only the given
// certificates (and the system's, which no test server's is).
func (n Names) Transport(trust ...*x509.Certificate) *http.Transport {
	t := &http.Transport{DialContext: n.DialContext}
	if len(trust) > 0 {
		pool := x509.NewCertPool()
		for _, c := range trust {
			pool.AddCert(c)
		}
		t.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	return t
}
