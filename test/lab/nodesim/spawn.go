// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"os/exec"
	"runtime"
	"syscall"
)

// spawner starts the child processes of a simulator from one OS thread that
// lives as long as the simulator. Children get SIGKILL as their parent-death
// signal, which Linux sends when the thread that forked them ends: starting
// them from arbitrary goroutines would tie them to threads Go may retire.
type spawner struct{ reqs chan spawnReq }

type spawnReq struct {
	cmd   *exec.Cmd
	reply chan error
}

func newSpawner() *spawner {
	s := &spawner{reqs: make(chan spawnReq)}
	go s.loop()
	return s
}

// loop never unlocks its thread and never returns: the simulator's
// children must not outlive it, nor die before it.
func (s *spawner) loop() {
	runtime.LockOSThread()
	for req := range s.reqs {
		req.reply <- req.cmd.Start()
	}
}

// start starts cmd with SIGKILL as its parent-death signal.
func (s *spawner) start(cmd *exec.Cmd) error {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	reply := make(chan error, 1)
	s.reqs <- spawnReq{cmd: cmd, reply: reply}
	return <-reply
}
