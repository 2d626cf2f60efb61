// Command stdoutnode writes its stdout in ways Maelstrom reads in its own
// particular way, so the runner's reading of node output can be tested. Its
// first argument is the mode:
//
//	empty-line   echo server that writes an empty line after init_ok
//	cr-line      echo server that ends init_ok with "\r\r\n": Java's readLine
//	             reads that as the message and then an empty line
//	sloppy       echo server whose every line has text after the message, and
//	             a raw tab inside a string too (all but echo_ok); n0 sends n1
//	             such a "ping" before answering init, and n1 echoes correctly
//	             only once it has received that ping as strict JSON (it exits
//	             3 on a malformed one)
//	late-reply   echo server that, on its first echo, first sends one more
//	             init_ok to the init client, long closed by then
//	float-ids    unique-ids server whose ids are numbers with a fraction,
//	             all different as text and all the same double (1.0E17)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

type message struct {
	Src  string         `json:"src"`
	Dest string         `json:"dest"`
	Body map[string]any `json:"body"`
}

func main() {
	mode := os.Args[1]
	out := bufio.NewWriter(os.Stdout)
	// send writes one line: an envelope, then whatever the mode adds.
	send := func(src, dest string, body map[string]any, suffix string) {
		b, _ := json.Marshal(message{Src: src, Dest: dest, Body: body})
		if mode == "sloppy" {
			// Text after the value, and a raw tab inside a string (an extra
			// body key; echo_ok's schema allows none).
			if body["type"] != "echo_ok" {
				b = append(b[:len(b)-2], ",\"note\":\"raw\ttab\"}}"...)
			}
			suffix = "   and then some text" + suffix
		}
		out.Write(b)
		out.WriteString(suffix + "\n")
		out.Flush()
	}
	var (
		initClient string
		echoes     int
		ids        int64
		pinged     bool
	)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var m message
		if err := json.Unmarshal(in.Bytes(), &m); err != nil {
			fmt.Fprintf(os.Stderr, "malformed line from the workbench: %q\n", in.Bytes())
			os.Exit(3)
		}
		reply := func(body map[string]any, suffix string) {
			body["in_reply_to"] = m.Body["msg_id"]
			send(m.Dest, m.Src, body, suffix)
		}
		switch m.Body["type"] {
		case "init":
			initClient = m.Src
			if mode == "sloppy" && m.Dest == "n0" {
				send("n0", "n1", map[string]any{"type": "ping", "s": "a\tb"}, "")
			}
			switch mode {
			case "cr-line":
				reply(map[string]any{"type": "init_ok"}, "\r\r")
			case "empty-line":
				reply(map[string]any{"type": "init_ok"}, "")
				time.Sleep(100 * time.Millisecond)
				out.WriteString("\n")
				out.Flush()
			default:
				reply(map[string]any{"type": "init_ok"}, "")
			}
		case "ping":
			if !json.Valid(in.Bytes()) || m.Body["s"] != "a\tb" {
				fmt.Fprintf(os.Stderr, "malformed ping: %q\n", in.Bytes())
				os.Exit(3)
			}
			pinged = true
		case "echo":
			echoes++
			if mode == "late-reply" && echoes == 1 {
				time.Sleep(500 * time.Millisecond) // the init client has surely closed by now
				send(m.Dest, initClient, map[string]any{"type": "init_ok", "in_reply_to": 1}, "")
			}
			echo := m.Body["echo"]
			if mode == "sloppy" && m.Dest == "n1" && !pinged {
				echo = "no ping received"
			}
			reply(map[string]any{"type": "echo_ok", "echo": echo}, "")
		case "generate":
			ids++
			// 100000000000000000.1, .2, ...: a fraction far below the spacing of doubles there (16).
			reply(map[string]any{"type": "generate_ok", "id": json.Number(fmt.Sprintf("100000000000000000.%d", ids))}, "")
		}
	}
}
