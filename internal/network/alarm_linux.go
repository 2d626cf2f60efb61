package network

import (
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// timerfdAlarm sleeps on a Linux timerfd read through the runtime's poller:
// the kernel marks the descriptor readable at the deadline to the
// microsecond, and the poller wakes for it at once, where a Go timer can be
// a millisecond late (see timerAlarm). Maelstrom's Thread/sleep is about a
// tenth of a millisecond late; a millisecond on every hop would show in
// the stable latencies users compare.
type timerfdAlarm struct {
	file     *os.File
	conn     syscall.RawConn
	fallback *timerAlarm
	buf      [8]byte // the expiry count a read returns

	// arm sets the timer to spec, leaving the kernel's answer in armErr:
	// made once, so that a sleep allocates nothing.
	spec   unix.ItimerSpec
	armErr error
	arm    func(fd uintptr)
}

// newAlarm is a timerfd alarm, or a timer alarm if the kernel refuses one.
func newAlarm() alarm {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return newTimerAlarm()
	}
	// A non-blocking descriptor: os.File reads it through the poller, so a
	// sleeping pump holds no thread, and Close ends a read in progress.
	file := os.NewFile(uintptr(fd), "network-alarm")
	conn, err := file.SyscallConn()
	if err != nil {
		file.Close()
		return newTimerAlarm()
	}
	a := &timerfdAlarm{file: file, conn: conn, fallback: newTimerAlarm()}
	a.arm = func(fd uintptr) { a.armErr = unix.TimerfdSettime(int(fd), 0, &a.spec, nil) }
	return a
}

func (a *timerfdAlarm) sleep(d time.Duration) {
	if d <= 0 {
		return // a zero expiry would disarm the timer, not fire it
	}
	a.spec.Value = unix.NsecToTimespec(d.Nanoseconds())
	if err := a.conn.Control(a.arm); err != nil {
		return // closed: the endpoint stopped
	}
	if a.armErr != nil {
		a.fallback.sleep(d)
		return
	}
	// Returns at the expiry, or with an error once close has run. (The
	// read must be tried before waiting on the poller, as File.Read does: a
	// short timer may have fired already, and the poller reports it once.)
	a.file.Read(a.buf[:])
}

func (a *timerfdAlarm) close() {
	a.file.Close()
	a.fallback.close()
}
