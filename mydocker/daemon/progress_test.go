package daemon

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/store"
)

// An engine event survives the trip through Docker's JSON: the client
// gets back what the daemon's engine said, except a step's bytes where
// docker draws no bar.
func TestJSONMessageEvent(t *testing.T) {
	tests := []struct {
		sent, want engine.Event
	}{
		{engine.Event{ID: "latest", Message: "Pulling from library/busybox"}, engine.Event{ID: "latest", Message: "Pulling from library/busybox"}},
		{engine.Event{Message: "Digest: sha256:abc"}, engine.Event{Message: "Digest: sha256:abc"}},
		{engine.Event{ID: "a3ed95caeb02", Status: store.PullingFSLayer, Total: 700}, engine.Event{ID: "a3ed95caeb02", Status: store.PullingFSLayer}},
		{engine.Event{ID: "a3ed95caeb02", Status: store.Downloading, Done: 300, Total: 700}, engine.Event{ID: "a3ed95caeb02", Status: store.Downloading, Done: 300, Total: 700}},
		{engine.Event{ID: "a3ed95caeb02", Status: store.Downloading}, engine.Event{ID: "a3ed95caeb02", Status: store.Downloading}},
		{engine.Event{ID: "a3ed95caeb02", Status: store.PullComplete, Done: 700, Total: 700}, engine.Event{ID: "a3ed95caeb02", Status: store.PullComplete}},
		{engine.Event{ID: "a3ed95caeb02", Status: store.Pushed}, engine.Event{ID: "a3ed95caeb02", Status: store.Pushed}},
		// A message whose text is a step's name stays a message.
		{engine.Event{ID: "x", Message: "Pushed"}, engine.Event{ID: "x", Message: "Pushed"}},
	}
	for _, tt := range tests {
		data, err := json.Marshal(progressMessage(tt.sent))
		if err != nil {
			t.Fatal(err)
		}
		var m JSONMessage
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		if got, ok := m.Event(); !ok || got != tt.want {
			t.Errorf("JSONMessage(%s).Event() = %+v, %v; want %+v, true", data, got, ok, tt.want)
		}
	}
}

func ExampleJSONMessage_Event() {
	for _, text := range []string{
		`{"stream":"Loaded image: busybox:latest\n"}`,
		`{"status":"Downloading","progressDetail":{"current":1024,"total":4096},"id":"a3ed95caeb02"}`,
		`{"status":"sha256:0ff2"}`,
		`{"progressDetail":{},"aux":{"Tag":"latest","Digest":"sha256:1c2f","Size":528}}`,
		`{"errorDetail":{"message":"digest mismatch"},"error":"digest mismatch"}`,
	} {
		var m JSONMessage
		json.Unmarshal([]byte(text), &m)
		e, ok := m.Event()
		fmt.Printf("%q %v %v\n", e, ok, m.Err())
	}
	// Output:
	// "Loaded image: busybox:latest" true <nil>
	// "a3ed95caeb02: Downloading" true <nil>
	// "sha256:0ff2" true <nil>
	// "" false <nil>
	// "" false digest mismatch
}
