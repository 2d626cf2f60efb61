//go:build !linux

package process

import "syscall"

// sysProcAttr starts a node in its own process group, so that teardown
// kills any children it starts too. Only Linux can also kill it when
// glomers itself dies without tearing down.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
