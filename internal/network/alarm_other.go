//go:build !linux

package network

func newAlarm() alarm { return newTimerAlarm() }
