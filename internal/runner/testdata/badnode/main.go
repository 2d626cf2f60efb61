// Command badnode misbehaves at the protocol level in the way its first
// argument says, so the runner's handling of broken nodes can be tested:
//
//	garbage     answers init, then writes a line that is not JSON
//	extra-key   answers init, then writes a message with an unknown top-level key
//	crash       answers init, then exits
//	bad-dest    answers init, then sends to a node that does not exist
//	silent      never answers init
//	init-error  answers init with an error
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

func main() {
	mode := os.Args[1]
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var msg struct {
			Src  string         `json:"src"`
			Dest string         `json:"dest"`
			Body map[string]any `json:"body"`
		}
		if err := json.Unmarshal(in.Bytes(), &msg); err != nil {
			continue
		}
		if msg.Body["type"] != "init" {
			continue
		}
		reply := func(body map[string]any) {
			body["in_reply_to"] = msg.Body["msg_id"]
			b, _ := json.Marshal(map[string]any{"src": msg.Dest, "dest": msg.Src, "body": body})
			fmt.Println(string(b))
		}
		switch mode {
		case "silent":
			continue
		case "init-error":
			reply(map[string]any{"type": "error", "code": 13, "text": "cannot start"})
			continue
		}
		reply(map[string]any{"type": "init_ok"})
		time.Sleep(200 * time.Millisecond)
		switch mode {
		case "garbage":
			fmt.Println("this is not json")
		case "extra-key":
			fmt.Printf(`{"src":%q,"dest":%q,"body":{"type":"x"},"extra":1}`+"\n", msg.Dest, msg.Dest)
		case "crash":
			fmt.Fprintln(os.Stderr, "about to crash")
			os.Exit(3)
		case "bad-dest":
			fmt.Printf(`{"src":%q,"dest":"n99","body":{"type":"x"}}`+"\n", msg.Dest)
		}
	}
	// Stay alive until killed, like a real node.
	select {}
}
