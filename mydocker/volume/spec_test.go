package volume_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/mydocker/mydocker/mydocker/volume"
)

func ExampleParseVolume() {
	for _, spec := range []string{"data:/var/lib/data", "/cache", "/srv/www:/usr/share/www:ro", "./here:/x", "/x:ro"} {
		m, err := volume.ParseVolume(spec)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s source=%q target=%s ro=%v create=%v propagation=%q\n", m.Type, m.Source, m.Target, m.ReadOnly, m.CreateSource, m.Propagation)
	}
	// Output:
	// volume source="data" target=/var/lib/data ro=false create=false propagation=""
	// volume source="" target=/cache ro=false create=false propagation=""
	// bind source="/srv/www" target=/usr/share/www ro=true create=true propagation="rprivate"
	// create ./here: "./here" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path
	// invalid volume specification: '/x:ro'
}

func ExampleParseMount() {
	for _, spec := range []string{
		"type=bind,source=/srv,target=/srv,readonly,bind-propagation=rslave",
		"type=tmpfs,target=/run,tmpfs-size=64m,tmpfs-mode=1770",
		"source=data,target=/data,volume-nocopy",
		"type=bind,source=srv,target=/srv",
		"type=bind,target=/srv",
		"type=tmpfs,source=x,target=/t",
		"type=volume,target=/v,foo=bar",
	} {
		m, err := volume.ParseMount(spec)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s %q %s ro=%v nocopy=%v %q %q\n", m.Type, m.Source, m.Target, m.ReadOnly, m.NoCopy, m.Propagation, m.Tmpfs)
	}
	// Output:
	// bind "/srv" /srv ro=true nocopy=false "rslave" ""
	// tmpfs "" /run ro=false nocopy=false "" "size=67108864,mode=1770"
	// volume "data" /data ro=false nocopy=true "" ""
	// invalid mount config for type "bind": invalid mount path: 'srv' mount path must be absolute
	// invalid mount config for type "bind": field Source must not be empty
	// invalid mount config for type "tmpfs": field Source must not be specified
	// unexpected key 'foo' in 'foo=bar'
}

func TestParseVolumeRefuses(t *testing.T) {
	for _, spec := range []string{
		"", "a:b:c:d", ":/x", "/x:/y:rx", "/x:/y:ro,rw", "v1:/y:rshared", "/x:/y:nocopy", "vol:relative", "/", "v1:/",
		"x:/y", // one character: never a volume name (it would be a drive letter)
	} {
		if m, err := volume.ParseVolume(spec); !errors.Is(err, volume.ErrInvalid) {
			t.Errorf("ParseVolume(%q) = %+v, %v, want ErrInvalid", spec, m, err)
		}
	}
}

func TestParseTmpfs(t *testing.T) {
	m, err := volume.ParseTmpfs("/run:size=1m,mode=700,exec")
	if err != nil || m.Target != "/run" || m.Tmpfs != "size=1m,mode=700,exec" {
		t.Errorf("ParseTmpfs = %+v, %v", m, err)
	}
	for _, spec := range []string{"run", "/run:size=lots", "/run:mode=999", "/run:bogus=1", "/run:loud"} {
		if _, err := volume.ParseTmpfs(spec); !errors.Is(err, volume.ErrInvalid) {
			t.Errorf("ParseTmpfs(%q) = %v, want ErrInvalid", spec, err)
		}
	}
}

func TestCheckDuplicates(t *testing.T) {
	a, _ := volume.ParseVolume("/data")
	b, _ := volume.ParseVolume("v1:/data/")
	if err := volume.CheckDuplicates([]volume.Mount{a, b}); err == nil {
		t.Errorf("CheckDuplicates(/data, /data/) = nil, want Duplicate mount point")
	}
}

func ExampleParseSize() {
	for _, s := range []string{"64m", "1G", "512k", "100", "64MB", "x"} {
		n, err := volume.ParseSize(s)
		fmt.Println(n, err)
	}
	// Output:
	// 67108864 <nil>
	// 1073741824 <nil>
	// 524288 <nil>
	// 100 <nil>
	// 67108864 <nil>
	// 0 want a number of bytes, such as 64m
}
