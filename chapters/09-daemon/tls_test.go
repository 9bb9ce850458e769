// The API over TCP: only behind TLS with client certificates
// (--tlsverify), as dockerd. The test makes its own CA, a server
// certificate for 127.0.0.1 and a client certificate with crypto/x509,
// starts the daemon on a free loopback port, and drives it with Debian's
// docker client. Plain TCP is refused unless --tls=false says it out loud.
// Only loopback: nothing here listens on or dials another address.
package chapter09

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mydocker/mydocker/chapters/harness"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

// pki is a CA and the certificates it signed, as PEM files in Dir.
type pki struct {
	Dir                   string
	CA, Cert, Key         string // the daemon's --tlscacert, --tlscert, --tlskey
	ClientCert, ClientKey string // what the docker client shows
	Stranger, StrangerKey string // a client certificate another CA signed
	caCert                *x509.Certificate
	caKey                 *ecdsa.PrivateKey
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	p := &pki{Dir: t.TempDir()}
	p.caCert, p.caKey = p.issue(t, "ca", nil, nil, func(c *x509.Certificate) {
		c.IsCA, c.BasicConstraintsValid = true, true
		c.KeyUsage = x509.KeyUsageCertSign
	})
	p.CA = filepath.Join(p.Dir, "ca.pem")
	p.issue(t, "server", p.caCert, p.caKey, func(c *x509.Certificate) {
		c.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	})
	p.Cert, p.Key = filepath.Join(p.Dir, "server.pem"), filepath.Join(p.Dir, "server-key.pem")
	p.issue(t, "client", p.caCert, p.caKey, func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	})
	p.ClientCert, p.ClientKey = filepath.Join(p.Dir, "client.pem"), filepath.Join(p.Dir, "client-key.pem")
	otherCA, otherKey := p.issue(t, "other-ca", nil, nil, func(c *x509.Certificate) {
		c.IsCA, c.BasicConstraintsValid = true, true
		c.KeyUsage = x509.KeyUsageCertSign
	})
	p.issue(t, "stranger", otherCA, otherKey, func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	})
	p.Stranger, p.StrangerKey = filepath.Join(p.Dir, "stranger.pem"), filepath.Join(p.Dir, "stranger-key.pem")
	return p
}

// issue makes a key and a certificate for name, signed by parent (itself
// if nil), and writes them as name.pem and name-key.pem.
func (p *pki) issue(t *testing.T, name string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, shape func(*x509.Certificate)) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "mydocker test " + name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	shape(tmpl)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(file, kind string, der []byte, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(p.Dir, file), pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(name+".pem", "CERTIFICATE", der, 0o644)
	write(name+"-key.pem", "EC PRIVATE KEY", keyDER, 0o600)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// freePort is a loopback port nobody listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// tcpDaemon starts `mydocker daemon args...` (stopped by the Env's
// cleanup), waits until ping answers, and returns how to read its log.
func tcpDaemon(t *testing.T, e *harness.Env, ping func() error, args ...string) (log func() string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "daemon.log")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	log = func() string { data, _ := os.ReadFile(file); return string(data) }
	cmd := e.Cmd(append([]string{"daemon"}, args...)...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; ping() != nil; i++ {
		if i == 300 || syscall.Kill(cmd.Process.Pid, 0) != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("mydocker daemon %s never answered; its log:\n%s", strings.Join(args, " "), log())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return log
}

// docker runs Debian's docker client with a config of its own, and the
// proxies that keep it on loopback.
func docker(t *testing.T, dir string, args ...string) harness.DockerResult {
	t.Helper()
	client := "/usr/bin/docker" // Debian's docker.io: the 20.10 client
	if _, err := os.Stat(client); err != nil {
		client = testenv.Program(t, "docker", "docker.io")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, client, args...)
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+filepath.Join(dir, "client"), "DOCKER_HOST=", "DOCKER_TLS_VERIFY=",
		"DOCKER_CERT_PATH=", "HTTPS_PROXY=http://127.0.0.1:9", "HTTP_PROXY=http://127.0.0.1:9", "NO_PROXY=")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Run()
	return harness.DockerResult{Result: harness.Result{Args: args, Stdout: stdout.String(), Stderr: stderr.String(), Code: cmd.ProcessState.ExitCode()}}
}

func skipInVM(t *testing.T) {
	if os.Getenv(harness.InVMEnv) == "1" {
		t.Skip("the cgroup v2 VM has no docker client: this ran natively in the same make test")
	}
}

func TestTCPWithTLSVerify(t *testing.T) {
	e := harness.New(t)
	skipInVM(t)
	p := newPKI(t)
	addr := freePort(t)
	pool := x509.NewCertPool()
	pool.AddCert(p.caCert)
	dial := func(certFile, keyFile string, tweak func(*tls.Config)) error {
		cfg := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
		if certFile != "" {
			c, err := tls.LoadX509KeyPair(certFile, keyFile)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Certificates = []tls.Certificate{c}
		}
		if tweak != nil {
			tweak(cfg)
		}
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, Proxy: nil}, Timeout: 10 * time.Second}
		resp, err := client.Get("https://" + addr + "/_ping")
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
	tcpDaemon(t, e, func() error { return dial(p.ClientCert, p.ClientKey, nil) },
		"-H", "tcp://"+addr, "--tlsverify", "--tlscacert", p.CA, "--tlscert", p.Cert, "--tlskey", p.Key)

	host := "tcp://" + addr
	r := docker(t, p.Dir, "--tlsverify", "--tlscacert", p.CA, "--tlscert", p.ClientCert, "--tlskey", p.ClientKey,
		"-H", host, "version", "--format", "{{.Server.APIVersion}}")
	if r.Code != 0 || strings.TrimSpace(r.Stdout) != "1.41" {
		t.Errorf("docker --tlsverify with the client certificate: %v, want API 1.41", r)
	}
	// The docker client without a certificate: the daemon ends the
	// handshake before any HTTP is read.
	r = docker(t, p.Dir, "--tlsverify", "--tlscacert", p.CA, "-H", host, "version", "--format", "{{.Server.APIVersion}}")
	if r.Code == 0 || strings.Contains(r.Stdout, "1.41") || !strings.Contains(r.Stderr, "certificate required") {
		t.Errorf("docker --tlsverify without a client certificate: %v, want refused for want of one", r)
	}
	// Plain HTTP to the TLS port gets no API either.
	r = docker(t, p.Dir, "-H", host, "version", "--format", "{{.Server.APIVersion}}")
	if r.Code == 0 || strings.Contains(r.Stdout, "1.41") {
		t.Errorf("docker over plain HTTP to the --tlsverify port: %v, want refused", r)
	}
	for _, c := range []struct {
		what      string
		cert, key string
		tweak     func(*tls.Config)
	}{
		{"a certificate another CA signed", p.Stranger, p.StrangerKey, nil},
		{"TLS 1.1", p.ClientCert, p.ClientKey, func(c *tls.Config) { c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS11 }},
	} {
		if err := dial(c.cert, c.key, c.tweak); err == nil {
			t.Errorf("GET /_ping with %s: answered, want the handshake refused", c.what)
		}
	}
	if err := dial(p.ClientCert, p.ClientKey, nil); err != nil {
		t.Errorf("GET /_ping with the client certificate after the refused ones: %v", err)
	}
}

// Plain TCP nobody asked for: one line naming the fix, exit 125, and
// nothing listens (not even the unix socket given beside it). --tls
// without its certificate is one line too.
func TestTCPPlainRefused(t *testing.T) {
	e := harness.New(t)
	addr := freePort(t)
	dir := t.TempDir()
	sock := filepath.Join(dir, "s.sock")
	for _, c := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"daemon", "-H", "tcp://" + addr}, 125, []string{"--tlsverify", "--tls=false"}},
		{[]string{"daemon", "-H", "unix://" + sock, "-H", "tcp://" + addr}, 125, []string{"--tlsverify", "--tls=false"}},
		{[]string{"daemon", "-H", "tcp://" + addr, "--tls", "--tlscert", filepath.Join(dir, "none.pem"), "--tlskey", filepath.Join(dir, "none-key.pem")}, 1, []string{"--tlscert"}},
	} {
		r := e.Run(c.args...)
		if r.Code != c.code {
			t.Errorf("%v, want exit %d", r, c.code)
		}
		if lines := strings.Split(strings.TrimSpace(r.Stderr), "\n"); len(lines) != 1 {
			t.Errorf("%v, want one line", r)
		}
		for _, w := range c.want {
			if !strings.Contains(r.Stderr, w) {
				t.Errorf("%v, want it to name %s", r, w)
			}
		}
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			t.Errorf("after %v: something listens on %s", r, addr)
		}
		if _, err := os.Stat(sock); err == nil {
			t.Errorf("after %v: the socket %s was made", r, sock)
		}
	}
}

// --tls=false said out loud: plain TCP, with dockerd's warnings, beside
// the unix socket of the same daemon.
func TestTCPPlainExplicit(t *testing.T) {
	e := harness.New(t)
	skipInVM(t)
	addr := freePort(t)
	dir, err := os.MkdirTemp("", "mydockerd-tcp-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "s.sock")
	ping := func() error {
		resp, err := (&http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 10 * time.Second}).Get("http://" + addr + "/_ping")
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}
	log := tcpDaemon(t, e, ping, "-H", "unix://"+sock, "-H", "tcp://"+addr, "--tls=false")
	for _, host := range []string{"tcp://" + addr, "unix://" + sock} {
		r := docker(t, dir, "-H", host, "version", "--format", "{{.Server.APIVersion}}")
		if r.Code != 0 || strings.TrimSpace(r.Stdout) != "1.41" {
			t.Errorf("docker -H %s version: %v, want API 1.41", host, r)
		}
	}
	if !strings.Contains(log(), "Binding to IP address without --tlsverify is insecure") {
		t.Errorf("mydocker daemon --tls=false said:\n%s\nwant dockerd's warning", log())
	}
}
