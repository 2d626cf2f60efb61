package process

import "syscall"

// sysProcAttr starts a node in its own process group and has the kernel
// SIGKILL it if glomers dies without tearing down (SIGKILL, a crash). The
// kernel sends that signal when the thread that started the node exits; Go
// keeps its threads for the life of the process unless a goroutine locked
// to one exits, which this module never does. Children the node starts
// itself are not covered: teardown kills them with the node's group.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
