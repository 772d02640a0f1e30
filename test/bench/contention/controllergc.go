// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package contention

import (
	"context"
	"slices"

	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// gcOff switches the controller's IP GC off.
const gcOff = config.EnvGCIPEnabled + "=false"

// setControllerGC restarts the lab's controllers with their IP GC on or
// off, unless they already run so. A scenario with foreign records runs
// with it off: the GC frees a record whose pod does not exist as soon as a
// pool holds it (docs/gc.md), not only at its full scan, so it would free
// the foreign records during the run, writing the big pool each time.
func setControllerGC(ctx context.Context, l *lab.Lab, on bool) error {
	if slices.Contains(l.ControllerEnv, gcOff) != on {
		return nil
	}
	if on {
		l.ControllerEnv = slices.DeleteFunc(slices.Clone(l.ControllerEnv), func(kv string) bool { return kv == gcOff })
	} else {
		l.ControllerEnv = append(slices.Clip(l.ControllerEnv), gcOff)
	}
	return restartControllers(ctx, l)
}

// restartControllers restarts every controller of l with l.ControllerEnv.
func restartControllers(ctx context.Context, l *lab.Lab) error {
	for i := range l.Controllers {
		if err := l.StopController(i); err != nil {
			return err
		}
	}
	for i := range l.Controllers {
		if err := l.StartController(i); err != nil {
			return err
		}
		if err := l.WaitControllerReady(ctx, i); err != nil {
			return err
		}
	}
	return nil
}
