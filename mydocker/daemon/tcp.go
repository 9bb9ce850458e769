// The API over TCP (chapter 09). Whoever can talk to the Engine API is
// root on this machine: `docker run -v /:/host` needs nothing more. On the
// unix socket the kernel checks who connects (mode 0660, group docker);
// on a TCP port nobody does, so the daemon listens on TCP only behind TLS
// with client certificates (--tlsverify), as dockerd does: the client
// proves who it is with a certificate the daemon's CA signed, and the
// daemon proves it to the client with its own.
//
// ServerTLS builds the tls.Config from the three PEM files; ListenTCP
// listens on HOST:PORT and, given a config, speaks TLS on each connection
// before any HTTP is read.

package daemon

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
)

// TLSFiles are the PEM files of --tlscacert, --tlscert and --tlskey.
type TLSFiles struct {
	CA, Cert, Key string
}

// ServerTLS is the daemon's TLS: its certificate and key, TLS 1.2 at the
// least, and, with verify (--tlsverify), a client certificate required
// and checked against the CA, which alone among the roots is trusted (a
// certificate from a public CA proves nothing about who may be root here).
// Without verify (--tls) the connection is private but anyone may open
// one.
func ServerTLS(f TLSFiles, verify bool) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(f.Cert, f.Key)
	if err != nil {
		return nil, fmt.Errorf("--tlscert %s, --tlskey %s: %w", f.Cert, f.Key, err)
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		// The API is HTTP/1.1: attach and exec hijack the connection,
		// which HTTP/2 cannot hand over.
		NextProtos: []string{"http/1.1"},
	}
	if !verify {
		return cfg, nil
	}
	pem, err := os.ReadFile(f.CA)
	if err != nil {
		return nil, fmt.Errorf("--tlscacert: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--tlscacert %s: no PEM certificate in it", f.CA)
	}
	cfg.ClientCAs = pool
	cfg.ClientAuth = tls.RequireAndVerifyClientCert
	return cfg, nil
}

// ListenTCP listens on addr (HOST:PORT), behind TLS if cfg is not nil.
func ListenTCP(addr string, cfg *tls.Config) (net.Listener, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("-H tcp://%s: want tcp://HOST:PORT", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if cfg != nil {
		l = tls.NewListener(l, cfg)
	}
	return l, nil
}
