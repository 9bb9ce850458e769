package chapter09

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
	"github.com/mydocker/mydocker/mydocker/doctor"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/builtin"
	"github.com/mydocker/mydocker/mydocker/image/imagetest"
	"github.com/mydocker/mydocker/mydocker/image/layout"
	"github.com/mydocker/mydocker/mydocker/image/remote/registrytest"
)

// Docker behaviour: `docker run` of an image the daemon lacks gets 404 "No
// such image" from create, pulls it (POST /images/create, from a registry
// on loopback here, as chapter 05's tests do), and creates again.
func TestRunPullsThroughDaemon(t *testing.T) {
	e := harness.New(t)
	d := e.StartDaemon()
	reg := registrytest.Start(t, registrytest.Options{})
	bin, err := doctor.FindStaticBusybox()
	require.NoError(t, err)
	base, cfg, err := builtin.Busybox(bin)
	require.NoError(t, err)
	l0, err := image.LayerFromTar(base)
	require.NoError(t, err)
	img, err := image.Build(cfg, []image.Layer{l0})
	require.NoError(t, err)
	dir := t.TempDir()
	l, err := layout.Create(dir)
	require.NoError(t, err)
	require.NoError(t, l.Write(img, map[string]string{layout.AnnotationRefName: "fixture"}))
	imagetest.Skopeo(t, "copy", "--dest-tls-verify=false", "oci:"+dir+":fixture", "docker://"+reg.Host+"/fixture:1")

	ref := reg.Host + "/fixture:1"
	r := d.Docker("run", "--rm", ref, "echo", "pulled")
	if r.Code != 0 || r.Stdout != "pulled\n" || !strings.Contains(r.Stderr, "Unable to find image '"+ref+"' locally") {
		t.Errorf("%v\nwant the image pulled, then run", r)
	}
}
