// Command misbehave is a node for the CLI's end-to-end tests. It logs its
// arguments to stderr, answers init, then behaves as its first argument says:
//
//	echo             a correct echo node
//	not-supported    answers every request with error 10 (not-supported)
//	sloppy-echo      echoes, but every third echo_ok carries a key the schema forbids
//	local-broadcast  keeps only the values broadcast to it (no gossip), so
//	                 every other node's final read lacks them
//	local-counter    counts only the adds it received (no sharing), so every
//	                 final read falls short of the total
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

type message struct {
	Src  string         `json:"src"`
	Dest string         `json:"dest"`
	Body map[string]any `json:"body"`
}

func main() {
	fmt.Fprintf(os.Stderr, "args: %s\n", strings.Join(os.Args[1:], " "))
	mode := "echo"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	out := json.NewEncoder(os.Stdout)
	nextID := 0
	var echoes, sum int
	var values []any
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	for in.Scan() {
		var req message
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			fmt.Fprintf(os.Stderr, "bad line: %v\n", err)
			continue
		}
		reply := func(body map[string]any) {
			nextID++
			body["msg_id"], body["in_reply_to"] = nextID, req.Body["msg_id"]
			if err := out.Encode(message{Src: req.Dest, Dest: req.Src, Body: body}); err != nil {
				os.Exit(1)
			}
		}
		typ, _ := req.Body["type"].(string)
		switch {
		case typ == "init":
			reply(map[string]any{"type": "init_ok"})
		case mode == "not-supported":
			reply(map[string]any{"type": "error", "code": 10, "text": "not supported: " + typ})
		case typ == "echo":
			body := map[string]any{"type": "echo_ok", "echo": req.Body["echo"]}
			if echoes++; mode == "sloppy-echo" && echoes%3 == 0 {
				body["extra"] = true
			}
			reply(body)
		case typ == "topology":
			reply(map[string]any{"type": "topology_ok"})
		case typ == "broadcast":
			values = append(values, req.Body["message"])
			reply(map[string]any{"type": "broadcast_ok"})
		case typ == "read" && mode == "local-broadcast":
			reply(map[string]any{"type": "read_ok", "messages": append([]any{}, values...)})
		case typ == "add":
			delta, _ := req.Body["delta"].(float64)
			sum += int(delta)
			reply(map[string]any{"type": "add_ok"})
		case typ == "read":
			reply(map[string]any{"type": "read_ok", "value": sum})
		default:
			reply(map[string]any{"type": "error", "code": 10, "text": "not supported: " + typ})
		}
	}
}
