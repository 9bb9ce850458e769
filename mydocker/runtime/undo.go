// Every setup step of a container has its undo. Run pushes each undo as the
// step succeeds; whatever happens later, the stack is unwound in reverse,
// so a failed start leaves no mount, cgroup or directory behind.

package runtime

import "errors"

// An Undo is a stack of cleanup steps.
type Undo struct {
	steps []undoStep
}

type undoStep struct {
	what string
	fn   func() error
}

// Push adds a cleanup step, named for error messages.
func (u *Undo) Push(what string, fn func() error) {
	u.steps = append(u.steps, undoStep{what, fn})
}

// Run runs every step, newest first, and returns what failed.
func (u *Undo) Run() error {
	var errs []error
	for i := len(u.steps) - 1; i >= 0; i-- {
		if err := u.steps[i].fn(); err != nil {
			errs = append(errs, errors.New("undo "+u.steps[i].what+": "+err.Error()))
		}
	}
	u.steps = nil
	return errors.Join(errs...)
}
