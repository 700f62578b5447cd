package message

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// The parser is a small XML reader for WeChat's documents: elements, character
// data, CDATA sections (adjacent ones are joined), the five predefined entities
// and character references, comments and processing instructions. It refuses
// DOCTYPE, which is how XXE is kept out. Element text is a substring of the
// document whenever it is one contiguous run, so a typical message allocates
// nothing beyond the Message itself.
//
// It reads in one pass and hands each child of the root to its caller as it
// ends (walkXML): a flat element, which is all a message has but for a few
// events, as its name and text, with no tree built; an element with children
// of its own as a small tree of nodes, which only then are made.

var (
	errDoctype     = errors.New("DOCTYPE is not allowed")
	errEOF         = errors.New("unexpected end of document")
	errMarkup      = errors.New("unsupported markup")
	errNoRoot      = errors.New("no root element")
	errTrailing    = errors.New("content after the root element")
	errDepth       = errors.New("elements nested too deeply")
	errTooMany     = errors.New("too many elements")
	errEntity      = errors.New("unknown or malformed entity")
	errElementName = errors.New("malformed element name")
)

const (
	maxDepth    = 16    // WeChat nests 4 deep at most
	maxElements = 20000 // a 1 MiB body of <a/> would be 250k; nothing real comes near
)

// node is one element of a tree. Children and siblings are indexes into the
// node slice, -1 for none.
type node struct {
	name        string
	text        string // joined character data; "" when the element has children
	first, next int32
}

// nodePool recycles node slices: a tree is only needed until the Message is
// filled in, since the Message keeps strings, not nodes.
var nodePool = sync.Pool{New: func() any { s := make([]node, 0, 32); return &s }}

// syntaxError is a parse failure with the byte offset where it happened.
type syntaxError struct {
	off int
	err error
}

func (e *syntaxError) Error() string {
	return "malformed XML at byte " + strconv.Itoa(e.off) + ": " + e.err.Error()
}

func (e *syntaxError) Unwrap() error { return e.err }

// visitFunc receives a child of the root once it has ended: its name and
// text, and for an element with children of its own (text "") its tree,
// tree[at], with at -1 when there is none. tree is the parser's: valid only
// during the call.
type visitFunc func(name, text string, tree []node, at int32)

// walkXML parses the document s and calls visit for each child of its root, in
// document order. With trees unset, no tree is built (at is always -1): the
// children of an element are only checked. A malformed document is an error
// even if visit has seen part of it.
func walkXML(s string, trees bool, visit visitFunc) error {
	return xmlParser{trees: trees}.walk(s, visit)
}

// walk is walkXML with p's settings.
func (p xmlParser) walk(s string, visit visitFunc) error {
	p.s = strings.TrimPrefix(s, "\uFEFF")
	err := p.document(visit)
	p.release()
	if err != nil {
		return &syntaxError{off: p.i, err: err}
	}
	return nil
}

// rootChild returns the text of the first child of the root of doc named
// name, and whether there is one; "" and false with the error when doc is
// malformed anywhere.
func rootChild(doc, name string) (text string, found bool, err error) {
	err = walkXML(doc, false, func(n, t string, _ []node, _ int32) {
		if !found && n == name {
			text, found = t, true
		}
	})
	if err != nil {
		return "", false, err
	}
	return text, found, nil
}

type xmlParser struct {
	s     string
	i     int
	trees bool
	// general turns the fast paths for WeChat's usual shapes off (simple
	// content, simple children of the root), so that FuzzParse can hold them
	// to the general loop of element. Only tests set it.
	general  bool
	elements int     // elements read, for maxElements
	nodes    []node  // the trees, in pooled storage taken when the first is needed
	pooled   *[]node // where nodes came from
}

// How element keeps what it reads.
const (
	visitChildren = iota // the root: its children go to visit
	lazy                 // a child of the root: a tree once it turns out to have children
	inTree               // in a tree: a node
	checked              // read and checked only
)

// document reads the document; visit is not kept in p, so that it does not
// escape with p's strings (a closure of parseMessage stays on its stack).
func (p *xmlParser) document(visit visitFunc) error {
	if err := p.misc(); err != nil {
		return err
	}
	if p.i >= len(p.s) {
		return errNoRoot
	}
	if _, _, _, err := p.element(0, visitChildren, visit); err != nil {
		return err
	}
	if err := p.misc(); err != nil {
		return err
	}
	if p.i < len(p.s) {
		return errTrailing
	}
	return nil
}

// node appends an element to the trees and returns its index.
func (p *xmlParser) node(name string) int32 {
	if p.pooled == nil {
		p.pooled = nodePool.Get().(*[]node)
		p.nodes = (*p.pooled)[:0]
	}
	p.nodes = append(p.nodes, node{name: name, first: -1, next: -1})
	return int32(len(p.nodes) - 1)
}

// release hands the node storage back, cleared of its references to the
// document; storage grown past 1024 nodes by a hostile document is dropped.
func (p *xmlParser) release() {
	if p.pooled == nil {
		return
	}
	if cap(p.nodes) <= 1024 {
		clear(p.nodes)
		*p.pooled = p.nodes[:0]
		nodePool.Put(p.pooled)
	}
	p.pooled, p.nodes = nil, nil
}

// misc skips white space, comments and processing instructions outside the root.
func (p *xmlParser) misc() error {
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.i++
		case c != '<':
			return errTrailing
		default:
			skipped, err := p.skip()
			if err != nil {
				return err
			}
			if !skipped {
				return nil
			}
		}
	}
	return nil
}

// skip passes over a comment or processing instruction at p.i and reports
// whether there was one. DOCTYPE and other declarations are errors.
func (p *xmlParser) skip() (bool, error) {
	rest := p.s[p.i:]
	var end string
	switch {
	case strings.HasPrefix(rest, "<!--"):
		end = "-->"
	case strings.HasPrefix(rest, "<?"):
		end = "?>"
	case strings.HasPrefix(rest, "<!DOCTYPE"):
		return false, errDoctype
	case strings.HasPrefix(rest, "<!"):
		return false, errMarkup
	default:
		return false, nil
	}
	j := strings.Index(rest[2:], end)
	if j < 0 {
		return false, errEOF
	}
	p.i += 2 + j + len(end)
	return true, nil
}

// element reads the element whose '<' is at p.i, keeping it as mode says
// (visit is for visitChildren). It returns the element's index in p.nodes (-1
// when it has no node), its name, and its text when it has no children.
func (p *xmlParser) element(depth, mode int, visit visitFunc) (idx int32, name, text string, err error) {
	if depth >= maxDepth {
		return -1, "", "", errDepth
	}
	if p.elements >= maxElements {
		return -1, "", "", errTooMany
	}
	p.elements++
	s, start := p.s, p.i+1 // after '<'
	i := start
	for i < len(s) && nameByte[s[i]] == inName {
		i++
	}
	p.i = i
	if i < len(s) && nameByte[s[i]] == notInName {
		return -1, "", "", errElementName
	}
	name = s[start:i]
	if name == "" {
		return -1, "", "", errElementName
	}
	idx = -1
	if mode == inTree {
		idx = p.node(name)
	}
	empty, err := p.attributes()
	if err != nil || empty {
		return idx, name, "", err
	}
	if text, next, ok := p.simpleContent(p.i, name); ok && !p.general {
		p.i = next
		if idx >= 0 {
			p.nodes[idx].text = text
		}
		return idx, name, text, nil
	}

	var tb textBuilder
	children := false
	if mode == visitChildren && !p.general {
		children = p.simpleChildren(visit)
	}
	last := int32(-1) // the last child's node
	for {
		lt := strings.IndexByte(p.s[p.i:], '<')
		if lt < 0 {
			p.i = len(p.s)
			return -1, "", "", errEOF
		}
		if lt > 0 && !children {
			if err := tb.addCharData(p.s[p.i : p.i+lt]); err != nil {
				return -1, "", "", err
			}
		}
		p.i += lt
		rest := p.s[p.i:]
		switch {
		case strings.HasPrefix(rest, "</"):
			p.i += 2
			if !strings.HasPrefix(p.s[p.i:], name) {
				return -1, "", "", errors.New("end tag does not match <" + name + ">")
			}
			p.i += len(name)
			for p.i < len(p.s) && isSpace(p.s[p.i]) {
				p.i++
			}
			if p.i >= len(p.s) || p.s[p.i] != '>' {
				return -1, "", "", errors.New("end tag does not match <" + name + ">")
			}
			p.i++
			if children {
				return idx, name, "", nil
			}
			text = tb.String()
			if idx >= 0 {
				p.nodes[idx].text = text
			}
			return idx, name, text, nil
		case strings.HasPrefix(rest, "<![CDATA["):
			end := cdataEnd(rest[9:])
			if end < 0 {
				return -1, "", "", errEOF
			}
			if !children {
				tb.add(normalizeNewlines(rest[9 : 9+end]))
			}
			p.i += 9 + end + 3
		default:
			if len(rest) > 1 && (rest[1] == '!' || rest[1] == '?') { // markup, not a child
				skipped, err := p.skip()
				if err != nil {
					return -1, "", "", err
				}
				if skipped {
					continue
				}
			}
			children = true
			if err := p.child(depth, mode, visit, name, &idx, &last); err != nil {
				return -1, "", "", err
			}
		}
	}
}

// simpleContent reads, from i, one CDATA section or one run of character data
// without references, when it is all there is before the end tag "</name>":
// the shape of nearly every element WeChat sends. It returns the text and
// where the end tag ends; false for anything else, which the general loop of
// element reads.
func (p *xmlParser) simpleContent(i int, name string) (text string, next int, ok bool) {
	s := p.s
	if strings.HasPrefix(s[i:], "<![CDATA[") {
		end := cdataEnd(s[i+9:])
		if end < 0 {
			return "", 0, false
		}
		text = s[i+9 : i+9+end]
		i += 9 + end + 3
	} else {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			return "", 0, false
		}
		text = s[i : i+lt]
		if strings.IndexByte(text, '&') >= 0 {
			return "", 0, false
		}
		i += lt
	}
	end := i + 2 + len(name) // where '>' must be
	if end >= len(s) || s[i] != '<' || s[i+1] != '/' || s[end] != '>' || s[i+2:end] != name {
		return "", 0, false
	}
	return normalizeNewlines(text), end + 1, true
}

// cdataEnd is strings.Index(s, "]]>"), by way of the ']'s only.
func cdataEnd(s string) int {
	for off := 0; ; {
		j := strings.IndexByte(s[off:], ']')
		if j < 0 {
			return -1
		}
		j += off
		if j+2 < len(s) && s[j+1] == ']' && s[j+2] == '>' {
			return j
		}
		off = j + 1
	}
}

// simpleChild reads the child of the root at p.i when it is a start tag
// without attributes and simple content (see simpleContent), and hands it to
// visit; false, with nothing read, for anything else.
func (p *xmlParser) simpleChild(visit visitFunc) bool {
	if p.elements >= maxElements {
		return false
	}
	s := p.s
	start := p.i + 1
	i := start
	for i < len(s) && nameByte[s[i]] == inName {
		i++
	}
	if i == start || i >= len(s) || s[i] != '>' {
		return false
	}
	name := s[start:i]
	text, next, ok := p.simpleContent(i+1, name)
	if !ok {
		return false
	}
	p.elements++
	p.i = next
	visit(name, text, nil, -1)
	return true
}

// simpleChildren reads, from p.i, a run of simple children of the root (see
// simpleChild) and the white space around them, which is no part of the
// root's text once it has children, and reports whether it read any. It stops
// at anything else, with p.i where the general loop of element takes over:
// before that white space when it read no child. A loop of its own, rather
// than element's general loop a child at a time, took about 10 % off the
// parse of a push.
func (p *xmlParser) simpleChildren(visit visitFunc) (read bool) {
	s, start := p.s, p.i
	for {
		i := p.i
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i+1 >= len(s) || s[i] != '<' || nameByte[s[i+1]] != inName {
			break
		}
		p.i = i
		if !p.simpleChild(visit) {
			break
		}
		read = true
	}
	if !read {
		p.i = start
	}
	return read
}

// child reads a child of the element name (index *idx, last child *last),
// which is kept as mode says.
func (p *xmlParser) child(depth, mode int, visit visitFunc, name string, idx, last *int32) error {
	switch {
	case mode == visitChildren:
		if !p.general && p.simpleChild(visit) {
			return nil
		}
		at, cname, text, err := p.element(depth+1, lazy, nil)
		if err != nil {
			return err
		}
		if at >= 0 {
			visit(cname, "", p.nodes, at)
		} else {
			visit(cname, text, nil, -1)
		}
		return nil
	case mode == checked || mode == lazy && !p.trees:
		_, _, _, err := p.element(depth+1, checked, nil)
		return err
	}
	if *idx < 0 { // lazy: the element has children, so it becomes a tree
		*idx = p.node(name)
	}
	c, _, _, err := p.element(depth+1, inTree, nil)
	if err != nil {
		return err
	}
	if *last < 0 {
		p.nodes[*idx].first = c
	} else {
		p.nodes[*last].next = c
	}
	*last = c
	return nil
}

// nameByte classes the bytes of a start tag's name: what may be in it, what
// ends it (white space, '>', '/'), and what may not be in it ('<', '&', quotes
// and '=', which mean markup gone wrong).
var nameByte = func() (t [256]uint8) {
	for _, c := range []byte(" \t\n\r>/") {
		t[c] = endsName
	}
	for _, c := range []byte("<&\"'=") {
		t[c] = notInName
	}
	return t
}()

const (
	inName = iota
	endsName
	notInName
)

// attributes skips the attributes of a start tag (WeChat sends none; they are
// not kept) and reports whether the tag was self-closing.
func (p *xmlParser) attributes() (empty bool, err error) {
	for p.i < len(p.s) {
		switch c := p.s[p.i]; c {
		case '>':
			p.i++
			return false, nil
		case '/':
			if p.i+1 < len(p.s) && p.s[p.i+1] == '>' {
				p.i += 2
				return true, nil
			}
			return false, errMarkup
		case '"', '\'':
			j := strings.IndexByte(p.s[p.i+1:], c)
			if j < 0 {
				return false, errEOF
			}
			p.i += j + 2
		case '<':
			return false, errMarkup
		default:
			p.i++
		}
	}
	return false, errEOF
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// textBuilder joins an element's text segments. One segment stays a substring
// of the document; only a second segment costs a copy.
type textBuilder struct {
	first string
	buf   []byte
	n     int
}

func (t *textBuilder) add(seg string) {
	switch t.n {
	case 0:
		t.first = seg
	case 1:
		t.buf = append(append(make([]byte, 0, len(t.first)+len(seg)), t.first...), seg...)
	default:
		t.buf = append(t.buf, seg...)
	}
	t.n++
}

func (t *textBuilder) addCharData(seg string) error {
	if strings.IndexByte(seg, '&') >= 0 {
		var err error
		if seg, err = decodeEntities(seg); err != nil {
			return err
		}
	}
	t.add(normalizeNewlines(seg))
	return nil
}

func (t *textBuilder) String() string {
	if t.n <= 1 {
		return t.first
	}
	return string(t.buf)
}

// normalizeNewlines turns "\r\n" and a lone "\r" into "\n", as XML requires.
func normalizeNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// decodeEntities replaces &lt; &gt; &amp; &apos; &quot; and &#…; references.
func decodeEntities(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	for {
		amp := strings.IndexByte(s, '&')
		if amp < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:amp])
		s = s[amp+1:]
		semi := strings.IndexByte(s, ';')
		if semi < 0 {
			return "", errEntity
		}
		ref := s[:semi]
		s = s[semi+1:]
		switch ref {
		case "lt":
			b.WriteByte('<')
		case "gt":
			b.WriteByte('>')
		case "amp":
			b.WriteByte('&')
		case "apos":
			b.WriteByte('\'')
		case "quot":
			b.WriteByte('"')
		default:
			r, ok := charRef(ref)
			if !ok {
				return "", errEntity
			}
			b.WriteRune(r)
		}
	}
}

func charRef(ref string) (rune, bool) {
	if len(ref) < 2 || ref[0] != '#' {
		return 0, false
	}
	base, digits := 10, ref[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	n, err := strconv.ParseUint(digits, base, 32)
	if err != nil || !utf8.ValidRune(rune(n)) || n == 0 {
		return 0, false
	}
	return rune(n), true
}
