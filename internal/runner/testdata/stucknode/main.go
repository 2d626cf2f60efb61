// Command stucknode misbehaves at the process level in the way its first
// argument says, so the runner's teardown can be tested:
//
//	stop-reading  answers init, sends its peers enough to fill their stdin
//	              pipes, then never reads its stdin again
//	flood         answers init, then sends itself messages as fast as it can
//	              and never reads its stdin again
//	exit0         exits with status 0 at once, before init
//	exit0-after   answers init, then exits with status 0
//
// If a second argument names a folder, the node writes pid-<pid> there when it
// starts, init-<pid> once it has answered init and, in stop-reading mode,
// stuck-<pid> once it has written all it will write; with a third argument
// "child" it also starts a child process (sleep) in its process group and
// writes child-<pid>. The tests use these to check that no process outlives
// the run.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	mode, dir, withChild := os.Args[1], "", false
	if len(os.Args) > 2 {
		dir = os.Args[2]
		withChild = len(os.Args) > 3 && os.Args[3] == "child"
	}
	mark := func(kind string, pid int) {
		if dir != "" {
			_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d", kind, pid)), nil, 0o644)
		}
	}
	mark("pid", os.Getpid())
	if withChild {
		child := exec.Command("sleep", "600")
		if err := child.Start(); err == nil {
			mark("child", child.Process.Pid)
		}
	}
	if mode == "exit0" {
		os.Exit(0)
	}

	out := bufio.NewWriter(os.Stdout)
	send := func(src, dest string, body map[string]any) {
		b, _ := json.Marshal(map[string]any{"src": src, "dest": dest, "body": body})
		out.Write(append(b, '\n'))
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var msg struct {
			Src  string         `json:"src"`
			Dest string         `json:"dest"`
			Body map[string]any `json:"body"`
		}
		if json.Unmarshal(in.Bytes(), &msg) != nil || msg.Body["type"] != "init" {
			continue
		}
		me := msg.Body["node_id"].(string)
		send(me, msg.Src, map[string]any{"type": "init_ok", "in_reply_to": msg.Body["msg_id"]})
		out.Flush()
		mark("init", os.Getpid())
		switch mode {
		case "exit0-after":
			os.Exit(0)
		case "stop-reading":
			// 400 lines of 1 KB are well past a 64 KB pipe buffer.
			padding := strings.Repeat("x", 1024)
			for _, peer := range msg.Body["node_ids"].([]any) {
				if peer != me {
					for range 400 {
						send(me, peer.(string), map[string]any{"type": "padding", "padding": padding})
					}
				}
			}
			out.Flush()
			mark("stuck", os.Getpid())
		case "flood":
			for {
				send(me, me, map[string]any{"type": "flood"})
			}
		}
		break
	}
	// Stay alive, reading nothing, until killed (a bare select{} would be
	// reported by the Go runtime as a deadlock and exit).
	for {
		time.Sleep(time.Hour)
	}
}
