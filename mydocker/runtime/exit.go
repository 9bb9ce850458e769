// Exit codes follow Docker's conventions, so scripts written for `docker run`
// read mydocker's the same way: the command's own code when it ran, 125 when
// the engine failed, 126 when the command could not be invoked, 127 when it
// was not found, and 128+N when signal N killed it (137 is SIGKILL, often an
// OOM kill).

package runtime

import (
	"errors"
	"fmt"
)

// Docker's exit codes for failures that are not the command's own.
const (
	ExitEngine       = 125 // mydocker itself failed: bad flags, missing image
	ExitCannotInvoke = 126 // the command exists but cannot be executed
	ExitNotFound     = 127 // the command does not exist in the container
	ExitSignalBase   = 128 // killed by signal N: exit 128+N
)

// An ExitError is an error that decides mydocker's exit code.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Exitf returns an ExitError with a formatted message.
func Exitf(code int, format string, args ...any) error {
	return &ExitError{Code: code, Err: fmt.Errorf(format, args...)}
}

// ExitCode picks the exit code for err: its own if it carries one, else def.
func ExitCode(err error, def int) int {
	var e *ExitError
	if errors.As(err, &e) {
		return e.Code
	}
	return def
}
