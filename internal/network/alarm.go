package network

import "time"

// An alarm is what an endpoint's pump sleeps on until a message is due. It
// is used by the pump's goroutine only, except close, which the network
// calls once when the endpoint stops and which ends a sleep in progress.
type alarm interface {
	// sleep waits for d, or less if the alarm is closed meanwhile.
	sleep(d time.Duration)
	close()
}

// timerAlarm sleeps on a Go timer. Go's timers can fire up to a millisecond
// late: when the process has nothing else to do, the runtime waits for the
// next timer in the kernel's poller, whose timeout is in whole milliseconds
// (measured: a 300 µs timer fires about 0.76 ms late on Linux). So it is
// only the fallback where a precise alarm is not available.
type timerAlarm struct {
	timer  *time.Timer
	closed chan struct{}
}

func newTimerAlarm() *timerAlarm {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &timerAlarm{timer: t, closed: make(chan struct{})}
}

func (a *timerAlarm) sleep(d time.Duration) {
	a.timer.Reset(d)
	select {
	case <-a.timer.C:
	case <-a.closed:
		a.timer.Stop()
	}
}

func (a *timerAlarm) close() { close(a.closed) }
