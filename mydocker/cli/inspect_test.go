package cli

import (
	"fmt"
	"text/template"

	"github.com/mydocker/mydocker/mydocker/engine"
)

// A template may name fields as Go spells them or as the JSON does, as
// with docker inspect: {{.ID}} from the Go type, {{.Id}} from the JSON
// document it falls back to.
func Example_execInspect() {
	img := &engine.ImageInspect{ID: "sha256:88968ce075e0", Architecture: "amd64", Os: "linux"}
	for _, format := range []string{"{{.ID}}", "{{.Id}}", "{{.Os}}/{{.Architecture}}", "{{.Missing}}"} {
		text, err := execInspect(template.Must(template.New("format").Parse(format)), img)
		fmt.Printf("%s: %q %v\n", format, text, err)
	}
	// Output:
	// {{.ID}}: "sha256:88968ce075e0" <nil>
	// {{.Id}}: "sha256:88968ce075e0" <nil>
	// {{.Os}}/{{.Architecture}}: "linux/amd64" <nil>
	// {{.Missing}}: "<no value>" <nil>
}
