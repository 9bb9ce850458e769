package network

import (
	"errors"
	"fmt"
	"net"
	"testing"
)

func ExampleAllocate() {
	_, subnet, _ := net.ParseCIDR("172.29.0.0/29")
	gw := Gateway(subnet)
	used := map[string]bool{"172.29.0.2": true}
	for i := 0; i < 5; i++ {
		ip, err := Allocate(subnet, gw, used)
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println(ip)
		used[ip.String()] = true
	}
	// Output:
	// 172.29.0.3
	// 172.29.0.4
	// 172.29.0.5
	// 172.29.0.6
	// no address left in 172.29.0.0/29: remove a container, or create a network with a larger --subnet
}

func ExampleParsePort() {
	for _, s := range []string{"8080:80", "127.0.0.1:8080:80", "8080:80/udp", "80", "127.0.0.1::80"} {
		b, err := ParsePort(s)
		fmt.Println(b, err)
	}
	// Output:
	// 80/tcp -> 0.0.0.0:8080 <nil>
	// 80/tcp -> 127.0.0.1:8080 <nil>
	// 80/udp -> 0.0.0.0:8080 <nil>
	// 80/tcp -> 0.0.0.0:0 <nil>
	// 80/tcp -> 127.0.0.1:0 <nil>
}

func TestParsePortRefuses(t *testing.T) {
	for _, s := range []string{"", "x", "0", "65536", "8080:80:80:80", "::1:80:80", "80/sctp", "a:80", "8080:"} {
		if b, err := ParsePort(s); err == nil {
			t.Errorf("ParsePort(%q) = %v, want an error", s, b)
		}
	}
}

func TestCheckFixed(t *testing.T) {
	_, subnet, _ := net.ParseCIDR("10.0.0.0/24")
	gw := Gateway(subnet)
	used := map[string]bool{"10.0.0.7": true}
	for _, c := range []struct {
		ip string
		is error // the sentinel the daemon answers with Docker's status
	}{{"10.0.0.9", nil}, {"10.0.0.7", ErrAddressInUse}, {"10.0.0.1", ErrAddressInUse}, {"10.0.0.0", ErrBadAddress},
		{"10.0.0.255", ErrBadAddress}, {"10.0.1.2", ErrBadAddress}, {"x", ErrBadAddress}} {
		_, err := CheckFixed(subnet, gw, used, c.ip)
		if c.is == nil && err != nil || c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("CheckFixed(%q) = %v, want %v", c.ip, err, c.is)
		}
	}
}

func TestClash(t *testing.T) {
	a := Binding{HostPort: 8080, Proto: "tcp"}
	for _, c := range []struct {
		b    Binding
		want bool
	}{
		{Binding{HostPort: 8080, Proto: "tcp"}, true},
		{Binding{HostIP: "127.0.0.1", HostPort: 8080, Proto: "tcp"}, true},
		{Binding{HostPort: 8080, Proto: "udp"}, false},
		{Binding{HostPort: 8081, Proto: "tcp"}, false},
	} {
		if got := clash(a, c.b); got != c.want {
			t.Errorf("clash(%v, %v) = %v, want %v", a, c.b, got, c.want)
		}
	}
	if clash(Binding{HostIP: "127.0.0.1", HostPort: 1, Proto: "tcp"}, Binding{HostIP: "192.0.2.1", HostPort: 1, Proto: "tcp"}) {
		t.Error("two different host addresses clash")
	}
}

func ExampleFilterResolvConf() {
	fmt.Print(FilterResolvConf("nameserver 127.0.0.53\nnameserver 192.0.2.53\nnameserver 2001:db8::1\nsearch example.test\n"))
	fmt.Println("--")
	fmt.Print(FilterResolvConf("nameserver 127.0.0.53\n"))
	// Output:
	// nameserver 192.0.2.53
	// search example.test
	// --
	// nameserver 8.8.8.8
	// nameserver 8.8.4.4
}

func TestParseSubnet(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{{"10.1.0.0/16", true}, {"10.1.0.1/16", false}, {"10.1.0.0/31", false}, {"fd00::/64", false}, {"nope", false}} {
		if _, err := parseSubnet(c.in); (err == nil) != c.ok {
			t.Errorf("parseSubnet(%q) = %v, want ok=%v", c.in, err, c.ok)
		}
	}
}
