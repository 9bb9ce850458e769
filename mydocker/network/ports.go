// Published ports: `-p [IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]`, parsed as
// Docker parses them, and the host port reserved by binding it for as long
// as the container runs, so neither a host program nor another container
// can take it meanwhile (Docker's docker-proxy holds it the same way).

package network

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
)

// A Binding is one published port.
type Binding struct {
	HostIP        string `json:"HostIp"` // "" or "0.0.0.0": every address
	HostPort      int    `json:"HostPort"`
	ContainerPort int    `json:"ContainerPort"`
	Proto         string `json:"Proto"` // tcp or udp
}

func (b Binding) String() string {
	ip := b.HostIP
	if ip == "" {
		ip = "0.0.0.0"
	}
	return fmt.Sprintf("%d/%s -> %s:%d", b.ContainerPort, b.Proto, ip, b.HostPort)
}

// ParsePort parses one -p value.
func ParsePort(spec string) (Binding, error) {
	bad := func(why string) (Binding, error) {
		return Binding{}, fmt.Errorf("invalid -p %q: %s (want [IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp])", spec, why)
	}
	b := Binding{Proto: "tcp"}
	rest := spec
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		b.Proto = rest[i+1:]
		rest = rest[:i]
		if b.Proto != "tcp" && b.Proto != "udp" {
			return bad("protocol must be tcp or udp")
		}
	}
	parts := strings.Split(rest, ":")
	var hostPort string
	switch len(parts) {
	case 1:
	case 2:
		hostPort = parts[0]
	case 3:
		b.HostIP, hostPort = parts[0], parts[1]
		if ip := net.ParseIP(b.HostIP); ip == nil || ip.To4() == nil {
			return bad("the host address must be IPv4")
		}
	default:
		return bad("too many ':'")
	}
	var err error
	if b.ContainerPort, err = port(parts[len(parts)-1]); err != nil {
		return bad("container port " + err.Error())
	}
	if hostPort != "" {
		if b.HostPort, err = port(hostPort); err != nil {
			return bad("host port " + err.Error())
		}
	}
	return b, nil
}

func port(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("%q is not a number from 1 to 65535", s)
	}
	return n, nil
}

// ParsePorts parses every -p, and -P's exposed ports ("80/tcp", as an
// image's ExposedPorts names them) published on free host ports.
func ParsePorts(specs []string, publishAll bool, exposed []string) ([]Binding, error) {
	var out []Binding
	for _, s := range specs {
		b, err := ParsePort(s)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	if publishAll {
		sort.Strings(exposed)
		for _, e := range exposed {
			b, err := ParsePort(e)
			if err != nil {
				return nil, fmt.Errorf("image exposes %q: %w", e, err)
			}
			out = append(out, b)
		}
	}
	return out, nil
}

// clash reports whether two bindings would claim the same host port.
func clash(a, b Binding) bool {
	any := func(ip string) bool { return ip == "" || ip == "0.0.0.0" }
	return a.Proto == b.Proto && a.HostPort == b.HostPort && (any(a.HostIP) || any(b.HostIP) || a.HostIP == b.HostIP)
}
