package edn

import (
	"io"
	"strings"
)

// PrettyWidth is fipp's default line width, which jepsen.store's
// write-results! uses for results.edn.
const PrettyWidth = 70

// Pretty writes v as fipp.edn/pprint prints it (fipp's pretty-coll and its
// engine, format-nodes): every collection is a group; a group that fits in
// what is left of the line is printed on it, else each of its separators
// becomes a line break, its elements aligned one column right of its opening
// bracket. Map entries are separated by ",", a break or a space. Whether a
// group fits counts the group alone, not the closing brackets after it,
// which may run past the width, as fipp's do. The output ends with a
// newline, as pprint's does.
func Pretty(w io.Writer, v any) error {
	var b strings.Builder
	l := layout{out: &b, width: PrettyWidth, indents: []int{0}}
	l.render(document(v), false)
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// node is fipp's document: text, a line (a space, or a break when its group
// does not fit), a group, an align (its contents indented to the column
// where it starts) or a span (its contents, one after another).
type node struct {
	kind  nodeKind
	text  string
	kids  []*node
	width int // printed on one line
}

type nodeKind int

const (
	textNode nodeKind = iota
	lineNode
	groupNode
	alignNode
	spanNode
)

func text(s string) *node { return &node{kind: textNode, text: s, width: width(s)} }

func composite(kind nodeKind, kids ...*node) *node {
	n := &node{kind: kind, kids: kids}
	for _, k := range kids {
		n.width += k.width
	}
	return n
}

// document is fipp.edn's visit: collections become
// [:group open [:align elements-interposed-with-sep] close].
func document(v any) *node {
	if s, ok := atom(v, true); ok {
		return text(s)
	}
	coll := func(open string, elems []*node, sep func() []*node, close string) *node {
		var inner []*node
		for i, e := range elems {
			if i > 0 {
				inner = append(inner, sep()...)
			}
			inner = append(inner, e)
		}
		return composite(groupNode, text(open), composite(alignNode, inner...), text(close))
	}
	line := func() []*node { return []*node{{kind: lineNode, width: 1}} }
	entrySep := func() []*node { return []*node{text(","), {kind: lineNode, width: 1}} }
	docs := func(xs []any) []*node {
		out := make([]*node, len(xs))
		for i, x := range xs {
			out[i] = document(x)
		}
		return out
	}
	switch x := v.(type) {
	case []any:
		return coll("[", docs(x), line, "]")
	case List:
		return coll("(", docs(x), line, ")")
	case Set:
		return coll("#{", docs(x), line, "}")
	case Map:
		entries := make([]*node, len(x))
		for i, e := range x {
			// [:span k " " v]: a span is its parts, in their group.
			entries[i] = composite(spanNode, document(e.Key), text(" "), document(e.Value))
		}
		return coll("{", entries, entrySep, "}")
	case Tagged:
		head := "#" + x.Tag
		if !isCollection(x.Value) {
			head += " "
		}
		return composite(groupNode, text(head), document(x.Value))
	}
	return document(FromPlain(v))
}

// layout is fipp's format-nodes: the column, and a stack of indentation
// columns pushed by aligns.
type layout struct {
	out     *strings.Builder
	width   int
	column  int
	indents []int
}

func (l *layout) render(n *node, flat bool) {
	switch n.kind {
	case textNode:
		if l.column == 0 { // indentation is written with the first text after a break
			indent := l.indents[len(l.indents)-1]
			l.out.WriteString(strings.Repeat(" ", indent))
			l.column = indent
		}
		l.out.WriteString(n.text)
		l.column += n.width
	case lineNode:
		if flat {
			l.out.WriteByte(' ')
			l.column++
		} else {
			l.out.WriteByte('\n')
			l.column = 0
		}
	case groupNode:
		// A group inside one that fits fits; otherwise it fits if it ends
		// within the width, counted from where it starts (after a break,
		// from the indentation still to be written).
		start := l.column
		if start == 0 {
			start = l.indents[len(l.indents)-1]
		}
		fits := flat || start+n.width <= l.width
		for _, k := range n.kids {
			l.render(k, fits)
		}
	case alignNode:
		l.indents = append(l.indents, l.column)
		for _, k := range n.kids {
			l.render(k, flat)
		}
		l.indents = l.indents[:len(l.indents)-1]
	case spanNode:
		for _, k := range n.kids {
			l.render(k, flat)
		}
	}
}
