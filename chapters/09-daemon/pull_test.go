package chapter09

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

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

// screen is what a terminal shows once out is drawn on it: docker's
// progress redraws (cursor up ESC[nA, down ESC[nB, erase line ESC[2K,
// carriage return) applied. Two pulls that redrew a bar a different
// number of times (the daemon sends a bar at most every 100 ms) end on
// the same picture.
func screen(out string) string {
	lines := [][]rune{{}}
	row, col := 0, 0
	rs := []rune(out)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; {
		case c == '\r':
			col = 0
		case c == '\n':
			row, col = row+1, 0
		case c == '\033' && i+1 < len(rs) && rs[i+1] == '[':
			j, n := i+2, 0
			for ; j < len(rs) && rs[j] >= '0' && rs[j] <= '9'; j++ {
				n = n*10 + int(rs[j]-'0')
			}
			if j == len(rs) {
				break
			}
			switch rs[j] {
			case 'A':
				row = max(row-n, 0)
			case 'B':
				row += n
			case 'K':
				lines[row] = nil
			}
			i = j
			continue
		default:
			for len(lines[row]) <= col {
				lines[row] = append(lines[row], ' ')
			}
			lines[row][col] = c
			col++
		}
		for len(lines) <= row {
			lines = append(lines, nil)
		}
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(strings.TrimRight(string(l), " ") + "\n")
	}
	return b.String()
}

// layersSorted sorts each run of a screen's layer lines ("bc62b56dde6c:
// Pull complete"): the engine fetches layers at once, and which one
// starts first, and so takes the first line, varies from pull to pull.
func layersSorted(s string) string {
	lines := strings.SplitAfter(s, "\n")
	layer := regexp.MustCompile(`^[0-9a-f]{12}: `)
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && layer.MatchString(lines[j]) {
			j++
		}
		slices.Sort(lines[i:j])
		i = j + 1
	}
	return strings.Join(lines, "")
}

// Docker behaviour: a pull on a terminal draws a line per layer, redrawn
// in place as it goes ("a3ed95caeb02: Downloading [==>   ] 1MB/2MB"),
// whether the command line pulls itself or the daemon pulls and streams
// its progress JSON (POST /images/create): docker's client draws the
// daemon's messages as its bars. So does mydocker's: the same screen in
// both modes, for pull (on stdout), run's pull (on stderr) and push.
func TestClientModePullOnTerminal(t *testing.T) {
	out := "a: Pulling fs layer\r\nb: Pulling fs layer\r\n\033[2A\r\033[2Ka: Downloading [=>  ] 1B/3B\r\033[2B" +
		"\033[1A\r\033[2Kb: Pull complete\r\033[1B\033[2A\r\033[2Ka: Pull complete\r\033[2BDigest: x\r\n"
	if got, want := screen(out), "a: Pull complete\nb: Pull complete\nDigest: x\n\n"; got != want {
		t.Fatalf("screen(%q) = %q, want %q", out, got, want)
	}
	reg := registrytest.Start(t, registrytest.Options{})
	pushFixture(t, reg, "fixture:1")
	ref := reg.Host + "/fixture:1"
	// draw reads until last, or until the command has closed the
	// terminal (last "").
	draw := func(e *harness.Env, last string, args ...string) string {
		cmd, master := e.OnTerminal(24, 200, args...)
		if last == "" {
			last = "\x00" // never written: ReadUntil stops at the terminal's end
		}
		out := harness.ReadUntil(master, last, 60*time.Second)
		if last == "\x00" {
			last = "\n"
		}
		if err := cmd.Wait(); err != nil || !strings.Contains(out, last) {
			t.Fatalf("mydocker %s on a terminal: %v\n%q", strings.Join(args, " "), err, out)
		}
		return layersSorted(screen(out))
	}
	var daemonless, client [3]string
	// Each side pushes to a repository of its own, so that each finds
	// the registry without its layers; the name is masked.
	scenario := func(e *harness.Env, side string, got *[3]string) {
		got[0] = draw(e, "\n"+ref+"\r\n", "pull", ref)
		e.MustRun("rmi", ref)
		got[1] = draw(e, "pulled\r\n", "run", "--rm", "--pull", "always", ref, "echo", "pulled")
		e.MustRun("tag", ref, reg.Host+"/"+side+":1")
		got[2] = strings.ReplaceAll(draw(e, "", "push", reg.Host+"/"+side+":1"), side, "SIDE")
	}
	t.Run("daemonless", func(t *testing.T) {
		e := harness.New(t)
		scenario(e, "daemonless", &daemonless)
	})
	t.Run("client", func(t *testing.T) {
		e := harness.New(t)
		e.Host = e.StartDaemon().Host()
		scenario(e, "client", &client)
	})
	for i, what := range []string{"pull", "run --pull always", "push"} {
		if !strings.Contains(daemonless[i], ": Pull complete") && !strings.Contains(daemonless[i], ": Pushed") {
			t.Errorf("daemonless %s drew no layer:\n%s", what, daemonless[i])
		}
		if client[i] != daemonless[i] {
			t.Errorf("%s on a terminal through the daemon drew\n%s\nwithout a daemon\n%s", what, client[i], daemonless[i])
		}
	}
}
