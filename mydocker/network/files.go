// /etc/resolv.conf and /etc/hosts for a container, written as Docker writes
// them. On a bridge network the container cannot reach the host's loopback,
// so a resolver the host reaches on 127.0.0.53 (systemd-resolved) is useless
// inside: such nameservers are dropped, systemd-resolved's own upstream file
// is read instead if there is one, and if nothing is left Docker's
// defaults (8.8.8.8, 8.8.4.4) are written. IPv6 nameservers go too: the
// container has no IPv6.

package network

import (
	"net"
	"os"
	"strings"
)

// ResolvConfEnv names another file to read as the host's resolv.conf; the
// tests use it to start from a resolver they made, never the host's.
const ResolvConfEnv = "MYDOCKER_RESOLV_CONF"

// resolvedUpstream is systemd-resolved's list of real upstream servers.
const resolvedUpstream = "/run/systemd/resolve/resolv.conf"

// hostResolvConf reads the host's resolv.conf.
func hostResolvConf() string {
	path := "/etc/resolv.conf"
	if p := os.Getenv(ResolvConfEnv); p != "" {
		path = p
	}
	data, _ := os.ReadFile(path)
	s := string(data)
	if os.Getenv(ResolvConfEnv) == "" && onlyLoopback(s) {
		if up, err := os.ReadFile(resolvedUpstream); err == nil {
			s = string(up)
		}
	}
	return s
}

func onlyLoopback(conf string) bool {
	servers := nameservers(conf)
	for _, ip := range servers {
		if !ip.IsLoopback() {
			return false
		}
	}
	return len(servers) > 0
}

func nameservers(conf string) []net.IP {
	var out []net.IP
	for _, line := range strings.Split(conf, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "nameserver" {
			if ip := net.ParseIP(f[1]); ip != nil {
				out = append(out, ip)
			}
		}
	}
	return out
}

// FilterResolvConf is Docker's filter for a bridge network: loopback and
// IPv6 nameservers out, the defaults in if none remain; search and options
// lines kept.
func FilterResolvConf(conf string) string {
	var b strings.Builder
	kept := 0
	for _, line := range strings.Split(strings.TrimRight(conf, "\n"), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "nameserver" {
			ip := net.ParseIP(f[1])
			if ip == nil || ip.IsLoopback() || ip.To4() == nil {
				continue
			}
			kept++
		}
		if line == "" && b.Len() == 0 {
			continue
		}
		b.WriteString(line + "\n")
	}
	if kept == 0 {
		b.WriteString("nameserver 8.8.8.8\nnameserver 8.8.4.4\n")
	}
	return b.String()
}

// Hosts is a container's /etc/hosts: Docker's fixed lines, then its own
// address and hostname when it has an address.
func Hosts(ip, hostname string) string {
	s := "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" +
		"fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"
	if ip != "" {
		s += ip + "\t" + hostname + "\n"
	}
	return s
}
