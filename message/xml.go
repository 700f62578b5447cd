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
// nothing beyond the document string and the Message itself.

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

// node is one element. Children and siblings are indexes into the node slice,
// -1 for none.
type node struct {
	name        string
	text        string // joined character data; "" when the element has children
	first, next int32
}

// nodePool recycles node slices: the parsed tree is only needed until the
// Message is filled in, since the Message keeps strings, not nodes.
var nodePool = sync.Pool{New: func() any { s := make([]node, 0, 32); return &s }}

func getNodes() *[]node { return nodePool.Get().(*[]node) }

// putNodes returns a node slice whose nodes are (*s)[:len(*s)]: only those
// hold references to a document, since every slice in the pool was cleared up
// to its length before.
func putNodes(s *[]node) {
	if cap(*s) <= 1024 {
		clear(*s) // drop references to the document
		*s = (*s)[:0]
		nodePool.Put(s)
	}
}

// syntaxError is a parse failure with the byte offset where it happened.
type syntaxError struct {
	off int
	err error
}

func (e *syntaxError) Error() string {
	return "malformed XML at byte " + strconv.Itoa(e.off) + ": " + e.err.Error()
}

func (e *syntaxError) Unwrap() error { return e.err }

type xmlParser struct {
	s     string
	i     int
	nodes []node
}

// parseXML parses s into nodes, appended to buf; nodes[0] is the root element.
// The nodes come back with an error too, so that a pooled slice is cleared of
// what was parsed before the error.
func parseXML(s string, buf []node) ([]node, error) {
	p := xmlParser{s: strings.TrimPrefix(s, "\uFEFF"), nodes: buf[:0]}
	if err := p.misc(); err != nil {
		return p.nodes, p.fail(err)
	}
	if p.i >= len(p.s) {
		return p.nodes, p.fail(errNoRoot)
	}
	if _, err := p.element(0); err != nil {
		return p.nodes, p.fail(err)
	}
	if err := p.misc(); err != nil {
		return p.nodes, p.fail(err)
	}
	if p.i < len(p.s) {
		return p.nodes, p.fail(errTrailing)
	}
	return p.nodes, nil
}

func (p *xmlParser) fail(err error) error { return &syntaxError{off: p.i, err: err} }

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

// element parses the element starting at p.i and returns its index.
func (p *xmlParser) element(depth int) (int32, error) {
	if depth >= maxDepth {
		return -1, errDepth
	}
	if len(p.nodes) >= maxElements {
		return -1, errTooMany
	}
	p.i++ // '<'
	start := p.i
	for p.i < len(p.s) && !nameEnd(p.s[p.i]) {
		if c := p.s[p.i]; c == '<' || c == '&' || c == '"' || c == '\'' || c == '=' {
			return -1, errElementName
		}
		p.i++
	}
	name := p.s[start:p.i]
	if name == "" {
		return -1, errElementName
	}
	idx := int32(len(p.nodes))
	p.nodes = append(p.nodes, node{name: name, first: -1, next: -1})
	empty, err := p.attributes()
	if err != nil || empty {
		return idx, err
	}

	var text textBuilder
	last := int32(-1)
	for {
		lt := strings.IndexByte(p.s[p.i:], '<')
		if lt < 0 {
			p.i = len(p.s)
			return -1, errEOF
		}
		if lt > 0 && last < 0 {
			if err := text.addCharData(p.s[p.i : p.i+lt]); err != nil {
				return -1, err
			}
		}
		p.i += lt
		rest := p.s[p.i:]
		switch {
		case strings.HasPrefix(rest, "</"):
			p.i += 2
			if !strings.HasPrefix(p.s[p.i:], name) {
				return -1, errors.New("end tag does not match <" + name + ">")
			}
			p.i += len(name)
			for p.i < len(p.s) && isSpace(p.s[p.i]) {
				p.i++
			}
			if p.i >= len(p.s) || p.s[p.i] != '>' {
				return -1, errors.New("end tag does not match <" + name + ">")
			}
			p.i++
			if last < 0 {
				p.nodes[idx].text = text.String()
			}
			return idx, nil
		case strings.HasPrefix(rest, "<![CDATA["):
			end := strings.Index(rest[9:], "]]>")
			if end < 0 {
				return -1, errEOF
			}
			if last < 0 {
				text.add(normalizeNewlines(rest[9 : 9+end]))
			}
			p.i += 9 + end + 3
		default:
			if len(rest) > 1 && (rest[1] == '!' || rest[1] == '?') { // markup, not a child
				skipped, err := p.skip()
				if err != nil {
					return -1, err
				}
				if skipped {
					continue
				}
			}
			child, err := p.element(depth + 1)
			if err != nil {
				return -1, err
			}
			if last < 0 {
				p.nodes[idx].first = child
			} else {
				p.nodes[last].next = child
			}
			last = child
		}
	}
}

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

func nameEnd(c byte) bool {
	return c == '>' || c == '/' || isSpace(c)
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
